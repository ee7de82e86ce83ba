package storage

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/openear/openear/bot"
)

// SchemaVersion is the bucket layout this package reads and writes (see
// the package documentation). Open refuses a file with a newer one.
const SchemaVersion = 2

// Bucket names and the meta keys.
var (
	bucketMeta       = []byte("meta")
	bucketThreads    = []byte("threads")
	bucketKeys       = []byte("keys")
	bucketDue        = []byte("due")
	bucketOwners     = []byte("owners")
	bucketSeen       = []byte("seen")
	bucketSeenByTime = []byte("seen_by_time")
	bucketOutbox     = []byte("outbox")
	bucketCursors    = []byte("cursors")
	bucketIncidents  = []byte("incidents")
	bucketEntries    = []byte("entries")

	allBuckets = [][]byte{
		bucketMeta, bucketThreads, bucketKeys, bucketDue, bucketOwners,
		bucketSeen, bucketSeenByTime, bucketOutbox, bucketCursors, bucketIncidents,
		bucketEntries,
	}

	metaSchema       = []byte("schema")
	metaLastThread   = []byte("last_thread")
	metaLastAction   = []byte("last_action")
	metaLastIncident = []byte("last_incident")
)

// Options tune Open. The zero value means the defaults.
type Options struct {
	// Timeout is how long Open waits for the file lock held by another
	// openear; 0 means 1s. bbolt's own default waits forever.
	Timeout time.Duration
	// NoSync skips fsync on commit. For benchmarks and test setup only:
	// never in production, where a crash or power loss would lose
	// acknowledged events or corrupt the file.
	NoSync bool
}

// DB is the bbolt Store. It is safe for concurrent use.
type DB struct {
	bolt *bolt.DB
	path string
}

var (
	_ bot.Store     = (*DB)(nil)
	_ bot.OpenPager = (*DB)(nil)
)

// Open opens (creating if needed) the store file at path. When another
// process, or another DB in this process, holds the file, Open fails
// after opts.Timeout with an error wrapping bot.ErrLocked. A file written
// by a newer schema is refused.
func Open(path string, opts Options) (*DB, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = time.Second
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, NoSync: opts.NoSync})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w (is another openear running?)", path, bot.ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := b.Update(initSchema); err != nil {
		b.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &DB{bolt: b, path: path}, nil
}

// initSchema creates the buckets of a new file and checks the schema
// version of an existing one.
func initSchema(tx *bolt.Tx) error {
	if meta := tx.Bucket(bucketMeta); meta != nil {
		if v := id(meta.Get(metaSchema)); v > SchemaVersion {
			return fmt.Errorf("schema version %d is newer than this openear understands (%d): upgrade openear", v, SchemaVersion)
		}
	}
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return tx.Bucket(bucketMeta).Put(metaSchema, u64(SchemaVersion))
}

// Path returns the file the store was opened from.
func (db *DB) Path() string { return db.path }

// Close releases the file and its lock. Further calls fail.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close %s: %w", db.path, err)
	}
	return nil
}

// Check verifies the file's page structure (bbolt's tx.Check) and returns
// every problem found, joined; nil when the file is sound.
func (db *DB) Check() error {
	var errs []error
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("check %s: %w", db.path, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("check %s: %w", db.path, errors.Join(errs...))
	}
	return nil
}
