package tag

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Sentiment lexicon features. The hashed words and grams of features.go
// learn what each training source says of a tag, and so learn its style
// too; a word's sentiment carries across sources. So the model also reads
// a message through sentiment lexicons — English: VADER's words (MIT, see
// lexicon/LICENSE-VADER.txt) and openear's additions; Korean: a lexicon
// written for openear — and adds a feature per sentiment word found, by
// polarity and strength, with negation ("not good", "never works", 안
// 좋아요, 좋지 않아요, 문제 없어요), intensifiers ("so slow", 너무 불편) and
// the clause after "but" (하지만, -지만, 근데) told apart, and one feature for
// the message as a whole (only positive words, only negative, both). The
// model learns each such feature's weight per tag like any other; a reason
// names the word and what it is: `"terrible" +1.4 (negative word)`.

//go:embed lexicon/vader_en.tsv lexicon/openear_en.tsv lexicon/openear_ko.tsv
var lexiconFiles embed.FS

// Lexicon classes: the byte hashed after fLex, and the label of a reason.
const (
	lexNone   = iota
	lexPos1   // a positive word, mild (valence under 1.5)
	lexPos2   // positive, under 2.5
	lexPos3   // positive, strong
	lexNeg1   // a negative word, mild
	lexNeg2   // negative
	lexNeg3   // negative, strong
	lexInsult // an insult or profanity
	lexNotPos // a positive word negated: "not good", 안 좋아요
	lexNotNeg // a negative word negated: "not bad", 문제 없어요
	lexIntPos // a positive word after an intensifier: "so good", 너무 좋아요
	lexIntNeg // a negative word after an intensifier: "so slow", 너무 느려요
	lexButPos // positive, in the clause after "but" (그런데, -지만)
	lexButNeg // negative, after "but"
	lexAllPos // the message: one positive word, no negative one
	lexAllPos2
	lexAllNeg // the message: one negative word, no positive one
	lexAllNeg2
	lexMixPos // both, the last one positive
	lexMixNeg // both, the last one negative
	nLex
)

// lexLabels are what a reason says of a place with a lexicon feature,
// and the names of the message-wide features.
var lexLabels = [nLex]string{
	lexPos1: "positive word", lexPos2: "positive word", lexPos3: "positive word",
	lexNeg1: "negative word", lexNeg2: "negative word", lexNeg3: "negative word",
	lexInsult: "insult", lexNotPos: "negated positive word", lexNotNeg: "negated negative word",
	lexIntPos: "intensified positive word", lexIntNeg: "intensified negative word",
	lexButPos: "positive word after but", lexButNeg: "negative word after but",
	lexAllPos: "(a positive word, no negative)", lexAllPos2: "(positive words, no negative)",
	lexAllNeg: "(a negative word, no positive)", lexAllNeg2: "(negative words, no positive)",
	lexMixPos: "(negative words, then positive)", lexMixNeg: "(positive words, then negative)",
}

// koTerm is a Korean lexicon entry.
type koTerm struct {
	v      int8 // valence × 10
	insult bool
	start  bool // only at the start of a word
	whole  bool // only a whole word
}

type lexicon struct {
	en       map[string]int8   // word -> valence × 10
	ko       map[string]koTerm // one word's stem
	koPhrase map[string]koTerm // "first second": two words
	koFirst  []uint64          // bitset by syllable: a stem starts with it
	koSecond []uint64          // bitset by syllable: a phrase's second word starts with it
	koMax    int               // the longest stem, in syllables
}

var loadLexicon = sync.OnceValue(func() *lexicon {
	l, err := parseLexicon()
	if err != nil {
		panic(err) // the files are part of the package: a test reads them
	}
	return l
})

