package slack_test

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
)

func TestSocketMessageAckedAfterHandle(t *testing.T) {
	e := setup(t, socketMode, nil, true)
	gate := make(chan struct{})
	e.rec.mu.Lock()
	e.rec.gate = gate
	e.rec.mu.Unlock()

	root := e.fake.PostQuiet(custChan, carol, "root", "")
	ts, evID := e.fake.PostMessage(slackfake.Message{Channel: custChan, User: carol, Text: "it is broken", ThreadTS: root})
	var env string
	e.waitFor("delivery", func() bool {
		for _, d := range e.fake.Deliveries() {
			if d.EventID == evID {
				env = d.EnvelopeID
				return true
			}
		}
		return false
	})
	if e.fake.Acked(env) {
		t.Fatal("acked before Handle returned")
	}
	close(gate)
	e.waitFor("ack", func() bool { return e.fake.Acked(env) })
	got := e.rec.find(byMsg(ts))
	if len(got) != 1 {
		t.Fatalf("events = %+v", e.rec.all())
	}
	ev := got[0]
	// No name yet: it was not cached, and a lookup never delays an ack.
	want := bot.Event{ID: evID, Kind: bot.KindMessage, Platform: "slack", Channel: custChan, ThreadKey: root,
		MessageID: ts, User: carol, Text: "it is broken",
		Permalink: e.fake.Permalink(custChan, ts, root)}
	ev.At = time.Time{}
	if !reflect.DeepEqual(ev, want) {
		t.Fatalf("event\n got %+v\nwant %+v", ev, want)
	}
	if got[0].At.IsZero() || time.Since(got[0].At) > time.Minute {
		t.Fatalf("At = %v", got[0].At)
	}
	// It was looked up meanwhile: carol's next message carries it.
	e.waitFor("carol's name looked up", func() bool { return e.ad.CachedName(carol) == "carol" })
	next := e.fake.Post(custChan, carol, "still broken", root)
	if got := e.waitEvents(1, byMsg(next)); got[0].UserName != "carol" {
		t.Fatalf("next message's name %q, want carol", got[0].UserName)
	}
}

func TestSocketErrorNotAckedThenRedelivered(t *testing.T) {
	e := setup(t, socketMode, nil, true)
	e.rec.setFail(1)
	ts, evID := e.fake.PostMessage(slackfake.Message{Channel: custChan, User: carol, Text: "hello?"})
	got := e.waitEvents(2, byMsg(ts))
	if got[0].ID != evID || got[1].ID != evID {
		t.Fatalf("ids %q %q, want %q", got[0].ID, got[1].ID, evID)
	}
	var attempts []int
	e.waitFor("ack of the retry", func() bool {
		attempts = attempts[:0]
		acked := false
		for _, d := range e.fake.Deliveries() {
			if d.EventID == evID {
				attempts = append(attempts, d.Attempt)
				acked = e.fake.Acked(d.EnvelopeID)
			}
		}
		return acked
	})
	if len(attempts) != 2 || attempts[0] != 0 || attempts[1] != 1 {
		t.Fatalf("attempts = %v", attempts)
	}
}

func TestSocketDisconnectReconnectsAndBackfills(t *testing.T) {
	e := setup(t, socketMode, nil, true)
	first := e.fake.Post(custChan, carol, "first", "")
	e.waitEvents(1, byMsg(first))

	// Messages Slack never delivered (lost in a gap), then Slack asks
	// for a new connection: the reconnection backfills them.
	q1 := e.fake.PostQuiet(custChan, carol, "while away", "")
	q2 := e.fake.PostQuiet(custChan, carol, "in the thread", first)
	e.fake.Disconnect()
	e.waitFor("reconnect", func() bool { return e.fake.Connections() == 2 && e.fake.Sockets() == 1 })
	for _, ts := range []string{q1, q2} {
		got := e.waitEvents(1, byMsg(ts))
		if got[0].ID != "slack:msg:"+custChan+":"+ts {
			t.Fatalf("backfill id = %q", got[0].ID)
		}
	}
	if got := e.rec.find(byMsg(q2)); got[0].ThreadKey != first {
		t.Fatalf("thread key = %q", got[0].ThreadKey)
	}

	// The socket dies without a word.
	q3 := e.fake.PostQuiet(custChan, carol, "lost before the drop", "")
	e.fake.DropSockets()
	e.waitFor("reconnect after drop", func() bool { return e.fake.Connections() == 3 && e.fake.Sockets() == 1 })
	e.waitEvents(1, byMsg(q3))
	live := e.fake.Post(custChan, carol, "live again", "")
	e.waitEvents(1, byMsg(live))
	e.waitFor("connected", e.ad.Connected)
}

