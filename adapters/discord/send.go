package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/l10n"
)

// Send delivers an action: a triage notice (posted, or edited when Ref is
// set: editing is idempotent), a DM, or a post in a channel or thread.
// Every message allows no mention parsing: only the notice's owner may be
// pinged, by id. New messages are paced per channel as Discord's bucket
// allows (see pacer), keeping the last post of a window for urgent
// actions; edits are not paced. Safe for concurrent use.
//
// Errors: *bot.RetryError for 429 (with Discord's retry_after) and 5xx;
// an error wrapping bot.ErrPermanent for 400, 403 and 404; others as is.
// The Receipt's Ref is "channel/messageID".
func (a *Adapter) Send(ctx context.Context, act bot.Action) (bot.Receipt, error) {
	switch act.Kind {
	case bot.ActNotice:
		return a.sendNotice(ctx, act)
	case bot.ActDM:
		ch, err := a.dmChannel(ctx, act.To)
		if err != nil {
			return bot.Receipt{}, sendError("open dm", err)
		}
		msg := &discordgo.MessageSend{Content: capText(act.Text), AllowedMentions: noMentions()}
		if act.Purpose == bot.ForLogin {
			msg.Flags = discordgo.MessageFlagsSuppressEmbeds // no preview of the link
		}
		return a.post(ctx, ch, act.Urgent(), msg)
	case bot.ActPost:
		return a.sendPost(ctx, act)
	}
	return bot.Receipt{}, fmt.Errorf("discord: action kind %q: %w", act.Kind, bot.ErrPermanent)
}

func (a *Adapter) sendPost(ctx context.Context, act bot.Action) (bot.Receipt, error) {
	msg := &discordgo.MessageSend{Content: capText(act.Text), AllowedMentions: noMentions()}
	if act.Purpose == bot.ForCSAT && act.ThreadID != 0 && act.Channel != a.cfg.TriageChannel {
		msg.Components = csatButtons(act.ThreadID)
	}
	if act.Notice != nil && act.Notice.OwnerID != "" {
		msg.AllowedMentions.Users = []string{act.Notice.OwnerID}
	}
	ch := act.Channel
	if tk := act.ThreadKey; tk != "" && tk != act.Channel {
		// A ThreadKey is a Discord thread (post in it) or a message (reply
		// to it); snowflakes never collide, so asking Discord tells which.
		ci, err := a.channelInfo(ctx, tk)
		var re *discordgo.RESTError
		switch {
		case err == nil && ci.parent != "":
			ch = tk
		case err == nil: // a channel but no thread: post at the top
		case errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusNotFound:
			msg.Reference = &discordgo.MessageReference{MessageID: tk, ChannelID: act.Channel, FailIfNotExists: new(false)}
		default:
			return bot.Receipt{}, sendError("look up thread", err)
		}
	}
	return a.post(ctx, ch, act.Urgent(), msg)
}

// post paces and posts a new message in ch.
func (a *Adapter) post(ctx context.Context, ch string, urgent bool, msg *discordgo.MessageSend) (bot.Receipt, error) {
	if err := a.pace.wait(ctx, ch, urgent); err != nil {
		return bot.Receipt{}, err
	}
	m, err := a.s.ChannelMessageSendComplex(ch, msg, discordgo.WithContext(ctx))
	if err != nil {
		return bot.Receipt{}, sendError("post in "+ch, err)
	}
	return bot.Receipt{Ref: ch + "/" + m.ID}, nil
}

