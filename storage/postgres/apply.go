package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
)

var (
	errZeroID   = errors.New("id 0 is not valid")
	errEmptyKey = errors.New("empty key")
)

// Apply commits all the changes in one transaction: all of them or none.
// It is a group commit: a thousand changes cost a few statements, one
// per table, not one per row.
//
// The transaction first takes the writers' advisory lock (Applies run one
// at a time, across processes) and, when the Store is fenced, checks the
// lease's token under a share lock on the lease row. It then reads what
// the changes need of the stored state (the keys of the threads they
// write, the cursors they advance), works out the effect of the changes
// in order exactly as the bbolt store applies them, and writes each table
// once with arrays (unnest). Requeue of an action no longer in the outbox
// and Done of an unknown id do nothing. A thread, action or incident with
// ID 0, an empty key, or an entry that bot.CheckEntry refuses fails the
// whole Apply before anything is sent.
func (s *Store) Apply(ctx context.Context, changes ...bot.Change) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if len(changes) == 0 {
		return nil
	}
	if err := validate(changes); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	p := newPlan(changes)
	err := s.write(ctx, p.readStored, func() (*pgx.Batch, error) {
		p.run(changes)
		return p.send()
	})
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	return nil
}

// write runs one write transaction in two round trips: BEGIN, the
// writers' lock, the fence check and the statements read queues, in one
// batch; then the statements write returns, and COMMIT, in another. When
// anything fails the transaction is rolled back (a connection left inside
// one is closed by the pool, never reused).
func (s *Store) write(ctx context.Context, read func(*pgx.Batch), write func() (*pgx.Batch, error)) (err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	open := false
	defer func() {
		if err != nil && open {
			_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, s.lockKey)
	var token int64
	if s.fence != 0 {
		// A share lock: renewals go on beside it, a takeover (FOR
		// UPDATE) waits for this transaction to end.
		b.Queue(`SELECT token FROM lease FOR KEY SHARE`).QueryRow(func(r pgx.Row) error { return r.Scan(&token) })
	}
	if read != nil {
		read(b)
	}
	open = true
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	if s.fence != 0 && uint64(token) != s.fence {
		return fmt.Errorf("lease token is %d, this replica's %d: %w", token, s.fence, bot.ErrFenced)
	}
	wb, err := write()
	if err != nil {
		return err
	}
	wb.Queue("COMMIT")
	if err := conn.SendBatch(ctx, wb).Close(); err != nil {
		return err
	}
	open = false
	return nil
}

// validate refuses what Apply must refuse before anything is sent.
func validate(changes []bot.Change) error {
	for i := range changes {
		c := &changes[i]
		for j := range c.Threads {
			t := &c.Threads[j]
			if t.ID == 0 {
				return fmt.Errorf("put thread: %w", errZeroID)
			}
			if slices.Contains(t.Keys, "") {
				return fmt.Errorf("put thread %d: %w", t.ID, errEmptyKey)
			}
		}
		for _, in := range c.Incidents {
			if in.ID == 0 {
				return fmt.Errorf("put incident: %w", errZeroID)
			}
		}
		for _, list := range [][]bot.Action{c.Enqueue, c.Requeue} {
			for _, a := range list {
				if a.ID == 0 {
					return fmt.Errorf("put action: %w", errZeroID)
				}
			}
		}
		for _, e := range c.Entries {
			if err := bot.CheckEntry(e); err != nil {
				return fmt.Errorf("put entry: %w", err)
			}
		}
	}
	return nil
}

// outboxOp is the net effect of one Apply on one action id.
type outboxOp int8

const (
	opPut     outboxOp = iota + 1 // insert or replace
	opRequeue                     // replace only if still pending
	opDelete
)

type cursorID struct{ platform, channel string }

// plan is the net effect of the changes of one Apply, worked out in Go.
type plan struct {
	storedKeys map[uint64][]string // keys of the stored version of each thread written
	exists     map[uint64]bool     // the threads written that are stored
	pending    map[uint64]bool     // the actions enqueued that are pending
	stored     map[cursorID]string // stored cursors of the channels advanced

	threads   []*bot.Thread // the last version of each thread written, in first-write order
	threadAt  map[uint64]int
	keys      map[string]uint64 // key -> thread, the last pointing wins
	keyOrder  []string
	seen      map[string]time.Time
	seenOrder []string
	incidents map[uint64]*bot.Incident
	incOrder  []uint64
	actions   map[uint64]outboxOp
	actData   map[uint64]*bot.Action
	actOrder  []uint64
	cursors   map[cursorID]string
	curOrder  []cursorID
	entries   map[string][]byte
	entOrder  []string

	lastThread, lastAction, lastIncident uint64
}

func newPlan(changes []bot.Change) *plan {
	p := &plan{storedKeys: map[uint64][]string{}, exists: map[uint64]bool{}, pending: map[uint64]bool{}, stored: map[cursorID]string{},
		threadAt: map[uint64]int{}, keys: map[string]uint64{}, seen: map[string]time.Time{},
		incidents: map[uint64]*bot.Incident{}, actions: map[uint64]outboxOp{}, actData: map[uint64]*bot.Action{},
		cursors: map[cursorID]string{}, entries: map[string][]byte{}}
	for i := range changes {
		for j := range changes[i].Threads {
			p.storedKeys[changes[i].Threads[j].ID] = nil
		}
		for _, c := range changes[i].Cursors {
			if c.Last != "" {
				p.stored[cursorID{c.Platform, c.Channel}] = ""
			}
		}
		for _, a := range changes[i].Enqueue {
			p.pending[a.ID] = false
		}
	}
	return p
}

// readStored queues the reads of the keys of the stored threads the
// changes write and of the cursors they may advance.
func (p *plan) readStored(b *pgx.Batch) {
	if len(p.storedKeys) > 0 {
		ids := make([]int64, 0, len(p.storedKeys))
		for id := range p.storedKeys {
			ids = append(ids, int64(id))
		}
		b.Queue(`SELECT id, keys FROM threads WHERE id = ANY($1)`, ids).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id int64
				var raw []byte
				if err := rows.Scan(&id, &raw); err != nil {
					return err
				}
				keys, err := decodeKeys(raw)
				if err != nil {
					return fmt.Errorf("keys of stored thread %d: %w", id, err)
				}
				p.storedKeys[uint64(id)] = keys
				p.exists[uint64(id)] = true
			}
			return rows.Err()
		})
	}
	if len(p.pending) > 0 {
		ids := make([]int64, 0, len(p.pending))
		for id := range p.pending {
			ids = append(ids, int64(id))
		}
		b.Queue(`SELECT id FROM outbox WHERE id = ANY($1)`, ids).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				p.pending[uint64(id)] = true
			}
			return rows.Err()
		})
	}
	if len(p.stored) > 0 {
		var plats, chans [][]byte
		for c := range p.stored {
			plats, chans = append(plats, []byte(c.platform)), append(chans, []byte(c.channel))
		}
		b.Queue(`SELECT c.platform, c.channel, c.last FROM cursors c
			JOIN unnest($1::bytea[], $2::bytea[]) AS u(platform, channel) ON c.platform = u.platform AND c.channel = u.channel`,
			plats, chans).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var pl, ch, last []byte
				if err := rows.Scan(&pl, &ch, &last); err != nil {
					return err
				}
				p.stored[cursorID{string(pl), string(ch)}] = string(last)
			}
			return rows.Err()
		})
	}
}

