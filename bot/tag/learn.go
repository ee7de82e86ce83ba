package tag

import (
	"slices"
	"strings"
)

// Learning from staff corrections. A correction says that a text should
// (or should not) carry a tag. Beside the shipped model, which it never
// changes, the tagger keeps per language and tag two small linear models
// learned online from corrections only: one that adds the tag and one that
// removes it. Each has a fixed prior margin of -learnedPrior, so it says
// nothing until features learned from a correction add up past zero.
//
// Learning a correction moves its own text to +learnedPrior on the head
// of what staff said (and, if the opposite head exists, to -learnedPrior
// on it), by an update spread evenly over the text's distinctive
// features: its words, word pairs and their character grams, not its shape
// (a question mark, its length) and not the features the model file marks
// as common (found in more than 1 in 200 training messages of the
// language: "the", "is", "요", …). Each learned weight stays within
// ±maxDelta however many corrections push it.
//
// So a later message gets the correction when it shares more than half of
// a corrected text's distinctive weight; a message that shares none of it
// (an unrelated one) is not changed at all, whatever its tags were. A
// removing head drops the tag whatever gave it, except an operator's
// keyword or regex (change the config to change those); an adding head
// gives the tag, also one the model has no head for (an operator's tag, a
// name staff made up). When both heads speak, the stronger wins. The same
// corrections in the same order always give the same state: a restart
// rebuilds it from the stored corrections.

// Correction is one staff correction: Text should carry Tag (Add) or
// should not.
type Correction struct {
	Text string
	Tag  string
	Add  bool
}

const (
	// learnedPrior is the margin of a learned head before any feature; a
	// correction moves its own text as far past zero.
	learnedPrior = 2.0
	// maxDelta bounds one learned weight.
	maxDelta = 4.0
	// maxLearnedHeads bounds the learned heads per language.
	maxLearnedHeads = 128
)

// learned is what corrections taught. It is never changed once
// published; Learn makes a new one.
type learned struct {
	n     int // corrections that changed something
	langs [nLangs]*learnedLang
}

// learnedLang holds the learned heads of one language: "+name" adds the
// tag, "-name" removes it.
type learnedLang struct {
	heads  []string
	rows   map[uint32]int32 // bucket -> row of d
	d      []float32        // len(rows) × len(heads)
	filter []uint64         // buckets with a row
}

func (l *learnedLang) clone() *learnedLang {
	if l == nil {
		return nil
	}
	c := &learnedLang{heads: slices.Clone(l.heads), rows: make(map[uint32]int32, len(l.rows)),
		d: slices.Clone(l.d), filter: slices.Clone(l.filter)}
	for k, v := range l.rows {
		c.rows[k] = v
	}
	return c
}

// weight is the learned weight of bucket b for head x.
func (l *learnedLang) weight(b uint32, x int) float64 {
	if l.filter[b>>6]&(1<<(b&63)) == 0 {
		return 0
	}
	r, ok := l.rows[b]
	if !ok {
		return 0
	}
	return float64(l.d[int(r)*len(l.heads)+x])
}

// margin is the margin of head x for the features.
func (l *learnedLang) margin(feats []feat, mask uint32, inv float64, x int) float64 {
	z := -learnedPrior
	for _, f := range feats {
		z += l.weight(f.h&mask, x) * inv
	}
	return z
}

// appendReason explains a tag learned from staff corrections: `learned
// billing/en 0.73: "invoice copy" +2.1, "copy" +0.4`.
func (l *learnedLang) appendReason(buf []byte, s *scratch, text string, lang, x int, p float64, mask uint32, inv float64) []byte {
	buf = append(buf, "learned "...)
	buf = append(buf, l.heads[x][1:]...)
	buf = append(buf, '/')
	buf = append(buf, langNames[lang]...)
	buf = append(buf, ' ')
	buf = appendProb(buf, p)
	cs := s.contrib[:0]
	for _, f := range s.feats {
		if v := l.weight(f.h&mask, x) * inv; v != 0 {
			cs = addContribution(cs, f, v)
		}
	}
	s.contrib = cs
	return appendTop(buf, cs, text)
}

