package bot

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openear/openear/internal/l10n"
)

// ExcerptLen is how much customer text a notice quotes.
const ExcerptLen = 300

// queueNew queues what a new thread causes: the triage notice, a note to
// the owner and, when enabled, the reply-time promise to the customer.
func (b *Bot) queueNew(x *txn, t *Thread) {
	b.queueNotice(x, t)
	if t.Owner != "" {
		b.queueOwner(x, t, ForOwner, func(l *l10n.Localizer) string { return b.ownerNew(l, t) })
	}
	if b.opts.Ack.Enabled {
		text := b.opts.Ack.Text[t.Lang]
		if text == "" {
			text = b.opts.Ack.Text["en"]
		}
		if text != "" {
			loc := t.Deadline.Location()
			if b.opts.Hours != nil && b.opts.Hours.Loc != nil {
				loc = b.opts.Hours.Loc
			}
			when := Promise(x.now, t.Deadline, loc, t.Lang)
			x.enqueue(Action{Kind: ActPost, Purpose: ForAck, Platform: t.Platform, Channel: t.Channel,
				ThreadKey: t.Root, Text: strings.ReplaceAll(text, "{when}", when), ThreadID: t.ID})
		}
	}
}

// ownerNew is the DM that tells an owner of a new thread. The sender
// renders it again from the stored thread when it sends it: the
// customer's name, looked up in the background, often comes meanwhile.
func (b *Bot) ownerNew(l *l10n.Localizer, t *Thread) string {
	return msgOwnerNew(l, t.ID, tagList(l, t), t.customerName(), excerpt(lastCustomerText(t), 120),
		b.whenFor(l, t.Owner, t.Deadline), t.Permalink)
}

// queueNotice queues the triage notice of a thread: posted the first
// time, edited afterwards (the sender fills in the notice's ref).
func (b *Bot) queueNotice(x *txn, t *Thread) {
	ch := b.opts.Triage[t.Platform]
	if ch == "" {
		return
	}
	n := b.notice(t)
	x.enqueue(Action{Kind: ActNotice, Purpose: ForTriage, Platform: t.Platform, Channel: ch,
		Text: n.Text(), Notice: n, ThreadID: t.ID})
}

// queueOwner sends a text to the thread's owner, on the thread's platform
// when they have an id there, rendered by text in their language.
func (b *Bot) queueOwner(x *txn, t *Thread, why Purpose, text func(*l10n.Localizer) string) {
	if t.Owner == "" {
		return
	}
	if pl, id := b.contact(t.Owner, t.Platform); id != "" {
		x.enqueue(Action{Kind: ActDM, Purpose: why, Platform: pl, To: id, Text: text(b.personL(t.Owner, pl)), ThreadID: t.ID})
	}
}

// notice is the triage notice of a thread, in the language of its
// platform's channels.
func (b *Bot) notice(t *Thread) *Notice {
	l := b.channelL(t.Platform)
	n := &Notice{
		Lang:      l.Lang(),
		ThreadID:  t.ID,
		State:     t.State,
		Customer:  t.customerName(),
		Channel:   t.Channel,
		Excerpt:   excerpt(firstCustomerText(t), ExcerptLen),
		Tags:      t.Tags,
		Owner:     t.Owner,
		Due:       t.Deadline,
		Permalink: t.Permalink,
		Buttons:   t.State != Resolved,
	}
	if _, id := b.contact(t.Owner, t.Platform); id != "" {
		n.OwnerID = id
	}
	switch {
	case !t.SnoozeUntil.IsZero():
		n.Note = l.T("notice.snoozed", l10n.Args{"Until": b.whenFor(l, "", t.SnoozeUntil)})
	case t.Corrected:
		n.Note = l.T("notice.corrected", nil)
	}
	if t.Incident != 0 {
		n.Note = strings.TrimPrefix(n.Note+"; "+l.T("notice.incident", l10n.Args{"ID": t.Incident}), "; ")
	}
	return n
}

