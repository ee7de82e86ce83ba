package discord

import (
	"context"
	"errors"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/openear/openear/adapters/internal/lanes"
	"github.com/openear/openear/bot"
)

// handleAttempts is how often a message or reaction is offered to the
// handler before it is given up (the gateway never redelivers).
const handleAttempts = 3

// startMessage is the pipelined lane job of a MESSAGE_CREATE: it hands
// the message's event to the handler in lane order, and its finish waits
// for the commit. A command is handled (and answered) in the lane.
func (a *Adapter) startMessage(ctx context.Context, m *discordgo.Message) lanes.Finish {
	ev, ok := a.messageEvent(ctx, m)
	if !ok {
		return nil
	}
	if ev.Kind == bot.KindCommand {
		a.command(ctx, m, ev)
		return nil
	}
	return a.submitRetrying(ctx, ev)
}

// startReaction is the pipelined lane job of a MESSAGE_REACTION_ADD.
func (a *Adapter) startReaction(ctx context.Context, r *discordgo.MessageReactionAdd) lanes.Finish {
	ev, ok := a.reactionEvent(ctx, r)
	if !ok {
		return nil
	}
	return a.submitRetrying(ctx, ev)
}

// command handles a mention command and replies to it.
func (a *Adapter) command(ctx context.Context, m *discordgo.Message, ev bot.Event) {
	res, err := a.h.Handle(ctx, ev)
	reply := replyText(res, err)
	if err != nil && !errors.Is(err, bot.ErrNotStaff) {
		a.log.Error("discord: command failed", "event", ev.ID, "err", err)
	}
	if reply == "" || res.Duplicate {
		return
	}
	_, err = a.s.ChannelMessageSendComplex(m.ChannelID, &discordgo.MessageSend{
		Content:         capText(reply),
		AllowedMentions: noMentions(),
		Reference:       &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, FailIfNotExists: new(false)},
	}, discordgo.WithContext(ctx))
	if err != nil {
		a.log.Warn("discord: command reply failed", "event", ev.ID, "err", err)
	}
}

// submit hands ev to the handler without waiting for its commit when the
// handler can (bot.Submitter), else handles it now; wait returns the
// outcome.
func (a *Adapter) submit(ctx context.Context, ev bot.Event) (wait func() error) {
	if s, ok := a.h.(bot.Submitter); ok {
		w := s.Submit(ctx, ev)
		return func() error {
			_, err := w()
			return err
		}
	}
	_, err := a.h.Handle(ctx, ev)
	return func() error { return err }
}

// submitRetrying submits ev and returns the finish that waits for its
// commit. The gateway never delivers an event again, so a failed one is
// offered again a few times — after the finish of the job before it in
// the lane returned, so that failed events are retried in their order.
func (a *Adapter) submitRetrying(ctx context.Context, ev bot.Event) lanes.Finish {
	wait := a.submit(ctx, ev)
	return func(prev <-chan struct{}) {
		err := wait()
		if err == nil {
			return
		}
		select {
		case <-prev:
		case <-ctx.Done():
		}
		pause := 250 * time.Millisecond
		for i := 2; ; i++ {
			if i > handleAttempts || ctx.Err() != nil {
				a.log.Error("discord: event not handled", "event", ev.ID, "attempts", i-1, "err", err)
				return
			}
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				t.Stop()
				continue
			case <-t.C:
			}
			if _, err = a.h.Handle(ctx, ev); err == nil {
				return
			}
			pause *= 2
		}
	}
}

