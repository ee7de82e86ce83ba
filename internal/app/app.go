package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
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
	b, sl, dc, err := wire(ctx, cfg, store, clock, log, w, m, func() string { return a.publicURL(cfg) })
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
	opts, err := BotOptions(cfg)
	if err != nil {
		return nil, err
	}
	csat := &csatStats{stats: b.Stats, now: b.Now}
	m.SetCSAT(csat.get)
	a.Mux.Handle("/", a.dashboard(cfg, store, m, opts, b.Now, b.Stats, b))
	return a, nil
}

// publicURL is the base of sign-in links: http.public_url, else
// http:// and the address Run listens on — unless that is every
// interface (0.0.0.0, ::), which no browser can be sent to: then ""
// and `login` says to set http.public_url.
func (a *App) publicURL(cfg config.Config) string {
	if u := cfg.HTTP.PublicURL; u != "" {
		return u
	}
	addr := a.Addr()
	if addr == nil {
		return ""
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		return ""
	}
	return "http://" + net.JoinHostPort(host, port)
}

// wire builds the core on store and the adapters cfg enables, feeding
// it; nothing runs yet.
// publicURL is the base of sign-in links (App.publicURL).
func wire(ctx context.Context, cfg config.Config, store bot.Store, clock bot.Clock, log *slog.Logger, w Wiring, m *metrics.Metrics,
	publicURL func() string) (*bot.Bot, *slack.Adapter, *discord.Adapter, error) {
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
	opts.Web.URL = publicURL
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

// dashboard returns the dashboard with its JSON API, and mounts
// /metrics. With http.token set (config requires one when the listener
// is not loopback), /metrics needs it, and the dashboard needs it or a
// staff member's session for reading; acting needs a session always. Its
// pages speak the config's locale (a signed-in person's, a viewer's
// choice). now and stats are the bot's (on a replica: the current
// leader's, or the store's while it stands by); inbox signs staff in and
// runs their actions.
func (a *App) dashboard(cfg config.Config, store bot.Store, m *metrics.Metrics, opts bot.Options, now func() time.Time,
	stats func(context.Context, time.Time, time.Time) (bot.Stats, error), inbox web.Inbox) http.Handler {
	counts := &stateCounts{store: store}
	m.SetThreadsByState(counts.get)
	m.SetOutboxDepth(func() int {
		acts, err := store.Outbox(context.Background(), 100000)
		if err != nil {
			return -1
		}
		return len(acts)
	})
	tok := cfg.HTTP.Token.Reveal()
	metricsH := m.Handler()
	if tok != "" {
		metricsH = web.RequireToken(tok, metricsH)
	}
	a.Mux.Handle("/metrics", metricsH)
	return web.New(web.Options{Store: store, Now: now, Stats: stats, Token: tok, Inbox: inbox,
		People: opts.People, SecureCookie: strings.HasPrefix(cfg.HTTP.PublicURL, "https://"),
		Locale: opts.Locale, Locales: opts.Locales}).Handler()
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

// csatStats summarises the CSAT of the threads of the last 30 days for
// /metrics, reading the store at most every minute (a full scan).
type csatStats struct {
	stats func(context.Context, time.Time, time.Time) (bot.Stats, error)
	now   func() time.Time
	mu    sync.Mutex
	at    time.Time
	last  bot.CSATStats
}

func (c *csatStats) get() bot.CSATStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < time.Minute {
		return c.last
	}
	now := c.now()
	st, err := c.stats(context.Background(), now.Add(-30*24*time.Hour), now)
	if err != nil {
		return c.last
	}
	c.last, c.at = st.CSAT, time.Now()
	return c.last
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
