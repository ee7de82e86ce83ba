package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack/slackevents"

	"github.com/openear/openear/bot"
)

// callback is the outer Events API body (event_callback, url_verification…).
type callback struct {
	Type      string          `json:"type"`
	Challenge string          `json:"challenge"`
	TeamID    string          `json:"team_id"`
	EventID   string          `json:"event_id"`
	EventTime int64           `json:"event_time"`
	Event     json.RawMessage `json:"event"`
}

// message is the part of a message event (or history entry) openear reads.
// slackevents.MessageEvent has no "team" field, so it is decoded here.
type message struct {
	Type        string   `json:"type"`
	Subtype     string   `json:"subtype"`
	Channel     string   `json:"channel"`
	ChannelType string   `json:"channel_type"`
	User        string   `json:"user"`
	Team        string   `json:"team"`
	UserTeam    string   `json:"user_team"`
	BotID       string   `json:"bot_id"`
	Text        string   `json:"text"`
	TS          string   `json:"ts"`
	ThreadTS    string   `json:"thread_ts"`
	ReplyCount  int      `json:"reply_count"`
	LatestReply string   `json:"latest_reply"`
	Message     *message `json:"message"` // message_changed
}

// reaction is a reaction_added event.
type reaction struct {
	User     string `json:"user"`
	Reaction string `json:"reaction"`
	Item     struct {
		Type    string `json:"type"`
		Channel string `json:"channel"`
		TS      string `json:"ts"`
	} `json:"item"`
	EventTS string `json:"event_ts"`
}

// errMalformed marks a body that is not the JSON Slack sends.
var errMalformed = errors.New("malformed slack payload")

// handled is what waiting for an event's commit returns: nil once the
// event is durable (or was not for openear), else why it was not handled.
type handled func() error

// done is the handled of an event with nothing to wait for.
func done(err error) handled { return func() error { return err } }

// startCallback decodes an Events API body and submits the event it
// carries to the handler, without waiting for its commit: the handled it
// returns waits. Events openear does not use are done at once (nil). An
// error, now or from the wait, means the delivery must not be
// acknowledged; errMalformed marks a body that never will be.
func (a *Adapter) startCallback(ctx context.Context, raw []byte) handled {
	var cb callback
	if err := json.Unmarshal(raw, &cb); err != nil {
		return done(fmt.Errorf("%w: %v", errMalformed, err))
	}
	return a.startEvent(ctx, cb)
}

// startEvent is startCallback of a decoded body.
func (a *Adapter) startEvent(ctx context.Context, cb callback) handled {
	if cb.Type != slackevents.CallbackEvent {
		a.log.Debug("slack: ignoring outer event", "type", cb.Type)
		return done(nil)
	}
	var inner struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(cb.Event, &inner); err != nil {
		return done(fmt.Errorf("%w: event: %v", errMalformed, err))
	}
	switch inner.Type {
	case "message":
		var m message
		if err := json.Unmarshal(cb.Event, &m); err != nil {
			return done(fmt.Errorf("%w: message: %v", errMalformed, err))
		}
		return a.startMessage(ctx, cb.EventID, m)
	case "reaction_added":
		var r reaction
		if err := json.Unmarshal(cb.Event, &r); err != nil {
			return done(fmt.Errorf("%w: reaction: %v", errMalformed, err))
		}
		return a.startReaction(ctx, cb.EventID, r)
	}
	a.log.Debug("slack: ignoring event", "type", inner.Type, "event_id", cb.EventID)
	return done(nil)
}

// submit hands ev to the handler without waiting for its commit when the
// handler can (bot.Submitter), else handles it now; the handled waits.
func (a *Adapter) submit(ctx context.Context, ev bot.Event) handled {
	what := fmt.Sprintf("handle %s %s/%s", ev.Kind, ev.Channel, ev.MessageID)
	if s, ok := a.h.(bot.Submitter); ok {
		wait := s.Submit(ctx, ev)
		return func() error {
			if _, err := wait(); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			return nil
		}
	}
	if _, err := a.h.Handle(ctx, ev); err != nil {
		return done(fmt.Errorf("%s: %w", what, err))
	}
	return done(nil)
}