func (a *Adapter) sendNotice(ctx context.Context, act bot.Action) (bot.Receipt, error) {
	content := ""
	allowed := noMentions()
	var embeds []*discordgo.MessageEmbed
	components := []discordgo.MessageComponent{}
	if n := act.Notice; n != nil {
		if n.OwnerID != "" {
			content = "<@" + n.OwnerID + ">"
			allowed.Users = []string{n.OwnerID}
		}
		embeds = []*discordgo.MessageEmbed{noticeEmbed(n)}
		if n.Buttons {
			components = noticeButtons(l10n.For(n.Lang), n.ThreadID)
		}
	} else {
		// A notice without structure (an incident alert): its text, escaped.
		embeds = []*discordgo.MessageEmbed{{Description: truncate(escape(act.Text), maxDescription)}}
	}
	if act.Ref == "" {
		return a.post(ctx, act.Channel, act.Urgent(), &discordgo.MessageSend{Content: content, Embeds: embeds,
			Components: components, AllowedMentions: allowed})
	}
	ch, id, ok := strings.Cut(act.Ref, "/")
	if !ok {
		ch, id = act.Channel, act.Ref
	}
	_, err := a.s.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: id, Channel: ch, Content: &content,
		Embeds: &embeds, Components: &components, AllowedMentions: allowed}, discordgo.WithContext(ctx))
	if err != nil {
		return bot.Receipt{}, sendError("edit notice "+act.Ref, err)
	}
	return bot.Receipt{Ref: ch + "/" + id}, nil
}

// Embed limits.
const (
	maxTitle       = 256
	maxDescription = 4096
	maxFieldValue  = 1024
	maxContent     = 2000
)

var stateColors = map[bot.State]int{bot.Waiting: 0xE67E22, bot.Answered: 0x3498DB, bot.Resolved: 0x2ECC71}

// noticeEmbed renders a triage notice in its language. Customer text is
// escaped: it can neither format nor mention.
func noticeEmbed(n *bot.Notice) *discordgo.MessageEmbed {
	l := l10n.For(n.Lang)
	e := &discordgo.MessageEmbed{
		Title:       truncate(l.T("notice.title", l10n.Args{"ID": n.ThreadID, "State": n.State.In(l)}), maxTitle),
		URL:         n.Permalink,
		Description: truncate(quote(escape(n.Excerpt)), maxDescription),
		Color:       stateColors[n.State],
	}
	field := func(name, value string, inline bool) {
		if value != "" {
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: truncate(value, maxFieldValue), Inline: inline})
		}
	}
	field(l.T("label.customer", nil), escape(n.Customer), true)
	if n.Channel != "" {
		field(l.T("label.channel", nil), "<#"+n.Channel+">", true)
	}
	owner := escape(l.T("word.unassigned", nil))
	switch {
	case n.OwnerID != "":
		owner = "<@" + n.OwnerID + ">"
	case n.Owner != "":
		owner = escape(n.Owner)
	}
	field(l.T("label.owner", nil), owner, true)
	if !n.Due.IsZero() {
		field(l.T("label.due", nil), "<t:"+strconv.FormatInt(n.Due.Unix(), 10)+":R>", true)
	}
	for _, t := range n.Tags {
		field(truncate(l.T("label.tag", l10n.Args{"Name": t.Name}), maxTitle), orDash(escape(t.Reason)), false)
	}
	field(l.T("label.note", nil), escape(n.Note), false)
	if n.Permalink != "" {
		field(l.T("label.message", nil), "["+escape(l.T("link.jump", nil))+"]("+n.Permalink+")", false)
	}
	return e
}

// noticeButtons are a notice's buttons, labelled in the language of l;
// their custom ids are command lines, the same in every language.
func noticeButtons(l *l10n.Localizer, id uint64) []discordgo.MessageComponent {
	n := bot.FormatID(id)
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: l.T("button.claim", nil), Style: discordgo.PrimaryButton, CustomID: "claim " + n},
		discordgo.Button{Label: l.T("button.snooze", nil), Style: discordgo.SecondaryButton, CustomID: "snooze " + n + " 1h"},
		discordgo.Button{Label: l.T("button.resolve", nil), Style: discordgo.SuccessButton, CustomID: "resolve " + n},
	}}}
}

// csatButtons are the buttons of a thread's CSAT question: one per score
// (😞 … 😀, 1 to 5), each custom id bot.RatingValue.
func csatButtons(thread uint64) []discordgo.MessageComponent {
	row := make([]discordgo.MessageComponent, len(bot.RatingFaces))
	for i, f := range bot.RatingFaces {
		row[i] = discordgo.Button{Label: f, Style: discordgo.SecondaryButton, CustomID: bot.RatingValue(thread, i+1)}
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: row}}
}

// noMentions parses no mention at all: customer text can never ping
// @everyone, @here, a role or a user. Callers may allow users by id.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

