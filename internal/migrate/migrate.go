// Package migrate is `openear migrate`: it copies everything one store
// holds into another, empty one (a bbolt file to PostgreSQL, or back),
// then checks that both hold the same: counts and a checksum of every
// record.
//
// It copies through bot.Store.Apply, so the target builds its own indexes
// as openear does, and reads what Store has no method to list (the keys
// index, seen event ids, cursors) through Dumper, which both engines
// implement. Keys that lead elsewhere than the threads listing them would
// say (a key an older thread took back, a key no thread lists any more)
// are set right after the threads are copied.
package migrate

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"iter"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
)

// Dumper lists what no bot.Store method lists. storage.DB and
// postgres.Store implement it.
type Dumper interface {
	bot.Store
	// Keys calls fn for every key of the keys index and the thread it
	// leads to, in byte order of the keys.
	Keys(ctx context.Context, fn func(key string, thread uint64) bool) error
	// SeenEvents calls fn for every recorded event id and its time, in
	// byte order of the ids.
	SeenEvents(ctx context.Context, fn func(id string, at time.Time) bool) error
	// Cursors calls fn for every channel cursor.
	Cursors(ctx context.Context, fn func(bot.Cursor) bool) error
}

// Counts is how many records of each kind a store holds.
type Counts struct {
	Threads   int `json:"threads"`
	Keys      int `json:"keys"`
	Outbox    int `json:"outbox"`
	Seen      int `json:"seen"`
	Cursors   int `json:"cursors"`
	Incidents int `json:"incidents"`
	Entries   int `json:"entries"`
}

// Summary describes a store's content: its counts, its last ids and a
// SHA-256 over every record in a canonical order and encoding.
type Summary struct {
	Counts
	LastThread, LastAction, LastIncident uint64
	Checksum                             string
}

// ErrNotEmpty is returned when the target already holds something.
var ErrNotEmpty = errors.New("the target store is not empty")

// ErrMismatch is returned when the copy does not hold what the source
// holds.
var ErrMismatch = errors.New("the copy differs from the source")

// batch is how many records one Apply copies.
const batch = 1000

// Copy copies everything from into to, which must be empty, and checks
// the copy. Neither store may change meanwhile: stop openear first.
// progress, when not nil, gets a line per step.
func Copy(ctx context.Context, from, to Dumper, progress io.Writer) (Summary, error) {
	logf := func(format string, args ...any) {
		if progress != nil {
			fmt.Fprintf(progress, "migrate: "+format+"\n", args...)
		}
	}
	empty, err := Summarize(ctx, to)
	if err != nil {
		return Summary{}, fmt.Errorf("target: %w", err)
	}
	if empty.Counts != (Counts{}) || empty.LastThread+empty.LastAction+empty.LastIncident != 0 {
		return Summary{}, fmt.Errorf("%w: it holds %+v", ErrNotEmpty, empty.Counts)
	}
	steps := []struct {
		what string
		fn   func(context.Context, Dumper, Dumper) (int, error)
	}{
		{"threads", copyThreads},
		{"keys set right", fixKeys},
		{"pending actions", copyOutbox},
		{"seen event ids", copySeen},
		{"cursors", copyCursors},
		{"incidents", copyIncidents},
		{"entries", copyEntries},
		{"last ids", copyLastIDs},
	}
	for _, st := range steps {
		start := time.Now()
		n, err := st.fn(ctx, from, to)
		if err != nil {
			return Summary{}, fmt.Errorf("copy %s: %w", st.what, err)
		}
		logf("%s: %d in %s", st.what, n, time.Since(start).Round(time.Millisecond))
	}
	src, err := Summarize(ctx, from)
	if err != nil {
		return Summary{}, fmt.Errorf("source: %w", err)
	}
	dst, err := Summarize(ctx, to)
	if err != nil {
		return Summary{}, fmt.Errorf("target: %w", err)
	}
	if src != dst {
		return dst, fmt.Errorf("%w:\n source %+v\n target %+v", ErrMismatch, src, dst)
	}
	logf("verified: %+v, last ids %d/%d/%d, sha256 %s", dst.Counts, dst.LastThread, dst.LastAction, dst.LastIncident, dst.Checksum)
	return dst, nil
}

// apply applies changes in batches.
type applier struct {
	ctx     context.Context
	to      bot.Store
	pending []bot.Change
	n       int
}