// Text renders a notice as plain text (the fallback every platform gets),
// in its language.
func (n *Notice) Text() string {
	l := l10n.For(n.Lang)
	var s strings.Builder
	s.WriteString(l.T("notice.head", l10n.Args{"ID": n.ThreadID, "State": n.State.In(l), "Customer": n.Customer, "Channel": n.Channel}))
	fmt.Fprintf(&s, "\n> %s\n", strings.ReplaceAll(n.Excerpt, "\n", "\n> "))
	for _, g := range n.Tags {
		fmt.Fprintf(&s, "• %s (%.2f): %s\n", g.Name, g.Score, g.Reason)
	}
	owner := n.Owner
	if owner == "" {
		owner = l.T("word.unassigned", nil)
	}
	s.WriteString(l.T("notice.owner", l10n.Args{"Owner": owner}))
	if !n.Due.IsZero() && n.State == Waiting {
		s.WriteString(" · " + l.T("notice.due", l10n.Args{"Due": l.When(n.Due)}))
	}
	if n.Note != "" {
		fmt.Fprintf(&s, " · %s", n.Note)
	}
	if n.Permalink != "" {
		fmt.Fprintf(&s, "\n%s", n.Permalink)
	}
	return s.String()
}

func (t *Thread) customerName() string { return t.CustomerLabel() }

func firstCustomerText(t *Thread) string {
	for _, m := range t.Messages {
		if !m.Staff {
			return m.Text
		}
	}
	return ""
}

func lastCustomerText(t *Thread) string {
	for i := len(t.Messages) - 1; i >= 0; i-- {
		if !t.Messages[i].Staff {
			return t.Messages[i].Text
		}
	}
	return ""
}

// excerpt shortens text to about n bytes on a rune boundary.
func excerpt(text string, n int) string {
	if len(text) <= n {
		return text
	}
	return truncateUTF8(text, n) + "…"
}

// Digest is one triage message that stands for the notices of several
// new threads: a burst that would otherwise bury the triage channel under
// one message each. Adapters render it with each thread's buttons (see
// Digester); the sender posts it, and edits it when one of its threads
// changes.
type Digest struct {
	Notices []*Notice // one per thread, oldest thread first
	Since   time.Time // when the oldest of its threads was opened
	At      time.Time // when the digest was first posted
	Lang    string    // the language of its texts (see internal/l10n); "" is English
}

// TagCount is how many threads of a digest carry a tag first.
type TagCount struct {
	Tag string
	N   int
}

// untagged is the name ByTag counts threads without tags under.
const untagged = "untagged"

// ByTag counts the digest's threads by their first (strongest) tag, most
// first; a thread without tags counts as "untagged".
func (d *Digest) ByTag() []TagCount {
	var out []TagCount
	for _, n := range d.Notices {
		name := untagged
		if len(n.Tags) > 0 {
			name = n.Tags[0].Name
		}
		if i := slices.IndexFunc(out, func(c TagCount) bool { return c.Tag == name }); i >= 0 {
			out[i].N++
		} else {
			out = append(out, TagCount{Tag: name, N: 1})
		}
	}
	slices.SortStableFunc(out, func(a, b TagCount) int { return cmp.Or(b.N-a.N, strings.Compare(a.Tag, b.Tag)) })
	return out
}

// Title is the digest's headline: "14 new threads in the last 40s: 9
// defect, 3 question, 2 idea — #201 … #214".
func (d *Digest) Title() string {
	if len(d.Notices) == 0 {
		return ""
	}
	first, last := d.Notices[0].ThreadID, d.Notices[len(d.Notices)-1].ThreadID
	return msgDigestTitle(l10n.For(d.Lang), len(d.Notices), d.At.Sub(d.Since), d.ByTag(), first, last)
}

// Line renders one thread of the digest in plain text.
func (d *Digest) Line(i int) string { return msgDigestLine(l10n.For(d.Lang), d.Notices[i]) }

// Text renders the digest as plain text (every platform's fallback).
func (d *Digest) Text() string {
	lines := []string{d.Title()}
	for i := range d.Notices {
		lines = append(lines, d.Line(i))
	}
	return strings.Join(lines, "\n")
}
