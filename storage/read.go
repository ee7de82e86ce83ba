package storage

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/openear/openear/bot"
)

// view runs fn in a read transaction after checking ctx.
func (db *DB) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.View(fn)
}

// Seen reports whether an event id was recorded and not yet pruned.
func (db *DB) Seen(ctx context.Context, eventID string) (bool, error) {
	var seen bool
	err := db.view(ctx, func(tx *bolt.Tx) error {
		seen = eventID != "" && tx.Bucket(bucketSeen).Get([]byte(eventID)) != nil
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("seen %q: %w", eventID, err)
	}
	return seen, nil
}

// Thread returns a thread by id, or an error wrapping bot.ErrNotFound.
func (db *DB) Thread(ctx context.Context, tid uint64) (bot.Thread, error) {
	var t bot.Thread
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		t, err = getThread(tx, tid)
		return err
	})
	return t, err
}

// getThread reads and decodes one thread.
func getThread(tx *bolt.Tx, tid uint64) (bot.Thread, error) {
	v, err := threadValue(tx.Bucket(bucketThreads), tid)
	if err != nil {
		return bot.Thread{}, err
	}
	t, err := decodeThread(v)
	if err != nil {
		return bot.Thread{}, fmt.Errorf("decode thread %d: %w", tid, err)
	}
	return t, nil
}

// threadValue is the stored (encoded) value of a thread, valid inside its
// transaction.
func threadValue(threads *bolt.Bucket, tid uint64) ([]byte, error) {
	v := threads.Get(u64(tid))
	if v == nil {
		return nil, notFound{what: "thread", id: tid}
	}
	return v, nil
}

// notFound wraps bot.ErrNotFound for one thread id or key. The bot looks
// up keys that do not exist for every new conversation: this error costs
// no formatting until someone reads its text.
type notFound struct {
	what, key string
	id        uint64
}

func (e notFound) Error() string {
	if e.what == "key" {
		return fmt.Sprintf("%s %q: %v", e.what, e.key, bot.ErrNotFound)
	}
	return fmt.Sprintf("%s %d: %v", e.what, e.id, bot.ErrNotFound)
}

func (e notFound) Unwrap() error { return bot.ErrNotFound }

// ThreadByKey returns the thread that added key last.
func (db *DB) ThreadByKey(ctx context.Context, key string) (bot.Thread, error) {
	var t bot.Thread
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		v := tx.Bucket(bucketKeys).Get([]byte(key))
		if v == nil || key == "" {
			return notFound{what: "key", key: key}
		}
		t, err = getThread(tx, id(v))
		return err
	})
	return t, err
}

// Due returns up to limit threads whose Due is set and not after before,
// earliest first (ties by id). It reads only the due index entries it
// returns.
func (db *DB) Due(ctx context.Context, before time.Time, limit int) ([]bot.Thread, error) {
	var out []bot.Thread
	end := nanos(before)
	err := db.view(ctx, func(tx *bolt.Tx) error {
		threads := tx.Bucket(bucketThreads)
		var ids []uint64
		var vals [][]byte
		c := tx.Bucket(bucketDue).Cursor()
		for k, _ := c.First(); k != nil && len(ids) < limit; k, _ = c.Next() {
			if len(k) != 16 || id(k[:8]) > end {
				break
			}
			tid := id(k[8:])
			v, err := threadValue(threads, tid)
			if err != nil {
				return err
			}
			ids, vals = append(ids, tid), append(vals, v)
		}
		var err error
		out, err = decodeThreads(ids, vals)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("due: %w", err)
	}
	return out, nil
}

// decodeThreads decodes stored threads (vals[i] is thread ids[i]); many
// of them on every core. The values must stay valid until it returns:
// call it inside their transaction.
func decodeThreads(ids []uint64, vals [][]byte) ([]bot.Thread, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	out := make([]bot.Thread, len(vals))
	errs := make([]error, len(vals))
	decode := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i], errs[i] = decodeThread(vals[i])
		}
	}
	// Decoding a thread takes microseconds: a goroutine per core pays
	// off from a few hundred threads on.
	workers := min(runtime.GOMAXPROCS(0), len(vals)/parallelDecodeMin)
	if workers <= 1 {
		decode(0, len(vals))
	} else {
		var wg sync.WaitGroup
		per := (len(vals) + workers - 1) / workers
		for lo := 0; lo < len(vals); lo += per {
			wg.Go(func() { decode(lo, min(lo+per, len(vals))) })
		}
		wg.Wait()
	}
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("decode thread %d: %w", ids[i], err)
		}
	}
	return out, nil
}

