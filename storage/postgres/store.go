package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openear/openear/bot"
)

// Options tune Open. The zero value means the defaults.
type Options struct {
	// MaxConns bounds the connection pool; 0 means 16.
	MaxConns int32
	// TxIdleTimeout is the server's idle_in_transaction_session_timeout
	// for this store's sessions: a session that stays inside a
	// transaction without a word for longer is ended by PostgreSQL and
	// its locks released. It frees the lease row from a leader that was
	// paused in the middle of a write, so that a standby can take over.
	// 0 means 10s.
	TxIdleTimeout time.Duration
}

// Store is the PostgreSQL Store. It is safe for concurrent use, also by
// several processes on one database: writes are serialized by an
// advisory lock, and a leader's writes are fenced (see Fence).
type Store struct {
	pool *pgxpool.Pool
	// lockKey is the advisory lock of this schema's writers.
	lockKey int64
	// fence is the leader's token that every write checks; 0: none.
	fence uint64
	// view: a Fenced view, which shares the pool of the Store it came
	// from and does not close it.
	view bool
}

var (
	_ bot.Store      = (*Store)(nil)
	_ bot.OpenPager  = (*Store)(nil)
	_ bot.Prefetcher = (*Store)(nil)
)

// ErrBadURL is returned by Open for a connection string it cannot parse.
// It never holds the string: the URL may hold a password.
var ErrBadURL = errors.New("not a valid PostgreSQL URL (want postgres://user:password@host:5432/database?sslmode=…)")

// Open connects to the database at url (a postgres:// URL or key=value
// connection string), applies the migrations it lacks and returns the
// Store. A database whose schema is newer than this openear knows is
// refused. Tables live in the first schema of the connection's
// search_path (a URL may set it: ?search_path=openear).
//
// Errors never contain url.
func Open(ctx context.Context, url string, o Options) (*Store, error) {
	cfg, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 16
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	idle := 10 * time.Second
	if o.TxIdleTimeout > 0 {
		idle = o.TxIdleTimeout
	}
	rp := cfg.ConnConfig.RuntimeParams
	rp["idle_in_transaction_session_timeout"] = strconv.FormatInt(idle.Milliseconds(), 10)
	if rp["application_name"] == "" {
		rp["application_name"] = "openear"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return s, nil
}

// ParseURL parses a connection string as Open does, with an error that
// never holds it. openear check uses it.
func ParseURL(url string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil || strings.TrimSpace(url) == "" {
		return nil, ErrBadURL
	}
	return cfg, nil
}

// Close closes the pool. Further calls fail. Close of a Fenced view does
// nothing: the Store it came from owns the pool.
func (s *Store) Close() error {
	if !s.view {
		s.pool.Close()
	}
	return nil
}

// Fenced returns a view of s, sharing its pool, whose every write checks
// in its own transaction that token is still the lease's token: once
// another replica took the lease over, each write fails with an error
// wrapping bot.ErrFenced and none of it is stored. A leader gives its bot
// the view of its term's token; a bot of an earlier term keeps the view of
// its own, so it can never write again, even in this process. Reads are
// s's. The Store that Open returns checks no token (a store no election
// governs: tests, openear migrate, a standby's dashboard).
func (s *Store) Fenced(token uint64) *Store {
	return &Store{pool: s.pool, lockKey: s.lockKey, fence: token, view: true}
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered step of the schema.
type migration struct {
	version int
	sql     string
}

// migrations are the embedded migrations in version order.
var migrations = mustMigrations()

// SchemaVersion is the newest schema version this package knows.
var SchemaVersion = migrations[len(migrations)-1].version

func mustMigrations() []migration {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	var out []migration
	for _, name := range names {
		num, _, _ := strings.Cut(path.Base(name), "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			panic("migration " + name + ": no version number")
		}
		sql, err := migrationFiles.ReadFile(name)
		if err != nil {
			panic(err)
		}
		out = append(out, migration{v, string(sql)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			panic(fmt.Sprintf("migration %d: versions must be 1, 2, 3 … without gaps", m.version))
		}
	}
	return out
}

// migrate brings the schema up to SchemaVersion in one transaction,
// under an advisory lock, so that replicas starting together migrate
// once. The versions applied are rows of schema_migrations.
func (s *Store) migrate(ctx context.Context) error {
	if err := s.pool.QueryRow(ctx, `SELECT hashtextextended('openear/' || current_schema(), 0)`).Scan(&s.lockKey); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.lockKey); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY,
			applied timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		var cur int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&cur); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if cur > SchemaVersion {
			return fmt.Errorf("database schema version %d is newer than this openear understands (%d): upgrade openear", cur, SchemaVersion)
		}
		for _, m := range migrations[cur:] {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %d: %w", m.version, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.version); err != nil {
				return fmt.Errorf("migration %d: %w", m.version, err)
			}
		}
		return nil
	})
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}
