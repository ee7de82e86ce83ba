package bot

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
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
	pos, err := b.rrPosition(ctx, team.Name)
	if err != nil {
		return "", err
	}
	pick := avail[0]
	for range team.Members {
		i := pos % uint64(len(team.Members))
		pos++
		if slices.Contains(avail, team.Members[i]) {
			pick = team.Members[i]
			break
		}
	}
	b.rr[team.Name] = pos
	x.ch.Entries = append(x.ch.Entries, Entry{Key: rrKey(team.Name), Value: strconv.AppendUint(nil, pos, 10)})
	return pick, nil
}

// The round-robin position of each team is an entry, "route/rr/<team>"
// (a decimal count of picks), written with the change of every pick: a
// restart, or another replica taking over, goes on with the next member.
// b.rr caches the positions this Bot wrote or read; while it lives it is
// the store's only writer of them.

// rrPosition returns a team's round-robin position: the cached one, else
// the stored one (0 when none).
func (b *Bot) rrPosition(ctx context.Context, team string) (uint64, error) {
	if pos, ok := b.rr[team]; ok {
		return pos, nil
	}
	v, err := b.store.Entry(ctx, rrKey(team))
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return 0, nil
		}
		return 0, fmt.Errorf("round-robin position of %s: %w", team, err)
	}
	pos, err := strconv.ParseUint(string(v), 10, 64)
	if err != nil {
		b.log.Warn("unreadable round-robin position; starting over", "team", team, "value", string(v))
		return 0, nil
	}
	b.rr[team] = pos
	return pos, nil
}

// rrKey is the entry of a team's position; a name too long for a key is
// replaced by its hash.
func rrKey(team string) string {
	k := "route/rr/" + team
	if len(k) > MaxEntryKey {
		sum := sha256.Sum256([]byte(team))
		k = "route/rr/#" + hex.EncodeToString(sum[:])
	}
	return k
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
