package discord

import (
	"context"
	"errors"

	"github.com/bwmarrin/discordgo"

	"github.com/openear/openear/bot"
)

// Names. A live message carries its author's names (the member's
// nickname in the server, their global name, their username) and the
// gateway's GUILD_CREATE and THREAD_CREATE name the channels, so
// Discord needs no lookup on the event path: each event carries the
// names at hand. A name that is new or changed since the handler was
// last told is queued, and tellNames tells the handler (a bot.Namer) in
// the background; a channel whose name the gateway did not give is
// looked up there (GET /channels/{id}). A backfilled message (REST)
// carries no member, so no nickname: it keeps the name last told.

// noteNameLocked queues n for the handler when it is new or changed.
// a.mu must be held.
func (a *Adapter) noteNameLocked(n bot.Name) {
	key := n.Kind + ":" + n.ID
	if n.Name == "" || a.told[key] == n {
		return
	}
	select {
	case a.names <- n:
		if len(a.told) > 20000 {
			clear(a.told)
		}
		a.told[key] = n
	default: // full: the next event brings it again
	}
}

// userName returns the name to give a message's author. A live
// message of a server carries its member (their nickname), a DM needs
// none; a backfilled message of a server (REST) carries no member:
// it keeps the name last told, so a nickname is not undone.
func (a *Adapter) userName(m *discordgo.Message) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if m.GuildID != "" && m.Member == nil {
		if n := a.told[bot.NameUser+":"+m.Author.ID].Name; n != "" {
			return n
		}
		return displayName(m.Author, nil)
	}
	name := displayName(m.Author, m.Member)
	a.noteNameLocked(bot.Name{Kind: bot.NameUser, ID: m.Author.ID, Name: name})
	return name
}

// channelName returns a channel's name from the cache, or "" while it
// is not known; a miss is looked up in the background.
func (a *Adapter) channelName(channel string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if ci, ok := a.chans[channel]; ok && ci.name != "" {
		a.noteNameLocked(bot.Name{Kind: bot.NameChannel, ID: channel, Name: ci.name})
		return ci.name
	}
	if !a.looking[channel] {
		select {
		case a.names <- bot.Name{Kind: bot.NameChannel, ID: channel}: // no name: look it up
			a.looking[channel] = true
		default:
		}
	}
	return ""
}

// tellNames tells the handler the queued names until ctx ends, looking
// up the channels queued without one.
func (a *Adapter) tellNames(ctx context.Context) {
	nm, ok := a.h.(bot.Namer)
	for {
		var n bot.Name
		select {
		case <-ctx.Done():
			return
		case n = <-a.names:
		}
		if n.Name == "" {
			c, err := a.s.Channel(n.ID, discordgo.WithContext(ctx))
			a.mu.Lock()
			delete(a.looking, n.ID)
			if err == nil {
				ci := chanInfo{guild: c.GuildID, name: c.Name}
				if c.IsThread() {
					ci.parent = c.ParentID
				}
				a.chans[n.ID] = ci
				a.told[bot.NameChannel+":"+n.ID] = bot.Name{Kind: bot.NameChannel, ID: n.ID, Name: c.Name}
			}
			a.mu.Unlock()
			if err != nil || c.Name == "" {
				a.log.Debug("discord: no channel name", "channel", n.ID, "err", err)
				continue
			}
			n.Name = c.Name
		}
		if !ok {
			continue
		}
		if err := nm.LearnNames(ctx, bot.Discord, []bot.Name{n}); err != nil && !errors.Is(err, context.Canceled) {
			a.log.Warn("discord: names not recorded", "id", n.ID, "err", err)
			a.mu.Lock()
			delete(a.told, n.Kind+":"+n.ID) // told again by the next event
			a.mu.Unlock()
		}
	}
}
