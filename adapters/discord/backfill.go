package discord

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/openear/openear/bot"
)

// passPlace is the pseudo-place whose cursor is the snowflake of the time
// the last complete backfill pass began. A thread or DM channel with no
// cursor of its own was not there (or was never looked at) then: it is
// read from there.
const passPlace = "*"

// discordEpoch is the start of Discord's snowflake clock, in Unix ms.
const discordEpoch = 1420070400000

// snowflakeAt is the smallest snowflake of a time: "after" it means
// posted at or after t.
func snowflakeAt(t time.Time) string {
	ms := t.UnixMilli() - discordEpoch
	if ms < 0 {
		ms = 0
	}
	return strconv.FormatUint(uint64(ms)<<22, 10)
}

// backfill visits every watched place — the configured channels, their
// active threads and those archived since the last pass, and the DM
// channels the handler has seen (Discord gives a bot no list of them) —
// and feeds the messages posted after each place's cursor, oldest first,
// with the ids live events use (so the handler's dedupe takes each once).
// A place seen for the first time gets a cursor for now, so that any
// later downtime is covered: a configured channel from then on (its past
// is not a customer waiting), a thread or DM from the start of the last
// complete pass (it is new since).
func (a *Adapter) backfill(ctx context.Context) {
	begun := snowflakeAt(time.Now())
	pass, err := a.h.Cursor(ctx, bot.Discord, passPlace)
	if err != nil {
		a.log.Error("discord: backfill failed", "err", err)
		return
	}
	var errs []error
	visit := func(place, since string) {
		n, err := a.backfillPlace(ctx, place, since)
		if err != nil {
			errs = append(errs, fmt.Errorf("place %s: %w", place, err))
		}
		if n > 0 {
			a.log.Info("discord backfill", "place", place, "messages", n)
		}
	}
	for _, ch := range a.cfg.Channels {
		visit(ch, "")
	}
	threads, err := a.watchedThreads(ctx, pass)
	if err != nil {
		errs = append(errs, err)
	}
	for _, th := range threads {
		visit(th, pass)
	}
	if a.cfg.DMs {
		dms, err := a.h.Places(ctx, bot.Discord)
		if err != nil {
			errs = append(errs, err)
		}
		for _, dm := range dms {
			visit(dm, pass)
		}
	}
	if len(errs) == 0 {
		if err := a.h.MarkCursor(ctx, bot.Discord, passPlace, begun); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil && ctx.Err() == nil {
		a.log.Error("discord: backfill failed", "err", err)
	}
}

// watchedThreads lists the threads of the watched channels to backfill:
// the active ones (one call per guild) and, once a pass has been made,
// the public ones archived since it (newest archive first, until one
// archived before). It learns each thread's parent on the way.
func (a *Adapter) watchedThreads(ctx context.Context, pass string) ([]string, error) {
	guilds := map[string]bool{}
	for _, ch := range a.cfg.Channels {
		ci, err := a.channelInfo(ctx, ch)
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", ch, err)
		}
		if ci.guild != "" {
			guilds[ci.guild] = true
		}
	}
	var out []string
	seen := map[string]bool{}
	add := func(t *discordgo.Channel) {
		if t == nil || !a.watched[t.ParentID] || seen[t.ID] {
			return
		}
		seen[t.ID] = true
		a.mu.Lock()
		a.chans[t.ID] = chanInfo{guild: t.GuildID, parent: t.ParentID}
		a.mu.Unlock()
		out = append(out, t.ID)
	}
	ids := make([]string, 0, len(guilds))
	for g := range guilds {
		ids = append(ids, g)
	}
	sort.Strings(ids)
	for _, g := range ids {
		list, err := a.s.GuildThreadsActive(g, discordgo.WithContext(ctx))
		if err != nil {
			return out, fmt.Errorf("active threads of guild %s: %w", g, err)
		}
		for _, t := range list.Threads {
			if t.GuildID == "" {
				t.GuildID = g
			}
			add(t)
		}
	}
	if pass == "" {
		return out, nil
	}
	since := snowflakeTime(pass)
	for _, ch := range a.cfg.Channels {
		var before *time.Time
		for {
			list, err := a.s.ThreadsArchived(ch, before, 100, discordgo.WithContext(ctx))
			if err != nil {
				return out, fmt.Errorf("archived threads of %s: %w", ch, err)
			}
			older := false
			for _, t := range list.Threads {
				if t.ThreadMetadata != nil && t.ThreadMetadata.ArchiveTimestamp.Before(since) {
					older = true
					break
				}
				add(t)
			}
			if older || !list.HasMore || len(list.Threads) == 0 {
				break
			}
			last := list.Threads[len(list.Threads)-1]
			if last.ThreadMetadata == nil {
				break
			}
			at := last.ThreadMetadata.ArchiveTimestamp
			before = &at
		}
	}
	return out, nil
}

