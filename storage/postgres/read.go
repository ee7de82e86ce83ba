package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
)

// notFound wraps bot.ErrNotFound for one thread id or key; it costs no
// formatting until someone reads its text (the bot looks up keys that do
// not exist for every new conversation).
type notFound struct {
	what, key string
	id        uint64
}

func (e notFound) Error() string {
	if e.key != "" || e.id == 0 {
		return fmt.Sprintf("%s %q: %v", e.what, e.key, bot.ErrNotFound)
	}
	return fmt.Sprintf("%s %d: %v", e.what, e.id, bot.ErrNotFound)
}

func (e notFound) Unwrap() error { return bot.ErrNotFound }

// threads runs a query whose first column is a thread's data and decodes
// every row, straight from the connection's buffer.
func (s *Store) threads(ctx context.Context, sql string, args ...any) ([]bot.Thread, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bot.Thread
	for rows.Next() {
		t, err := storage.DecodeThread(rows.RawValues()[0])
		if err != nil {
			return nil, fmt.Errorf("decode thread: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// one reads the single thread a query returns, or notFound.
func (s *Store) one(ctx context.Context, nf notFound, sql string, args ...any) (bot.Thread, error) {
	if err := ctx.Err(); err != nil {
		return bot.Thread{}, err
	}
	ts, err := s.threads(ctx, sql, args...)
	switch {
	case err != nil:
		return bot.Thread{}, err
	case len(ts) == 0:
		return bot.Thread{}, nf
	}
	return ts[0], nil
}

// Seen reports whether an event id was recorded and not yet pruned.
func (s *Store) Seen(ctx context.Context, eventID string) (bool, error) {
	if eventID == "" {
		return false, ctx.Err()
	}
	var one int
	err := s.pool.QueryRow(ctx, `SELECT 1 FROM seen WHERE event = $1`, []byte(eventID)).Scan(&one)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("seen %q: %w", eventID, err)
	}
	return true, nil
}

// Thread returns a thread by id, or an error wrapping bot.ErrNotFound.
func (s *Store) Thread(ctx context.Context, id uint64) (bot.Thread, error) {
	return s.one(ctx, notFound{what: "thread", id: id}, `SELECT data FROM threads WHERE id = $1`, int64(id))
}

// ThreadByKey returns the thread that added key last.
func (s *Store) ThreadByKey(ctx context.Context, key string) (bot.Thread, error) {
	if key == "" {
		return bot.Thread{}, notFound{what: "key", key: key}
	}
	return s.one(ctx, notFound{what: "key", key: key},
		`SELECT t.data FROM keys k JOIN threads t ON t.id = k.thread WHERE k.key = $1`, []byte(key))
}

// Due returns up to limit threads whose Due is set and not after before,
// earliest first (ties by id), from the partial index on (due, id).
func (s *Store) Due(ctx context.Context, before time.Time, limit int) ([]bot.Thread, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	out, err := s.threads(ctx, `SELECT data FROM threads WHERE due IS NOT NULL AND due <= $1 ORDER BY due, id LIMIT $2`,
		nanos(before), limit)
	if err != nil {
		return nil, fmt.Errorf("due: %w", err)
	}
	return out, nil
}

// OpenByOwner returns the open threads of owner in id order.
func (s *Store) OpenByOwner(ctx context.Context, owner string) ([]bot.Thread, error) {
	if owner == "" {
		return nil, ctx.Err()
	}
	out, err := s.threads(ctx, `SELECT data FROM threads WHERE open_owner = $1 ORDER BY id`, []byte(owner))
	if err != nil {
		return nil, fmt.Errorf("open threads of %q: %w", owner, err)
	}
	return out, nil
}

// OpenByOwnerPage returns the first limit open threads of owner in id
// order and how many it has in all, from one statement (one snapshot):
// the count reads the owner's index entries only.
func (s *Store) OpenByOwnerPage(ctx context.Context, owner string, limit int) ([]bot.Thread, int, error) {
	if owner == "" {
		return nil, 0, ctx.Err()
	}
	if limit <= 0 {
		n, err := s.CountOpenByOwner(ctx, owner)
		return nil, n, err
	}
	rows, err := s.pool.Query(ctx, `SELECT data, (SELECT count(*) FROM threads WHERE open_owner = $1)
		FROM threads WHERE open_owner = $1 ORDER BY id LIMIT $2`, []byte(owner), limit)
	if err != nil {
		return nil, 0, fmt.Errorf("open threads of %q: %w", owner, err)
	}
	defer rows.Close()
	var out []bot.Thread
	var n int64
	for rows.Next() {
		t, err := storage.DecodeThread(rows.RawValues()[0])
		if err != nil {
			return nil, 0, fmt.Errorf("open threads of %q: decode: %w", owner, err)
		}
		if err := rows.Scan(nil, &n); err != nil {
			return nil, 0, fmt.Errorf("open threads of %q: %w", owner, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("open threads of %q: %w", owner, err)
	}
	return out, int(n), nil
}

// CountOpenByOwner counts the open threads of owner from the index.
func (s *Store) CountOpenByOwner(ctx context.Context, owner string) (int, error) {
	if owner == "" {
		return 0, ctx.Err()
	}
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM threads WHERE open_owner = $1`, []byte(owner)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count open threads of %q: %w", owner, err)
	}
	return int(n), nil
}

// threadBatch is how many threads Threads reads per statement.
const threadBatch = 1000

// Threads calls fn for every thread in id order until fn returns false.
// It reads threadBatch threads per statement and calls fn between
// statements (fn may call the store). A thread written during the
// iteration may or may not be seen.
func (s *Store) Threads(ctx context.Context, fn func(bot.Thread) bool) error {
	next := int64(0)
	for {
		batch, err := s.threads(ctx, `SELECT data FROM threads WHERE id >= $1 ORDER BY id LIMIT $2`, next, threadBatch)
		if err != nil {
			return fmt.Errorf("threads from %d: %w", next, err)
		}
		for _, t := range batch {
			if !fn(t) {
				return nil
			}
			next = int64(t.ID) + 1
		}
		if len(batch) < threadBatch {
			return nil
		}
	}
}

// Outbox returns up to limit pending actions in id order.
func (s *Store) Outbox(ctx context.Context, limit int) ([]bot.Action, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	rows, err := s.pool.Query(ctx, `SELECT data FROM outbox ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	defer rows.Close()
	var out []bot.Action
	for rows.Next() {
		a, err := storage.DecodeAction(rows.RawValues()[0])
		if err != nil {
			return nil, fmt.Errorf("outbox: decode action: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return out, nil
}

// Cursor returns the newest message id seen in a channel, or "" (and no
// error) when none was recorded.
func (s *Store) Cursor(ctx context.Context, platform, channel string) (string, error) {
	var last []byte
	err := s.pool.QueryRow(ctx, `SELECT last FROM cursors WHERE platform = $1 AND channel = $2`,
		[]byte(platform), []byte(channel)).Scan(&last)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("cursor %s/%s: %w", platform, channel, err)
	}
	return string(last), nil
}

// LastIDs returns the largest thread, action and incident ids ever written.
func (s *Store) LastIDs(ctx context.Context) (thread, action, incident uint64, err error) {
	var t, a, i int64
	if err := s.pool.QueryRow(ctx, `SELECT last_thread, last_action, last_incident FROM counters`).Scan(&t, &a, &i); err != nil {
		return 0, 0, 0, fmt.Errorf("last ids: %w", err)
	}
	return uint64(t), uint64(a), uint64(i), nil
}

// PruneSeen forgets event ids recorded before the given time, through
// the index on their time. It is a write: fenced like Apply.
func (s *Store) PruneSeen(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.write(ctx, nil, func() (*pgx.Batch, error) {
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM seen WHERE at < $1`, nanos(before)).Exec(func(tag pgconn.CommandTag) error {
			n = tag.RowsAffected()
			return nil
		})
		return b, nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune seen: %w", err)
	}
	return int(n), nil
}

// Incident returns an incident by id, or an error wrapping bot.ErrNotFound.
func (s *Store) Incident(ctx context.Context, id uint64) (bot.Incident, error) {
	var v []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM incidents WHERE id = $1`, int64(id)).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Incident{}, fmt.Errorf("incident %d: %w", id, bot.ErrNotFound)
	}
	if err != nil {
		return bot.Incident{}, fmt.Errorf("incident %d: %w", id, err)
	}
	in, err := storage.DecodeIncident(v)
	if err != nil {
		return bot.Incident{}, fmt.Errorf("decode incident %d: %w", id, err)
	}
	return in, nil
}

// Incidents lists incidents in id order: only the open ones when open is
// true, all of them when it is false.
func (s *Store) Incidents(ctx context.Context, open bool) ([]bot.Incident, error) {
	rows, err := s.pool.Query(ctx, `SELECT data FROM incidents WHERE open OR NOT $1 ORDER BY id`, open)
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	defer rows.Close()
	var out []bot.Incident
	for rows.Next() {
		in, err := storage.DecodeIncident(rows.RawValues()[0])
		if err != nil {
			return nil, fmt.Errorf("incidents: decode: %w", err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	return out, nil
}

// Entry returns the value of an entry, or an error wrapping
// bot.ErrNotFound.
func (s *Store) Entry(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.pool.QueryRow(ctx, `SELECT value FROM entries WHERE key = $1`, []byte(key)).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound{what: "entry", key: key}
	}
	if err != nil {
		return nil, fmt.Errorf("entry %q: %w", key, err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// entryBatch is how many entries Entries reads per statement.
const entryBatch = 1000

// Entries calls fn for each entry whose key starts with prefix, in byte
// order of the keys, until fn returns false. It reads entryBatch entries
// per statement and calls fn between statements.
func (s *Store) Entries(ctx context.Context, prefix string, fn func(key string, value []byte) bool) error {
	from := []byte(prefix)
	upper := prefixEnd([]byte(prefix))
	for {
		rows, err := s.pool.Query(ctx, `SELECT key, value FROM entries WHERE key >= $1 AND ($2::bytea IS NULL OR key < $2)
			ORDER BY key LIMIT $3`, from, upper, entryBatch)
		if err != nil {
			return fmt.Errorf("entries %q: %w", prefix, err)
		}
		type kv struct {
			k string
			v []byte
		}
		var batch []kv
		for rows.Next() {
			raw := rows.RawValues()
			batch = append(batch, kv{string(raw[0]), append([]byte{}, raw[1]...)}) // a copy: raw is the driver's buffer; never nil
		}
		rows.Close()
		if err := rows.Err(); err != nil {
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
		from = append([]byte(batch[len(batch)-1].k), 0)
	}
}

// prefixEnd is the smallest byte string greater than every string that
// starts with prefix, or nil when there is none (prefix empty or all
// 0xff).
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// Prefetch answers Seen for eventIDs and ThreadByKey for keys in one
// round trip (two statements in one batch).
func (s *Store) Prefetch(ctx context.Context, eventIDs, keys []string) (map[string]bool, map[string]bot.Thread, error) {
	seen, threads := map[string]bool{}, map[string]bot.Thread{}
	b := &pgx.Batch{}
	if len(eventIDs) > 0 {
		b.Queue(`SELECT event FROM seen WHERE event = ANY($1::bytea[])`, byteaList(eventIDs)).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				seen[string(rows.RawValues()[0])] = true
			}
			return rows.Err()
		})
	}
	if len(keys) > 0 {
		b.Queue(`SELECT k.key, t.data FROM keys k JOIN threads t ON t.id = k.thread WHERE k.key = ANY($1::bytea[])`,
			byteaList(keys)).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				raw := rows.RawValues()
				t, err := storage.DecodeThread(raw[1])
				if err != nil {
					return fmt.Errorf("decode thread: %w", err)
				}
				threads[string(raw[0])] = t
			}
			return rows.Err()
		})
	}
	if b.Len() == 0 {
		return seen, threads, ctx.Err()
	}
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, fmt.Errorf("prefetch: %w", err)
	}
	return seen, threads, nil
}

func byteaList(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// What no bot.Store method lists, for openear migrate: every key of the
// keys index, every seen event id and every cursor, in byte order, read
// dumpBatch rows per statement.

// dumpBatch is how many rows a listing reads per statement.
const dumpBatch = 5000

// Keys calls fn for every key of the keys index and the thread it leads
// to, in byte order of the keys, until fn returns false.
func (s *Store) Keys(ctx context.Context, fn func(key string, thread uint64) bool) error {
	return s.dump(ctx, `SELECT key, thread FROM keys WHERE key > $1 ORDER BY key LIMIT $2`,
		func(k []byte, v int64) bool { return fn(string(k), uint64(v)) })
}

// SeenEvents calls fn for every recorded event id and the time it was
// recorded at, in byte order of the ids, until fn returns false.
func (s *Store) SeenEvents(ctx context.Context, fn func(id string, at time.Time) bool) error {
	return s.dump(ctx, `SELECT event, at FROM seen WHERE event > $1 ORDER BY event LIMIT $2`,
		func(k []byte, v int64) bool { return fn(string(k), time.Unix(0, v).UTC()) })
}

// Cursors calls fn for every channel cursor, in byte order of platform
// and channel, until fn returns false.
func (s *Store) Cursors(ctx context.Context, fn func(bot.Cursor) bool) error {
	rows, err := s.pool.Query(ctx, `SELECT platform, channel, last FROM cursors ORDER BY platform, channel`)
	if err != nil {
		return fmt.Errorf("cursors: %w", err)
	}
	var all []bot.Cursor
	for rows.Next() {
		raw := rows.RawValues()
		all = append(all, bot.Cursor{Platform: string(raw[0]), Channel: string(raw[1]), Last: string(raw[2])})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("cursors: %w", err)
	}
	for _, c := range all {
		if !fn(c) {
			return nil
		}
	}
	return nil
}

// dump pages through a listing of (bytea key, bigint value) rows: sql
// takes the last key seen ("" at first: keys and event ids are never
// empty) and the page size. fn is called between statements (it may call
// the store).
func (s *Store) dump(ctx context.Context, sql string, fn func(k []byte, v int64) bool) error {
	type kv struct {
		k []byte
		v int64
	}
	after := []byte{}
	for {
		rows, err := s.pool.Query(ctx, sql, after, dumpBatch)
		if err != nil {
			return fmt.Errorf("list: %w", err)
		}
		var page []kv
		for rows.Next() {
			var r kv
			if err := rows.Scan(&r.k, &r.v); err != nil {
				rows.Close()
				return fmt.Errorf("list: %w", err)
			}
			page = append(page, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list: %w", err)
		}
		for _, r := range page {
			if !fn(r.k, r.v) {
				return nil
			}
		}
		if len(page) < dumpBatch {
			return nil
		}
		after = page[len(page)-1].k
	}
}
