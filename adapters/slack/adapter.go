package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
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
	APIURL        string // Web API base ("" = Slack's own); a bare host means its /api/ (APIBase)
	TriageChannel string // internal channel for notices (default channel of ActNotice)
	Channels      []string
	DMs           bool     // watch direct messages to the bot
	Staff         []string // staff user ids besides members of the home team
	Logger        *slog.Logger
	HTTPClient    *http.Client // default: a client with a 30s timeout

	// PostInterval is the pace of posts in one channel, one per interval;
	// 0 means 1s (Slack's chat.postMessage limit), negative means no pacing.
	PostInterval time.Duration
	// PostBurst is how many posts may go at once in a channel that was
	// quiet before the pace applies (Slack allows short bursts); 0 means
	// 3. Posts that are not urgent leave one of them to urgent ones.
	PostBurst int
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
	// want queues the users whose names nameOf missed, for lookupNames;
	// wanted holds them while queued.
	want   chan string
	wanted map[string]bool
	dms    map[string]string // user id -> DM channel id, cached
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
		want: make(chan string, 1024), wanted: map[string]bool{},
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
	a.pace = newPacer(gap, cmp.Or(cfg.PostBurst, 3))
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	opts := []slack.Option{slack.OptionHTTPClient(hc)}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	if cfg.APIURL != "" {
		base, err := APIBase(cfg.APIURL)
		if err != nil {
			return nil, err
		}
		opts = append(opts, slack.OptionAPIURL(base))
	}
	a.api = slack.New(cfg.BotToken, opts...)
	return a, nil
}

// APIBase is the Web API base that api_url names, as slack-go wants it:
// Slack's methods are at <base><method> ("https://slack.com/api/" +
// "chat.postMessage"). A bare host ("http://127.0.0.1:9000") means its
// /api/, as on slack.com; any other path (a proxy's prefix, GovSlack's
// /api/) is kept, with a trailing slash added. Query and fragment are
// dropped.
func APIBase(apiURL string) (string, error) {
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("slack: api_url %q: want an http(s) URL such as https://slack.com/api/", apiURL)
	}
	if strings.Trim(u.Path, "/") == "" {
		u.Path = "/api"
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/"
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	return u.String(), nil
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
	var names sync.WaitGroup
	defer names.Wait()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	names.Go(func() { a.lookupNames(ctx) })
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

// teamOf returns a user's team id, from users.info (cached), waiting at
// most teamTimeout.
func (a *Adapter) teamOf(ctx context.Context, user string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, teamTimeout)
	defer cancel()
	u, err := a.userInfo(ctx, user)
	return u.team, err
}

// nameOf returns a user's display name for notices from the cache, or
// "". A name is a nicety, never a reason to fail or delay an event: a
// miss is queued for lookupNames, which asks users.info in the
// background, so the customer's next message carries the name (and the
// core keeps it for the thread).
func (a *Adapter) nameOf(user string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if u, ok := a.users[user]; ok {
		return u.name
	}
	if !a.wanted[user] && len(a.wanted) < cap(a.want) {
		select {
		case a.want <- user:
			a.wanted[user] = true
		default:
		}
	}
	return ""
}

// lookupNames looks up the names nameOf missed, one at a time, until ctx
// ends. After a failed lookup it pauses a minute: Slack may be down or
// limiting users.info, and names can wait.
func (a *Adapter) lookupNames(ctx context.Context) {
	for {
		var user string
		select {
		case <-ctx.Done():
			return
		case user = <-a.want:
		}
		lctx, cancel := context.WithTimeout(ctx, nameTimeout)
		err := a.read(lctx, func() error {
			_, err := a.userInfo(lctx, user)
			return err
		})
		cancel()
		a.mu.Lock()
		delete(a.wanted, user)
		a.mu.Unlock()
		if err == nil || ctx.Err() != nil || isCode(err, "user_not_found", "user_not_visible") {
			continue
		}
		a.log.Debug("slack: no display name; names wait a minute", "user", user, "err", err)
		t := time.NewTimer(time.Minute)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// nameTimeout bounds one background name lookup.
const nameTimeout = 10 * time.Second

// teamTimeout bounds a team lookup on the event path (a reaction's
// author, to tell staff): past it the event fails, unacknowledged, and
// Slack delivers it again.
const teamTimeout = 2 * time.Second

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
