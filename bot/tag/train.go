package tag

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Training. Train fits, per language, one logistic regression per
// built-in tag (one-vs-rest) with AdaGrad over the hashed features of
// features.go, then quantizes the weights to one byte per bucket and tag.
// The calibrations (model alone, model with rules) and the thresholds are
// fitted on held-out folds: each fold is left out, a model is trained on
// the rest and scores it; the pooled held-out scores fit a logistic
// calibration per tag and the threshold with the best F1. The folds are
// five, by a hash of the text (TrainOptions.Folds "source" makes one per
// source instead, a source that alone holds every example of some tag
// split in four). Rows of one source and label weigh at most
// TrainOptions.Cap in all, so that a large public source does not drown
// the examples written in the register of customer support.
//
// Training is deterministic: the same examples (in any order) and the
// same options give the same bytes. The arithmetic avoids fused
// multiply-adds, so other architectures give the same floats up to what
// math.Exp and math.Sqrt return there.

// TrainOptions tune Train. The zero value means the defaults the embedded
// model was trained with.
type TrainOptions struct {
	Seed   uint64  // shuffles; default 1
	Bits   int     // hash bits: 2^Bits buckets per language; default 18
	Epochs int     // passes over the data; default 6
	Rate   float64 // AdaGrad learning rate; default 0.3
	L2     float64 // weight decay per update; default 1e-5
	// Folds chooses the held-out folds of the calibration: "random" (the
	// default: five folds by a hash of the text) or "source" (one fold
	// per source; a source that alone holds a tag in four).
	Folds string
	// Cap bounds the weight of the examples of one source and label: a
	// cell of n > Cap examples weighs Cap/n each, so that no source's
	// style dominates a tag; default 400, negative: no cap.
	Cap int
	// Balance, when above 1, also raises the weight of a cell of fewer
	// than Cap examples towards Cap in all, each example weighing at most
	// Balance: every source's examples of a label then weigh about the same.
	Balance float64
	// MinSources, when above 1, trains a tag's weight of a feature only
	// if the feature is found in at least this many sources of the
	// language, for the tags that two sources or more label: a word that
	// only one source uses cannot stand for a tag. Off by default: left
	// out of training, a source was tagged no better with it
	// (docs/TAGGING.md).
	MinSources int
	// LexDrop is the share of the training messages, drawn anew in each
	// epoch, that a head sees through their lexicon and shape features
	// only (lexicon.go, features.go): those then learn to tell a tag on
	// their own, as they must on text whose words no source taught.
	// Default 0.8; negative: off.
	LexDrop float64
	// Thresholds chooses how a tag's threshold is fitted: "pooled" (the
	// default: the best F1 over the held-out messages of all sources),
	// "source" (the best mean of the F1 of each source that labels the
	// tag, so that no source's base rate sets it) or "weighted" (each
	// message counted at its training weight, Cap). Both alternatives
	// were tried and not kept (docs/TAGGING.md).
	Thresholds string
	// Bags, when above 1, trains each head this many times, each with its
	// own order of the messages and its own draw of lexicon dropout, and
	// averages the weights: one draw decides less (leaving a source out,
	// Korean praise moved by 0.02 from one seed to another with one bag).
	// Default 4; 1: once.
	Bags int
	// Lang, when set ("en" or "ko"), trains that language only: the other
	// one is left untrained (the rules decide its tags). Cross-validation
	// uses it to train only the language of the source it leaves out.
	Lang string
	// Progress, when set, gets a line per step.
	Progress io.Writer
}

func (o *TrainOptions) defaults() {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Bits == 0 {
		o.Bits = 18
	}
	if o.Epochs == 0 {
		o.Epochs = 6
	}
	if o.Rate == 0 {
		o.Rate = 0.3
	}
	if o.L2 == 0 {
		o.L2 = 1e-5
	}
	if o.Folds == "" {
		o.Folds = "random"
	}
	if o.Cap == 0 {
		o.Cap = 400
	}
	if o.LexDrop == 0 {
		o.LexDrop = 0.8
	}
	if o.Thresholds == "" {
		o.Thresholds = "pooled"
	}
	if o.Bags == 0 {
		o.Bags = 4
	}
}

