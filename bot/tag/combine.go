package tag

import (
	"math"
	"slices"
)

// How rules and the model decide together. For each built-in tag the
// model gives a margin m and the rules a score r in [0, 1] from their
// built-in evidence (0 when none matched). The calibration fitted on
// held-out folds of the training data turns both into one probability
// p = σ(A·m + R·r + C), the tag's score. The rules stay and the model adds
// recall: the tag is given when a rule matched, or when p reaches the
// tag's threshold, fitted on the same folds for the best F1 of that
// decision. An operator's keyword for a built-in tag gives it whatever
// corrections taught. Small talk is noise before any of this: the model
// never turns "thanks" into praise.

// ruleScores is what the rules found for the built-in tags of a message.
type ruleScores struct {
	span  [nBuiltin][2]int // the rule's evidence in s.ev
	score [nBuiltin]float64
	op    uint32 // built-in tags with evidence from an operator's rule
}

func langOf(s *scratch) int {
	if s.hangul*2 > s.latin {
		return langKO
	}
	return langEN
}

// combine gives the tags of a message that is not noise: the operator's
// own tags from the rules, the built-in tags from rules and model, and
// the tags corrections taught for other names.
func (t *Tagger) combine(s *scratch, text string) []Tag {
	if t.use == ModelOnly {
		kept := s.ev[:0]
		for _, e := range s.ev {
			if e.rule >= nBuiltin || e.src == srcOp {
				kept = append(kept, e)
			}
		}
		s.ev = kept
	}
	var rs ruleScores
	tags := t.ruleTags(s, text, &rs)
	forced := len(tags) // the tags so far come from the operator's rules
	lang := langOf(s)
	s.features(text)
	var m [nBuiltin]float64
	t.model.margins(lang, s, &m)
	lm := &t.model.langs[lang]
	for h := range nBuiltin {
		hasRule := rs.span[h][1] > rs.span[h][0]
		cal := lm.cal[calBoth][h]
		r := rs.score[h]
		if t.use == ModelOnly {
			cal, r = lm.cal[calModel][h], 0
		}
		trained := cal.A != 0 || cal.R != 0
		var p float64
		var give bool
		switch {
		case trained:
			p = cal.prob(m[h], r)
			// The rules stay; the model adds what reaches the threshold.
			give = p >= float64(cal.Thr) || hasRule && t.use != ModelOnly
		case t.use != ModelOnly:
			give = hasRule // a tag the model never learned: the rules decide
		}
		op := rs.op&(1<<h) != 0
		if !give && !op {
			continue
		}
		buf := s.reason[:0]
		var ruleScore float64
		if hasRule {
			buf, ruleScore = t.appendRule(buf, s.ev[rs.span[h][0]:rs.span[h][1]], text)
		}
		score := p
		if !give || !trained {
			score = ruleScore
		}
		if mc := lm.cal[calModel][h]; mc.A != 0 {
			if len(buf) > 0 {
				buf = append(buf, "; "...)
			}
			buf = t.model.appendReason(buf, s, text, lang, h, mc.prob(m[h], 0), float64(mc.A))
		}
		s.reason = buf
		tag := Tag{Name: builtinNames[h], Score: roundScore(score), Reason: string(buf)}
		if op {
			// An operator's keyword gives the tag whatever corrections
			// taught: keep it with the operator's tags.
			tags = append(tags, Tag{})
			copy(tags[forced+1:], tags[forced:])
			tags[forced] = tag
			forced++
			continue
		}
		tags = append(tags, tag)
	}
	if rs.span[ruleDefect][1] > rs.span[ruleDefect][0] {
		// Only a rule's defect: for one the model alone gave, the model's
		// complaint head, which learned from the defect examples too,
		// decides ("Here is the log file from yesterday" is a model defect).
		tags = defectComplaint(tags)
	}
	if l := t.learned.Load(); l != nil && l.langs[lang] != nil {
		tags = t.learnedTags(s, text, lang, l.langs[lang], tags, forced)
	}
	if len(tags) == 0 {
		return nil
	}
	return tags
}

// defectComplaint gives complaint to a message tagged defect and neither
// complaint nor praise: a customer who reports a defect complains (the
// training data says so too, see Evaluate), so routing, SLAs and counts
// by complaint include reported defects; thanks for a fixed bug does not
// complain. The reason says why. Callers pass tags whose defect a rule
// gave. Staff corrections, which come after, can still take the
// complaint away.
func defectComplaint(tags []Tag) []Tag {
	d := slices.IndexFunc(tags, func(g Tag) bool { return g.Name == Defect })
	if d < 0 || slices.ContainsFunc(tags, func(g Tag) bool { return g.Name == Complaint || g.Name == Praise }) {
		return tags
	}
	return append(tags, Tag{Name: Complaint, Score: tags[d].Score, Reason: "reported defect: " + tags[d].Reason})
}

// learnedTags applies what corrections taught (learn.go): a learned head
// past zero adds its tag or removes it, the stronger one when both do.
// The first forced tags came from the operator's rules and stay.
func (t *Tagger) learnedTags(s *scratch, text string, lang int, ll *learnedLang, tags []Tag, forced int) []Tag {
	mask := t.model.mask()
	inv := featNorm(len(s.feats))
	for x, head := range ll.heads {
		if head[0] != '+' {
			continue
		}
		name := head[1:]
		z := ll.margin(s.feats, mask, inv, x)
		zr := -learnedPrior
		y := slices.Index(ll.heads, "-"+name)
		if y >= 0 {
			zr = ll.margin(s.feats, mask, inv, y)
		}
		i := slices.IndexFunc(tags, func(g Tag) bool { return g.Name == name })
		switch {
		case z >= 0 && z >= zr:
			p := sigmoid(z)
			buf := ll.appendReason(s.reason[:0], s, text, lang, x, p, mask, inv)
			s.reason = buf
			if i < 0 {
				tags = append(tags, Tag{Name: name, Score: roundScore(p), Reason: string(buf)})
			} else {
				tags[i].Reason += "; " + string(buf)
				tags[i].Score = max(tags[i].Score, roundScore(p))
			}
		case zr >= 0 && i >= forced:
			tags = slices.Delete(tags, i, i+1)
		}
	}
	// A removing head without an adding one.
	for y, head := range ll.heads {
		if head[0] != '-' || slices.Contains(ll.heads, "+"+head[1:]) {
			continue
		}
		i := slices.IndexFunc(tags, func(g Tag) bool { return g.Name == head[1:] })
		if i >= forced && ll.margin(s.feats, mask, inv, y) >= 0 {
			tags = slices.Delete(tags, i, i+1)
		}
	}
	return tags
}

func roundScore(p float64) float64 {
	p = math.Round(p*1000) / 1000
	return min(max(p, 0.001), 1)
}