// run applies the changes in order to the plan, within a change: the
// event id, threads, incidents, Enqueue, Requeue, Done, cursors, entries.
func (p *plan) run(changes []bot.Change) {
	for i := range changes {
		c := &changes[i]
		if c.EventID != "" {
			if _, ok := p.seen[c.EventID]; !ok {
				p.seenOrder = append(p.seenOrder, c.EventID)
			}
			p.seen[c.EventID] = c.EventAt
		}
		for j := range c.Threads {
			p.putThread(&c.Threads[j])
		}
		for j := range c.Incidents {
			in := c.Incidents[j]
			if _, ok := p.incidents[in.ID]; !ok {
				p.incOrder = append(p.incOrder, in.ID)
			}
			p.incidents[in.ID] = &in
			p.lastIncident = max(p.lastIncident, in.ID)
		}
		for j := range c.Enqueue {
			a := c.Enqueue[j]
			p.action(a.ID, opPut, &a)
			p.lastAction = max(p.lastAction, a.ID)
		}
		for j := range c.Requeue {
			a := c.Requeue[j]
			switch p.actions[a.ID] {
			case opPut:
				p.action(a.ID, opPut, &a)
			case opRequeue, 0:
				p.action(a.ID, opRequeue, &a)
			}
		}
		for _, id := range c.Done {
			p.action(id, opDelete, nil)
		}
		for _, cur := range c.Cursors {
			p.advance(cur)
		}
		for _, e := range c.Entries {
			if _, ok := p.entries[e.Key]; !ok {
				p.entOrder = append(p.entOrder, e.Key)
			}
			p.entries[e.Key] = e.Value
		}
	}
}

