package storage_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
	"go.uber.org/goleak"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
	"github.com/openear/openear/storage/storetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func openTemp(t testing.TB) *storage.DB {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "openear.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) bot.Store {
		db := openTemp(t)
		t.Cleanup(func() {
			if err := db.Check(); err != nil && !errors.Is(err, berrors.ErrDatabaseNotOpen) {
				t.Errorf("Check: %v", err)
			}
		})
		return db
	})
}

func TestReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "openear.db")
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	th := bot.Thread{ID: 7, Platform: bot.Slack, Channel: "C1", Keys: []string{"slack/C1/1.2"},
		State: bot.Waiting, Owner: "alice", Created: t0, Due: t0.Add(time.Hour)}
	err = db.Apply(t.Context(), bot.Change{
		EventID: "Ev1", EventAt: t0, Threads: []bot.Thread{th},
		Enqueue:   []bot.Action{{ID: 3, Kind: bot.ActDM, To: "U1", Text: "hi", Created: t0}},
		Cursors:   []bot.Cursor{{Platform: bot.Slack, Channel: "C1", Last: "1.2"}},
		Incidents: []bot.Incident{{ID: 2, Open: true, Created: t0}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	ctx := t.Context()
	got, err := db.ThreadByKey(ctx, "slack/C1/1.2")
	if err != nil || got.ID != 7 || got.Owner != "alice" {
		t.Errorf("ThreadByKey after reopen = %+v, %v", got, err)
	}
	due, _ := db.Due(ctx, t0.Add(2*time.Hour), 10)
	n, _ := db.CountOpenByOwner(ctx, "alice")
	seen, _ := db.Seen(ctx, "Ev1")
	box, _ := db.Outbox(ctx, 10)
	cur, _ := db.Cursor(ctx, bot.Slack, "C1")
	in, _ := db.Incidents(ctx, true)
	lt, la, li, _ := db.LastIDs(ctx)
	if len(due) != 1 || n != 1 || !seen || len(box) != 1 || cur != "1.2" || len(in) != 1 || lt != 7 || la != 3 || li != 2 {
		t.Errorf("after reopen: due %d, open %d, seen %v, outbox %d, cursor %q, incidents %d, last ids %d/%d/%d",
			len(due), n, seen, len(box), cur, len(in), lt, la, li)
	}
	if err := db.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	db := openTemp(t)
	_, err := storage.Open(db.Path(), storage.Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, bot.ErrLocked) {
		t.Fatalf("second Open = %v, want an error wrapping bot.ErrLocked", err)
	}
	want := "open " + db.Path() + ": store is locked by another process (is another openear running?)"
	if err.Error() != want {
		t.Errorf("second Open error:\n got %q\nwant %q", err, want)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "openear.db")
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		return meta.Put([]byte("schema"), binary.BigEndian.AppendUint64(nil, storage.SchemaVersion+1))
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(path, storage.Options{})
	if err == nil {
		db.Close()
		t.Fatal("Open of a newer schema succeeded")
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("schema version %d is newer", storage.SchemaVersion+1)) {
		t.Errorf("Open error %q does not name the schema", err)
	}
}
