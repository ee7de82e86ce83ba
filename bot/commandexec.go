package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openear/openear/internal/l10n"
)

// command runs a staff command (slash command, mention, button). Refusals
// and mistakes are answered in Result.Reply and change nothing; only
// storage failures are errors. Replies are in the actor's language.
func (b *Bot) command(ctx context.Context, x *txn, ev Event) (Result, error) {
	actor := b.personOf(ev.Platform, ev.User)
	l := b.personL(actor, ev.Platform)
	if !ev.Staff {
		x.note(Observation{What: "refused", Detail: ev.Platform + ":" + ev.User + " " + ev.Text})
		return Result{Reply: l.T("reply.refused", nil)}, nil
	}
	cmd, err := ParseCommand(ev.Text)
	if err != nil {
		return Result{Reply: commandErrorText(l, err)}, nil
	}
	x.note(Observation{What: "command", Detail: actor + ": " + cmd.String()})
	switch cmd.Verb {
	case "mine", "open", "stats", "incident":
		// These read more than the batch's overlay covers.
		if err := x.settle(ctx); err != nil {
			return Result{}, err
		}
	}
	switch cmd.Verb {
	case "help":
		return Result{Reply: CommandHelpIn(l)}, nil
	case "mine":
		ts, total, err := b.openByOwnerPage(ctx, actor, listed)
		if err != nil {
			return Result{}, err
		}
		return Result{Reply: listThreads(l, l.T("list.mine", nil), ts, total, x.now)}, nil
	case "open":
		ts, err := b.openThreads(ctx)
		if err != nil {
			return Result{}, err
		}
		return Result{Reply: listThreads(l, l.T("list.open", nil), ts, len(ts), x.now)}, nil
	case "stats":
		st, err := b.Stats(ctx, x.now.Add(-cmd.Duration), x.now)
		if err != nil {
			return Result{}, err
		}
		return Result{Reply: st.TextIn(l)}, nil
	case "incident":
		return b.incidentCommand(ctx, x, cmd, actor, l)
	case "login":
		return b.loginCommand(x, ev, actor, l)
	}

	id, _ := ParseID(cmd.ID)
	t, err := x.thread(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Result{Reply: l.T("reply.no_thread", l10n.Args{"ID": cmd.ID})}, nil
	}
	if err != nil {
		return Result{}, err
	}
	res := Result{ThreadID: t.ID}
	switch cmd.Verb {
	case "claim":
		if !b.claim(x, &t, actor) {
			res.Reply = l.T("reply.claimed_already", l10n.Args{"ID": t.ID})
			return res, nil
		}
		res.Reply = l.T("reply.claimed", l10n.Args{"ID": t.ID})
	case "assign":
		who := b.personOf(ev.Platform, cmd.User)
		if _, ok := b.people[cmd.User]; ok {
			who = cmd.User
		}
		if !b.claim(x, &t, who) {
			res.Reply = l.T("reply.assigned_already", l10n.Args{"ID": t.ID, "Who": who})
			return res, nil
		}
		if pl, id := b.contact(who, t.Platform); id != "" && who != actor {
			wl := b.personL(who, pl)
			x.enqueue(Action{Kind: ActDM, Purpose: ForAssigned, Platform: pl, To: id, ThreadID: t.ID,
				Text: msgOwnerAssigned(wl, actor, t.ID, tagList(wl, &t), t.Permalink)})
		}
		res.Reply = l.T("reply.assigned", l10n.Args{"ID": t.ID, "Who": who})
	case "snooze":
		if t.State != Waiting {
			res.Reply = l.T("reply.snooze_not_waiting", l10n.Args{"ID": t.ID, "State": t.State.In(l)})
			return res, nil
		}
		b.snooze(x, &t, cmd.Duration, actor)
		res.Reply = l.T("reply.snoozed", l10n.Args{"ID": t.ID, "Until": b.whenFor(l, actor, t.SnoozeUntil)})
	case "resolve":
		if !b.resolve(x, &t, actor) {
			res.Reply = l.T("reply.resolved_already", l10n.Args{"ID": t.ID})
			return res, nil
		}
		res.Reply = l.T("reply.resolved", l10n.Args{"ID": t.ID})
	case "reopen":
		if t.State != Resolved {
			res.Reply = l.T("reply.reopen_not_resolved", l10n.Args{"ID": t.ID, "State": t.State.In(l)})
			return res, nil
		}
		t.State = Waiting
		t.Reopened++
		t.ResolvedAt = time.Time{}
		b.startWait(&t, "next_reply", x.now)
		x.note(Observation{What: "reopened", Thread: &t, Detail: actor})
		b.queueNotice(x, &t)
		res.Reply = l.T("reply.reopened", l10n.Args{"ID": t.ID})
	case "tag", "untag":
		if !b.retag(x, &t, cmd.Verb == "tag", cmd.Tag, actor) {
			res.Reply = l.T("reply.tags_unchanged", l10n.Args{"ID": t.ID})
			return res, nil
		}
		res.Reply = l.T("reply.tags", l10n.Args{"ID": t.ID, "Tags": tagList(l, &t)})
	default:
		return Result{Reply: l.T("reply.unknown", l10n.Args{"Verb": quote(cmd.Verb)})}, nil
	}
	x.put(&t)
	return res, nil
}

