package bot

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/openear/openear/internal/l10n"
	"slices"
	"strings"
	"time"
)

// The dashboard's sign-in. Staff run `/openear login` (Slack) or the
// Discord command: the core writes a one-time link (the entry
// login/<sha256 of its token>, valid LoginTTL) and DMs it to them
// through the outbox; non-staff are refused like any staff command.
// Opening the link (Login) deletes it and opens a session (the entry
// session/<sha256 of its secret>, valid SessionTTL) in one commit; the
// browser keeps the secret in a cookie. Only hashes are stored, so the
// store never holds a usable link or cookie. Act runs a dashboard
// action as the session's staff member, through the same command path
// as Slack and Discord (notices update, the outbox delivers), recorded
// on the timeline with Via "web".

// Lifetimes of sign-in links and sessions.
const (
	LoginTTL   = 10 * time.Minute
	SessionTTL = 12 * time.Hour
)

// ForLogin is the purpose of the DM that carries a sign-in link.
const ForLogin Purpose = "login"

// Errors of Login and Session.
var (
	// ErrLinkInvalid: no such sign-in link, or it was used already.
	ErrLinkInvalid = errors.New("this sign-in link is not valid or was used already")
	// ErrLinkExpired: the link is older than LoginTTL.
	ErrLinkExpired = errors.New("this sign-in link has expired")
	// ErrNoSession: no such session, or it expired.
	ErrNoSession = errors.New("not signed in, or the session has expired")
)

// WebOptions configures the dashboard's sign-in.
type WebOptions struct {
	// URL returns the dashboard's base URL as staff reach it
	// ("https://openear.example.com"), for sign-in links; "" while
	// unknown, when `login` says so instead of sending a link.
	URL func() string
	// Clock ages links and sessions. Default SystemClock, not
	// Options.Clock: the demo's fast clock must not shorten them.
	Clock Clock
}

// Session is a staff member signed in to the dashboard.
type Session struct {
	Person   string    `json:"person"`   // personOf: a person name, or "platform:id"
	Platform string    `json:"platform"` // where they asked for the link
	User     string    `json:"user"`     // their user id there
	CSRF     string    `json:"csrf"`     // every state-changing request carries it
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
}

// login is a sign-in link not used yet.
type login struct {
	Person   string    `json:"person"`
	Platform string    `json:"platform"`
	User     string    `json:"user"`
	Expires  time.Time `json:"expires"`
}

func (b *Bot) authNow() time.Time {
	if b.opts.Web.Clock != nil {
		return b.opts.Web.Clock.Now()
	}
	return time.Now()
}

// secret returns 32 random bytes, URL-safe base64.
func secret() string {
	var p [32]byte
	rand.Read(p[:]) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(p[:])
}

