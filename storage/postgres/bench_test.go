package postgres_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage/postgres/pgtest"
)

// benchChange is one realistic event: a new thread with four keys (one
// of them the channel's, shared by all), a due time and an owner, a
// triage notice and the event id.
func benchChange(id uint64) bot.Change {
	root := fmt.Sprintf("1772442000.%06d", id)
	cust := fmt.Sprintf("U%07d", id)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	th := bot.Thread{
		ID: id, Platform: bot.Slack, Channel: "C0CUSTOMER1", Root: root, Customer: cust, CustName: "Kim",
		Keys: []string{bot.Key(bot.Slack, "C0CUSTOMER1", root), bot.CustomerKey(bot.Slack, "C0CUSTOMER1", cust),
			bot.OwnerOfKey(bot.Slack, cust), bot.ChannelKey(bot.Slack, "C0CUSTOMER1")},
		State: bot.Waiting, Tags: []bot.Tag{{Name: "billing", Score: 0.8, Reason: "keyword refund"}},
		Owner: "alice", Team: "support", Created: at, LastCust: at, MsgCount: 1,
		Messages: []bot.Message{{ID: root, User: cust, Text: strings.Repeat("refund please ", 20), At: at}},
		SLAKind:  "first_reply", SLA: time.Hour, WaitFrom: at, Deadline: at.Add(time.Hour), Due: at.Add(45 * time.Minute),
	}
	return bot.Change{EventID: "Ev" + root, EventAt: at, Threads: []bot.Thread{th},
		Enqueue: []bot.Action{{ID: id, Kind: bot.ActNotice, Purpose: bot.ForTriage, Platform: bot.Slack, Channel: "C0TRIAGE",
			Text: "thread", ThreadID: id, Notice: &bot.Notice{ThreadID: id, State: bot.Waiting}, Created: at}},
		Cursors: []bot.Cursor{{Platform: bot.Slack, Channel: "C0CUSTOMER1", Last: root}}}
}

// fenced is a store holding the lease, and its view that checks it: what
// a leader writes through.
func fenced(b *testing.B) bot.Store {
	s := pgtest.Open(b)
	l, _, err := s.Acquire(b.Context(), "bench", "", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return s.Fenced(l.Token)
}

// BenchmarkApplyBatch1000 commits 1,000 events per Apply (a group
// commit of the bot's writer), fenced, synchronous_commit on.
func BenchmarkApplyBatch1000(b *testing.B) {
	s := fenced(b)
	id := uint64(0)
	batch := make([]bot.Change, 1000)
	for b.Loop() {
		for i := range batch {
			id++
			batch[i] = benchChange(id)
		}
		if err := s.Apply(b.Context(), batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(id)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkApply1 commits one event per Apply: the latency floor of a
// commit (round trips and fsync).
func BenchmarkApply1(b *testing.B) {
	s := fenced(b)
	id := uint64(0)
	for b.Loop() {
		id++
		if err := s.Apply(b.Context(), benchChange(id)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDueScan reads the 1,000 earliest due threads of 20,000.
func BenchmarkDueScan(b *testing.B) {
	s := pgtest.Open(b)
	for start := uint64(1); start <= 20000; start += 1000 {
		var batch []bot.Change
		for id := start; id < start+1000; id++ {
			c := benchChange(id)
			c.Threads[0].Due = c.Threads[0].Due.Add(time.Duration(id) * time.Second)
			batch = append(batch, bot.Change{Threads: c.Threads})
		}
		if err := s.Apply(b.Context(), batch...); err != nil {
			b.Fatal(err)
		}
	}
	before := time.Date(2026, 3, 2, 9, 45, 0, 0, time.UTC).Add(1000 * time.Second)
	for b.Loop() {
		got, err := s.Due(b.Context(), before, 1000)
		if err != nil || len(got) != 1000 {
			b.Fatalf("Due: %d, %v", len(got), err)
		}
	}
}
