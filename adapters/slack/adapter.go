package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/openear/openear/bot"
)

// Config configures an Adapter. Secrets come from the caller (the config
// file's ${ENV} values); the adapter never logs them.
type Config struct {
	BotToken      string // xoxb-…; required
	AppToken      string // xapp-…; set: Socket Mode, empty: Events API over HTTP
	SigningSecret string // verifies HTTP requests; required without AppToken
	APIURL        string // Web API base ("" = Slack's own); a trailing slash is added
	TriageChannel string // internal channel for notices (default channel of ActNotice)
	Channels      []string
	DMs           bool     // watch direct messages to the bot
	Staff         []string // staff user ids besides members of the home team
	Logger        *slog.Logger
	HTTPClient    *http.Client // default: a client with a 30s timeout

	// PostInterval is the least time between two posts in one channel;
	// 0 means 1s (Slack's chat.postMessage limit), negative means no pacing.
	PostInterval time.Duration
	// ThreadLookback is how far before a channel's cursor backfill looks
	// for thread parents that got new replies; 0 means 24h, negative off.
	ThreadLookback time.Duration
	// PingInterval is how long Socket Mode waits for Slack's websocket
	// PING before it reconnects; 0 means slack-go's default (30s).
	PingInterval time.Duration
	// Now tells the time for request signature checks; nil means time.Now.
	Now func() time.Time
}

// Adapter connects openear to one Slack workspace. Create it with New,
// mount HTTPHandler, call Run once, and use it as a bot.Platform.
type Adapter struct {
	cfg     Config
	h       bot.Handler
	api     *slack.Client
	log     *slog.Logger
	watched map[string]bool
	staff   map[string]bool
	pace    *pacer
	now     func() time.Time

	connected atomic.Bool

	mu    sync.Mutex
	id    *identity           // from auth.test, once known
	users map[string]userInfo // user id -> team and name (users.info), cached
	// namesOffUntil: after a failed name lookup, names come only from the
	// cache until then.
	namesOffUntil time.Time
	dms           map[string]string // user id -> DM channel id, cached
}

// identity is who the bot is, from auth.test.
type identity struct {
	team, user, botID string
	base              string // workspace URL, "https://x.slack.com/"
}

var _ bot.Platform = (*Adapter)(nil)

// New checks cfg and builds an Adapter that feeds h. It makes no network
// call: Run does.
func New(cfg Config, h bot.Handler) (*Adapter, error) {
	switch {
	case cfg.BotToken == "":
		return nil, errors.New("slack: bot token is required")
	case cfg.AppToken == "" && cfg.SigningSecret == "":
		return nil, errors.New("slack: signing secret is required without an app token (Events API over HTTP)")
	case h == nil:
		return nil, errors.New("slack: handler is required")
	}
	a := &Adapter{
		cfg: cfg, h: h, log: cfg.Logger, now: cfg.Now,
		watched: map[string]bool{}, staff: map[string]bool{},
		users: map[string]userInfo{}, dms: map[string]string{},
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.log = a.log.With("platform", bot.Slack)
	if a.now == nil {
		a.now = time.Now
	}
	for _, c := range cfg.Channels {
		a.watched[c] = true
	}
	for _, u := range cfg.Staff {
		a.staff[u] = true
	}
	gap := cfg.PostInterval
	if gap == 0 {
		gap = time.Second
	}
	a.pace = newPacer(gap)
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	opts := []slack.Option{slack.OptionHTTPClient(hc)}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimSuffix(cfg.APIURL, "/")+"/"))
	}
	a.api = slack.New(cfg.BotToken, opts...)
	return a, nil
}

// Name is the platform name, "slack".
func (a *Adapter) Name() string { return bot.Slack }

// Connected reports whether the adapter can hear Slack now: the Socket
// Mode connection is up, or (Events API) auth.test succeeded.
func (a *Adapter) Connected() bool { return a.connected.Load() }