var markdown = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, `~`, `\~`, "`", "\\`", `|`, `\|`, `>`, `\>`,
	`<`, `\<`, `[`, `\[`, `]`, `\]`, `#`, `\#`, `@`, "@\u200b",
)

// escape makes text render literally: no markdown, no mention.
func escape(s string) string { return markdown.Replace(s) }

func quote(s string) string {
	if s == "" {
		return ""
	}
	return "> " + strings.ReplaceAll(s, "\n", "\n> ")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func capText(s string) string { return truncate(s, maxContent) }

// truncate cuts s to at most n characters, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func (a *Adapter) dmChannel(ctx context.Context, user string) (string, error) {
	a.mu.Lock()
	ch, ok := a.dms[user]
	a.mu.Unlock()
	if ok {
		return ch, nil
	}
	c, err := a.s.UserChannelCreate(user, discordgo.WithContext(ctx))
	if err != nil {
		return "", err
	}
	a.mu.Lock()
	a.dms[user] = c.ID
	a.mu.Unlock()
	return c.ID, nil
}

// sendError maps a discordgo error to the bot.Platform error contract.
func sendError(op string, err error) error {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		return &bot.RetryError{After: rl.RetryAfter, Err: fmt.Errorf("discord: %s: %w", op, err)}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		switch code := re.Response.StatusCode; {
		case code == http.StatusTooManyRequests, code >= 500:
			return &bot.RetryError{After: retryAfter(re.Response.Header), Err: fmt.Errorf("discord: %s: %w", op, err)}
		case code == http.StatusBadRequest, code == http.StatusForbidden, code == http.StatusNotFound:
			return fmt.Errorf("discord: %s: %w: %w", op, bot.ErrPermanent, err)
		}
	}
	return fmt.Errorf("discord: %s: %w", op, err)
}

// retryAfter reads a Retry-After header in seconds; 1 s without one.
func retryAfter(h http.Header) time.Duration {
	if s, err := strconv.ParseFloat(h.Get("Retry-After"), 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	return time.Second
}

var (
	_ bot.Digester = (*Adapter)(nil)
	_ bot.Pacer    = (*Adapter)(nil)
)

// digestSize is how many threads a digest carries: a select menu offers
// at most 25 options.
const digestSize = 25

// Custom ids of a digest's select menus; each option's value is the
// command line for its thread ("claim 42").
const (
	SelectClaim   = "openear:claim"
	SelectSnooze  = "openear:snooze"
	SelectResolve = "openear:resolve"
)

// DigestSize is how many threads one digest message carries.
func (a *Adapter) DigestSize() int { return digestSize }

// SendDigest implements bot.Digester: it posts a digest notice in channel
// (ref "") or edits the digest message ref ("channel/id"). The embed lists
// each thread; three select menus (Claim, Snooze 1h, Resolve) offer the
// open ones, since Discord allows 5 action rows of 5 buttons a message.
// Errors as for Send.
func (a *Adapter) SendDigest(ctx context.Context, channel, ref string, d *bot.Digest) (bot.Receipt, error) {
	embeds := []*discordgo.MessageEmbed{digestEmbed(d)}
	components := digestMenus(d)
	content := ""
	if ref == "" {
		return a.post(ctx, channel, false, &discordgo.MessageSend{Embeds: embeds, Components: components, AllowedMentions: noMentions()})
	}
	ch, id, ok := strings.Cut(ref, "/")
	if !ok {
		ch, id = channel, ref
	}
	_, err := a.s.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: id, Channel: ch, Content: &content,
		Embeds: &embeds, Components: &components, AllowedMentions: noMentions()}, discordgo.WithContext(ctx))
	if err != nil {
		return bot.Receipt{}, sendError("edit digest "+ref, err)
	}
	return bot.Receipt{Ref: ch + "/" + id}, nil
}

// Ready implements bot.Pacer: it waits until a post like act would go
// without waiting for its channel's bucket. A DM to a person whose DM
// channel is not known yet does not wait.
func (a *Adapter) Ready(ctx context.Context, act bot.Action) error {
	ch := act.Channel
	if act.Kind == bot.ActDM {
		a.mu.Lock()
		ch = a.dms[act.To]
		a.mu.Unlock()
	}
	if ch == "" {
		return nil
	}
	return a.pace.ready(ctx, ch, act.Urgent())
}

