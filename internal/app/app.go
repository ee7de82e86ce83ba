package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/config"
	"github.com/openear/openear/metrics"
	"github.com/openear/openear/storage/postgres"
	"github.com/openear/openear/web"
)

// App is a wired openear: the bot, its adapters and its HTTP endpoints.
//
// A replica (on PostgreSQL) has a bot and adapters only while it leads,
// one set per term: Bot, Slack and Discord are nil, and Leader tells the
// current ones.
type App struct {
	Bot     *bot.Bot
	Slack   *slack.Adapter   // nil unless slack is enabled
	Discord *discord.Adapter // nil unless discord is enabled
	// Mux serves every HTTP endpoint: Slack's, /healthz, /metrics and
	// the dashboard.
	Mux *http.ServeMux

	log      *slog.Logger
	runners  []func(context.Context) error
	listener atomic.Pointer[net.Listener] // set by Run
	rep      *replica                     // set on a store shared by replicas
}

// Wiring is what the demo and tests change about an App: zero values
// mean what `openear run` does.
type Wiring struct {
	Observe     func(bot.Observation) // besides metrics
	DiscordHTTP *http.Client          // the discord adapter's client (the demo's fake transport)
	Tick        time.Duration         // how often the clock loop and sender run
	SlackPace   time.Duration         // least time between posts in a Slack channel (0: 1s; <0: none, for tests)
	// Advertise is the base URL other replicas forward Slack commands and
	// button presses to while this one leads (PostgreSQL replicas);
	// empty: http://<host of the listener, or this machine's name>:<port>.
	Advertise string
}

// New wires the core to the adapters enabled in cfg. On a PostgreSQL
// store (storage/postgres) the App is a replica (replica.go): it serves
// HTTP at once and runs the bot and the adapters only while it holds the
// leader's lease. On any other store it is the only openear and runs them
// all along.
func New(ctx context.Context, cfg config.Config, store bot.Store, clock bot.Clock, log *slog.Logger, w Wiring) (*App, error) {
	if pg, ok := store.(*postgres.Store); ok {
		return newReplica(ctx, cfg, pg, clock, log, w)
	}
	m := metrics.New()
	a := &App{log: log, Mux: http.NewServeMux()}
	b, sl, dc, err := wire(ctx, cfg, store, clock, log, w, m)
	if err != nil {
		return nil, err
	}
	a.Bot, a.Slack, a.Discord = b, sl, dc
	a.runners = append(a.runners, b.Run)
	if sl != nil {
		a.runners = append(a.runners, sl.Run)
		a.Mux.Handle("/slack/", sl.HTTPHandler())
		m.SetConnected(bot.Slack, sl.Connected)
	}
	if dc != nil {
		a.runners = append(a.runners, dc.Run)
		m.SetConnected(bot.Discord, dc.Connected)
	}
	a.Mux.HandleFunc("GET /healthz", a.healthz)
	a.serveDashboard(cfg, store, m, a.Bot.Stats)
	return a, nil
}

// wire builds the core on store and the adapters cfg enables, feeding
// it; nothing runs yet.
func wire(ctx context.Context, cfg config.Config, store bot.Store, clock bot.Clock, log *slog.Logger, w Wiring, m *metrics.Metrics) (*bot.Bot, *slack.Adapter, *discord.Adapter, error) {
	opts, err := BotOptions(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	opts.Store, opts.Clock, opts.Logger = store, clock, log
	opts.Observe = m.Observe
	if w.Observe != nil {
		opts.Observe = func(o bot.Observation) {
			m.Observe(o)
			w.Observe(o)
		}
	}
	opts.TickEvery, opts.SendEvery = w.Tick, w.Tick
	b, err := bot.New(ctx, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	var sl *slack.Adapter
	if s := cfg.Slack; s != nil && s.Enabled {
		sl, err = slack.New(slack.Config{BotToken: s.BotToken.Reveal(), AppToken: s.AppToken.Reveal(), SigningSecret: s.SigningSecret.Reveal(),
			APIURL: s.APIURL, TriageChannel: s.TriageChannel, Channels: s.Channels, DMs: s.DMs, Staff: s.Staff,
			Logger: log.With("adapter", "slack"), PostInterval: w.SlackPace}, b)
		if err != nil {
			return nil, nil, nil, err
		}
		b.AddPlatform(sl)
	}
	var dc *discord.Adapter
	if d := cfg.Discord; d != nil && d.Enabled {
		dc, err = discord.New(discord.Config{Token: d.Token.Reveal(), APIURL: d.APIURL, TriageChannel: d.TriageChannel,
			Channels: d.Channels, DMs: d.DMs, StaffRoles: d.StaffRoles, Staff: d.Staff, Logger: log.With("adapter", "discord"),
			HTTPClient: w.DiscordHTTP}, b)
		if err != nil {
			return nil, nil, nil, err
		}
		b.AddPlatform(dc)
	}
	return b, sl, dc, nil
}

// serveDashboard mounts the dashboard, its JSON API and /metrics, behind
// the http.token when one is set (config requires one when the listener is
// not loopback).
func (a *App) serveDashboard(cfg config.Config, store bot.Store, m *metrics.Metrics, stats func(context.Context, time.Time, time.Time) (bot.Stats, error)) {
	counts := &stateCounts{store: store}
	m.SetThreadsByState(counts.get)
	m.SetOutboxDepth(func() int {
		acts, err := store.Outbox(context.Background(), 100000)
		if err != nil {
			return -1
		}
		return len(acts)
	})
	protect := func(h http.Handler) http.Handler { return h }
	if tok := cfg.HTTP.Token.Reveal(); tok != "" {
		protect = func(h http.Handler) http.Handler { return web.RequireToken(tok, h) }
	}
	now := time.Now
	if a.Bot != nil {
		now = a.Bot.Now
	}
	dash := web.New(web.Options{Store: store, Now: now, Stats: stats}).Handler()
	a.Mux.Handle("/metrics", protect(m.Handler()))
	a.Mux.Handle("/", protect(dash))
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

// Addr is the address Run listens on, once it does; nil before.
func (a *App) Addr() net.Addr {
	if ln := a.listener.Load(); ln != nil {
		return (*ln).Addr()
	}
	return nil
}

// healthz reports each adapter's connection state: 200 when all are
// connected, 503 otherwise. The only openear is always the leader.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	st, ok := adapterStates(a.Slack, a.Discord)
	writeHealth(w, ok, map[string]any{"ok": ok, "role": "leader", "adapters": st})
}

// adapterStates reports the connection state of the adapters that are
// not nil, and whether all of them are connected.
func adapterStates(sl *slack.Adapter, dc *discord.Adapter) (map[string]string, bool) {
	st := map[string]string{}
	ok := true
	if sl != nil {
		st["slack"] = connState(sl.Connected())
		ok = ok && sl.Connected()
	}
	if dc != nil {
		st["discord"] = connState(dc.Connected())
		ok = ok && dc.Connected()
	}
	return st, ok
}

// writeHealth writes a /healthz answer: 200 when ok, else 503.
func writeHealth(w http.ResponseWriter, ok bool, body map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(body)
}

func connState(ok bool) string {
	if ok {
		return "connected"
	}
	return "disconnected"
}

// Run serves HTTP on addr (if not empty) and runs the bot and adapters
// until ctx ends or one of them fails.
func (a *App) Run(ctx context.Context, addr string) error {
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
		a.listener.Store(&ln)
		if a.rep != nil {
			a.rep.listening(ln.Addr())
		}
		srv := &http.Server{Handler: a.Mux, ReadHeaderTimeout: 10 * time.Second}
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
