package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/storage/postgres"
	"github.com/openear/openear/storage/postgres/pgtest"
)

func thread(id uint64) bot.Thread {
	return bot.Thread{ID: id, Platform: bot.Slack, Channel: "C1", Root: "1.0", Keys: []string{bot.Key(bot.Slack, "C1", "1.0")},
		State: bot.Waiting, Created: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

// openTwo opens two Stores on one schema, as two replicas do.
func openTwo(t *testing.T) (*postgres.Store, *postgres.Store) {
	t.Helper()
	url := pgtest.URL(t)
	var out [2]*postgres.Store
	for i := range out {
		s, err := postgres.Open(t.Context(), url, postgres.Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out[i] = s
	}
	return out[0], out[1]
}

func TestLeaseOneHolderAtATime(t *testing.T) {
	ctx := t.Context()
	a, b := openTwo(t)
	la, ok, err := a.Acquire(ctx, "a", "http://a:8080", time.Minute)
	if err != nil || !ok || la.Token != 1 || la.Holder != "a" || la.Addr != "http://a:8080" || !la.Live() {
		t.Fatalf("first Acquire = %+v, %v, %v", la, ok, err)
	}
	lb, ok, err := b.Acquire(ctx, "b", "", time.Minute)
	if err != nil || ok || lb.Holder != "a" || lb.Token != 1 {
		t.Fatalf("Acquire while held = %+v, %v, %v; want refused, holder a", lb, ok, err)
	}
	if _, err := a.Renew(ctx, la.Token, time.Minute); err != nil {
		t.Fatalf("Renew: %v", err)
	}
	if err := a.Release(ctx, la.Token); err != nil {
		t.Fatal(err)
	}
	lb, ok, err = b.Acquire(ctx, "b", "", time.Minute)
	if err != nil || !ok || lb.Token != 2 {
		t.Fatalf("Acquire after release = %+v, %v, %v; want token 2", lb, ok, err)
	}
	if _, err := a.Renew(ctx, la.Token, time.Minute); !errors.Is(err, bot.ErrFenced) {
		t.Errorf("Renew of a lease taken over: %v, want ErrFenced", err)
	}
	if err := a.Release(ctx, la.Token); err != nil {
		t.Errorf("Release of a lease taken over: %v", err)
	}
	if l, _ := b.Leader(ctx); l.Holder != "b" || !l.Live() {
		t.Errorf("the old leader's Release ended the new one's lease: %+v", l)
	}
}

func TestLeaseExpires(t *testing.T) {
	ctx := t.Context()
	a, b := openTwo(t)
	if _, ok, err := a.Acquire(ctx, "a", "", time.Millisecond); !ok || err != nil {
		t.Fatalf("Acquire: %v, %v", ok, err)
	}
	var lb postgres.Lease
	bottest.Poll(t, "b takes the expired lease", func() bool {
		l, ok, err := b.Acquire(ctx, "b", "", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		lb = l
		return ok
	})
	if lb.Token != 2 || lb.Holder != "b" {
		t.Errorf("lease after takeover: %+v", lb)
	}
}

// TestFencing: once another replica took the lease over, every write of
// the old leader's view fails and stores nothing; its reads still work.
func TestFencing(t *testing.T) {
	ctx := t.Context()
	a, b := openTwo(t)
	la, _, _ := a.Acquire(ctx, "a", "", time.Minute)
	fa := a.Fenced(la.Token)
	if err := fa.Apply(ctx, bot.Change{Threads: []bot.Thread{thread(1)}}); err != nil {
		t.Fatalf("the leader's write: %v", err)
	}
	if err := a.Release(ctx, la.Token); err != nil {
		t.Fatal(err)
	}
	lb, ok, err := b.Acquire(ctx, "b", "", time.Minute)
	if !ok || err != nil {
		t.Fatalf("takeover: %v %v", ok, err)
	}
	err = fa.Apply(ctx, bot.Change{EventID: "late", EventAt: time.Now(), Threads: []bot.Thread{thread(2)}})
	if !errors.Is(err, bot.ErrFenced) {
		t.Fatalf("the old leader's write after the takeover: %v, want ErrFenced", err)
	}
	if _, err := fa.PruneSeen(ctx, time.Now()); !errors.Is(err, bot.ErrFenced) {
		t.Errorf("the old leader's PruneSeen: %v, want ErrFenced", err)
	}
	if _, err := b.Thread(ctx, 2); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("a fenced write was stored: %v", err)
	}
	if seen, _ := b.Seen(ctx, "late"); seen {
		t.Error("the event of a fenced write was recorded")
	}
	if _, err := fa.Thread(ctx, 1); err != nil {
		t.Errorf("a fenced view cannot read: %v", err)
	}
	if err := b.Fenced(lb.Token).Apply(ctx, bot.Change{Threads: []bot.Thread{thread(2)}}); err != nil {
		t.Errorf("the new leader's write: %v", err)
	}
	if err := fa.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Thread(ctx, 2); err != nil {
		t.Errorf("closing a view closed the store: %v", err)
	}
}

// TestTakeoverWaitsForWritesInFlight: a takeover waits for the old
// leader's transaction that already checked its token, and no write of
// the old leader commits after it.
func TestTakeoverWaitsForWritesInFlight(t *testing.T) {
	ctx := t.Context()
	url := pgtest.URL(t)
	a, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	la, _, _ := a.Acquire(ctx, "a", "", time.Millisecond) // expires at once
	fa := a.Fenced(la.Token)

	// A write of a's in flight: its transaction holds the share lock of
	// the lease row until the test lets it go on.
	inTx, goOn := make(chan struct{}), make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(goOn) }) }
	defer release() // before the stores close, also when the test fails
	writeDone := make(chan error, 1)
	go func() {
		writeDone <- postgres.HoldWrite(ctx, fa, bot.Change{Threads: []bot.Thread{thread(7)}}, inTx, goOn)
	}()
	<-inTx
	took := make(chan postgres.Lease, 1)
	go func() {
		for {
			l, ok, err := b.Acquire(ctx, "b", "", time.Minute)
			if err != nil {
				t.Error(err)
				took <- postgres.Lease{}
				return
			}
			if ok {
				took <- l
				return
			}
		}
	}()
	// b waits for a's transaction (a lock wait), not the other way round.
	conn, err := pgx.Connect(ctx, pgtest.Base(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	bottest.Poll(t, "the takeover waits for a lock", func() bool {
		var n int
		conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM lease FOR UPDATE%'`).Scan(&n)
		return n > 0
	})
	select {
	case l := <-took:
		t.Fatalf("takeover %+v while the old leader's write was in flight", l)
	default:
	}
	release()
	if err := <-writeDone; err != nil {
		t.Fatalf("the write in flight: %v", err)
	}
	lb := <-took
	if lb.Token != la.Token+1 {
		t.Fatalf("takeover: %+v", lb)
	}
	if _, err := b.Thread(ctx, 7); err != nil {
		t.Errorf("the write that committed before the takeover is lost: %v", err)
	}
	if err := fa.Apply(ctx, bot.Change{Threads: []bot.Thread{thread(8)}}); !errors.Is(err, bot.ErrFenced) {
		t.Errorf("a write after the takeover: %v, want ErrFenced", err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := t.Context()
	url := pgtest.URL(t)
	s, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, postgres.SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	_, err = postgres.Open(ctx, url, postgres.Options{})
	if err == nil || !strings.Contains(err.Error(), "newer than this openear understands") || !strings.Contains(err.Error(), "upgrade openear") {
		t.Fatalf("Open of a newer schema: %v", err)
	}
}

// TestReplicasStartingTogetherMigrateOnce: several Opens on an empty
// schema at once all succeed; the schema is made once.
func TestReplicasStartingTogetherMigrateOnce(t *testing.T) {
	url := pgtest.URL(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := postgres.Open(t.Context(), url, postgres.Options{MaxConns: 2})
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("Open: %v", err)
		}
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	conn.QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != postgres.SchemaVersion {
		t.Errorf("%d migrations recorded, want %d", n, postgres.SchemaVersion)
	}
}

func TestErrorsNeverShowTheURL(t *testing.T) {
	for _, url := range []string{
		"postgres://openear:Sup3rSecretPw@127.0.0.1:1/openear?sslmode=disable&connect_timeout=2",
		"postgres://openear:Sup3rSecretPw@host:notaport/db",
		"postgres://openear:Sup3rSecretPw@host/db?sslmode=bogus",
		"",
	} {
		_, err := postgres.Open(t.Context(), url, postgres.Options{})
		if err == nil {
			t.Errorf("Open(%q) succeeded", url)
			continue
		}
		if strings.Contains(err.Error(), "Sup3rSecretPw") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

func TestInbox(t *testing.T) {
	ctx := t.Context()
	a, b := openTwo(t)
	for _, body := range []string{`{"n":1}`, `{"n":2}`} {
		if err := b.PutInbox(ctx, bot.Slack, []byte(body)); err != nil { // a standby
			t.Fatal(err)
		}
	}
	got, err := a.Inbox(ctx, 10)
	if err != nil || len(got) != 2 || string(got[0].Body) != `{"n":1}` || got[1].Platform != bot.Slack {
		t.Fatalf("Inbox = %+v, %v", got, err)
	}
	la, _, _ := a.Acquire(ctx, "a", "", time.Minute)
	if err := a.Fenced(la.Token).DeleteInbox(ctx, got[0].ID); err != nil {
		t.Fatal(err)
	}
	a.Release(ctx, la.Token)
	b.Acquire(ctx, "b", "", time.Minute)
	if err := a.Fenced(la.Token).DeleteInbox(ctx, got[1].ID); !errors.Is(err, bot.ErrFenced) {
		t.Errorf("DeleteInbox of an old leader: %v, want ErrFenced", err)
	}
	if left, _ := b.Inbox(ctx, 10); len(left) != 1 || left[0].ID != got[1].ID {
		t.Errorf("inbox after one delete: %+v", left)
	}
}