// Learn applies staff corrections, in order, on top of what the tagger
// learned before. It is safe to call while other goroutines tag: they see
// the state before or after the whole call, never a part. A tagger
// without a model, a correction for noise and a text that is small talk
// only teach nothing.
func (t *Tagger) Learn(cs ...Correction) {
	if t == nil || t.model == nil || len(cs) == 0 {
		return
	}
	t.learnMu.Lock()
	defer t.learnMu.Unlock()
	cur := t.learned.Load()
	next := &learned{}
	if cur != nil {
		next.n = cur.n
		for i, l := range cur.langs {
			next.langs[i] = l.clone()
		}
	}
	s := getScratch()
	defer putScratch(s)
	changed := false
	for _, c := range cs {
		if t.learnOne(s, next, c) {
			next.n++
			changed = true
		}
	}
	if changed {
		t.learned.Store(next)
	}
}

// Learned is how many corrections changed what the tagger learned.
func (t *Tagger) Learned() int {
	if t == nil {
		return 0
	}
	if l := t.learned.Load(); l != nil {
		return l.n
	}
	return 0
}

// Unlearned returns a tagger with t's rules and model that has learned
// nothing, to compare with t.
func (t *Tagger) Unlearned() *Tagger {
	if t == nil {
		return defaultTagger().Unlearned()
	}
	return &Tagger{rules: t.rules, vocab: t.vocab, wflags: t.wflags, koSmall: t.koSmall, en: t.en, ko: t.ko,
		emoji: t.emoji, entries: t.entries, mixed: t.mixed, regexes: t.regexes, model: t.model, use: t.use}
}

func (t *Tagger) learnOne(s *scratch, next *learned, c Correction) bool {
	name := strings.TrimSpace(c.Tag)
	if name == "" || name == Noise || checkName(name) != nil {
		return false
	}
	t.match(s, c.Text)
	if t.keep(s) {
		return false // small talk: the model is not asked
	}
	lang := langOf(s)
	s.features(c.Text)
	m := t.model
	mask := m.mask()
	lm := &m.langs[lang]
	k := 0
	for _, f := range s.feats {
		if eligible(lm, f, mask) {
			k++
		}
	}
	if k == 0 {
		return false
	}
	ll := next.langs[lang]
	if ll == nil {
		ll = &learnedLang{rows: map[uint32]int32{}, filter: make([]uint64, (1<<m.bits+63)/64)}
	}
	yes, no := "+"+name, "-"+name
	if !c.Add {
		yes, no = no, yes
	}
	inv := featNorm(len(s.feats))
	x := slices.Index(ll.heads, yes)
	if x < 0 {
		if len(ll.heads) >= maxLearnedHeads {
			return false
		}
		ll = ll.withHead(yes)
		x = len(ll.heads) - 1
	}
	changed := false
	// What staff said: up to +learnedPrior on this text.
	if z := ll.margin(s.feats, mask, inv, x); z < learnedPrior {
		ll.spread(s.feats, lm, mask, x, (learnedPrior-z)/(float64(k)*inv))
		changed = true
	}
	// Its opposite, if learned before: down to -learnedPrior.
	if y := slices.Index(ll.heads, no); y >= 0 {
		if z := ll.margin(s.feats, mask, inv, y); z > -learnedPrior {
			ll.spread(s.feats, lm, mask, y, (-learnedPrior-z)/(float64(k)*inv))
			changed = true
		}
	}
	next.langs[lang] = ll
	return changed
}

// eligible reports whether a feature may learn from a correction: it
// comes from words, and the model does not mark it common.
func eligible(lm *langModel, f feat, mask uint32) bool {
	b := f.h & mask
	return f.start >= 0 && f.lex == lexNone && lm.common[b>>3]&(1<<(b&7)) == 0
}

// spread adds d to the learned weight of head x for every eligible
// feature, each within ±maxDelta.
func (l *learnedLang) spread(feats []feat, lm *langModel, mask uint32, x int, d float64) {
	nh := len(l.heads)
	for _, f := range feats {
		if !eligible(lm, f, mask) {
			continue
		}
		b := f.h & mask
		r, ok := l.rows[b]
		if !ok {
			r = int32(len(l.rows))
			l.rows[b] = r
			l.d = append(l.d, make([]float32, nh)...)
			l.filter[b>>6] |= 1 << (b & 63)
		}
		v := &l.d[int(r)*nh+x]
		*v = float32(min(max(float64(*v)+d, -maxDelta), maxDelta))
	}
}

// withHead returns l with one more head, its weights zero.
func (l *learnedLang) withHead(name string) *learnedLang {
	nh := len(l.heads)
	d := make([]float32, 0, len(l.rows)*(nh+1))
	for r := range len(l.rows) {
		d = append(d, l.d[r*nh:(r+1)*nh]...)
		d = append(d, 0)
	}
	l.d = d
	l.heads = append(l.heads, name)
	return l
}
