package bot

import (
	"fmt"
	"strings"
	"time"
)

// The sentences staff read in DMs, the triage channel and incident
// alerts, one function per message, so that each can move into a message
// catalog (EN, KO) as a whole. Values come in already formatted where a
// reader's zone matters (whenText); durations are formatted here
// (fmtDuration).

// msgOwnerNew tells an owner of one new thread.
func msgOwnerNew(id uint64, tags, customer, text, due, link string) string {
	return fmt.Sprintf("📥 New thread #%d for you (%s) from %s: %q — reply by %s. %s", id, tags, customer, text, due, link)
}

// msgOwnerNewMany tells an owner of several new threads in one DM: a
// burst. lines come from msgOwnerNewLine.
func msgOwnerNewMany(lines []string) string {
	return fmt.Sprintf("📥 %d new threads for you:\n%s", len(lines), strings.Join(lines, "\n"))
}

// msgOwnerNewLine is one thread of msgOwnerNewMany.
func msgOwnerNewLine(id uint64, tags, customer, text, due, link string) string {
	return strings.TrimSpace(fmt.Sprintf("• #%d (%s) from %s: %q — reply by %s %s", id, tags, customer, text, due, link))
}

// msgSnoozeOver tells the owner a snoozed thread is back.
func msgSnoozeOver(id uint64, link string) string {
	return fmt.Sprintf("⏰ Snooze over: thread #%d still waits for a reply. %s", id, link)
}

// msgReminderLeft: the SLA has not run out; left is the time to go (open
// time when business hours apply).
func msgReminderLeft(id uint64, tags string, sla, left time.Duration, businessHours bool, due, link string) string {
	of := ""
	if businessHours {
		of = " of business hours"
	}
	return fmt.Sprintf("⏰ Reminder: thread #%d (%s) waits for a reply: its %s SLA ends in %s%s (%s). %s",
		id, tags, fmtDuration(sla), fmtDuration(left), of, due, link)
}

// msgReminderNow: the SLA runs out as the reminder is sent.
func msgReminderNow(id uint64, tags string, sla time.Duration, due, link string) string {
	return fmt.Sprintf("⏰ Reminder: thread #%d (%s) waits for a reply: its %s SLA ends now (%s). %s",
		id, tags, fmtDuration(sla), due, link)
}

// msgReminderOverdue: the SLA ran out over ago (open time when business
// hours apply).
func msgReminderOverdue(id uint64, tags string, sla, over time.Duration, businessHours bool, due, link string) string {
	of := ""
	if businessHours {
		of = " of business hours"
	}
	return fmt.Sprintf("⏰ Reminder: thread #%d (%s) is past its %s SLA by %s%s (it was due %s). %s",
		id, tags, fmtDuration(sla), fmtDuration(over), of, due, link)
}

// msgEscalation tells the triage channel and the team that a thread
// waited too long.
func msgEscalation(id uint64, tags string, waited, sla time.Duration, owner, team, link string) string {
	return fmt.Sprintf("🚨 Escalation: thread #%d (%s) has waited %s without a reply (SLA %s, owner %s, team %s). %s",
		id, tags, fmtDuration(waited), fmtDuration(sla), owner, team, link)
}

// msgIncidentHead is the first line of an incident alert; words are the
// shared terms as customers wrote them.
func msgIncidentHead(id uint64, open bool, customers int, words []string) string {
	state := "OPEN"
	if !open {
		state = "resolved"
	}
	return fmt.Sprintf("🔥 Incident #%d (%s): %d customers report the same problem — %s", id, state, customers, strings.Join(words, ", "))
}

// msgIncidentOwner is the owner line of an incident alert.
func msgIncidentOwner(owner string) string { return "Owner: " + owner }

// msgIncidentThread is one linked thread of an incident alert.
func msgIncidentThread(id uint64, platform, channel, customer, text, link string) string {
	return strings.TrimSpace(fmt.Sprintf("• #%d %s/%s %s: %q %s", id, platform, channel, customer, text, link))
}

