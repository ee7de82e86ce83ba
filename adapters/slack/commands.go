package slack

import (
	"context"
	"errors"
	"strings"

	"github.com/slack-go/slack"

	"github.com/openear/openear/bot"
)

// failedReply is shown to staff when the core could not handle a command.
const failedReply = "openear could not do that just now; please try again."

// command handles "/openear <text>" and returns the ephemeral reply. The
// core's ErrNotStaff becomes its message; other errors a generic reply
// (and are logged): Slack does not redeliver slash commands.
func (a *Adapter) command(ctx context.Context, cmd slack.SlashCommand) string {
	id, err := a.identify(ctx)
	if err != nil {
		a.log.Error("slack command: no identity", "err", err)
		return failedReply
	}
	staff, err := a.isStaff(ctx, id, cmd.UserID, cmd.TeamID)
	if err != nil {
		a.log.Error("slack command: staff lookup", "user", cmd.UserID, "err", err)
		return failedReply
	}
	ev := bot.Event{
		Kind: bot.KindCommand, Platform: bot.Slack, Channel: cmd.ChannelID,
		User: cmd.UserID, UserName: cmd.UserName, Staff: staff,
		DM: strings.HasPrefix(cmd.ChannelID, "D"), Text: strings.TrimSpace(cmd.Text), At: a.now(),
	}
	if cmd.TriggerID != "" {
		ev.ID = "slack:cmd:" + cmd.TriggerID
	}
	return a.reply(ctx, ev)
}

// reply handles a command or button event and returns the text for the actor.
func (a *Adapter) reply(ctx context.Context, ev bot.Event) string {
	res, err := a.h.Handle(ctx, ev)
	switch {
	case errors.Is(err, bot.ErrNotStaff):
		return bot.ErrNotStaff.Error()
	case err != nil:
		a.log.Error("slack: handle "+string(ev.Kind), "user", ev.User, "err", err)
		return failedReply
	}
	return res.Reply
}

// interaction handles block_actions: each button's value is a command line
// ("claim 42"); the reply goes to the actor with chat.postEphemeral (never
// to response_url).
func (a *Adapter) interaction(ctx context.Context, cb slack.InteractionCallback) {
	if cb.Type == slack.InteractionTypeViewSubmission && cb.View.CallbackID == CSATView {
		a.csatComment(ctx, cb)
		return
	}
	if cb.Type != slack.InteractionTypeBlockActions {
		a.log.Debug("slack: ignoring interaction", "type", cb.Type)
		return
	}
	id, err := a.identify(ctx)
	if err != nil {
		a.log.Error("slack button: no identity", "err", err)
		return
	}
	team := cb.User.TeamID
	if team == "" {
		team = cb.Team.ID
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	for _, act := range cb.ActionCallback.BlockActions {
		if act.Value == "" {
			continue
		}
		if r, ok := bot.ParseRating(act.Value); ok && r.Score > 0 {
			a.rate(ctx, cb, channel, act.ActionID, r)
			continue
		}
		text := failedReply
		staff, err := a.isStaff(ctx, id, cb.User.ID, team)
		if err == nil {
			ev := bot.Event{
				Kind: bot.KindButton, Platform: bot.Slack, Channel: channel,
				MessageID: cb.Container.MessageTs, User: cb.User.ID, UserName: cb.User.Name,
				Staff: staff, Text: act.Value, At: a.now(),
			}
			if cb.TriggerID != "" {
				ev.ID = "slack:btn:" + cb.TriggerID + ":" + act.ActionID
			}
			text = a.reply(ctx, ev)
		} else {
			a.log.Error("slack button: staff lookup", "user", cb.User.ID, "err", err)
		}
		if text == "" || channel == "" {
			continue
		}
		if _, err := a.api.PostEphemeralContext(ctx, channel, cb.User.ID,
			slack.MsgOptionText(escape(text), false), slack.MsgOptionLinkNames(false), slack.MsgOptionParse(false)); err != nil {
			a.log.Warn("slack: ephemeral reply failed", "channel", channel, "user", cb.User.ID, "err", err)
		}
	}
}

// rate hands a customer's press on a CSAT button to the handler (which
// refuses anyone but the thread's customer) and, once the score is
// stored, opens the modal that takes an optional comment; otherwise the
// reply goes to the presser alone.
func (a *Adapter) rate(ctx context.Context, cb slack.InteractionCallback, channel, actionID string, r bot.Rating) {
	ev := bot.Event{Kind: bot.KindRating, Platform: bot.Slack, Channel: channel, MessageID: cb.Container.MessageTs,
		User: cb.User.ID, Rating: &r, At: a.now()}
	if cb.TriggerID != "" {
		ev.ID = "slack:csat:" + cb.TriggerID + ":" + actionID
	}
	res, err := a.h.Handle(ctx, ev)
	text := res.Reply
	if err != nil {
		a.log.Error("slack: rating not recorded", "user", cb.User.ID, "err", err)
		text = failedReply
	}
	if err == nil && res.Prompt != nil && cb.TriggerID != "" {
		_, verr := a.api.OpenViewContext(ctx, cb.TriggerID, commentModal(res.Prompt))
		if verr == nil {
			return
		}
		a.log.Warn("slack: comment modal not opened", "user", cb.User.ID, "err", verr)
	}
	if text == "" || channel == "" {
		return
	}
	if _, err := a.api.PostEphemeralContext(ctx, channel, cb.User.ID,
		slack.MsgOptionText(escape(text), false), slack.MsgOptionLinkNames(false), slack.MsgOptionParse(false)); err != nil {
		a.log.Warn("slack: ephemeral reply failed", "channel", channel, "user", cb.User.ID, "err", err)
	}
}

// csatComment hands the comment of a submitted CSAT modal to the
// handler. The (empty) acknowledgement closes the modal.
func (a *Adapter) csatComment(ctx context.Context, cb slack.InteractionCallback) {
	r, ok := bot.ParseRating(cb.View.PrivateMetadata)
	if !ok || r.Score != 0 || cb.View.State == nil {
		a.log.Warn("slack: a CSAT modal without its thread", "user", cb.User.ID)
		return
	}
	r.Comment = cb.View.State.Values[commentBlock][commentAction].Value
	if strings.TrimSpace(r.Comment) == "" {
		return
	}
	ev := bot.Event{Kind: bot.KindRating, Platform: bot.Slack, User: cb.User.ID, Rating: &r, At: a.now()}
	if cb.View.ID != "" {
		ev.ID = "slack:csat-comment:" + cb.View.ID + ":" + cb.View.Hash
	}
	if _, err := a.h.Handle(ctx, ev); err != nil {
		a.log.Error("slack: rating comment not recorded", "user", cb.User.ID, "err", err)
	}
}
