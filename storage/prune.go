package storage

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// pruneBatch is how many seen ids PruneSeen removes per transaction.
const pruneBatch = 10_000

// PruneSeen forgets the event ids recorded before the given time and
// returns how many it removed. It walks seen_by_time from its start, so
// it costs what it removes. Large prunes commit in batches: a crash
// midway leaves the older part pruned, which is harmless.
func (db *DB) PruneSeen(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("prune seen: %w", err)
		}
		n := 0
		err := db.bolt.Update(func(tx *bolt.Tx) (err error) {
			n, err = pruneSeen(tx, nanos(before), pruneBatch)
			return err
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("prune seen: %w", err)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}

// pruneSeen removes up to max seen ids recorded before end (unix nanos).
// It collects the keys first: deleting while iterating can skip keys.
func pruneSeen(tx *bolt.Tx, end uint64, max int) (int, error) {
	byTime, seen := tx.Bucket(bucketSeenByTime), tx.Bucket(bucketSeen)
	var old [][]byte
	c := byTime.Cursor()
	for k, _ := c.First(); k != nil && len(old) < max; k, _ = c.Next() {
		if len(k) < 8 || id(k[:8]) >= end {
			break
		}
		old = append(old, bytes.Clone(k))
	}
	for _, k := range old {
		if err := byTime.Delete(k); err != nil {
			return 0, err
		}
		if err := seen.Delete(k[8:]); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}
