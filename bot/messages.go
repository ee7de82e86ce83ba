package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/openear/openear/internal/l10n"
)

// The sentences staff read in DMs, the triage channel and incident
// alerts, one function per message; the texts are in the catalogs of
// internal/l10n (English and Korean), each function renders its message
// in the reader's language l. Values come in already formatted where a
// reader's zone matters (whenFor); durations are formatted here
// (l.Duration).

// msgOwnerNew tells an owner of one new thread.
func msgOwnerNew(l *l10n.Localizer, id uint64, tags, customer, text, due, link string) string {
	return l.T("owner.new", l10n.Args{"ID": id, "Tags": tags, "Customer": customer, "Quote": quote(text), "Due": due, "Link": link})
}

// msgOwnerNewMany tells an owner of several new threads in one DM: a
// burst. lines come from msgOwnerNewLine.
func msgOwnerNewMany(l *l10n.Localizer, lines []string) string {
	return l.T("owner.new_many", l10n.Args{"Count": len(lines), "Lines": strings.Join(lines, "\n")})
}

// msgOwnerNewLine is one thread of msgOwnerNewMany.
func msgOwnerNewLine(l *l10n.Localizer, id uint64, tags, customer, text, due, link string) string {
	return strings.TrimSpace(l.T("owner.new_line", l10n.Args{"ID": id, "Tags": tags, "Customer": customer, "Quote": quote(text), "Due": due, "Link": link}))
}

// msgOwnerAssigned tells a person that someone gave them a thread.
func msgOwnerAssigned(l *l10n.Localizer, actor string, id uint64, tags, link string) string {
	return l.T("owner.assigned", l10n.Args{"Actor": actor, "ID": id, "Tags": tags, "Link": link})
}

// msgSnoozeOver tells the owner a snoozed thread is back.
func msgSnoozeOver(l *l10n.Localizer, id uint64, link string) string {
	return l.T("owner.snooze_over", l10n.Args{"ID": id, "Link": link})
}

// msgReminderLeft: the SLA has not run out; left is the time to go (open
// time when business hours apply).
func msgReminderLeft(l *l10n.Localizer, id uint64, tags string, sla, left time.Duration, businessHours bool, due, link string) string {
	key := "reminder.left"
	if businessHours {
		key = "reminder.left_hours"
	}
	return l.T(key, l10n.Args{"ID": id, "Tags": tags, "SLA": l.Duration(sla), "Left": l.Duration(left), "Due": due, "Link": link})
}

// msgReminderNow: the SLA runs out as the reminder is sent.
func msgReminderNow(l *l10n.Localizer, id uint64, tags string, sla time.Duration, due, link string) string {
	return l.T("reminder.now", l10n.Args{"ID": id, "Tags": tags, "SLA": l.Duration(sla), "Due": due, "Link": link})
}

// msgReminderOverdue: the SLA ran out over ago (open time when business
// hours apply).
func msgReminderOverdue(l *l10n.Localizer, id uint64, tags string, sla, over time.Duration, businessHours bool, due, link string) string {
	key := "reminder.overdue"
	if businessHours {
		key = "reminder.overdue_hours"
	}
	return l.T(key, l10n.Args{"ID": id, "Tags": tags, "SLA": l.Duration(sla), "Over": l.Duration(over), "Due": due, "Link": link})
}

// msgEscalation tells the triage channel and the team that a thread
// waited too long. owner and team are "" when there is none.
func msgEscalation(l *l10n.Localizer, id uint64, tags string, waited, sla time.Duration, owner, team, link string) string {
	if owner == "" {
		owner = l.T("word.nobody", nil)
	}
	if team == "" {
		team = l.T("word.none", nil)
	}
	return l.T("escalation", l10n.Args{"ID": id, "Tags": tags, "Waited": l.Duration(waited), "SLA": l.Duration(sla),
		"Owner": owner, "Team": team, "Link": link})
}

// msgIncidentHead is the first line of an incident alert; words are the
// shared terms as customers wrote them.
func msgIncidentHead(l *l10n.Localizer, id uint64, open bool, customers int, words []string) string {
	state := l10n.Key("incident.open")
	if !open {
		state = "incident.resolved"
	}
	return l.T("incident.head", l10n.Args{"ID": id, "State": state, "Count": customers, "Words": strings.Join(words, ", ")})
}

// msgIncidentOwner is the owner line of an incident alert; owner is ""
// when there is none.
func msgIncidentOwner(l *l10n.Localizer, owner string) string {
	if owner == "" {
		owner = l.T("word.none", nil)
	}
	return l.T("incident.owner", l10n.Args{"Owner": owner})
}