func parseLexicon() (*lexicon, error) {
	l := &lexicon{en: map[string]int8{}, ko: map[string]koTerm{}, koPhrase: map[string]koTerm{},
		koFirst: make([]uint64, nSyllables/64+1), koSecond: make([]uint64, nSyllables/64+1)}
	for _, name := range []string{"vader_en.tsv", "openear_en.tsv", "openear_ko.tsv"} {
		b, err := lexiconFiles.ReadFile("lexicon/" + name)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		n := 0
		for sc.Scan() {
			n++
			line := sc.Text()
			if line == "" || line[0] == '#' {
				continue
			}
			term, rest, ok := strings.Cut(line, "\t")
			if !ok {
				return nil, fmt.Errorf("lexicon/%s:%d: want term<TAB>valence", name, n)
			}
			val, flags, _ := strings.Cut(rest, "\t")
			v, err := strconv.ParseFloat(val, 64)
			if err != nil || v < -4 || v > 4 {
				return nil, fmt.Errorf("lexicon/%s:%d: valence %q", name, n, val)
			}
			q := int8(math.Round(v * 10))
			if name != "openear_ko.tsv" {
				if q == 0 {
					delete(l.en, term)
				} else {
					l.en[term] = q
				}
				continue
			}
			t := koTerm{v: q, insult: strings.Contains(flags, "!"), start: strings.Contains(flags, "^"),
				whole: strings.Contains(flags, "=")}
			if err := l.addKO(term, t); err != nil {
				return nil, fmt.Errorf("lexicon/%s:%d: %w", name, n, err)
			}
		}
	}
	return l, nil
}

func (l *lexicon) addKO(term string, t koTerm) error {
	words := strings.Split(term, " ")
	for _, w := range words {
		if w == "" || !allSyllables(w) {
			return fmt.Errorf("term %q: want words of Hangul syllables", term)
		}
	}
	switch len(words) {
	case 1:
		l.ko[term] = t
		r, _ := utf8.DecodeRuneInString(term)
		setBit(l.koFirst, int(r-0xAC00))
		l.koMax = max(l.koMax, len(term)/3)
	case 2:
		l.koPhrase[term] = t
		r, _ := utf8.DecodeRuneInString(words[1])
		setBit(l.koSecond, int(r-0xAC00))
	default:
		return fmt.Errorf("term %q: at most two words", term)
	}
	return nil
}

func allSyllables(s string) bool {
	for _, r := range s {
		if !isSyllable(r) {
			return false
		}
	}
	return true
}

func setBit(b []uint64, i int)      { b[i>>6] |= 1 << (i & 63) }
func hasBit(b []uint64, i int) bool { return b[i>>6]&(1<<(i&63)) != 0 }

// lexClass is the class of a valence v (× 10): positive or negative, by
// strength.
func lexClass(v int8, insult bool) uint8 {
	switch {
	case insult:
		return lexInsult
	case v >= 25:
		return lexPos3
	case v >= 15:
		return lexPos2
	case v > 0:
		return lexPos1
	case v <= -25:
		return lexNeg3
	case v <= -15:
		return lexNeg2
	}
	return lexNeg1
}

// English words that negate the sentiment word after them (within three
// words of one clause), VADER's list without apostrophes, and "no".
var negatorsEN = wordSet(`not no never none nope nor nothing nowhere neither without cannot cant
	aint arent couldnt darent didnt doesnt dont hadnt hasnt havent isnt mightnt mustnt neednt
	oughtnt shant shouldnt wasnt werent wont wouldnt rarely seldom hardly barely`)

// English intensifiers, VADER's boosters and a few more.
var intensifiersEN = wordSet(`absolutely amazingly awfully completely considerably decidedly deeply
	enormously entirely especially exceptionally extremely fabulously fully greatly highly hugely
	incredibly intensely majorly most particularly purely quite really remarkably so substantially
	thoroughly totally tremendously unbelievably unusually utterly very super too way insanely
	seriously ridiculously beyond truly genuinely literally`)

// Korean: words that negate the next word, intensifiers, words after
// which the clause turns ("but").
var (
	negatorsKO     = wordSet(`안 못 전혀 별로`)
	intensifiersKO = wordSet(`너무 넘 너무너무 진짜 진짜로 정말 정말로 완전 엄청 엄청나게 아주 매우 되게 겁나
		존나 졸라 개 핵 레알 제일 가장 진심 참 특히 워낙 굉장히 무척 대단히`)
	butKO = wordSet(`근데 그런데 하지만 그러나 그래도 다만 그치만 헌데 그렇지만`)
)

