package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/config"
	"github.com/openear/openear/internal/app"
	"github.com/openear/openear/storage"
	"github.com/openear/openear/storage/postgres"
)

// pgEngine measures PostgreSQL: a new schema in the database the URL
// names, dropped after the run. The bot writes through a view fenced with
// a lease token, as a leader's does.
type pgEngine struct {
	base, url, schema string
	lease             time.Duration
	token             uint64          // the lease the measured bot writes under
	store             *postgres.Store // the measured store, owner of the lease
}

func newPGEngine(ctx context.Context, o Options) (*pgEngine, error) {
	u, err := url.Parse(o.Store)
	if err != nil {
		return nil, postgres.ErrBadURL
	}
	suffix := make([]byte, 4)
	rand.Read(suffix)
	e := &pgEngine{base: o.Store, schema: "openear_bench_" + strconv.Itoa(os.Getpid()) + "_" + hex.EncodeToString(suffix), lease: o.Lease}
	if e.lease <= 0 {
		e.lease = config.MaxLease
	}
	if err := e.exec(ctx, `CREATE SCHEMA `+pgx.Identifier{e.schema}.Sanitize()); err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", e.schema)
	u.RawQuery = q.Encode()
	e.url = u.String()
	return e, nil
}

func (e *pgEngine) name() string { return "postgres" }

// exec runs one statement on a connection of its own to the base URL.
func (e *pgEngine) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, e.base)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

func (e *pgEngine) close() error {
	if e.store != nil {
		e.store.Close()
	}
	return e.exec(context.Background(), `DROP SCHEMA `+pgx.Identifier{e.schema}.Sanitize()+` CASCADE`)
}

// rawPuts: PostgreSQL alone, 1,000 rows of a thread-sized value per
// transaction (one INSERT of arrays), synchronous_commit on, for at
// least d.
func (e *pgEngine) rawPuts(ctx context.Context, d time.Duration) (float64, error) {
	conn, err := pgx.Connect(ctx, e.url)
	if err != nil {
		return 0, fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `CREATE TABLE bench_raw (k bigint PRIMARY KEY, v bytea NOT NULL)`); err != nil {
		return 0, err
	}
	size, err := storage.RecordSize(benchThread(1, time.Now()))
	if err != nil {
		return 0, err
	}
	value := make([]byte, size)
	keys, values := make([]int64, 1000), make([][]byte, 1000)
	for i := range values {
		values[i] = value
	}
	n := int64(0)
	start := time.Now()
	for rounds := 0; rounds < 3 || time.Since(start) < d; rounds++ {
		for i := range keys {
			n++
			keys[i] = n
		}
		if _, err := conn.Exec(ctx, `INSERT INTO bench_raw SELECT * FROM unnest($1::bigint[], $2::bytea[])`, keys, values); err != nil {
			return 0, err
		}
	}
	rate := float64(n) / time.Since(start).Seconds()
	_, err = conn.Exec(ctx, `DROP TABLE bench_raw`)
	return rate, err
}

// fill writes n threads through Apply with synchronous_commit off (setup),
// then vacuums and analyzes the tables, as autovacuum would have by the
// time a store has grown that large.
func (e *pgEngine) fill(ctx context.Context, n int, t0 time.Time) error {
	u, _ := url.Parse(e.url)
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	s, err := postgres.Open(ctx, u.String(), postgres.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := fillStore(ctx, s, n, t0); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, e.url)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return e.settle(ctx)
}

// settle vacuums the tables the throughput run grew (its 100,000 events
// trigger autovacuum of the outbox and the seen ids) and asks for a
// checkpoint (it leaves hundreds of megabytes of dirty pages and WAL):
// both would otherwise run during the latency run, and a steady 1,000
// events/s makes a small fraction of that work. Without the privilege
// for CHECKPOINT (pg_checkpoint or superuser) that part is skipped, and
// the latency run pays for it.
func (e *pgEngine) settle(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, e.url)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	_, err = conn.Exec(ctx, `VACUUM threads, keys, seen, outbox`)
	conn.Close(context.Background())
	if err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	err = e.exec(ctx, `CHECKPOINT`)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" { // insufficient_privilege
		return nil
	}
	return err
}

func (e *pgEngine) size(ctx context.Context) (int64, error) {
	conn, err := pgx.Connect(ctx, e.url)
	if err != nil {
		return 0, fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(context.Background())
	var n int64
	err = conn.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
		JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = $1 AND c.relkind = 'r'`, e.schema).Scan(&n)
	return n, err
}

// open opens the store, takes the lease for an hour and returns the view
// fenced with its token: every measured write checks it, as a leader's.
func (e *pgEngine) open(ctx context.Context) (bot.Store, error) {
	s, err := postgres.Open(ctx, e.url, postgres.Options{})
	if err != nil {
		return nil, err
	}
	l, ok, err := s.Acquire(ctx, "openear-bench", "", time.Hour)
	if err != nil || !ok {
		s.Close()
		return nil, fmt.Errorf("bench lease: %v (taken: %v)", err, !ok)
	}
	e.store, e.token = s, l.Token
	return s.Fenced(l.Token), nil
}

// takeover runs two replicas on the filled store as `openear run` does
// (no platforms), makes the leader die — its connections close and it
// renews its lease no more, as when the process is killed — and measures
// until the standby leads: the lease taken over when it expired, a bot
// made on the store, and a first clock tick done.
func (e *pgEngine) takeover(ctx context.Context, logf func(string, ...any)) (float64, error) {
	if err := e.store.Release(ctx, e.token); err != nil {
		return 0, err
	}
	cfg := config.Default()
	cfg.Storage.Lease = config.Duration(e.lease)
	type replica struct {
		store *postgres.Store
		app   *app.App
		stop  context.CancelFunc
		done  chan error
	}
	start := func() (*replica, error) {
		s, err := postgres.Open(ctx, e.url, postgres.Options{TxIdleTimeout: max(e.lease/2, time.Second)})
		if err != nil {
			return nil, err
		}
		a, err := app.New(ctx, cfg, s, bot.SystemClock{}, slog.New(slog.DiscardHandler), app.Wiring{})
		if err != nil {
			s.Close()
			return nil, err
		}
		rctx, cancel := context.WithCancel(ctx)
		r := &replica{store: s, app: a, stop: cancel, done: make(chan error, 1)}
		go func() { r.done <- a.Run(rctx, "") }()
		return r, nil
	}
	leads := func(r *replica, timeout time.Duration) (*bot.Bot, error) {
		for end := time.Now().Add(timeout); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
			if b, _, _ := r.app.Leader(); b != nil {
				return b, nil
			}
		}
		return nil, fmt.Errorf("no leader after %s", timeout)
	}
	a, err := start()
	if err != nil {
		return 0, err
	}
	if _, err := leads(a, 3*e.lease); err != nil {
		return 0, err
	}
	b, err := start()
	if err != nil {
		return 0, err
	}
	defer func() { b.stop(); <-b.done; b.store.Close() }()
	// The standby polls a tenth of a lease; give it time to be one.
	time.Sleep(e.lease / 5)
	died := time.Now()
	a.store.Close() // the leader's connections go, it renews no more
	a.stop()
	<-a.done
	bot, err := leads(b, 3*e.lease)
	if err != nil {
		return 0, err
	}
	if _, err := bot.Tick(ctx); err != nil {
		return 0, fmt.Errorf("the new leader's first tick: %w", err)
	}
	took := time.Since(died)
	logf("takeover with a %s lease: %s after the leader died", e.lease, took.Round(time.Millisecond))
	return ms(took), nil
}