// Run asks auth.test who the bot is, then listens: over Socket Mode when
// an app token is set (backfilling on every (re)connection), else it
// backfills once and waits while HTTPHandler serves. While Slack is
// unreachable it retries with backoff. It returns nil when ctx ends, or an
// error Slack will not get over (a rejected token).
func (a *Adapter) Run(ctx context.Context) error {
	for backoff := time.Second; ; backoff = min(2*backoff, time.Minute) {
		_, err := a.identify(ctx)
		if err == nil || ctx.Err() != nil {
			break
		}
		if errors.Is(err, bot.ErrPermanent) {
			return err
		}
		// Slack unreachable: keep trying; the platform may come back.
		a.log.Warn("slack auth.test failed", "err", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	if a.cfg.AppToken == "" {
		a.connected.Store(true)
		defer a.connected.Store(false)
		if err := a.backfill(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("slack backfill failed", "err", err)
		}
		<-ctx.Done()
		return nil
	}
	return a.runSocket(ctx)
}

// identify returns the bot's identity, asking auth.test the first time
// (and then warning of any scope the token lacks).
func (a *Adapter) identify(ctx context.Context) (*identity, error) {
	a.mu.Lock()
	id := a.id
	a.mu.Unlock()
	if id != nil {
		return id, nil
	}
	r, err := a.api.AuthTestContext(ctx)
	if err != nil {
		if isCode(err, "invalid_auth", "not_authed", "account_inactive", "token_revoked") {
			a.log.Error("slack rejected the bot token: check SLACK_BOT_TOKEN", "err", err)
			return nil, fmt.Errorf("slack auth.test: %w: %w", bot.ErrPermanent, err)
		}
		return nil, fmt.Errorf("slack auth.test: %w", err)
	}
	id = &identity{team: r.TeamID, user: r.UserID, botID: r.BotID, base: r.URL}
	if id.base != "" && !strings.HasSuffix(id.base, "/") {
		id.base += "/"
	}
	a.mu.Lock()
	a.id = id
	a.mu.Unlock()
	a.log.Info("slack connected as", "team", id.team, "user", id.user)
	a.warnScopes(r.Header.Get("X-OAuth-Scopes"))
	return id, nil
}

// teamOf returns a user's team id, from users.info (cached).
func (a *Adapter) teamOf(ctx context.Context, user string) (string, error) {
	u, err := a.userInfo(ctx, user)
	return u.team, err
}

// nameOf returns a user's display name for notices, or "". A name is a
// nicety, never a reason to fail or delay an event much: a lookup gets
// nameTimeout, and after a failed one names are only taken from the cache
// for a minute, so a slow Web API cannot hold up acknowledgements.
func (a *Adapter) nameOf(ctx context.Context, user string) string {
	a.mu.Lock()
	u, ok := a.users[user]
	off := time.Now().Before(a.namesOffUntil)
	a.mu.Unlock()
	if ok || off {
		return u.name
	}
	ctx, cancel := context.WithTimeout(ctx, nameTimeout)
	defer cancel()
	u, err := a.userInfo(ctx, user)
	if err != nil {
		a.log.Debug("slack: no display name", "user", user, "err", err)
		a.mu.Lock()
		a.namesOffUntil = time.Now().Add(time.Minute)
		a.mu.Unlock()
	}
	return u.name
}

// nameTimeout bounds a display-name lookup on the event path.
const nameTimeout = 250 * time.Millisecond

// userInfo returns a user's team and display name, from users.info
// (cached, at most 10,000 users).
func (a *Adapter) userInfo(ctx context.Context, user string) (userInfo, error) {
	a.mu.Lock()
	u, ok := a.users[user]
	a.mu.Unlock()
	if ok {
		return u, nil
	}
	info, err := a.api.GetUserInfoContext(ctx, user)
	if err != nil {
		return userInfo{}, fmt.Errorf("slack users.info %s: %w", user, err)
	}
	u = userInfo{team: info.TeamID, name: cmp.Or(info.Profile.DisplayName, info.RealName, info.Name)}
	a.mu.Lock()
	if len(a.users) > 10000 {
		clear(a.users)
	}
	a.users[user] = u
	a.mu.Unlock()
	return u, nil
}

// userInfo is what openear keeps of a Slack user.
type userInfo struct{ team, name string }

// isStaff decides whether (team, user) is staff: a configured staff id, or
// a member of the home team. An empty team is looked up with users.info.
func (a *Adapter) isStaff(ctx context.Context, id *identity, user, team string) (bool, error) {
	if a.staff[user] {
		return true, nil
	}
	if user == "" {
		return false, nil
	}
	if team == "" {
		t, err := a.teamOf(ctx, user)
		if isCode(err, "user_not_found", "user_not_visible") {
			// Not someone Slack will tell us about: not a member of the
			// home team, so a customer. Failing would only make Slack
			// retry, then drop the message.
			return false, nil
		}
		if err != nil {
			return false, err
		}
		team = t
	}
	return team == id.team, nil
}

// isCode reports whether err is a Slack API error with one of codes.
func isCode(err error, codes ...string) bool {
	var se slack.SlackErrorResponse
	code := ""
	if errors.As(err, &se) {
		code = se.Err
	} else if err != nil {
		code = err.Error()
	}
	for _, c := range codes {
		if code == c {
			return true
		}
	}
	return false
}
