package wait_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/openear/openear/adapters/internal/wait"
)

func TestUntil(t *testing.T) {
	calls := 0
	err := wait.Until(context.Background(), func() time.Duration {
		calls++
		if calls < 3 {
			return time.Millisecond
		}
		return 0
	})
	if err != nil || calls != 3 {
		t.Fatalf("Until = %v after %d calls, want nil after 3", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := wait.Until(ctx, func() time.Duration { return time.Hour }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Until with a cancelled context = %v", err)
	}
}
