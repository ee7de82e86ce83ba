package replay

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/internal/textfmt"
	"github.com/openear/openear/storage/mem"
)

// Report compares stored threads with the same history run through
// other rules.
type Report struct {
	Threads    int
	TagChanges []string
	// Corrections is how many staff tag corrections the history holds;
	// Learned lists the threads whose tags what the tagger learned from
	// them changes (the replayed tags against a tagger that learned
	// nothing).
	Corrections  int
	Learned      []string
	OwnerChanges []string
	OldBreaches  int
	NewBreaches  int
	OldLoad      map[string]int
	NewLoad      map[string]int
	Old, New     bot.Stats
}

// Run feeds every stored message, oldest first, to a fresh bot with the
// given options over an in-memory store and a clock set to each message's
// time. No platform is registered: nothing is sent. opts.Store and
// opts.Clock are replaced; incidents and the reply-time promise are off.
// corrections are the stored tag corrections (bot.CorrectionEntries):
// the replayed bot starts with all of them learned, as a bot started on
// the store today would, and the report says which threads they change.
func Run(ctx context.Context, old []bot.Thread, opts bot.Options, now time.Time, corrections []bot.Entry) (*Report, error) {
	type item struct {
		t *bot.Thread
		m bot.Message
	}
	var items []item
	for i := range old {
		for _, m := range old[i].Messages {
			items = append(items, item{&old[i], m})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].m.At.Before(items[j].m.At) })
	store := mem.New()
	clock := bottest.NewClock(now)
	if len(items) > 0 {
		clock.Set(items[0].m.At)
	}
	opts.Store, opts.Clock = store, clock
	opts.Incidents.Enabled = false
	opts.Ack.Enabled = false
	if len(corrections) > 0 {
		if err := store.Apply(ctx, bot.Change{Entries: corrections}); err != nil {
			return nil, err
		}
	}
	learned, err := newLearned(ctx, store, opts.Tagger)
	if err != nil {
		return nil, err
	}
	b, err := bot.New(ctx, opts)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.m.At.After(clock.Now()) {
			clock.Set(it.m.At)
		}
		ev := bot.Event{Kind: bot.KindMessage, Platform: it.t.Platform, Channel: it.t.Channel, MessageID: it.m.ID,
			User: it.m.User, Staff: it.m.Staff, DM: it.t.DM, Text: it.m.Text, At: it.m.At}
		if it.m.ID != it.t.Root {
			ev.ThreadKey = it.t.Root
		}
		if _, err := b.Handle(ctx, ev); err != nil {
			return nil, err
		}
	}
	rep := &Report{Threads: len(old), OldLoad: map[string]int{}, NewLoad: map[string]int{}, Corrections: learned.n}
	var replayed []bot.Thread
	for _, o := range old {
		n, err := store.ThreadByKey(ctx, bot.Key(o.Platform, o.Channel, o.Root))
		if err != nil {
			continue // noise under the new rules, or no message kept
		}
		replayed = append(replayed, n)
		if d := tagDiff(o.TagNames(), n.TagNames()); d != "" && !o.Corrected {
			rep.TagChanges = append(rep.TagChanges, fmt.Sprintf("#%d %s %q", o.ID, d, textfmt.OneLine(o.FirstText(), 60)))
		}
		if d := learned.diff(&o); d != "" {
			rep.Learned = append(rep.Learned, fmt.Sprintf("#%d %s %q", o.ID, d, textfmt.OneLine(o.FirstText(), 60)))
		}
		if o.Owner != n.Owner {
			rep.OwnerChanges = append(rep.OwnerChanges, fmt.Sprintf("#%d %s → %s", o.ID, textfmt.Dash(o.Owner), textfmt.Dash(n.Owner)))
		}
		rep.OldLoad[textfmt.Dash(o.Owner)]++
		rep.NewLoad[textfmt.Dash(n.Owner)]++
		if o.Breached || o.Missed > 0 {
			rep.OldBreaches++
		}
		if n.Missed > 0 || (n.State == bot.Waiting && !n.Deadline.IsZero() && now.After(n.Deadline)) {
			rep.NewBreaches++
		}
	}
	since := now.AddDate(-10, 0, 0)
	rep.Old = bot.ComputeStats(old, since, now)
	rep.New = bot.ComputeStats(replayed, since, now)
	return rep, nil
}

// tagDiff says "+a −b" for tags added and removed, or "".
func tagDiff(old, new []string) string {
	var parts []string
	for _, n := range new {
		if !slices.Contains(old, n) {
			parts = append(parts, "+"+n)
		}
	}
	for _, o := range old {
		if !slices.Contains(new, o) {
			parts = append(parts, "−"+o)
		}
	}
	return strings.Join(parts, " ")
}

// String is the report as `openear replay` prints it.
func (r *Report) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "Replayed %d threads with the new rules (nothing was sent).\n\n", r.Threads)
	list := func(title string, xs []string) {
		fmt.Fprintf(&s, "%s: %d\n", title, len(xs))
		for i, x := range xs {
			if i == 15 {
				fmt.Fprintf(&s, "  … and %d more\n", len(xs)-15)
				break
			}
			fmt.Fprintf(&s, "  %s\n", x)
		}
	}
	list("Tag changes", r.TagChanges)
	if r.Corrections > 0 {
		list(fmt.Sprintf("Threads whose tags the %d staff corrections change", r.Corrections), r.Learned)
	}
	list("Owner changes", r.OwnerChanges)
	fmt.Fprintf(&s, "SLA breaches: %d now, %d with the new rules\n", r.OldBreaches, r.NewBreaches)
	fmt.Fprintf(&s, "SLA met: %s now, %s with the new rules\n", r.Old.SLA, r.New.SLA)
	fmt.Fprintf(&s, "\nLoad per person:\n  %-14s %6s %6s\n", "owner", "now", "new")
	var names []string
	for k := range r.OldLoad {
		names = append(names, k)
	}
	for k := range r.NewLoad {
		if _, ok := r.OldLoad[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&s, "  %-14s %6d %6d\n", k, r.OldLoad[k], r.NewLoad[k])
	}
	return s.String()
}

// learnedDiff compares, thread by thread, the tags of a tagger that
// learned the stored corrections with those of one that learned nothing.
type learnedDiff struct {
	n             int
	base, learned bot.Tagger
}

func newLearned(ctx context.Context, store bot.Store, tg bot.Tagger) (*learnedDiff, error) {
	l, ok := tg.(bot.Learner)
	if !ok {
		return &learnedDiff{}, nil
	}
	cs, _, err := bot.TagCorrections(ctx, store)
	if err != nil || len(cs) == 0 {
		return &learnedDiff{}, err
	}
	learned := l.Unlearned()
	for _, c := range cs {
		learned.Learn(c.Correction())
	}
	return &learnedDiff{n: len(cs), base: l.Unlearned(), learned: learned}, nil
}

// diff says how the learning changes the tags of a thread's customer
// messages (their union, noise left out), or "".
func (d *learnedDiff) diff(t *bot.Thread) string {
	if d.n == 0 {
		return ""
	}
	var base, learned []string
	for _, m := range t.Messages {
		if m.Staff {
			continue
		}
		base = addNames(base, d.base.Tag(m.Text))
		learned = addNames(learned, d.learned.Tag(m.Text))
	}
	return tagDiff(base, learned)
}

func addNames(names []string, tags []bot.Tag) []string {
	for _, g := range tags {
		if g.Name != tag.Noise && !slices.Contains(names, g.Name) {
			names = append(names, g.Name)
		}
	}
	return names
}