// backfillPlace feeds one place's messages after its cursor, a page of
// 100 at a time: each page is handed to the handler without waiting for
// each commit, then waited for in order. The place's cursor is then
// marked up to the last message before any failure (a backfilled message
// leaves the cursor to the adapter). A place without a cursor starts from
// since and gets its own; with since empty too, it is seen for the first
// time: it is marked for now and nothing is read. It returns how many
// messages were handled.
func (a *Adapter) backfillPlace(ctx context.Context, place, since string) (int, error) {
	cursor, err := a.h.Cursor(ctx, bot.Discord, place)
	if err != nil {
		return 0, err
	}
	own := cursor != ""
	if !own {
		cursor = since
	}
	if cursor == "" {
		// Messages from now on arrive over the gateway while connected;
		// should openear stop, the next backfill starts here.
		return 0, a.h.MarkCursor(ctx, bot.Discord, place, snowflakeAt(time.Now()))
	}
	ci, err := a.channelInfo(ctx, place)
	if err != nil {
		return 0, err
	}
	n, last, after := 0, "", cursor
	var failed error
	for failed == nil {
		msgs, err := a.s.ChannelMessages(place, 100, "", after, "", discordgo.WithContext(ctx))
		if err != nil {
			failed = err
			break
		}
		sort.Slice(msgs, func(i, j int) bool { return bot.LaterID(msgs[j].ID, msgs[i].ID) })
		waits := make([]func() error, len(msgs))
		fed := make([]bool, len(msgs))
		for i, m := range msgs {
			m.GuildID = ci.guild // REST messages carry no guild id
			waits[i], fed[i] = a.backfillMessage(ctx, m)
		}
		for i, wait := range waits {
			err := wait() // every wait is called, even after a failure
			if failed == nil && err != nil {
				failed = fmt.Errorf("message %s: %w", msgs[i].ID, err)
			}
			if failed == nil {
				last = msgs[i].ID
				if fed[i] {
					n++
				}
			}
		}
		if len(msgs) < 100 {
			break
		}
		after = msgs[len(msgs)-1].ID
	}
	if last == "" && !own {
		last = cursor // from now on the place has its own cursor
	}
	if last != "" {
		if err := a.h.MarkCursor(ctx, bot.Discord, place, last); failed == nil {
			failed = err
		}
	}
	return n, failed
}

// backfillMessage hands a backfilled message to the handler and returns
// the wait for its commit, and whether it was an event for openear; a
// command is handled (and answered) now.
func (a *Adapter) backfillMessage(ctx context.Context, m *discordgo.Message) (func() error, bool) {
	ev, ok := a.messageEvent(ctx, m)
	switch {
	case !ok:
		return func() error { return nil }, false
	case ev.Kind == bot.KindCommand:
		a.command(ctx, m, ev)
		return func() error { return nil }, true
	}
	ev.Backfill = true
	return a.submit(ctx, ev), true
}