// messageEvent decides whether a message concerns openear and builds its
// event: a customer or staff message in a watched channel, one of its
// threads or a DM, or a command (a message starting with the bot's
// mention, anywhere).
func (a *Adapter) messageEvent(ctx context.Context, m *discordgo.Message) (bot.Event, bool) {
	botID := a.botID.Load().(string)
	if m.Author == nil || m.Author.Bot || m.WebhookID != "" || m.Author.ID == botID {
		return bot.Event{}, false
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return bot.Event{}, false // joins, pins, "started a thread"…
	}
	if m.ID == "" || m.ChannelID == "" || m.Author.ID == "" {
		a.log.Warn("discord: skipping a message without id, channel or author", "id", m.ID, "channel", m.ChannelID)
		return bot.Event{}, false
	}
	ev := bot.Event{
		ID: "discord:msg:" + m.ID, Kind: bot.KindMessage, Platform: bot.Discord,
		MessageID: m.ID, User: m.Author.ID, UserName: a.userName(m),
		DM: m.GuildID == "", Text: m.Content, At: snowflakeTime(m.ID),
		Permalink: permalink(m.GuildID, m.ChannelID, m.ID),
	}
	if text, ok := mentionCommand(m.Content, botID); ok {
		staff := a.isStaff(ctx, m.GuildID, m.Author.ID, m.Member)
		// A customer who addresses the bot ("@openear the app crashes")
		// is a customer message, not a command; only a staff command
		// line from a non-staff member is refused.
		if _, err := bot.ParseCommand(text); staff || err == nil {
			if ev.DM && !a.cfg.DMs && !a.staff[ev.User] {
				return bot.Event{}, false
			}
			ev.Kind, ev.Text, ev.Channel, ev.Staff = bot.KindCommand, text, m.ChannelID, staff
			return ev, true
		}
	}
	switch {
	case ev.DM:
		if !a.cfg.DMs {
			return bot.Event{}, false
		}
		ev.Channel = m.ChannelID
	case a.watched[m.ChannelID]:
		ev.Channel = m.ChannelID
	default:
		ci, err := a.channelInfo(ctx, m.ChannelID)
		if err != nil {
			a.log.Warn("discord: cannot tell the channel of a message", "channel", m.ChannelID, "err", err)
			return bot.Event{}, false
		}
		if ci.parent == "" || !a.watched[ci.parent] {
			return bot.Event{}, false
		}
		// A thread is a place of its own, with its own cursor.
		ev.Channel, ev.ThreadKey, ev.Place = ci.parent, m.ChannelID, m.ChannelID
	}
	if ev.ThreadKey == "" && m.MessageReference != nil && m.MessageReference.MessageID != "" {
		ev.ThreadKey = m.MessageReference.MessageID
	}
	if !ev.DM {
		ev.ChannelName = a.channelName(ev.Channel)
	}
	ev.Staff = a.isStaff(ctx, m.GuildID, m.Author.ID, m.Member)
	return ev, true
}

// reactionEmojis are the reactions that mean something to openear.
var reactionEmojis = map[string]bool{"👀": true, "✅": true}

// reactionEvent builds the event of a reaction openear cares about.
func (a *Adapter) reactionEvent(ctx context.Context, r *discordgo.MessageReactionAdd) (bot.Event, bool) {
	if r.MessageReaction == nil || !reactionEmojis[r.Emoji.Name] || r.UserID == a.botID.Load().(string) {
		return bot.Event{}, false
	}
	if r.Member != nil && r.Member.User != nil && r.Member.User.Bot {
		return bot.Event{}, false
	}
	ev := bot.Event{
		ID: "discord:react:" + r.MessageID + ":" + r.UserID + ":" + r.Emoji.Name, Kind: bot.KindReaction,
		Platform: bot.Discord, MessageID: r.MessageID, User: r.UserID, Reaction: r.Emoji.Name,
		DM: r.GuildID == "", Permalink: permalink(r.GuildID, r.ChannelID, r.MessageID), At: time.Now(),
	}
	if r.Member != nil && r.Member.User != nil {
		ev.UserName = displayName(r.Member.User, r.Member)
	}
	switch {
	case ev.DM:
		if !a.cfg.DMs {
			return bot.Event{}, false
		}
		ev.Channel = r.ChannelID
	case a.watched[r.ChannelID] || r.ChannelID == a.cfg.TriageChannel:
		ev.Channel = r.ChannelID
	default:
		ci, err := a.channelInfo(ctx, r.ChannelID)
		if err != nil || ci.parent == "" || !a.watched[ci.parent] {
			return bot.Event{}, false
		}
		ev.Channel, ev.ThreadKey = ci.parent, r.ChannelID
	}
	ev.Staff = a.isStaff(ctx, r.GuildID, r.UserID, r.Member)
	return ev, true
}

