package bot

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/openear/openear/bot/tag"
)

// DigestOptions schedules the daily digest.
type DigestOptions struct {
	Enabled  bool
	At       time.Duration     // time of day, from local midnight
	Loc      *time.Location    // default: the business hours' zone, else UTC
	Channels map[string]string // platform -> channel to post in
}

// Digest summarises the threads created in [since, until]: new threads by
// tag, first-response times, SLA met % by team and person, the oldest
// waiting threads, and the ideas and praise of the period quoted with
// links (ideas that say the same thing grouped).
func (b *Bot) Digest(ctx context.Context, since, until time.Time) (string, error) {
	return StoreDigest(ctx, b.store, since, until)
}

// StoreDigest is Digest over any store: one read of every thread.
func StoreDigest(ctx context.Context, s Store, since, until time.Time) (string, error) {
	var ts, waiting []Thread
	err := s.Threads(ctx, func(t Thread) bool {
		if !t.Created.Before(since) && !t.Created.After(until) {
			ts = append(ts, t)
		}
		if t.State == Waiting {
			waiting = append(waiting, t)
		}
		return true
	})
	if err != nil {
		return "", err
	}
	return DigestText(ts, waiting, since, until), nil
}

// DigestText renders a digest of threads ts (created in the period) and
// of the threads still waiting.
func DigestText(ts, waiting []Thread, since, until time.Time) string {
	st := ComputeStats(ts, since, until)
	var s strings.Builder
	fmt.Fprintf(&s, "📰 openear digest · %s – %s\n", since.Format("Mon Jan 2 15:04"), until.Format("Mon Jan 2 15:04 MST"))
	fmt.Fprintf(&s, "New threads: %d", st.Threads)
	if len(st.ByTag) > 0 {
		tags := make([]string, 0, len(st.ByTag))
		for k := range st.ByTag {
			tags = append(tags, k)
		}
		sort.Slice(tags, func(i, j int) bool {
			if a, c := st.ByTag[tags[i]].Threads, st.ByTag[tags[j]].Threads; a != c {
				return a > c
			}
			return tags[i] < tags[j]
		})
		parts := make([]string, len(tags))
		for i, k := range tags {
			parts[i] = fmt.Sprintf("%s %d", k, st.ByTag[k].Threads)
		}
		fmt.Fprintf(&s, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintf(&s, "\nFirst response: p50 %s · p90 %s · SLA met %s\n", fmtDur(st.FirstResponse.P50), fmtDur(st.FirstResponse.P90), st.SLA)
	for _, sec := range []struct {
		name string
		m    map[string]*Line
	}{{"team", st.ByTeam}, {"person", st.ByPerson}} {
		keys := make([]string, 0, len(sec.m))
		for k := range sec.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %s", k, sec.m[k].SLA))
		}
		if len(parts) > 0 {
			fmt.Fprintf(&s, "SLA met by %s: %s\n", sec.name, strings.Join(parts, " · "))
		}
	}
	for _, l := range st.CSAT.Lines() {
		s.WriteString(l + "\n")
	}
	slices.SortFunc(waiting, func(a, c Thread) int { return a.WaitFrom.Compare(c.WaitFrom) })
	if len(waiting) > 0 {
		s.WriteString("Waiting longest:\n")
		for _, t := range waiting[:min(5, len(waiting))] {
			fmt.Fprintf(&s, "  #%d %s · waiting %s · %s · %q %s\n", t.ID, t.Platform, fmtDur(until.Sub(t.WaitFrom)), orNone(t.Owner),
				excerpt(firstCustomerText(&t), 80), t.Permalink)
		}
	}
	var ideas, praise []Thread
	for _, t := range ts {
		if t.HasTag(tag.Idea) {
			ideas = append(ideas, t)
		}
		if t.HasTag(tag.Praise) {
			praise = append(praise, t)
		}
	}
	if len(ideas) > 0 {
		s.WriteString("💡 Ideas:\n")
		for _, g := range groupIdeas(ideas) {
			t := g[0]
			more := ""
			if len(g) > 1 {
				ids := make([]string, 0, len(g)-1)
				for _, o := range g[1:] {
					ids = append(ids, "#"+FormatID(o.ID))
				}
				more = fmt.Sprintf(" (+%d asking the same: %s)", len(g)-1, strings.Join(ids, ", "))
			}
			fmt.Fprintf(&s, "  #%d %s: %q%s %s\n", t.ID, t.customerName(), excerpt(firstCustomerText(&t), 120), more, t.Permalink)
		}
	}
	if len(praise) > 0 {
		s.WriteString("🎉 Praise:\n")
		for _, t := range praise {
			fmt.Fprintf(&s, "  #%d %s: %q %s\n", t.ID, t.customerName(), excerpt(firstCustomerText(&t), 120), t.Permalink)
		}
	}
	return strings.TrimRight(s.String(), "\n")
}

// groupIdeas groups idea threads that share at least two salient terms
// (or their only term), in order of first appearance.
func groupIdeas(ideas []Thread) [][]Thread {
	var groups [][]Thread
	var groupTerms [][]string
next:
	for _, t := range ideas {
		terms := tag.Terms(firstCustomerText(&t))
		for i, gt := range groupTerms {
			shared := 0
			for _, term := range terms {
				if slices.Contains(gt, term) {
					shared++
				}
			}
			if shared >= 2 || (shared == 1 && (len(terms) == 1 || len(gt) == 1)) {
				groups[i] = append(groups[i], t)
				continue next
			}
		}
		groups = append(groups, []Thread{t})
		groupTerms = append(groupTerms, terms)
	}
	return groups
}

// digestIfDue posts the digest when its time of day has come. The first
// digest is the first one after the bot started: a restart at 09:30 does
// not post the 09:00 digest again (nor late).
func (b *Bot) digestIfDue(ctx context.Context) error {
	if !b.opts.Digest.Enabled {
		return nil
	}
	now := b.clock.Now()
	b.digestMu.Lock()
	if b.digestAt.IsZero() {
		b.digestAt = b.nextDigest(b.started)
	}
	due := !now.Before(b.digestAt)
	if due {
		b.digestAt = b.nextDigest(now)
	}
	b.digestMu.Unlock()
	if !due {
		return nil
	}
	return b.postDigest(ctx, now)
}

// nextDigest returns the first digest time after now.
func (b *Bot) nextDigest(now time.Time) time.Time {
	loc := b.opts.Digest.Loc
	if loc == nil {
		loc = time.UTC
		if b.opts.Hours != nil && b.opts.Hours.Loc != nil {
			loc = b.opts.Hours.Loc
		}
	}
	l := now.In(loc)
	at := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).Add(b.opts.Digest.At)
	if !at.After(now) {
		at = time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc).Add(b.opts.Digest.At)
	}
	return at
}

// postDigest queues the digest of the last day to every digest channel.
func (b *Bot) postDigest(ctx context.Context, now time.Time) error {
	text, err := b.Digest(ctx, now.Add(-24*time.Hour), now)
	if err != nil {
		return err
	}
	b.lock()
	defer b.mu.Unlock()
	x := b.begin("")
	for _, pl := range []string{Slack, Discord} {
		if ch := b.opts.Digest.Channels[pl]; ch != "" {
			x.enqueue(Action{Kind: ActPost, Purpose: ForDigest, Platform: pl, Channel: ch, Text: text})
		}
	}
	x.note(Observation{What: "digest", Detail: text})
	return x.commit(ctx)
}
