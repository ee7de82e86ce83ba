package slack

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/openear/openear/bot"
)

// Names. A customer's display name and company (their Slack Connect
// workspace's name, from team.info) and a channel's name
// (conversations.info) come from the adapter's caches only: nothing
// slow is on the ack path. A name missing from a cache, or older than
// nameTTL, is queued for lookupNames, which asks Slack in the
// background, one at a time, and tells the handler (a bot.Namer) each
// name that is new or changed: the core puts it on the thread and
// edits its triage notice, so a new customer's first notice shows their
// name once Slack told it.

// nameTTL is how long a cached name is used before it is looked up
// again (a user or channel may be renamed).
const nameTTL = time.Hour

// named is a cached name of a team or channel.
type named struct {
	name string
	at   time.Time
}

// homeTeam is the bot's workspace, once auth.test told it.
func (a *Adapter) homeTeam() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.id == nil {
		return ""
	}
	return a.id.team
}

// nameOf returns a user's display name and company from the cache, or
// "" while they are not known; a miss or an old name is queued for
// lookupNames. Never a reason to fail or delay an event.
func (a *Adapter) nameOf(user string) (name, company string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[user]
	if !ok || u.at.IsZero() || a.now().Sub(u.at) > nameTTL {
		a.wantLocked("u:" + user)
	}
	return u.name, u.company
}

// channelName returns a channel's name from the cache, or "" while it
// is not known; a miss or an old name is queued for lookupNames.
func (a *Adapter) channelName(channel string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.chans[channel]
	if !ok || a.now().Sub(c.at) > nameTTL {
		a.wantLocked("c:" + channel)
	}
	return c.name
}

// wantLocked queues a lookup unless it is queued already. a.mu must be
// held.
func (a *Adapter) wantLocked(key string) {
	if a.wanted[key] || len(a.wanted) >= cap(a.want) {
		return
	}
	select {
	case a.want <- key:
		a.wanted[key] = true
	default:
	}
}

// teamName returns a workspace's name from team.info (cached for
// nameTTL); "" when Slack does not tell.
func (a *Adapter) teamName(ctx context.Context, team string) string {
	a.mu.Lock()
	t, ok := a.teams[team]
	a.mu.Unlock()
	if ok && a.now().Sub(t.at) <= nameTTL {
		return t.name
	}
	info, err := a.api.GetOtherTeamInfoContext(ctx, team)
	if err != nil {
		a.log.Debug("slack: no team name", "team", team, "err", err)
		return t.name
	}
	a.mu.Lock()
	a.teams[team] = named{name: info.Name, at: a.now()}
	a.mu.Unlock()
	return info.Name
}

// lookupNames looks up the names queued by nameOf and channelName, one
// at a time, until ctx ends, and tells the handler of those that are
// new or changed. After a failed lookup it pauses a minute: Slack may
// be down or limiting the method, and names can wait.
func (a *Adapter) lookupNames(ctx context.Context) {
	for {
		var key string
		select {
		case <-ctx.Done():
			return
		case key = <-a.want:
		}
		lctx, cancel := context.WithTimeout(ctx, nameTimeout)
		var n bot.Name
		err := a.read(lctx, func() error {
			var err error
			n, err = a.lookupName(lctx, key)
			return err
		})
		cancel()
		a.mu.Lock()
		delete(a.wanted, key)
		a.mu.Unlock()
		switch {
		case err == nil:
			a.tell(ctx, key, n)
		case ctx.Err() != nil:
			return
		case isCode(err, "user_not_found", "user_not_visible", "channel_not_found", "not_in_channel", "missing_scope"):
			a.log.Debug("slack: no name", "lookup", key, "err", err)
		default:
			a.log.Debug("slack: no name; names wait a minute", "lookup", key, "err", err)
			t := time.NewTimer(time.Minute)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}

// lookupName asks Slack for the name of a queued key ("u:U123",
// "c:C123").
func (a *Adapter) lookupName(ctx context.Context, key string) (bot.Name, error) {
	kind, id, _ := strings.Cut(key, ":")
	if kind == "u" {
		u, err := a.fetchUser(ctx, id, true)
		if err != nil {
			return bot.Name{}, err
		}
		return bot.Name{Kind: bot.NameUser, ID: id, Name: u.name, Company: u.company}, nil
	}
	c, err := a.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: id})
	if err != nil {
		return bot.Name{}, err
	}
	a.mu.Lock()
	a.chans[id] = named{name: c.Name, at: a.now()}
	a.mu.Unlock()
	if c.IsIM || c.Name == "" {
		return bot.Name{}, nil // a DM has no name
	}
	return bot.Name{Kind: bot.NameChannel, ID: id, Name: c.Name}, nil
}

// tell gives the handler a name when it is new or changed since it was
// last told (a bot.Namer; other handlers are not told).
func (a *Adapter) tell(ctx context.Context, key string, n bot.Name) {
	nm, ok := a.h.(bot.Namer)
	if !ok || n.Name == "" {
		return
	}
	a.mu.Lock()
	same := a.told[key] == n
	a.mu.Unlock()
	if same {
		return
	}
	if err := nm.LearnNames(ctx, bot.Slack, []bot.Name{n}); err != nil {
		if !errors.Is(err, context.Canceled) {
			a.log.Warn("slack: names not recorded", "lookup", key, "err", err)
		}
		return
	}
	a.mu.Lock()
	if len(a.told) > 20000 {
		clear(a.told)
	}
	a.told[key] = n
	a.mu.Unlock()
}