// parallelDecodeMin is how many threads each extra decoding goroutine
// must have to be worth starting.
const parallelDecodeMin = 128

// ownerIDs calls fn with the id of each open thread of owner, in id order.
func ownerIDs(tx *bolt.Tx, owner string, fn func(uint64) error) error {
	if owner == "" {
		return nil
	}
	prefix := ownerPrefix(owner)
	c := tx.Bucket(bucketOwners).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) != len(prefix)+8 {
			continue // another owner whose name continues after a 0 byte
		}
		if err := fn(id(k[len(prefix):])); err != nil {
			return err
		}
	}
	return nil
}

// OpenByOwner returns the open threads of owner in id (creation) order.
func (db *DB) OpenByOwner(ctx context.Context, owner string) ([]bot.Thread, error) {
	var out []bot.Thread
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return ownerIDs(tx, owner, func(tid uint64) error {
			t, err := getThread(tx, tid)
			out = append(out, t)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("open threads of %q: %w", owner, err)
	}
	return out, nil
}

// OpenByOwnerPage returns the first limit open threads of owner in id
// order and how many it has in all. It decodes only the threads it
// returns; the count comes from the owners index.
func (db *DB) OpenByOwnerPage(ctx context.Context, owner string, limit int) ([]bot.Thread, int, error) {
	var out []bot.Thread
	n := 0
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return ownerIDs(tx, owner, func(tid uint64) error {
			n++
			if len(out) >= limit {
				return nil
			}
			t, err := getThread(tx, tid)
			out = append(out, t)
			return err
		})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("open threads of %q: %w", owner, err)
	}
	return out, n, nil
}

// CountOpenByOwner counts the open threads of owner from the index alone.
func (db *DB) CountOpenByOwner(ctx context.Context, owner string) (int, error) {
	n := 0
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return ownerIDs(tx, owner, func(uint64) error { n++; return nil })
	})
	if err != nil {
		return 0, fmt.Errorf("count open threads of %q: %w", owner, err)
	}
	return n, nil
}

// threadBatch is how many threads Threads reads per read transaction.
const threadBatch = 256

// Threads calls fn for every thread in id order until fn returns false.
// It reads threadBatch threads per short read transaction and calls fn
// outside any transaction, so a slow export never holds one open (and fn
// may in fact call the store). A thread written during the iteration may
// or may not be seen.
func (db *DB) Threads(ctx context.Context, fn func(bot.Thread) bool) error {
	next := uint64(0)
	for {
		batch, more, err := db.readThreads(ctx, next)
		if err != nil {
			return fmt.Errorf("threads from %d: %w", next, err)
		}
		for _, t := range batch {
			if !fn(t) {
				return nil
			}
			next = t.ID + 1
		}
		if !more {
			return nil
		}
	}
}

// readThreads reads up to threadBatch threads from id from; more tells
// whether threads remain after them.
func (db *DB) readThreads(ctx context.Context, from uint64) (batch []bot.Thread, more bool, err error) {
	err = db.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketThreads).Cursor()
		k, v := c.Seek(u64(from))
		for ; k != nil && len(batch) < threadBatch; k, v = c.Next() {
			t, err := decodeThread(v)
			if err != nil {
				return fmt.Errorf("decode thread %d: %w", id(k), err)
			}
			batch = append(batch, t)
		}
		more = k != nil
		return nil
	})
	return batch, more, err
}

