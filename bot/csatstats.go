package bot

import (
	"fmt"
	"github.com/openear/openear/internal/l10n"
	"maps"
	"slices"
	"strings"
)

// CSATStats summarises the CSAT answers of the threads of a period:
// overall and per person (owner), team and tag.
type CSATStats struct {
	Asked    int                  `json:"asked"`     // threads whose customer was asked
	All      CSATLine             `json:"all"`       // every answer
	ByPerson map[string]*CSATLine `json:"by_person"` // by owner ("none" for no owner)
	ByTeam   map[string]*CSATLine `json:"by_team"`
	ByTag    map[string]*CSATLine `json:"by_tag"`
}

// CSATLine counts the answers of one group.
type CSATLine struct {
	Answers int `json:"answers"`
	// Scores counts the answers per score: Scores[0] is 1 (😞) …
	// Scores[4] is 5 (😀).
	Scores [5]int `json:"scores"`
}

// Average is the mean score, or 0 without answers.
func (l CSATLine) Average() float64 {
	if l.Answers == 0 {
		return 0
	}
	sum := 0
	for i, n := range l.Scores {
		sum += (i + 1) * n
	}
	return float64(sum) / float64(l.Answers)
}

// String is "4.2 (12)", or "n/a" without answers.
func (l CSATLine) String() string {
	if l.Answers == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f (%d)", l.Average(), l.Answers)
}

func (l *CSATLine) add(score int) {
	l.Answers++
	l.Scores[score-1]++
}

// computeCSAT summarises the CSAT answers of threads.
func computeCSAT(ts []Thread) CSATStats {
	cs := CSATStats{ByPerson: map[string]*CSATLine{}, ByTeam: map[string]*CSATLine{}, ByTag: map[string]*CSATLine{}}
	line := func(m map[string]*CSATLine, k string) *CSATLine {
		if m[k] == nil {
			m[k] = &CSATLine{}
		}
		return m[k]
	}
	for i := range ts {
		t := &ts[i]
		if !t.CSAT.Asked.IsZero() {
			cs.Asked++
		}
		score := t.CSAT.Score
		if score < 1 || score > 5 {
			continue
		}
		cs.All.add(score)
		line(cs.ByPerson, orNone(t.Owner)).add(score)
		line(cs.ByTeam, orNone(t.Team)).add(score)
		for _, g := range t.Tags {
			line(cs.ByTag, g.Name).add(score)
		}
	}
	return cs
}

// Lines renders the CSAT summary in English for a terminal: nothing when
// no customer was asked.
func (cs CSATStats) Lines() []string { return cs.LinesIn(l10n.For("en")) }

// LinesIn renders the CSAT summary in l's language, for a chat reply or
// the digest.
func (cs CSATStats) LinesIn(l *l10n.Localizer) []string {
	if cs.Asked == 0 {
		return nil
	}
	var faces []string
	for i, n := range cs.All.Scores {
		faces = append(faces, fmt.Sprintf("%s %d", RatingFaces[i], n))
	}
	lines := []string{msgCSATSummary(l, cs.All.String(), cs.All.Answers, cs.Asked, strings.Join(faces, " · "))}
	for _, sec := range []struct {
		name string
		m    map[string]*CSATLine
	}{{"person", cs.ByPerson}, {"team", cs.ByTeam}, {"tag", cs.ByTag}} {
		if len(sec.m) == 0 {
			continue
		}
		parts := make([]string, 0, len(sec.m))
		for _, k := range slices.Sorted(maps.Keys(sec.m)) {
			parts = append(parts, k+" "+sec.m[k].String())
		}
		lines = append(lines, msgCSATBy(l, sec.name, strings.Join(parts, " · ")))
	}
	return lines
}
