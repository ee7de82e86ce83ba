package mem

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/openear/openear/bot"
)

// Apply validates every change first, then applies them in order under
// one lock: all or none, like the bbolt store.
func (s *Store) Apply(ctx context.Context, changes ...bot.Change) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	for i := range changes {
		if err := validate(&changes[i]); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	for i := range changes {
		s.apply(&changes[i])
	}
	return nil
}

var (
	errZeroID   = errors.New("id 0 is not valid")
	errEmptyKey = errors.New("empty key")
)

// validate finds what would make the bbolt store fail an Apply.
func validate(c *bot.Change) error {
	for _, t := range c.Threads {
		if t.ID == 0 {
			return fmt.Errorf("put thread 0: %w", errZeroID)
		}
		for _, k := range t.Keys {
			if k == "" {
				return fmt.Errorf("put thread %d: %w", t.ID, errEmptyKey)
			}
		}
	}
	for _, in := range c.Incidents {
		if in.ID == 0 {
			return fmt.Errorf("put incident 0: %w", errZeroID)
		}
	}
	for _, a := range append(c.Enqueue[:len(c.Enqueue):len(c.Enqueue)], c.Requeue...) {
		if a.ID == 0 {
			return fmt.Errorf("put action 0: %w", errZeroID)
		}
	}
	for _, e := range c.Entries {
		if err := bot.CheckEntry(e); err != nil {
			return fmt.Errorf("put entry: %w", err)
		}
	}
	return nil
}

// apply writes one validated change; s.mu is held.
func (s *Store) apply(c *bot.Change) {
	if c.EventID != "" {
		s.seen[c.EventID] = c.EventAt
	}
	for _, t := range c.Threads {
		s.putThread(t)
	}
	for _, in := range c.Incidents {
		s.incidents[in.ID] = cloneIncident(in)
		s.last[2] = max(s.last[2], in.ID)
	}
	for _, a := range c.Enqueue {
		s.outbox[a.ID] = cloneAction(a)
		s.last[1] = max(s.last[1], a.ID)
	}
	for _, a := range c.Requeue {
		if _, ok := s.outbox[a.ID]; ok {
			s.outbox[a.ID] = cloneAction(a)
		}
	}
	for _, id := range c.Done {
		delete(s.outbox, id)
	}
	for _, cur := range c.Cursors {
		key := cur.Platform + "/" + cur.Channel
		if old, ok := s.cursors[key]; cur.Last != "" && (!ok || bot.LaterID(cur.Last, old)) {
			s.cursors[key] = cur.Last
		}
	}
	for _, e := range c.Entries {
		if e.Value == nil {
			delete(s.entries, e.Key)
		} else {
			s.entries[e.Key] = slices.Clone(e.Value)
		}
	}
}

// putThread stores t and points the keys new to it at it.
func (s *Store) putThread(t bot.Thread) {
	had := map[string]bool{}
	for _, k := range s.threads[t.ID].Keys {
		had[k] = true
	}
	for _, k := range t.Keys {
		if !had[k] {
			s.keys[k] = t.ID
		}
	}
	s.threads[t.ID] = cloneThread(t)
	s.last[0] = max(s.last[0], t.ID)
}

// PruneSeen forgets event ids recorded before the given time.
func (s *Store) PruneSeen(ctx context.Context, before time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("prune seen: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, ErrClosed
	}
	n := 0
	for id, at := range s.seen {
		if at.Before(before) {
			delete(s.seen, id)
			n++
		}
	}
	return n, nil
}
