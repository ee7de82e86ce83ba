package web

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/l10n"
)

// Sign-in and actions. A staff member runs `/openear login` and gets a
// one-time link by DM: GET /login/{token} shows who it signs in and a
// button, and POST /login uses the link (once, within 10 minutes) and
// sets the session cookie — a link preview or prefetch that only GETs
// the link cannot use it. The cookie is HttpOnly, SameSite=Lax, Secure
// over TLS (or with Options.SecureCookie) and lasts the session's 12
// hours. Every POST but the sign-in itself needs the session and its
// CSRF token (a hidden field of each form); the dashboard token alone
// only reads.

// cookieName is the session cookie.
const cookieName = "openear_session"

// NeedsInbox reports whether serving r takes the Inbox: a sign-in, an
// action, a language switch or any other form posted, or a page for a
// signed-in viewer. A PostgreSQL standby, whose Inbox is the leader's,
// forwards such requests to the leader and serves the others itself.
func NeedsInbox(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return true
	}
	if strings.HasPrefix(r.URL.Path, "/login/") {
		return true
	}
	_, err := r.Cookie(cookieName)
	return err == nil
}

// maxForm bounds the body of a form.
const maxForm = 64 << 10

// viewer is who asks: a signed-in staff member, and whether the request
// carried the dashboard token.
type viewer struct {
	session *bot.Session
	secret  string
	token   bool // the request carried a valid dashboard token
	query   string
	l       *l10n.Localizer // the language of the pages they see (see langOf)
}

type viewerKey struct{}

func viewerOf(r *http.Request) *viewer {
	if v, ok := r.Context().Value(viewerKey{}).(*viewer); ok {
		return v
	}
	return &viewer{l: l10n.For(l10n.English)}
}

// withViewer finds the session of the request's cookie and whether it
// carries the token. A cookie that names no session (expired, signed
// out, forged) is dropped.
func (d *Dashboard) withViewer(next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(d.token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &viewer{l: d.langOf(r, nil)}
		r = r.WithContext(context.WithValue(r.Context(), viewerKey{}, v))
		if d.token != "" {
			v.token = tokenOK(want, presented(r))
			if v.token {
				v.query = r.URL.Query().Get("token")
			}
		}
		if c, err := r.Cookie(cookieName); err == nil && d.inbox != nil {
			s, err := d.inbox.Session(r.Context(), c.Value)
			switch {
			case err == nil:
				v.session, v.secret = &s, c.Value
			case errors.Is(err, bot.ErrNoSession):
				d.dropCookie(w, r)
			default:
				fail(w, r, http.StatusInternalServerError, v.l.T("web.err_internal", l10n.Args{"Detail": "session: " + err.Error()}))
				return
			}
		}
		v.l = d.langOf(r, v.session)
		next.ServeHTTP(w, r)
	})
}

