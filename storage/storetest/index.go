package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

func testDueOrder(t *testing.T, s bot.Store) {
	putThreads(t, s,
		dueThread(1, at(3*time.Minute)),
		dueThread(2, at(1*time.Minute)),
		dueThread(3, at(2*time.Minute)),
		dueThread(4, at(1*time.Minute)), // same due as 2: by id
		newThread(5),                    // not due
		dueThread(6, t0.Add(-24*time.Hour)),
	)
	equal(t, "due order", dueIDs(t, s, at(time.Hour), 10), []uint64{6, 2, 4, 3, 1})
	got, err := s.Due(t.Context(), at(time.Hour), 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("Due = %v, %v", got, err)
	}
	equal(t, "due thread", got[0], dueThread(6, t0.Add(-24*time.Hour)))
}

func testDueLimitAndBound(t *testing.T, s bot.Store) {
	for i := uint64(1); i <= 10; i++ {
		putThreads(t, s, dueThread(i, at(time.Duration(i)*time.Minute)))
	}
	equal(t, "limit 3", dueIDs(t, s, at(time.Hour), 3), []uint64{1, 2, 3})
	equal(t, "limit 0", dueIDs(t, s, at(time.Hour), 0), []uint64{})
	equal(t, "before = due of 4 (inclusive)", dueIDs(t, s, at(4*time.Minute), 10), []uint64{1, 2, 3, 4})
	equal(t, "before just under due of 4", dueIDs(t, s, at(4*time.Minute-time.Nanosecond), 10), []uint64{1, 2, 3})
	equal(t, "before everything", dueIDs(t, s, t0, 10), []uint64{})
}

func testDueMoves(t *testing.T, s bot.Store) {
	putThreads(t, s, dueThread(1, at(time.Minute)), dueThread(2, at(2*time.Minute)))
	putThreads(t, s, dueThread(1, at(3*time.Minute))) // snoozed
	equal(t, "after a move", dueIDs(t, s, at(time.Hour), 10), []uint64{2, 1})
	equal(t, "old due time is gone", dueIDs(t, s, at(time.Minute), 10), []uint64{})

	th := dueThread(2, at(2*time.Minute))
	th.State, th.Due = bot.Resolved, time.Time{}
	putThreads(t, s, th)
	equal(t, "after a clear", dueIDs(t, s, at(time.Hour), 10), []uint64{1})

	putThreads(t, s, dueThread(2, at(30*time.Second)))
	equal(t, "after due again", dueIDs(t, s, at(time.Hour), 10), []uint64{2, 1})
	putThreads(t, s, dueThread(2, at(30*time.Second))) // same due: one entry
	equal(t, "after a rewrite", dueIDs(t, s, at(time.Hour), 10), []uint64{2, 1})
}

func testDueFewOfMany(t *testing.T, s bot.Store) {
	var batch []bot.Thread
	for i := uint64(1); i <= 2000; i++ {
		th := newThread(i)
		switch {
		case i%500 == 0:
			th.Due = at(time.Duration(-i) * time.Second) // due, older for larger ids
		case i%7 == 0:
			th.Due = at(24 * time.Hour) // due later
		}
		batch = append(batch, th)
	}
	putThreads(t, s, batch...)
	equal(t, "due now", dueIDs(t, s, t0, 100), []uint64{2000, 1500, 1000, 500})
}

// testDueMany reads a thousand due threads at once (a tick's batch):
// every one whole, in due order.
func testDueMany(t *testing.T, s bot.Store) {
	var batch []bot.Thread
	var want []uint64
	for i := uint64(1); i <= 1000; i++ {
		// Due times run against the ids: order must come from the index.
		batch = append(batch, dueThread(i, at(time.Duration(1000-i)*time.Second)))
		want = append(want, 1001-i)
	}
	putThreads(t, s, batch...)
	got, err := s.Due(t.Context(), at(time.Hour), 1000)
	if err != nil {
		t.Fatalf("Due: %v", err)
	}
	equal(t, "due order", ids(got), want)
	for _, th := range got {
		if want := dueThread(th.ID, at(time.Duration(1000-th.ID)*time.Second)); !reflect.DeepEqual(th, want) {
			t.Fatalf("thread %d read back as\n%+v\nwant\n%+v", th.ID, th, want)
		}
	}
}

