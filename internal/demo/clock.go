package demo

import (
	"context"
	"sync/atomic"
	"time"
)

// fastClock runs simulated time speed times faster than real time, from
// the moment it was made.
type fastClock struct {
	realStart time.Time
	speed     float64
	origin    atomic.Int64 // simulated unix nanos the script counts from
}

func newFastClock(speed float64) *fastClock {
	c := &fastClock{realStart: time.Now(), speed: speed}
	c.origin.Store(c.realStart.UnixNano())
	return c
}

func (c *fastClock) Now() time.Time {
	return c.realStart.Add(time.Duration(float64(time.Since(c.realStart)) * c.speed))
}

// start is the simulated instant the script counts from.
func (c *fastClock) start() time.Time { return time.Unix(0, c.origin.Load()) }

// restart makes now the script's origin (after the adapters connected).
func (c *fastClock) restart() { c.origin.Store(c.Now().UnixNano()) }

// elapsed is the simulated time since the origin.
func (c *fastClock) elapsed() time.Duration { return c.Now().Sub(c.start()) }

// sleepUntil waits until simulated time reaches start+at, or ctx ends.
func (c *fastClock) sleepUntil(ctx context.Context, at time.Duration) error {
	real := time.Duration(float64(at-c.elapsed()) / c.speed)
	if real <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(real)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