// isStaff: a configured staff id, or a member holding a staff role. When
// the member is unknown (a backfilled message) its roles are fetched.
func (a *Adapter) isStaff(ctx context.Context, guild, user string, m *discordgo.Member) bool {
	if a.staff[user] {
		return true
	}
	if len(a.staffRoles) == 0 || guild == "" {
		return false
	}
	var roles []string
	if m != nil {
		roles = m.Roles
	} else {
		var err error
		if roles, err = a.memberRoles(ctx, guild, user); err != nil {
			a.log.Warn("discord: cannot read member roles", "guild", guild, "user", user, "err", err)
			return false
		}
	}
	for _, r := range roles {
		if a.staffRoles[r] {
			return true
		}
	}
	return false
}

// interaction answers a slash command or a button within Discord's 3 s:
// with the handler's reply when it comes in time, else with a deferred
// response that is edited once the handler returns.
func (a *Adapter) interaction(ctx context.Context, i *discordgo.Interaction) {
	ev, ok := a.interactionEvent(i)
	if !ok {
		return
	}
	type result struct {
		res bot.Result
		err error
	}
	done := make(chan result, 1)
	a.wg.Add(1) // this goroutine holds a count
	go func() {
		defer a.wg.Done()
		res, err := a.h.Handle(ctx, ev)
		done <- result{res, err}
	}()
	t := time.NewTimer(a.deferAfter)
	defer t.Stop()
	var r result
	select {
	case r = <-done:
		if r.err == nil && r.res.Prompt != nil {
			// A customer's score is stored: offer them to add a comment.
			err := a.s.InteractionRespond(i, commentModal(r.res.Prompt), discordgo.WithContext(ctx))
			if err == nil {
				return
			}
			a.log.Warn("discord: comment modal not opened", "event", ev.ID, "err", err)
		}
		err := a.s.InteractionRespond(i, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: capText(orDone(replyText(r.res, r.err))),
				Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()},
		}, discordgo.WithContext(ctx))
		if err != nil {
			a.log.Warn("discord: interaction response failed", "event", ev.ID, "err", err)
		}
	case <-t.C:
		err := a.s.InteractionRespond(i, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
		}, discordgo.WithContext(ctx))
		if err != nil {
			a.log.Warn("discord: deferred interaction response failed", "event", ev.ID, "err", err)
		}
		r = <-done
		text := capText(orDone(replyText(r.res, r.err)))
		if _, err := a.s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &text, AllowedMentions: noMentions()},
			discordgo.WithContext(ctx)); err != nil {
			a.log.Warn("discord: interaction edit failed", "event", ev.ID, "err", err)
		}
	}
	if r.err != nil && !errors.Is(r.err, bot.ErrNotStaff) {
		a.log.Error("discord: command failed", "event", ev.ID, "err", r.err)
	}
}