// tdoc is one training message: its buckets, what it is labelled, and
// what the rules say of it.
type tdoc struct {
	off, n  int32
	nGen    int32 // buckets[off:off+nGen] are words and grams; the rest lexicon and shape
	labels  uint8 // built-in tags expected
	ignore  uint8 // tags it neither supports nor contradicts
	space   uint8 // tags scored on it (its sources' label space)
	noise   bool  // the rules call it small talk: no tag but noise
	fold    int32
	hash    uint32
	weight  float32
	cell    string // source and labels, for Cap
	srcs    uint64 // the sources of its language it comes from, a bit each
	ruleSco [nBuiltin]float32
}

type tset struct {
	docs    []tdoc
	buckets []uint32
	folds   int
}

// Train trains a model on labelled examples. Tags other than the built-in
// ones, other and noise are an error; so is a language without examples.
func Train(examples []Example, o TrainOptions) (*Model, error) {
	o.defaults()
	if o.Bits < minBits || o.Bits > maxBits {
		return nil, fmt.Errorf("train: bits %d not in [%d, %d]", o.Bits, minBits, maxBits)
	}
	if o.Folds != "source" && o.Folds != "random" {
		return nil, fmt.Errorf("train: folds %q (want source or random)", o.Folds)
	}
	if o.Thresholds != "pooled" && o.Thresholds != "source" && o.Thresholds != "weighted" {
		return nil, fmt.Errorf("train: thresholds %q (want pooled, source or weighted)", o.Thresholds)
	}
	if o.Lang != "" && !slices.Contains(langNames[:], o.Lang) {
		return nil, fmt.Errorf("train: language %q (want en or ko)", o.Lang)
	}
	sets, err := buildSets(examples, o)
	if err != nil {
		return nil, err
	}
	m := &Model{bits: uint8(o.Bits)}
	var info []string
	for lang := range nLangs {
		ts := sets[lang]
		if o.Lang != "" && o.Lang != langNames[lang] {
			m.langs[lang].untrained(o.Bits)
			continue
		}
		if len(ts.docs) == 0 {
			return nil, fmt.Errorf("train: no %s examples", langNames[lang])
		}
		progress(o.Progress, "%s: %d messages, %d folds", langNames[lang], len(ts.docs), ts.folds)
		if err := trainLang(&m.langs[lang], ts, o); err != nil {
			return nil, fmt.Errorf("train %s: %w", langNames[lang], err)
		}
		info = append(info, fmt.Sprintf("%d %s", len(ts.docs), langNames[lang]))
	}
	m.info = fmt.Sprintf("trained on %s messages; seed %d, %d bits, %d epochs", strings.Join(info, " and "),
		o.Seed, o.Bits, o.Epochs)
	return m, nil
}

// untrained makes lm a model that gives no tag: zero weights, and
// calibrations that leave every tag to the rules.
func (lm *langModel) untrained(bits int) {
	lm.w = make([]byte, (1<<bits)*nBuiltin)
	lm.common = make([]byte, (1<<bits)/8)
	for h := range nBuiltin {
		lm.scale[h] = 1
		lm.bias[h] = -10
		lm.cal[calModel][h] = calib{Thr: 1}
		lm.cal[calBoth][h] = calib{Thr: 1}
	}
}

func progress(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, "train: "+format+"\n", args...)
	}
}