// msgIncidentThread is one linked thread of an incident alert.
func msgIncidentThread(l *l10n.Localizer, id uint64, platform, channel, customer, text, link string) string {
	return strings.TrimSpace(l.T("incident.thread", l10n.Args{"ID": id, "Platform": platform, "Channel": channel,
		"Customer": customer, "Quote": quote(text), "Link": link}))
}

// msgIncidentUpdate is one status update of an incident alert.
func msgIncidentUpdate(l *l10n.Localizer, text string) string {
	return l.T("incident.update", l10n.Args{"Text": text})
}

// msgDigestTitle heads a digest notice: how many new threads came in how
// long, by tag, and the first and last thread.
func msgDigestTitle(l *l10n.Localizer, n int, span time.Duration, byTag []TagCount, first, last uint64) string {
	rng := fmt.Sprintf("#%d", first)
	if first != last {
		rng = fmt.Sprintf("#%d … #%d", first, last)
	}
	args := l10n.Args{"Count": n, "Span": l.Duration(span), "Range": rng}
	if len(byTag) == 0 {
		return l.T("many.title", args)
	}
	counts := make([]string, len(byTag))
	for i, c := range byTag {
		tag := c.Tag
		if tag == untagged {
			tag = l.T("word.untagged", nil)
		}
		counts[i] = l.T("many.tag_count", l10n.Args{"N": c.N, "Tag": tag})
	}
	args["Tags"] = strings.Join(counts, ", ")
	return l.T("many.title_tags", args)
}

// msgDigestLine is one thread of a digest notice, in plain text.
func msgDigestLine(l *l10n.Localizer, n *Notice) string {
	tags := l.T("word.no_tags", nil)
	if len(n.Tags) > 0 {
		names := make([]string, len(n.Tags))
		for i, g := range n.Tags {
			names[i] = g.Name
		}
		tags = strings.Join(names, ", ")
	}
	owner := n.Owner
	if owner == "" {
		owner = l.T("word.unassigned", nil)
	}
	line := l.T("many.line", l10n.Args{"ID": n.ThreadID, "State": n.State.In(l), "Tags": tags, "Owner": owner,
		"Customer": n.Customer, "Quote": quote(excerpt(n.Excerpt, DigestExcerptLen))})
	if n.Note != "" {
		line += " · " + n.Note
	}
	return line
}

// DigestExcerptLen is how much customer text a digest quotes per thread.
const DigestExcerptLen = 100

// quote quotes customer text for a message, as Go does ("…", with
// escapes), so that it reads as quoted in any language.
func quote(text string) string { return fmt.Sprintf("%q", text) }

// msgCSATLow tells the owner and the triage channel that a customer gave
// a low CSAT score (comment may be empty).
func msgCSATLow(l *l10n.Localizer, id uint64, score int, customer, comment, owner, link string) string {
	if comment == "" {
		return strings.TrimSpace(l.T("satisfaction.low", l10n.Args{"Customer": customer, "ID": id, "Score": score, "Owner": owner, "Link": link}))
	}
	return strings.TrimSpace(l.T("satisfaction.low_comment", l10n.Args{"Customer": customer, "ID": id, "Score": score, "Owner": owner,
		"Quote": quote(excerpt(comment, 300)), "Link": link}))
}

// msgCSATSummary heads the CSAT lines of stats and the digest: the mean
// score with its answers ("4.2 (12)"), answers of asked, and the answers
// per face.
func msgCSATSummary(l *l10n.Localizer, mean string, answers, asked int, faces string) string {
	return l.T("satisfaction.summary", l10n.Args{"Mean": mean, "Answers": answers, "Count": asked, "Faces": faces})
}

// msgCSATBy is one breakdown line of the CSAT summary; by is "person",
// "team" or "tag".
func msgCSATBy(l *l10n.Localizer, by, parts string) string {
	key := "satisfaction.by_tag"
	switch by {
	case "person":
		key = "satisfaction.by_person"
	case "team":
		key = "satisfaction.by_team"
	}
	return l.T(key, l10n.Args{"Parts": parts})
}

// msgNoise is the stats line of the noise messages per channel.
func msgNoise(l *l10n.Localizer, parts string) string {
	return l.T("stats.noise", l10n.Args{"Parts": parts})
}

// msgLoginLink is the DM that carries a dashboard sign-in link.
func msgLoginLink(l *l10n.Localizer, link string, valid time.Duration) string {
	return l.T("signin.link", l10n.Args{"Link": link, "Valid": l.Duration(valid)})
}

// msgLoginSent answers `login`: the link went by DM.
func msgLoginSent(l *l10n.Localizer) string { return l.T("signin.sent", nil) }

// msgLoginNoURL answers `login` when openear does not know its own
// address.
func msgLoginNoURL(l *l10n.Localizer) string { return l.T("signin.no_url", nil) }
