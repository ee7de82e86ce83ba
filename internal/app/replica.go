package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/config"
	"github.com/openear/openear/metrics"
	"github.com/openear/openear/storage/postgres"
)

// Replicas. Any number of `openear run` share one PostgreSQL database.
// Each serves HTTP (dashboard, /metrics, /healthz, Slack's endpoints) all
// along, and competes for the lease (storage/postgres): the one that
// holds it is the leader for a term. For its term the leader makes a bot
// on a view of the store fenced with the term's token, and the adapters
// (Slack Socket Mode or Events API, the Discord gateway); it runs the SLA
// clock and delivers the outbox, renews the lease every third of it, and
// handles the Events API deliveries standbys stored in the inbox. Like any
// restart, a new leader backfills from the stored cursors.
//
// A term ends when the lease is lost (taken over, or not renewed within
// it: the leader steps down before a standby can take over, by the
// database's clock) or when a write is fenced; the replica then competes
// again as a standby. It ends the process (Run returns the error) when an
// adapter fails as it would end a single openear; then, and on a clean
// shutdown, the lease is released so that a standby takes over at once.

// term is one leadership of this replica.
type term struct {
	token   uint64
	bot     *bot.Bot
	slack   *slack.Adapter
	discord *discord.Adapter
}

// replica is the part of an App that runs on a store shared by replicas.
type replica struct {
	cfg    config.Config
	store  *postgres.Store
	clock  bot.Clock
	log    *slog.Logger
	w      Wiring
	m      *metrics.Metrics
	lease  time.Duration
	holder string

	publicURL func() string                  // the base of sign-in links (App.publicURL)
	addr      atomic.Pointer[string]         // announced HTTP base URL, once listening
	term      atomic.Pointer[term]           // nil while a standby
	lastLease atomic.Pointer[postgres.Lease] // as last read
	takeovers atomic.Int64
}

// errLeaseLost ends a term whose lease could not be renewed in time.
var errLeaseLost = errors.New("lease not renewed in time")

// errTermStart: a term could not start (the store did not answer); the
// lease is released and the replica competes again.
var errTermStart = errors.New("term did not start")

func newReplica(ctx context.Context, cfg config.Config, store *postgres.Store, clock bot.Clock, log *slog.Logger, w Wiring) (*App, error) {
	if _, err := BotOptions(cfg); err != nil { // refuse a bad config before serving anything
		return nil, err
	}
	host, _ := os.Hostname()
	r := &replica{cfg: cfg, store: store, clock: clock, log: log, w: w, m: metrics.New(),
		lease: cfg.Storage.Lease.D(), holder: host + "/" + strconv.Itoa(os.Getpid())}
	if r.lease <= 0 {
		r.lease = config.MaxLease
	}
	if w.Advertise != "" {
		r.addr.Store(&w.Advertise)
	}
	a := &App{log: log, Mux: http.NewServeMux(), rep: r}
	a.runners = append(a.runners, r.run)
	if cfg.Slack != nil && cfg.Slack.Enabled {
		a.Mux.Handle("/slack/", http.HandlerFunc(r.serveSlack))
		r.m.SetConnected(bot.Slack, func() bool {
			t := r.term.Load()
			return t != nil && t.slack != nil && t.slack.Connected()
		})
	}
	if cfg.Discord != nil && cfg.Discord.Enabled {
		r.m.SetConnected(bot.Discord, func() bool {
			t := r.term.Load()
			return t != nil && t.discord != nil && t.discord.Connected()
		})
	}
	r.m.Registry().MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "openear_leader",
			Help: "1 while this replica holds the leader's lease, else 0."},
			func() float64 {
				if r.term.Load() != nil {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "openear_leader_terms_total",
			Help: "Times this replica took the leader's lease."},
			func() float64 { return float64(r.takeovers.Load()) }),
	)
	a.Mux.HandleFunc("GET /healthz", r.healthz)
	opts, _ := BotOptions(cfg) // checked above
	r.publicURL = func() string { return a.publicURL(cfg) }
	csat := &csatStats{stats: r.stats, now: clock.Now}
	r.m.SetCSAT(csat.get)
	a.Mux.Handle("/", r.dashboardFront(a.dashboard(cfg, store, r.m, opts, clock.Now, r.stats, termInbox{r})))
	return a, nil
}

// Leader returns the bot and adapters of the replica's current term, or
// nil while it is a standby (or when the App is no replica).
func (a *App) Leader() (*bot.Bot, *slack.Adapter, *discord.Adapter) {
	if a.rep == nil {
		return a.Bot, a.Slack, a.Discord
	}
	t := a.rep.term.Load()
	if t == nil {
		return nil, nil, nil
	}
	return t.bot, t.slack, t.discord
}