func hashed(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func loginKey(token string) string    { return "login/" + hashed(token) }
func sessionKey(secret string) string { return "session/" + hashed(secret) }

// loginCommand writes a one-time sign-in link for the staff member
// behind ev and DMs it to them. The command path let only staff here.
func (b *Bot) loginCommand(x *txn, ev Event, actor string, l *l10n.Localizer) (Result, error) {
	base := ""
	if b.opts.Web.URL != nil {
		base = strings.TrimSuffix(b.opts.Web.URL(), "/")
	}
	if base == "" {
		return Result{Reply: msgLoginNoURL(l)}, nil
	}
	token := secret()
	v, err := json.Marshal(login{Person: actor, Platform: ev.Platform, User: ev.User, Expires: b.authNow().Add(LoginTTL)})
	if err != nil {
		return Result{}, err
	}
	x.ch.Entries = append(x.ch.Entries, Entry{Key: loginKey(token), Value: v})
	x.enqueue(Action{Kind: ActDM, Purpose: ForLogin, Platform: ev.Platform, To: ev.User,
		Text: msgLoginLink(l, base+"/login/"+token, LoginTTL)})
	x.note(Observation{What: "login-link", Detail: actor})
	return Result{Reply: msgLoginSent(l)}, nil
}

// readLogin reads the sign-in link of token; ErrLinkInvalid when there
// is none.
func (b *Bot) readLogin(ctx context.Context, token string) (login, error) {
	if token == "" || len(token) > 128 {
		return login{}, ErrLinkInvalid
	}
	v, err := b.store.Entry(ctx, loginKey(token))
	if errors.Is(err, ErrNotFound) {
		return login{}, ErrLinkInvalid
	}
	if err != nil {
		return login{}, err
	}
	var l login
	if err := json.Unmarshal(v, &l); err != nil {
		return login{}, fmt.Errorf("login entry: %w", err)
	}
	return l, nil
}

// LoginInfo tells who a sign-in link is for, without using it (the page
// that asks to confirm). Errors: ErrLinkInvalid, ErrLinkExpired.
func (b *Bot) LoginInfo(ctx context.Context, token string) (string, error) {
	l, err := b.readLogin(ctx, token)
	if err != nil {
		return "", err
	}
	if !b.authNow().Before(l.Expires) {
		return "", ErrLinkExpired
	}
	return l.Person, nil
}

// Login uses a sign-in link: once, within LoginTTL. It deletes the link
// and opens a session in one commit, and returns the session's secret
// (the cookie). Logins take turns within a process, and on PostgreSQL
// replicas only the leader's bot signs in (web's package doc). Errors: ErrLinkInvalid,
// ErrLinkExpired, or the store's.
func (b *Bot) Login(ctx context.Context, token string) (string, Session, error) {
	b.lock()
	defer b.mu.Unlock()
	l, err := b.readLogin(ctx, token)
	if err != nil {
		return "", Session{}, err
	}
	now := b.authNow()
	if !now.Before(l.Expires) {
		if err := b.store.Apply(ctx, Change{Entries: []Entry{{Key: loginKey(token)}}}); err != nil {
			return "", Session{}, err
		}
		return "", Session{}, ErrLinkExpired
	}
	s := Session{Person: l.Person, Platform: l.Platform, User: l.User, CSRF: secret(), Created: now, Expires: now.Add(SessionTTL)}
	v, err := json.Marshal(s)
	if err != nil {
		return "", Session{}, err
	}
	sec := secret()
	err = b.store.Apply(ctx, Change{Entries: []Entry{{Key: loginKey(token)}, {Key: sessionKey(sec), Value: v}}})
	if err != nil {
		return "", Session{}, fmt.Errorf("login: %w", err)
	}
	b.observe(Observation{What: "login", Detail: l.Person})
	return sec, s, nil
}

// Session returns the session of a cookie's secret. Errors:
// ErrNoSession, or the store's.
func (b *Bot) Session(ctx context.Context, secret string) (Session, error) {
	if secret == "" || len(secret) > 128 {
		return Session{}, ErrNoSession
	}
	v, err := b.store.Entry(ctx, sessionKey(secret))
	if errors.Is(err, ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	var s Session
	if err := json.Unmarshal(v, &s); err != nil {
		return Session{}, fmt.Errorf("session entry: %w", err)
	}
	if !b.authNow().Before(s.Expires) {
		return Session{}, ErrNoSession
	}
	return s, nil
}

// CheckCSRF reports whether token is the session's CSRF token
// (constant time).
func (s Session) CheckCSRF(token string) bool {
	return s.CSRF != "" && subtle.ConstantTimeCompare([]byte(s.CSRF), []byte(token)) == 1
}

// Logout ends the session of a cookie's secret. Idempotent.
func (b *Bot) Logout(ctx context.Context, secret string) error {
	if secret == "" || len(secret) > 128 {
		return nil
	}
	return b.store.Apply(ctx, Change{Entries: []Entry{{Key: sessionKey(secret)}}})
}

// WebVerbs are the commands the dashboard may run.
var WebVerbs = []string{"claim", "assign", "snooze", "resolve", "reopen", "tag", "untag"}

// Act runs a command line of the dashboard (one of WebVerbs) as the
// session's staff member, through Handle, and returns its reply. A
// malformed line or another verb is answered in Result.Reply, changing
// nothing.
func (b *Bot) Act(ctx context.Context, s Session, line string) (Result, error) {
	cmd, err := ParseCommand(line)
	if err != nil {
		return Result{Reply: err.Error()}, nil
	}
	if !slices.Contains(WebVerbs, cmd.Verb) {
		return Result{Reply: fmt.Sprintf("%q cannot be done from the dashboard.", cmd.Verb)}, nil
	}
	return b.Handle(ctx, Event{ID: "web:" + secret(), Kind: KindCommand, Platform: s.Platform, User: s.User,
		Staff: true, Via: "web", Text: cmd.String(), At: b.clock.Now()})
}

// pruneWeb deletes the sign-in links and sessions that expired.
func (b *Bot) pruneWeb(ctx context.Context) (int, error) {
	now := b.authNow()
	var gone []Entry
	for _, prefix := range []string{"login/", "session/"} {
		err := b.store.Entries(ctx, prefix, func(key string, v []byte) bool {
			var e struct {
				Expires time.Time `json:"expires"`
			}
			if json.Unmarshal(v, &e) != nil || !now.Before(e.Expires) {
				gone = append(gone, Entry{Key: key})
			}
			return true
		})
		if err != nil {
			return 0, err
		}
	}
	if len(gone) == 0 {
		return 0, nil
	}
	return len(gone), b.store.Apply(ctx, Change{Entries: gone})
}
