package tag

import (
	"unicode/utf8"
)

// The model reads a message as hashed features, computed from the tokens
// of the rules' scan (so the text is read once):
//
//	w  a word, lowercased (numbers of four digits or more are one feature)
//	g  character 3- and 4-grams of a word with its boundaries: <cr cra … es>
//	b  two adjacent words of one clause: "every time"
//	^  the first word of a clause: ^how, ^can
//	k  a Korean word (a run of syllables: 결제가)
//	h  syllable 1-, 2- and 3-grams of a Korean word with its boundaries:
//	   결 제 가 <결 결제 제가 가> <결제 결제가 제가>
//	J  jamo of a Korean word's last syllable: its vowel and final
//	   consonant (요 -> ㅛ·, 까 -> ㅏ·, 했 -> ㅐㅆ), so endings that differ in
//	   their first consonant share a feature
//	K  two adjacent Korean words
//	j  a run of jamo (ㅋㅋ, ㅠㅠ, ㅡㅡ), repeated letters folded to two
//	e  an emoji
//	#  the shape of the message: a question mark, ending with one, !, !!!,
//	   its length in words, a link, a mention, a word in capitals, digits
//
// Every feature is hashed (FNV-1a, then mixed) into one of 2^bits
// buckets. A message's features all count 1/sqrt(n), n their number, so
// that long and short messages weigh alike.

// Feature kinds: the first byte hashed.
const (
	fWord    = 'w'
	fGram    = 'g'
	fBigram  = 'b'
	fFirst   = '^'
	fKo      = 'k'
	fKoGram  = 'h'
	fKoJamo  = 'J'
	fKoBi    = 'K'
	fJamoRun = 'j'
	fEmoji   = 'e'
	fShape   = '#'
	fLex     = 'L' // a sentiment lexicon's class (lexicon.go)
)

// Shapes: features with no words, shown in reasons by name.
const (
	shapeQMark = iota
	shapeEndsQ
	shapeExcl
	shapeExcl3
	shapeURL
	shapeMention
	shapeCaps
	shapeDigits
	shapeLen1
	shapeLen2
	shapeLen4
	shapeLen8
	shapeLen16
	shapeLen32
	nShapes
)

var shapeNames = [nShapes]string{"(question mark)", "(ends with ?)", "(!)", "(!!!)", "(link)", "(mention)",
	"(word in capitals)", "(digits)", "(one word)", "(2-3 words)", "(4-7 words)", "(8-15 words)",
	"(16-31 words)", "(32+ words)"}

// feat is one hashed feature of a message and where it was found: the
// bytes [start, end) of the text, or start = -1-shape for a shape.
type feat struct {
	h          uint32 // the full hash; the bucket is h's low bits after mixing
	start, end int32
	lex        uint8 // the lexicon class of a lexicon feature (lexicon.go), else lexNone
}

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func hkind(kind byte) uint32 { return (fnvOffset ^ uint32(kind)) * fnvPrime }

func hbytes(h uint32, b []byte) uint32 {
	for _, c := range b {
		h = (h ^ uint32(c)) * fnvPrime
	}
	return h
}

func hstring(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return h
}

func hbyte(h uint32, c byte) uint32 { return (h ^ uint32(c)) * fnvPrime }

