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
	teams map[string]named    // team id -> its name (team.info), cached
	chans map[string]named    // channel id -> its name (conversations.info), cached
	// want queues the users ("u:" id) and channels ("c:" id) whose names
	// are missing or old, for lookupNames; wanted holds them while
	// queued. told is what the handler was last told of each.
	want   chan string
	wanted map[string]bool
	told   map[string]bot.Name
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
		users: map[string]userInfo{}, dms: map[string]string{}, teams: map[string]named{}, chans: map[string]named{},
		want: make(chan string, 1024), wanted: map[string]bool{}, told: map[string]bot.Name{},
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

// nameTimeout bounds one background name lookup.
const nameTimeout = 10 * time.Second

// teamTimeout bounds a team lookup on the event path (a reaction's
// author, to tell staff): past it the event fails, unacknowledged, and
// Slack delivers it again.
const teamTimeout = 2 * time.Second

// userInfo returns a user's team and display name, from users.info
// (cached, at most 10,000 users, whatever their age: a team never
// changes; names are refreshed by the background lookup).
func (a *Adapter) userInfo(ctx context.Context, user string) (userInfo, error) {
	a.mu.Lock()
	u, ok := a.users[user]
	a.mu.Unlock()
	if ok {
		return u, nil
	}
	return a.fetchUser(ctx, user, false)
}

// fetchUser asks users.info and caches the answer; with company, also
// team.info for the name of a Slack Connect user's workspace (cached).
// Without it (the event path, in a hurry), an outside user's entry is
// left as old, for the background lookup to complete.
func (a *Adapter) fetchUser(ctx context.Context, user string, company bool) (userInfo, error) {
	info, err := a.api.GetUserInfoContext(ctx, user)
	if err != nil {
		return userInfo{}, fmt.Errorf("slack users.info %s: %w", user, err)
	}
	u := userInfo{team: info.TeamID, name: cmp.Or(info.Profile.DisplayName, info.RealName, info.Name), at: a.now()}
	if id := a.homeTeam(); u.team != "" && id != "" && u.team != id {
		if company {
			u.company = a.teamName(ctx, u.team)
		} else {
			u.at = time.Time{}
		}
	}
	a.mu.Lock()
	if len(a.users) > 10000 {
		clear(a.users)
	}
	a.users[user] = u
	a.mu.Unlock()
	return u, nil
}

// userInfo is what openear keeps of a Slack user.
type userInfo struct {
	team, name string
	company    string    // their workspace's name, when not the home team
	at         time.Time // when users.info told
}

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
