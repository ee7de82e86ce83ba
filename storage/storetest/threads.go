package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

func testThreadPutGetReplace(t *testing.T, s bot.Store) {
	want := newThread(1)
	putThreads(t, s, want)
	equal(t, "stored thread", mustThread(t, s, 1), want)

	want.State, want.LastStaff, want.FirstReply = bot.Answered, at(time.Minute), at(time.Minute)
	want.Messages = append(want.Messages, bot.Message{ID: "m2", User: "U0ALICE", Staff: true, Text: "곧 처리됩니다", At: at(time.Minute)})
	want.MsgCount = 2
	putThreads(t, s, want)
	equal(t, "replaced thread", mustThread(t, s, 1), want)
	if _, err := s.Thread(t.Context(), 2); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Thread(2) = %v, want ErrNotFound", err)
	}
}

func testNotFound(t *testing.T, s bot.Store) {
	ctx := t.Context()
	if _, err := s.Thread(ctx, 42); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Thread(42) = %v, want an error wrapping ErrNotFound", err)
	}
	if _, err := s.ThreadByKey(ctx, "slack/C1/1"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("ThreadByKey = %v, want an error wrapping ErrNotFound", err)
	}
	if _, err := s.ThreadByKey(ctx, ""); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf(`ThreadByKey("") = %v, want an error wrapping ErrNotFound`, err)
	}
	if _, err := s.Incident(ctx, 7); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Incident(7) = %v, want an error wrapping ErrNotFound", err)
	}
	if got := cursor(t, s, bot.Slack, "C1"); got != "" {
		t.Errorf("Cursor of an unknown channel = %q, want \"\"", got)
	}
}

func testThreadByKey(t *testing.T, s bot.Store) {
	th := newThread(1)
	th.Keys = append(th.Keys, bot.CustomerKey(bot.Slack, "C0CUSTOMER1", "U0KIM"), bot.OwnerOfKey(bot.Slack, "U0KIM"))
	putThreads(t, s, th)
	for _, k := range th.Keys {
		got, err := s.ThreadByKey(t.Context(), k)
		if err != nil {
			t.Fatalf("ThreadByKey(%q): %v", k, err)
		}
		equal(t, "thread by key "+k, got, th)
	}
}

func testKeysNeverLost(t *testing.T, s bot.Store) {
	a, b, c := "slack/C1/a", "cust/slack/C1/U1", "slack/C1/c"
	one, two := newThread(1), newThread(2)
	one.Keys, two.Keys = []string{a, b}, []string{b, c}
	putThreads(t, s, one)
	putThreads(t, s, two)
	check := func(when string, want map[string]uint64) {
		t.Helper()
		for k, id := range want {
			if got := mustByKey(t, s, k); got != id {
				t.Errorf("%s: key %q leads to %d, want %d", when, k, got, id)
			}
		}
	}
	check("after a newer thread added b", map[string]uint64{a: 1, b: 2, c: 2})

	one.Keys = []string{a, b} // unchanged: b is not new to thread 1
	one.MsgCount = 5
	putThreads(t, s, one)
	check("after thread 1 was rewritten with b", map[string]uint64{a: 1, b: 2, c: 2})

	two.Keys = []string{c} // dropping a key does not delete it
	putThreads(t, s, two)
	one.Keys = []string{a}
	putThreads(t, s, one)
	check("after both dropped b", map[string]uint64{a: 1, b: 2, c: 2})

	one.Keys = []string{a, b} // b is new to thread 1 again: it takes it
	putThreads(t, s, one)
	check("after thread 1 added b again", map[string]uint64{a: 1, b: 1, c: 2})
}

func testThreads(t *testing.T, s bot.Store) {
	const n = 600 // more than one batch of any sensible size
	var batch []bot.Thread
	for i := uint64(n); i >= 1; i-- { // written newest first
		batch = append(batch, newThread(i))
	}
	putThreads(t, s, batch...)
	var got []uint64
	err := s.Threads(t.Context(), func(th bot.Thread) bool {
		if th.ID == 300 {
			equal(t, "thread 300 from Threads", th, newThread(300))
		}
		got = append(got, th.ID)
		return true
	})
	if err != nil {
		t.Fatalf("Threads: %v", err)
	}
	if len(got) != n {
		t.Fatalf("Threads visited %d threads, want %d", len(got), n)
	}
	for i, id := range got {
		if id != uint64(i+1) {
			t.Fatalf("Threads visited %d at position %d: not in id order", id, i)
		}
	}
}

func testThreadsEarlyStop(t *testing.T, s bot.Store) {
	var batch []bot.Thread
	for i := uint64(1); i <= 300; i++ {
		batch = append(batch, newThread(i))
	}
	putThreads(t, s, batch...)
	calls := 0
	err := s.Threads(t.Context(), func(th bot.Thread) bool {
		calls++
		return th.ID < 3
	})
	if err != nil || calls != 3 {
		t.Errorf("Threads stopping at 3: %d calls, err %v; want 3 calls, nil", calls, err)
	}
	empty := 0
	if err := s.Threads(ctxCancelled(t), func(bot.Thread) bool { empty++; return true }); err == nil || empty != 0 {
		t.Errorf("Threads with a cancelled context: %d calls, err %v; want an error and no call", empty, err)
	}
}

// testNotAliased checks that neither the values passed to Apply nor those
// returned share memory with what the store keeps.
func testNotAliased(t *testing.T, s bot.Store) {
	th, a, in := newThread(1), newAction(1), newIncident(1, true)
	th.Due, th.Owner = at(time.Hour), "alice"
	apply(t, s, bot.Change{Threads: []bot.Thread{th}, Enqueue: []bot.Action{a}, Incidents: []bot.Incident{in}})
	want, wantA, wantIn := newThread(1), newAction(1), newIncident(1, true)
	want.Due, want.Owner = at(time.Hour), "alice"

	scribble := func(th *bot.Thread, a *bot.Action, in *bot.Incident) {
		th.Keys[0], th.Tags[0].Name, th.Messages[0].Text = "x", "x", "x"
		a.Notice.Tags[0].Name, a.Notice.Excerpt = "x", "x"
		in.Terms[0], in.Threads[0], in.Customers[0], in.Updates[0] = "x", 99, "x", "x"
		in.NoticeRefs[bot.Slack] = "x"
	}
	scribble(&th, &a, &in) // the caller's inputs, after Apply

	gotT := mustThread(t, s, 1)
	due, _ := s.Due(t.Context(), at(2*time.Hour), 10)
	owned, _ := s.OpenByOwner(t.Context(), "alice")
	byKey, _ := s.ThreadByKey(t.Context(), want.Keys[0])
	box, _ := s.Outbox(t.Context(), 10)
	gotIn, _ := s.Incident(t.Context(), 1)
	all, _ := s.Incidents(t.Context(), false)
	if len(due) != 1 || len(owned) != 1 || len(box) != 1 || len(all) != 1 {
		t.Fatalf("reads found due %d, owned %d, outbox %d, incidents %d; want 1 each", len(due), len(owned), len(box), len(all))
	}
	scribble(&gotT, &box[0], &gotIn) // returned values
	scribble(&due[0], &box[0], &all[0])
	scribble(&owned[0], &box[0], &all[0])
	scribble(&byKey, &box[0], &all[0])

	equal(t, "thread", mustThread(t, s, 1), want)
	box, _ = s.Outbox(t.Context(), 10)
	equal(t, "outbox", box, []bot.Action{wantA})
	gotIn, _ = s.Incident(t.Context(), 1)
	equal(t, "incident", gotIn, wantIn)
}
