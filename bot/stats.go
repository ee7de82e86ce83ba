package bot

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/openear/openear/internal/l10n"
)

// Stats summarises the threads created in a period.
type Stats struct {
	Since   time.Time `json:"since"`
	Until   time.Time `json:"until"`
	Threads int       `json:"threads"`
	// ByState, ByPlatform, ByLang count threads.
	ByState    map[State]int  `json:"by_state"`
	ByPlatform map[string]int `json:"by_platform"`
	ByLang     map[string]int `json:"by_lang"`
	// FirstResponse is over threads that got a staff reply.
	FirstResponse Latency `json:"first_response"`
	// SLA counts waits: met (answered in time), missed (answered late,
	// resolved late, or still waiting past the deadline).
	SLA         Ratio            `json:"sla"`
	ByTag       map[string]*Line `json:"by_tag"`
	ByPerson    map[string]*Line `json:"by_person"`
	ByTeam      map[string]*Line `json:"by_team"`
	Corrections int              `json:"corrections"`
	// Noise counts the noise messages of the period (no thread, no
	// clock) by "platform/channel", direct messages as "platform/dm";
	// filled by Bot.Stats, not by ComputeStats (it is not in threads).
	Noise map[string]int `json:"noise,omitempty"`
	// CorrectionsByTag counts the staff corrections per tag: tags added
	// and tags removed.
	CorrectionsByTag map[string]*CorrectionCount `json:"corrections_by_tag"`
	// Learned counts the customer messages of the period, sent after a
	// correction, whose tags the learning from corrections changed. Only
	// Bot.Stats computes it (a tagger that learns); ComputeStats leaves
	// it 0.
	Learned int      `json:"learned_changes"`
	Oldest  []Thread `json:"oldest_waiting"`
	// FirstResponses are the first-response times, sorted (for histograms).
	FirstResponses []time.Duration `json:"-"`
	// CSAT summarises the customers' ratings (csatstats.go).
	CSAT CSATStats `json:"csat"`
}

// CorrectionCount counts the corrections of one tag.
type CorrectionCount struct {
	Added   int `json:"added"`
	Removed int `json:"removed"`
}

// Latency is a distribution summary.
type Latency struct {
	Count int           `json:"count"`
	P50   time.Duration `json:"p50"`
	P90   time.Duration `json:"p90"`
}

// Ratio counts SLA outcomes.
type Ratio struct {
	Met    int `json:"met"`
	Missed int `json:"missed"`
}

// Percent is the share met, or -1 when nothing was measured.
func (r Ratio) Percent() float64 {
	if r.Met+r.Missed == 0 {
		return -1
	}
	return 100 * float64(r.Met) / float64(r.Met+r.Missed)
}

// String is the share met as "83%", or "n/a" when nothing was measured.
func (r Ratio) String() string {
	p := r.Percent()
	if p < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", p)
}

// Line is one row of a breakdown.
type Line struct {
	Threads       int     `json:"threads"`
	SLA           Ratio   `json:"sla"`
	FirstResponse Latency `json:"first_response"`
	frs           []time.Duration
}

// Stats computes statistics over the threads created in [since, until].
// It reads every thread: meant for commands, dashboards and digests.
func (b *Bot) Stats(ctx context.Context, since, until time.Time) (Stats, error) {
	var ts []Thread
	err := b.store.Threads(ctx, func(t Thread) bool {
		if !t.Created.Before(since) && !t.Created.After(until) {
			ts = append(ts, t)
		}
		return true
	})
	if err != nil {
		return Stats{}, err
	}
	st := ComputeStats(ts, since, until)
	if st.Noise, err = NoiseCounts(ctx, b.store, since, until); err != nil {
		return Stats{}, err
	}
	if st.Learned, err = b.LearnedChanges(ctx, ts); err != nil {
		return Stats{}, err
	}
	return st, nil
}

