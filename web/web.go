package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/openear/openear/bot"
)

// Options configures a Dashboard. Store is required; the zero value of
// every other field means its default.
type Options struct {
	Store bot.Store
	// Now is the bot's clock (the demo runs a fast one). Default time.Now.
	Now func() time.Time
	// Token, when set, is required on every request (see RequireToken).
	// It must be set when the listener is not loopback (see IsLoopback);
	// main checks that, since only main knows the listen address.
	Token string
	// Stats computes statistics over the threads created in
	// [since, until); usually (*bot.Bot).Stats. Default: read the store
	// and call bot.ComputeStats.
	Stats func(ctx context.Context, since, until time.Time) (bot.Stats, error)
	// Digest renders the digest of the threads created in [since,
	// until]; usually (*bot.Bot).Digest. Default: bot.StoreDigest.
	Digest func(ctx context.Context, since, until time.Time) (string, error)
}

// Dashboard serves the HTML dashboard, its charts and a JSON API over a
// Store. It only reads.
type Dashboard struct {
	store  bot.Store
	now    func() time.Time
	token  string
	stats  func(ctx context.Context, since, until time.Time) (bot.Stats, error)
	digest func(ctx context.Context, since, until time.Time) (string, error)
}

// New returns a dashboard. It panics when opts.Store is nil, a programming
// error.
func New(opts Options) *Dashboard {
	if opts.Store == nil {
		panic("web: Options.Store is nil")
	}
	d := &Dashboard{store: opts.Store, now: opts.Now, token: opts.Token, stats: opts.Stats, digest: opts.Digest}
	if d.now == nil {
		d.now = time.Now
	}
	if d.stats == nil {
		d.stats = d.storeStats
	}
	if d.digest == nil {
		d.digest = func(ctx context.Context, since, until time.Time) (string, error) {
			return bot.StoreDigest(ctx, d.store, since, until)
		}
	}
	return d
}

// storeStats is the default Options.Stats.
func (d *Dashboard) storeStats(ctx context.Context, since, until time.Time) (bot.Stats, error) {
	var ts []bot.Thread
	err := d.store.Threads(ctx, func(t bot.Thread) bool {
		if !t.Created.Before(since) && t.Created.Before(until) {
			t.Messages = nil // not needed for stats
			ts = append(ts, t)
		}
		return true
	})
	if err != nil {
		return bot.Stats{}, err
	}
	return bot.ComputeStats(ts, since, until), nil
}

// Handler serves:
//
//	GET /                 the dashboard (HTML; filters as query parameters)
//	GET /api/threads      threads as JSON (?state=&platform=&tag=&owner=&limit=&before=)
//	GET /api/stats        bot.Stats as JSON, plus sla_met_percent (?since=7d)
//	GET /api/digest       the digest of a period as JSON (?since=1d)
//	GET /chart/frt.svg    first-response time histogram (?since=7d)
//	GET /chart/tags.svg   threads per tag per day, last 14 days
//	GET /chart/sla.svg    SLA met % per team and person (?since=7d)
//
// behind RequireToken when Options.Token is set.
func (d *Dashboard) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", endpoint{"text/html; charset=utf-8", false, d.page})
	mux.Handle("GET /api/threads", endpoint{"application/json", true, d.apiThreads})
	mux.Handle("GET /api/stats", endpoint{"application/json", true, d.apiStats})
	mux.Handle("GET /api/digest", endpoint{"application/json", true, d.apiDigest})
	mux.Handle("GET /chart/frt.svg", endpoint{"image/svg+xml", false, d.chartFRT})
	mux.Handle("GET /chart/tags.svg", endpoint{"image/svg+xml", false, d.chartTags})
	mux.Handle("GET /chart/sla.svg", endpoint{"image/svg+xml", false, d.chartSLA})
	var h http.Handler = secureHeaders(mux)
	if d.token != "" {
		h = RequireToken(d.token, h)
	}
	return h
}

// secureHeaders forbids scripts, framing and sniffing, and keeps the
// token (which may be in the URL) out of Referer headers.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// httpError is an error with an HTTP status; other errors are 500.
type httpError struct {
	status int
	err    error
}

func (e *httpError) Error() string { return e.err.Error() }
func (e *httpError) Unwrap() error { return e.err }

func badRequest(err error) error { return &httpError{http.StatusBadRequest, err} }

// endpoint adapts a function that renders a whole body or fails, so that a
// failure never leaves half a page.
type endpoint struct {
	contentType string
	jsonErrors  bool
	// render returns the whole body; the headers it sets in h are sent
	// only when it succeeds.
	render func(r *http.Request, h http.Header) ([]byte, error)
}

func (e endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := http.Header{}
	body, err := e.render(r, h)
	if err != nil {
		status := http.StatusInternalServerError
		if he, ok := errors.AsType[*httpError](err); ok {
			status = he.status
		}
		if !e.jsonErrors {
			http.Error(w, err.Error(), status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()}) // the client is gone if this fails
		return
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", e.contentType)
	_, _ = w.Write(body) // as above
}