// buildSets groups examples into messages per language (the language the
// tagger will find in the text), with their features and rule scores.
func buildSets(examples []Example, o TrainOptions) ([nLangs]*tset, error) {
	bits := o.Bits
	var sets [nLangs]*tset
	rules, err := Build(Config{Use: RulesOnly})
	if err != nil {
		return sets, err
	}
	type group struct {
		lang    string
		labels  uint8
		noise   bool
		sources []string
	}
	byText := map[string]*group{}
	var order []string
	space := map[string]uint8{} // language and source -> tags it uses
	for i, e := range examples {
		g := byText[e.Text]
		if g == nil {
			g = &group{lang: Language(e.Text)}
			byText[e.Text] = g
			order = append(order, e.Text)
		}
		src := g.lang + "/" + sourceGroup(e.Source)
		if !slices.Contains(g.sources, src) {
			g.sources = append(g.sources, src)
		}
		for _, name := range implied(e.Tag) {
			h := slices.Index(builtinNames[:], name)
			switch {
			case h >= 0:
				g.labels |= 1 << h
				space[src] |= 1 << h
			case name == Noise:
				g.noise = true
			default:
				return sets, fmt.Errorf("train: example %d: tag %q is not built in", i+1, name)
			}
		}
	}
	// Messages in a stable order: by text.
	slices.Sort(order)
	for l := range sets {
		sets[l] = &tset{}
	}
	split := splitSources(space)
	srcBit := map[string]uint64{} // language/source -> its bit
	for _, text := range order {
		for _, src := range byText[text].sources {
			if _, ok := srcBit[src]; !ok {
				srcBit[src] = 0
			}
		}
	}
	srcNames := slices.Sorted(maps.Keys(srcBit))
	for i, src := range srcNames {
		srcBit[src] = 1 << (i % 64)
	}
	mask := uint32(1)<<bits - 1
	s := new(scratch)
	foldOf := map[string]int32{}
	for _, text := range order {
		g := byText[text]
		lang, d := newDoc(rules, s, text, g.labels, space, g.sources)
		ts := sets[lang]
		d.off = int32(len(ts.buckets))
		for _, f := range s.feats {
			if f.start >= 0 && f.lex == lexNone {
				ts.buckets = append(ts.buckets, f.h&mask)
			}
		}
		d.nGen = int32(len(ts.buckets)) - d.off
		for _, f := range s.feats {
			if f.start < 0 || f.lex != lexNone {
				ts.buckets = append(ts.buckets, f.h&mask)
			}
		}
		src := g.sources[0]
		key := src
		switch {
		case o.Folds == "random":
			key = fmt.Sprintf("%s#%d", g.lang, d.hash%5)
		case split[src]:
			key = fmt.Sprintf("%s#%d", src, d.hash%4)
		}
		d.cell = fmt.Sprintf("%s %d %v", src, d.labels, d.noise)
		for _, src := range g.sources {
			d.srcs |= srcBit[src]
		}
		f, ok := foldOf[key]
		if !ok {
			f = int32(ts.folds)
			ts.folds++
			foldOf[key] = f
		}
		d.fold = f
		ts.docs = append(ts.docs, d)
	}
	if o.Cap > 0 {
		for _, ts := range sets {
			capWeights(ts, o.Cap, o.Balance)
		}
	}
	return sets, nil
}

// newDoc reads one training message: what the rules say, its features
// (left in s.feats), its labels and label space.
func newDoc(rules *Tagger, s *scratch, text string, labels uint8, space map[string]uint8, sources []string) (int, tdoc) {
	rules.match(s, text)
	noise := rules.keep(s)
	var rs ruleScores
	if !noise {
		rules.ruleTags(s, text, &rs)
	}
	lang := langOf(s)
	s.features(text)
	d := tdoc{n: int32(len(s.feats)), labels: labels, noise: noise, hash: hstring(fnvOffset, text), weight: 1}
	for h := range nBuiltin {
		d.ruleSco[h] = float32(rs.score[h])
	}
	for _, src := range sources {
		d.space |= space[src]
	}
	// A complaint from a source that labels no defects or urgency may be
	// either: it teaches those tags nothing.
	if labels&(1<<ruleComplaint) != 0 {
		d.ignore |= (1<<ruleDefect | 1<<ruleUrgent) &^ d.space
	}
	return lang, d
}