// putThread records t as the thread's newest version and points the keys
// the version before it lacked at it.
func (p *plan) putThread(t *bot.Thread) {
	had := p.storedKeys[t.ID]
	if i, ok := p.threadAt[t.ID]; ok {
		had = p.threads[i].Keys
		p.threads[i] = t
	} else {
		p.threadAt[t.ID] = len(p.threads)
		p.threads = append(p.threads, t)
	}
	for _, k := range t.Keys {
		if slices.Contains(had, k) {
			continue
		}
		if _, ok := p.keys[k]; !ok {
			p.keyOrder = append(p.keyOrder, k)
		}
		p.keys[k] = t.ID
	}
	p.lastThread = max(p.lastThread, t.ID)
}

func (p *plan) action(id uint64, op outboxOp, a *bot.Action) {
	if _, ok := p.actions[id]; !ok {
		p.actOrder = append(p.actOrder, id)
	}
	p.actions[id], p.actData[id] = op, a
}

// advance moves a cursor forward, never back.
func (p *plan) advance(c bot.Cursor) {
	if c.Last == "" {
		return
	}
	id := cursorID{c.Platform, c.Channel}
	cur, ok := p.cursors[id]
	if !ok {
		cur = p.stored[id]
	}
	if cur != "" && !bot.LaterID(c.Last, cur) {
		return
	}
	if !ok {
		p.curOrder = append(p.curOrder, id)
	}
	p.cursors[id] = c.Last
}

// send returns the statements that write the plan: one per table that
// changes.
func (p *plan) send() (*pgx.Batch, error) {
	b := &pgx.Batch{}
	if len(p.threads) > 0 {
		var fresh, stored threadRows
		for _, t := range p.threads {
			if p.exists[t.ID] {
				stored.add(t)
			} else {
				fresh.add(t)
			}
		}
		// New threads are inserted, stored ones updated: no conflict to
		// look for (Applies run one at a time).
		if len(fresh.ids) > 0 {
			b.Queue(`INSERT INTO threads (id, keys, due, open_owner, state, created, data)
				SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bigint[], $4::bytea[], $5::text[], $6::timestamptz[], $7::bytea[])`,
				fresh.args()...)
		}
		if len(stored.ids) > 0 {
			b.Queue(`UPDATE threads SET keys = u.keys, due = u.due, open_owner = u.open_owner, state = u.state,
					created = u.created, data = u.data
				FROM unnest($1::bigint[], $2::bytea[], $3::bigint[], $4::bytea[], $5::text[], $6::timestamptz[], $7::bytea[])
					AS u(id, keys, due, open_owner, state, created, data)
				WHERE threads.id = u.id`, stored.args()...)
		}
	}
	if len(p.keyOrder) > 0 {
		keys, ids := make([][]byte, len(p.keyOrder)), make([]int64, len(p.keyOrder))
		for i, k := range p.keyOrder {
			keys[i], ids[i] = []byte(k), int64(p.keys[k])
		}
		b.Queue(`INSERT INTO keys (key, thread) SELECT * FROM unnest($1::bytea[], $2::bigint[])
			ON CONFLICT (key) DO UPDATE SET thread = excluded.thread`, keys, ids)
	}
	if len(p.seenOrder) > 0 {
		evs, ats := make([][]byte, len(p.seenOrder)), make([]int64, len(p.seenOrder))
		for i, ev := range p.seenOrder {
			evs[i], ats[i] = []byte(ev), nanos(p.seen[ev])
		}
		b.Queue(`INSERT INTO seen (event, at) SELECT * FROM unnest($1::bytea[], $2::bigint[])
			ON CONFLICT (event) DO UPDATE SET at = excluded.at`, evs, ats)
	}
	if err := p.queueIncidents(b); err != nil {
		return nil, err
	}
	p.queueOutbox(b)
	if len(p.curOrder) > 0 {
		var plats, chans, lasts [][]byte
		for _, c := range p.curOrder {
			plats, chans = append(plats, []byte(c.platform)), append(chans, []byte(c.channel))
			lasts = append(lasts, []byte(p.cursors[c]))
		}
		b.Queue(`INSERT INTO cursors (platform, channel, last) SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::bytea[])
			ON CONFLICT (platform, channel) DO UPDATE SET last = excluded.last`, plats, chans, lasts)
	}
	p.queueEntries(b)
	if p.lastThread > 0 || p.lastAction > 0 || p.lastIncident > 0 {
		b.Queue(`UPDATE counters SET last_thread = greatest(last_thread, $1),
			last_action = greatest(last_action, $2), last_incident = greatest(last_incident, $3)`,
			int64(p.lastThread), int64(p.lastAction), int64(p.lastIncident))
	}
	return b, nil
}

// threadRows are the columns of threads, as arrays for unnest.
type threadRows struct {
	ids     []int64
	dues    []pgtype.Int8
	keys    [][]byte
	owners  [][]byte
	data    [][]byte
	states  []string
	created []time.Time
}

