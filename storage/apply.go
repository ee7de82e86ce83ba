package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/openear/openear/bot"
)

// Apply commits all the changes in one bbolt transaction (one fsync):
// all of them or none. Passing many changes to one Apply is a group
// commit, and the way to high durable throughput: a thousand changes in
// one Apply cost little more than one.
//
// Within the transaction, changes are applied in order, and within a
// change: the event id, threads, incidents, Enqueue, Requeue, Done,
// cursors, entries. A later change sees the earlier ones. For each thread the
// stored version is read and the indexes are moved from it to the new
// one. Requeue of an action no longer in the outbox and Done of an
// unknown id do nothing. A thread, action or incident with ID 0, an
// empty key, or an entry that bot.CheckEntry refuses fails the whole
// Apply.
func (db *DB) Apply(ctx context.Context, changes ...bot.Change) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if len(changes) == 0 {
		return nil
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		w := newWriter(tx)
		for i := range changes {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("apply: %w", err)
			}
			if err := w.change(&changes[i]); err != nil {
				return err
			}
		}
		return w.saveLastIDs()
	})
}

// writer applies changes inside one read-write transaction.
type writer struct {
	meta, threads, keys, due, owners     *bolt.Bucket
	seen, seenByTime, outbox, cursors    *bolt.Bucket
	incidents, entries                   *bolt.Bucket
	lastThread, lastAction, lastIncident uint64
	keyScratch                           []string // reused by putThread
	arena                                []byte   // encoded values of this transaction
}

// arenaChunk is the size of the chunks encoded values are written into:
// bbolt keeps a value (not a copy) until the commit, so values are carved
// out of large chunks instead of allocated one by one.
const arenaChunk = 64 << 10

// encode appends one value with fn into the arena and returns it. A value
// that outgrows the chunk's free space gets its own allocation (append
// copies it away); the chunk's bytes are never written twice.
func (w *writer) encode(fn func(wbuf) wbuf) []byte {
	if cap(w.arena)-len(w.arena) < 2048 {
		w.arena = make([]byte, 0, arenaChunk)
	}
	free := w.arena[len(w.arena):]
	v := fn(wbuf(free[:0]))
	if len(v) > 0 && &v[:1][0] == &free[:1][0] {
		w.arena = w.arena[:len(w.arena)+len(v)]
	}
	return v[:len(v):len(v)]
}

// Fill factors of the buckets written mostly in key order: threads and
// outbox by increasing id, due and seen_by_time by time. bbolt's default
// (0.5) leaves such pages half empty. keys mixes ordered keys (message
// ids) with random ones (customers).
const (
	fillOrdered = 0.9
	fillKeys    = 0.7
)

func newWriter(tx *bolt.Tx) *writer {
	w := &writer{
		meta: tx.Bucket(bucketMeta), threads: tx.Bucket(bucketThreads),
		keys: tx.Bucket(bucketKeys), due: tx.Bucket(bucketDue),
		owners: tx.Bucket(bucketOwners), seen: tx.Bucket(bucketSeen),
		seenByTime: tx.Bucket(bucketSeenByTime), outbox: tx.Bucket(bucketOutbox),
		cursors: tx.Bucket(bucketCursors), incidents: tx.Bucket(bucketIncidents),
		entries: tx.Bucket(bucketEntries),
	}
	for _, b := range []*bolt.Bucket{w.threads, w.outbox, w.due, w.seenByTime} {
		b.FillPercent = fillOrdered
	}
	w.keys.FillPercent = fillKeys
	return w
}

func (w *writer) change(c *bot.Change) error {
	if c.EventID != "" {
		if err := w.putSeen(c); err != nil {
			return fmt.Errorf("put seen %q: %w", c.EventID, err)
		}
	}
	for i := range c.Threads {
		if err := w.putThread(&c.Threads[i]); err != nil {
			return fmt.Errorf("put thread %d: %w", c.Threads[i].ID, err)
		}
	}
	for i := range c.Incidents {
		if err := w.putIncident(&c.Incidents[i]); err != nil {
			return fmt.Errorf("put incident %d: %w", c.Incidents[i].ID, err)
		}
	}
	return w.outboxAndCursors(c)
}

func (w *writer) outboxAndCursors(c *bot.Change) error {
	for i := range c.Enqueue {
		if err := w.putAction(&c.Enqueue[i], false); err != nil {
			return fmt.Errorf("enqueue action %d: %w", c.Enqueue[i].ID, err)
		}
	}
	for i := range c.Requeue {
		if err := w.putAction(&c.Requeue[i], true); err != nil {
			return fmt.Errorf("requeue action %d: %w", c.Requeue[i].ID, err)
		}
	}
	for _, aid := range c.Done {
		if err := w.outbox.Delete(u64(aid)); err != nil {
			return fmt.Errorf("done action %d: %w", aid, err)
		}
	}
	for _, cur := range c.Cursors {
		if err := w.advanceCursor(cur); err != nil {
			return fmt.Errorf("put cursor %s/%s: %w", cur.Platform, cur.Channel, err)
		}
	}
	for _, e := range c.Entries {
		if err := w.putEntry(e); err != nil {
			return fmt.Errorf("put entry: %w", err)
		}
	}
	return nil
}

