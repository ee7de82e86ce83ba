package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/l10n"
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
	// Locale is the language of the pages (see internal/l10n): "en"
	// (the default, also for "") or "ko". A viewer's choice on the page
	// overrides it, and so does a signed-in person's Locale, else that
	// of the platform they signed in from (Locales).
	Locale  string
	Locales map[string]string
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
	store   bot.Store
	now     func() time.Time
	token   string
	stats   func(ctx context.Context, since, until time.Time) (bot.Stats, error)
	digest  func(ctx context.Context, since, until time.Time) (string, error)
	inbox   Inbox
	people  map[string]*bot.Person       // by name
	ids     map[string]map[string]string // platform -> user id -> person name
	names   []string                     // person names, sorted as configured
	secure  bool
	locale  string            // Options.Locale
	locales map[string]string // Options.Locales
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
		inbox: opts.Inbox, people: map[string]*bot.Person{}, ids: map[string]map[string]string{}, secure: opts.SecureCookie,
		locale: opts.Locale, locales: opts.Locales}
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
//	POST /lang               remembers the viewer's language (form: lang, return) and goes back
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
// Reads need Options.Token when it is set, or a session. Sign-in pages,
// the language switch and the script need neither; actions and sign-out
// need a session and its CSRF token, whatever the token. Pages and
// their errors are in the viewer's language (see lang.go); the JSON API
// and its errors are in English, with English identifiers.
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
	mux.Handle("POST /lang", http.HandlerFunc(d.setLang))
	mux.Handle("GET /static/", http.FileServerFS(static))
	return secureHeaders(d.withViewer(routed(mux)))
}

// routed answers a request no route takes (404, or 405 with Allow) with
// a page in the viewer's language; the API's in English. (A request
// the mux would redirect to its canonical path is redirected.)
func routed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" || strings.HasPrefix(r.URL.Path, "/api/") {
			mux.ServeHTTP(w, r) // which sets the path's values
			return
		}
		rec := &statusOnly{header: http.Header{}} // h has no side effects: it only answers
		h.ServeHTTP(rec, r)
		l := viewerOf(r).l
		switch rec.status {
		case http.StatusNotFound:
			fail(w, r, rec.status, l.T("web.err_no_page", nil))
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", rec.header.Get("Allow"))
			fail(w, r, rec.status, l.T("web.err_method", nil))
		default: // a redirect to the canonical path
			mux.ServeHTTP(w, r)
		}
	})
}

// statusOnly keeps the status and headers of a response, not its body.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header { return s.header }
func (s *statusOnly) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return len(b), nil
}
func (s *statusOnly) WriteHeader(status int) {
	if s.status == 0 {
		s.status = status
	}
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
	err    error // in English: the JSON API's error
	// key and args are the message a page shows instead; "" for one
	// that gives err as a detail.
	key  string
	args l10n.Args
}

func (e *httpError) Error() string { return e.err.Error() }
func (e *httpError) Unwrap() error { return e.err }

func badRequest(err error, key string, args l10n.Args) error {
	return &httpError{http.StatusBadRequest, err, key, args}
}

func notFound(err error, key string, args l10n.Args) error {
	return &httpError{http.StatusNotFound, err, key, args}
}

// badParam is a bad query parameter (a *ParamError): 400, its page says
// which.
func badParam(err error) error {
	if pe, ok := errors.AsType[*ParamError](err); ok {
		if pe.Value == "" {
			return badRequest(err, "web.err_param_long", l10n.Args{"Param": pe.Param})
		}
		return badRequest(err, "web.err_param", l10n.Args{"Param": pe.Param, "Value": truncate(pe.Value, 40)})
	}
	return err
}

// pageText is what a page says of err in the language of l.
func pageText(l *l10n.Localizer, err error) (int, string) {
	if he, ok := errors.AsType[*httpError](err); ok && he.key != "" {
		return he.status, l.T(he.key, he.args)
	}
	status := http.StatusInternalServerError
	if he, ok := errors.AsType[*httpError](err); ok {
		status = he.status
	}
	return status, l.T("web.err_internal", l10n.Args{"Detail": err.Error()})
}

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
		if !e.jsonErrors {
			status, text := pageText(viewerOf(r).l, err)
			fail(w, r, status, text)
			return
		}
		status := http.StatusInternalServerError
		if he, ok := errors.AsType[*httpError](err); ok {
			status = he.status
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
