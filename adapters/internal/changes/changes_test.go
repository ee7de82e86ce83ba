package changes_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/openear/openear/adapters/internal/changes"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestWaitWakesOnNotifyAndOnOutsideChanges(t *testing.T) {
	var s changes.Signal
	var n atomic.Int32
	done := make(chan error, 1)
	go func() { done <- s.Wait(context.Background(), func() bool { return n.Load() == 2 }) }()
	n.Store(1)
	s.Notify()
	n.Store(2) // no Notify: the periodic re-check must see it
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := s.Wait(ctx, func() bool { return false }); err == nil {
		t.Fatal("Wait returned nil for a condition that never held")
	}
}
