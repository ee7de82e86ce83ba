package storage

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/openear/openear/bot"
)

// What no bot.Store method lists, for openear migrate: every key of the
// keys index, every seen event id and every cursor. Each reads dumpBatch
// records per read transaction and calls fn outside it, in key order.

// dumpBatch is how many records a listing reads per transaction.
const dumpBatch = 1000

// Keys calls fn for every key of the keys index and the thread it leads
// to, in byte order of the keys, until fn returns false.
func (db *DB) Keys(ctx context.Context, fn func(key string, thread uint64) bool) error {
	return db.dump(ctx, bucketKeys, func(k, v []byte) bool { return fn(string(k), id(v)) })
}

// SeenEvents calls fn for every recorded event id and the time it was
// recorded at, in byte order of the ids, until fn returns false.
func (db *DB) SeenEvents(ctx context.Context, fn func(id string, at time.Time) bool) error {
	return db.dump(ctx, bucketSeen, func(k, v []byte) bool { return fn(string(k), time.Unix(0, int64(id(v))).UTC()) })
}

// Cursors calls fn for every channel cursor, in byte order of
// platform/channel, until fn returns false.
func (db *DB) Cursors(ctx context.Context, fn func(bot.Cursor) bool) error {
	return db.dump(ctx, bucketCursors, func(k, v []byte) bool {
		platform, channel := splitCursorKey(string(k))
		return fn(bot.Cursor{Platform: platform, Channel: channel, Last: string(v)})
	})
}

// splitCursorKey undoes cursorKey: platforms hold no "/".
func splitCursorKey(k string) (platform, channel string) {
	for i := 0; i < len(k); i++ {
		if k[i] == '/' {
			return k[:i], k[i+1:]
		}
	}
	return k, ""
}

// dump walks a bucket in key order, dumpBatch records per transaction,
// calling fn with copies outside the transaction.
func (db *DB) dump(ctx context.Context, bucket []byte, fn func(k, v []byte) bool) error {
	var from []byte
	for {
		var ks, vs [][]byte
		err := db.view(ctx, func(tx *bolt.Tx) error {
			c := tx.Bucket(bucket).Cursor()
			k, v := c.First()
			if from != nil {
				k, v = c.Seek(from)
			}
			for ; k != nil && len(ks) < dumpBatch; k, v = c.Next() {
				ks, vs = append(ks, append([]byte(nil), k...)), append(vs, append([]byte(nil), v...))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("list %s: %w", bucket, err)
		}
		for i := range ks {
			if !fn(ks[i], vs[i]) {
				return nil
			}
		}
		if len(ks) < dumpBatch {
			return nil
		}
		from = append(ks[len(ks)-1], 0)
	}
}