// capWeights makes each source's examples of one label weigh at most cap
// in all; with balance > 1, a smaller cell weighs up to cap too, each
// example at most balance.
func capWeights(ts *tset, cap int, balance float64) {
	n := map[string]int{}
	for _, d := range ts.docs {
		n[d.cell]++
	}
	for i := range ts.docs {
		c := n[ts.docs[i].cell]
		switch {
		case c > cap:
			ts.docs[i].weight = float32(cap) / float32(c)
		case balance > 1:
			ts.docs[i].weight = float32(min(float64(cap)/float64(c), balance))
		}
	}
}

// splitSources returns the sources to split into four folds: one that
// alone holds every example of some tag in its language, and the only
// source of a language.
func splitSources(space map[string]uint8) map[string]bool {
	split := map[string]bool{}
	for _, lang := range langNames {
		var srcs []string
		for src := range space {
			if strings.HasPrefix(src, lang+"/") {
				srcs = append(srcs, src)
			}
		}
		if len(srcs) == 1 {
			split[srcs[0]] = true
		}
		for h := range nBuiltin {
			var holders []string
			for _, src := range srcs {
				if space[src]&(1<<h) != 0 {
					holders = append(holders, src)
				}
			}
			if len(holders) == 1 {
				split[holders[0]] = true
			}
		}
	}
	return split
}

// sourceGroup is the dataset a source names: "owner/repo" of
// "owner/repo/path", or the source itself.
func sourceGroup(src string) string {
	if i := strings.IndexByte(src, '/'); i >= 0 {
		if j := strings.IndexByte(src[i+1:], '/'); j >= 0 {
			return src[:i+1+j]
		}
	}
	return src
}

// minPositives is the fewest examples of a tag a model head is trained
// on; with fewer, the head stays untrained and the rules decide the tag.
const minPositives = 5

func trainLang(lm *langModel, ts *tset, o TrainOptions) error {
	all := make([]int32, len(ts.docs))
	for i := range all {
		all[i] = int32(i)
	}
	// Held-out margins: each fold scored by a model trained without it.
	oof := make([][nBuiltin]float64, len(ts.docs))
	trained := make([][nBuiltin]bool, len(ts.docs))
	if ts.folds > 1 {
		for f := range int32(ts.folds) {
			var train, test []int32
			for i, d := range ts.docs {
				if d.fold == f {
					test = append(test, int32(i))
				} else {
					train = append(train, int32(i))
				}
			}
			var fm langModel
			ok := fitLang(&fm, ts, train, o)
			for _, i := range test {
				var mg [nBuiltin]float64
				fm.docMargins(ts, i, o.Bits, &mg)
				oof[i] = mg
				trained[i] = ok
			}
		}
	}
	ok := fitLang(lm, ts, all, o)
	lm.common = commonBuckets(ts, o.Bits)
	for h := range nBuiltin {
		if !ok[h] {
			lm.cal[calModel][h] = calib{Thr: 1}
			lm.cal[calBoth][h] = calib{Thr: 1}
			continue
		}
		lm.cal[calModel][h] = fitCalib(ts, oof, trained, h, false, o.Thresholds)
		lm.cal[calBoth][h] = fitCalib(ts, oof, trained, h, true, o.Thresholds)
		progress(o.Progress, "  %-9s model: A %.2f C %.2f thr %.2f · both: A %.2f R %.2f C %.2f thr %.2f", builtinNames[h],
			lm.cal[calModel][h].A, lm.cal[calModel][h].C, lm.cal[calModel][h].Thr,
			lm.cal[calBoth][h].A, lm.cal[calBoth][h].R, lm.cal[calBoth][h].C, lm.cal[calBoth][h].Thr)
	}
	return nil
}

