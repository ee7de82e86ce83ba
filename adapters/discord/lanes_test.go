package discord_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/bot"
)

// twoChannels: a fake, a recorder and a running adapter watching the
// channels watched and other.
func twoChannels(t *testing.T) (*discordfake.Server, *recorder) {
	t.Helper()
	fake := newFake(t, discordfake.Options{})
	rec := newRecorder()
	cfg := config(fake)
	cfg.Channels = []string{watched, other}
	a, err := discord.New(cfg, rec)
	if err != nil {
		t.Fatal(err)
	}
	discord.SetGatewayTimers(a, testClock.After, nil)
	start(t, fake, a)
	return fake, rec
}

// index is the place of the event id among evs, or -1.
func index(evs []bot.Event, id string) int {
	for i, ev := range evs {
		if ev.ID == id {
			return i
		}
	}
	return -1
}

// The first message of one channel is held until a message of another
// channel, posted after it, reaches the handler: only channels handled
// concurrently get through. Each channel keeps its order.
func TestChannelsConcurrentEachInOrder(t *testing.T) {
	t.Parallel()
	fake, rec := twoChannels(t)
	otherArrived := make(chan struct{})
	var once sync.Once
	rec.setHook(func(ctx context.Context, ev bot.Event) error {
		switch {
		case ev.Channel == other:
			once.Do(func() { close(otherArrived) })
		case ev.Text == "a1":
			select {
			case <-otherArrived:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	var a, b []string
	for _, text := range []string{"a1", "a2", "a3"} {
		a = append(a, "discord:msg:"+fake.Post(watched, customer, text, "").ID)
	}
	for _, text := range []string{"b1", "b2"} {
		b = append(b, "discord:msg:"+fake.Post(other, customer, text, "").ID)
	}
	evs := rec.wait(t, "all five", func(evs []bot.Event) bool { return len(evs) == 5 })
	if !(index(evs, a[0]) < index(evs, a[1]) && index(evs, a[1]) < index(evs, a[2]) && index(evs, b[0]) < index(evs, b[1])) {
		t.Fatalf("a channel lost its order: %+v", evs)
	}
}

// The backfill after a new session is a barrier: a live message of another
// channel that arrives while the backfill is busy waits for it.
func TestBackfillBeforeLaterEvents(t *testing.T) {
	t.Parallel()
	fake, rec := twoChannels(t)
	first := "discord:msg:" + fake.Post(watched, customer, "before", "").ID // sets the cursor
	rec.waitEvent(t, first)

	missed := "discord:msg:" + fake.PostQuiet(watched, customer, "meanwhile", "").ID
	entered, gate := make(chan struct{}), make(chan struct{})
	rec.setHook(func(ctx context.Context, ev bot.Event) error {
		if ev.ID == missed {
			close(entered)
			select {
			case <-gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	fake.InvalidSession()
	select {
	case <-entered: // the backfill of the new session is handling missed
	case <-time.After(10 * time.Second):
		t.Fatal("the backfill never handled the missed message")
	}
	live := "discord:msg:" + fake.Post(other, customer, "live", "").ID
	close(gate)
	evs := rec.wait(t, "live", func(evs []bot.Event) bool { return index(evs, live) >= 0 })
	if i := index(evs, missed); i < 0 || i > index(evs, live) {
		t.Fatalf("the live message was handled before the backfill: %+v", evs)
	}
}
