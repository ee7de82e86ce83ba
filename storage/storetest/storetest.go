// Package storetest is the conformance suite of bot.Store: every Store
// (the bbolt one, the in-memory one, later engines) runs it.
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) bot.Store { return open(t) })
//	}
//
// Besides the contract written in bot/store.go, the suite pins down what
// the contract leaves open, so that every engine behaves alike:
//
//   - Due and Outbox with limit <= 0 return nothing.
//   - Due includes a thread due exactly at before; ties go by id.
//   - OpenByOwner lists by thread id (ids grow with creation); an empty
//     owner owns nothing.
//   - A store that is a bot.OpenPager pages exactly what OpenByOwner
//     lists; limit <= 0 returns only the count (skipped on other stores).
//   - PruneSeen removes ids recorded strictly before its time; recording an
//     event id again moves it to the new time.
//   - Requeue of an action no longer pending and Done of an unknown id do
//     nothing; Enqueue of a pending id replaces it.
//   - Cursor of an unknown channel is "" and no error.
//   - Incidents(ctx, true) lists the open incidents, Incidents(ctx, false)
//     all of them, in id order.
//   - A thread, action or incident with ID 0, or an empty key, fails the
//     whole Apply.
//   - Apply with a cancelled context fails and writes nothing.
//   - An entry with an empty Value is stored (and found); only a nil Value
//     deletes. Entries with prefix "" lists every entry.
package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

// Run runs the suite as subtests. open must return a new, empty store for
// each subtest; Run closes it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) bot.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s bot.Store)
	}{
		{"ThreadPutGetReplace", testThreadPutGetReplace},
		{"NotFound", testNotFound},
		{"ThreadByKey", testThreadByKey},
		{"KeysMoveAndAreNeverLost", testKeysNeverLost},
		{"DueOrder", testDueOrder},
		{"DueLimitAndBound", testDueLimitAndBound},
		{"DueMovesAndClears", testDueMoves},
		{"DueFewOfMany", testDueFewOfMany},
		{"DueMany", testDueMany},
		{"OpenByOwner", testOpenByOwner},
		{"OwnerNamePrefix", testOwnerNamePrefix},
		{"OpenByOwnerPage", testOpenByOwnerPage},
		{"SeenAndPrune", testSeenAndPrune},
		{"Outbox", testOutbox},
		{"CursorsOnlyAdvance", testCursors},
		{"LastIDs", testLastIDs},
		{"Incidents", testIncidents},
		{"Entries", testEntries},
		{"EntriesInvalid", testEntriesInvalid},
		{"Threads", testThreads},
		{"ThreadsEarlyStop", testThreadsEarlyStop},
		{"ApplyCancelledWritesNothing", testApplyCancelled},
		{"ApplyInvalidWritesNothing", testApplyInvalid},
		{"ApplyChangesSeeEarlierOnes", testApplyInOrder},
		{"NotAliased", testNotAliased},
		{"Concurrent", testConcurrent},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
}

// t0 is the suite's "now". Times are UTC without a monotonic reading, so
// that stored and returned values compare equal with reflect.DeepEqual.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// newThread returns a waiting thread with one message and one key.
func newThread(id uint64) bot.Thread {
	root := fmt.Sprintf("1772442000.%06d", id)
	return bot.Thread{
		ID: id, Platform: bot.Slack, Channel: "C0CUSTOMER1", Root: root,
		Customer: "U0KIM", CustName: "Kim", CustCompany: "Acme", ChannelName: "acme-support", Lang: "ko",
		Keys:  []string{bot.Key(bot.Slack, "C0CUSTOMER1", root)},
		State: bot.Waiting,
		Tags:  []bot.Tag{{Name: "billing", Score: 0.8, Reason: "keyword 환불"}},
		Team:  "support", Created: t0, LastCust: t0,
		Messages: []bot.Message{{ID: root, User: "U0KIM", Text: "환불 언제 되나요?", At: t0}},
		MsgCount: 1, SLAKind: "first_reply", SLA: time.Hour, WaitFrom: t0,
		Deadline: at(time.Hour),
		Timeline: []bot.TimelineItem{{At: t0, What: bot.MarkCreated, By: "Kim", Via: bot.Slack},
			{At: t0, What: bot.MarkRouted, Detail: "team support"}},
		CSAT: bot.CSAT{Asked: at(2 * time.Hour), Score: 4, Comment: "빨라요", At: at(3 * time.Hour)},
	}
}

func dueThread(id uint64, due time.Time) bot.Thread {
	t := newThread(id)
	t.Due = due
	return t
}