// skipReason says why a message is not a customer or staff message, or "".
func (a *Adapter) skipReason(id *identity, m message) string {
	switch {
	case m.TS == "" || m.Channel == "":
		return "no ts or channel" // not a message Slack sends
	case m.Subtype != "" && m.Subtype != "file_share" && m.Subtype != "thread_broadcast":
		return "subtype " + m.Subtype // edits, joins, deletions, bot_message…
	case m.BotID != "":
		return "bot message"
	case m.User == "" || m.User == id.user:
		return "own message"
	case m.ChannelType == "im":
		if !a.cfg.DMs {
			return "dms not watched"
		}
	case !a.watched[m.Channel]:
		return "channel not watched"
	}
	return ""
}

// messageEvent turns a message into a KindMessage event; false when it
// is not one openear handles. backfill marks one read by backfill rather
// than delivered live. Names come from the caches only (a miss is looked
// up in the background and told to the handler; see names.go).
func (a *Adapter) messageEvent(ctx context.Context, eventID string, m message, backfill bool) (bot.Event, bool, error) {
	id, err := a.identify(ctx)
	if err != nil {
		return bot.Event{}, false, err
	}
	if why := a.skipReason(id, m); why != "" {
		a.log.Debug("slack: skipping message", "channel", m.Channel, "ts", m.TS, "why", why)
		return bot.Event{}, false, nil
	}
	team := m.UserTeam
	if team == "" {
		team = m.Team
	}
	staff, err := a.isStaff(ctx, id, m.User, team)
	if err != nil {
		return bot.Event{}, false, err
	}
	ev := bot.Event{
		ID: eventID, Kind: bot.KindMessage, Platform: bot.Slack,
		Channel: m.Channel, MessageID: m.TS, User: m.User, Staff: staff,
		DM: m.ChannelType == "im", Text: m.Text, At: tsTime(m.TS),
		Permalink: permalink(id.base, m.Channel, m.TS, m.ThreadTS), Backfill: backfill,
	}
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		ev.ThreadKey = m.ThreadTS
	}
	ev.UserName, ev.UserCompany = a.nameOf(m.User)
	if !ev.DM {
		ev.ChannelName = a.channelName(m.Channel)
	}
	return ev, true, nil
}

// startMessage submits a live message event.
func (a *Adapter) startMessage(ctx context.Context, eventID string, m message) handled {
	ev, ok, err := a.messageEvent(ctx, eventID, m, false)
	if err != nil || !ok {
		return done(err)
	}
	return a.submit(ctx, ev)
}

// startReaction turns reaction_added on a watched channel, a DM or the
// triage channel into a KindReaction event and submits it.
func (a *Adapter) startReaction(ctx context.Context, eventID string, r reaction) handled {
	id, err := a.identify(ctx)
	if err != nil {
		return done(err)
	}
	ch := r.Item.Channel
	dm := strings.HasPrefix(ch, "D")
	ok := a.watched[ch] || ch == a.cfg.TriageChannel || (dm && a.cfg.DMs)
	if r.Item.Type != "message" || !ok || r.User == id.user || r.User == "" {
		a.log.Debug("slack: skipping reaction", "channel", ch, "reaction", r.Reaction)
		return done(nil)
	}
	staff, err := a.isStaff(ctx, id, r.User, "")
	if err != nil {
		return done(err)
	}
	ev := bot.Event{
		ID: eventID, Kind: bot.KindReaction, Platform: bot.Slack,
		Channel: ch, MessageID: r.Item.TS, User: r.User, Staff: staff, DM: dm,
		Reaction: r.Reaction, At: tsTime(r.EventTS),
	}
	return a.submit(ctx, ev)
}

// tsTime converts a Slack ts ("1712345678.000100") to a time.
func tsTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}
	}
	frac = (frac + "000000")[:6]
	us, _ := strconv.ParseInt(frac, 10, 64)
	return time.Unix(s, us*1000).UTC()
}

// permalink builds the link Slack's chat.getPermalink would return.
func permalink(base, channel, ts, threadTS string) string {
	if base == "" || channel == "" || ts == "" {
		return ""
	}
	u := base + "archives/" + channel + "/p" + strings.Replace(ts, ".", "", 1)
	if threadTS != "" && threadTS != ts {
		u += "?thread_ts=" + threadTS + "&cid=" + channel
	}
	return u
}
