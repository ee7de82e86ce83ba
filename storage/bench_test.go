package storage_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
)

// BenchmarkRawPuts is the floor the store is measured against: 1,000 puts
// of a 600-byte record per bbolt Update, fsync on.
func BenchmarkRawPuts(b *testing.B) {
	raw, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	value := bytes.Repeat([]byte("r"), 600)
	n := uint64(0)
	for b.Loop() {
		err := raw.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("raw"))
			if err != nil {
				return err
			}
			for range 1000 {
				n++
				if err := bk.Put(fmt.Appendf(nil, "%016x", n), value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "puts/s")
}

// benchChange is one realistic event: a new thread with three keys, a
// due time and an owner, a triage notice and the event id.
func benchChange(id uint64) bot.Change {
	root := fmt.Sprintf("1772442000.%06d", id)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	th := bot.Thread{
		ID: id, Platform: bot.Slack, Channel: "C0CUSTOMER1", Root: root, Customer: "U0KIM", CustName: "Kim",
		Keys: []string{bot.Key(bot.Slack, "C0CUSTOMER1", root), bot.CustomerKey(bot.Slack, "C0CUSTOMER1", "U0KIM"),
			bot.OwnerOfKey(bot.Slack, "U0KIM")},
		State: bot.Waiting, Tags: []bot.Tag{{Name: "billing", Score: 0.8, Reason: "keyword refund"}},
		Owner: "alice", Team: "support", Created: at, LastCust: at, MsgCount: 1,
		Messages: []bot.Message{{ID: root, User: "U0KIM", Text: strings.Repeat("refund please ", 20), At: at}},
		SLAKind:  "first_reply", SLA: time.Hour, WaitFrom: at, Deadline: at.Add(time.Hour), Due: at.Add(45 * time.Minute),
	}
	return bot.Change{
		EventID: fmt.Sprintf("Ev%d", id), EventAt: at, Threads: []bot.Thread{th},
		Enqueue: []bot.Action{{ID: id, Kind: bot.ActNotice, Purpose: bot.ForTriage, Platform: bot.Slack,
			Channel: "C0TRIAGE", Text: "new thread " + root, ThreadID: id, Created: at}},
		Cursors: []bot.Cursor{{Platform: bot.Slack, Channel: "C0CUSTOMER1", Last: root}},
	}
}

// benchApply applies b.N rounds of perApply changes, fsync on, and reports
// events/s.
func benchApply(b *testing.B, perApply int) {
	db := openTemp(b)
	id := uint64(0)
	changes := make([]bot.Change, perApply)
	for b.Loop() {
		for i := range changes {
			id++
			changes[i] = benchChange(id)
		}
		if err := db.Apply(b.Context(), changes...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(id)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkApply1 commits one change per Apply.
func BenchmarkApply1(b *testing.B) { benchApply(b, 1) }

// BenchmarkApplyBatch1000 commits 1,000 changes per Apply (a group commit).
func BenchmarkApplyBatch1000(b *testing.B) { benchApply(b, 1000) }

// BenchmarkDueScan asks for due threads among 100,000, of which none or
// 1,000 are due: the cost follows the due ones, not the total.
func BenchmarkDueScan(b *testing.B) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	for _, due := range []int{0, 1000} {
		b.Run(fmt.Sprintf("due=%d", due), func(b *testing.B) {
			db, err := storage.Open(filepath.Join(b.TempDir(), "openear.db"), storage.Options{NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			fillDue(b, db, 100_000, due, now)
			for b.Loop() {
				got, err := db.Due(b.Context(), now, 10_000)
				if err != nil || len(got) != due {
					b.Fatalf("Due = %d threads, %v; want %d", len(got), err, due)
				}
			}
			if fi, err := os.Stat(db.Path()); err == nil {
				b.ReportMetric(float64(fi.Size())/100_000, "file-B/thread")
			}
		})
	}
}

// fillDue writes n threads, the first due of them due before now and the
// others due an hour later.
func fillDue(b *testing.B, db *storage.DB, n, due int, now time.Time) {
	changes := make([]bot.Change, 0, 1000)
	for i := 1; i <= n; i++ {
		c := benchChange(uint64(i))
		c.Threads[0].Due = now.Add(time.Hour + time.Duration(i)*time.Millisecond)
		if i <= due {
			c.Threads[0].Due = now.Add(-time.Duration(i) * time.Second)
		}
		if changes = append(changes, c); len(changes) == cap(changes) || i == n {
			if err := db.Apply(b.Context(), changes...); err != nil {
				b.Fatal(err)
			}
			changes = changes[:0]
		}
	}
}