// fitLang trains every head on the docs idx and quantizes the result
// into lm. It reports which heads had enough examples to train.
func fitLang(lm *langModel, ts *tset, idx []int32, o TrainOptions) [nBuiltin]bool {
	buckets := 1 << o.Bits
	var ok [nBuiltin]bool
	var ws [nBuiltin][]float64
	var bias [nBuiltin]float64
	perms := permutations(idx, o)
	frozen := frozenBuckets(ts, idx, o)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for h := range nBuiltin {
		pos := 0
		for _, i := range idx {
			d := &ts.docs[i]
			if d.labels&(1<<h) != 0 && d.ignore&(1<<h) == 0 {
				pos++
			}
		}
		if pos < minPositives {
			ws[h] = make([]float64, buckets)
			bias[h] = -10
			continue
		}
		ok[h] = true
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			ws[h], bias[h] = fitHead(ts, perms, h, frozen[h], o)
			for bag := 1; bag < o.Bags; bag++ {
				ob := o
				ob.Seed = o.Seed + uint64(bag)*0x9e3779b97f4a7c15
				w, b := fitHead(ts, permutations(idx, ob), h, frozen[h], ob)
				for i, v := range w {
					ws[h][i] += v
				}
				bias[h] += b
			}
			if o.Bags > 1 {
				for i := range ws[h] {
					ws[h][i] /= float64(o.Bags)
				}
				bias[h] /= float64(o.Bags)
			}
			<-sem
		}()
	}
	wg.Wait()
	lm.w = make([]byte, buckets*nBuiltin)
	for h := range nBuiltin {
		var top float64
		for _, v := range ws[h] {
			top = max(top, math.Abs(v))
		}
		scale := top / 127
		if scale == 0 {
			scale = 1
		}
		lm.scale[h] = float32(scale)
		lm.bias[h] = float32(bias[h])
		for b, v := range ws[h] {
			q := math.Round(v / scale)
			lm.w[b*nBuiltin+h] = byte(int8(min(max(q, -127), 127)))
		}
	}
	return ok
}

// frozenBuckets returns, per head, the buckets it does not learn (nil:
// none): with o.MinSources > 1, for a tag that two or more of the
// sources of idx label, the buckets found in fewer than o.MinSources
// sources.
func frozenBuckets(ts *tset, idx []int32, o TrainOptions) [nBuiltin][]uint64 {
	var out [nBuiltin][]uint64
	if o.MinSources <= 1 {
		return out
	}
	buckets := 1 << o.Bits
	var labelled [nBuiltin]uint64 // the sources that label each tag
	seen := make([]uint64, buckets)
	for _, i := range idx {
		d := &ts.docs[i]
		for h := range nBuiltin {
			if d.labels&(1<<h) != 0 && d.ignore&(1<<h) == 0 {
				labelled[h] |= d.srcs
			}
		}
		for _, b := range ts.buckets[d.off : d.off+d.n] {
			seen[b] |= d.srcs
		}
	}
	var rare []uint64
	for h := range nBuiltin {
		if bits.OnesCount64(labelled[h]) < 2 {
			continue
		}
		if rare == nil {
			rare = make([]uint64, buckets/64+1)
			for b, m := range seen {
				if m != 0 && bits.OnesCount64(m) < o.MinSources {
					rare[b>>6] |= 1 << (b & 63)
				}
			}
		}
		out[h] = rare
	}
	return out
}

// permutations are the orders of the docs, one per epoch.
func permutations(idx []int32, o TrainOptions) [][]int32 {
	r := rand.New(rand.NewPCG(o.Seed, 0x6f70656e656172)) // "openear"
	out := make([][]int32, o.Epochs)
	for e := range out {
		p := slices.Clone(idx)
		r.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
		out[e] = p
	}
	return out
}

