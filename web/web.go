package web

import (
	"context"
	"embed"
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
	// Token, when set, is required on every read (see RequireToken),
	// unless the request carries a session. It must be set when the
	// listener is not loopback (see IsLoopback); main checks that, since
	// only main knows the listen address.
	Token string
	// Stats computes statistics over the threads created in
	// [since, until); usually (*bot.Bot).Stats. Default: read the store
	// and call bot.ComputeStats.
	Stats func(ctx context.Context, since, until time.Time) (bot.Stats, error)
	// Digest renders the digest of the threads created in [since,
	// until]; usually (*bot.Bot).Digest. Default: bot.StoreDigest.
	Digest func(ctx context.Context, since, until time.Time) (string, error)
	// Inbox signs staff in and runs their actions; usually *bot.Bot.
	// Nil: a read-only dashboard (no sign-in, no actions).
	Inbox Inbox
	// People are the config's staff: owners shown by name with their
	// platform ids on hover, the assign menu, and each signed-in
	// viewer's time zone.
	People []bot.Person
	// SecureCookie marks the session cookie Secure even on plain HTTP
	// requests: TLS ends at a proxy in front (http.public_url is https).
	// A request over TLS always gets a Secure cookie.
	SecureCookie bool
}

// Inbox is what the dashboard needs of the core to let staff act.
// *bot.Bot implements it; see bot/web.go for the contract of each
// method. All methods are safe for concurrent use.
type Inbox interface {
	LoginInfo(ctx context.Context, token string) (person string, err error)
	Login(ctx context.Context, token string) (secret string, s bot.Session, err error)
	Session(ctx context.Context, secret string) (bot.Session, error)
	Logout(ctx context.Context, secret string) error
	Act(ctx context.Context, s bot.Session, line string) (bot.Result, error)
}

var _ Inbox = (*bot.Bot)(nil)

// Dashboard serves the HTML dashboard, its charts, a JSON API over a
// Store and, with an Inbox, staff's sign-in and actions.
type Dashboard struct {
	store  bot.Store
	now    func() time.Time
	token  string
	stats  func(ctx context.Context, since, until time.Time) (bot.Stats, error)
	digest func(ctx context.Context, since, until time.Time) (string, error)
	inbox  Inbox
	people map[string]*bot.Person       // by name
	ids    map[string]map[string]string // platform -> user id -> person name
	names  []string                     // person names, sorted as configured
	secure bool
}

//go:embed static
var static embed.FS

// New returns a dashboard. It panics when opts.Store is nil, a programming
// error.
func New(opts Options) *Dashboard {
	if opts.Store == nil {
		panic("web: Options.Store is nil")
	}
	d := &Dashboard{store: opts.Store, now: opts.Now, token: opts.Token, stats: opts.Stats, digest: opts.Digest,
		inbox: opts.Inbox, people: map[string]*bot.Person{}, ids: map[string]map[string]string{}, secure: opts.SecureCookie}
	for i := range opts.People {
		p := &opts.People[i]
		d.people[p.Name] = p
		d.names = append(d.names, p.Name)
		for pl, id := range p.IDs {
			if d.ids[pl] == nil {
				d.ids[pl] = map[string]string{}
			}
			d.ids[pl][id] = p.Name
		}
	}
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
//	GET  /                   the thread list (HTML; filters, search and sort as query parameters)
//	GET  /threads/{id}       one thread: conversation, tags, SLA, timeline, CSAT, actions
//	POST /threads/{id}/act   an action of a signed-in staff member (form: csrf, verb, arg)
//	GET  /login/{token}      the page that confirms a sign-in link
//	POST /login              uses a sign-in link: opens a session (a cookie)
//	POST /logout             ends the session (form: csrf)
//	GET  /static/app.js      the page's script: live refresh, actions without reload, local times
//	GET  /api/threads        threads as JSON (?state=&platform=&tag=&owner=&q=&limit=&before=)
//	GET  /api/threads/{id}   one thread as JSON
//	GET  /api/stats          bot.Stats as JSON, plus sla_met_percent (?since=7d)
//	GET  /api/digest         the digest of a period as JSON (?since=1d)
//	GET  /chart/frt.svg      first-response time histogram (?since=7d)
//	GET  /chart/tags.svg     threads per tag per day, last 14 days
//	GET  /chart/sla.svg      SLA met % per team and person (?since=7d)
//	GET  /chart/csat.svg     CSAT per team, person and tag (?since=7d)
//
// Reads need Options.Token when it is set, or a session. Sign-in pages
// and the script need neither; actions and sign-out need a session and
// its CSRF token, whatever the token.
func (d *Dashboard) Handler() http.Handler {
	mux := http.NewServeMux()
	read := func(pattern string, h http.Handler) { mux.Handle(pattern, d.readable(h)) }
	read("GET /{$}", endpoint{"text/html; charset=utf-8", false, d.page})
	read("GET /threads/{id}", endpoint{"text/html; charset=utf-8", false, d.threadPage})
	read("GET /api/threads", endpoint{"application/json", true, d.apiThreads})
	read("GET /api/threads/{id}", endpoint{"application/json", true, d.apiThread})
	read("GET /api/stats", endpoint{"application/json", true, d.apiStats})
	read("GET /api/digest", endpoint{"application/json", true, d.apiDigest})
	read("GET /chart/frt.svg", endpoint{"image/svg+xml", false, d.chartFRT})
	read("GET /chart/tags.svg", endpoint{"image/svg+xml", false, d.chartTags})
	read("GET /chart/sla.svg", endpoint{"image/svg+xml", false, d.chartSLA})
	read("GET /chart/csat.svg", endpoint{"image/svg+xml", false, d.chartCSAT})
	mux.Handle("POST /threads/{id}/act", http.HandlerFunc(d.act))
	mux.Handle("GET /login/{token}", endpoint{"text/html; charset=utf-8", false, d.loginPage})
	mux.Handle("POST /login", http.HandlerFunc(d.login))
	mux.Handle("POST /logout", http.HandlerFunc(d.logout))
	mux.Handle("GET /static/", http.FileServerFS(static))
	return secureHeaders(d.withViewer(mux))
}

// csp allows the page's own script and fetches, and nothing from
// elsewhere: no inline script, no framing, forms only to the dashboard.
const csp = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secureHeaders forbids inline and foreign scripts, framing and
// sniffing, and keeps the token (which may be in the URL) out of Referer
// headers.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
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

func notFound(err error) error { return &httpError{http.StatusNotFound, err} }

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
