// Package bottest provides test doubles for the core's interfaces that are
// not worth faking at the wire: a settable clock and a recording platform.
// Stores are never faked: tests use storage/mem or a real bbolt file.
package bottest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

// Clock is a bot.Clock that only moves when told to. Safe for concurrent
// use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Platform is a bot.Platform that records what it is asked to send. Fail
// makes the next sends return an error.
type Platform struct {
	PlatformName string

	mu    sync.Mutex
	sent  []bot.Action
	fails []error
	n     int
	held  map[string]chan struct{}
}

// NewPlatform returns a recording platform with the given name.
func NewPlatform(name string) *Platform { return &Platform{PlatformName: name} }

// Name implements bot.Platform.
func (p *Platform) Name() string { return p.PlatformName }

// Send implements bot.Platform: it records the action, or returns the
// next scripted failure.
func (p *Platform) Send(ctx context.Context, a bot.Action) (bot.Receipt, error) {
	p.mu.Lock()
	hold := p.held[a.Channel]
	p.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return bot.Receipt{}, ctx.Err()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.fails) > 0 {
		err := p.fails[0]
		p.fails = p.fails[1:]
		return bot.Receipt{}, err
	}
	p.sent = append(p.sent, a)
	p.n++
	ref := a.Ref
	if ref == "" {
		ref = fmt.Sprintf("%s/m%d", a.Channel, p.n)
	}
	return bot.Receipt{Ref: ref}, nil
}

// Fail makes the next len(errs) sends fail with these errors, in order.
func (p *Platform) Fail(errs ...error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fails = append(p.fails, errs...)
}

// Hold makes sends to a channel wait until the returned release is
// called: a slow or rate-limited channel.
func (p *Platform) Hold(channel string) (release func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held == nil {
		p.held = map[string]chan struct{}{}
	}
	ch := make(chan struct{})
	p.held[channel] = ch
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			delete(p.held, channel)
			p.mu.Unlock()
			close(ch)
		})
	}
}

// Sent returns the delivered actions, optionally only those of a purpose.
func (p *Platform) Sent(purpose ...bot.Purpose) []bot.Action {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []bot.Action
	for _, a := range p.sent {
		if len(purpose) == 0 || a.Purpose == purpose[0] {
			out = append(out, a)
		}
	}
	return out
}

// Reset forgets what was sent.
func (p *Platform) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = nil
}

// Poll waits until cond holds, checking every few milliseconds, and fails
// the test after 15 seconds. It is for conditions that change in other
// goroutines (an adapter handling a delivery), never for time to pass:
// tests move a Clock for that.
func Poll(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Tracked counts a store's threads and the messages they hold.
func Tracked(ctx context.Context, s bot.Store) (threads, messages int, err error) {
	err = s.Threads(ctx, func(th bot.Thread) bool {
		threads++
		messages += th.MsgCount
		return true
	})
	return threads, messages, err
}

// Flush runs the bot's sender once, failing the test on an error.
func Flush(t testing.TB, b *bot.Bot) {
	t.Helper()
	if _, err := b.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Advance moves the clock by d, then runs the bot's clock loop (Tick) and
// its sender (Flush) once: what Run would do after d of time.
func Advance(t testing.TB, b *bot.Bot, c *Clock, d time.Duration) {
	t.Helper()
	c.Advance(d)
	if _, err := b.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	Flush(t, b)
}

// WaitThread waits until a platform key (bot.Key) leads to a thread in the
// store, and returns the thread.
func WaitThread(t testing.TB, s bot.Store, key string) bot.Thread {
	t.Helper()
	var th bot.Thread
	Poll(t, "the thread of "+key, func() bool {
		var err error
		th, err = s.ThreadByKey(context.Background(), key)
		return err == nil
	})
	return th
}