func (r *threadRows) add(t *bot.Thread) {
	var due pgtype.Int8
	if !t.Due.IsZero() {
		due = pgtype.Int8{Int64: nanos(t.Due), Valid: true}
	}
	var owner []byte
	if t.Owner != "" && t.State.Open() {
		owner = []byte(t.Owner)
	}
	r.ids, r.dues, r.owners = append(r.ids, int64(t.ID)), append(r.dues, due), append(r.owners, owner)
	r.keys, r.data = append(r.keys, encodeKeys(t.Keys)), append(r.data, storage.AppendThread(nil, t))
	r.states, r.created = append(r.states, string(t.State)), append(r.created, t.Created)
}

func (r *threadRows) args() []any {
	return []any{r.ids, r.keys, r.dues, r.owners, r.states, r.created, r.data}
}

func (p *plan) queueIncidents(b *pgx.Batch) error {
	if len(p.incOrder) == 0 {
		return nil
	}
	ids, open, data := make([]int64, len(p.incOrder)), make([]bool, len(p.incOrder)), make([][]byte, len(p.incOrder))
	for i, id := range p.incOrder {
		in := p.incidents[id]
		v, err := storage.EncodeIncident(in)
		if err != nil {
			return fmt.Errorf("encode incident %d: %w", id, err)
		}
		ids[i], open[i], data[i] = int64(id), in.Open, v
	}
	b.Queue(`INSERT INTO incidents (id, open, data) SELECT * FROM unnest($1::bigint[], $2::boolean[], $3::bytea[])
		ON CONFLICT (id) DO UPDATE SET open = excluded.open, data = excluded.data`, ids, open, data)
	return nil
}

func (p *plan) queueOutbox(b *pgx.Batch) {
	var del, newIDs, putIDs, reqIDs []int64
	var newData, putData, reqData [][]byte
	for _, id := range p.actOrder {
		switch p.actions[id] {
		case opDelete:
			del = append(del, int64(id))
		case opPut:
			v := storage.AppendAction(nil, p.actData[id])
			if pending, asked := p.pending[id]; asked && !pending {
				newIDs, newData = append(newIDs, int64(id)), append(newData, v)
			} else {
				putIDs, putData = append(putIDs, int64(id)), append(putData, v)
			}
		case opRequeue:
			reqIDs, reqData = append(reqIDs, int64(id)), append(reqData, storage.AppendAction(nil, p.actData[id]))
		}
	}
	if len(del) > 0 {
		b.Queue(`DELETE FROM outbox WHERE id = ANY($1)`, del)
	}
	if len(newIDs) > 0 {
		b.Queue(`INSERT INTO outbox (id, data) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, newIDs, newData)
	}
	if len(putIDs) > 0 {
		b.Queue(`INSERT INTO outbox (id, data) SELECT * FROM unnest($1::bigint[], $2::bytea[])
			ON CONFLICT (id) DO UPDATE SET data = excluded.data`, putIDs, putData)
	}
	if len(reqIDs) > 0 {
		b.Queue(`UPDATE outbox SET data = u.data FROM unnest($1::bigint[], $2::bytea[]) AS u(id, data)
			WHERE outbox.id = u.id`, reqIDs, reqData)
	}
}

func (p *plan) queueEntries(b *pgx.Batch) {
	var del, putKeys, putValues [][]byte
	for _, k := range p.entOrder {
		if v := p.entries[k]; v == nil {
			del = append(del, []byte(k))
		} else {
			putKeys, putValues = append(putKeys, []byte(k)), append(putValues, v)
		}
	}
	if len(del) > 0 {
		b.Queue(`DELETE FROM entries WHERE key = ANY($1::bytea[])`, del)
	}
	if len(putKeys) > 0 {
		b.Queue(`INSERT INTO entries (key, value) SELECT * FROM unnest($1::bytea[], $2::bytea[])
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, putKeys, putValues)
	}
}

// encodeKeys writes a thread's keys for the keys column: each a uvarint
// length and its bytes.
func encodeKeys(keys []string) []byte {
	n := 0
	for _, k := range keys {
		n += len(k) + 2
	}
	b := make([]byte, 0, n)
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
	}
	return b
}

var errCorruptKeys = errors.New("corrupt keys column")

func decodeKeys(b []byte) ([]string, error) {
	var out []string
	for len(b) > 0 {
		n, w := binary.Uvarint(b)
		if w <= 0 || uint64(len(b)-w) < n {
			return nil, errCorruptKeys
		}
		out = append(out, string(b[w:w+int(n)]))
		b = b[w+int(n):]
	}
	return out, nil
}

// nanos is t in unix nanoseconds, clamped to what int64 holds: times
// before 1970 count as 0 (as in the bbolt store's due index).
func nanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, 0)):
		return 0
	case t.After(time.Unix(0, 1<<63-1)):
		return 1<<63 - 1
	}
	return t.UnixNano()
}
