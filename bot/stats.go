package bot

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
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
	// CorrectionsByTag counts the staff corrections per tag: tags added
	// and tags removed.
	CorrectionsByTag map[string]*TagCount `json:"corrections_by_tag"`
	// Learned counts the customer messages of the period, sent after a
	// correction, whose tags the learning from corrections changed. Only
	// Bot.Stats computes it (a tagger that learns); ComputeStats leaves
	// it 0.
	Learned int      `json:"learned_changes"`
	Oldest  []Thread `json:"oldest_waiting"`
	// FirstResponses are the first-response times, sorted (for histograms).
	FirstResponses []time.Duration `json:"-"`
}

// TagCount counts corrections of one tag.
type TagCount struct {
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
	if st.Learned, err = b.LearnedChanges(ctx, ts); err != nil {
		return Stats{}, err
	}
	return st, nil
}

// ComputeStats summarises threads as of until.
func ComputeStats(ts []Thread, since, until time.Time) Stats {
	st := Stats{Since: since, Until: until, ByState: map[State]int{}, ByPlatform: map[string]int{},
		ByLang: map[string]int{}, ByTag: map[string]*Line{}, ByPerson: map[string]*Line{}, ByTeam: map[string]*Line{},
		CorrectionsByTag: map[string]*TagCount{}}
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
				n = &TagCount{}
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

// Text renders the stats for a chat reply or a terminal.
func (st Stats) Text() string {
	var s strings.Builder
	fmt.Fprintf(&s, "Threads since %s: %d", st.Since.Format("2006-01-02 15:04"), st.Threads)
	for _, state := range []State{Waiting, Answered, Resolved} {
		fmt.Fprintf(&s, " · %s %d", state, st.ByState[state])
	}
	fmt.Fprintf(&s, "\nFirst response: p50 %s, p90 %s (%d answered)\n", fmtDur(st.FirstResponse.P50), fmtDur(st.FirstResponse.P90), st.FirstResponse.Count)
	fmt.Fprintf(&s, "SLA met: %s (%d met, %d missed)\n", st.SLA, st.SLA.Met, st.SLA.Missed)
	if st.Corrections > 0 {
		fmt.Fprintf(&s, "Tag corrections by staff: %d (", st.Corrections)
		tags := make([]string, 0, len(st.CorrectionsByTag))
		for k := range st.CorrectionsByTag {
			tags = append(tags, k)
		}
		sort.Strings(tags)
		for i, k := range tags {
			if i > 0 {
				s.WriteString(", ")
			}
			c := st.CorrectionsByTag[k]
			s.WriteString(k)
			if c.Added > 0 {
				fmt.Fprintf(&s, " +%d", c.Added)
			}
			if c.Removed > 0 {
				fmt.Fprintf(&s, " −%d", c.Removed)
			}
		}
		fmt.Fprintf(&s, "); what the tagger learned from them changed the tags of %d later messages\n", st.Learned)
	}
	for _, sec := range []struct {
		name string
		m    map[string]*Line
	}{{"tag", st.ByTag}, {"person", st.ByPerson}, {"team", st.ByTeam}} {
		keys := make([]string, 0, len(sec.m))
		for k := range sec.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(&s, "By %s:\n", sec.name)
		for _, k := range keys {
			l := sec.m[k]
			fmt.Fprintf(&s, "  %-12s %4d threads · SLA met %s · first response p50 %s\n", k, l.Threads, l.SLA, fmtDur(l.FirstResponse.P50))
		}
	}
	return strings.TrimRight(s.String(), "\n")
}

func fmtDur(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Minute).String()
}