func (a *applier) add(c bot.Change) error {
	a.pending = append(a.pending, c)
	a.n++
	if len(a.pending) >= batch {
		return a.flush()
	}
	return nil
}

func (a *applier) flush() error {
	if len(a.pending) == 0 {
		return nil
	}
	err := a.to.Apply(a.ctx, a.pending...)
	a.pending = a.pending[:0]
	return err
}

func copyThreads(ctx context.Context, from, to Dumper) (int, error) {
	a := &applier{ctx: ctx, to: to}
	var aerr error
	err := from.Threads(ctx, func(t bot.Thread) bool {
		aerr = a.add(bot.Change{Threads: []bot.Thread{t}})
		return aerr == nil
	})
	if err = cmp.Or(err, aerr, a.flush()); err != nil {
		return a.n, err
	}
	return a.n, nil
}

// fixKeys walks both keys indexes in key order and points every key of
// the target that leads elsewhere than in the source (or is missing) at
// the source's thread: the thread is written once without those keys and
// once with them (so they are new to it and point at it), then as it is.
func fixKeys(ctx context.Context, from, to Dumper) (int, error) {
	fixes := map[uint64][]string{}
	n := 0
	next, stop := iter.Pull2(keySeq(ctx, to))
	defer stop()
	tk, tid, tok := next()
	var ierr error
	err := from.Keys(ctx, func(k string, id uint64) bool {
		for tok && tk < k {
			tk, tid, tok = next()
		}
		if !tok || tk != k || tid != id {
			fixes[id] = append(fixes[id], k)
			n++
			if n%batch == 0 {
				ierr = applyFixes(ctx, from, to, fixes)
				clear(fixes)
			}
		}
		return ierr == nil
	})
	if err = cmp.Or(err, ierr, ctx.Err()); err != nil {
		return n, err
	}
	return n, applyFixes(ctx, from, to, fixes)
}

func keySeq(ctx context.Context, s Dumper) iter.Seq2[string, uint64] {
	return func(yield func(string, uint64) bool) {
		s.Keys(ctx, yield)
	}
}

func applyFixes(ctx context.Context, from, to Dumper, fixes map[uint64][]string) error {
	var changes []bot.Change
	for _, id := range slices.Sorted(maps.Keys(fixes)) {
		t, err := from.Thread(ctx, id)
		if err != nil {
			return fmt.Errorf("key of thread %d: %w", id, err)
		}
		keys := fixes[id]
		without := slices.DeleteFunc(slices.Clone(t.Keys), func(k string) bool { return slices.Contains(keys, k) })
		with := append(slices.Clone(without), keys...)
		a, b := t, t
		a.Keys, b.Keys = without, with
		changes = append(changes, bot.Change{Threads: []bot.Thread{a}}, bot.Change{Threads: []bot.Thread{b}}, bot.Change{Threads: []bot.Thread{t}})
	}
	if len(changes) == 0 {
		return nil
	}
	return to.Apply(ctx, changes...)
}

func copyOutbox(ctx context.Context, from, to Dumper) (int, error) {
	acts, err := from.Outbox(ctx, math.MaxInt32)
	if err != nil {
		return 0, err
	}
	a := &applier{ctx: ctx, to: to}
	for _, act := range acts {
		if err := a.add(bot.Change{Enqueue: []bot.Action{act}}); err != nil {
			return a.n, err
		}
	}
	return a.n, a.flush()
}

func copySeen(ctx context.Context, from, to Dumper) (int, error) {
	a := &applier{ctx: ctx, to: to}
	var aerr error
	err := from.SeenEvents(ctx, func(id string, at time.Time) bool {
		aerr = a.add(bot.Change{EventID: id, EventAt: at})
		return aerr == nil
	})
	if err = cmp.Or(err, aerr, a.flush()); err != nil {
		return a.n, err
	}
	return a.n, nil
}

func copyCursors(ctx context.Context, from, to Dumper) (int, error) {
	var cs []bot.Cursor
	if err := from.Cursors(ctx, func(c bot.Cursor) bool { cs = append(cs, c); return true }); err != nil {
		return 0, err
	}
	if len(cs) == 0 {
		return 0, nil
	}
	return len(cs), to.Apply(ctx, bot.Change{Cursors: cs})
}

func copyIncidents(ctx context.Context, from, to Dumper) (int, error) {
	ins, err := from.Incidents(ctx, false)
	if err != nil || len(ins) == 0 {
		return 0, err
	}
	a := &applier{ctx: ctx, to: to}
	for _, in := range ins {
		if err := a.add(bot.Change{Incidents: []bot.Incident{in}}); err != nil {
			return a.n, err
		}
	}
	return a.n, a.flush()
}

