package slack

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/openear/openear/bot"
)

// webAPI maps every Web API method the adapter calls to the bot scopes it
// needs. The tests check that every method the adapter calls through
// slackfake is listed here, and deploy/slack-manifest.yaml that every
// scope listed here is asked for: a method added without its scope fails
// the tests, not a user's installation.
var webAPI = map[string][]string{
	"auth.test": nil, // who the bot is, and which scopes it holds
	// Socket Mode's connection URL; the app-level token (connections:write)
	// calls it, not the bot token.
	"apps.connections.open": nil,
	"chat.postMessage":      {"chat:write"}, // notices, DMs, thread posts
	"chat.update":           {"chat:write"}, // notices edited as threads move
	"chat.postEphemeral":    {"chat:write"}, // the reply to a button press
	"conversations.open":    {"im:write"},   // the DM channel to an owner
	"conversations.list":    {"im:read"},    // the bot's DM channels, for backfill (types=im)
	"users.info":            {"users:read"}, // a user's team (staff?) and name
	"team.info":             {"team:read"},  // the name of a Slack Connect customer's workspace
	"conversations.info":    readScopes,     // a watched channel's name, for the dashboard
	"views.open":            nil,            // the CSAT comment modal (a trigger_id, no scope)
	"conversations.history": historyScopes,  // backfill of watched channels
	"conversations.replies": historyScopes,  // backfill of their threads
}

// dmMethods are the methods called only when DMs are watched.
var dmMethods = []string{"conversations.list"}

// readScopes read the name of public (channels:) and private (groups:)
// channels.
var readScopes = []string{"channels:read", "groups:read"}

// historyScopes read the history of public (channels:) and private
// (groups:) channels: a watched channel may be either.
var historyScopes = []string{"channels:history", "groups:history"}

// botEvent is a bot event the adapter subscribes to.
type botEvent struct {
	name  string // the subscription: message.channels, reaction_added…
	typ   string // the inner event's type, as handleCallback switches on it
	scope string // the scope Slack requires to deliver it
	dm    bool   // needed only when DMs are watched
}

// botEvents are the events the adapter handles: messages in public and
// private channels and DMs, and reactions (👀 claims, ✅ resolves).
var botEvents = []botEvent{
	{name: "message.channels", typ: "message", scope: "channels:history"},
	{name: "message.groups", typ: "message", scope: "groups:history"},
	{name: "message.im", typ: "message", scope: "im:history", dm: true},
	{name: "reaction_added", typ: "reaction_added", scope: "reactions:read"},
}

// commandScope lets the app have the /openear slash command.
const commandScope = "commands"

// Scopes returns the bot scopes an adapter with cfg needs, sorted: those
// of every Web API method it calls, of every event it handles (DMs only
// and DM listing only when cfg.DMs) and of the slash command.
func Scopes(cfg Config) []string {
	need := []string{commandScope}
	for m, scopes := range webAPI {
		if cfg.DMs || !slices.Contains(dmMethods, m) {
			need = append(need, scopes...)
		}
	}
	for _, e := range botEvents {
		if !e.dm || cfg.DMs {
			need = append(need, e.scope)
		}
	}
	slices.Sort(need)
	return slices.Compact(need)
}

// Events returns the bot events an adapter with cfg subscribes to, sorted.
func Events(cfg Config) []string {
	var out []string
	for _, e := range botEvents {
		if !e.dm || cfg.DMs {
			out = append(out, e.name)
		}
	}
	slices.Sort(out)
	return out
}

// MissingScopes returns the scopes of need that granted (the
// X-OAuth-Scopes header: comma separated) lacks, in need's order.
func MissingScopes(need []string, granted string) []string {
	have := map[string]bool{}
	for _, s := range strings.Split(granted, ",") {
		have[strings.TrimSpace(s)] = true
	}
	var missing []string
	for _, s := range need {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	return missing
}

// Token is what Slack says about the bot token (auth.test).
type Token struct {
	Team, User, URL string
	// Granted are the scopes of X-OAuth-Scopes; nil when Slack sent none.
	Granted []string
	// Missing are the scopes Scopes(cfg) needs that Granted lacks; nil
	// when Granted is unknown.
	Missing []string
}

// CheckToken asks Slack (auth.test, at cfg.APIURL) who the bot token
// belongs to and which scopes it holds, and which needed ones it lacks.
// With an app token it also asks apps.connections.open, which fails when
// the app token is wrong or Socket Mode is off. It starts nothing and
// sends no message; `openear check -online` uses it.
func CheckToken(ctx context.Context, cfg Config) (Token, error) {
	a, err := New(cfg, bot.NopHandler{})
	if err != nil {
		return Token{}, err
	}
	r, err := a.api.AuthTestContext(ctx)
	if err != nil {
		return Token{}, fmt.Errorf("slack auth.test (bot token): %w", err)
	}
	t := Token{Team: r.TeamID, User: r.UserID, URL: r.URL}
	if h := r.Header.Get("X-OAuth-Scopes"); h != "" {
		t.Granted = strings.Split(h, ",")
		for i := range t.Granted {
			t.Granted[i] = strings.TrimSpace(t.Granted[i])
		}
		t.Missing = MissingScopes(Scopes(cfg), h)
	}
	if cfg.AppToken != "" {
		if _, _, err := a.api.StartSocketModeContext(ctx); err != nil {
			return t, fmt.Errorf("slack apps.connections.open (app token, Socket Mode): %w", err)
		}
	}
	return t, nil
}

// warnScopes logs the scopes cfg needs that the granted header lacks. An
// absent header (a proxy may drop it) says nothing either way.
func (a *Adapter) warnScopes(granted string) {
	if granted == "" {
		a.log.Debug("slack: auth.test sent no X-OAuth-Scopes; scopes not checked")
		return
	}
	if missing := MissingScopes(Scopes(a.cfg), granted); len(missing) > 0 {
		a.log.Warn("slack: the bot token lacks scopes openear needs; add them to the app (deploy/slack-manifest.yaml) and reinstall it",
			"missing", strings.Join(missing, ","))
	}
}