// mix spreads a hash over its low bits (murmur3's finalizer).
func mix(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// maxFeatures bounds the features of one message: a huge message is read
// from its start.
const maxFeatures = 4096

func (s *scratch) addFeat(h uint32, start, end int32) {
	if len(s.feats) < maxFeatures {
		s.feats = append(s.feats, feat{h: mix(h), start: start, end: end})
	}
}

func (s *scratch) addShape(shape int) {
	s.addFeat(hbyte(hkind(fShape), byte(shape)), int32(-1-shape), 0)
}

// features fills s.feats from the tokens of s.scan(text).
func (s *scratch) features(text string) {
	s.feats = s.feats[:0]
	s.lex.reset()
	lx := loadLexicon()
	words := 0
	var prev, prevKo int = -1, -1 // the token of the word before, in this clause
	clause := true
	qmark, excl, url, mention, caps, digits := false, 0, false, false, false, false
	for i := range s.toks {
		tk := &s.toks[i]
		switch tk.kind {
		case kindWord:
			words++
			low := s.norm[tk.a:tk.b]
			fw := functionWord(low)
			if fw == fwNone {
				s.wordFeatures(text, tk, low)
			}
			s.lexEN(lx, i, low)
			if clause && fw != fwSkip {
				s.addFeat(hbytes(hkind(fFirst), low), tk.start, tk.end)
			}
			if prev >= 0 {
				p := &s.toks[prev]
				h := hbytes(hkind(fBigram), s.norm[p.a:p.b])
				h = hbytes(hbyte(h, ' '), low)
				s.addFeat(h, p.start, tk.end)
			}
			if !caps && tk.end-tk.start >= 3 && isCaps(text[tk.start:tk.end]) {
				caps = true
			}
			if !digits && low[0] >= '0' && low[0] <= '9' {
				digits = true
			}
			prev, prevKo, clause = i, -1, false
		case kindHangul:
			words++
			run := text[tk.start:tk.end]
			s.koFeatures(run, tk.start, tk.end)
			s.lexKO(lx, text, i, prevKo)
			if clause {
				s.addFeat(hstring(hkind(fFirst), run), tk.start, tk.end)
			}
			if prevKo >= 0 {
				p := &s.toks[prevKo]
				h := hstring(hkind(fKoBi), text[p.start:p.end])
				h = hstring(hbyte(h, ' '), run)
				s.addFeat(h, p.start, tk.end)
			}
			prev, prevKo, clause = -1, i, false
		case kindJamo:
			h := hkind(fJamoRun)
			var last rune = -1
			n := 0
			for _, r := range text[tk.start:tk.end] {
				if r == last {
					if n++; n > 2 {
						continue
					}
				} else {
					last, n = r, 1
				}
				h = hstring(h, string(r))
			}
			s.addFeat(h, tk.start, tk.end)
			prev, prevKo = -1, -1
		case kindEmoji:
			key := s.norm[tk.a:tk.b]
			s.addFeat(hbytes(hkind(fEmoji), key), tk.start, tk.end)
			if v, ok := emojiPolarity[string(key)]; ok {
				s.addLex(lexClass(v, false), tk.start, tk.end, -1, -1)
			}
			prev, prevKo = -1, -1
		case kindQuestion:
			qmark = true
			prev, prevKo, clause = -1, -1, true
			s.lex.clause(true)
		case kindBreak:
			c := text[tk.start]
			if c == '!' || tk.end-tk.start > 1 && text[tk.start:tk.end] == "！" {
				excl++
			}
			prev, prevKo, clause = -1, -1, true
			s.lex.clause(c != ',' && c != ';' && c != ':' && text[tk.start:tk.end] != "，" && text[tk.start:tk.end] != "、")
		case kindURL:
			url = true
			prev, prevKo = -1, -1
		case kindMention:
			mention = true
			prev, prevKo = -1, -1
		}
	}
	s.lexMessage()
	s.addShapes(shape{qmark: qmark, excl: excl, url: url, mention: mention, caps: caps, digits: digits, words: words})
}

// shape is what the shape features say of a message.
type shape struct {
	qmark, url, mention, caps, digits bool
	excl, words                       int
}

func (s *scratch) addShapes(sh shape) {
	// A question mark followed only by breaks and emoji still ends the
	// message.
	endsQ := false
	for i := len(s.toks) - 1; i >= 0; i-- {
		k := s.toks[i].kind
		if k == kindQuestion {
			endsQ = true
			break
		}
		if k != kindBreak && k != kindEmoji {
			break
		}
	}
	for _, f := range []struct {
		on    bool
		shape int
	}{{sh.qmark, shapeQMark}, {endsQ, shapeEndsQ}, {sh.excl > 0, shapeExcl}, {sh.excl >= 3, shapeExcl3},
		{sh.url, shapeURL}, {sh.mention, shapeMention}, {sh.caps, shapeCaps}, {sh.digits, shapeDigits}} {
		if f.on {
			s.addShape(f.shape)
		}
	}
	switch w := sh.words; {
	case w == 0:
	case w == 1:
		s.addShape(shapeLen1)
	case w < 4:
		s.addShape(shapeLen2)
	case w < 8:
		s.addShape(shapeLen4)
	case w < 16:
		s.addShape(shapeLen8)
	case w < 32:
		s.addShape(shapeLen16)
	default:
		s.addShape(shapeLen32)
	}
}

// English function words are not features of their own (nor their
// character n-grams): on their own they say nothing of a tag, and a model
// that weighs them learns how long or how formal each source's messages
// are ("the" +1.2 for defect) instead of what they say. They still make
// pairs ("is down", "how do") and the be-forms start a clause (^is).
const (
	fwNone  = iota // a word like any other
	fwSkip         // no feature of its own
	fwFirst        // only as the first word of a clause
)

func functionWord(low []byte) int {
	switch string(low) {
	case "the", "a", "an", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "for", "with",
		"by", "from", "as", "into", "onto", "than", "that", "this", "these", "those", "it", "its",
		"i", "me", "my", "we", "us", "our", "you", "your", "he", "him", "his", "she", "her",
		"they", "them", "their", "there", "here", "so", "then", "been", "being", "be":
		return fwSkip
	case "is", "are", "was", "were", "am":
		return fwFirst
	}
	return fwNone
}

// Korean function words, written as words of their own — auxiliaries
// and copulas (있어요, 같아요, 입니다, 합니다), conjunctions (그래서,
// 그리고), pronouns (이, 그, 저는, 제가) and intensifiers (너무, 진짜, 좀;
// the lexicon's features say what they intensify) — are not features of
// their own either, for the same reason: the third round's model gave 있어요
// +6 towards urgent, because outages are ongoing ("출근 체크를 못 하고
// 있어요"), and called "그 아이가 가고 있어요" urgent. They still make pairs ("하고
// 있어요" is a feature) and start a clause. Attached to a stem (결제돼요,
// 불편합니다) an ending stays part of the word's grams.
func koFunctionWord(run string) bool {
	switch run {
	case "있어요", "있습니다", "있어", "있음", "있는데", "있고", "있어서", "있었어요", "있었습니다", "있네요", "있는", "있다",
		"같아요", "같습니다", "같은데", "같네요", "같음", "같다", "같은",
		"입니다", "이에요", "예요", "이고", "이다",
		"합니다", "해요", "했어요", "했습니다", "하고", "하는데", "해서", "했는데", "한다", "했다",
		"됩니다", "돼요", "됐어요", "되었습니다", "된다", "됐다",
		"거예요", "거에요", "겁니다", "것", "거", "수", "것은", "것이", "것을",
		"그리고", "그래서", "그런데", "근데", "그러나", "또", "및",
		"이", "그", "저", "이거", "그거", "이것", "그것", "이것은", "그것은", "이것이", "그것이",
		"저는", "제가", "제", "저희", "저희는", "나", "나는", "내가", "내", "너", "당신", "당신은", "당신이", "우리", "우리는", "우리가",
		"너무", "정말", "진짜", "좀", "더", "많이", "아주", "매우", "다":
		return true
	}
	return false
}

// maxGramWord is the longest word (bytes) whose character n-grams are
// taken; a longer one (a hash, an id) counts as a word only.
const maxGramWord = 24

func (s *scratch) wordFeatures(text string, tk *token, low []byte) {
	if allDigits(low) && len(low) >= 4 {
		s.addFeat(hstring(hkind(fWord), "#num"), tk.start, tk.end)
		return
	}
	s.addFeat(hbytes(hkind(fWord), low), tk.start, tk.end)
	if len(low) < 3 || len(low) > maxGramWord {
		return
	}
	// n-grams of "<" + low + ">", n = 3 and 4, at byte offsets.
	n := len(low) + 2
	at := func(i int) byte {
		switch i {
		case 0:
			return '<'
		case n - 1:
			return '>'
		}
		return low[i-1]
	}
	for i := 0; i+3 <= n; i++ {
		h := hbyte(hbyte(hbyte(hkind(fGram), at(i)), at(i+1)), at(i+2))
		s.addFeat(h, tk.start, tk.end)
		if i+4 <= n {
			s.addFeat(hbyte(h, at(i+3)), tk.start, tk.end)
		}
	}
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

func isCaps(w string) bool {
	letters := 0
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'a' && c <= 'z':
			return false
		case c >= 'A' && c <= 'Z':
			letters++
		}
	}
	return letters >= 3
}

