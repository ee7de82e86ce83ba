package bot

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/openear/openear/internal/l10n"
)

// slaFor returns the SLA of a wait. next_reply is one length for all.
// first_reply is the strictest over the thread's tags, each tag taking its
// per_tag SLA or the default first_reply; a thread without tags takes the
// default.
func (b *Bot) slaFor(t *Thread, kind string) time.Duration {
	if kind == "next_reply" {
		return b.opts.SLA.NextReply
	}
	if len(t.Tags) == 0 {
		return b.opts.SLA.FirstReply
	}
	d := time.Duration(-1)
	for _, g := range t.Tags {
		v, ok := b.opts.SLA.PerTag[g.Name]
		if !ok || v <= 0 {
			v = b.opts.SLA.FirstReply
		}
		if d < 0 || v < d {
			d = v
		}
	}
	return d
}

// stages are the fractions of the SLA at which something happens: the
// reminders, then the escalation (the last stage).
func (b *Bot) stages() []float64 {
	s := slices.Clone(b.opts.SLA.RemindAt)
	s = append(s, b.opts.SLA.EscalateAfter)
	return s
}

// startWait starts the SLA clock of a new wait at from: x.now, or when a
// backfilled message was sent (sentAt).
func (b *Bot) startWait(t *Thread, kind string, from time.Time) {
	t.SLAKind = kind
	t.SLA = b.slaFor(t, kind)
	t.WaitFrom = from
	t.Stage = 0
	t.SnoozeUntil = time.Time{}
	b.retimeWait(t)
}

// retimeWait recomputes the deadline and the next due time of the current
// wait (after its SLA or stage changed). Clocks run in business hours only.
func (b *Bot) retimeWait(t *Thread) {
	if t.State != Waiting || t.SLAKind == "" {
		return
	}
	if t.SLAKind == "first_reply" {
		t.SLA = b.slaFor(t, "first_reply")
	}
	t.Deadline = b.opts.Hours.Add(t.WaitFrom, t.SLA)
	if !t.SnoozeUntil.IsZero() {
		t.Due = t.SnoozeUntil
		return
	}
	st := b.stages()
	if t.Stage >= len(st) {
		t.Due = time.Time{}
		return
	}
	t.Due = b.opts.Hours.Add(t.WaitFrom, time.Duration(float64(t.SLA)*st[t.Stage]))
}

// Tick handles every thread that came due by now: reminders, escalations
// and the end of snoozes. Its cost is that of the due threads. It returns
// how many threads it handled.
func (b *Bot) Tick(ctx context.Context) (int, error) {
	if err := b.digestIfDue(ctx); err != nil {
		return 0, fmt.Errorf("digest: %w", err)
	}
	handled := 0
	for {
		n, err := b.tickBatch(ctx, tickBatch)
		handled += n
		if err != nil || n == 0 {
			return handled, err
		}
	}
}

// tickBatch is how many due threads one transaction of Tick handles.
const tickBatch = 1024

func (b *Bot) tickBatch(ctx context.Context, limit int) (int, error) {
	b.lock()
	defer b.mu.Unlock()
	x := b.begin("")
	due, err := b.store.Due(ctx, x.now, limit)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	x.ch.Threads = make([]Thread, 0, len(due))
	for i := range due {
		t := &due[i]
		b.due(x, t)
		x.put(t)
	}
	if err := x.commit(ctx); err != nil {
		return 0, fmt.Errorf("tick: %w", err)
	}
	return len(due), nil
}

