package slack

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// interaction is what openear reads of an interactivity payload: who
// pressed which button (or chose which option) on which message. It is
// decoded by hand, not as slack.InteractionCallback, which refuses the
// whole payload when any block of the message the button sits on has an
// element type slack-go does not know ("unsupported block element
// type"): Slack would show the click as failed.
type interaction struct {
	Type      string `json:"type"`
	TriggerID string `json:"trigger_id"`
	User      struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		TeamID string `json:"team_id"`
	} `json:"user"`
	Team struct {
		ID string `json:"id"`
	} `json:"team"`
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	Container struct {
		ChannelID string `json:"channel_id"`
		MessageTs string `json:"message_ts"`
	} `json:"container"`
	Actions []struct {
		ActionID       string `json:"action_id"`
		Value          string `json:"value"`
		SelectedOption struct {
			Value string `json:"value"`
		} `json:"selected_option"`
	} `json:"actions"`
	// View is the modal of a view_submission (the CSAT comment).
	View struct {
		ID              string `json:"id"`
		Hash            string `json:"hash"`
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
		State           struct {
			Values map[string]map[string]struct {
				Value string `json:"value"`
			} `json:"values"`
		} `json:"state"`
	} `json:"view"`
}

// parseInteraction decodes the JSON of an interactivity payload.
func parseInteraction(payload []byte) (interaction, error) {
	var in interaction
	if err := json.Unmarshal(payload, &in); err != nil {
		return interaction{}, fmt.Errorf("interaction payload: %w", err)
	}
	return in, nil
}

// channel is where the button was pressed.
func (in *interaction) channel() string { return cmp.Or(in.Channel.ID, in.Container.ChannelID) }

// handleInteraction handles block_actions: each button's value (or a
// select's chosen option) is a command line ("claim 42"), or a CSAT
// rating; the reply goes to the actor with chat.postEphemeral (never to
// response_url). A submitted CSAT comment modal is a view_submission.
func (a *Adapter) handleInteraction(ctx context.Context, in interaction) {
	if in.Type == string(slack.InteractionTypeViewSubmission) && in.View.CallbackID == CSATView {
		a.csatComment(ctx, in)
		return
	}
	if in.Type != string(slack.InteractionTypeBlockActions) {
		a.log.Debug("slack: ignoring interaction", "type", in.Type)
		return
	}
	id, err := a.identify(ctx)
	if err != nil {
		a.log.Error("slack button: no identity", "err", err)
		return
	}
	team := cmp.Or(in.User.TeamID, in.Team.ID)
	channel := in.channel()
	for _, act := range in.Actions {
		value := cmp.Or(act.Value, act.SelectedOption.Value)
		if value == "" {
			continue
		}
		if r, ok := bot.ParseRating(value); ok && r.Score > 0 {
			a.rate(ctx, in, channel, act.ActionID, r)
			continue
		}
		text := failedReply
		staff, err := a.isStaff(ctx, id, in.User.ID, team)
		if err == nil {
			ev := bot.Event{
				Kind: bot.KindButton, Platform: bot.Slack, Channel: channel,
				MessageID: in.Container.MessageTs, User: in.User.ID, UserName: in.User.Name,
				Staff: staff, Text: value, At: a.now(),
			}
			if in.TriggerID != "" {
				ev.ID = "slack:btn:" + in.TriggerID + ":" + act.ActionID
			}
			text = a.reply(ctx, ev)
		} else {
			a.log.Error("slack button: staff lookup", "user", in.User.ID, "err", err)
		}
		if text == "" || channel == "" {
			continue
		}
		if _, err := a.api.PostEphemeralContext(ctx, channel, in.User.ID,
			slack.MsgOptionText(escape(text), false), slack.MsgOptionLinkNames(false), slack.MsgOptionParse(false)); err != nil {
			a.log.Warn("slack: ephemeral reply failed", "channel", channel, "user", in.User.ID, "err", err)
		}
	}
}

// rate hands a customer's press on a CSAT button to the handler (which
// refuses anyone but the thread's customer) and, once the score is
// stored, opens the modal that takes an optional comment; otherwise the
// reply goes to the presser alone.
func (a *Adapter) rate(ctx context.Context, in interaction, channel, actionID string, r bot.Rating) {
	ev := bot.Event{Kind: bot.KindRating, Platform: bot.Slack, Channel: channel, MessageID: in.Container.MessageTs,
		User: in.User.ID, Rating: &r, At: a.now()}
	if in.TriggerID != "" {
		ev.ID = "slack:csat:" + in.TriggerID + ":" + actionID
	}
	res, err := a.h.Handle(ctx, ev)
	text := res.Reply
	if err != nil {
		a.log.Error("slack: rating not recorded", "user", in.User.ID, "err", err)
		text = failedReply
	}
	if err == nil && res.Prompt != nil && in.TriggerID != "" {
		_, verr := a.api.OpenViewContext(ctx, in.TriggerID, commentModal(res.Prompt))
		if verr == nil {
			return
		}
		a.log.Warn("slack: comment modal not opened", "user", in.User.ID, "err", verr)
	}
	if text == "" || channel == "" {
		return
	}
	if _, err := a.api.PostEphemeralContext(ctx, channel, in.User.ID,
		slack.MsgOptionText(escape(text), false), slack.MsgOptionLinkNames(false), slack.MsgOptionParse(false)); err != nil {
		a.log.Warn("slack: ephemeral reply failed", "channel", channel, "user", in.User.ID, "err", err)
	}
}

// csatComment hands the comment of a submitted CSAT modal to the
// handler. The (empty) acknowledgement closes the modal.
func (a *Adapter) csatComment(ctx context.Context, in interaction) {
	r, ok := bot.ParseRating(in.View.PrivateMetadata)
	if !ok || r.Score != 0 {
		a.log.Warn("slack: a CSAT modal without its thread", "user", in.User.ID)
		return
	}
	r.Comment = in.View.State.Values[commentBlock][commentAction].Value
	if strings.TrimSpace(r.Comment) == "" {
		return
	}
	ev := bot.Event{Kind: bot.KindRating, Platform: bot.Slack, User: in.User.ID, Rating: &r, At: a.now()}
	if in.View.ID != "" {
		ev.ID = "slack:csat-comment:" + in.View.ID + ":" + in.View.Hash
	}
	if _, err := a.h.Handle(ctx, ev); err != nil {
		a.log.Error("slack: rating comment not recorded", "user", in.User.ID, "err", err)
	}
}