func (a *Adapter) interactionEvent(i *discordgo.Interaction) (bot.Event, bool) {
	ev := bot.Event{ID: "discord:int:" + i.ID, Platform: bot.Discord, Channel: i.ChannelID,
		DM: i.GuildID == "", At: snowflakeTime(i.ID)}
	var roles *discordgo.Member
	switch {
	case i.Member != nil && i.Member.User != nil:
		ev.User, ev.UserName, roles = i.Member.User.ID, displayName(i.Member.User, i.Member), i.Member
	case i.User != nil:
		ev.User, ev.UserName = i.User.ID, displayName(i.User, nil)
	default:
		return bot.Event{}, false
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		text, ok := commandText(i.ApplicationCommandData())
		if !ok {
			return bot.Event{}, false
		}
		ev.Kind, ev.Text = bot.KindCommand, text
	case discordgo.InteractionMessageComponent:
		d := i.MessageComponentData()
		if r, ok := bot.ParseRating(d.CustomID); ok && r.Score > 0 {
			ev.Kind, ev.Rating = bot.KindRating, &r
			if i.Message != nil {
				ev.MessageID = i.Message.ID
			}
			return ev, true // a customer's answer: not a staff matter
		}
		ev.Kind, ev.Text = bot.KindButton, d.CustomID
		if len(d.Values) == 1 {
			ev.Text = d.Values[0] // a digest's select menu: the option is the command line
		}
		if i.Message != nil {
			ev.MessageID = i.Message.ID
		}
	case discordgo.InteractionModalSubmit:
		d := i.ModalSubmitData()
		r, ok := bot.ParseRating(d.CustomID)
		if !ok || r.Score != 0 {
			return bot.Event{}, false
		}
		r.Comment = modalText(d, commentInput)
		ev.Kind, ev.Rating = bot.KindRating, &r
		return ev, true
	default:
		return bot.Event{}, false
	}
	// Roles come with the interaction; no REST call in the 3 s window.
	ev.Staff = a.staff[ev.User]
	if !ev.Staff && roles != nil {
		for _, r := range roles.Roles {
			ev.Staff = ev.Staff || a.staffRoles[r]
		}
	}
	return ev, true
}

// replyText is what the actor of a command or button is told.
func replyText(res bot.Result, err error) string {
	switch {
	case errors.Is(err, bot.ErrNotStaff):
		return "Sorry: " + bot.ErrNotStaff.Error() + "."
	case err != nil:
		return "Sorry, that did not work. Please try again in a moment."
	}
	return res.Reply
}

// orDone: an interaction must be answered with some text.
func orDone(s string) string {
	if s == "" {
		return "Done."
	}
	return s
}

func displayName(u *discordgo.User, m *discordgo.Member) string {
	switch {
	case m != nil && m.Nick != "":
		return m.Nick
	case u.GlobalName != "":
		return u.GlobalName
	}
	return u.Username
}

func permalink(guild, channel, id string) string {
	if guild == "" {
		guild = "@me"
	}
	return "https://discord.com/channels/" + guild + "/" + channel + "/" + id
}

func snowflakeTime(id string) time.Time {
	t, err := discordgo.SnowflakeTimestamp(id)
	if err != nil {
		return time.Time{}
	}
	return t
}

// memberTTL is how long fetched member roles are trusted.
const memberTTL = time.Minute

type memberRoles struct {
	roles []string
	at    time.Time
}

// memberRoles fetches a member's roles (for backfilled messages, which
// carry no member), keeping them for memberTTL.
func (a *Adapter) memberRoles(ctx context.Context, guild, user string) ([]string, error) {
	key := guild + "/" + user
	a.mu.Lock()
	mr, ok := a.members[key]
	a.mu.Unlock()
	if ok && time.Since(mr.at) < memberTTL {
		return mr.roles, nil
	}
	m, err := a.s.GuildMember(guild, user, discordgo.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.members[key] = memberRoles{roles: m.Roles, at: time.Now()}
	a.mu.Unlock()
	return m.Roles, nil
}

// commentInput is the custom id of the comment's text input in the CSAT
// modal.
const commentInput = "comment"

// commentModal is the modal that offers the customer to add a comment to
// the score they gave; its custom id is the prompt's value.
func commentModal(p *bot.Prompt) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseModal,
		Data: &discordgo.InteractionResponseData{
			CustomID: p.Value,
			Title:    truncate(p.Title, 45),
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.TextInput{CustomID: commentInput, Label: truncate(p.Label, 45), Style: discordgo.TextInputParagraph,
					Required: false, MaxLength: min(p.Max, 4000)},
			}}},
		},
	}
}

// modalText returns the value of a modal's text input.
func modalText(d discordgo.ModalSubmitInteractionData, id string) string {
	for _, c := range d.Components {
		var row []discordgo.MessageComponent
		switch r := c.(type) {
		case *discordgo.ActionsRow:
			row = r.Components
		case discordgo.ActionsRow:
			row = r.Components
		}
		for _, e := range row {
			if t, ok := e.(*discordgo.TextInput); ok && t.CustomID == id {
				return t.Value
			}
		}
	}
	return ""
}