func ownedThread(id uint64, owner string, st bot.State) bot.Thread {
	t := newThread(id)
	t.Owner, t.State = owner, st
	return t
}

func newAction(id uint64) bot.Action {
	return bot.Action{
		ID: id, Kind: bot.ActNotice, Purpose: bot.ForTriage, Platform: bot.Slack,
		Channel: "C0TRIAGE", Text: fmt.Sprintf("thread #%d", id), ThreadID: id,
		Notice: &bot.Notice{ThreadID: id, State: bot.Waiting, Customer: "Kim",
			Tags: []bot.Tag{{Name: "billing", Score: 0.8, Reason: "keyword"}}, Due: at(time.Hour), Buttons: true},
		Created: t0,
	}
}

func newIncident(id uint64, open bool) bot.Incident {
	return bot.Incident{
		ID: id, Open: open, Terms: []string{"login", "500"}, Threads: []uint64{1, 2},
		Customers: []string{"slack/U0KIM", "discord/42"}, Owner: "alice",
		Created: t0, Updated: at(time.Minute),
		NoticeRefs: map[string]string{bot.Slack: "C0TRIAGE/1772442000.000001"},
		Updates:    []string{"investigating"},
	}
}

// apply applies changes and fails the test on error.
func apply(t *testing.T, s bot.Store, changes ...bot.Change) {
	t.Helper()
	if err := s.Apply(t.Context(), changes...); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

func putThreads(t *testing.T, s bot.Store, threads ...bot.Thread) {
	t.Helper()
	apply(t, s, bot.Change{Threads: threads})
}

func mustThread(t *testing.T, s bot.Store, id uint64) bot.Thread {
	t.Helper()
	got, err := s.Thread(t.Context(), id)
	if err != nil {
		t.Fatalf("Thread(%d): %v", id, err)
	}
	return got
}

func mustByKey(t *testing.T, s bot.Store, key string) uint64 {
	t.Helper()
	got, err := s.ThreadByKey(t.Context(), key)
	if err != nil {
		t.Fatalf("ThreadByKey(%q): %v", key, err)
	}
	return got.ID
}

func ids(threads []bot.Thread) []uint64 {
	out := []uint64{}
	for _, t := range threads {
		out = append(out, t.ID)
	}
	return out
}

func dueIDs(t *testing.T, s bot.Store, before time.Time, limit int) []uint64 {
	t.Helper()
	got, err := s.Due(t.Context(), before, limit)
	if err != nil {
		t.Fatalf("Due: %v", err)
	}
	return ids(got)
}

func ownerIDs(t *testing.T, s bot.Store, owner string) []uint64 {
	t.Helper()
	got, err := s.OpenByOwner(t.Context(), owner)
	if err != nil {
		t.Fatalf("OpenByOwner(%q): %v", owner, err)
	}
	n, err := s.CountOpenByOwner(t.Context(), owner)
	if err != nil {
		t.Fatalf("CountOpenByOwner(%q): %v", owner, err)
	}
	if n != len(got) {
		t.Errorf("CountOpenByOwner(%q) = %d, OpenByOwner has %d", owner, n, len(got))
	}
	if p, ok := s.(bot.OpenPager); ok {
		page, total, err := p.OpenByOwnerPage(t.Context(), owner, len(got)+1)
		if err != nil {
			t.Fatalf("OpenByOwnerPage(%q): %v", owner, err)
		}
		if total != len(got) || !reflect.DeepEqual(ids(page), ids(got)) {
			t.Errorf("OpenByOwnerPage(%q) = %v, %d; OpenByOwner has %v", owner, ids(page), total, ids(got))
		}
	}
	return ids(got)
}

func outboxIDs(t *testing.T, s bot.Store, limit int) []uint64 {
	t.Helper()
	got, err := s.Outbox(t.Context(), limit)
	if err != nil {
		t.Fatalf("Outbox: %v", err)
	}
	out := []uint64{}
	for _, a := range got {
		out = append(out, a.ID)
	}
	return out
}

func seen(t *testing.T, s bot.Store, ev string) bool {
	t.Helper()
	ok, err := s.Seen(t.Context(), ev)
	if err != nil {
		t.Fatalf("Seen(%q): %v", ev, err)
	}
	return ok
}

func cursor(t *testing.T, s bot.Store, platform, channel string) string {
	t.Helper()
	got, err := s.Cursor(t.Context(), platform, channel)
	if err != nil {
		t.Fatalf("Cursor: %v", err)
	}
	return got
}

func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// ctxCancelled is a context that is already done.
func ctxCancelled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}
