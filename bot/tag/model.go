package tag

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Model is the learned part of the tagger: for English and for Korean, a
// linear model per built-in tag (one-vs-rest logistic regression) over
// the hashed features of features.go, with weights quantized to one byte,
// and the calibration that turns a model's margin, alone or together with
// the rules' score, into one probability per tag and the threshold above
// which the tag is given. Train makes one; LoadModel reads one;
// EmbeddedModel is the one shipped inside the binary. A Model is
// immutable and safe for concurrent use.
type Model struct {
	bits  uint8
	info  string
	langs [nLangs]langModel
}

// Languages of the model.
const (
	langEN = iota
	langKO
	nLangs
)

var langNames = [nLangs]string{"en", "ko"}

// Uses of a calibration: the model alone, or the model and the rules.
const (
	calModel = iota
	calBoth
	nCals
)

// calib turns a margin m and a rule score r (0 when no rule matched) into
// a probability σ(A·m + R·r + C); the tag is given at Thr or above.
type calib struct {
	A, R, C, Thr float32
}

func (c calib) prob(m, r float64) float64 {
	return sigmoid(float64(c.A)*m + float64(c.R)*r + float64(c.C))
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

type langModel struct {
	w      []byte // int8 weights, bucket-major: w[b*nBuiltin+h]
	scale  [nBuiltin]float32
	bias   [nBuiltin]float32
	cal    [nCals][nBuiltin]calib
	common []byte // bitset by bucket: features too common to learn from one correction
}

func (m *Model) mask() uint32 { return 1<<m.bits - 1 }

// Info says what the model was trained on.
func (m *Model) Info() string { return m.info }

// margins computes each head's margin for the features in s.feats, and
// keeps what each place of the text adds in s.places (for reasons).
func (m *Model) margins(lang int, s *scratch, out *[nBuiltin]float64) {
	feats := s.feats
	s.places = s.places[:0]
	lm := &m.langs[lang]
	var acc [nBuiltin]int32
	mask := m.mask()
	ps := s.places
	for i := range feats {
		f := &feats[i]
		b := int(f.h&mask) * nBuiltin
		row := lm.w[b : b+nBuiltin : b+nBuiltin]
		var w [nBuiltin]int32
		for h := range nBuiltin {
			w[h] = int32(int8(row[h]))
			acc[h] += w[h]
		}
		ps = addPlace(ps, f.start, f.end, f.lex, &w)
	}
	s.places = ps
	inv := featNorm(len(feats))
	for h := range nBuiltin {
		out[h] = float64(lm.bias[h]) + float64(lm.scale[h])*float64(acc[h])*inv
	}
}

// featNorm is the value of each of n features: 1/sqrt(n).
func featNorm(n int) float64 {
	if n == 0 {
		return 0
	}
	return 1 / math.Sqrt(float64(n))
}

// contribution is what the features found at one place in the text add
// to a head's calibrated logit.
type contribution struct {
	start, end int32
	lex        uint8 // a lexicon class found there, shown in reasons
	v          float64
}

// maxReasonFeatures is how many places a model reason names.
const maxReasonFeatures = 3

// appendReason appends `model complaint/en 0.83: "crashes" +1.9, "every
// time" +0.7` for head h: the model's own probability p and the places
// that add most to its logit (scaled by the calibration's A).
func (m *Model) appendReason(buf []byte, s *scratch, text string, lang, h int, p float64, a float64) []byte {
	buf = append(buf, "model "...)
	buf = append(buf, builtinNames[h]...)
	buf = append(buf, '/')
	buf = append(buf, langNames[lang]...)
	buf = append(buf, ' ')
	buf = appendProb(buf, p)
	// The places margins summed, scaled to this head's logit.
	unit := float64(m.langs[lang].scale[h]) * featNorm(len(s.feats)) * a
	cs := s.contrib[:0]
	for _, pl := range s.places {
		if w := pl.w[h]; w != 0 {
			cs = append(cs, contribution{start: pl.start, end: pl.end, lex: pl.lex, v: float64(w) * unit})
		}
	}
	s.contrib = cs
	return appendTop(buf, cs, text)
}

// place is where features were found in the text, and the sum of their
// weights per head.
type place struct {
	start, end int32
	lex        uint8 // the lexicon class of a feature there, if any
	w          [nBuiltin]int32
}

// addPlace adds the weights of a feature to its place. The features of
// one place are adjacent or nearly (a word, then the pair it ends), so
// the last few places are searched only.
func addPlace(ps []place, start, end int32, lex uint8, w *[nBuiltin]int32) []place {
	for i := len(ps) - 1; i >= 0 && i >= len(ps)-3; i-- {
		if ps[i].start == start && ps[i].end == end {
			for h := range nBuiltin {
				ps[i].w[h] += w[h]
			}
			if ps[i].lex == lexNone {
				ps[i].lex = lex
			}
			return ps
		}
	}
	return append(ps, place{start: start, end: end, lex: lex, w: *w})
}

// addContribution adds v to the place of f. The features of one place
// are mostly adjacent, so the last few places are searched only.
func addContribution(cs []contribution, f feat, v float64) []contribution {
	for i := len(cs) - 1; i >= 0 && i >= len(cs)-4; i-- {
		if cs[i].start == f.start && cs[i].end == f.end {
			cs[i].v += v
			return cs
		}
	}
	return append(cs, contribution{start: f.start, end: f.end, v: v})
}

// appendTop appends the places that add most, at most maxReasonFeatures
// of them and each at least 0.05: `: "crashes" +1.9, "every time" +0.7`.
func appendTop(buf []byte, cs []contribution, text string) []byte {
	mergeRepeats(cs, text)
	var top [maxReasonFeatures]int
	n := 0
	for i := range cs {
		if cs[i].v < 0.05 {
			continue
		}
		k := n
		for k > 0 && cs[top[k-1]].v < cs[i].v {
			k--
		}
		if k >= maxReasonFeatures {
			continue
		}
		if n < maxReasonFeatures {
			n++
		}
		copy(top[k+1:n], top[k:n-1])
		top[k] = i
	}
	for i := range n {
		c := cs[top[i]]
		if i == 0 {
			buf = append(buf, ": "...)
		} else {
			buf = append(buf, ", "...)
		}
		switch {
		case c.start < 0 && -1-c.start < nShapes:
			buf = append(buf, shapeNames[-1-c.start]...)
		case c.start < 0:
			buf = append(buf, lexLabels[-1-c.start-nShapes]...) // the message's sentiment words
		default:
			buf = appendQuote(buf, text[c.start:c.end])
		}
		buf = append(buf, ' ')
		buf = appendSigned(buf, c.v)
		if c.start >= 0 && c.lex != lexNone {
			buf = append(buf, " ("...)
			buf = append(buf, lexLabels[c.lex]...)
			buf = append(buf, ')')
		}
	}
	return buf
}

// maxMergePlaces bounds the places whose repeats mergeRepeats looks for
// (the search is quadratic; a longer message keeps its repeats apart).
const maxMergePlaces = 256

// mergeRepeats adds the weight of a word found again (the same text, in
// any case) to its first place, so a reason names "page" +2.2 once, not
// "page" +1.1 twice.
func mergeRepeats(cs []contribution, text string) {
	if len(cs) > maxMergePlaces {
		return
	}
	for i := range cs {
		if cs[i].start < 0 || cs[i].v == 0 {
			continue
		}
		w := text[cs[i].start:cs[i].end]
		for j := range i {
			if cs[j].start >= 0 && cs[j].v != 0 && strings.EqualFold(text[cs[j].start:cs[j].end], w) {
				cs[j].v += cs[i].v
				cs[i].v = 0
				break
			}
		}
	}
}

// appendSigned appends v with a sign and one decimal: +1.9, -0.4.
func appendSigned(buf []byte, v float64) []byte {
	r := int64(math.Round(v * 10))
	if r < 0 {
		buf = append(buf, '-')
		r = -r
	} else {
		buf = append(buf, '+')
	}
	buf = strconv.AppendInt(buf, r/10, 10)
	return append(buf, '.', byte('0'+r%10))
}

// appendProb appends p in [0, 1] with two decimals: 0.83.
func appendProb(buf []byte, p float64) []byte {
	r := int64(math.Round(min(max(p, 0), 1) * 100))
	buf = strconv.AppendInt(buf, r/100, 10)
	return append(buf, '.', byte('0'+r/10%10), byte('0'+r%10))
}

// ---- the file format ----

// A model file: the magic, a version byte, the hash bits, the tag names,
// an info string, then per language (en, ko): per tag its weight scale
// and bias, the two calibrations (model alone, model and rules) of four
// float32 each, the common-feature bitset and the weights, one int8 per
// bucket and tag. Little-endian.
const modelMagic = "openear-tag-model"

const modelVersion = 2 // 2: English function words are not features (features.go)

// Bounds of the hash bits a model may use.
const (
	minBits = 10
	maxBits = 22
)

// LoadModel reads a model written by MarshalBinary. The weights are not
// copied: data must not change afterwards.
func LoadModel(data []byte) (*Model, error) {
	r := reader{b: data}
	if string(r.next(len(modelMagic))) != modelMagic {
		return nil, errors.New("tag model: not a model file")
	}
	if v := r.u8(); v != modelVersion {
		return nil, fmt.Errorf("tag model: version %d, want %d", v, modelVersion)
	}
	m := &Model{bits: r.u8()}
	if m.bits < minBits || m.bits > maxBits {
		return nil, fmt.Errorf("tag model: %d hash bits", m.bits)
	}
	if n := int(r.u8()); n != nBuiltin {
		return nil, fmt.Errorf("tag model: %d tags, want %d", n, nBuiltin)
	}
	for h := range nBuiltin {
		if name := string(r.next(int(r.u8()))); name != builtinNames[h] {
			return nil, fmt.Errorf("tag model: tag %d is %q, want %q", h, name, builtinNames[h])
		}
	}
	m.info = string(r.next(int(r.u16())))
	buckets := 1 << m.bits
	for l := range m.langs {
		lm := &m.langs[l]
		for h := range nBuiltin {
			lm.scale[h] = r.f32()
			lm.bias[h] = r.f32()
			for c := range nCals {
				lm.cal[c][h] = calib{A: r.f32(), R: r.f32(), C: r.f32(), Thr: r.f32()}
			}
		}
		lm.common = r.next(buckets / 8)
		lm.w = r.next(buckets * nBuiltin)
	}
	if r.err {
		return nil, errors.New("tag model: file is truncated")
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("tag model: %d bytes past the end", len(r.b))
	}
	return m, nil
}

// MarshalBinary writes the model in the format LoadModel reads.
func (m *Model) MarshalBinary() ([]byte, error) {
	buckets := 1 << m.bits
	out := make([]byte, 0, len(modelMagic)+64+nLangs*(buckets*(nBuiltin+1)+nBuiltin*40))
	out = append(out, modelMagic...)
	out = append(out, modelVersion, m.bits, nBuiltin)
	for _, name := range builtinNames {
		out = append(out, byte(len(name)))
		out = append(out, name...)
	}
	if len(m.info) > math.MaxUint16 {
		return nil, errors.New("tag model: info too long")
	}
	out = binary.LittleEndian.AppendUint16(out, uint16(len(m.info)))
	out = append(out, m.info...)
	f32 := func(v float32) { out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v)) }
	for l := range m.langs {
		lm := &m.langs[l]
		for h := range nBuiltin {
			f32(lm.scale[h])
			f32(lm.bias[h])
			for c := range nCals {
				k := lm.cal[c][h]
				f32(k.A)
				f32(k.R)
				f32(k.C)
				f32(k.Thr)
			}
		}
		out = append(out, lm.common...)
		out = append(out, lm.w...)
	}
	return out, nil
}

type reader struct {
	b   []byte
	err bool
}

func (r *reader) next(n int) []byte {
	if n > len(r.b) {
		r.err = true
		r.b = nil
		return make([]byte, n)
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) u8() uint8   { return r.next(1)[0] }
func (r *reader) u16() uint16 { return binary.LittleEndian.Uint16(r.next(2)) }
func (r *reader) f32() float32 {
	return math.Float32frombits(binary.LittleEndian.Uint32(r.next(4)))
}