// fitHead fits one logistic regression with AdaGrad and weight decay.
// Positives weigh sqrt(negatives/positives), at most 8: a rare tag is not
// drowned.
func fitHead(ts *tset, perms [][]int32, h int, frozen []uint64, o TrainOptions) ([]float64, float64) {
	buckets := 1 << o.Bits
	w := make([]float64, buckets)
	g2 := make([]float64, buckets)
	var bias, bias2 float64
	pos, neg := 0.0, 0.0
	for _, i := range perms[0] {
		d := &ts.docs[i]
		if d.ignore&(1<<h) != 0 {
			continue
		}
		if d.labels&(1<<h) != 0 {
			pos += float64(d.weight)
		} else {
			neg += float64(d.weight)
		}
	}
	pw := min(max(math.Sqrt(neg/max(pos, 1)), 1), 8)
	const eps = 1e-8
	drop := uint32(min(max(o.LexDrop, 0), 1) * (1<<32 - 1))
	for epoch, perm := range perms {
		for _, i := range perm {
			d := &ts.docs[i]
			if d.ignore&(1<<h) != 0 || d.n == 0 {
				continue
			}
			bs := ts.buckets[d.off : d.off+d.n]
			inv := featNorm(int(d.n))
			if drop > 0 && mix(uint32(i)*0x9e3779b1^uint32(epoch)*0x85ebca77^uint32(o.Seed)) < drop {
				bs = bs[d.nGen:] // lexicon and shape only, at the weight they have in the whole
			}
			z := bias
			for _, b := range bs {
				z += float64(w[b] * inv)
			}
			y, cw := 0.0, float64(d.weight)
			if d.labels&(1<<h) != 0 {
				y, cw = 1, cw*pw
			}
			g := float64((sigmoid(z) - y) * cw)
			for _, b := range bs {
				if frozen != nil && frozen[b>>6]&(1<<(b&63)) != 0 {
					continue
				}
				gb := float64(g*inv) + float64(o.L2*w[b])
				g2[b] += float64(gb * gb)
				w[b] -= float64(o.Rate*gb) / math.Sqrt(g2[b]+eps)
			}
			bias2 += float64(g * g)
			bias -= float64(o.Rate*g) / math.Sqrt(bias2+eps)
		}
	}
	return w, bias
}

// docMargins is what Model.margins computes, for a training doc.
func (lm *langModel) docMargins(ts *tset, i int32, bits int, out *[nBuiltin]float64) {
	d := &ts.docs[i]
	var acc [nBuiltin]int32
	for _, b := range ts.buckets[d.off : d.off+d.n] {
		row := lm.w[int(b)*nBuiltin : int(b)*nBuiltin+nBuiltin]
		for h := range nBuiltin {
			acc[h] += int32(int8(row[h]))
		}
	}
	inv := featNorm(int(d.n))
	for h := range nBuiltin {
		out[h] = float64(lm.bias[h]) + float64(lm.scale[h])*float64(acc[h])*inv
	}
}

// commonBucketShare: a bucket found in more than 1 in this many messages
// is common; corrections do not change it.
const commonBucketShare = 200

func commonBuckets(ts *tset, bits int) []byte {
	buckets := 1 << bits
	df := make([]int32, buckets)
	last := make([]int32, buckets)
	for i := range last {
		last[i] = -1
	}
	for i, d := range ts.docs {
		for _, b := range ts.buckets[d.off : d.off+d.n] {
			if last[b] != int32(i) {
				last[b] = int32(i)
				df[b]++
			}
		}
	}
	out := make([]byte, buckets/8)
	limit := int32(len(ts.docs) / commonBucketShare)
	for b, n := range df {
		if n > limit {
			out[b>>3] |= 1 << (b & 7)
		}
	}
	return out
}

// minA is the smallest calibration slope of a head that is used: below
// it, the margins held out do not rank the tag's messages first.
const minA = 0.05