// retag applies a staff tag correction. It sticks: later messages never
// change the tags of a corrected thread.
func (b *Bot) retag(x *txn, t *Thread, add bool, name, actor string) bool {
	i := slices.IndexFunc(t.Tags, func(g Tag) bool { return g.Name == name })
	switch {
	case add && i >= 0, !add && i < 0:
		return false
	case add:
		t.Tags = append(slices.Clone(t.Tags), Tag{Name: name, Score: 1, Reason: "set by " + actor + " (staff correction)"})
		if t.SLAKind == "first_reply" {
			b.retimeWait(t)
		}
	default:
		t.Tags = slices.Delete(slices.Clone(t.Tags), i, i+1)
	}
	t.Corrected = true
	t.Corrections = append(t.Corrections, Correction{By: actor, Tag: name, Added: add, At: x.now})
	// The correction is also a labelled example for the tagger: kept in
	// the same change, learned once it is committed (observe).
	o := Observation{What: "retag", Thread: t, Detail: actor}
	if e, tc, err := correctionEntry(t); err != nil {
		b.log.Warn("tag correction not kept as an example", "thread", t.ID, "err", err)
	} else {
		x.ch.Entries = append(x.ch.Entries, e)
		c := tc.Correction()
		o.learn = &c
	}
	x.note(o)
	b.queueNotice(x, t)
	return true
}

// openThreads lists all open threads, oldest first. It reads every
// thread: fine for a command, not for a hot path.
func (b *Bot) openThreads(ctx context.Context) ([]Thread, error) {
	var all []Thread
	err := b.store.Threads(ctx, func(t Thread) bool {
		if t.State.Open() {
			all = append(all, t)
		}
		return true
	})
	return all, err
}

// openByOwnerPage returns the first limit open threads of a person and
// how many they own, reading only those threads when the store is an
// OpenPager.
func (b *Bot) openByOwnerPage(ctx context.Context, owner string, limit int) ([]Thread, int, error) {
	if p, ok := b.store.(OpenPager); ok {
		return p.OpenByOwnerPage(ctx, owner, limit)
	}
	ts, err := b.store.OpenByOwner(ctx, owner)
	if err != nil {
		return nil, 0, err
	}
	return ts[:min(limit, len(ts))], len(ts), nil
}

// listed is how many threads a list command shows.
const listed = 20

// listThreads lists the first threads of ts (at most listed) under a
// title with the total count, in language l; ts may hold only the first
// ones.
func listThreads(l *l10n.Localizer, title string, ts []Thread, total int, now time.Time) string {
	if total == 0 {
		return l.T("list.none", l10n.Args{"Title": title})
	}
	var s strings.Builder
	s.WriteString(l.T("list.head", l10n.Args{"Title": title, "N": total}) + "\n")
	for i, t := range ts {
		if i == listed {
			break
		}
		fmt.Fprintf(&s, "#%d %s · %s · %s · %s", t.ID, t.State.In(l), t.Platform, tagList(l, &t), excerpt(firstCustomerText(&t), 60))
		if t.State == Waiting && !t.Deadline.IsZero() {
			// Not rounded to minutes first: 40 s left is not "0s" (the
			// reminders' lesson); Duration rounds as a reader needs.
			if left := t.Deadline.Sub(now); left >= 0 {
				s.WriteString(" · " + l.T("list.due_in", l10n.Args{"Left": l.Duration(left)}))
			} else {
				s.WriteString(" · " + l.T("list.overdue", l10n.Args{"Over": l.Duration(-left)}))
			}
		}
		s.WriteString("\n")
	}
	if total > listed {
		s.WriteString(l.T("list.more", l10n.Args{"N": total - listed}) + "\n")
	}
	return strings.TrimRight(s.String(), "\n")
}