func inSet(m map[string]struct{}, w string) bool {
	_, ok := m[w]
	return ok
}

// lexState follows one message's sentiment words as features are made.
type lexState struct {
	pos, neg int      // sentiment words found, negation applied
	last     int8     // the polarity of the last one: +1, -1
	but      bool     // after "but" in this sentence
	recent   [3]int32 // the last three word tokens of the clause, newest first (-1: none)
}

func (ls *lexState) reset() { *ls = lexState{recent: [3]int32{-1, -1, -1}} }

// clause starts a clause; sentence ends a sentence too.
func (ls *lexState) clause(sentence bool) {
	ls.recent = [3]int32{-1, -1, -1}
	if sentence {
		ls.but = false
	}
}

func (ls *lexState) push(tok int) {
	ls.recent[2], ls.recent[1], ls.recent[0] = ls.recent[1], ls.recent[0], int32(tok)
}

// addLex adds the features of a sentiment word of class c at bytes
// [start, end), negated by the word at negStart (or -1), intensified by
// the word at intStart (or -1).
func (s *scratch) addLex(c uint8, start, end, negStart, intStart int32) {
	ls := &s.lex
	pol := int8(1)
	if c >= lexNeg1 {
		pol = -1
	}
	if negStart >= 0 {
		// One feature for a negated word: "not good" is not "good".
		nc := uint8(lexNotPos)
		if pol < 0 {
			nc = lexNotNeg
		}
		s.addLexFeat(nc, negStart, end)
		pol = -pol
	} else {
		s.addLexFeat(c, start, end)
		if intStart >= 0 {
			ic := uint8(lexIntPos)
			if pol < 0 {
				ic = lexIntNeg
			}
			s.addLexFeat(ic, intStart, end)
		}
	}
	if ls.but {
		bc := uint8(lexButPos)
		if pol < 0 {
			bc = lexButNeg
		}
		s.addLexFeat(bc, start, end)
	}
	if pol > 0 {
		ls.pos++
	} else {
		ls.neg++
	}
	ls.last = pol
}

// lexRepeat is how many times a lexicon feature counts: among the
// hundred or so grams of a message, one feature's weight would otherwise
// learn slowly (measured: 3 rather than 1 adds about 0.005 to the
// left-one-source-out macro-F1, 5 nothing more; docs/TAGGING.md).
const lexRepeat = 3

func (s *scratch) addLexFeat(c uint8, start, end int32) {
	for range lexRepeat {
		if len(s.feats) < maxFeatures {
			s.feats = append(s.feats, feat{h: mix(hbyte(hkind(fLex), c)), start: start, end: end, lex: c})
		}
	}
}

// lexMessage adds the feature of the message as a whole.
func (s *scratch) lexMessage() {
	ls := &s.lex
	var c uint8
	switch {
	case ls.pos > 0 && ls.neg > 0 && ls.last > 0:
		c = lexMixPos
	case ls.pos > 0 && ls.neg > 0:
		c = lexMixNeg
	case ls.pos == 1:
		c = lexAllPos
	case ls.pos > 1:
		c = lexAllPos2
	case ls.neg == 1:
		c = lexAllNeg
	case ls.neg > 1:
		c = lexAllNeg2
	default:
		return
	}
	s.addLexFeat(c, -1-int32(nShapes)-int32(c), 0)
}

