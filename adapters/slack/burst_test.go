package slack_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/adapters/internal/burst"
	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
)

// BenchmarkBurstAck delivers a burst of customer messages at once — 500
// in one channel, or 1,000 over ten channels — over Socket Mode or the
// Events API, from the fake to the real adapter backed by the real core
// on a bbolt file (fsync on), and reports each delivery's ack latency
// (p50_ms, p99_ms, max_ms: from the envelope's write to its ack, or from
// the request to its response) over every burst of the run. Each burst
// comes from 100 customers openear has not seen (five or ten messages
// each), so every customer's first message misses the name cache.
// core_events/s is the core alone, in the same run: the same events
// offered to Bot.Handle at once on a fresh file. The core runs as in a
// deployment: its sender posts a triage notice per new thread (paced at
// one post a second in the triage channel, as Slack allows) meanwhile.
//
//	go test -run XXX -bench BurstAck -benchtime 5x ./adapters/slack
func BenchmarkBurstAck(b *testing.B) {
	for _, mode := range []string{"socket", "events"} {
		for _, shape := range []struct{ channels, per int }{{1, 500}, {10, 100}} {
			b.Run(fmt.Sprintf("%s/%dx%d", mode, shape.channels, shape.per), func(b *testing.B) {
				burstAck(b, mode == "socket", shape.channels, shape.per)
			})
		}
	}
}

// apiLatency is the fake Web API's answer time in BenchmarkBurstAck: a
// round trip to Slack.
const apiLatency = 100 * time.Millisecond

func burstAck(b *testing.B, socket bool, channels, per int) {
	const customers = 100
	fake := slackfake.New(slackfake.Options{AckTimeout: time.Minute, PingInterval: time.Second, Latency: apiLatency})
	defer fake.Close()
	fake.AddChannel("C0TRIAGE", "triage")
	var chans []string
	for i := range channels {
		ch := fmt.Sprintf("C%04d", i)
		chans = append(chans, ch)
		fake.AddChannel(ch, fmt.Sprintf("customer-%d", i))
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
	o := fake.Options()
	cfg := slack.Config{BotToken: o.BotToken, SigningSecret: o.SigningSecret, APIURL: fake.URL() + "/api/",
		TriageChannel: "C0TRIAGE", Channels: chans, Logger: slog.New(slog.DiscardHandler)}
	if socket {
		cfg.AppToken = o.AppToken
	}
	ad, err := slack.New(cfg, core)
	if err != nil {
		b.Fatal(err)
	}
	if !socket {
		app := httptest.NewServer(ad.HTTPHandler())
		defer app.Close()
		fake.SetAppURL(app.URL)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	core.AddPlatform(ad)
	wg.Go(func() { _ = core.Run(ctx) }) // the sender posts triage notices meanwhile, as in a deployment
	wg.Go(func() {
		if err := ad.Run(ctx); err != nil {
			b.Error(err)
		}
	})
	wait, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := fake.WaitFor(wait, func() bool { return ad.Connected() && (!socket || fake.Sockets() == 1) }); err != nil {
		b.Fatal("not connected")
	}

	n := channels * per
	var lat burst.Latencies
	var coreEvents []bot.Event
	var took time.Duration
	b.ResetTimer()
	for iter := range b.N {
		type msg struct{ ch, user, text string }
		msgs := make([]msg, n)
		for i := range n {
			c := i % customers
			u := fmt.Sprintf("U%03d%04d", iter, c)
			if i < customers {
				fake.AddUser(u, "TACME", fmt.Sprintf("customer %d-%d", iter, c), false)
			}
			msgs[i] = msg{chans[i%channels], u, fmt.Sprintf("The export of report %d fails with an error, please help", i)}
		}
		if iter == 0 {
			for i, m := range msgs {
				coreEvents = append(coreEvents, bot.Event{ID: fmt.Sprintf("core-%d", i), Kind: bot.KindMessage,
					Platform: bot.Slack, Channel: m.ch, MessageID: fmt.Sprintf("1700000000.%06d", i), User: m.user,
					Text: m.text, At: time.Now()})
			}
		}
		t0 := time.Now()
		if socket {
			acked := len(fake.Acks())
			for _, m := range msgs {
				fake.Post(m.ch, m.user, m.text, "")
			}
			for len(fake.Acks()) < acked+n {
				if time.Since(t0) > time.Minute {
					b.Fatalf("%d of %d acked after a minute", len(fake.Acks())-acked, n)
				}
				time.Sleep(2 * time.Millisecond)
			}
		} else {
			start := make(chan struct{})
			var posts sync.WaitGroup
			for _, m := range msgs {
				posts.Go(func() {
					<-start
					t := time.Now()
					fake.Post(m.ch, m.user, m.text, "")
					lat.Add(time.Since(t))
				})
			}
			close(start)
			posts.Wait()
		}
		took += time.Since(t0)
	}
	b.StopTimer()
	if socket {
		sent := map[string]time.Time{}
		for _, d := range fake.Deliveries() {
			if d.Transport == "socket" && d.Type == "events_api" && d.Attempt == 0 {
				sent[d.EnvelopeID] = d.At
			}
		}
		for _, a := range fake.Acks() {
			if t, ok := sent[a.EnvelopeID]; ok {
				lat.Add(a.At.Sub(t))
			}
		}
	}
	for _, d := range fake.Deliveries() {
		if d.Attempt > 0 {
			b.Errorf("a delivery was retried: %+v", d)
			break
		}
	}
	if lat.Len() != b.N*n {
		b.Fatalf("%d latencies for %d deliveries", lat.Len(), b.N*n)
	}
	lat.Report(b)
	b.ReportMetric(float64(b.N*n)/took.Seconds(), "events/s")
	rate, err := burst.CoreRate(b.TempDir(), coreEvents)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(rate, "core_events/s")
}
