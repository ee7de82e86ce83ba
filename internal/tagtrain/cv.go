package main

import (
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/openear/openear/bot/tag"
)

// The tags of the maintainers' held-out measure, per language: the
// macro-F1 over these is printed beside the one over every tag.
var heldOutTags = map[string][]string{
	"en": {tag.Complaint, tag.Question, tag.Idea, tag.Praise},
	"ko": {tag.Complaint, tag.Praise, tag.Question},
}

var uses = []tag.Use{tag.RulesOnly, tag.ModelOnly, tag.RulesAndModel}

// totals pools the counts of the folds, per use, language and tag.
type totals map[tag.Use]map[string]map[string]tag.Counts

func (t totals) add(r tag.Report) {
	if t[r.Use] == nil {
		t[r.Use] = map[string]map[string]tag.Counts{}
	}
	for _, l := range r.Langs {
		if t[r.Use][l.Lang] == nil {
			t[r.Use][l.Lang] = map[string]tag.Counts{}
		}
		for name, c := range l.Tags {
			s := t[r.Use][l.Lang][name]
			s.TP += c.TP
			s.FP += c.FP
			s.FN += c.FN
			t[r.Use][l.Lang][name] = s
		}
	}
}

func (t totals) lang(u tag.Use, lang string) tag.LangReport {
	return tag.LangReport{Lang: lang, Tags: t[u][lang]}
}

// sourceOf is the dataset of an example: "owner/repo" of its source.
func sourceOf(e tag.Example) string {
	parts := strings.SplitN(e.Source, "/", 3)
	if len(parts) >= 2 {
		return parts[0] + "/" + parts[1]
	}
	return e.Source
}

// langOfSource is the language of a source's rows, or "" when it has
// rows of both.
func langOfSource(examples []tag.Example, src string) string {
	n := map[string]int{}
	for _, e := range examples {
		if sourceOf(e) == src {
			lang := e.Lang
			if lang == "" {
				lang = tag.Language(e.Text)
			}
			n[lang]++
		}
	}
	switch {
	case n["ko"] > 0 && n["en"] > 0:
		return "" // both: train both
	case n["ko"] > 0:
		return "ko"
	}
	return "en"
}

func crossValidate(examples []tag.Example, o tag.TrainOptions, withKFold bool, only string, stdout, stderr io.Writer) error {
	var sources []string
	for _, e := range examples {
		if s := sourceOf(e); !slices.Contains(sources, s) {
			sources = append(sources, s)
		}
	}
	slices.Sort(sources)
	loso := totals{}
	for _, src := range sources {
		if only != "" && !slices.Contains(strings.Split(only, ","), src) {
			continue
		}
		start := time.Now()
		var train, test []tag.Example
		for _, e := range examples {
			if sourceOf(e) == src {
				test = append(test, e)
			} else {
				train = append(train, e)
			}
		}
		// Only the language of the source left out is trained: the other
		// one's model would be the same in every such fold.
		lo := o
		lo.Lang = langOfSource(examples, src)
		if err := fold(train, test, lo, loso); err != nil {
			return fmt.Errorf("leave out %s: %w", src, err)
		}
		if only != "" && !strings.Contains(only, ",") {
			for _, u := range uses {
				for _, lang := range []string{"en", "ko"} {
					if l := loso.lang(u, lang); len(l.Tags) > 0 {
						fmt.Fprint(stderr, tag.Report{Use: u, Langs: []tag.LangReport{l}}.String())
					}
				}
			}
		}
		fmt.Fprintf(stderr, "tagtrain: left out %s (%d rows) in %s\n", src, len(test), time.Since(start).Round(time.Second))
	}
	const k = 5
	kfold := totals{}
	for f := range k {
		if !withKFold {
			break
		}
		start := time.Now()
		var train, test []tag.Example
		for _, e := range examples {
			h := fnv.New32a()
			h.Write([]byte(e.Text))
			if int(h.Sum32()%k) == f {
				test = append(test, e)
			} else {
				train = append(train, e)
			}
		}
		if err := fold(train, test, o, kfold); err != nil {
			return fmt.Errorf("fold %d: %w", f+1, err)
		}
		fmt.Fprintf(stderr, "tagtrain: fold %d of %d in %s\n", f+1, k, time.Since(start).Round(time.Second))
	}
	printTable(stdout, loso, kfold)
	return nil
}

// fold trains on train and adds the evaluation of test for every use.
func fold(train, test []tag.Example, o tag.TrainOptions, into totals) error {
	m, err := tag.Train(train, o)
	if err != nil {
		return err
	}
	for _, u := range uses {
		tg, err := tag.Build(tag.Config{Model: m, Use: u})
		if err != nil {
			return err
		}
		into.add(tag.Evaluate(tg, test))
	}
	return nil
}

func printTable(w io.Writer, loso, kfold totals) {
	fmt.Fprintln(w, "| language | macro-F1 over | rules | model | rules+model | | rules (5-fold) | model (5-fold) | rules+model (5-fold) |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---|---:|---:|---:|")
	for _, lang := range []string{"en", "ko"} {
		for _, over := range []string{"all tags", "held-out tags"} {
			fmt.Fprintf(w, "| %s | %s |", lang, over)
			for i, t := range []totals{loso, kfold} {
				if i == 1 {
					fmt.Fprint(w, " |")
				}
				for _, u := range uses {
					l := t.lang(u, lang)
					v := l.MacroF1()
					if over != "all tags" {
						v = l.MacroF1Of(heldOutTags[lang]...)
					}
					fmt.Fprintf(w, " %.3f |", v)
				}
			}
			fmt.Fprintln(w)
		}
	}
	for _, lang := range []string{"en", "ko"} {
		fmt.Fprintf(w, "\nPer tag, %s (F1; leave-one-source-out, then 5-fold):\n\n", lang)
		fmt.Fprintln(w, "| tag | support | rules | model | rules+model | | rules | model | rules+model |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|---|---:|---:|---:|")
		var names []string
		for name := range loso[tag.RulesOnly][lang] {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			c := loso[tag.RulesOnly][lang][name]
			fmt.Fprintf(w, "| %s | %d |", name, c.TP+c.FN)
			for i, t := range []totals{loso, kfold} {
				if i == 1 {
					fmt.Fprint(w, " |")
				}
				for _, u := range uses {
					fmt.Fprintf(w, " %.3f |", t[u][lang][name].F1())
				}
			}
			fmt.Fprintln(w)
		}
	}
}