func TestSocketCommandAndButton(t *testing.T) {
	e := setup(t, socketMode, nil, true)
	resp, err := e.fake.SlashCommand(e.ctx, alice, "T0HOME", custChan, " claim 42 ")
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Ack) != `{"response_type":"ephemeral","text":"done: claim 42"}` {
		t.Fatalf("ack = %s", resp.Ack)
	}
	resp, err = e.fake.SlashCommand(e.ctx, carol, custTeam, custChan, "resolve 42")
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Ack) != `{"response_type":"ephemeral","text":"only staff can do that"}` {
		t.Fatalf("non-staff ack = %s", resp.Ack)
	}
	cmds := e.rec.find(func(ev bot.Event) bool { return ev.Kind == bot.KindCommand })
	if len(cmds) != 2 || !cmds[0].Staff || cmds[1].Staff || cmds[0].Text != "claim 42" {
		t.Fatalf("commands = %+v", cmds)
	}

	if _, err := e.fake.Press(e.ctx, alice, "T0HOME", "snooze", "snooze 42 1h", triageChan, "1.000001"); err != nil {
		t.Fatal(err)
	}
	e.waitFor("ephemeral", func() bool { return len(e.fake.Ephemerals()) == 1 })
	eph := e.fake.Ephemerals()[0]
	if eph.User != alice || eph.Channel != triageChan || eph.Text != "done: snooze 42 1h" {
		t.Fatalf("ephemeral = %+v", eph)
	}
	btn := e.rec.find(func(ev bot.Event) bool { return ev.Kind == bot.KindButton })
	if len(btn) != 1 || btn[0].Text != "snooze 42 1h" || !btn[0].Staff {
		t.Fatalf("buttons = %+v", btn)
	}
}

// index is the place of the message ts among evs, or -1.
func index(evs []bot.Event, ts string) int {
	for i, ev := range evs {
		if ev.Kind == bot.KindMessage && ev.MessageID == ts {
			return i
		}
	}
	return -1
}

// The first message of one channel is held until a message of another
// channel, posted after it, reaches the handler: only channels handled
// concurrently get through. Each channel keeps its order.
func TestSocketChannelsConcurrentEachInOrder(t *testing.T) {
	e := setup(t, socketMode, func(c *slack.Config) { c.Channels = []string{custChan, otherChan} }, true)
	otherArrived := make(chan struct{})
	var once sync.Once
	e.rec.setHook(func(ctx context.Context, ev bot.Event) error {
		switch {
		case ev.Channel == otherChan:
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
	a1 := e.fake.Post(custChan, carol, "a1", "")
	a2 := e.fake.Post(custChan, carol, "a2", "")
	a3 := e.fake.Post(custChan, carol, "a3", "")
	b1 := e.fake.Post(otherChan, carol, "b1", "")
	b2 := e.fake.Post(otherChan, carol, "b2", "")
	e.waitFor("all five handled and acked", func() bool {
		return len(e.rec.find(func(ev bot.Event) bool { return ev.Kind == bot.KindMessage })) == 5 &&
			len(e.fake.Acks()) == 5
	})
	evs := e.rec.all()
	if !(index(evs, a1) < index(evs, a2) && index(evs, a2) < index(evs, a3) && index(evs, b1) < index(evs, b2)) {
		t.Fatalf("a channel lost its order: %+v", evs)
	}
}

// A reconnection's backfill is a barrier: a live event of another channel
// that arrives while the backfill is busy waits for it.
func TestSocketBackfillBeforeLaterEvents(t *testing.T) {
	e := setup(t, socketMode, func(c *slack.Config) { c.Channels = []string{custChan, otherChan} }, true)
	first := e.fake.Post(custChan, carol, "first", "") // sets the cursor
	e.waitEvents(1, byMsg(first))

	missed := e.fake.PostQuiet(custChan, carol, "while away", "")
	entered, gate := make(chan struct{}), make(chan struct{})
	e.rec.setHook(func(ctx context.Context, ev bot.Event) error {
		if ev.MessageID == missed {
			close(entered)
			select {
			case <-gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	e.fake.Disconnect()
	select {
	case <-entered: // the backfill of the new connection is handling missed
	case <-e.ctx.Done():
		t.Fatal("the backfill never handled the missed message")
	}
	live, liveID := e.fake.PostMessage(slackfake.Message{Channel: otherChan, User: carol, Text: "live"})
	e.waitFor("live delivered", func() bool {
		for _, d := range e.fake.Deliveries() {
			if d.EventID == liveID {
				return true
			}
		}
		return false
	})
	close(gate)
	e.waitEvents(1, byMsg(live))
	evs := e.rec.all()
	if index(evs, missed) < 0 || index(evs, missed) > index(evs, live) {
		t.Fatalf("the live event was handled before the backfill: %+v", evs)
	}
}