// listening records where Run listens: the address announced to the
// other replicas, unless Wiring.Advertise set one.
func (r *replica) listening(addr net.Addr) {
	if r.addr.Load() != nil {
		return
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		if name, err := os.Hostname(); err == nil {
			host = name
		}
	}
	u := "http://" + net.JoinHostPort(host, port)
	r.addr.Store(&u)
}

func (r *replica) advertised() string {
	if p := r.addr.Load(); p != nil {
		return *p
	}
	return ""
}

// pollEvery is how often a standby looks at the lease: a tenth of it.
func (r *replica) pollEvery() time.Duration { return max(r.lease/10, 100*time.Millisecond) }

// run competes for the lease until ctx ends, and leads while it holds it.
func (r *replica) run(ctx context.Context) error {
	var lastErr string
	for {
		start := time.Now()
		l, ok, err := r.store.Acquire(ctx, r.holder, r.advertised(), r.lease)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			if msg := err.Error(); msg != lastErr {
				r.log.Error("cannot read the lease; retrying", "err", err)
				lastErr = msg
			}
		case ok:
			lastErr = ""
			r.lastLease.Store(&l)
			err := r.lead(ctx, l, start)
			lost := steppedDown(err)
			if ctx.Err() != nil || !lost {
				r.release(l.Token)
			}
			switch {
			case ctx.Err() != nil:
				return nil
			case errors.Is(err, errTermStart):
				r.log.Error("could not start leading; standby again", "token", l.Token, "err", err)
			case !lost:
				return err
			default:
				r.log.Warn("stepped down: standby again", "token", l.Token, "why", err)
				continue
			}
		default:
			lastErr = ""
			r.lastLease.Store(&l)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(r.pollEvery()):
		}
	}
}

// steppedDown reports whether a term ended because another replica is,
// or may be, the leader now.
func steppedDown(err error) bool {
	return errors.Is(err, bot.ErrFenced) || errors.Is(err, errLeaseLost)
}

// release gives the lease up, so that a standby need not wait for it to
// expire.
func (r *replica) release(token uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := r.store.Release(ctx, token); err != nil {
		r.log.Warn("could not release the lease; a standby takes over when it expires", "err", err)
	}
}

// lead runs one term: the bot on a view of the store fenced with the
// term's token, the adapters, the lease's renewal and the inbox, until
// one of them ends. asked is when the lease was asked for: the lease runs
// out, by this replica's clock, no later than asked + lease.
func (r *replica) lead(ctx context.Context, l postgres.Lease, asked time.Time) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	b, sl, dc, err := wire(ctx, r.cfg, r.store.Fenced(l.Token), r.clock, r.log, r.w, r.m, r.publicURL)
	if err != nil {
		// The config was checked at start: what fails here is the store.
		return fmt.Errorf("%w: %w", errTermStart, err)
	}
	t := &term{token: l.Token, bot: b, slack: sl, discord: dc}
	r.takeovers.Add(1)
	r.log.Info("leading", "token", l.Token, "holder", r.holder)
	r.term.Store(t)
	defer r.term.Store(nil)

	runners := []func(context.Context) error{b.Run,
		func(ctx context.Context) error { return r.keep(ctx, l.Token, asked) },
		func(ctx context.Context) error { return r.drainInbox(ctx, t) },
	}
	if sl != nil {
		runners = append(runners, sl.Run)
	}
	if dc != nil {
		runners = append(runners, dc.Run)
	}
	errs := make(chan error, len(runners))
	var wg sync.WaitGroup
	for _, run := range runners {
		wg.Go(func() { errs <- run(ctx) })
	}
	var first error
	select {
	case <-ctx.Done():
	case first = <-errs:
	}
	cancel()
	wg.Wait()
	if first == nil && ctx.Err() == nil {
		first = errors.New("a part of the leader stopped")
	}
	return first
}

// keep renews the lease every third of it. It returns errLeaseLost when
// the lease ran out, by this replica's clock, before a renewal came
// through, and an error wrapping bot.ErrFenced when another replica took
// it over.
func (r *replica) keep(ctx context.Context, token uint64, asked time.Time) error {
	deadline := asked.Add(r.lease)
	every := r.lease / 3
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(min(every, time.Until(deadline))):
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("lease %d: %w", token, errLeaseLost)
		}
		start := time.Now()
		rctx, cancel := context.WithDeadline(ctx, deadline)
		_, err := r.store.Renew(rctx, token, r.lease)
		cancel()
		switch {
		case err == nil:
			deadline = start.Add(r.lease)
		case errors.Is(err, bot.ErrFenced):
			return err
		case ctx.Err() != nil:
			return nil
		default:
			r.log.Warn("lease renewal failed; retrying", "token", token, "err", err)
			every = r.lease / 10
			continue
		}
		every = r.lease / 3
	}
}