// koFeatures adds the features of one Korean word, run (syllables only,
// three bytes each) at bytes [start, end) of the text.
func (s *scratch) koFeatures(run string, start, end int32) {
	if koFunctionWord(run) {
		return
	}
	s.addFeat(hstring(hkind(fKo), run), start, end)
	n := len(run) / 3
	syl := func(i int) string { return run[i*3 : i*3+3] }
	for i := range n {
		if i >= 16 {
			break
		}
		// 1-grams.
		s.addFeat(hstring(hkind(fKoGram), syl(i)), start, end)
	}
	// 2- and 3-grams of < s1 … sn >, boundaries as '<' and '>'.
	m := min(n, 16) + 2
	part := func(h uint32, i int) uint32 {
		switch i {
		case 0:
			return hbyte(h, '<')
		case m - 1:
			return hbyte(h, '>')
		}
		return hstring(h, syl(i-1))
	}
	for i := 0; i+2 <= m; i++ {
		h := part(part(hbyte(hkind(fKoGram), 2), i), i+1)
		s.addFeat(h, start, end)
		if i+3 <= m {
			s.addFeat(part(part(part(hbyte(hkind(fKoGram), 3), i), i+1), i+2), start, end)
		}
	}
	// The last syllable's vowel and final consonant.
	r, _ := utf8.DecodeRuneInString(run[len(run)-3:])
	v := (r - 0xAC00) % (21 * 28)
	s.addFeat(hbyte(hbyte(hkind(fKoJamo), byte(v/28)), byte(v%28)), start, end)
}
