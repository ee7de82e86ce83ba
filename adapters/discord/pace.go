package discord

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openear/openear/adapters/internal/wait"
)

// pacer paces new messages in each channel by what Discord says of the
// channel's bucket in the X-RateLimit headers of each post (about 5 per
// 5 s): a post goes while the bucket has room, else waits for its reset.
// A post that is not urgent (bot.Action.Urgent) leaves the last post of
// the bucket to urgent ones, so an escalation goes at once while a queue
// of notices waits for the next window. Until Discord has answered a
// first post in a channel, posts go unpaced. After a 429 the channel
// waits for its retry_after.
type pacer struct {
	now func() time.Time

	mu sync.Mutex
	ch map[string]*postBucket
}

type postBucket struct {
	limit     int       // posts a window, from X-RateLimit-Limit
	remaining int       // posts left in the window, less those sent since
	reset     time.Time // when the window ends; zero: no window known
}

// resetMargin is added to a window's end: Discord counts the window from
// its own clock, and its answer took some time to arrive.
const resetMargin = 50 * time.Millisecond

func newPacer() *pacer { return &pacer{now: time.Now, ch: map[string]*postBucket{}} }

// delay is how long until a post to channel may go; when it may go now
// and take is set, the post is counted.
func (p *pacer) delay(channel string, urgent, take bool) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.ch[channel]
	if b == nil {
		return 0 // Discord has not said yet
	}
	now := p.now()
	if !b.reset.IsZero() && !now.Before(b.reset) {
		// The window is over; the next post starts one.
		b.remaining, b.reset = b.limit, time.Time{}
	}
	need := 1
	if !urgent && b.limit >= 2 {
		need = 2
	}
	if b.remaining >= need {
		if take {
			b.remaining--
		}
		return 0
	}
	if b.reset.IsZero() {
		return resetMargin // a window in which Discord has not answered yet
	}
	return b.reset.Sub(now)
}

func (p *pacer) wait(ctx context.Context, channel string, urgent bool) error {
	return p.sleep(ctx, channel, urgent, true)
}

func (p *pacer) ready(ctx context.Context, channel string, urgent bool) error {
	return p.sleep(ctx, channel, urgent, false)
}

func (p *pacer) sleep(ctx context.Context, channel string, urgent, take bool) error {
	return wait.Until(ctx, func() time.Duration { return p.delay(channel, urgent, take) })
}

// observe learns from the answer to a post in channel: the bucket's
// limit, what is left (never more than the posts counted since allow)
// and when the window ends; a 429 empties it until then.
func (p *pacer) observe(channel string, status int, h http.Header) {
	limit, err1 := strconv.Atoi(h.Get("X-RateLimit-Limit"))
	remaining, err2 := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	after, err3 := strconv.ParseFloat(h.Get("X-RateLimit-Reset-After"), 64)
	if err1 != nil || err2 != nil || err3 != nil || limit <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	b := p.ch[channel]
	if b == nil {
		if len(p.ch) > 10000 {
			for c, o := range p.ch {
				if now.After(o.reset) {
					delete(p.ch, c)
				}
			}
		}
		b = &postBucket{remaining: remaining}
		p.ch[channel] = b
	}
	b.limit = limit
	b.remaining = min(b.remaining, remaining)
	if status == http.StatusTooManyRequests {
		b.remaining = 0
	}
	if reset := now.Add(time.Duration(after*float64(time.Second)) + resetMargin); reset.After(b.reset) {
		b.reset = reset
	}
}

// postChannel is the channel of a request that creates a message
// ("/api/v9/channels/{id}/messages"), or "".
func postChannel(r *http.Request) string {
	if r.Method != http.MethodPost {
		return ""
	}
	p := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if n := len(p); n >= 3 && p[n-1] == "messages" && p[n-3] == "channels" {
		return p[n-2]
	}
	return ""
}
