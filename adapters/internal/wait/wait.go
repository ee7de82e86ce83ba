// Package wait holds the waiting loop the adapters' post pacers share.
package wait

import (
	"context"
	"time"
)

// Until calls delay and sleeps for what it returns, again and again,
// until it returns zero or less (then Until returns nil) or ctx ends
// (then ctx's error). delay is asked again after every sleep, since
// what it waits for may have moved meanwhile.
func Until(ctx context.Context, delay func() time.Duration) error {
	for {
		d := delay()
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}
