package slack_test

// At-least-once delivery from Slack to the real core and bbolt: redelivered
// envelopes and forced reconnections during a steady stream lose nothing
// and duplicate nothing. OPENEAR_SOAK=1 runs the 100-disconnect version.

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
)

func soak() bool { return os.Getenv("OPENEAR_SOAK") == "1" }

// postStream posts top-level messages, each from its own external
// customer, pace apart, until stop is closed (or n when stop is nil), and
// returns their ts once done.
func postStream(e *e2e, n int, pace time.Duration, prefix string, stop <-chan struct{}) <-chan []string {
	out := make(chan []string, 1)
	go func() {
		var ts []string
		for i := 0; stop != nil || i < n; i++ {
			if stop != nil {
				select {
				case <-stop:
					out <- ts
					return
				default:
				}
			}
			u := fmt.Sprintf("U0%s%05d", prefix, i)
			e.fake.AddUser(u, "TACME", u, false)
			ts = append(ts, e.fake.Post(e2eShared, u, fmt.Sprintf("How do I export report %d?", i), ""))
			time.Sleep(pace)
		}
		out <- ts
	}()
	return out
}

// assertOnceEach checks that each message is in exactly one thread of its
// own, with one message: none lost, none duplicated.
func assertOnceEach(e *e2e, ts []string) {
	e.t.Helper()
	for _, x := range ts {
		e.thread(x) // waits for it
	}
	ctx := context.Background()
	threads, msgs := 0, 0
	e.db.Threads(ctx, func(th bot.Thread) bool { threads++; msgs += th.MsgCount; return true })
	if threads != len(ts) || msgs != len(ts) {
		e.t.Fatalf("%d threads with %d messages for %d posted (want one each)", threads, msgs, len(ts))
	}
}

func redeliveries(f *slackfake.Server) int {
	n := 0
	for _, d := range f.Deliveries() {
		if d.Attempt > 0 {
			n++
		}
	}
	return n
}

// TestAtLeastOnceSocketRedelivery: the fake redelivers every envelope
// before its ack can arrive (ack timeout 1 ms): each message still has one
// effect.
func TestAtLeastOnceSocketRedelivery(t *testing.T) {
	e := newE2EWith(t, true, slackfake.Options{PingInterval: 200 * time.Millisecond, AckTimeout: time.Millisecond})
	ts := <-postStream(e, 30, time.Millisecond, "R", nil)
	assertOnceEach(e, ts)
	if r := redeliveries(e.fake); r == 0 {
		t.Fatal("the fake redelivered nothing: the test proves nothing")
	} else {
		t.Logf("FIGURES socket redelivery: %d messages, %d redelivered envelopes, 1 effect each", len(ts), r)
	}
}

// TestAtLeastOnceSocketDisconnects forces Socket Mode reconnections
// (alternately Slack's disconnect frame and an abrupt close) during a
// steady stream: 0 lost, 0 duplicated. CI: 20; OPENEAR_SOAK=1: 100.
func TestAtLeastOnceSocketDisconnects(t *testing.T) {
	drops := 20
	if soak() {
		drops = 100
	}
	e := newE2E(t, true)
	start := time.Now()
	stop := make(chan struct{})
	stream := postStream(e, 0, 5*time.Millisecond, "D", stop)
	for i := range drops {
		acks, conns := len(e.fake.Acks()), e.fake.Connections()
		e.waitFor("progress", func() bool { return len(e.fake.Acks()) > acks })
		if i%2 == 0 {
			e.fake.Disconnect()
		} else {
			e.fake.DropSockets()
		}
		e.waitFor("reconnected", func() bool { return e.fake.Connections() > conns && e.fake.Sockets() > 0 })
	}
	close(stop)
	ts := <-stream
	assertOnceEach(e, ts)
	t.Logf("FIGURES socket disconnects: %d forced reconnections, %d messages, 0 lost, 0 duplicated, %d redeliveries, %s",
		drops, len(ts), redeliveries(e.fake), time.Since(start).Round(time.Millisecond))
}

// TestAtLeastOnceEventsAPIRetriesDuringStream: every Events API event is
// delivered again 3 times (X-Slack-Retry-Num 1..3), some of them across a
// restart of openear: one effect each.
func TestAtLeastOnceEventsAPIRetriesDuringStream(t *testing.T) {
	e := newE2E(t, false)
	ctx := context.Background()
	var ids []string
	var ts []string
	for i := range 10 {
		u := fmt.Sprintf("U0H%03d", i)
		e.fake.AddUser(u, "TACME", u, false)
		x, id := e.fake.PostMessage(slackfake.Message{Channel: e2eShared, User: u, Text: fmt.Sprintf("Where is invoice %d?", i)})
		ts, ids = append(ts, x), append(ids, id)
	}
	retry := func(from int) {
		var wg sync.WaitGroup
		for _, id := range ids[from:] {
			wg.Go(func() {
				for n := 1; n <= 3; n++ {
					if status, err := e.fake.Retry(ctx, id, n); err != nil || status != 200 {
						t.Errorf("retry %d of %s: %d %v", n, id, status, err)
					}
				}
			})
		}
		wg.Wait()
	}
	retry(0)
	e.stop()
	e.start()
	retry(5)
	assertOnceEach(e, ts)
}
