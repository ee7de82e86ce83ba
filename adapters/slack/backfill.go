package slack

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/openear/openear/bot"
)

// backfill feeds, for every watched channel, the messages newer than the
// channel's cursor: messages the bot missed while it was down or
// reconnecting. A channel without a cursor starts from now. It stops a
// channel at the first message the handler fails on, so the cursor never
// passes a message that was not committed.
func (a *Adapter) backfill(ctx context.Context) error {
	id, err := a.identify(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, ch := range a.cfg.Channels {
		n, err := a.backfillChannel(ctx, id, ch)
		if err != nil {
			errs = append(errs, fmt.Errorf("backfill %s: %w", ch, err))
			continue
		}
		if n > 0 {
			a.log.Info("slack backfill", "channel", ch, "messages", n)
		}
	}
	return errors.Join(errs...)
}

// backfillChannel feeds one channel's missed messages, oldest first, and
// returns how many it fed.
func (a *Adapter) backfillChannel(ctx context.Context, id *identity, ch string) (int, error) {
	cursor, err := a.h.Cursor(ctx, bot.Slack, ch)
	if err != nil || cursor == "" {
		return 0, err
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
		msgs = append(msgs, m)
	}
	sort.Slice(msgs, func(i, j int) bool { return bot.LaterID(msgs[j].TS, msgs[i].TS) })
	n := 0
	for _, m := range msgs {
		if a.skipReason(id, m) != "" {
			continue
		}
		if err := a.feedMessage(ctx, "slack:msg:"+ch+":"+m.TS, m, true); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
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

// fromMsg converts a history entry. History has no channel_type: backfill
// covers watched channels only, never DMs.
func fromMsg(m slack.Msg) message {
	return message{
		Type: m.Type, Subtype: m.SubType, Channel: m.Channel, User: m.User, Team: m.Team,
		BotID: m.BotID, Text: m.Text, TS: m.Timestamp, ThreadTS: m.ThreadTimestamp,
		ReplyCount: m.ReplyCount, LatestReply: m.LatestReply,
	}
}
