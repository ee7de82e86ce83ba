package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
)

// engine is the store a run measures: what differs between bbolt and
// PostgreSQL.
type engine interface {
	name() string
	// rawPuts is the reference: the engine alone writing thread-sized
	// records, 1,000 per durable transaction, for at least d.
	rawPuts(ctx context.Context, d time.Duration) (float64, error)
	// fill writes n threads (benchThread) without durability: setup.
	fill(ctx context.Context, n int, t0 time.Time) error
	// size is how many bytes the filled store takes.
	size(ctx context.Context) (int64, error)
	// open opens the filled store, durable, as openear runs it.
	open(ctx context.Context) (bot.Store, error)
	// settle writes out what the throughput run left to write (setup
	// before the latency run, which measures a steady load, not the
	// aftermath of the run before it).
	settle(ctx context.Context) error
	// close removes what the run made.
	close() error
}

// takeoverer is an engine with replicas: it measures a takeover.
type takeoverer interface {
	takeover(ctx context.Context, logf func(string, ...any)) (float64, error)
}

func newEngine(ctx context.Context, o Options) (engine, error) {
	if strings.HasPrefix(o.Store, "postgres://") || strings.HasPrefix(o.Store, "postgresql://") {
		return newPGEngine(ctx, o)
	}
	if o.Store != "" {
		return nil, fmt.Errorf("-store %q: want a postgres:// URL (or nothing for bbolt files in -dir)", o.Store)
	}
	return &boltEngine{dir: o.Dir}, nil
}

// boltEngine measures bbolt files in a directory.
type boltEngine struct{ dir string }

func (e *boltEngine) name() string { return "bbolt" }
func (e *boltEngine) path() string { return filepath.Join(e.dir, "openear.db") }
func (e *boltEngine) close() error { return nil }

// settle: every bbolt commit is written and fsynced when it returns.
func (e *boltEngine) settle(context.Context) error { return nil }

func (e *boltEngine) open(context.Context) (bot.Store, error) {
	return storage.Open(e.path(), storage.Options{})
}

func (e *boltEngine) size(context.Context) (int64, error) {
	fi, err := os.Stat(e.path())
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// rawPuts: bbolt alone, 1,000 puts of a thread-sized record per
// transaction, fsync on, for at least d.
func (e *boltEngine) rawPuts(_ context.Context, d time.Duration) (float64, error) {
	raw, err := bolt.Open(filepath.Join(e.dir, "raw.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return 0, err
	}
	defer raw.Close()
	size, err := storage.RecordSize(benchThread(1, time.Now()))
	if err != nil {
		return 0, err
	}
	value := make([]byte, size)
	n := uint64(0)
	start := time.Now()
	for rounds := 0; rounds < 3 || time.Since(start) < d; rounds++ {
		err := raw.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("raw"))
			if err != nil {
				return err
			}
			for range 1000 {
				n++
				if err := bk.Put(strconv.AppendUint(make([]byte, 0, 20), 1e18+n, 10), value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// fill writes n threads in batches of 1,000 with fsync off, then fsyncs
// the file once (setup, not measured): without that the first measured
// commit would write out whatever of the fill the kernel had not.
func (e *boltEngine) fill(ctx context.Context, n int, t0 time.Time) error {
	db, err := storage.Open(e.path(), storage.Options{NoSync: true})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := fillStore(ctx, db, n, t0); err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	return syncFile(e.path())
}

// fillStore applies n threads in batches of 1,000.
func fillStore(ctx context.Context, s bot.Store, n int, t0 time.Time) error {
	batch := make([]bot.Change, 0, 1000)
	for id := 1; id <= n; id++ {
		batch = append(batch, bot.Change{Threads: []bot.Thread{benchThread(uint64(id), t0)}})
		if len(batch) == cap(batch) || id == n {
			if err := s.Apply(ctx, batch...); err != nil {
				return fmt.Errorf("fill: %w", err)
			}
			batch = batch[:0]
		}
	}
	return nil
}

// syncFile flushes a file's pages to disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}
