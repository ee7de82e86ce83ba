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
	"github.com/openear/openear/web"
)

// App is a wired openear: the bot, its adapters and its HTTP endpoints.
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
}

// Wiring is what the demo and tests change about an App: zero values
// mean what `openear run` does.
type Wiring struct {
	Observe     func(bot.Observation) // besides metrics
	DiscordHTTP *http.Client          // the discord adapter's client (the demo's fake transport)
	Tick        time.Duration         // how often the clock loop and sender run
	SlackPace   time.Duration         // least time between posts in a Slack channel (0: 1s; <0: none, for tests)
}

// New wires the core to the adapters enabled in cfg.
func New(ctx context.Context, cfg config.Config, store bot.Store, clock bot.Clock, log *slog.Logger, w Wiring) (*App, error) {
	opts, err := BotOptions(cfg)
	if err != nil {
		return nil, err
	}
	opts.Store, opts.Clock, opts.Logger = store, clock, log
	m := metrics.New()
	opts.Observe = m.Observe
	if w.Observe != nil {
		opts.Observe = func(o bot.Observation) {
			m.Observe(o)
			w.Observe(o)
		}
	}
	opts.TickEvery, opts.SendEvery = w.Tick, w.Tick
	a := &App{log: log, Mux: http.NewServeMux()}
	opts.Web.URL = func() string { return a.publicURL(cfg) }
	b, err := bot.New(ctx, opts)
	if err != nil {
		return nil, err
	}
	a.Bot = b
	a.runners = append(a.runners, b.Run)
	if s := cfg.Slack; s != nil && s.Enabled {
		ad, err := slack.New(slack.Config{BotToken: s.BotToken.Reveal(), AppToken: s.AppToken.Reveal(), SigningSecret: s.SigningSecret.Reveal(),
			APIURL: s.APIURL, TriageChannel: s.TriageChannel, Channels: s.Channels, DMs: s.DMs, Staff: s.Staff,
			Logger: log.With("adapter", "slack"), PostInterval: w.SlackPace}, b)
		if err != nil {
			return nil, err
		}
		a.Slack = ad
		b.AddPlatform(ad)
		a.runners = append(a.runners, ad.Run)
		a.Mux.Handle("/slack/", ad.HTTPHandler())
	}
	if d := cfg.Discord; d != nil && d.Enabled {
		ad, err := discord.New(discord.Config{Token: d.Token.Reveal(), APIURL: d.APIURL, TriageChannel: d.TriageChannel,
			Channels: d.Channels, DMs: d.DMs, StaffRoles: d.StaffRoles, Staff: d.Staff, Logger: log.With("adapter", "discord"),
			HTTPClient: w.DiscordHTTP}, b)
		if err != nil {
			return nil, err
		}
		a.Discord = ad
		b.AddPlatform(ad)
		a.runners = append(a.runners, ad.Run)
	}
	a.Mux.HandleFunc("GET /healthz", a.healthz)
	a.serveDashboard(cfg, store, m, opts)
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

// serveDashboard mounts the dashboard, its JSON API and /metrics. With
// http.token set (config requires one when the listener is not
// loopback), /metrics needs it, and the dashboard needs it or a staff
// member's session for reading; acting needs a session always. Its pages
// speak the config's locale (a signed-in person's, a viewer's choice).
func (a *App) serveDashboard(cfg config.Config, store bot.Store, m *metrics.Metrics, opts bot.Options) {
	counts := &stateCounts{store: store}
	m.SetThreadsByState(counts.get)
	m.SetOutboxDepth(func() int {
		acts, err := store.Outbox(context.Background(), 100000)
		if err != nil {
			return -1
		}
		return len(acts)
	})
	csat := &csatStats{bot: a.Bot}
	m.SetCSAT(csat.get)
	if a.Slack != nil {
		m.SetConnected(bot.Slack, a.Slack.Connected)
	}
	if a.Discord != nil {
		m.SetConnected(bot.Discord, a.Discord.Connected)
	}
	protect := func(h http.Handler) http.Handler { return h }
	tok := cfg.HTTP.Token.Reveal()
	if tok != "" {
		protect = func(h http.Handler) http.Handler { return web.RequireToken(tok, h) }
	}
	dash := web.New(web.Options{Store: store, Now: a.Bot.Now, Stats: a.Bot.Stats, Token: tok, Inbox: a.Bot,
		People: opts.People, SecureCookie: strings.HasPrefix(cfg.HTTP.PublicURL, "https://"),
		Locale: opts.Locale, Locales: opts.Locales}).Handler()
	a.Mux.Handle("/metrics", protect(m.Handler()))
	a.Mux.Handle("/", dash)
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
	bot  *bot.Bot
	mu   sync.Mutex
	at   time.Time
	last bot.CSATStats
}

func (c *csatStats) get() bot.CSATStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < time.Minute {
		return c.last
	}
	now := c.bot.Now()
	st, err := c.bot.Stats(context.Background(), now.Add(-30*24*time.Hour), now)
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
// connected, 503 otherwise.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	st := map[string]string{}
	ok := true
	if a.Slack != nil {
		st["slack"] = connState(a.Slack.Connected())
		ok = ok && a.Slack.Connected()
	}
	if a.Discord != nil {
		st["discord"] = connState(a.Discord.Connected())
		ok = ok && a.Discord.Connected()
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