// ComputeStats summarises threads as of until.
func ComputeStats(ts []Thread, since, until time.Time) Stats {
	st := Stats{Since: since, Until: until, ByState: map[State]int{}, ByPlatform: map[string]int{},
		ByLang: map[string]int{}, ByTag: map[string]*Line{}, ByPerson: map[string]*Line{}, ByTeam: map[string]*Line{},
		CorrectionsByTag: map[string]*CorrectionCount{}}
	line := func(m map[string]*Line, k string) *Line {
		if m[k] == nil {
			m[k] = &Line{}
		}
		return m[k]
	}
	for i := range ts {
		t := &ts[i]
		st.Threads++
		st.ByState[t.State]++
		st.ByPlatform[t.Platform]++
		st.ByLang[t.Lang]++
		st.Corrections += len(t.Corrections)
		for _, c := range t.Corrections {
			n := st.CorrectionsByTag[c.Tag]
			if n == nil {
				n = &CorrectionCount{}
				st.CorrectionsByTag[c.Tag] = n
			}
			if c.Added {
				n.Added++
			} else {
				n.Removed++
			}
		}
		r := Ratio{Met: t.Met, Missed: t.Missed}
		if t.State == Waiting && !t.Deadline.IsZero() && until.After(t.Deadline) {
			r.Missed++
		}
		st.SLA.Met += r.Met
		st.SLA.Missed += r.Missed
		fr := t.FirstResponse()
		if fr > 0 {
			st.FirstResponses = append(st.FirstResponses, fr)
		}
		lines := []*Line{line(st.ByPerson, orNone(t.Owner)), line(st.ByTeam, orNone(t.Team))}
		for _, g := range t.Tags {
			lines = append(lines, line(st.ByTag, g.Name))
		}
		for _, l := range lines {
			l.Threads++
			l.SLA.Met += r.Met
			l.SLA.Missed += r.Missed
			if fr > 0 {
				l.frs = append(l.frs, fr)
			}
		}
		if t.State == Waiting {
			st.Oldest = append(st.Oldest, *t)
		}
	}
	st.CSAT = computeCSAT(ts)
	st.FirstResponse = latency(st.FirstResponses)
	for _, m := range []map[string]*Line{st.ByTag, st.ByPerson, st.ByTeam} {
		for _, l := range m {
			l.FirstResponse = latency(l.frs)
		}
	}
	slices.SortFunc(st.Oldest, func(a, c Thread) int { return a.WaitFrom.Compare(c.WaitFrom) })
	if len(st.Oldest) > 5 {
		st.Oldest = st.Oldest[:5]
	}
	return st
}

// latency sorts ds in place and summarises it.
func latency(ds []time.Duration) Latency {
	slices.Sort(ds)
	return Latency{Count: len(ds), P50: Percentile(ds, 0.5), P90: Percentile(ds, 0.9)}
}

// Percentile returns the p-th percentile (nearest rank) of sorted ds.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(float64(len(ds))*p+0.999999) - 1
	return ds[max(0, min(i, len(ds)-1))]
}

// Text renders the stats in English for a terminal.
func (st Stats) Text() string { return st.TextIn(l10n.For(l10n.English)) }

// TextIn renders the stats for a chat reply in the language of l.
func (st Stats) TextIn(l *l10n.Localizer) string {
	var s strings.Builder
	s.WriteString(l.T("stats.head", l10n.Args{"Since": l.Stamp(st.Since), "N": st.Threads}))
	for _, state := range []State{Waiting, Answered, Resolved} {
		s.WriteString(" · " + l.T("stats.state", l10n.Args{"State": state.In(l), "N": st.ByState[state]}))
	}
	s.WriteString("\n" + l.T("stats.first_response", l10n.Args{"P50": took(l, st.FirstResponse.P50), "P90": took(l, st.FirstResponse.P90),
		"N": st.FirstResponse.Count}) + "\n")
	s.WriteString(l.T("stats.sla", l10n.Args{"SLA": ratio(l, st.SLA), "Met": st.SLA.Met, "Missed": st.SLA.Missed}) + "\n")
	if st.Corrections > 0 {
		tags := make([]string, 0, len(st.CorrectionsByTag))
		for _, k := range slices.Sorted(maps.Keys(st.CorrectionsByTag)) {
			c := st.CorrectionsByTag[k]
			tag := k
			if c.Added > 0 {
				tag += fmt.Sprintf(" +%d", c.Added)
			}
			if c.Removed > 0 {
				tag += fmt.Sprintf(" −%d", c.Removed)
			}
			tags = append(tags, tag)
		}
		s.WriteString(l.T("stats.corrections", l10n.Args{"N": st.Corrections, "ByTag": strings.Join(tags, ", "), "Count": st.Learned}) + "\n")
	}
	if len(st.Noise) > 0 {
		keys := slices.Sorted(maps.Keys(st.Noise))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s %d", k, st.Noise[k])
		}
		s.WriteString(msgNoise(l, strings.Join(parts, " · ")) + "\n")
	}
	for _, sec := range []struct {
		key string
		m   map[string]*Line
	}{{"stats.by_tag", st.ByTag}, {"stats.by_person", st.ByPerson}, {"stats.by_team", st.ByTeam}} {
		keys := make([]string, 0, len(sec.m))
		for k := range sec.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		s.WriteString(l.T(sec.key, nil) + "\n")
		for _, k := range keys {
			line := sec.m[k]
			s.WriteString(l.T("stats.line", l10n.Args{"Name": k, "Threads": line.Threads,
				"SLA": ratio(l, line.SLA), "P50": took(l, line.FirstResponse.P50)}) + "\n")
		}
	}
	for _, line := range st.CSAT.LinesIn(l) {
		s.WriteString(line + "\n")
	}
	return strings.TrimRight(s.String(), "\n")
}

// took formats a measured time for l, "-" for none.
func took(l *l10n.Localizer, d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return l.Took(d)
}

// ratio is the share met as "83%", or "n/a" in l's words when nothing
// was measured.
func ratio(l *l10n.Localizer, r Ratio) string {
	if r.Percent() < 0 {
		return l.T("word.na", nil)
	}
	return r.String()
}
