package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// routeThread picks the owner of a new thread: the owner of the customer's
// other open thread (sticky), else the first routing rule that matches.
// The choice is recorded on the thread's timeline.
func (b *Bot) routeThread(ctx context.Context, x *txn, t *Thread, text string) error {
	why, err := b.route(ctx, x, t, text)
	if err != nil {
		return err
	}
	detail := why
	if t.Owner != "" {
		detail = t.Owner
		if t.Team != "" {
			detail += " (team " + t.Team + ")"
		}
		detail += ": " + why
	}
	t.mark(TimelineItem{At: x.now, What: MarkRouted, Detail: detail})
	return nil
}

// route sets the owner and team of a new thread and says why.
func (b *Bot) route(ctx context.Context, x *txn, t *Thread, text string) (string, error) {
	prev, err := x.lookup(ctx, OwnerOfKey(t.Platform, t.Customer))
	if err != nil {
		return "", err
	}
	if prev != nil && prev.ID != t.ID && prev.State.Open() && prev.Owner != "" {
		t.Owner, t.Team = prev.Owner, prev.Team
		return fmt.Sprintf("the owner of the customer's open thread #%d", prev.ID), nil
	}
	for i, r := range b.opts.Rules {
		if !r.matches(t, text) {
			continue
		}
		why := fmt.Sprintf("routing rule %d", i+1)
		if r.Person != "" {
			t.Owner, t.Team = r.Person, r.Team
			return why, nil
		}
		if team := b.teams[r.Team]; team != nil {
			owner, err := b.pick(ctx, x, team)
			if err != nil {
				return "", err
			}
			t.Owner, t.Team = owner, team.Name
			why += ", " + strings.ReplaceAll(cmp.Or(team.Strategy, "round_robin"), "_", " ")
		}
		return why, nil
	}
	return "no routing rule matched", nil
}

// matches reports whether every non-empty condition of r holds.
func (r *Rule) matches(t *Thread, text string) bool {
	if len(r.Platforms) > 0 && !slices.Contains(r.Platforms, t.Platform) {
		return false
	}
	if len(r.Channels) > 0 && !slices.Contains(r.Channels, t.Channel) {
		return false
	}
	if len(r.Tags) > 0 && !slices.ContainsFunc(r.Tags, t.HasTag) {
		return false
	}
	if len(r.Keywords) > 0 {
		lower := strings.ToLower(text)
		if !slices.ContainsFunc(r.Keywords, func(k string) bool { return strings.Contains(lower, strings.ToLower(k)) }) {
			return false
		}
	}
	return true
}

// pick chooses a team member: people within their working hours first
// (anyone when nobody is), by the team's strategy.
func (b *Bot) pick(ctx context.Context, x *txn, team *Team) (string, error) {
	now := x.now
	if len(team.Members) == 0 {
		return "", nil
	}
	var avail []string
	for _, m := range team.Members {
		if b.working(m, now) {
			avail = append(avail, m)
		}
	}
	if len(avail) == 0 {
		avail = team.Members
	}
	if team.Strategy == "least_loaded" {
		best, bestN := "", -1
		for _, m := range avail {
			n, err := x.countOpen(ctx, m)
			if err != nil {
				return "", err
			}
			if bestN < 0 || n < bestN {
				best, bestN = m, n
			}
		}
		return best, nil
	}
	// Round robin over the whole team, skipping who is off now.
	for range team.Members {
		i := b.rr[team.Name] % len(team.Members)
		b.rr[team.Name]++
		if slices.Contains(avail, team.Members[i]) {
			return team.Members[i], nil
		}
	}
	return avail[0], nil
}

// working reports whether a person is within business hours in their own
// time zone. Without business hours everyone always works.
func (b *Bot) working(person string, now time.Time) bool {
	h := b.opts.Hours
	if h == nil {
		return true
	}
	if p := b.people[person]; p != nil && p.Loc != nil {
		h = h.In(p.Loc)
	}
	return h.Open(now)
}
