package discord_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
)

// counting passes events to the core, frees a slot of window for each and
// closes done once want were handled.
type counting struct {
	*bot.Bot
	n, want atomic.Int64
	window  chan struct{}
	done    chan struct{}
}

func (c *counting) Handle(ctx context.Context, ev bot.Event) (bot.Result, error) {
	return c.Submit(ctx, ev)()
}

func (c *counting) Submit(ctx context.Context, ev bot.Event) func() (bot.Result, error) {
	wait := c.Bot.Submit(ctx, ev)
	return func() (bot.Result, error) {
		res, err := wait()
		if err == nil {
			<-c.window
			if c.n.Add(1) == c.want.Load() {
				close(c.done)
			}
		}
		return res, err
	}
}

// BenchmarkGatewayIngest sends b.N customer messages, spread over 50
// channels, as MESSAGE_CREATE dispatches over the fake gateway to the real
// adapter, backed by the real core on a bbolt file with fsync on, and
// reports how many events per second were handled. At most 512 messages
// are in flight: the fake drops a gateway connection whose 1,024 frames
// of buffer are full, as Discord does with a client that cannot keep up.
func BenchmarkGatewayIngest(b *testing.B) {
	const channels = 50
	fake := discordfake.New(discordfake.Options{Token: "tok", BotID: botID})
	defer fake.Close()
	var chans []string
	for i := range channels {
		ch := fmt.Sprint(5000 + i)
		chans = append(chans, ch)
		fake.AddChannel(guild, ch)
		fake.AddMember(guild, fmt.Sprint(7000+i), fmt.Sprintf("customer %d", i), nil, false)
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
	h := &counting{Bot: core, window: make(chan struct{}, 512), done: make(chan struct{})}
	h.want.Store(int64(b.N))
	ad, err := discord.New(discord.Config{Token: "tok", Channels: chans,
		HTTPClient: &http.Client{Transport: fake.Transport()}, Logger: slog.New(slog.DiscardHandler)}, h)
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
	if err := fake.WaitFor(wait, func() bool { return fake.Connected() && ad.Connected() }); err != nil {
		b.Fatal("not connected")
	}

	b.ResetTimer()
	timeout := time.After(time.Minute)
	for i := range b.N {
		select {
		case h.window <- struct{}{}:
		case <-timeout:
			b.Fatalf("%d of %d events handled after a minute", h.n.Load(), b.N)
		}
		fake.Post(chans[i%channels], fmt.Sprint(7000+i%channels), fmt.Sprintf("How do I export report %d?", i), "")
	}
	select {
	case <-h.done:
	case <-timeout:
		b.Fatalf("%d of %d events handled after a minute", h.n.Load(), b.N)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
