package storetest

import (
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

func testSeenAndPrune(t *testing.T, s bot.Store) {
	if seen(t, s, "Ev1") || seen(t, s, "") {
		t.Fatal("a new store has seen events")
	}
	apply(t, s, bot.Change{EventID: "Ev1", EventAt: at(0)})
	apply(t, s, bot.Change{EventID: "Ev2", EventAt: at(time.Minute)}, bot.Change{EventID: "Ev3", EventAt: at(2 * time.Minute)})
	apply(t, s, bot.Change{EventAt: at(time.Minute)}) // no id: nothing recorded
	for _, ev := range []string{"Ev1", "Ev2", "Ev3"} {
		if !seen(t, s, ev) {
			t.Errorf("Seen(%q) = false after Apply", ev)
		}
	}
	prune := func(before time.Time, want int) {
		t.Helper()
		n, err := s.PruneSeen(t.Context(), before)
		if err != nil || n != want {
			t.Errorf("PruneSeen(%v) = %d, %v; want %d", before.Sub(t0), n, err, want)
		}
	}
	prune(at(time.Minute), 1) // strictly before
	if seen(t, s, "Ev1") || !seen(t, s, "Ev2") || !seen(t, s, "Ev3") {
		t.Error("PruneSeen removed the wrong ids")
	}
	prune(at(time.Minute), 0)

	apply(t, s, bot.Change{EventID: "Ev2", EventAt: at(time.Hour)}) // recorded again: moves
	prune(at(30*time.Minute), 1)
	if !seen(t, s, "Ev2") || seen(t, s, "Ev3") {
		t.Error("an id recorded again was pruned at its old time")
	}
	prune(at(time.Hour+time.Nanosecond), 1)
	if seen(t, s, "Ev2") {
		t.Error("Ev2 is still seen after PruneSeen past its time")
	}
}

func testOutbox(t *testing.T, s bot.Store) {
	apply(t, s, bot.Change{Enqueue: []bot.Action{newAction(3), newAction(1)}}, bot.Change{Enqueue: []bot.Action{newAction(2)}})
	equal(t, "outbox", outboxIDs(t, s, 10), []uint64{1, 2, 3})
	equal(t, "outbox limit 2", outboxIDs(t, s, 2), []uint64{1, 2})
	equal(t, "outbox limit 0", outboxIDs(t, s, 0), []uint64{})

	retry := newAction(1)
	retry.Attempts, retry.NotBefore, retry.LastError = 1, at(time.Minute), "rate limited"
	apply(t, s, bot.Change{Requeue: []bot.Action{retry}})
	got, err := s.Outbox(t.Context(), 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("Outbox = %v, %v", got, err)
	}
	equal(t, "requeued action", got[0], retry)

	apply(t, s, bot.Change{Done: []uint64{1, 99}}) // 99: unknown, no error
	equal(t, "after done", outboxIDs(t, s, 10), []uint64{2, 3})
	apply(t, s, bot.Change{Requeue: []bot.Action{retry}}) // delivered: stays gone
	equal(t, "after a late requeue", outboxIDs(t, s, 10), []uint64{2, 3})
	apply(t, s, bot.Change{Enqueue: []bot.Action{newAction(4)}, Done: []uint64{4}})
	equal(t, "after enqueue+done in one change", outboxIDs(t, s, 10), []uint64{2, 3})
}

func testCursors(t *testing.T, s bot.Store) {
	type step struct{ platform, channel, last, want string }
	steps := []step{
		{bot.Slack, "C1", "1712345678.000100", "1712345678.000100"},
		{bot.Slack, "C1", "1712345678.000099", "1712345678.000100"}, // older fraction
		{bot.Slack, "C1", "1712345677.999999", "1712345678.000100"}, // older second
		{bot.Slack, "C1", "", "1712345678.000100"},                  // empty: ignored
		{bot.Slack, "C1", "1712345679.000001", "1712345679.000001"},
		{bot.Slack, "C2", "999999999.000000", "999999999.000000"}, // another channel
		{bot.Discord, "222", "999999999999999999", "999999999999999999"},
		{bot.Discord, "222", "99999999999999999", "999999999999999999"},    // shorter: older
		{bot.Discord, "222", "1000000000000000000", "1000000000000000000"}, // longer: newer
		{bot.Discord, "222", "999999999999999999", "1000000000000000000"},
	}
	for _, st := range steps {
		apply(t, s, bot.Change{Cursors: []bot.Cursor{{Platform: st.platform, Channel: st.channel, Last: st.last}}})
		if got := cursor(t, s, st.platform, st.channel); got != st.want {
			t.Errorf("after %s/%s %q: cursor %q, want %q", st.platform, st.channel, st.last, got, st.want)
		}
	}
	// Several in one Apply, newest first: the older never wins.
	apply(t, s, bot.Change{Cursors: []bot.Cursor{
		{Platform: bot.Slack, Channel: "C3", Last: "1712345680.000002"},
		{Platform: bot.Slack, Channel: "C3", Last: "1712345680.000001"},
	}}, bot.Change{Cursors: []bot.Cursor{{Platform: bot.Slack, Channel: "C3", Last: "1712345600.000000"}}})
	if got := cursor(t, s, bot.Slack, "C3"); got != "1712345680.000002" {
		t.Errorf("cursor C3 = %q, want the newest", got)
	}
	if got := cursor(t, s, bot.Slack, "C2"); got != "999999999.000000" {
		t.Errorf("cursor C2 = %q, moved by another channel", got)
	}
}

func lastIDs(t *testing.T, s bot.Store) [3]uint64 {
	t.Helper()
	th, a, in, err := s.LastIDs(t.Context())
	if err != nil {
		t.Fatalf("LastIDs: %v", err)
	}
	return [3]uint64{th, a, in}
}

func testLastIDs(t *testing.T, s bot.Store) {
	equal(t, "last ids of a new store", lastIDs(t, s), [3]uint64{})
	apply(t, s, bot.Change{
		Threads:   []bot.Thread{newThread(5), newThread(2)},
		Enqueue:   []bot.Action{newAction(7)},
		Incidents: []bot.Incident{newIncident(3, true)},
	})
	equal(t, "last ids", lastIDs(t, s), [3]uint64{5, 7, 3})
	apply(t, s, bot.Change{
		Threads:   []bot.Thread{newThread(4)},
		Done:      []uint64{7},
		Incidents: []bot.Incident{newIncident(1, false)},
	})
	equal(t, "last ids never go back", lastIDs(t, s), [3]uint64{5, 7, 3})
	apply(t, s, bot.Change{Enqueue: []bot.Action{newAction(8)}}, bot.Change{Threads: []bot.Thread{newThread(9)}})
	equal(t, "last ids after more", lastIDs(t, s), [3]uint64{9, 8, 3})
}

func testIncidents(t *testing.T, s bot.Store) {
	apply(t, s, bot.Change{Incidents: []bot.Incident{newIncident(2, true), newIncident(1, false), newIncident(3, true)}})
	got, err := s.Incident(t.Context(), 1)
	if err != nil {
		t.Fatalf("Incident(1): %v", err)
	}
	equal(t, "incident 1", got, newIncident(1, false))
	incidentIDs := func(open bool) []uint64 {
		t.Helper()
		list, err := s.Incidents(t.Context(), open)
		if err != nil {
			t.Fatalf("Incidents(%v): %v", open, err)
		}
		out := []uint64{}
		for _, in := range list {
			out = append(out, in.ID)
		}
		return out
	}
	equal(t, "open incidents", incidentIDs(true), []uint64{2, 3})
	equal(t, "all incidents", incidentIDs(false), []uint64{1, 2, 3})

	closed := newIncident(2, false)
	closed.Resolved = at(time.Hour)
	apply(t, s, bot.Change{Incidents: []bot.Incident{closed}})
	equal(t, "open incidents after resolve", incidentIDs(true), []uint64{3})
	got, _ = s.Incident(t.Context(), 2)
	equal(t, "resolved incident", got, closed)
}
