package bot

import (
	"strings"

	"github.com/openear/openear/internal/l10n"
)

// Which language staff read (see Options.Locale, Options.Locales and
// Person.Locale): a person reads their own language in what is said to
// them alone — DMs, reminders, command replies — and a channel its
// platform's. Texts are rendered when they are queued, so a changed
// locale applies to what is queued after the change.

// channelL is the language of posts in a platform's channels (triage
// notices, escalations, incident alerts, digests): the platform's
// locale, else the default.
func (b *Bot) channelL(platform string) *l10n.Localizer {
	if lang := b.opts.Locales[platform]; lang != "" {
		return l10n.For(lang)
	}
	return l10n.For(b.opts.Locale)
}

// personL is the language of a person reached on a platform: their own,
// else the platform's, else the default. Staff the config does not list
// read the platform's.
func (b *Bot) personL(person, platform string) *l10n.Localizer {
	if p := b.people[person]; p != nil && p.Locale != "" {
		return l10n.For(p.Locale)
	}
	return b.channelL(platform)
}

// In is the state's name in a language: "waiting", "답변 대기".
func (s State) In(l *l10n.Localizer) string {
	switch s {
	case Waiting:
		return l.T("state.waiting", nil)
	case Answered:
		return l.T("state.answered", nil)
	case Resolved:
		return l.T("state.resolved", nil)
	}
	return string(s)
}

// tagList names a thread's tags for a message: the tag names, which are
// identifiers staff type in commands and so are never translated, or
// "no tags".
func tagList(l *l10n.Localizer, t *Thread) string {
	if len(t.Tags) == 0 {
		return l.T("word.no_tags", nil)
	}
	return strings.Join(t.TagNames(), ", ")
}
