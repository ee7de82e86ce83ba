package slack_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
)

// counting passes events to the core and closes done once n were handled.
type counting struct {
	*bot.Bot
	n, want atomic.Int64
	done    chan struct{}
}

func (c *counting) Handle(ctx context.Context, ev bot.Event) (bot.Result, error) {
	return c.Submit(ctx, ev)()
}

func (c *counting) Submit(ctx context.Context, ev bot.Event) func() (bot.Result, error) {
	wait := c.Bot.Submit(ctx, ev)
	return func() (bot.Result, error) {
		res, err := wait()
		if err == nil && c.n.Add(1) == c.want.Load() {
			close(c.done)
		}
		return res, err
	}
}

// BenchmarkSocketModeIngest sends b.N customer messages, spread over 50
// channels, as events_api envelopes over the fake's Socket Mode websocket
// to the real adapter, backed by the real core on a bbolt file with fsync
// on, and reports how many events per second were handled.
func BenchmarkSocketModeIngest(b *testing.B) {
	const channels = 50
	fake := newFake(b, slackfake.Options{AckTimeout: time.Hour})
	defer fake.Close()
	var chans []string
	for i := range channels {
		ch := fmt.Sprintf("C%04d", i)
		chans = append(chans, ch)
		fake.AddChannel(ch, fmt.Sprintf("customer-%d", i))
		fake.AddUser(fmt.Sprintf("U%04d", i), "TACME", fmt.Sprintf("customer %d", i), false)
	}
	db, err := storage.Open(filepath.Join(b.TempDir(), "openear.db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	core, err := bot.New(ctx, bot.Options{Store: db, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	h := &counting{Bot: core, done: make(chan struct{})}
	h.want.Store(int64(b.N))
	o := fake.Options()
	ad, err := slack.New(slack.Config{BotToken: o.BotToken, AppToken: o.AppToken, APIURL: fake.URL() + "/api/",
		Channels: chans, PostInterval: -1, Logger: slog.New(slog.DiscardHandler)}, h)
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() {
		if err := ad.Run(ctx); err != nil {
			b.Error(err)
		}
	})
	wait, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := fake.WaitFor(wait, func() bool { return ad.Connected() && fake.Sockets() == 1 }); err != nil {
		b.Fatal("not connected")
	}

	b.ResetTimer()
	for i := range b.N {
		fake.Post(chans[i%channels], fmt.Sprintf("U%04d", i%channels), fmt.Sprintf("How do I export report %d?", i), "")
	}
	select {
	case <-h.done:
	case <-time.After(time.Minute):
		b.Fatalf("%d of %d events handled after a minute", h.n.Load(), b.N)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
