package slack

import (
	"context"
	"sync"
	"time"

	"github.com/openear/openear/adapters/internal/wait"
)

// pacer paces posts to each channel as Slack limits chat.postMessage:
// about one a second per channel, short bursts allowed. Each channel has a
// bucket of burst posts refilled at one per gap. A post that is not
// urgent (bot.Action.Urgent) leaves one post in the bucket, so an
// escalation goes at once while a queue of notices drains at the pace.
// After a 429 the channel waits for Slack's Retry-After.
type pacer struct {
	gap   time.Duration // one post per gap; <= 0: no pacing
	burst float64
	now   func() time.Time

	mu sync.Mutex
	ch map[string]*bucket
}

type bucket struct {
	tokens float64   // posts that may go now
	at     time.Time // when tokens was counted
	until  time.Time // no post before (after a 429)
}

// paceMargin is a twentieth of a post kept back for the time a request
// takes to reach Slack: Slack counts a post when it arrives, later than
// the pacer does.
const paceMargin = 0.05

func newPacer(gap time.Duration, burst int) *pacer {
	return &pacer{gap: gap, burst: float64(max(burst, 1)), now: time.Now, ch: map[string]*bucket{}}
}

// need is how many tokens a post must find: one, and one more left for
// urgent posts when the bucket holds two or more.
func (p *pacer) need(urgent bool) float64 {
	if urgent || p.burst < 2 {
		return 1 + paceMargin
	}
	return 2 + paceMargin
}

// delay is how long until a post to channel may go; when it may go now
// and take is set, the post takes its token.
func (p *pacer) delay(channel string, urgent, take bool) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	b := p.ch[channel]
	if b == nil {
		if len(p.ch) > 10000 {
			p.prune(now)
		}
		b = &bucket{tokens: p.burst, at: now}
		p.ch[channel] = b
	}
	b.tokens = min(p.burst, b.tokens+float64(now.Sub(b.at))/float64(p.gap))
	b.at = now
	if now.Before(b.until) {
		return b.until.Sub(now)
	}
	need := min(p.need(urgent), p.burst)
	if b.tokens >= need {
		if take {
			b.tokens--
		}
		return 0
	}
	return time.Duration((need - b.tokens) * float64(p.gap))
}

// prune forgets full buckets. p.mu must be held.
func (p *pacer) prune(now time.Time) {
	for ch, b := range p.ch {
		if now.After(b.until) && b.tokens+float64(now.Sub(b.at))/float64(p.gap) >= p.burst {
			delete(p.ch, ch)
		}
	}
}

// wait blocks until a post to channel may go and takes its token, or
// ctx ends.
func (p *pacer) wait(ctx context.Context, channel string, urgent bool) error {
	return p.sleep(ctx, channel, urgent, true)
}

// ready blocks until a post to channel could go, taking nothing.
func (p *pacer) ready(ctx context.Context, channel string, urgent bool) error {
	return p.sleep(ctx, channel, urgent, false)
}

func (p *pacer) sleep(ctx context.Context, channel string, urgent, take bool) error {
	if p.gap <= 0 {
		return nil
	}
	return wait.Until(ctx, func() time.Duration { return p.delay(channel, urgent, take) })
}

// hold keeps every post to channel back for d (a 429's Retry-After).
func (p *pacer) hold(channel string, d time.Duration) {
	if p.gap <= 0 || d <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	b := p.ch[channel]
	if b == nil {
		b = &bucket{at: now}
		p.ch[channel] = b
	}
	b.tokens, b.at = 0, now
	if u := now.Add(d); u.After(b.until) {
		b.until = u
	}
}
