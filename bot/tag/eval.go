package tag

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Example is one labelled message: a line {"text","tag","lang","source"}
// of a JSONL file. Tag is a tag name, or "other" for a message that
// should get none of the tags its source uses; Lang is "en" or "ko" (empty:
// found from the text); Source names where the row comes from (rows of a
// source share a label space, see Evaluate).
type Example struct {
	Text   string `json:"text"`
	Tag    string `json:"tag"`
	Lang   string `json:"lang"`
	Source string `json:"source"`
}

// Other is the tag of an example that carries none of its source's tags.
const Other = "other"

// maxExampleLine is the longest JSONL line ReadExamples accepts.
const maxExampleLine = 1 << 20

// ReadExamples reads JSONL examples. Blank lines are skipped; errors name
// the line: not a JSON object, no text, no tag or an invalid tag name, a
// language other than en and ko.
func ReadExamples(r io.Reader) ([]Example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxExampleLine)
	var out []Example
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var e Example
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		e.Tag = strings.ToLower(strings.TrimSpace(e.Tag))
		switch {
		case strings.TrimSpace(e.Text) == "":
			return nil, fmt.Errorf("line %d: no text", n)
		case e.Tag == "":
			return nil, fmt.Errorf("line %d: no tag", n)
		case e.Tag != Other && checkName(e.Tag) != nil:
			return nil, fmt.Errorf("line %d: %q is not a tag name", n, e.Tag)
		case e.Lang != "" && e.Lang != "en" && e.Lang != "ko":
			return nil, fmt.Errorf("line %d: lang %q (want en or ko)", n, e.Lang)
		}
		if e.Lang == "" {
			e.Lang = Language(e.Text)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Counts are the outcomes of one tag over labelled messages.
type Counts struct {
	TP, FP, FN int
}

// Precision is TP/(TP+FP), 0 when nothing was predicted.
func (c Counts) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall is TP/(TP+FN), 0 when nothing was expected.
func (c Counts) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// F1 is the harmonic mean of precision and recall.
func (c Counts) F1() float64 { return ratio(2*c.TP, 2*c.TP+c.FP+c.FN) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// LangReport is the evaluation of one language.
type LangReport struct {
	Lang     string
	Messages int               // distinct texts
	Tags     map[string]Counts // the tags scored
}

// MacroF1 is the mean F1 of the scored tags, 0 when none.
func (l LangReport) MacroF1() float64 {
	if len(l.Tags) == 0 {
		return 0
	}
	var sum float64
	for _, c := range l.Tags {
		sum += c.F1()
	}
	return sum / float64(len(l.Tags))
}

// MacroF1Of is the mean F1 over the named tags that were scored.
func (l LangReport) MacroF1Of(names ...string) float64 {
	var sum float64
	n := 0
	for _, name := range names {
		if c, ok := l.Tags[name]; ok {
			sum += c.F1()
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// Report is an evaluation: English first, then Korean, each when the
// examples hold that language.
type Report struct {
	Use   Use
	Langs []LangReport
}

// Lang returns the report of one language, and whether there is one.
func (r Report) Lang(lang string) (LangReport, bool) {
	for _, l := range r.Langs {
		if l.Lang == lang {
			return l, true
		}
	}
	return LangReport{}, false
}

// Evaluate tags every example's text with t and counts, per language and
// tag, true positives, false positives and false negatives:
//
//   - rows with the same language and text are one message, whose expected
//     tags are those of all its rows ("other" adds none);
//   - a defect row expects complaint too: openear tags a reported defect
//     as a complaint as well;
//   - a tag is scored on the messages of the sources that use it (in that
//     language): a source that never labels ideas says nothing about
//     whether its messages are ideas. A file from one source scores every
//     tag it holds on every message.
//
// A tag given but not expected is a false positive, expected but not given
// a false negative. noise is scored like any tag.
func Evaluate(t interface{ Tag(string) []Tag }, examples []Example) Report {
	msgs, space := groupExamples(examples)
	got := make([][]Tag, len(msgs))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(msgs); i += workers {
				got[i] = t.Tag(msgs[i].text)
			}
		}()
	}
	wg.Wait()
	rep := Report{Use: RulesAndModel}
	if tg, ok := t.(*Tagger); ok && tg != nil {
		rep.Use = tg.use
	}
	for _, lang := range langNames {
		if lr := countLang(lang, msgs, got, space); lr.Messages > 0 {
			rep.Langs = append(rep.Langs, lr)
		}
	}
	return rep
}

// evalMsg is one distinct labelled message.
type evalMsg struct {
	lang, text string
	want       []string
	sources    []string
}

// groupExamples makes one message of the rows with the same language and
// text, and returns the label space: which tags each source uses in each
// language.
func groupExamples(examples []Example) ([]evalMsg, map[[3]string]bool) {
	index := map[[2]string]int{}
	var msgs []evalMsg
	space := map[[3]string]bool{} // lang, source, tag
	for _, e := range examples {
		lang := e.Lang
		if lang == "" {
			lang = Language(e.Text)
		}
		k := [2]string{lang, e.Text}
		i, ok := index[k]
		if !ok {
			i = len(msgs)
			index[k] = i
			msgs = append(msgs, evalMsg{lang: lang, text: e.Text})
		}
		m := &msgs[i]
		if !slices.Contains(m.sources, e.Source) {
			m.sources = append(m.sources, e.Source)
		}
		for _, name := range implied(e.Tag) {
			space[[3]string{lang, e.Source, name}] = true
			if !slices.Contains(m.want, name) {
				m.want = append(m.want, name)
			}
		}
	}
	return msgs, space
}

// countLang counts the outcomes of every tag in lang's label space.
func countLang(lang string, msgs []evalMsg, got [][]Tag, space map[[3]string]bool) LangReport {
	lr := LangReport{Lang: lang, Tags: map[string]Counts{}}
	var names []string
	for k := range space {
		if k[0] == lang && !slices.Contains(names, k[2]) {
			names = append(names, k[2])
		}
	}
	for i := range msgs {
		m := &msgs[i]
		if m.lang != lang {
			continue
		}
		lr.Messages++
		for _, name := range names {
			scored := false
			for _, src := range m.sources {
				scored = scored || space[[3]string{lang, src, name}]
			}
			if !scored {
				continue
			}
			want := slices.Contains(m.want, name)
			given := slices.ContainsFunc(got[i], func(g Tag) bool { return g.Name == name })
			c := lr.Tags[name]
			switch {
			case want && given:
				c.TP++
			case want:
				c.FN++
			case given:
				c.FP++
			}
			lr.Tags[name] = c
		}
	}
	return lr
}

// implied returns the tags a row's tag stands for: none for other, and
// complaint beside defect.
func implied(name string) []string {
	switch name {
	case Other:
		return nil
	case Defect:
		return []string{Defect, Complaint}
	}
	return []string{name}
}

// String prints the report as `openear tag -eval` does: per language a
// table of precision, recall, F1 and support per tag, then the macro-F1.
func (r Report) String() string {
	var s strings.Builder
	for i, l := range r.Langs {
		if i > 0 {
			s.WriteString("\n")
		}
		fmt.Fprintf(&s, "%s (%s): %d messages\n", l.Lang, r.Use, l.Messages)
		fmt.Fprintf(&s, "  %-12s %9s %6s %6s %8s\n", "tag", "precision", "recall", "F1", "support")
		names := make([]string, 0, len(l.Tags))
		for name := range l.Tags {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			c := l.Tags[name]
			fmt.Fprintf(&s, "  %-12s %9.3f %6.3f %6.3f %8d\n", name, c.Precision(), c.Recall(), c.F1(), c.TP+c.FN)
		}
		fmt.Fprintf(&s, "  %-12s %23.3f\n", "macro-F1", round3(l.MacroF1()))
	}
	return s.String()
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
