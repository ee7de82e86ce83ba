package slack

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/l10n"
)

// escape makes text inert in Slack mrkdwn: &, < and > become entities, so
// "<!channel>", "<@U1>" and "<https://evil|x>" show as typed.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// clip cuts s to at most n bytes at a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// quote renders customer text as an escaped block quote.
func quote(s string) string {
	lines := strings.Split(escape(strings.TrimSpace(s)), "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return clip(strings.Join(lines, "\n"), 2900)
}

// safeURL reports whether u can go inside <u|label> unchanged.
func safeURL(u string) bool {
	return (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) &&
		!strings.ContainsAny(u, "<>| \n")
}

// dueText renders t in each reader's own time zone, with a UTC fallback.
func dueText(n *bot.Notice) string {
	if n.Due.IsZero() {
		return ""
	}
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", n.Due.Unix(), n.Due.UTC().Format("2006-01-02 15:04 UTC"))
}

// Action ids of the notice buttons; their values are command lines.
const (
	ActionClaim   = "claim"
	ActionSnooze  = "snooze"
	ActionResolve = "resolve"
)

// noticeBlocks renders a triage notice in its language: header, the
// customer's words as a quote, tags with reasons, owner, due time,
// permalink, and buttons.
func noticeBlocks(n *bot.Notice) []slack.Block {
	l := l10n.For(n.Lang)
	id := bot.FormatID(n.ThreadID)
	head := clip(fmt.Sprintf("#%s · %s", id, n.State.In(l)), 150)
	blocks := []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, head, false, false))}

	from := escape(n.Customer)
	if n.Channel != "" {
		from = l.T("notice.from", l10n.Args{"Customer": from, "Channel": "<#" + escape(n.Channel) + ">"})
	}
	blocks = append(blocks, section(label(l, "label.from")+from))
	if n.Excerpt != "" {
		blocks = append(blocks, section(quote(n.Excerpt)))
	}

	var facts []string
	if len(n.Tags) > 0 {
		tags := make([]string, len(n.Tags))
		for i, t := range n.Tags {
			tags[i] = "`" + escape(t.Name) + "`"
			if t.Reason != "" {
				tags[i] += " (" + escape(t.Reason) + ")"
			}
		}
		facts = append(facts, label(l, "label.tags")+strings.Join(tags, ", "))
	}
	switch {
	case n.OwnerID != "" && !strings.ContainsAny(n.OwnerID, "<>|&"):
		facts = append(facts, label(l, "label.owner")+"<@"+n.OwnerID+">")
	case n.Owner != "":
		facts = append(facts, label(l, "label.owner")+escape(n.Owner))
	default:
		facts = append(facts, label(l, "label.owner")+escape(l.T("label.nobody_yet", nil)))
	}
	if d := dueText(n); d != "" {
		facts = append(facts, label(l, "label.due")+d)
	}
	if safeURL(n.Permalink) {
		facts = append(facts, "<"+n.Permalink+"|"+escape(l.T("link.open_message", nil))+">")
	}
	if n.Note != "" {
		facts = append(facts, escape(n.Note))
	}
	blocks = append(blocks, section(clip(strings.Join(facts, "\n"), 2900)))

	if n.Buttons && n.ThreadID != 0 {
		blocks = append(blocks, slack.NewActionBlock("openear",
			button(ActionClaim, l.T("button.claim", nil), "claim "+id, slack.StylePrimary),
			button(ActionSnooze, l.T("button.snooze", nil), "snooze "+id+" 1h", slack.StyleDefault),
			button(ActionResolve, l.T("button.resolve", nil), "resolve "+id, slack.StyleDefault),
		))
	}
	return blocks
}

// label is a bold label of a notice, with the space after it: "*Owner* ".
func label(l *l10n.Localizer, key string) string { return "*" + escape(l.T(key, nil)) + "* " }

func section(mrkdwn string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, mrkdwn, false, false), nil, nil)
}