// digestEmbed lists a digest's threads in its language, customer text
// escaped.
func digestEmbed(d *bot.Digest) *discordgo.MessageEmbed {
	l := l10n.For(d.Lang)
	var lines []string
	size := 0
	for _, n := range d.Notices[:min(len(d.Notices), digestSize)] {
		line := digestLine(l, n)
		if size+len([]rune(line))+1 > maxDescription-20 {
			lines = append(lines, "…")
			break
		}
		size += len([]rune(line)) + 1
		lines = append(lines, line)
	}
	return &discordgo.MessageEmbed{
		Title:       truncate("🗂 "+d.Title(), maxTitle),
		Description: strings.Join(lines, "\n"),
		Color:       stateColors[bot.Waiting],
	}
}

// digestLine is one thread of a digest embed, in the language of l.
func digestLine(l *l10n.Localizer, n *bot.Notice) string {
	var s strings.Builder
	fmt.Fprintf(&s, "**#%d** · %s", n.ThreadID, n.State.In(l))
	for i, t := range n.Tags {
		sep := " "
		if i == 0 {
			sep = " · "
		}
		s.WriteString(sep + "`" + strings.ReplaceAll(t.Name, "`", "") + "`")
	}
	from := escape(n.Customer)
	if n.Channel != "" {
		from = l.T("notice.from", l10n.Args{"Customer": from, "Channel": "<#" + n.Channel + ">"})
	}
	s.WriteString(" · " + from)
	switch {
	case n.OwnerID != "":
		s.WriteString(" · <@" + n.OwnerID + ">")
	case n.Owner != "":
		s.WriteString(" · " + escape(n.Owner))
	default:
		s.WriteString(" · " + escape(l.T("word.unassigned", nil)))
	}
	if !n.Due.IsZero() && n.State == bot.Waiting {
		s.WriteString(" · " + l.T("label.due_at", l10n.Args{"Due": "<t:" + strconv.FormatInt(n.Due.Unix(), 10) + ":R>"}))
	}
	if n.Note != "" {
		s.WriteString(" · " + escape(n.Note))
	}
	if n.Excerpt != "" {
		s.WriteString("\n" + quote(escape(truncate(strings.ReplaceAll(n.Excerpt, "\n", " "), bot.DigestExcerptLen))))
	}
	return s.String()
}

// digestMenus offers the digest's open threads in three select menus,
// labelled in its language; option values are command lines.
func digestMenus(d *bot.Digest) []discordgo.MessageComponent {
	l := l10n.For(d.Lang)
	menus := []struct{ id, placeholder, verb, suffix string }{
		{SelectClaim, l.T("menu.claim", nil), "claim", ""},
		{SelectSnooze, l.T("menu.snooze", nil), "snooze", " 1h"},
		{SelectResolve, l.T("menu.resolve", nil), "resolve", ""},
	}
	var open []*bot.Notice
	for _, n := range d.Notices[:min(len(d.Notices), digestSize)] {
		if n.Buttons && n.ThreadID != 0 {
			open = append(open, n)
		}
	}
	rows := []discordgo.MessageComponent{}
	if len(open) == 0 {
		return rows
	}
	for _, m := range menus {
		opts := make([]discordgo.SelectMenuOption, len(open))
		for i, n := range open {
			id := bot.FormatID(n.ThreadID)
			label := "#" + id
			if len(n.Tags) > 0 {
				label += " · " + n.Tags[0].Name
			}
			label += " · " + n.Customer
			desc := strings.ReplaceAll(n.Excerpt, "\n", " ")
			if strings.TrimSpace(desc) == "" {
				desc = l.T("menu.thread", l10n.Args{"ID": id})
			}
			opts[i] = discordgo.SelectMenuOption{Label: truncate(label, 100), Value: m.verb + " " + id + m.suffix,
				Description: truncate(desc, 100)}
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.SelectMenu{MenuType: discordgo.StringSelectMenu, CustomID: m.id, Placeholder: m.placeholder, Options: opts},
		}})
	}
	return rows
}
