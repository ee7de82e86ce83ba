package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// command runs a staff command (slash command, mention, button). Refusals
// and mistakes are answered in Result.Reply and change nothing; only
// storage failures are errors.
func (b *Bot) command(ctx context.Context, x *txn, ev Event) (Result, error) {
	if !ev.Staff {
		x.note(Observation{What: "refused", Detail: ev.Platform + ":" + ev.User + " " + ev.Text})
		return Result{Reply: "Sorry — " + ErrNotStaff.Error() + "."}, nil
	}
	cmd, err := ParseCommand(ev.Text)
	if err != nil {
		return Result{Reply: err.Error()}, nil
	}
	actor := b.personOf(ev.Platform, ev.User)
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
		return Result{Reply: CommandHelp()}, nil
	case "mine":
		ts, total, err := b.openByOwnerPage(ctx, actor, listed)
		if err != nil {
			return Result{}, err
		}
		return Result{Reply: listThreads("Your open threads", ts, total, x.now)}, nil
	case "open":
		ts, err := b.openThreads(ctx)
		if err != nil {
			return Result{}, err
		}
		return Result{Reply: listThreads("Open threads", ts, len(ts), x.now)}, nil
	case "stats":
		st, err := b.Stats(ctx, x.now.Add(-cmd.Duration), x.now)
		if err != nil {
			return Result{}, err
		}
		return Result{Reply: st.Text()}, nil
	case "incident":
		return b.incidentCommand(ctx, x, cmd, actor)
	}

	id, _ := ParseID(cmd.ID)
	t, err := x.thread(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Result{Reply: fmt.Sprintf("No thread #%s.", cmd.ID)}, nil
	}
	if err != nil {
		return Result{}, err
	}
	res := Result{ThreadID: t.ID}
	switch cmd.Verb {
	case "claim":
		if !b.claim(x, &t, actor) {
			res.Reply = fmt.Sprintf("Thread #%d is already yours.", t.ID)
			return res, nil
		}
		res.Reply = fmt.Sprintf("Thread #%d is yours now.", t.ID)
	case "assign":
		who := b.personOf(ev.Platform, cmd.User)
		if _, ok := b.people[cmd.User]; ok {
			who = cmd.User
		}
		if !b.claim(x, &t, who) {
			res.Reply = fmt.Sprintf("Thread #%d is already %s's.", t.ID, who)
			return res, nil
		}
		if pl, id := b.contact(who, t.Platform); id != "" && who != actor {
			x.enqueue(Action{Kind: ActDM, Purpose: ForOwner, Platform: pl, To: id, ThreadID: t.ID,
				Text: fmt.Sprintf("📥 %s assigned thread #%d (%s) to you. %s", actor, t.ID, tagList(&t), t.Permalink)})
		}
		res.Reply = fmt.Sprintf("Thread #%d assigned to %s.", t.ID, who)
	case "snooze":
		if t.State != Waiting {
			res.Reply = fmt.Sprintf("Thread #%d is %s: nothing to snooze.", t.ID, t.State)
			return res, nil
		}
		b.snooze(x, &t, cmd.Duration, actor)
		res.Reply = fmt.Sprintf("Thread #%d snoozed until %s.", t.ID, t.SnoozeUntil.Format("Mon 15:04 MST"))
	case "resolve":
		if !b.resolve(x, &t, actor) {
			res.Reply = fmt.Sprintf("Thread #%d is already resolved.", t.ID)
			return res, nil
		}
		res.Reply = fmt.Sprintf("Thread #%d resolved.", t.ID)
	case "reopen":
		if t.State != Resolved {
			res.Reply = fmt.Sprintf("Thread #%d is %s, not resolved.", t.ID, t.State)
			return res, nil
		}
		t.State = Waiting
		t.Reopened++
		t.ResolvedAt = time.Time{}
		b.startWait(&t, "next_reply", x.now)
		x.note(Observation{What: "reopened", Thread: &t, Detail: actor})
		b.queueNotice(x, &t)
		res.Reply = fmt.Sprintf("Thread #%d reopened.", t.ID)
	case "tag", "untag":
		if !b.retag(x, &t, cmd.Verb == "tag", cmd.Tag, actor) {
			res.Reply = fmt.Sprintf("Thread #%d: nothing to change.", t.ID)
			return res, nil
		}
		res.Reply = fmt.Sprintf("Thread #%d tags: %s.", t.ID, tagList(&t))
	default:
		return Result{Reply: fmt.Sprintf("%q is not something I can do yet; try help.", cmd.Verb)}, nil
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
// title with the total count; ts may hold only the first ones.
func listThreads(title string, ts []Thread, total int, now time.Time) string {
	if total == 0 {
		return title + ": none."
	}
	var s strings.Builder
	fmt.Fprintf(&s, "%s (%d):\n", title, total)
	for i, t := range ts {
		if i == listed {
			break
		}
		fmt.Fprintf(&s, "#%d %s · %s · %s · %s", t.ID, t.State, t.Platform, tagList(&t), excerpt(firstCustomerText(&t), 60))
		if t.State == Waiting && !t.Deadline.IsZero() {
			if left := t.Deadline.Sub(now).Round(time.Minute); left >= 0 {
				fmt.Fprintf(&s, " · due in %s", left)
			} else {
				fmt.Fprintf(&s, " · overdue by %s", -left)
			}
		}
		s.WriteString("\n")
	}
	if total > listed {
		fmt.Fprintf(&s, "… and %d more\n", total-listed)
	}
	return strings.TrimRight(s.String(), "\n")
}
