// Package changes lets the in-process fakes (slackfake, discordfake) wake
// the tests that wait for a condition on them.
package changes

import (
	"context"
	"sync"
	"time"
)

// Signal is broadcast on every change of a fake's state. The zero value
// is ready to use.
type Signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func (s *Signal) current() chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

// Notify wakes every Wait.
func (s *Signal) Notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
	}
	s.ch = make(chan struct{})
}

// Wait returns nil once cond holds, re-checking it after every Notify and
// at least every 50 ms (cond may depend on state outside the fake, such as
// the bot's store); it returns ctx's error if ctx ends first. cond runs
// without any lock of Signal held, so it may call the fake.
func (s *Signal) Wait(ctx context.Context, cond func() bool) error {
	for {
		ch := s.current()
		if cond() {
			return nil
		}
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-ch:
		case <-t.C:
		}
		t.Stop()
	}
}