// due advances one thread whose due time has passed by one stage.
func (b *Bot) due(x *txn, t *Thread) {
	if t.State != Waiting {
		t.Due = time.Time{}
		return
	}
	if !t.SnoozeUntil.IsZero() {
		t.SnoozeUntil = time.Time{}
		b.queueOwner(x, t, ForReminder, func(l *l10n.Localizer) string { return msgSnoozeOver(l, t.ID, t.Permalink) })
		x.note(Observation{What: "unsnooze", Thread: t})
		// Stages passed during the snooze are not replayed one by one.
		st := b.stages()
		for t.Stage < len(st)-1 && !b.opts.Hours.Add(t.WaitFrom, time.Duration(float64(t.SLA)*st[t.Stage])).After(x.now) {
			t.Stage++
		}
		b.retimeWait(t)
		if !t.Due.After(x.now) {
			t.Due = x.now.Add(time.Second)
		}
		return
	}
	st := b.stages()
	if t.Stage >= len(st) {
		t.Due = time.Time{}
		return
	}
	if !t.Breached && !x.now.Before(t.Deadline) {
		t.Breached = true
		x.note(Observation{What: "breach", Thread: t})
	}
	frac := st[t.Stage]
	if t.Stage == len(st)-1 {
		b.escalate(x, t)
	} else {
		b.remind(x, t, frac)
	}
	t.Stage++
	b.retimeWait(t)
}

func (b *Bot) remind(x *txn, t *Thread, frac float64) {
	b.queueOwner(x, t, ForReminder, func(l *l10n.Localizer) string { return b.reminderText(l, t, x.now) })
	x.note(Observation{What: "reminder", Thread: t, Detail: fmt.Sprintf("%.0f%% of SLA", frac*100)})
}

// reminderText says, at now, how long a waiting thread has left before
// its deadline or how long it is past it: in open time when business
// hours are configured (the SLA counts only those), else in wall time.
// Under a second either way reads as "ends now". l is the owner's
// language.
func (b *Bot) reminderText(l *l10n.Localizer, t *Thread, now time.Time) string {
	hours := b.opts.Hours != nil
	due := b.whenFor(l, t.Owner, t.Deadline)
	if now.Before(t.Deadline) {
		if left := b.opts.Hours.Between(now, t.Deadline); left >= time.Second {
			return msgReminderLeft(l, t.ID, tagList(l, t), t.SLA, left, hours, due, t.Permalink)
		}
	} else if over := b.opts.Hours.Between(t.Deadline, now); over >= time.Second {
		return msgReminderOverdue(l, t.ID, tagList(l, t), t.SLA, over, hours, due, t.Permalink)
	}
	return msgReminderNow(l, t.ID, tagList(l, t), t.SLA, due, t.Permalink)
}

// whenFor formats an instant for a person to read, in their language l:
// in their time zone, else the business hours' zone, else the instant's
// own.
func (b *Bot) whenFor(l *l10n.Localizer, person string, at time.Time) string {
	loc := at.Location()
	if b.opts.Hours != nil && b.opts.Hours.Loc != nil {
		loc = b.opts.Hours.Loc
	}
	if p := b.people[person]; p != nil && p.Loc != nil {
		loc = p.Loc
	}
	return l.When(at.In(loc))
}

// escalate tells the triage channel, the owner and the team, each in
// their own language.
func (b *Bot) escalate(x *txn, t *Thread) {
	text := func(l *l10n.Localizer) string {
		return msgEscalation(l, t.ID, tagList(l, t), b.opts.Hours.Between(t.WaitFrom, x.now), t.SLA, t.Owner, t.Team, t.Permalink)
	}
	if ch := b.opts.Triage[t.Platform]; ch != "" {
		x.enqueue(Action{Kind: ActPost, Purpose: ForEscalation, Platform: t.Platform, Channel: ch, Text: text(b.channelL(t.Platform)), ThreadID: t.ID})
	}
	// The owner and every other member of the team hear of it too.
	b.queueOwner(x, t, ForEscalation, text)
	if team := b.teams[t.Team]; team != nil {
		for _, m := range team.Members {
			if m == t.Owner {
				continue
			}
			if pl, id := b.contact(m, t.Platform); id != "" {
				x.enqueue(Action{Kind: ActDM, Purpose: ForEscalation, Platform: pl, To: id, Text: text(b.personL(m, pl)), ThreadID: t.ID})
			}
		}
	}
	x.note(Observation{What: "escalation", Thread: t})
}

func (b *Bot) snooze(x *txn, t *Thread, d time.Duration, person string) {
	t.SnoozeUntil = x.now.Add(d)
	t.Due = t.SnoozeUntil
	x.note(Observation{What: "snooze", Thread: t, Detail: person + " for " + d.String()})
	b.queueNotice(x, t)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
