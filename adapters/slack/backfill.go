package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/openear/openear/bot"
)

// passPlace is the pseudo-place whose cursor is the ts at which the last
// complete backfill pass began. A DM channel with no cursor of its own
// was not there (or was never looked at) then: it is read from there.
const passPlace = "*"

// backfill visits every watched place — the configured channels and,
// when DMs are watched, every DM channel (conversations.list types=im,
// and those the handler has seen) — and feeds the messages newer than
// the place's cursor: what the bot missed while it was down or
// reconnecting. A place seen for the first time gets a cursor for now,
// so that any later downtime is covered: a configured channel from then
// on (its past is not a customer waiting), a DM channel from the start
// of the last complete pass (it is new since). It stops a place at the
// first message the handler fails on, so a cursor never passes a
// message that was not committed.
func (a *Adapter) backfill(ctx context.Context) error {
	id, err := a.identify(ctx)
	if err != nil {
		return err
	}
	begun := tsOf(time.Now())
	pass, err := a.h.Cursor(ctx, bot.Slack, passPlace)
	if err != nil {
		return fmt.Errorf("backfill: %w", err)
	}
	var errs []error
	visit := func(ch string, dm bool, since string) {
		n, err := a.backfillPlace(ctx, id, ch, dm, since)
		if err != nil {
			errs = append(errs, fmt.Errorf("backfill %s: %w", ch, err))
			return
		}
		if n > 0 {
			a.log.Info("slack backfill", "channel", ch, "dm", dm, "messages", n)
		}
	}
	for _, ch := range a.cfg.Channels {
		visit(ch, false, "")
	}
	if a.cfg.DMs {
		dms, err := a.dmChannels(ctx)
		if err != nil {
			errs = append(errs, fmt.Errorf("backfill: %w", err))
		}
		for _, ch := range dms {
			visit(ch, true, pass)
		}
	}
	if len(errs) == 0 {
		if err := a.h.MarkCursor(ctx, bot.Slack, passPlace, begun); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// dmChannels lists the bot's DM channels: conversations.list with
// types=im, and the DM channels the handler has seen (Places).
func (a *Adapter) dmChannels(ctx context.Context) ([]string, error) {
	known, err := a.h.Places(ctx, bot.Slack)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	add := func(ch string) {
		if ch != "" && !seen[ch] {
			seen[ch] = true
			out = append(out, ch)
		}
	}
	p := &slack.GetConversationsParameters{Types: []string{"im"}, Limit: 1000}
	for {
		var page []slack.Channel
		var next string
		err := a.read(ctx, func() (err error) {
			page, next, err = a.api.GetConversationsContext(ctx, p)
			return err
		})
		if err != nil {
			// The known ones are still visited.
			for _, ch := range known {
				add(ch)
			}
			return out, fmt.Errorf("conversations.list types=im: %w", err)
		}
		for _, c := range page {
			if c.IsIM && !c.IsUserDeleted {
				add(c.ID)
			}
		}
		if next == "" {
			break
		}
		p.Cursor = next
	}
	for _, ch := range known {
		add(ch)
	}
	return out, nil
}

// backfillPlace feeds one place's missed messages, oldest first, and
// returns how many it fed. A place without a cursor starts from since
// and gets its own cursor; with since empty too it is seen for the first
// time: it is marked for now and nothing is read.
func (a *Adapter) backfillPlace(ctx context.Context, id *identity, ch string, dm bool, since string) (int, error) {
	cursor, err := a.h.Cursor(ctx, bot.Slack, ch)
	if err != nil {
		return 0, err
	}
	own := cursor != ""
	if !own {
		cursor = since
	}
	if cursor == "" {
		// Messages from now on are delivered live while connected; should
		// openear stop, the next backfill starts here.
		return 0, a.h.MarkCursor(ctx, bot.Slack, ch, tsOf(time.Now()))
	}
	// Read from before the cursor, so thread parents that got new
	// replies while the bot was away are seen too.
	oldest := cursor
	lookback := a.cfg.ThreadLookback
	if lookback == 0 {
		lookback = 24 * time.Hour
	}
	if lookback > 0 {
		if t := tsTime(cursor); !t.IsZero() {
			oldest = strconv.FormatInt(t.Add(-lookback).Unix(), 10) + ".000000"
		}
	}
	found := map[string]message{}
	top, err := a.history(ctx, ch, oldest)
	if err != nil {
		return 0, err
	}
	for _, m := range top {
		if bot.LaterID(m.TS, cursor) {
			found[m.TS] = m
		}
		if m.ReplyCount > 0 && bot.LaterID(m.LatestReply, cursor) {
			replies, err := a.replies(ctx, ch, m.TS, cursor)
			if err != nil {
				return 0, err
			}
			for _, r := range replies {
				if r.TS != m.TS && bot.LaterID(r.TS, cursor) {
					found[r.TS] = r
				}
			}
		}
	}
	msgs := make([]message, 0, len(found))
	for _, m := range found {
		m.Channel = ch
		if dm {
			m.ChannelType = "im" // history does not say
		}
		msgs = append(msgs, m)
	}
	sort.Slice(msgs, func(i, j int) bool { return bot.LaterID(msgs[j].TS, msgs[i].TS) })
	n, last, err := a.feed(ctx, id, ch, msgs)
	if last == "" && !own {
		last = cursor // from now on the place has its own cursor
	}
	if last != "" {
		if merr := a.h.MarkCursor(ctx, bot.Slack, ch, last); err == nil {
			err = merr
		}
	}
	return n, err
}

// feed hands a place's missed messages (oldest first) to the handler
// without waiting for each commit — a long gap shares the core's group
// commits — then waits for them in order. The events are built first
// (any lookup happens then), so that the submissions follow each other
// at once: the core's writer waits for the first one's wait. It stops at
// the first message it cannot turn into an event, and returns how many
// were handled, the ts up to which every message was committed or
// skipped (where the place's cursor may move: a backfilled message
// leaves the cursor to the adapter), and the first error.
func (a *Adapter) feed(ctx context.Context, id *identity, ch string, msgs []message) (int, string, error) {
	type fed struct {
		ts   string
		ev   *bot.Event // nil: skipped
		wait handled
	}
	var all []fed
	var stopped error
	for _, m := range msgs {
		if a.skipReason(id, m) != "" {
			all = append(all, fed{ts: m.TS})
			continue
		}
		ev, ok, err := a.messageEvent(ctx, "slack:msg:"+ch+":"+m.TS, m, true)
		if err != nil {
			stopped = fmt.Errorf("message %s: %w", m.TS, err)
			break
		}
		f := fed{ts: m.TS}
		if ok {
			f.ev = &ev
		}
		all = append(all, f)
	}
	for i := range all {
		if all[i].ev != nil {
			all[i].wait = a.submit(ctx, *all[i].ev)
		}
	}
	n, last := 0, ""
	var first error
	for _, f := range all {
		if f.ev == nil {
			if first == nil {
				last = f.ts
			}
			continue
		}
		err := f.wait() // every wait is called, even after a failure
		if first == nil && err != nil {
			first = err
		}
		if first == nil {
			last = f.ts
			n++
		}
	}
	return n, last, cmp.Or(first, stopped)
}

// tsOf is the Slack ts of a time.
func tsOf(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// history reads every top-level message of ch newer than oldest.
func (a *Adapter) history(ctx context.Context, ch, oldest string) ([]message, error) {
	var all []message
	p := &slack.GetConversationHistoryParameters{ChannelID: ch, Oldest: oldest, Limit: 200}
	for {
		var r *slack.GetConversationHistoryResponse
		err := a.read(ctx, func() (err error) {
			r, err = a.api.GetConversationHistoryContext(ctx, p)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("conversations.history: %w", err)
		}
		for _, m := range r.Messages {
			all = append(all, fromMsg(m.Msg))
		}
		if !r.HasMore || r.ResponseMetaData.NextCursor == "" {
			return all, nil
		}
		p.Cursor = r.ResponseMetaData.NextCursor
	}
}

// replies reads the replies of thread root in ch newer than oldest (the
// root itself included, as Slack returns it).
func (a *Adapter) replies(ctx context.Context, ch, root, oldest string) ([]message, error) {
	var all []message
	p := &slack.GetConversationRepliesParameters{ChannelID: ch, Timestamp: root, Oldest: oldest, Limit: 200}
	for {
		var (
			msgs []slack.Message
			more bool
			next string
		)
		err := a.read(ctx, func() (err error) {
			msgs, more, next, err = a.api.GetConversationRepliesContext(ctx, p)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("conversations.replies %s: %w", root, err)
		}
		for _, m := range msgs {
			all = append(all, fromMsg(m.Msg))
		}
		if !more || next == "" {
			return all, nil
		}
		p.Cursor = next
	}
}

// read runs one Web API read, waiting out up to three rate limits.
func (a *Adapter) read(ctx context.Context, call func() error) error {
	for try := 0; ; try++ {
		err := call()
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || try >= 3 {
			return err
		}
		t := time.NewTimer(rl.RetryAfter)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// fromMsg converts a history entry. History has no channel_type: the
// backfill of a DM channel sets it.
func fromMsg(m slack.Msg) message {
	return message{
		Type: m.Type, Subtype: m.SubType, Channel: m.Channel, User: m.User, Team: m.Team,
		BotID: m.BotID, Text: m.Text, TS: m.Timestamp, ThreadTS: m.ThreadTimestamp,
		ReplyCount: m.ReplyCount, LatestReply: m.LatestReply,
	}
}