// readable lets a request read when no token is configured, or it
// carries the token, or a session. The API's refusal is in English, a
// page's in the viewer's language.
func (d *Dashboard) readable(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := viewerOf(r)
		if d.token != "" && !v.token && v.session == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="openear"`)
			if strings.HasPrefix(r.URL.Path, "/api/") {
				http.Error(w, "401 unauthorized: a dashboard token is required (Authorization: Bearer <token> or ?token=), or sign in with /openear login", http.StatusUnauthorized)
				return
			}
			fail(w, r, http.StatusUnauthorized, v.l.T("web.err_token", l10n.Args{"Command": v.l.T("web.login_command", nil)}))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (d *Dashboard) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: cookieName, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: d.secure || r.TLS != nil, SameSite: http.SameSiteLaxMode}
}

func (d *Dashboard) dropCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, d.cookie(r, "", -1))
}

// sameOrigin refuses a cross-site POST to the sign-in (a page elsewhere
// signing the browser in as someone else): the browser's Sec-Fetch-Site,
// else its Origin, must name the dashboard.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "":
	default:
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true // not a browser's cross-site form post
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// loginPage shows whom a sign-in link signs in, with a button; the
// link is used only when it is pressed.
func (d *Dashboard) loginPage(r *http.Request, _ http.Header) ([]byte, error) {
	l := viewerOf(r).l
	if d.inbox == nil {
		return nil, notFound(errors.New("sign-in is not available here"), "web.err_no_signin", nil)
	}
	token := r.PathValue("token")
	who, err := d.inbox.LoginInfo(r.Context(), token)
	data := loginData{Token: token, Person: who, Valid: dur(l, bot.SessionTTL), Langs: switchOf(l, here(r))}
	switch {
	case errors.Is(err, bot.ErrLinkInvalid), errors.Is(err, bot.ErrLinkExpired):
		data.Problem = linkProblem(l, err)
	case err != nil:
		return nil, err
	}
	return render(l, "login.html", data)
}

type loginData struct {
	Token, Person, Problem string
	Valid                  string // how long a session lasts
	Langs                  langSwitch
}

// linkProblem says why a sign-in link was refused.
func linkProblem(l *l10n.Localizer, err error) string {
	if errors.Is(err, bot.ErrLinkExpired) {
		return l.T("web.link_expired", nil)
	}
	return l.T("web.link_invalid", nil)
}

func (d *Dashboard) login(w http.ResponseWriter, r *http.Request) {
	l := viewerOf(r).l
	if d.inbox == nil {
		fail(w, r, http.StatusNotFound, l.T("web.err_no_signin", nil))
		return
	}
	if !sameOrigin(r) {
		fail(w, r, http.StatusForbidden, l.T("web.err_cross_site", nil))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		fail(w, r, http.StatusBadRequest, l.T("web.err_bad_form", nil))
		return
	}
	secret, s, err := d.inbox.Login(r.Context(), r.PostForm.Get("token"))
	switch {
	case errors.Is(err, bot.ErrLinkInvalid), errors.Is(err, bot.ErrLinkExpired):
		body, rerr := render(l, "login.html", loginData{Problem: linkProblem(l, err), Langs: switchOf(l, here(r))})
		if rerr != nil {
			fail(w, r, http.StatusInternalServerError, l.T("web.err_internal", l10n.Args{"Detail": rerr.Error()}))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write(body)
		return
	case err != nil:
		fail(w, r, http.StatusInternalServerError, l.T("web.err_internal", l10n.Args{"Detail": "sign-in: " + err.Error()}))
		return
	}
	http.SetCookie(w, d.cookie(r, secret, int(s.Expires.Sub(s.Created).Seconds())))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// signedIn returns the session of a POST that carries its CSRF token,
// or answers 403 and returns nil.
func (d *Dashboard) signedIn(w http.ResponseWriter, r *http.Request) *viewer {
	v := viewerOf(r)
	if d.inbox == nil || v.session == nil {
		fail(w, r, http.StatusForbidden, v.l.T("web.err_sign_in_first", l10n.Args{"Command": v.l.T("web.login_command", nil)}))
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		fail(w, r, http.StatusBadRequest, v.l.T("web.err_bad_form", nil))
		return nil
	}
	if !v.session.CheckCSRF(r.PostForm.Get("csrf")) {
		fail(w, r, http.StatusForbidden, v.l.T("web.err_csrf", nil))
		return nil
	}
	return v
}

func (d *Dashboard) logout(w http.ResponseWriter, r *http.Request) {
	v := d.signedIn(w, r)
	if v == nil {
		return
	}
	if err := d.inbox.Logout(r.Context(), v.secret); err != nil {
		fail(w, r, http.StatusInternalServerError, v.l.T("web.err_internal", l10n.Args{"Detail": "sign-out: " + err.Error()}))
		return
	}
	d.dropCookie(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// actReply is the answer to an action sent by the page's script.
type actReply struct {
	Reply  string `json:"reply"`
	Thread uint64 `json:"thread"`
}

// act runs one action of a signed-in staff member on a thread: verb is
// one of bot.WebVerbs, arg its argument (a person for assign, a
// duration for snooze, a tag for tag and untag). The script gets the
// reply as JSON; a plain form post is redirected back to the page it
// came from (its return field), the reply in ?note=.
func (d *Dashboard) act(w http.ResponseWriter, r *http.Request) {
	v := d.signedIn(w, r)
	if v == nil {
		return
	}
	raw := r.PathValue("id")
	id, ok := bot.ParseID(raw)
	if !ok || strings.HasPrefix(raw, "#") {
		fail(w, r, http.StatusBadRequest, v.l.T("web.err_thread_id", l10n.Args{"ID": truncate(raw, 40)}))
		return
	}
	line, err := actLine(v.l, id, r.PostForm.Get("verb"), strings.TrimSpace(r.PostForm.Get("arg")))
	if err != nil {
		fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	var res bot.Result
	if _, err := bot.ParseCommand(line); err != nil {
		// A mistake in the argument, said in the page's language (the
		// core would answer in the person's).
		res.Reply = err.Error()
		if ce, ok := errors.AsType[*bot.CommandError](err); ok {
			res.Reply = ce.In(v.l)
		}
	} else if res, err = d.inbox.Act(r.Context(), *v.session, line); err != nil {
		fail(w, r, http.StatusInternalServerError, v.l.T("web.err_act", l10n.Args{"Detail": err.Error()}))
		return
	}
	if r.Header.Get("X-Openear-Fetch") != "" {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(actReply{Reply: res.Reply, Thread: id})
		return
	}
	back := localPath(r.PostForm.Get("return"), "/threads/"+bot.FormatID(id))
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	http.Redirect(w, r, back+sep+"note="+url.QueryEscape(res.Reply), http.StatusSeeOther)
}

// actLine builds the command line of an action; its error says what
// is wrong in the language of l.
func actLine(l *l10n.Localizer, id uint64, verb, arg string) (string, error) {
	if !slices.Contains(bot.WebVerbs, verb) {
		return "", errors.New(l.T("web.err_unknown_action", l10n.Args{"Verb": strconv.Quote(truncate(verb, 40))}))
	}
	n := bot.FormatID(id)
	switch verb {
	case "claim", "resolve", "reopen":
		return verb + " " + n, nil
	}
	if arg == "" || strings.ContainsAny(arg, " \t\r\n") || len(arg) > 64 {
		return "", errors.New(l.T("web.err_one_word", l10n.Args{"Verb": verb, "Arg": strconv.Quote(truncate(arg, 70))}))
	}
	return verb + " " + n + " " + arg, nil
}

// localPath returns p when it is a path of this site ("/…", not "//…"),
// else def.
func localPath(p, def string) string {
	if strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\") && !strings.ContainsAny(p, "\r\n") {
		return p
	}
	return def
}
