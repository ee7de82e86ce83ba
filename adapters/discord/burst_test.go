package discord_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/adapters/internal/burst"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
)

// handledAt passes events to the core and records when each message
// event was handled (committed).
type handledAt struct {
	*bot.Bot
	mu   sync.Mutex
	at   map[string]time.Time // message id -> handled
	done chan struct{}        // gets a token per handled message
}

func (h *handledAt) Handle(ctx context.Context, ev bot.Event) (bot.Result, error) {
	res, err := h.Bot.Handle(ctx, ev)
	if err == nil {
		h.handled(ev)
	}
	return res, err
}

// Submit is the Bot's, the handling time taken when the wait returns.
func (h *handledAt) Submit(ctx context.Context, ev bot.Event) func() (bot.Result, error) {
	wait := h.Bot.Submit(ctx, ev)
	return func() (bot.Result, error) {
		res, err := wait()
		if err == nil {
			h.handled(ev)
		}
		return res, err
	}
}

func (h *handledAt) handled(ev bot.Event) {
	h.mu.Lock()
	h.at[ev.MessageID] = time.Now()
	h.mu.Unlock()
	h.done <- struct{}{}
}

// BenchmarkBurstHandled posts a burst of customer messages at once — 500
// in one channel, or 1,000 over ten channels — as MESSAGE_CREATE
// dispatches over the fake gateway to the real adapter, backed by the
// real core on a bbolt file (fsync on), and reports each message's time
// from its dispatch to its handling (committed; the gateway has no ack):
// p50_ms, p99_ms, max_ms over every burst of the run. Each burst comes
// from 100 customers. core_events/s is the core alone, in the same run:
// the same events offered to Bot.Handle at once on a fresh file.
//
//	go test -run XXX -bench BurstHandled -benchtime 5x ./adapters/discord
func BenchmarkBurstHandled(b *testing.B) {
	for _, shape := range []struct{ channels, per int }{{1, 500}, {10, 100}} {
		b.Run(fmt.Sprintf("gateway/%dx%d", shape.channels, shape.per), func(b *testing.B) {
			burstHandled(b, shape.channels, shape.per)
		})
	}
}

func burstHandled(b *testing.B, channels, per int) {
	const customers = 100
	fake := discordfake.New(discordfake.Options{Token: "tok", BotID: botID})
	defer fake.Close()
	fake.AddChannel(guild, triage)
	var chans []string
	for i := range channels {
		ch := fmt.Sprint(5000 + i)
		chans = append(chans, ch)
		fake.AddChannel(guild, ch)
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
	n := channels * per
	h := &handledAt{Bot: core, at: map[string]time.Time{}, done: make(chan struct{}, n)}
	ad, err := discord.New(discord.Config{Token: "tok", TriageChannel: triage, Channels: chans,
		HTTPClient: &http.Client{Transport: fake.Transport()}, Logger: slog.New(slog.DiscardHandler)}, h)
	if err != nil {
		b.Fatal(err)
	}
	core.AddPlatform(ad)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() { _ = core.Run(ctx) }) // the sender posts triage notices meanwhile, as in a deployment
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

	var lat burst.Latencies
	var coreEvents []bot.Event
	var took time.Duration
	b.ResetTimer()
	for iter := range b.N {
		posted := map[string]time.Time{}
		t0 := time.Now()
		for i := range n {
			user := fmt.Sprint(70000 + iter*customers + i%customers)
			text := fmt.Sprintf("The export of report %d fails with an error, please help", i)
			at := time.Now()
			m := fake.Post(chans[i%channels], user, text, "")
			posted[m.ID] = at
			if iter == 0 {
				coreEvents = append(coreEvents, bot.Event{ID: "core:" + m.ID, Kind: bot.KindMessage, Platform: bot.Discord,
					Channel: m.ChannelID, MessageID: m.ID, User: user, Text: text, At: time.Now()})
			}
		}
		timeout := time.After(time.Minute)
		for i := range n {
			select {
			case <-h.done:
			case <-timeout:
				b.Fatalf("%d of %d messages handled after a minute", i, n)
			}
		}
		took += time.Since(t0)
		h.mu.Lock()
		for id, at := range posted {
			lat.Add(h.at[id].Sub(at))
		}
		h.mu.Unlock()
	}
	b.StopTimer()
	lat.Report(b)
	b.ReportMetric(float64(b.N*n)/took.Seconds(), "events/s")
	rate, err := burst.CoreRate(b.TempDir(), coreEvents)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(rate, "core_events/s")
}