// msgIncidentUpdate is one status update of an incident alert.
func msgIncidentUpdate(text string) string { return "Update: " + text }

// msgDigestTitle heads a digest notice: how many new threads came in how
// long, by tag, and the first and last thread.
func msgDigestTitle(n int, span time.Duration, byTag []TagCount, first, last uint64) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%d new threads in the last %s", n, fmtDuration(span))
	if len(byTag) > 0 {
		counts := make([]string, len(byTag))
		for i, c := range byTag {
			counts[i] = fmt.Sprintf("%d %s", c.N, c.Tag)
		}
		fmt.Fprintf(&s, ": %s", strings.Join(counts, ", "))
	}
	if first == last {
		fmt.Fprintf(&s, " — #%d", first)
	} else {
		fmt.Fprintf(&s, " — #%d … #%d", first, last)
	}
	return s.String()
}

// msgDigestLine is one thread of a digest notice, in plain text.
func msgDigestLine(n *Notice) string {
	tags := "no tags"
	if len(n.Tags) > 0 {
		names := make([]string, len(n.Tags))
		for i, g := range n.Tags {
			names[i] = g.Name
		}
		tags = strings.Join(names, ", ")
	}
	owner := n.Owner
	if owner == "" {
		owner = "unassigned"
	}
	line := fmt.Sprintf("#%d · %s · %s · %s · %s: %q", n.ThreadID, n.State, tags, owner, n.Customer, excerpt(n.Excerpt, DigestExcerptLen))
	if n.Note != "" {
		line += " · " + n.Note
	}
	return line
}

// DigestExcerptLen is how much customer text a digest quotes per thread.
const DigestExcerptLen = 100

// fmtDuration formats a duration for people, rounded to what a reader
// needs: "45s", "5m 30s" (under ten minutes), "40m", "1h 30m", "2d 3h".
// Negative durations are formatted as their absolute value.
func fmtDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < 10*time.Minute:
		d = d.Round(time.Second)
		m, s := int(d/time.Minute), int(d%time.Minute/time.Second)
		if s == 0 {
			return fmt.Sprintf("%dm", m)
		}
		return fmt.Sprintf("%dm %ds", m, s)
	}
	d = d.Round(time.Minute)
	if d < time.Hour {
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	if d < 48*time.Hour {
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh %dm", h, m)
	}
	d = d.Round(time.Hour)
	days, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd %dh", days, h)
}

// msgCSATLow tells the owner and the triage channel that a customer gave
// a low CSAT score (comment may be empty).
func msgCSATLow(id uint64, score int, customer, comment, owner, link string) string {
	s := fmt.Sprintf("😞 Low rating: %s rated thread #%d %d/5 (owner %s).", customer, id, score, owner)
	if comment != "" {
		s += fmt.Sprintf(" They wrote: %q", excerpt(comment, 300))
	}
	return strings.TrimSpace(s + " " + link)
}

// msgCSATSummary heads the CSAT lines of stats and the digest: the mean
// score with its answers ("4.2 (12)"), answers of asked, and the answers
// per face.
func msgCSATSummary(mean string, answers, asked int, faces string) string {
	return fmt.Sprintf("CSAT: %s · %d of %d customers asked answered · %s", mean, answers, asked, faces)
}

// msgCSATBy is one breakdown line of the CSAT summary ("person", "team",
// "tag").
func msgCSATBy(by, parts string) string { return fmt.Sprintf("CSAT by %s: %s", by, parts) }

// msgLoginLink is the DM that carries a dashboard sign-in link.
func msgLoginLink(link, valid string) string {
	return fmt.Sprintf("🔑 Your openear dashboard sign-in link (valid %s, once): %s", valid, link)
}

// msgLoginSent answers `login`: the link went by DM.
func msgLoginSent() string {
	return "I sent you a sign-in link for the dashboard in a direct message."
}

// msgLoginNoURL answers `login` when openear does not know its own
// address.
func msgLoginNoURL() string {
	return "The dashboard's address is not known: set http.public_url in the config."
}
