package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

// full is a change touching every part of the store.
func full(id uint64) bot.Change {
	th := dueThread(id, at(time.Minute))
	th.Owner = "alice"
	return bot.Change{
		EventID: fmt.Sprintf("Ev%d", id), EventAt: t0,
		Threads:   []bot.Thread{th},
		Enqueue:   []bot.Action{newAction(id)},
		Cursors:   []bot.Cursor{{Platform: bot.Slack, Channel: "C1", Last: th.Root}},
		Incidents: []bot.Incident{newIncident(id, true)},
	}
}

// checkEmpty fails when anything of full(1) was written.
func checkEmpty(t *testing.T, s bot.Store) {
	t.Helper()
	if _, err := s.Thread(t.Context(), 1); err == nil {
		t.Error("thread 1 was written")
	}
	if _, err := s.ThreadByKey(t.Context(), newThread(1).Keys[0]); err == nil {
		t.Error("the key of thread 1 was written")
	}
	if seen(t, s, "Ev1") {
		t.Error("Ev1 was recorded")
	}
	equal(t, "due", dueIDs(t, s, at(time.Hour), 10), []uint64{})
	equal(t, "open threads of alice", ownerIDs(t, s, "alice"), []uint64{})
	equal(t, "outbox", outboxIDs(t, s, 10), []uint64{})
	equal(t, "cursor", cursor(t, s, bot.Slack, "C1"), "")
	equal(t, "last ids", lastIDs(t, s), [3]uint64{})
	if _, err := s.Incident(t.Context(), 1); err == nil {
		t.Error("incident 1 was written")
	}
}

func testApplyCancelled(t *testing.T, s bot.Store) {
	if err := s.Apply(ctxCancelled(t), full(1)); err == nil {
		t.Fatal("Apply with a cancelled context succeeded")
	}
	checkEmpty(t, s)
}

func testApplyInvalid(t *testing.T, s bot.Store) {
	bad := map[string]bot.Change{
		"thread id 0":   {Threads: []bot.Thread{newThread(0)}},
		"action id 0":   {Enqueue: []bot.Action{newAction(0)}},
		"incident id 0": {Incidents: []bot.Incident{newIncident(0, true)}},
		"empty key":     {Threads: []bot.Thread{{ID: 2, Keys: []string{"slack/C1/2", ""}}}},
	}
	for name, c := range bad {
		if err := s.Apply(t.Context(), full(1), c); err == nil {
			t.Errorf("Apply with %s succeeded", name)
		}
		checkEmpty(t, s)
	}
	apply(t, s, full(1))
	equal(t, "after a valid Apply", ids([]bot.Thread{mustThread(t, s, 1)}), []uint64{1})
}

func testApplyInOrder(t *testing.T, s bot.Store) {
	first := dueThread(1, at(time.Minute))
	first.Owner = "alice"
	second := dueThread(1, at(5*time.Minute))
	second.Owner, second.Keys = "bob", append(second.Keys, "slack/C1/second")
	apply(t, s, bot.Change{Threads: []bot.Thread{first}}, bot.Change{Threads: []bot.Thread{second}})
	equal(t, "thread", mustThread(t, s, 1), second)
	equal(t, "due", dueIDs(t, s, at(2*time.Minute), 10), []uint64{})
	equal(t, "due later", dueIDs(t, s, at(time.Hour), 10), []uint64{1})
	equal(t, "alice", ownerIDs(t, s, "alice"), []uint64{})
	equal(t, "bob", ownerIDs(t, s, "bob"), []uint64{1})
	if id := mustByKey(t, s, "slack/C1/second"); id != 1 {
		t.Errorf("key of the second write leads to %d", id)
	}
	if err := s.Apply(t.Context()); err != nil {
		t.Errorf("Apply of no change: %v", err)
	}
}

func testConcurrent(t *testing.T, s bot.Store) {
	const writers, perWriter = 4, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				id := uint64(w*perWriter + i + 1)
				th := ownedThread(id, "alice", bot.Waiting)
				th.Due = at(time.Duration(id) * time.Second)
				c := bot.Change{EventID: fmt.Sprintf("Ev%d", id), EventAt: t0, Threads: []bot.Thread{th}, Enqueue: []bot.Action{newAction(id)}}
				if err := s.Apply(t.Context(), c); err != nil {
					t.Errorf("Apply %d: %v", id, err)
				}
			}
		})
		wg.Go(func() {
			for range perWriter {
				ctx := t.Context()
				_, _ = s.Thread(ctx, 1)
				_, _ = s.Due(ctx, at(time.Hour), 10)
				_, _ = s.OpenByOwner(ctx, "alice")
				_, _ = s.CountOpenByOwner(ctx, "alice")
				_, _ = s.Outbox(ctx, 10)
				_, _ = s.Seen(ctx, "Ev1")
				_ = s.Threads(ctx, func(bot.Thread) bool { return true })
			}
		})
	}
	wg.Wait()
	const n = writers * perWriter
	if got := ownerIDs(t, s, "alice"); len(got) != n {
		t.Errorf("alice owns %d threads, want %d", len(got), n)
	}
	if got := dueIDs(t, s, at(time.Hour), 2*n); len(got) != n {
		t.Errorf("%d threads due, want %d", len(got), n)
	}
	if got := outboxIDs(t, s, 2*n); len(got) != n {
		t.Errorf("%d actions pending, want %d", len(got), n)
	}
	equal(t, "last ids", lastIDs(t, s), [3]uint64{n, n, 0})
}

func testClosed(t *testing.T, s bot.Store) {
	putThreads(t, s, newThread(1))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := s.Thread(t.Context(), 1); err == nil {
		t.Error("Thread after Close succeeded")
	}
	if err := s.Apply(t.Context(), bot.Change{Threads: []bot.Thread{newThread(2)}}); err == nil {
		t.Error("Apply after Close succeeded")
	}
}