// putEntry writes or (nil Value) deletes one entry. The value is copied:
// bbolt keeps it until the commit, and it is the caller's.
func (w *writer) putEntry(e bot.Entry) error {
	if err := bot.CheckEntry(e); err != nil {
		return err
	}
	if e.Value == nil {
		return w.entries.Delete([]byte(e.Key))
	}
	return w.entries.Put([]byte(e.Key), bytes.Clone(e.Value))
}

var (
	errZeroID   = errors.New("id 0 is not valid")
	errEmptyKey = errors.New("empty key")
)

// putSeen records an event id at its time, replacing an earlier record.
func (w *writer) putSeen(c *bot.Change) error {
	ev := []byte(c.EventID)
	if old := w.seen.Get(ev); old != nil {
		if err := w.seenByTime.Delete(append(bytes.Clone(old), ev...)); err != nil {
			return err
		}
	}
	if err := w.seen.Put(ev, timeKey(c.EventAt, nil)); err != nil {
		return err
	}
	return w.seenByTime.Put(timeKey(c.EventAt, ev), nil)
}

// putThread writes t whole and moves its index entries from the stored
// version to t. Only the index fields of the stored version are read.
func (w *writer) putThread(t *bot.Thread) error {
	if t.ID == 0 {
		return errZeroID
	}
	key := u64(t.ID)
	var old storedIndex
	if v := w.threads.Get(key); v != nil {
		var err error
		if old, err = readStoredIndex(v, t.ID, w.keyScratch[:0]); err != nil {
			return fmt.Errorf("decode stored: %w", err)
		}
		w.keyScratch = old.keys[:0]
	}
	if err := w.putKeys(t, old.keys); err != nil {
		return err
	}
	if err := moveIndex(w.due, old.due, dueKey(t)); err != nil {
		return fmt.Errorf("due index: %w", err)
	}
	if err := moveIndex(w.owners, old.owner, ownerKey(t)); err != nil {
		return fmt.Errorf("owner index: %w", err)
	}
	v := w.encode(func(b wbuf) wbuf { return appendThread(b, t) })
	w.lastThread = max(w.lastThread, t.ID)
	return w.threads.Put(key, v)
}

// putKeys points the keys that t has and the stored version (had) had
// not at t. Keys are never deleted: a key leads to the thread that added
// it last. A thread has few keys (bot bounds them), so a scan beats a map.
func (w *writer) putKeys(t *bot.Thread, had []string) error {
	for _, k := range t.Keys {
		if k == "" {
			return errEmptyKey
		}
		if slices.Contains(had, k) {
			continue
		}
		if err := w.keys.Put([]byte(k), u64(t.ID)); err != nil {
			return fmt.Errorf("key %q: %w", k, err)
		}
	}
	return nil
}

// moveIndex replaces the index entry from with to; either may be nil.
func moveIndex(b *bolt.Bucket, from, to []byte) error {
	if bytes.Equal(from, to) {
		return nil
	}
	if from != nil {
		if err := b.Delete(from); err != nil {
			return err
		}
	}
	if to != nil {
		return b.Put(to, nil)
	}
	return nil
}

func (w *writer) putIncident(in *bot.Incident) error {
	if in.ID == 0 {
		return errZeroID
	}
	v, err := encodeIncident(in)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	w.lastIncident = max(w.lastIncident, in.ID)
	return w.incidents.Put(u64(in.ID), v)
}

// putAction writes a to the outbox; a requeue of an action that is no
// longer pending does nothing, so it never resurrects a delivered one.
func (w *writer) putAction(a *bot.Action, requeue bool) error {
	if a.ID == 0 {
		return errZeroID
	}
	key := u64(a.ID)
	if requeue && w.outbox.Get(key) == nil {
		return nil
	}
	v := w.encode(func(b wbuf) wbuf { return appendAction(b, a) })
	w.lastAction = max(w.lastAction, a.ID)
	return w.outbox.Put(key, v)
}

// advanceCursor moves a channel cursor forward, never back.
func (w *writer) advanceCursor(c bot.Cursor) error {
	if c.Last == "" {
		return nil
	}
	key := cursorKey(c.Platform, c.Channel)
	if cur := w.cursors.Get(key); cur != nil && !bot.LaterID(c.Last, string(cur)) {
		return nil
	}
	return w.cursors.Put(key, []byte(c.Last))
}

// saveLastIDs raises the last ids in meta to the largest ids written.
func (w *writer) saveLastIDs() error {
	for _, m := range []struct {
		key []byte
		id  uint64
	}{
		{metaLastThread, w.lastThread},
		{metaLastAction, w.lastAction},
		{metaLastIncident, w.lastIncident},
	} {
		if m.id <= id(w.meta.Get(m.key)) {
			continue
		}
		if err := w.meta.Put(m.key, u64(m.id)); err != nil {
			return fmt.Errorf("put meta %s: %w", m.key, err)
		}
	}
	return nil
}
