package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/config"
	"github.com/openear/openear/metrics"
	"github.com/openear/openear/storage"
	"github.com/openear/openear/web"
)

func cmdRun(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("run", "-config FILE", stderr)
	path := fs.String("config", "openear.yaml", "config file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	db, err := storage.Open(cfg.Storage.Path, storage.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	app, err := newApp(ctx, cfg, db, bot.SystemClock{}, log, wiring{})
	if err != nil {
		return err
	}
	return app.run(ctx, cfg.HTTP.Listen)
}

// app is a wired openear: the bot, its adapters and its HTTP endpoints.
type app struct {
	bot      *bot.Bot
	log      *slog.Logger
	slack    *slack.Adapter
	discord  *discord.Adapter
	mux      *http.ServeMux
	runners  []func(context.Context) error
	addr     string       // http.listen
	listener net.Listener // set by run
}

// wiring is what the demo and tests change about an app: zero values
// mean what `openear run` does.
type wiring struct {
	observe     func(bot.Observation) // besides metrics
	discordHTTP *http.Client          // the discord adapter's client (the demo's fake transport)
	tick        time.Duration         // how often the clock loop and sender run
	slackPace   time.Duration         // least time between posts in a Slack channel (0: 1s; <0: none, for tests)
}

// newApp wires the core to the adapters enabled in cfg.
func newApp(ctx context.Context, cfg config.Config, store bot.Store, clock bot.Clock, log *slog.Logger, w wiring) (*app, error) {
	opts, err := botOptions(cfg)
	if err != nil {
		return nil, err
	}
	opts.Store, opts.Clock, opts.Logger = store, clock, log
	m := metrics.New()
	opts.Observe = m.Observe
	if w.observe != nil {
		opts.Observe = func(o bot.Observation) {
			m.Observe(o)
			w.observe(o)
		}
	}
	opts.TickEvery, opts.SendEvery = w.tick, w.tick
	b, err := bot.New(ctx, opts)
	if err != nil {
		return nil, err
	}
	a := &app{bot: b, log: log, mux: http.NewServeMux(), addr: cfg.HTTP.Listen}
	a.runners = append(a.runners, b.Run)
	if s := cfg.Slack; s != nil && s.Enabled {
		ad, err := slack.New(slack.Config{BotToken: s.BotToken.Reveal(), AppToken: s.AppToken.Reveal(), SigningSecret: s.SigningSecret.Reveal(),
			APIURL: s.APIURL, TriageChannel: s.TriageChannel, Channels: s.Channels, DMs: s.DMs, Staff: s.Staff,
			Logger: log.With("adapter", "slack"), PostInterval: w.slackPace}, b)
		if err != nil {
			return nil, err
		}
		a.slack = ad
		b.AddPlatform(ad)
		a.runners = append(a.runners, ad.Run)
		h := ad.HTTPHandler()
		a.mux.Handle("/slack/", h)
	}
	if d := cfg.Discord; d != nil && d.Enabled {
		ad, err := discord.New(discord.Config{Token: d.Token.Reveal(), APIURL: d.APIURL, TriageChannel: d.TriageChannel,
			Channels: d.Channels, DMs: d.DMs, StaffRoles: d.StaffRoles, Staff: d.Staff, Logger: log.With("adapter", "discord"),
			HTTPClient: w.discordHTTP}, b)
		if err != nil {
			return nil, err
		}
		a.discord = ad
		b.AddPlatform(ad)
		a.runners = append(a.runners, ad.Run)
	}
	a.mux.HandleFunc("GET /healthz", a.healthz)
	a.serveDashboard(cfg, store, m)
	return a, nil
}

// serveDashboard mounts the dashboard, its JSON API and /metrics, behind
// the http.token when one is set (config requires one when the listener is
// not loopback).
func (a *app) serveDashboard(cfg config.Config, store bot.Store, m *metrics.Metrics) {
	counts := &stateCounts{store: store}
	m.SetThreadsByState(counts.get)
	m.SetOutboxDepth(func() int {
		acts, err := store.Outbox(context.Background(), 100000)
		if err != nil {
			return -1
		}
		return len(acts)
	})
	if a.slack != nil {
		m.SetConnected(bot.Slack, a.slack.Connected)
	}
	if a.discord != nil {
		m.SetConnected(bot.Discord, a.discord.Connected)
	}
	protect := func(h http.Handler) http.Handler { return h }
	if tok := cfg.HTTP.Token.Reveal(); tok != "" {
		protect = func(h http.Handler) http.Handler { return web.RequireToken(tok, h) }
	}
	dash := web.New(web.Options{Store: store, Now: a.bot.Now, Stats: a.bot.Stats}).Handler()
	a.mux.Handle("/metrics", protect(m.Handler()))
	a.mux.Handle("/", protect(dash))
}

// stateCounts counts threads by state for /metrics, reading the store at
// most every 15 seconds (a full scan).
type stateCounts struct {
	store bot.Store
	mu    sync.Mutex
	at    time.Time
	last  map[bot.State]int
}

func (c *stateCounts) get() map[bot.State]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last != nil && time.Since(c.at) < 15*time.Second {
		return c.last
	}
	counts := map[bot.State]int{}
	if err := c.store.Threads(context.Background(), func(t bot.Thread) bool { counts[t.State]++; return true }); err != nil {
		return c.last
	}
	c.last, c.at = counts, time.Now()
	return counts
}

// healthz reports each adapter's connection state: 200 when all are
// connected, 503 otherwise.
func (a *app) healthz(w http.ResponseWriter, r *http.Request) {
	st := map[string]string{}
	ok := true
	if a.slack != nil {
		st["slack"] = connState(a.slack.Connected())
		ok = ok && a.slack.Connected()
	}
	if a.discord != nil {
		st["discord"] = connState(a.discord.Connected())
		ok = ok && a.discord.Connected()
	}
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(map[string]any{"ok": ok, "adapters": st})
}

func connState(ok bool) string {
	if ok {
		return "connected"
	}
	return "disconnected"
}

// run serves HTTP on addr (if not empty) and runs the bot and adapters
// until ctx ends or one of them fails.
func (a *app) run(ctx context.Context, addr string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(a.runners)+1)
	var wg sync.WaitGroup
	stopHTTP := func() {}
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("http listen: %w", err)
		}
		a.listener = ln
		srv := &http.Server{Handler: a.mux, ReadHeaderTimeout: 10 * time.Second}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("http: %w", err)
			}
		}()
		stopHTTP = func() {
			sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer scancel()
			srv.Shutdown(sctx)
		}
		a.log.Info("http listening", "addr", ln.Addr().String())
	}
	for _, r := range a.runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r(ctx); err != nil && ctx.Err() == nil {
				errs <- err
			}
		}()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errs:
		a.log.Error("stopping", "err", err)
	}
	cancel()
	stopHTTP()
	wg.Wait()
	return err
}