// Outbox returns up to limit pending actions in id order.
func (db *DB) Outbox(ctx context.Context, limit int) ([]bot.Action, error) {
	var out []bot.Action
	err := db.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.First(); k != nil && len(out) < limit; k, v = c.Next() {
			a, err := decodeAction(v)
			if err != nil {
				return fmt.Errorf("decode action %d: %w", id(k), err)
			}
			out = append(out, a)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return out, nil
}

// Cursor returns the newest message id seen in a channel, or "" (and no
// error) when none was recorded.
func (db *DB) Cursor(ctx context.Context, platform, channel string) (string, error) {
	var last string
	err := db.view(ctx, func(tx *bolt.Tx) error {
		last = string(tx.Bucket(bucketCursors).Get(cursorKey(platform, channel)))
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("cursor %s/%s: %w", platform, channel, err)
	}
	return last, nil
}

// LastIDs returns the largest thread, action and incident ids ever written.
func (db *DB) LastIDs(ctx context.Context) (thread, action, incident uint64, err error) {
	err = db.view(ctx, func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		thread = id(meta.Get(metaLastThread))
		action = id(meta.Get(metaLastAction))
		incident = id(meta.Get(metaLastIncident))
		return nil
	})
	if err != nil {
		return 0, 0, 0, fmt.Errorf("last ids: %w", err)
	}
	return thread, action, incident, nil
}

// Incident returns an incident by id, or an error wrapping bot.ErrNotFound.
func (db *DB) Incident(ctx context.Context, iid uint64) (bot.Incident, error) {
	var in bot.Incident
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		v := tx.Bucket(bucketIncidents).Get(u64(iid))
		if v == nil {
			return fmt.Errorf("incident %d: %w", iid, bot.ErrNotFound)
		}
		if in, err = decodeIncident(v); err != nil {
			return fmt.Errorf("decode incident %d: %w", iid, err)
		}
		return nil
	})
	return in, err
}

// Incidents lists incidents in id order: only the open ones when open is
// true, all of them when it is false.
func (db *DB) Incidents(ctx context.Context, open bool) ([]bot.Incident, error) {
	var out []bot.Incident
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketIncidents).ForEach(func(k, v []byte) error {
			in, err := decodeIncident(v)
			if err != nil {
				return fmt.Errorf("decode incident %d: %w", id(k), err)
			}
			if in.Open || !open {
				out = append(out, in)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	return out, nil
}

// Entry returns the value of an entry, or an error wrapping
// bot.ErrNotFound.
func (db *DB) Entry(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := db.view(ctx, func(tx *bolt.Tx) error {
		if got := tx.Bucket(bucketEntries).Get([]byte(key)); got != nil {
			v = bytes.Clone(got)
			return nil
		}
		return notFound{what: "entry", key: key}
	})
	return v, err
}

// Entries calls fn for each entry whose key starts with prefix, in key
// order, until fn returns false. It reads entryBatch entries per
// transaction and calls fn outside any transaction.
func (db *DB) Entries(ctx context.Context, prefix string, fn func(key string, value []byte) bool) error {
	type kv struct {
		k string
		v []byte
	}
	from := []byte(prefix)
	for {
		var batch []kv
		err := db.view(ctx, func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketEntries).Cursor()
			for k, v := c.Seek(from); k != nil && bytes.HasPrefix(k, []byte(prefix)); k, v = c.Next() {
				if len(batch) == entryBatch {
					break
				}
				batch = append(batch, kv{string(k), bytes.Clone(v)})
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("entries %q: %w", prefix, err)
		}
		for _, e := range batch {
			if !fn(e.k, e.v) {
				return nil
			}
		}
		if len(batch) < entryBatch {
			return nil
		}
		// Resume just after the last key: the smallest key greater than it.
		from = append([]byte(batch[len(batch)-1].k), 0)
	}
}

// entryBatch is how many entries Entries reads per transaction.
const entryBatch = 1000
