package bot_test

import (
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

// TestBackfillClocksStartWhenSent: a message read by backfill after
// downtime counts from when the platform says it was sent, so the SLA
// clock is honest about the time openear was down; a live message counts
// from when openear received it, whatever its platform time.
func TestBackfillClocksStartWhenSent(t *testing.T) {
	r := newRig(t, nil)
	r.clock.Advance(4 * time.Hour) // 13:00; the SLA is 1 hour, escalation at 1.5
	sent := r.clock.Now().Add(-3 * time.Hour)

	// Two messages of one customer 30 s apart, read an hour and more
	// later: one thread (the join window compares when they were sent).
	first := r.msg("UCUST", "The export is broken", false, "")
	first.At, first.Backfill = sent, true
	second := r.msg("UCUST", "It fails for every file", false, "")
	second.At, second.Backfill = sent.Add(30*time.Second), true
	id := r.handle(first).ThreadID
	if got := r.handle(second).ThreadID; got != id {
		t.Fatalf("the second backfilled message opened thread #%d, want #%d", got, id)
	}
	th := r.thread(id)
	if !th.Created.Equal(sent) || !th.WaitFrom.Equal(sent) || !th.Deadline.Equal(sent.Add(time.Hour)) {
		t.Fatalf("created %v, wait from %v, deadline %v; want %v and a deadline an hour later", th.Created, th.WaitFrom, th.Deadline, sent)
	}
	// Already past its deadline and its escalation point: the next tick
	// says so, at once.
	r.advance(time.Second)
	th = r.thread(id)
	if !th.Breached {
		t.Fatalf("a thread waiting 3 hours against a 1-hour SLA is not breached: %+v", th)
	}
	if len(r.slack.Sent(bot.ForEscalation)) == 0 {
		t.Fatal("no escalation for a thread that waited twice its SLA while openear was down")
	}

	// A staff reply sent during the downtime, 10 minutes after the
	// customer: first response 10 minutes, SLA met.
	r2 := newRig(t, nil)
	r2.clock.Advance(4 * time.Hour)
	sent = r2.clock.Now().Add(-2 * time.Hour)
	cust := r2.msg("UCUST", "The export is broken", false, "")
	cust.At, cust.Backfill = sent, true
	id = r2.handle(cust).ThreadID
	reply := r2.msg("UALICE", "Fixed, please try again", true, cust.MessageID)
	reply.At, reply.Backfill = sent.Add(10*time.Minute), true
	r2.handle(reply)
	th = r2.thread(id)
	if th.State != bot.Answered || !th.FirstReply.Equal(sent.Add(10*time.Minute)) || th.Met != 1 || th.Breached {
		t.Fatalf("state %s, first reply %v (want %v), met %d, breached %v", th.State, th.FirstReply, sent.Add(10*time.Minute), th.Met, th.Breached)
	}

	// Not trusted: a live message's platform time, a future time, and a
	// time older than 30 days all count from receipt.
	for name, ev := range map[string]func(bot.Event) bot.Event{
		"live":   func(ev bot.Event) bot.Event { ev.At = r2.clock.Now().Add(-3 * time.Hour); return ev },
		"future": func(ev bot.Event) bot.Event { ev.At, ev.Backfill = r2.clock.Now().Add(time.Hour), true; return ev },
		"too old": func(ev bot.Event) bot.Event {
			ev.At, ev.Backfill = r2.clock.Now().Add(-31*24*time.Hour), true
			return ev
		},
	} {
		user := "U" + name
		res := r2.handle(ev(r2.msg(user, "Hello, is anyone there?", false, "")))
		if th := r2.thread(res.ThreadID); !th.WaitFrom.Equal(r2.clock.Now()) {
			t.Errorf("%s: wait from %v, want now (%v)", name, th.WaitFrom, r2.clock.Now())
		}
	}
}