func testOpenByOwner(t *testing.T, s bot.Store) {
	putThreads(t, s,
		ownedThread(3, "alice", bot.Waiting),
		ownedThread(1, "alice", bot.Answered),
		ownedThread(2, "bob", bot.Waiting),
		ownedThread(4, "alice", bot.Resolved),
		ownedThread(5, "", bot.Waiting),
	)
	equal(t, "alice", ownerIDs(t, s, "alice"), []uint64{1, 3})
	equal(t, "bob", ownerIDs(t, s, "bob"), []uint64{2})
	equal(t, "nobody", ownerIDs(t, s, ""), []uint64{})
	equal(t, "unknown", ownerIDs(t, s, "carol"), []uint64{})

	putThreads(t, s, ownedThread(1, "alice", bot.Resolved)) // resolve removes
	equal(t, "alice after resolve", ownerIDs(t, s, "alice"), []uint64{3})
	putThreads(t, s, ownedThread(4, "alice", bot.Waiting)) // reopen adds
	equal(t, "alice after reopen", ownerIDs(t, s, "alice"), []uint64{3, 4})
	putThreads(t, s, ownedThread(3, "bob", bot.Waiting)) // reassign moves
	equal(t, "alice after reassign", ownerIDs(t, s, "alice"), []uint64{4})
	equal(t, "bob after reassign", ownerIDs(t, s, "bob"), []uint64{2, 3})
	putThreads(t, s, ownedThread(3, "bob", bot.Answered)) // still open
	equal(t, "bob after answer", ownerIDs(t, s, "bob"), []uint64{2, 3})
	putThreads(t, s, ownedThread(2, "", bot.Waiting)) // unassigned
	equal(t, "bob after unassign", ownerIDs(t, s, "bob"), []uint64{3})

	got, err := s.OpenByOwner(t.Context(), "alice")
	if err != nil || len(got) != 1 {
		t.Fatalf("OpenByOwner = %v, %v", got, err)
	}
	equal(t, "owned thread", got[0], ownedThread(4, "alice", bot.Waiting))
}

func testOwnerNamePrefix(t *testing.T, s bot.Store) {
	putThreads(t, s,
		ownedThread(1, "al", bot.Waiting),
		ownedThread(2, "alice", bot.Waiting),
		ownedThread(3, "al\x00ice", bot.Waiting), // a name continuing after a 0 byte
		ownedThread(4, "김민지", bot.Waiting),
	)
	equal(t, "al", ownerIDs(t, s, "al"), []uint64{1})
	equal(t, "alice", ownerIDs(t, s, "alice"), []uint64{2})
	equal(t, "a", ownerIDs(t, s, "a"), []uint64{})
	equal(t, "김민지", ownerIDs(t, s, "김민지"), []uint64{4})
}

func testOpenByOwnerPage(t *testing.T, s bot.Store) {
	p, ok := s.(bot.OpenPager)
	if !ok {
		t.Skip("the store is not a bot.OpenPager")
	}
	var batch []bot.Thread
	for i := uint64(1); i <= 60; i++ {
		st := bot.Waiting
		switch {
		case i%5 == 0:
			st = bot.Resolved // not open: neither listed nor counted
		case i%3 == 0:
			st = bot.Answered
		}
		owner := "alice"
		if i%4 == 0 {
			owner = "bob"
		}
		batch = append(batch, ownedThread(i, owner, st))
	}
	putThreads(t, s, batch...)
	all, err := s.OpenByOwner(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{-1, 0, 1, 2, 20, len(all) - 1, len(all), len(all) + 5} {
		page, total, err := p.OpenByOwnerPage(t.Context(), "alice", limit)
		if err != nil {
			t.Fatalf("OpenByOwnerPage(alice, %d): %v", limit, err)
		}
		equal(t, fmt.Sprintf("total at limit %d", limit), total, len(all))
		want := all[:min(max(limit, 0), len(all))]
		equal(t, fmt.Sprintf("page at limit %d", limit), ids(page), ids(want))
		for i := range page {
			equal(t, fmt.Sprintf("thread %d", page[i].ID), page[i], want[i])
		}
	}
	page, total, err := p.OpenByOwnerPage(t.Context(), "", 10)
	if err != nil || len(page) != 0 || total != 0 {
		t.Errorf("OpenByOwnerPage of nobody = %v, %d, %v", ids(page), total, err)
	}
}