// lexEN adds the lexicon features of the English word token i, low its
// lowercased text.
func (s *scratch) lexEN(lx *lexicon, i int, low []byte) {
	ls := &s.lex
	defer ls.push(i)
	if string(low) == "but" {
		ls.but = true
		return
	}
	v, ok := lx.en[string(low)]
	if !ok || v > 0 && s.greetingNext("", i, kindWord, greetingEN) {
		return // "good morning" greets; it praises nothing
	}
	tk := &s.toks[i]
	negStart, intStart := int32(-1), int32(-1)
	for k, t := range ls.recent {
		if t < 0 {
			break
		}
		w := s.toks[t]
		word := s.norm[w.a:w.b]
		if inSet(negatorsEN, string(word)) {
			negStart = w.start
			break
		}
		if k == 0 && inSet(intensifiersEN, string(word)) {
			intStart = w.start
		}
	}
	s.addLex(lexClass(v, false), tk.start, tk.end, negStart, intStart)
}

// lexKO adds the lexicon features of the Korean word token i: every
// stem found in it, longest first, and a two-word phrase it ends.
func (s *scratch) lexKO(lx *lexicon, text string, i, prevKo int) {
	ls := &s.lex
	tk := &s.toks[i]
	run := text[tk.start:tk.end]
	var prev string
	if prevKo >= 0 {
		p := &s.toks[prevKo]
		prev = text[p.start:p.end]
	}
	if inSet(butKO, run) {
		ls.but = true
		return
	}
	n := len(run) / 3
	found := false
	// A phrase ending in this word: 안 돼요, 문제가 있어요.
	if prev != "" {
		if r, _ := utf8.DecodeRuneInString(run); hasBit(lx.koSecond, int(r-0xAC00)) {
			if t, ok := lx.phrase(s, prev, run); ok {
				s.addLex(lexClass(t.v, t.insult), s.toks[prevKo].start, tk.end, -1, -1)
				found = true
			}
		}
	}
	for at := 0; at < n && !found; {
		r, _ := utf8.DecodeRuneInString(run[at*3:])
		if !hasBit(lx.koFirst, int(r-0xAC00)) {
			at++
			continue
		}
		matched := 0
		var t koTerm
		for k := min(lx.koMax, n-at); k >= 1; k-- {
			if term, ok := lx.ko[run[at*3:(at+k)*3]]; ok {
				if term.start && at != 0 || term.whole && (at != 0 || k != n) {
					continue
				}
				t, matched = term, k
				break
			}
		}
		if matched == 0 {
			at++
			continue
		}
		if t.v > 0 && at+matched == n && s.greetingNext(text, i, kindHangul, greetingKO) {
			break // 좋은 아침, 좋은 하루 되세요: a greeting
		}
		start, end := tk.start+int32(at*3), tk.start+int32((at+matched)*3)
		negStart, intStart := int32(-1), int32(-1)
		switch {
		case at == 1 && (run[:3] == "안" || run[:3] == "못"):
			negStart = tk.start // 안좋아요
		case at == 0 && inSet(negatorsKO, prev):
			negStart = s.toks[prevKo].start // 안 좋아요
		default:
			next := s.nextHangul(i)
			switch koNegatedAfter(run[(at+matched)*3:], text[next.start:next.end]) {
			case negHere:
				negStart, end = start, tk.end // 좋지않음, 문제없어요
			case negNext:
				negStart, end = start, next.end // 좋지 않아요, 문제가 없어요
			}
		}
		switch {
		case at == 1 && (run[:3] == "개" || run[:3] == "핵" || run[:3] == "짱" || run[:3] == "존"):
			intStart = tk.start // 개좋아, 핵노잼
		case at == 0 && inSet(intensifiersKO, prev):
			intStart = s.toks[prevKo].start
		}
		s.addLex(lexClass(t.v, t.insult), start, end, negStart, intStart)
		at += matched
	}
	if strings.HasSuffix(run, "지만") || strings.HasSuffix(run, "는데") || strings.HasSuffix(run, "은데") ||
		strings.HasSuffix(run, "던데") {
		ls.but = true // 좋은데 / 좋지만 …: what follows turns
	}
}

