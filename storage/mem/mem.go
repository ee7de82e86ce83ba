// Package mem is an in-memory bot.Store with the semantics of the bbolt
// store (it passes storage/storetest), for the core's unit tests. Nothing
// is durable, and Due and OpenByOwner scan every thread.
package mem

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/openear/openear/bot"
)

// ErrClosed is returned by every call after Close.
var ErrClosed = errors.New("store is closed")

// Store is an in-memory bot.Store, safe for concurrent use. Values go in
// and out as deep copies: no caller shares a slice or map with it.
type Store struct {
	mu        sync.RWMutex
	closed    bool
	threads   map[uint64]bot.Thread
	keys      map[string]uint64
	seen      map[string]time.Time
	outbox    map[uint64]bot.Action
	cursors   map[string]string
	incidents map[uint64]bot.Incident
	entries   map[string][]byte
	last      [3]uint64 // thread, action, incident
}

var (
	_ bot.Store     = (*Store)(nil)
	_ bot.OpenPager = (*Store)(nil)
)

// New returns an empty store.
func New() *Store {
	return &Store{
		threads:   map[uint64]bot.Thread{},
		keys:      map[string]uint64{},
		seen:      map[string]time.Time{},
		outbox:    map[uint64]bot.Action{},
		cursors:   map[string]string{},
		incidents: map[uint64]bot.Incident{},
		entries:   map[string][]byte{},
	}
}

// read runs fn under the read lock, after checking ctx and Close.
func (s *Store) read(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	return fn()
}

// Close makes further calls fail with ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// Seen reports whether an event id was recorded and not yet pruned.
func (s *Store) Seen(ctx context.Context, eventID string) (ok bool, err error) {
	err = s.read(ctx, func() error {
		_, ok = s.seen[eventID]
		return nil
	})
	return ok, err
}

// Thread returns a thread by id.
func (s *Store) Thread(ctx context.Context, id uint64) (t bot.Thread, err error) {
	err = s.read(ctx, func() (err error) {
		t, err = s.thread(id)
		return err
	})
	return t, err
}

func (s *Store) thread(id uint64) (bot.Thread, error) {
	t, ok := s.threads[id]
	if !ok {
		return bot.Thread{}, fmt.Errorf("thread %d: %w", id, bot.ErrNotFound)
	}
	return cloneThread(t), nil
}

// ThreadByKey returns the thread that added key last.
func (s *Store) ThreadByKey(ctx context.Context, key string) (t bot.Thread, err error) {
	err = s.read(ctx, func() (err error) {
		id, ok := s.keys[key]
		if !ok {
			return fmt.Errorf("key %q: %w", key, bot.ErrNotFound)
		}
		t, err = s.thread(id)
		return err
	})
	return t, err
}

// Due returns up to limit threads due at or before before, earliest first
// (ties by id).
func (s *Store) Due(ctx context.Context, before time.Time, limit int) (out []bot.Thread, err error) {
	err = s.read(ctx, func() error {
		out = s.filter(func(t *bot.Thread) bool { return !t.Due.IsZero() && !t.Due.After(before) })
		return nil
	})
	slices.SortFunc(out, func(a, b bot.Thread) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ID, b.ID))
	})
	return out[:min(max(limit, 0), len(out))], err
}

