package migrate_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/migrate"
	"github.com/openear/openear/storage"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func open(t *testing.T) *storage.DB {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "x.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func thread(id uint64, keys ...string) bot.Thread {
	return bot.Thread{ID: id, Platform: bot.Slack, Channel: "C1", Root: "1.0", Keys: keys, State: bot.Waiting,
		Created: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

// TestCopyKeepsEveryKey: the keys index is copied as it is, also where
// it differs from what the threads' Keys say: a key an older thread took
// back, a key no thread lists, a key a newer thread dropped.
func TestCopyKeepsEveryKey(t *testing.T) {
	ctx := context.Background()
	src, dst := open(t), open(t)
	apply := func(cs ...bot.Change) {
		t.Helper()
		if err := src.Apply(ctx, cs...); err != nil {
			t.Fatal(err)
		}
	}
	ch := func(th bot.Thread) bot.Change { return bot.Change{Threads: []bot.Thread{th}} }
	apply(ch(thread(1, "a", "b")), ch(thread(2, "b", "c", "gone")))
	apply(ch(thread(2, "b", "c")), ch(thread(1, "a")), ch(thread(1, "a", "b"))) // 1 takes b back; 2 drops gone
	apply(bot.Change{EventID: "Ev1", EventAt: time.Unix(1_700_000_000, 5).UTC(), Cursors: []bot.Cursor{{Platform: bot.Slack, Channel: "C1", Last: "9.9"}},
		Enqueue: []bot.Action{{ID: 7, Kind: bot.ActPost, Platform: bot.Slack, Channel: "C1", Text: "hi"}}},
		bot.Change{Enqueue: []bot.Action{{ID: 9, Kind: bot.ActPost, Text: "delivered"}}, Done: []uint64{9}})

	sum, err := migrate.Copy(ctx, src, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Keys != 4 || sum.Threads != 2 || sum.LastAction != 9 || sum.Outbox != 1 || sum.Seen != 1 || sum.Cursors != 1 {
		t.Errorf("summary %+v", sum)
	}
	for k, want := range map[string]uint64{"a": 1, "b": 1, "c": 2, "gone": 2} {
		got, err := dst.ThreadByKey(ctx, k)
		if err != nil || got.ID != want {
			t.Errorf("key %s leads to %d (%v), want %d", k, got.ID, err, want)
		}
	}
	if th, _ := dst.Thread(ctx, 2); len(th.Keys) != 2 {
		t.Errorf("thread 2 keys %v: the copy changed a thread", th.Keys)
	}
	if _, err := migrate.Copy(ctx, src, dst, nil); !errors.Is(err, migrate.ErrNotEmpty) {
		t.Errorf("a second copy into the same store: %v, want ErrNotEmpty", err)
	}
}
