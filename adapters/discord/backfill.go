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
		a.chans[t.ID] = chanInfo{guild: t.GuildID, parent: t.ParentID, name: t.Name}
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
		for _, m := range msgs {
			m.GuildID = ci.guild // REST messages carry no guild id
		}
		fed, upTo, err := a.feed(ctx, msgs)
		n += fed
		if upTo != "" {
			last = upTo
		}
		failed = err
		if failed != nil {
			break
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

// feed hands a page of backfilled messages (oldest first) to the handler
// without waiting for each commit, then waits for them in order. The
// events are built first (a member's roles may be fetched then), so that
// the submissions follow each other at once: the core's writer waits for
// the first one's wait. A command is handled (and answered) in its turn,
// after the messages before it are committed. It returns how many were
// handled, the id up to which every message was committed or skipped,
// and the first error.
func (a *Adapter) feed(ctx context.Context, msgs []*discordgo.Message) (int, string, error) {
	type item struct {
		id string
		ev *bot.Event // nil: skipped
	}
	n, last := 0, ""
	var failed error
	var batch []item
	flush := func() {
		waits := make([]func() error, len(batch))
		for i, it := range batch {
			if it.ev != nil {
				waits[i] = a.submit(ctx, *it.ev)
			}
		}
		for i, it := range batch {
			if waits[i] != nil {
				if err := waits[i](); failed == nil && err != nil {
					failed = fmt.Errorf("message %s: %w", it.id, err)
				}
			}
			if failed == nil {
				last = it.id
				if it.ev != nil {
					n++
				}
			}
		}
		batch = batch[:0]
	}
	for _, m := range msgs {
		ev, ok := a.messageEvent(ctx, m)
		switch {
		case !ok:
			batch = append(batch, item{id: m.ID})
		case ev.Kind == bot.KindCommand:
			flush()
			if failed != nil {
				return n, last, failed
			}
			a.command(ctx, m, ev)
			last, n = m.ID, n+1
		default:
			ev.Backfill = true
			batch = append(batch, item{id: m.ID, ev: &ev})
		}
	}
	flush()
	return n, last, failed
}