func copyEntries(ctx context.Context, from, to Dumper) (int, error) {
	a := &applier{ctx: ctx, to: to}
	var aerr error
	err := from.Entries(ctx, "", func(k string, v []byte) bool {
		aerr = a.add(bot.Change{Entries: []bot.Entry{{Key: k, Value: v}}})
		return aerr == nil
	})
	if err = cmp.Or(err, aerr, a.flush()); err != nil {
		return a.n, err
	}
	return a.n, nil
}

// copyLastIDs raises the target's last ids to the source's. Threads and
// incidents are never deleted, so their copies already did; the last
// action id may be that of an action delivered long ago: it is written
// and removed in one change.
func copyLastIDs(ctx context.Context, from, to Dumper) (int, error) {
	_, fa, _, err := from.LastIDs(ctx)
	if err != nil {
		return 0, err
	}
	_, ta, _, err := to.LastIDs(ctx)
	if err != nil || fa <= ta {
		return 0, err
	}
	mark := bot.Action{ID: fa, Kind: bot.ActPost, Text: "openear migrate: last action id"}
	return 1, to.Apply(ctx, bot.Change{Enqueue: []bot.Action{mark}, Done: []uint64{fa}})
}

// Summarize counts a store's records and computes their checksum: every
// thread and pending action in their compact encoding, every key, seen
// event (with its time), cursor, incident (JSON) and entry, in a fixed
// order, each field length-prefixed, and the last ids.
func Summarize(ctx context.Context, s Dumper) (Summary, error) {
	var sum Summary
	h := sha256.New()
	var werr error
	put := func(tag byte, fields ...[]byte) {
		h.Write([]byte{tag})
		for _, f := range fields {
			h.Write(binary.AppendUvarint(nil, uint64(len(f))))
			h.Write(f)
		}
	}
	u := func(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }
	err := s.Threads(ctx, func(t bot.Thread) bool {
		sum.Threads++
		put('T', storage.AppendThread(nil, &t))
		return true
	})
	if err != nil {
		return sum, fmt.Errorf("threads: %w", err)
	}
	if err := s.Keys(ctx, func(k string, id uint64) bool {
		sum.Keys++
		put('K', []byte(k), u(id))
		return true
	}); err != nil {
		return sum, fmt.Errorf("keys: %w", err)
	}
	acts, err := s.Outbox(ctx, math.MaxInt32)
	if err != nil {
		return sum, fmt.Errorf("outbox: %w", err)
	}
	for _, a := range acts {
		sum.Outbox++
		put('O', storage.AppendAction(nil, &a))
	}
	if err := s.SeenEvents(ctx, func(id string, at time.Time) bool {
		sum.Seen++
		put('S', []byte(id), u(uint64(at.UnixNano())))
		return true
	}); err != nil {
		return sum, fmt.Errorf("seen: %w", err)
	}
	var cs []bot.Cursor
	if err := s.Cursors(ctx, func(c bot.Cursor) bool { cs = append(cs, c); return true }); err != nil {
		return sum, fmt.Errorf("cursors: %w", err)
	}
	slices.SortFunc(cs, func(a, b bot.Cursor) int {
		return cmp.Or(cmp.Compare(a.Platform, b.Platform), cmp.Compare(a.Channel, b.Channel))
	})
	for _, c := range cs {
		sum.Cursors++
		put('C', []byte(c.Platform), []byte(c.Channel), []byte(c.Last))
	}
	ins, err := s.Incidents(ctx, false)
	if err != nil {
		return sum, fmt.Errorf("incidents: %w", err)
	}
	for _, in := range ins {
		sum.Incidents++
		v, err := storage.EncodeIncident(&in)
		if err != nil {
			werr = err
		}
		put('I', v)
	}
	if err := s.Entries(ctx, "", func(k string, v []byte) bool {
		sum.Entries++
		put('E', []byte(k), v)
		return true
	}); err != nil {
		return sum, fmt.Errorf("entries: %w", err)
	}
	if sum.LastThread, sum.LastAction, sum.LastIncident, err = s.LastIDs(ctx); err != nil {
		return sum, err
	}
	put('L', u(sum.LastThread), u(sum.LastAction), u(sum.LastIncident))
	sum.Checksum = hexSum(h)
	return sum, werr
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
