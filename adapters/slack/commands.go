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