// filter returns copies of the threads keep accepts, in id order.
func (s *Store) filter(keep func(*bot.Thread) bool) []bot.Thread {
	var out []bot.Thread
	for _, t := range s.threads {
		if keep(&t) {
			out = append(out, cloneThread(t))
		}
	}
	slices.SortFunc(out, func(a, b bot.Thread) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func ownedBy(owner string) func(*bot.Thread) bool {
	return func(t *bot.Thread) bool { return owner != "" && t.Owner == owner && t.State.Open() }
}

// OpenByOwner returns the open threads of owner in id order.
func (s *Store) OpenByOwner(ctx context.Context, owner string) (out []bot.Thread, err error) {
	err = s.read(ctx, func() error {
		out = s.filter(ownedBy(owner))
		return nil
	})
	return out, err
}

// OpenByOwnerPage returns the first limit open threads of owner in id
// order and how many it has in all.
func (s *Store) OpenByOwnerPage(ctx context.Context, owner string, limit int) ([]bot.Thread, int, error) {
	all, err := s.OpenByOwner(ctx, owner)
	if err != nil {
		return nil, 0, err
	}
	return slices.Clip(all[:min(max(limit, 0), len(all))]), len(all), nil
}

// CountOpenByOwner returns how many open threads owner has.
func (s *Store) CountOpenByOwner(ctx context.Context, owner string) (int, error) {
	threads, err := s.OpenByOwner(ctx, owner)
	return len(threads), err
}

// Threads calls fn for every thread in id order until fn returns false,
// on a snapshot taken before the first call (fn may call the store).
func (s *Store) Threads(ctx context.Context, fn func(bot.Thread) bool) error {
	var all []bot.Thread
	err := s.read(ctx, func() error {
		all = s.filter(func(*bot.Thread) bool { return true })
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range all {
		if !fn(t) {
			break
		}
	}
	return nil
}

// Outbox returns up to limit pending actions in id order.
func (s *Store) Outbox(ctx context.Context, limit int) (out []bot.Action, err error) {
	err = s.read(ctx, func() error {
		for _, a := range s.outbox {
			out = append(out, cloneAction(a))
		}
		return nil
	})
	slices.SortFunc(out, func(a, b bot.Action) int { return cmp.Compare(a.ID, b.ID) })
	return out[:min(max(limit, 0), len(out))], err
}

// Cursor returns the newest message id seen in a channel, or "".
func (s *Store) Cursor(ctx context.Context, platform, channel string) (last string, err error) {
	err = s.read(ctx, func() error {
		last = s.cursors[platform+"/"+channel]
		return nil
	})
	return last, err
}

// LastIDs returns the largest thread, action and incident ids written.
func (s *Store) LastIDs(ctx context.Context) (thread, action, incident uint64, err error) {
	err = s.read(ctx, func() error {
		thread, action, incident = s.last[0], s.last[1], s.last[2]
		return nil
	})
	return thread, action, incident, err
}

// Incident returns an incident by id.
func (s *Store) Incident(ctx context.Context, id uint64) (in bot.Incident, err error) {
	err = s.read(ctx, func() error {
		stored, ok := s.incidents[id]
		if !ok {
			return fmt.Errorf("incident %d: %w", id, bot.ErrNotFound)
		}
		in = cloneIncident(stored)
		return nil
	})
	return in, err
}

// Incidents lists the open incidents (open true) or all of them, by id.
func (s *Store) Incidents(ctx context.Context, open bool) (out []bot.Incident, err error) {
	err = s.read(ctx, func() error {
		for _, in := range s.incidents {
			if in.Open || !open {
				out = append(out, cloneIncident(in))
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b bot.Incident) int { return cmp.Compare(a.ID, b.ID) })
	return out, err
}

// Entry returns the value of an entry, or an error wrapping
// bot.ErrNotFound.
func (s *Store) Entry(ctx context.Context, key string) (v []byte, err error) {
	err = s.read(ctx, func() error {
		got, ok := s.entries[key]
		if !ok {
			return fmt.Errorf("entry %q: %w", key, bot.ErrNotFound)
		}
		v = slices.Clone(got)
		return nil
	})
	return v, err
}

// Entries calls fn for each entry whose key starts with prefix, in key
// order, until fn returns false; fn runs outside the lock.
func (s *Store) Entries(ctx context.Context, prefix string, fn func(key string, value []byte) bool) error {
	var keys []string
	vals := map[string][]byte{}
	err := s.read(ctx, func() error {
		for k, v := range s.entries {
			if strings.HasPrefix(k, prefix) {
				keys = append(keys, k)
				vals[k] = slices.Clone(v)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !fn(k, vals[k]) {
			return nil
		}
	}
	return nil
}
