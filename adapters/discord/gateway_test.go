package discord_test

import (
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/bot"
)

// The gateway by the book (the fake refuses each mistake and records it;
// every test of this package checks that none was made).

// After a drop, op 7 and a server close 4000 the adapter RESUMEs at
// READY's resume_gateway_url, and answers the server's close with a code
// that keeps the session (not 1000): one session throughout, nothing
// missed.
func TestGatewayResumesByTheBook(t *testing.T) {
	t.Parallel()
	fake, rec, _ := setup(t)
	var ids []string
	for i, cut := range []func(){fake.Drop, fake.Reconnect, func() { fake.CloseWith(4000) }} {
		cut()
		ids = append(ids, "discord:msg:"+fake.Post(watched, customer, "after a cut", "").ID)
		waitFake(t, fake, "resumed", func() bool { return fake.Resumes() == i+1 && fake.Connected() })
	}
	evs := rec.wait(t, "the messages", func(evs []bot.Event) bool { return count(evs, ids[2]) > 0 })
	for _, id := range ids {
		if n := count(evs, id); n != 1 {
			t.Errorf("%s handled %d times", id, n)
		}
	}
	if n, ended := len(fake.Identifies()), fake.SessionsEnded(); n != 1 || ended != 0 {
		t.Fatalf("%d identifies, %d sessions ended by the client; want 1 and 0", n, ended)
	}
}

// After op 9 (not resumable) the adapter waits the random 1–5 s Discord
// asks for before it identifies again — timed by an injected clock that
// the fake checks too, so nothing sleeps — and backfills the gap.
func TestGatewayWaitsAfterInvalidSession(t *testing.T) {
	t.Parallel()
	clock := &gwClock{t: time.Now()}
	fake := newFake(t, discordfake.Options{Now: clock.Now})
	rec := newRecorder()
	a, err := discord.New(config(fake), rec)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var waits []time.Duration
	discord.SetGatewayTimers(a, func(d time.Duration) <-chan time.Time {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return clock.After(d)
	}, nil)
	start(t, fake, a)
	first := fake.Post(watched, customer, "before", "")
	rec.waitEvent(t, "discord:msg:"+first.ID)
	fake.InvalidSession()
	gap := fake.Post(watched, customer, "lost by the gateway", "") // no session: not dispatched
	waitFake(t, fake, "identified again", func() bool { return len(fake.Identifies()) == 2 && fake.Connected() })
	rec.waitEvent(t, "discord:msg:"+gap.ID) // backfilled after the new READY
	mu.Lock()
	defer mu.Unlock()
	if len(waits) != 1 || waits[0] < time.Second || waits[0] > 5*time.Second {
		t.Fatalf("waits before IDENTIFY %v; want one of 1–5 s", waits)
	}
	for range 200 {
		if d := discord.GatewayJitter(a); d < time.Second || d > 5*time.Second {
			t.Fatalf("a wait of %s after op 9; want 1–5 s", d)
		}
	}
}