// fitCalib fits σ(A·m + R·r + C) to the held-out margins of head h (R = 0
// unless withRules), then the threshold with the best F1 on the messages
// of the sources that label h.
func fitCalib(ts *tset, oof [][nBuiltin]float64, trained [][nBuiltin]bool, h int, withRules bool, thresholds string) calib {
	var pts []calPoint
	for i, d := range ts.docs {
		if d.noise || !trained[i][h] || d.ignore&(1<<h) != 0 {
			continue
		}
		p := calPoint{m: oof[i][h], y: float64(d.labels >> h & 1), in: d.space&(1<<h) != 0, src: int8(bits.TrailingZeros64(d.srcs) & 63), w: float64(d.weight)}
		if withRules {
			p.r = float64(d.ruleSco[h])
			// A defect is a complaint too (defectComplaint): a defect rule
			// gives complaint as a complaint rule does (unless praise is
			// given too, which the fit does not know).
			p.given = h == ruleComplaint && d.ruleSco[ruleDefect] > 0
		}
		pts = append(pts, p)
	}
	if len(pts) == 0 {
		return calib{Thr: 1}
	}
	th := fitLogistic(pts, withRules)
	if th[0] < minA {
		// On held-out folds the model does not tell the tag apart: it
		// stays out, and the rules decide (calib{} is "untrained").
		return calib{Thr: 1}
	}
	c := calib{A: float32(th[0]), R: float32(th[1]), C: float32(th[2])}
	// Positives ruled noise are missed whatever the threshold.
	var missed [64]int
	for i, d := range ts.docs {
		if d.noise && trained[i][h] && d.space&(1<<h) != 0 && d.labels&(1<<h) != 0 {
			missed[bits.TrailingZeros64(d.srcs)&63]++
		}
	}
	thr := bestThreshold(pts, c, withRules, &missed, thresholds)
	if thr >= 1 {
		c.Thr = 1 // the model adds nothing the rules do not give
		return c
	}
	// Shift the prior so that the threshold is one half: a score of 0.5
	// or more is what the model gives.
	c.C -= float32(logit(thr))
	c.Thr = 0.5
	return c
}

func logit(p float64) float64 {
	p = min(max(p, 1e-9), 1-1e-9)
	return math.Log(p / (1 - p))
}

// calPoint is one held-out message for a calibration: the margin, the
// rules' score, whether it carries the tag, and whether it is in the
// tag's label space.
type calPoint struct {
	m, r  float64
	y     float64
	in    bool
	given bool    // the tag is given whatever p: a complaint whose defect rule matched
	src   int8    // the first source of its language it comes from
	w     float64 // its training weight (Cap)
}

// fitLogistic fits A, R, C by Newton's method on the log loss with a
// little L2, each step halved until the loss goes down (R stays 0 unless
// withRules). Positives and negatives weigh alike: the probability is the
// one a message would have if half the messages carried the tag, so that
// the scores of rare and common tags compare.
func fitLogistic(pts []calPoint, withRules bool) [3]float64 {
	npt := 0.0
	for _, p := range pts {
		npt += p.y
	}
	wpos, wneg := 1.0, 1.0
	if n := float64(len(pts)); npt > 0 && npt < n {
		wpos, wneg = n/(2*npt), n/(2*(n-npt))
	}
	wt := func(y float64) float64 {
		if y == 1 {
			return wpos
		}
		return wneg
	}
	const l2 = 1e-3
	loss := func(th [3]float64) float64 {
		var sum float64
		for _, p := range pts {
			z := float64(th[0]*p.m) + float64(th[1]*p.r) + th[2]
			// log(1+e^z) - y·z, computed stably
			sum += wt(p.y) * (math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) - float64(p.y*z))
		}
		return sum + float64(l2*(th[0]*th[0]+th[1]*th[1]+th[2]*th[2]))/2
	}
	var th [3]float64 // A, R, C
	cur := loss(th)
	for range 100 {
		var g [3]float64
		var H [3][3]float64
		for _, p := range pts {
			x := [3]float64{p.m, p.r, 1}
			z := float64(th[0]*x[0]) + float64(th[1]*x[1]) + th[2]
			q := sigmoid(z)
			w := wt(p.y)
			for a := range 3 {
				g[a] += w * float64((q-p.y)*x[a])
				for b := range 3 {
					H[a][b] += w * float64(q*(1-q)) * float64(x[a]*x[b])
				}
			}
		}
		for a := range 3 {
			g[a] += float64(l2 * th[a])
			H[a][a] += l2
		}
		if !withRules {
			g[1], H[1] = 0, [3]float64{0, 1, 0}
			H[0][1], H[2][1] = 0, 0
		}
		step, err := solve3(H, g)
		if err != nil {
			break
		}
		improved := false
		for t := 1.0; t > 1e-6; t /= 2 {
			var next [3]float64
			for a := range 3 {
				next[a] = th[a] - float64(t*step[a])
			}
			if l := loss(next); l < cur {
				th, cur, improved = next, l, true
				break
			}
		}
		if !improved {
			break
		}
	}
	return th
}