func button(actionID, label, value string, style slack.Style) *slack.ButtonBlockElement {
	b := slack.NewButtonBlockElement(actionID, value, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
	if style != slack.StyleDefault {
		b = b.WithStyle(style)
	}
	return b
}

// Slack's limits on a message that digests keep within.
const (
	maxBlocks  = 50
	digestSize = (maxBlocks - 2) / 2 // a header, a title, two blocks a thread
	maxText    = 12000               // the plain-text fallback of a digest
)

// digestBlocks renders a digest notice: a header, the title (how many
// threads, by tag) and, for each thread, its line — number, state, tags,
// customer and channel, owner, due time, the customer's words — and its
// buttons while it is open. Button values are the same command lines as
// a notice's, so a press acts on that thread.
func digestBlocks(d *bot.Digest) []slack.Block {
	l := l10n.For(d.Lang)
	head := clip(l.T("many.header", l10n.Args{"Count": len(d.Notices)}), 150)
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, head, false, false)),
		section(clip(escape(d.Title()), 2900)),
	}
	for _, n := range d.Notices[:min(len(d.Notices), digestSize)] {
		blocks = append(blocks, section(clip(digestLine(l, n), 2900)))
		if n.Buttons && n.ThreadID != 0 {
			id := bot.FormatID(n.ThreadID)
			a := slack.NewActionBlock("openear-"+id,
				button(ActionClaim, l.T("button.claim_id", l10n.Args{"ID": id}), "claim "+id, slack.StylePrimary),
				button(ActionSnooze, l.T("button.snooze", nil), "snooze "+id+" 1h", slack.StyleDefault),
				button(ActionResolve, l.T("button.resolve", nil), "resolve "+id, slack.StyleDefault),
			)
			blocks = append(blocks, a)
		}
	}
	return blocks
}

// digestLine is one thread of a digest in mrkdwn, in the language of l,
// customer text escaped.
func digestLine(l *l10n.Localizer, n *bot.Notice) string {
	var s strings.Builder
	fmt.Fprintf(&s, "*#%s* · %s", bot.FormatID(n.ThreadID), n.State.In(l))
	for i, t := range n.Tags {
		if i == 0 {
			s.WriteString(" · ")
		} else {
			s.WriteString(" ")
		}
		s.WriteString("`" + escape(t.Name) + "`")
	}
	from := escape(n.Customer)
	if n.Channel != "" {
		from = l.T("notice.from", l10n.Args{"Customer": from, "Channel": "<#" + escape(n.Channel) + ">"})
	}
	s.WriteString(" · " + from)
	switch {
	case n.OwnerID != "" && !strings.ContainsAny(n.OwnerID, "<>|&"):
		s.WriteString(" · <@" + n.OwnerID + ">")
	case n.Owner != "":
		s.WriteString(" · " + escape(n.Owner))
	default:
		s.WriteString(" · " + escape(l.T("label.nobody_yet", nil)))
	}
	if due := dueText(n); due != "" && n.State == bot.Waiting {
		s.WriteString(" · " + l.T("label.due_at", l10n.Args{"Due": due}))
	}
	if n.Note != "" {
		s.WriteString(" · " + escape(n.Note))
	}
	if safeURL(n.Permalink) {
		s.WriteString(" · <" + n.Permalink + "|" + escape(l.T("link.open", nil)) + ">")
	}
	if n.Excerpt != "" {
		s.WriteString("\n" + quote(clip(n.Excerpt, bot.DigestExcerptLen)))
	}
	return s.String()
}

// csatBlocks renders the CSAT question of a thread: the question, then a
// button per score (😞 … 😀, 1 to 5) whose value is bot.RatingValue.
func csatBlocks(thread uint64, question string) []slack.Block {
	buttons := make([]slack.BlockElement, len(bot.RatingFaces))
	for i, f := range bot.RatingFaces {
		score := i + 1
		b := slack.NewButtonBlockElement(fmt.Sprintf("%s%d", ActionCSAT, score), bot.RatingValue(thread, score),
			slack.NewTextBlockObject(slack.PlainTextType, f, true, false))
		buttons[i] = b
	}
	return []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, clip(escape(question), 2900), false, false), nil, nil),
		slack.NewActionBlock("openear-csat", buttons...),
	}
}

// ActionCSAT prefixes the action ids of the CSAT buttons ("csat_4").
const ActionCSAT = "csat_"

// CSATView is the callback id of the modal that takes a CSAT comment.
const CSATView = "openear_csat"

// commentBlock and commentAction name the comment's input in the modal.
const (
	commentBlock  = "comment"
	commentAction = "comment"
)

// commentModal is the modal that offers the customer to add a comment to
// the score they gave.
func commentModal(p *bot.Prompt) slack.ModalViewRequest {
	input := slack.NewPlainTextInputBlockElement(slack.NewTextBlockObject(slack.PlainTextType, clip(p.Label, 150), false, false), commentAction)
	input.Multiline = true
	input.MaxLength = min(p.Max, 3000)
	block := slack.NewInputBlock(commentBlock, slack.NewTextBlockObject(slack.PlainTextType, clip(p.Label, 2000), false, false), nil, input)
	block.Optional = true
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           slack.NewTextBlockObject(slack.PlainTextType, clipRunes(p.Title, 24), false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, clipRunes(p.Submit, 24), false, false),
		Blocks:          slack.Blocks{BlockSet: []slack.Block{block}},
		CallbackID:      CSATView,
		PrivateMetadata: p.Value,
	}
}

// clipRunes cuts s to at most n characters (Slack counts a view title's
// characters).
func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