// phrase finds a two-word term whose first word is prev (one syllable:
// the whole word; longer: its start) and whose second starts run. It
// returns the term.
func (lx *lexicon) phrase(s *scratch, prev, run string) (koTerm, bool) {
	for k := min(3, len(run)/3); k >= 1; k-- {
		second := run[:k*3]
		for a := min(4, len(prev)/3); a >= 1; a-- {
			if a == 1 && len(prev) != 3 {
				continue
			}
			buf := append(append(append(s.lexBuf[:0], prev[:a*3]...), ' '), second...)
			s.lexBuf = buf
			if t, ok := lx.koPhrase[string(buf)]; ok {
				return t, true
			}
		}
	}
	return koTerm{}, false
}

// Where a stem is negated after it.
const (
	negNone = iota
	negHere // in its word: 좋지않음, 문제없음
	negNext // by the next word: 좋지 않아요, 문제가 없어요
)

// koNegatedAfter says whether the syllables after a stem (rest of its
// word) or the next word negate it: 좋지 않아요, 좋지않음, 좋지도 않고,
// 문제가 없어요, 문제없음.
func koNegatedAfter(rest, next string) int {
	for _, neg := range []string{"지않", "지못", "지도않", "지는않", "진않", "지도못"} {
		if strings.Contains(rest, neg) {
			return negHere
		}
	}
	if strings.HasPrefix(rest, "없") {
		return negHere
	}
	if next == "" {
		return negNone
	}
	switch rest {
	case "지", "지는", "지도", "진", "질":
		if strings.HasPrefix(next, "않") || strings.HasPrefix(next, "못") || strings.HasPrefix(next, "안") {
			return negNext
		}
	case "", "가", "이", "는", "은", "도", "는요", "은요", "도요":
		if strings.HasPrefix(next, "없") {
			return negNext
		}
	}
	return negNone
}

// Words after which a positive word greets: good morning, 좋은 하루.
var (
	greetingEN = wordSet(`morning afternoon evening night day weekend week one`)
	greetingKO = wordSet(`아침 아침입니다 아침이에요 아침이네요 하루 하루요 하루되세요 주말 주말요 주말되세요 저녁 저녁이에요 밤 밤되세요 오후 오후되세요 한주 한주되세요 명절 연휴 꿈`)
)

// greetingNext reports whether the token after token i is of kind and a
// word of set (English: lowercased; Korean: as in text).
func (s *scratch) greetingNext(text string, i int, kind uint8, set map[string]struct{}) bool {
	if i+1 >= len(s.toks) || s.toks[i+1].kind != kind {
		return false
	}
	t := &s.toks[i+1]
	if kind == kindWord {
		return inSet(set, string(s.norm[t.a:t.b]))
	}
	return inSet(set, text[t.start:t.end])
}

// nextHangul is the Korean word token after token i, or an empty token
// at the end of token i when the next token is not one.
func (s *scratch) nextHangul(i int) token {
	if i+1 < len(s.toks) && s.toks[i+1].kind == kindHangul {
		return s.toks[i+1]
	}
	return token{start: s.toks[i].end, end: s.toks[i].end}
}

// emojiPolarity: emoji that say how the writer feels.
var emojiPolarity = map[string]int8{
	"😍": 25, "🥰": 25, "❤": 25, "💖": 25, "💕": 20, "😻": 20, "👍": 15, "👏": 20, "🙏": 15, "🎉": 20,
	"💯": 20, "🤩": 25, "😊": 15, "🙂": 10, "😀": 15, "😄": 15, "😁": 15, "😃": 15, "🥳": 20, "✨": 10,
	":heart:": 25, ":+1:": 15, ":thumbsup:": 15, ":clap:": 20, ":tada:": 20, ":heart_eyes:": 25, ":100:": 20,
	"😡": -30, "🤬": -35, "😠": -25, "👎": -20, "😤": -20, "💩": -25, "🙄": -15, "😒": -15, "😞": -15,
	"😔": -10, "😩": -20, "😫": -20, "🤮": -30, "🤢": -25, "😑": -10, "😖": -15, "😣": -15,
	":rage:": -30, ":angry:": -25, ":-1:": -20, ":thumbsdown:": -20, ":unamused:": -15, ":disappointed:": -15,
}