// bestThreshold returns the threshold on c's probability with the best F1
// over the points in the label space, the positives in missed (ruled
// small talk, by source) counting as missed. With rules, a point whose
// rule matched is given the tag whatever its probability (the rules stay;
// the model adds). With thresholds "source" the F1 is the mean of each
// source's F1, with "weighted" each point counts at its training weight;
// otherwise ("pooled") it is the F1 of all the points together. It
// returns 1 when no threshold beats the rules alone.
func bestThreshold(pts []calPoint, c calib, withRules bool, missed *[64]int, thresholds string) float64 {
	type sc struct {
		p, w  float64
		y     bool
		group int8
	}
	group := func(src int8) int8 {
		if thresholds == "source" {
			return src
		}
		return 0
	}
	var tp, fp, npos [64]float64
	for src, n := range missed {
		npos[group(int8(src))] += float64(n)
	}
	var scored []sc
	for _, p := range pts {
		if !p.in {
			continue
		}
		w, g := 1.0, group(p.src)
		if thresholds == "weighted" {
			w = p.w
		}
		if p.y == 1 {
			npos[g] += w
		}
		if withRules && (p.r > 0 || p.given) {
			if p.y == 1 {
				tp[g] += w
			} else {
				fp[g] += w
			}
			continue
		}
		scored = append(scored, sc{c.prob(p.m, p.r), w, p.y == 1, g})
	}
	var groups []int
	for g, n := range npos {
		if n > 0 {
			groups = append(groups, g)
		}
	}
	f1 := func() float64 {
		var sum float64
		for _, g := range groups {
			sum += 2 * tp[g] / (tp[g] + fp[g] + npos[g])
		}
		return sum / float64(max(len(groups), 1))
	}
	slices.SortStableFunc(scored, func(a, b sc) int {
		switch {
		case a.p > b.p:
			return -1
		case a.p < b.p:
			return 1
		}
		return 0
	})
	best, bestF := 1.0, f1()
	for i, x := range scored {
		if x.y {
			tp[x.group] += x.w
		} else {
			fp[x.group] += x.w
		}
		if i+1 < len(scored) && scored[i+1].p == x.p {
			continue
		}
		if f := f1(); f > bestF {
			bestF = f
			next := 0.0
			if i+1 < len(scored) {
				next = scored[i+1].p
			}
			best = (x.p + next) / 2
		}
	}
	return best
}

// solve3 solves H·x = g.
func solve3(H [3][3]float64, g [3]float64) ([3]float64, error) {
	a := H
	b := g
	for col := range 3 {
		piv := col
		for r := col + 1; r < 3; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[piv][col]) {
				piv = r
			}
		}
		if math.Abs(a[piv][col]) < 1e-12 {
			return b, errors.New("singular")
		}
		a[col], a[piv] = a[piv], a[col]
		b[col], b[piv] = b[piv], b[col]
		for r := range 3 {
			if r == col {
				continue
			}
			f := a[r][col] / a[col][col]
			for k := col; k < 3; k++ {
				a[r][k] -= float64(f * a[col][k])
			}
			b[r] -= float64(f * b[col])
		}
	}
	for i := range 3 {
		b[i] /= a[i][i]
	}
	return b, nil
}
