package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/internal/l10n"
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
// links (ideas that say the same thing grouped). It is in the default
// language (Options.Locale).
func (b *Bot) Digest(ctx context.Context, since, until time.Time) (string, error) {
	return StoreDigestIn(ctx, b.store, since, until, l10n.For(b.opts.Locale))
}

// StoreDigest is Digest over any store, in English: one read of every
// thread.
func StoreDigest(ctx context.Context, s Store, since, until time.Time) (string, error) {
	return StoreDigestIn(ctx, s, since, until, l10n.For(l10n.English))
}

// StoreDigestIn is StoreDigest in the language of l.
func StoreDigestIn(ctx context.Context, s Store, since, until time.Time, l *l10n.Localizer) (string, error) {
	ts, waiting, err := digestThreads(ctx, s, since, until)
	if err != nil {
		return "", err
	}
	return DigestTextIn(l, ts, waiting, since, until), nil
}

// digestThreads reads the threads created in [since, until] and those
// still waiting.
func digestThreads(ctx context.Context, s Store, since, until time.Time) (ts, waiting []Thread, err error) {
	err = s.Threads(ctx, func(t Thread) bool {
		if !t.Created.Before(since) && !t.Created.After(until) {
			ts = append(ts, t)
		}
		if t.State == Waiting {
			waiting = append(waiting, t)
		}
		return true
	})
	return ts, waiting, err
}

// DigestText renders a digest of threads ts (created in the period) and
// of the threads still waiting, in English.
func DigestText(ts, waiting []Thread, since, until time.Time) string {
	return DigestTextIn(l10n.For(l10n.English), ts, waiting, since, until)
}

// DigestTextIn is DigestText in the language of l. Tag, team and person
// names are identifiers and are not translated.
func DigestTextIn(l *l10n.Localizer, ts, waiting []Thread, since, until time.Time) string {
	st := ComputeStats(ts, since, until)
	var s strings.Builder
	s.WriteString(l.T("daily.head", l10n.Args{"Since": l.Date(since, false), "Until": l.Date(until, true)}) + "\n")
	s.WriteString(l.T("daily.new", l10n.Args{"N": st.Threads}))
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
	s.WriteString("\n" + l.T("daily.first_response", l10n.Args{"P50": took(l, st.FirstResponse.P50), "P90": took(l, st.FirstResponse.P90),
		"SLA": ratio(l, st.SLA)}) + "\n")
	for _, sec := range []struct {
		key string
		m   map[string]*Line
	}{{"daily.by_team", st.ByTeam}, {"daily.by_person", st.ByPerson}} {
		keys := make([]string, 0, len(sec.m))
		for k := range sec.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %s", k, ratio(l, sec.m[k].SLA)))
		}
		if len(parts) > 0 {
			s.WriteString(l.T(sec.key, l10n.Args{"List": strings.Join(parts, " · ")}) + "\n")
		}
	}
	for _, line := range st.CSAT.LinesIn(l) {
		s.WriteString(line + "\n")
	}
	slices.SortFunc(waiting, func(a, c Thread) int { return a.WaitFrom.Compare(c.WaitFrom) })
	if len(waiting) > 0 {
		s.WriteString(l.T("daily.waiting", nil) + "\n")
		for _, t := range waiting[:min(5, len(waiting))] {
			owner := t.Owner
			if owner == "" {
				owner = l.T("word.none", nil)
			}
			s.WriteString(l.T("daily.waiting_line", l10n.Args{"ID": t.ID, "Platform": t.Platform, "Waited": took(l, until.Sub(t.WaitFrom)),
				"Owner": owner, "Quote": quote(excerpt(firstCustomerText(&t), 80)), "Link": t.Permalink}) + "\n")
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
		s.WriteString(l.T("daily.ideas", nil) + "\n")
		for _, g := range groupIdeas(ideas) {
			t := g[0]
			more := ""
			if len(g) > 1 {
				ids := make([]string, 0, len(g)-1)
				for _, o := range g[1:] {
					ids = append(ids, "#"+FormatID(o.ID))
				}
				more = l.T("daily.same", l10n.Args{"Count": len(g) - 1, "IDs": strings.Join(ids, ", ")})
			}
			s.WriteString(l.T("daily.idea_line", l10n.Args{"ID": t.ID, "Customer": t.customerName(), "Quote": quote(excerpt(firstCustomerText(&t), 120)),
				"Same": more, "Link": t.Permalink}) + "\n")
		}
	}
	if len(praise) > 0 {
		s.WriteString(l.T("daily.praise", nil) + "\n")
		for _, t := range praise {
			s.WriteString(l.T("daily.praise_line", l10n.Args{"ID": t.ID, "Customer": t.customerName(), "Quote": quote(excerpt(firstCustomerText(&t), 120)),
				"Link": t.Permalink}) + "\n")
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

// dailyDigestKey is the entry that records when the last daily digest was
// queued (unix nanos), so that a restart or a new leader neither posts
// it twice nor skips it.
const dailyDigestKey = "digest/last"

// digestCatchUp is how late a digest missed while no openear ran (or
// between leaders) is still posted; a later one is skipped.
const digestCatchUp = 12 * time.Hour

// digestIfDue posts the digest when its time of day has come. The next
// digest is the first after the last one queued (the stored digest/last
// entry): a restart or a takeover at 09:00:05 posts the 09:00 digest if
// no openear did, and not again if one did; one missed more than
// digestCatchUp ago is skipped. Without a stored one, the first digest
// is the first after the bot started.
func (b *Bot) digestIfDue(ctx context.Context) error {
	if !b.opts.Digest.Enabled {
		return nil
	}
	now := b.clock.Now()
	b.digestMu.Lock()
	if b.digestAt.IsZero() {
		b.digestAt = b.nextDigest(b.started)
		if last, err := b.lastDigest(ctx); err != nil {
			b.digestMu.Unlock()
			return err
		} else if !last.IsZero() {
			if at := b.nextDigest(last); b.started.Sub(at) <= digestCatchUp {
				b.digestAt = at
			}
		}
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

// lastDigest reads when the last digest was queued; zero when never.
func (b *Bot) lastDigest(ctx context.Context) (time.Time, error) {
	v, err := b.store.Entry(ctx, dailyDigestKey)
	if errors.Is(err, ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("last digest: %w", err)
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("last digest: %q: %w", v, err)
	}
	return time.Unix(0, n), nil
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

// postDigest queues the digest of the last day to every digest channel,
// in each platform's language.
func (b *Bot) postDigest(ctx context.Context, now time.Time) error {
	since := now.Add(-24 * time.Hour)
	ts, waiting, err := digestThreads(ctx, b.store, since, now)
	if err != nil {
		return err
	}
	b.lock()
	defer b.mu.Unlock()
	x := b.begin("")
	for _, pl := range []string{Slack, Discord} {
		if ch := b.opts.Digest.Channels[pl]; ch != "" {
			text := DigestTextIn(b.channelL(pl), slices.Clone(ts), slices.Clone(waiting), since, now)
			x.enqueue(Action{Kind: ActPost, Purpose: ForDigest, Platform: pl, Channel: ch, Text: text})
			x.note(Observation{What: "digest", Detail: text})
		}
	}
	x.ch.Entries = append(x.ch.Entries, Entry{Key: dailyDigestKey, Value: []byte(strconv.FormatInt(now.UnixNano(), 10))})
	return x.commit(ctx)
}
