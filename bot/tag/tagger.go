package tag

import (
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// Tag is one label on a customer message, with why it was given.
type Tag struct {
	Name   string  `json:"name"`
	Score  float64 `json:"score"`  // 0..1 confidence
	Reason string  `json:"reason"` // never empty: which rule, which words, e.g. `rule complaint/en: matched "not working", "refund"`
}

// Rule is an operator's tag rule from the config. A rule named like a
// built-in tag adds keywords to it; any other name adds a new tag.
// Keywords match like the built-in ones (English: case-insensitive whole
// words and phrases with simple inflections; Korean: with particles and
// endings attached, with or without spaces). Regex is RE2 syntax, at most
// 1 KiB, matched case-insensitively against the whole message. A rule
// named noise adds small-talk words and takes no regex.
type Rule struct {
	Name     string
	Keywords []string
	Regex    string
}

// The built-in tags.
const (
	Complaint = "complaint"
	Defect    = "defect"
	Question  = "question"
	Praise    = "praise"
	Idea      = "idea"
	Urgent    = "urgent"
	Noise     = "noise"
)

// Tagger tags customer messages with built-in English and Korean rules,
// the operator's rules and a learned model (model.go), and learns from
// staff corrections (learn.go). It is safe for concurrent use; only Learn
// changes it. A nil *Tagger tags with the built-in rules and the
// embedded model.
type Tagger struct {
	rules   []string         // tag name by rule index; the first six are the built-ins
	vocab   map[string]int32 // English stem -> word id
	wflags  []uint8          // word flags by word id
	koSmall map[string]struct{}
	// Built-in keywords [0] and operator keywords [1] are matched
	// separately, so a longer built-in phrase never hides an operator's
	// keyword (결제가 두 번 still holds the operator's 결제).
	en      [2]enIndex
	ko      [2]koIndex
	emoji   map[string]int32 // emoji key -> entry
	entries []entry          // emoji, mixed-keyword entries
	mixed   []mixedKeyword
	regexes []opRegex

	model   *Model // nil: rules only
	use     Use
	learnMu sync.Mutex              // serializes Learn
	learned atomic.Pointer[learned] // what corrections taught; nil: nothing
}

// Use says which parts of a Tagger decide the built-in tags.
type Use uint8

const (
	// RulesAndModel (the default): the model's margin and the rules'
	// score make one calibrated probability per built-in tag.
	RulesAndModel Use = iota
	// RulesOnly: the keyword rules alone, as before the model.
	RulesOnly
	// ModelOnly: the model alone decides the built-in tags; small talk
	// (noise) and the operator's rules still apply.
	ModelOnly
)

// String is the name -eval prints: "rules+model", "rules", "model".
func (u Use) String() string {
	switch u {
	case RulesOnly:
		return "rules"
	case ModelOnly:
		return "model"
	}
	return "rules+model"
}

// Config is what Build makes a Tagger of. Its zero value is the built-in
// rules and the embedded model.
type Config struct {
	Rules []Rule // the operator's rules
	Model *Model // nil: EmbeddedModel()
	Use   Use
}

// Rule indexes of the built-in tags, in the order of Tagger.rules.
const (
	ruleComplaint = iota
	ruleDefect
	ruleQuestion
	rulePraise
	ruleIdea
	ruleUrgent
	nBuiltin
)

var builtinNames = [nBuiltin]string{Complaint, Defect, Question, Praise, Idea, Urgent}

// Where a piece of evidence comes from, for the reason.
const (
	srcEN  = iota // rule <tag>/en
	srcKO         // rule <tag>/ko
	srcAny        // language-neutral ("?", emoji): the message's language
	srcOp         // operator rule <tag>
)

// Target flags.
const (
	flagBooster = 1 << iota // counts only when the rule has other evidence
	flagWeak                // acknowledgement-grade: small talk can override it
	flagStart               // Korean: must start a word
	flagEnd                 // Korean: must end a word
	flagRegex               // operator regex
)

// target is what a matched keyword says: rule, source, weight.
type target struct {
	rule  int16
	src   uint8
	flags uint8
	w     float64
}

type entry struct {
	targets []target
	small   bool // emoji: small talk
}

type mixedKeyword struct {
	needle string // lowercased, without spaces
	entry  int32
}

type opRegex struct {
	re   *regexp.Regexp
	rule int16
}

// Evidence keys: the kind in the top byte, the entry index below.
const (
	keyEN = iota << 24
	keyKO
	keyEntry
	keyQMark
	keyNegEN
	keyNegKO
	keyRegex
)

// evidence is one matched piece of evidence for one rule.
type evidence struct {
	key        int32
	rule       int16
	src, flags uint8
	w          float64
	start, end int32 // the words as found in the text
}

// New builds a tagger from the built-in rules, the operator's rules and
// the embedded model: Build(Config{Rules: rules}).
func New(rules []Rule) (*Tagger, error) {
	return Build(Config{Rules: rules})
}

// Build builds a tagger. Errors name the rule: an empty or duplicate name,
// a rule with neither keywords nor regex, an empty keyword, a regex that
// does not compile, is longer than 1 KiB, is too complex or matches the
// empty text; or say that the embedded model does not load.
func Build(c Config) (*Tagger, error) {
	rules := c.Rules
	b := newBuilder()
	b.t.use = c.Use
	if c.Use != RulesOnly {
		b.t.model = c.Model
		if b.t.model == nil {
			m, err := EmbeddedModel()
			if err != nil {
				return nil, err
			}
			b.t.model = m
		}
		loadLexicon() // the sentiment lexicons, read now rather than at the first message
	}
	b.addBuiltins()
	seen := make(map[string]bool)
	for i, r := range rules {
		name := strings.TrimSpace(r.Name)
		if err := checkName(name); err != nil {
			return nil, fmt.Errorf("tag rule %d %q: %w", i+1, r.Name, err)
		}
		if seen[name] {
			return nil, fmt.Errorf("tag rule %q: defined twice", name)
		}
		seen[name] = true
		if err := b.addOperator(name, r); err != nil {
			return nil, fmt.Errorf("tag rule %q: %w", name, err)
		}
	}
	return b.t, nil
}

func checkName(name string) error {
	if name == "" {
		return fmt.Errorf("empty name")
	}
	if len(name) > 64 {
		return fmt.Errorf("name longer than 64 bytes")
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' && r != '.' && r != '/' {
			return fmt.Errorf("name may hold only letters, digits and - _ . /")
		}
	}
	return nil
}

// builder holds what is only needed while building a Tagger.
type builder struct {
	t       *Tagger
	phrases [2]map[string]int32 // EN phrase key -> phrase index, per set
	s       *scratch
}

func newBuilder() *builder {
	t := &Tagger{
		rules:   slices.Clone(builtinNames[:]),
		vocab:   make(map[string]int32),
		koSmall: make(map[string]struct{}),
		emoji:   make(map[string]int32),
	}
	for i := range t.ko {
		t.ko[i].index = make(map[string]int32)
	}
	return &builder{t: t, phrases: [2]map[string]int32{{}, {}}, s: new(scratch)}
}

func (b *builder) ruleIndex(name string) int16 {
	if i := slices.Index(b.t.rules, name); i >= 0 {
		return int16(i)
	}
	b.t.rules = append(b.t.rules, name)
	return int16(len(b.t.rules) - 1)
}

// opWeight is the weight of one operator keyword or regex match.
const opWeight = 0.6

func (b *builder) addOperator(name string, r Rule) error {
	if len(r.Keywords) == 0 && strings.TrimSpace(r.Regex) == "" {
		return fmt.Errorf("no keywords and no regex")
	}
	if name == Noise {
		if r.Regex != "" {
			return fmt.Errorf("noise takes small-talk keywords, not a regex")
		}
		for j, kw := range r.Keywords {
			if err := b.addSmallTalk(kw); err != nil {
				return fmt.Errorf("keyword %d %q: %w", j+1, kw, err)
			}
		}
		return nil
	}
	rule := b.ruleIndex(name)
	tg := target{rule: rule, src: srcOp, w: opWeight}
	for j, kw := range r.Keywords {
		if err := b.addKeyword(kw, tg, true); err != nil {
			return fmt.Errorf("keyword %d %q: %w", j+1, kw, err)
		}
	}
	if r.Regex != "" {
		re, err := compileRegex(r.Regex)
		if err != nil {
			return err
		}
		b.t.regexes = append(b.t.regexes, opRegex{re: re, rule: rule})
	}
	return nil
}

// maxRegex is the longest operator regex accepted, in bytes.
const maxRegex = 1024

func compileRegex(pat string) (*regexp.Regexp, error) {
	if len(pat) > maxRegex {
		return nil, fmt.Errorf("regex is %d bytes, more than the %d allowed", len(pat), maxRegex)
	}
	full := "(?i)" + pat
	parsed, err := syntax.Parse(full, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("regex: %w", err)
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, fmt.Errorf("regex: %w", err)
	}
	if len(prog.Inst) > 4000 {
		return nil, fmt.Errorf("regex too complex (%d instructions, at most 4000)", len(prog.Inst))
	}
	re, err := regexp.Compile(full)
	if err != nil {
		return nil, fmt.Errorf("regex: %w", err)
	}
	if re.MatchString("") {
		return nil, fmt.Errorf("regex %q matches an empty message", pat)
	}
	return re, nil
}

// addKeyword indexes one keyword for a target. English keywords become
// stemmed phrases, Korean keywords compact syllable strings, a lone emoji
// an emoji key; anything else (mixed scripts, symbols) is matched as a
// substring of the lowercased message without spaces.
func (b *builder) addKeyword(kw string, tg target, operator bool) error {
	kw = strings.TrimSpace(kw)
	if kw == "" {
		return fmt.Errorf("empty keyword")
	}
	if len(kw) > 200 {
		return fmt.Errorf("keyword longer than 200 bytes")
	}
	clause := false
	if !operator {
		switch kw[0] {
		case '^':
			clause, kw = true, kw[1:]
			tg.flags |= flagStart
		case '-':
			kw = kw[1:]
			tg.flags |= flagEnd
		}
	}
	s := b.s
	s.scan(kw)
	var words, hangul, emoji, other int
	for _, tk := range s.toks {
		switch tk.kind {
		case kindWord:
			words++
		case kindHangul:
			hangul++
		case kindEmoji:
			emoji++
		case kindBreak, kindQuestion:
		default:
			other++
		}
	}
	switch {
	case words > 0 && hangul+emoji+other == 0:
		return b.addEN(s, tg, clause, operator)
	case hangul > 0 && words+emoji+other == 0:
		return b.addKO(kw, tg, operator)
	case words+hangul+emoji+other == 0:
		return fmt.Errorf("keyword has no letters, digits or emoji")
	case emoji == 1 && words+hangul+other == 0:
		for _, tk := range s.toks {
			if tk.kind == kindEmoji {
				e := b.entry(string(s.norm[tk.a:tk.b]))
				b.t.entries[e].targets = append(b.t.entries[e].targets, tg)
			}
		}
		return nil
	case !operator:
		return fmt.Errorf("built-in keyword is not English, Korean or one emoji")
	}
	needle := lowerCompact(kw)
	if needle == "" {
		return fmt.Errorf("keyword has no letters, digits or emoji")
	}
	b.t.entries = append(b.t.entries, entry{targets: []target{tg}})
	b.t.mixed = append(b.t.mixed, mixedKeyword{needle: needle, entry: int32(len(b.t.entries) - 1)})
	return nil
}

// entry returns the emoji entry for key, creating it.
func (b *builder) entry(key string) int32 {
	if e, ok := b.t.emoji[key]; ok {
		return e
	}
	b.t.entries = append(b.t.entries, entry{})
	e := int32(len(b.t.entries) - 1)
	b.t.emoji[key] = e
	return e
}

func (b *builder) addSmallTalk(kw string) error {
	s := b.s
	s.scan(kw)
	n := 0
	for _, tk := range s.toks {
		switch tk.kind {
		case kindWord:
			b.t.wflags[b.word(string(s.norm[tk.b:tk.c]))] |= wordSmall
		case kindHangul, kindJamo:
			b.t.koSmall[kw[tk.start:tk.end]] = struct{}{}
		case kindEmoji:
			b.t.entries[b.entry(string(s.norm[tk.a:tk.b]))].small = true
		case kindBreak, kindQuestion:
			continue
		default:
			return fmt.Errorf("small talk must be words or emoji")
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("keyword has no letters, digits or emoji")
	}
	return nil
}

func lowerCompact(s string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(s) {
		if !unicode.IsSpace(r) {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// ---- English ----

// Word flags.
const (
	wordSmall      = 1 << iota // small talk: thanks, ok, hi
	wordSkip                   // skippable inside a phrase: please, just, really, so
	wordNeg                    // negates a following praise word
	wordClauseSkip             // greetings and fillers that keep a clause open
)

// enIndex is an English index: phrases by the word id of their first stem,
// longest first.
type enIndex struct {
	first   [][]int32
	phrases []phrase
}

type phrase struct {
	ids     []int32
	clause  bool // only at the start of a sentence or clause
	targets []target
	praise  bool // has a non-booster praise target (negatable)
}

func (b *builder) word(stem string) int32 {
	if id, ok := b.t.vocab[stem]; ok {
		return id
	}
	id := int32(len(b.t.wflags))
	b.t.vocab[stem] = id
	b.t.wflags = append(b.t.wflags, 0)
	return id
}

func (b *builder) addEN(s *scratch, tg target, clause, operator bool) error {
	var ids []int32
	for _, tk := range s.toks {
		if tk.kind == kindWord {
			ids = append(ids, b.word(string(s.norm[tk.b:tk.c])))
		}
	}
	// Skippable words are skipped in messages, so drop them from phrases,
	// unless nothing would be left.
	kept := ids[:0:0]
	for _, id := range ids {
		if b.t.wflags[id]&wordSkip == 0 {
			kept = append(kept, id)
		}
	}
	if len(kept) > 0 {
		ids = kept
	}
	if len(ids) > 16 {
		return fmt.Errorf("keyword longer than 16 words")
	}
	set := indexSet(operator)
	en := &b.t.en[set]
	key := fmt.Sprint(clause, ids)
	pi, ok := b.phrases[set][key]
	if !ok {
		en.phrases = append(en.phrases, phrase{ids: ids, clause: clause})
		pi = int32(len(en.phrases) - 1)
		b.phrases[set][key] = pi
		for int(ids[0]) >= len(en.first) {
			en.first = append(en.first, nil)
		}
		f := &en.first[ids[0]]
		*f = append(*f, pi)
		ph := en.phrases
		slices.SortStableFunc(*f, func(x, y int32) int { return len(ph[y].ids) - len(ph[x].ids) })
	}
	ph := &en.phrases[pi]
	if tg.rule >= 0 {
		tg.flags &^= flagStart
		ph.targets = append(ph.targets, tg)
		if tg.rule == rulePraise && tg.flags&flagBooster == 0 {
			ph.praise = true
		}
	}
	return nil
}

// indexSet is the index set of a keyword: 0 built-in, 1 operator.
func indexSet(operator bool) int {
	if operator {
		return 1
	}
	return 0
}

// spec is one group of built-in keywords of one weight for one rule.
// Keywords may hold {a|b|} alternatives; "^kw" matches only at the start
// of a sentence or clause (English) or of a word (Korean); "-kw" only at
// the end of a Korean word. A rule of -1 makes stop phrases: matched and
// consumed, tagging nothing ("good morning" is not praise).
type spec struct {
	rule  int16
	w     float64
	flags uint8
	kws   []string
}

func (b *builder) addBuiltins() {
	for _, w := range strings.Fields(smallTalkEN) {
		b.t.wflags[b.word(stemString(w))] |= wordSmall
	}
	for _, w := range strings.Fields(skipEN) {
		b.t.wflags[b.word(stemString(w))] |= wordSkip | wordClauseSkip
	}
	for _, w := range strings.Fields(negEN) {
		b.t.wflags[b.word(stemString(w))] |= wordNeg
	}
	for _, w := range strings.Fields(clauseSkipEN) {
		b.t.wflags[b.word(stemString(w))] |= wordClauseSkip
	}
	for _, sp := range specsEN {
		b.addSpec(sp, srcEN)
	}
	for _, sp := range specsKO {
		b.addSpec(sp, srcKO)
	}
	for _, sp := range specsEmoji {
		b.addSpec(sp, srcAny)
	}
	for _, w := range strings.Fields(smallTalkKO) {
		b.t.koSmall[w] = struct{}{}
	}
	for _, e := range strings.Fields(smallTalkEmoji) {
		b.s.scan(e)
		for _, tk := range b.s.toks {
			if tk.kind == kindEmoji {
				b.t.entries[b.entry(string(b.s.norm[tk.a:tk.b]))].small = true
			}
		}
	}
}

func (b *builder) addSpec(sp spec, src uint8) {
	for _, kw := range sp.kws {
		for _, x := range expand(kw) {
			tg := target{rule: sp.rule, src: src, flags: sp.flags, w: sp.w}
			if err := b.addKeyword(x, tg, false); err != nil {
				panic(fmt.Sprintf("built-in keyword %q: %v", x, err))
			}
		}
	}
}

// expand expands {a|b|} alternatives: "{can|could} you" -> "can you",
// "could you". Spaces are collapsed.
func expand(s string) []string {
	i := strings.IndexByte(s, '{')
	if i < 0 {
		return []string{strings.Join(strings.Fields(s), " ")}
	}
	j := i + strings.IndexByte(s[i:], '}')
	var out []string
	for _, alt := range strings.Split(s[i+1:j], "|") {
		out = append(out, expand(s[:i]+alt+s[j+1:])...)
	}
	return out
}

func stemString(w string) string {
	b := []byte(strings.ToLower(strings.ReplaceAll(w, "'", "")))
	return string(stemEN(b))
}

// ---- scanning ----

// Token kinds.
const (
	kindWord     = iota + 1 // letters and digits other than Hangul
	kindHangul              // a run of Hangul syllables
	kindJamo                // a run of Hangul jamo: ㅋㅋ, ㅎㅎ, ㅠㅠ
	kindEmoji               // one emoji, a :shortcode: or a Discord custom emoji
	kindQuestion            // ? or ？
	kindBreak               // . ! , ; : newline: ends a clause
	kindURL                 // a link
	kindMention             // <@U123>, <#C123|x>, <!here>
)

type token struct {
	kind       uint8
	start, end int32 // bytes of the text
	a, b, c    int32 // word: lowered norm[a:b], stem norm[b:c]; emoji: key norm[a:b]
}

// matchTok is a word token in the English matching pass.
type matchTok struct {
	tok    int32
	id     int32
	brk    bool // something other than a space came before it
	clause bool // it starts a sentence or clause
}

// scratch is the per-call working memory, pooled.
type scratch struct {
	toks    []token
	norm    []byte
	mt      []matchTok
	ev      []evidence
	small   []int32 // small-talk tokens, for the noise reason
	ko      []byte  // Hangul syllables of the message, spaces removed
	koOrig  []int32 // byte offset in the text of each syllable
	koFlag  []uint8 // flagStart, flagEnd per syllable
	koSeg   []int32 // syllable index where each space-joined segment starts
	koJoin  bool    // only spaces since the last Hangul token
	reason  []byte  // a reason being built
	low     []byte  // mixed keywords: lowercased text without spaces
	lowOff  []int32
	feats   []feat // the model's features
	lex     lexState
	lexBuf  []byte
	contrib []contribution
	places  []place
	hangul  int
	latin   int
	subst   bool // a token that is not small talk
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func putScratch(s *scratch) {
	if cap(s.norm) > 1<<16 || cap(s.toks) > 1<<13 {
		return // do not keep the memory of one huge message
	}
	scratchPool.Put(s)
}

func (s *scratch) reset() {
	s.toks, s.norm, s.mt, s.ev, s.small = s.toks[:0], s.norm[:0], s.mt[:0], s.ev[:0], s.small[:0]
	s.ko, s.koOrig, s.koFlag, s.koSeg = s.ko[:0], s.koOrig[:0], s.koFlag[:0], s.koSeg[:0]
	s.low, s.lowOff, s.feats = s.low[:0], s.lowOff[:0], s.feats[:0]
	s.koJoin, s.hangul, s.latin, s.subst = false, 0, 0, false
}

func (s *scratch) push(kind uint8, start, end int) {
	s.toks = append(s.toks, token{kind: kind, start: int32(start), end: int32(end)})
	s.koJoin = false
}

// scan splits text into tokens in one pass. It never fails: invalid UTF-8
// and unknown symbols are separators.
func (s *scratch) scan(text string) {
	s.reset()
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case isAlnum(c):
				if urlAt(text, i) {
					i = s.url(text, i)
				} else {
					i = s.word(text, i)
				}
			case c == '?':
				s.push(kindQuestion, i, i+1)
				i++
			case c == '<':
				i = s.markup(text, i)
			case c == '@' && handleAt(text, i):
				// A handle typed as text (@united, @support_team): a
				// mention, so "@united why was my flight cancelled"
				// still starts its clause with "why".
				j := i + 1
				for j < len(text) && (isAlnum(text[j]) || text[j] == '_') {
					j++
				}
				s.push(kindMention, i, j)
				i = j
			case c == ':':
				i = s.colon(text, i)
			case c == '.' || c == '!' || c == ',' || c == ';' || c == '\n' || c == '\r':
				s.push(kindBreak, i, i+1)
				i++
			default:
				if c != ' ' && c != '\t' {
					s.koJoin = false
				}
				i++
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			s.koJoin = false
			i++
		case isSyllable(r):
			i = s.hangulRun(text, i)
		case isJamo(r):
			i = s.jamoRun(text, i)
		case r == '？':
			s.push(kindQuestion, i, i+n)
			i += n
		case r == '。' || r == '！' || r == '，' || r == '、' || r == '…' || r == '\u2028':
			s.push(kindBreak, i, i+n)
			i += n
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			i = s.word(text, i)
		case isEmojiMod(r):
			i += n
		case isEmoji(r):
			s.pushEmoji(text[i:i+n], i, i+n)
			i += n
		default:
			if !unicode.IsSpace(r) {
				s.koJoin = false
			}
			i += n
		}
	}
}

// handleAt reports whether the '@' at i starts a handle: a letter, digit
// or '_' follows, and it is not inside a word (an e-mail address).
func handleAt(text string, i int) bool {
	if i+1 >= len(text) || !isAlnum(text[i+1]) && text[i+1] != '_' {
		return false
	}
	return i == 0 || !isAlnum(text[i-1]) && text[i-1] != '_' && text[i-1] != '.'
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isSyllable(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }

func isJamo(r rune) bool { return r >= 0x3131 && r <= 0x318E || r >= 0x1100 && r <= 0x11FF }

func isEmojiMod(r rune) bool {
	return r == 0xFE0F || r == 0xFE0E || r == 0x200D || r == 0x20E3 || r >= 0x1F3FB && r <= 0x1F3FF || r >= 0xE0020 && r <= 0xE007F
}

func isEmoji(r rune) bool {
	return r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF || r >= 0x2B00 && r <= 0x2BFF ||
		r == 0x203C || r == 0x2049 || r >= 0x2190 && r <= 0x21FF || r >= 0x2300 && r <= 0x23FF
}

func urlAt(text string, i int) bool {
	rest := text[i:]
	return hasPrefixFold(rest, "http://") || hasPrefixFold(rest, "https://") || hasPrefixFold(rest, "www.")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// url skips a link to the next space or '>'.
func (s *scratch) url(text string, i int) int {
	j := i
	for j < len(text) && text[j] != ' ' && text[j] != '\n' && text[j] != '\t' && text[j] != '>' {
		j++
	}
	s.push(kindURL, i, j)
	return j
}

// word reads letters, digits and inner apostrophes; it stores the word
// lowercased without apostrophes, then its stem.
func (s *scratch) word(text string, i int) int {
	a := len(s.norm)
	j := i
	for j < len(text) {
		c := text[j]
		if c < utf8.RuneSelf {
			if isAlnum(c) {
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				if c > '9' {
					s.latin++
				}
				s.norm = append(s.norm, c)
				j++
				continue
			}
			if c == '\'' && j > i && j+1 < len(text) && isAlnum(text[j+1]) {
				j++
				continue
			}
			break
		}
		r, n := utf8.DecodeRuneInString(text[j:])
		if r == '’' && j > i && j+n < len(text) && isAlnum(text[j+n]) {
			j += n
			continue
		}
		if isSyllable(r) || isJamo(r) || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			break
		}
		if unicode.IsLetter(r) {
			s.latin++
		}
		s.norm = utf8.AppendRune(s.norm, unicode.ToLower(r))
		j += n
	}
	if j == i { // cannot happen: the caller saw a letter or digit
		return i + 1
	}
	bEnd := len(s.norm)
	s.norm = append(s.norm, s.norm[a:bEnd]...)
	stem := stemEN(s.norm[bEnd:])
	s.norm = s.norm[:bEnd+len(stem)]
	s.push(kindWord, i, j)
	tk := &s.toks[len(s.toks)-1]
	tk.a, tk.b, tk.c = int32(a), int32(bEnd), int32(bEnd+len(stem))
	return j
}

func (s *scratch) hangulRun(text string, i int) int {
	if !s.koJoin || len(s.toks) == 0 || s.toks[len(s.toks)-1].kind != kindHangul {
		s.koSeg = append(s.koSeg, int32(len(s.koOrig)))
	}
	j := i
	first := true
	for j+3 <= len(text) {
		r, n := utf8.DecodeRuneInString(text[j:])
		if !isSyllable(r) {
			break
		}
		s.ko = append(s.ko, text[j:j+n]...)
		s.koOrig = append(s.koOrig, int32(j))
		f := uint8(0)
		if first {
			f = flagStart
			first = false
		}
		s.koFlag = append(s.koFlag, f)
		s.hangul++
		j += n
	}
	s.koFlag[len(s.koFlag)-1] |= flagEnd
	s.push(kindHangul, i, j)
	s.koJoin = true
	return j
}

func (s *scratch) jamoRun(text string, i int) int {
	j := i
	for j < len(text) {
		r, n := utf8.DecodeRuneInString(text[j:])
		if !isJamo(r) {
			break
		}
		j += n
	}
	s.push(kindJamo, i, j)
	return j
}

func (s *scratch) pushEmoji(key string, start, end int) {
	a := len(s.norm)
	s.norm = append(s.norm, key...)
	s.push(kindEmoji, start, end)
	tk := &s.toks[len(s.toks)-1]
	tk.a, tk.b = int32(a), int32(len(s.norm))
}

// markup handles Slack and Discord markup: <@U1>, <#C1|general>, <!here>,
// <https://x|label>, <:name:123> / <a:name:123> (a custom emoji, keyed
// :name:). Anything else makes '<' a separator.
func (s *scratch) markup(text string, i int) int {
	end := -1
	for j := i + 1; j < len(text) && j < i+512; j++ {
		if text[j] == '>' {
			end = j + 1
			break
		}
		if text[j] == '<' || text[j] == '\n' {
			break
		}
	}
	if end < 0 || end-i < 3 {
		s.koJoin = false
		return i + 1
	}
	inner := text[i+1 : end-1]
	switch {
	case inner[0] == '@' || inner[0] == '#' || inner[0] == '!':
		s.push(kindMention, i, end)
	case urlAt(inner, 0) || hasPrefixFold(inner, "mailto:"):
		s.push(kindURL, i, end)
	case inner[0] == ':' || strings.HasPrefix(inner, "a:"):
		name := inner[strings.IndexByte(inner, ':'):]
		if k := strings.IndexByte(name[1:], ':'); k > 0 {
			s.pushEmojiName(name[1:k+1], i, end)
		} else {
			s.push(kindMention, i, end)
		}
	default:
		s.koJoin = false
		return i + 1
	}
	return end
}

// colon reads a :shortcode: emoji; a lone ':' ends a clause.
func (s *scratch) colon(text string, i int) int {
	letter := i+2 < len(text) && (text[i+1] == '+' || text[i+1] == '-') // :+1:, :-1:
	for j := i + 1; j < len(text) && j <= i+41; j++ {
		c := text[j]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9' || c == '_' || c == '+' || c == '-':
		case c == ':' && j > i+1 && letter:
			s.pushEmojiName(text[i+1:j], i, j+1)
			return j + 1
		default:
			j = len(text)
		}
	}
	s.push(kindBreak, i, i+1)
	return i + 1
}

func (s *scratch) pushEmojiName(name string, start, end int) {
	a := len(s.norm)
	s.norm = append(s.norm, ':')
	for k := 0; k < len(name); k++ {
		c := name[k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		s.norm = append(s.norm, c)
	}
	s.norm = append(s.norm, ':')
	s.push(kindEmoji, start, end)
	tk := &s.toks[len(s.toks)-1]
	tk.a, tk.b = int32(a), int32(len(s.norm))
}

// ---- tagging ----

var defaultTagger = sync.OnceValue(func() *Tagger {
	t, err := New(nil)
	if err != nil {
		panic(err)
	}
	return t
})

// Tag tags one message. Tags are sorted by score, highest first, then by
// name. An empty or small-talk-only message gets the single tag noise; a
// message with words but nothing recognised gets no tag at all (it still
// deserves an answer). Every tag has a score in (0, 1] and a reason
// naming the rules and the words as found in the text, and the model's
// probability and strongest features when the model took part.
func (t *Tagger) Tag(text string) []Tag {
	if t == nil {
		t = defaultTagger()
	}
	s := getScratch()
	defer putScratch(s)
	t.match(s, text)
	if t.keep(s) {
		return []Tag{t.noise(s, text)}
	}
	return t.result(s, text)
}

// match scans text and collects the rules' evidence in s.ev.
func (t *Tagger) match(s *scratch, text string) {
	s.scan(text)
	t.prepass(s, text)
	for set := range 2 {
		t.matchEN(s, set)
		t.matchKO(s, set)
	}
	t.matchMixed(s, text)
	for i := range t.regexes {
		if loc := t.regexes[i].re.FindStringIndex(text); loc != nil {
			s.addEv(evidence{key: keyRegex | int32(i), rule: t.regexes[i].rule, src: srcOp,
				flags: flagRegex, w: opWeight, start: int32(loc[0]), end: int32(loc[1])})
		}
	}
}

// prepass looks up every token once: word ids and clause starts for the
// English pass, question marks, emoji, and whether anything in the
// message is more than small talk.
func (t *Tagger) prepass(s *scratch, text string) {
	clause, brk := true, true
	for i := range s.toks {
		tk := &s.toks[i]
		switch tk.kind {
		case kindWord:
			id, ok := t.vocab[string(s.norm[tk.b:tk.c])]
			if !ok {
				id = -1
			}
			var f uint8
			if id >= 0 {
				f = t.wflags[id]
			}
			s.mt = append(s.mt, matchTok{tok: int32(i), id: id, brk: brk, clause: clause})
			brk = false
			if f&wordClauseSkip == 0 {
				clause = false
			}
			s.noteSmall(i, f&wordSmall != 0)
			continue
		case kindBreak, kindQuestion:
			clause = true
			if tk.kind == kindQuestion {
				s.addEv(evidence{key: keyQMark, rule: ruleQuestion, src: srcAny, flags: flagWeak,
					w: 0.6, start: tk.start, end: tk.end})
			}
		case kindHangul:
			_, small := t.koSmall[text[tk.start:tk.end]]
			if !small {
				small = koYes(text[tk.start:tk.end])
			}
			s.noteSmall(i, small)
			clause = false
		case kindJamo:
			j := text[tk.start:tk.end]
			if disapproving(j) {
				s.addEv(evidence{key: keyEntry | 0xFFFFFF, rule: ruleComplaint, src: srcKO, w: 0.4,
					start: tk.start, end: tk.end})
				s.subst = true
			} else {
				s.noteSmall(i, allCompatJamo(j))
			}
		case kindEmoji:
			if e, ok := t.emoji[string(s.norm[tk.a:tk.b])]; ok {
				t.addEntryEv(s, e, tk.start, tk.end)
				s.noteSmall(i, t.entries[e].small)
			} else {
				s.noteSmall(i, true) // an unknown emoji says nothing
			}
		case kindURL:
			s.subst = true
		}
		brk = true
	}
}

// maxEvidence bounds the evidence kept for one message, and maxSame the
// evidence kept for one keyword, so a huge message costs linear time.
const (
	maxEvidence = 512
	maxSame     = 3
)

// addEv records evidence, up to maxSame times per keyword and rule (the
// score counts a keyword once; the reason shows its different forms).
func (s *scratch) addEv(e evidence) {
	if len(s.ev) >= maxEvidence {
		return
	}
	n := 0
	for i := range s.ev {
		if s.ev[i].key == e.key && s.ev[i].rule == e.rule {
			if n++; n >= maxSame {
				return
			}
		}
	}
	s.ev = append(s.ev, e)
}

func (s *scratch) noteSmall(tok int, small bool) {
	if !small {
		s.subst = true
	} else if len(s.small) < 6 {
		s.small = append(s.small, int32(tok))
	}
}

// disapproving reports whether a run of jamo shows displeasure: ㅡㅡ (a
// flat stare) or ㅉㅉ (tsk-tsk), each of any length (ㅉ alone is not).
func disapproving(j string) bool {
	return strings.Trim(j, "ㅡ") == "" || strings.Trim(j, "ㅉ") == "" && len(j) > len("ㅉ")
}

func allCompatJamo(s string) bool {
	for _, r := range s {
		if r < 0x3131 || r > 0x318E {
			return false
		}
	}
	return true
}

func (t *Tagger) addEntryEv(s *scratch, e int32, start, end int32) {
	for _, tg := range t.entries[e].targets {
		s.addEv(evidence{key: keyEntry | e, rule: tg.rule, src: tg.src, flags: tg.flags, w: tg.w,
			start: start, end: end})
	}
}

// matchEN finds English phrases, leftmost longest, without overlaps, so
// "not great" and "would be great" are not read as "great".
func (t *Tagger) matchEN(s *scratch, set int) {
	mt, en := s.mt, &t.en[set]
	for p := 0; p < len(mt); {
		adv := 1
		if id := mt[p].id; id >= 0 && int(id) < len(en.first) {
			for _, pi := range en.first[id] {
				ph := &en.phrases[pi]
				if ph.clause && !mt[p].clause {
					continue
				}
				end, ok := t.phraseAt(mt, p, ph.ids)
				if !ok {
					continue
				}
				t.addPhraseEv(s, set, p, end, pi)
				adv = end - p
				break
			}
		}
		p += adv
	}
}

// phraseAt reports whether ids match the words from p on, allowing
// skippable words (please, just, so) in between, and where the match ends.
func (t *Tagger) phraseAt(mt []matchTok, p int, ids []int32) (int, bool) {
	q := p + 1
	for k := 1; k < len(ids); {
		if q >= len(mt) || mt[q].brk {
			return 0, false
		}
		switch {
		case mt[q].id == ids[k]:
			k++
		case mt[q].id < 0 || t.wflags[mt[q].id]&wordSkip == 0:
			return 0, false
		}
		q++
	}
	return q, true
}

func (t *Tagger) addPhraseEv(s *scratch, set, p, end int, pi int32) {
	ph := &t.en[set].phrases[pi]
	key := int32(set<<23) | pi
	start, stop := s.toks[s.mt[p].tok].start, s.toks[s.mt[end-1].tok].end
	negated := ph.praise && p > 0 && !s.mt[p].brk && s.mt[p-1].id >= 0 && t.wflags[s.mt[p-1].id]&wordNeg != 0
	for _, tg := range ph.targets {
		if negated && tg.rule == rulePraise {
			if tg.flags&flagBooster == 0 {
				s.addEv(evidence{key: keyNegEN | key, rule: ruleComplaint, src: srcEN, w: 0.45,
					start: s.toks[s.mt[p-1].tok].start, end: stop})
			}
			continue
		}
		s.addEv(evidence{key: keyEN | key, rule: tg.rule, src: tg.src, flags: tg.flags, w: tg.w,
			start: start, end: stop})
	}
}

// matchMixed finds keywords that are neither English nor Korean words
// (mixed scripts, symbols) in the lowercased text without spaces.
func (t *Tagger) matchMixed(s *scratch, text string) {
	if len(t.mixed) == 0 {
		return
	}
	for i, r := range text {
		if unicode.IsSpace(r) {
			continue
		}
		a := len(s.low)
		s.low = utf8.AppendRune(s.low, unicode.ToLower(r))
		for range len(s.low) - a {
			s.lowOff = append(s.lowOff, int32(i))
		}
	}
	s.lowOff = append(s.lowOff, int32(len(text)))
	low := string(s.low)
	for _, m := range t.mixed {
		k := strings.Index(low, m.needle)
		if k < 0 {
			continue
		}
		end := s.lowOff[k+len(m.needle)-1]
		_, n := utf8.DecodeRuneInString(text[end:])
		t.addEntryEv(s, m.entry, s.lowOff[k], end+int32(n))
	}
}

// keep filters the evidence in s.ev: boosters only count next to other
// evidence, weak praise and wishes give way to a defect or complaint. It
// reports whether the message is noise: small talk with nothing strong.
func (t *Tagger) keep(s *scratch) bool {
	lang := srcEN
	if s.hangul*2 > s.latin {
		lang = srcKO
	}
	ev := s.ev
	var real, bad uint64 // rules (< 64) with non-booster evidence; defect/complaint seen
	for i := range ev {
		if ev[i].src == srcAny {
			ev[i].src = uint8(lang)
		}
		if ev[i].flags&flagBooster == 0 && ev[i].rule < 64 {
			real |= 1 << ev[i].rule
		}
	}
	bad = real & (1<<ruleComplaint | 1<<ruleDefect)
	strong := false
	kept := ev[:0]
	for _, e := range ev {
		if e.rule < 64 && real&(1<<e.rule) == 0 {
			continue // a booster alone
		}
		if e.flags&flagWeak != 0 && bad != 0 && (e.rule == rulePraise || e.rule == ruleIdea) {
			continue // "great, it crashed again"
		}
		if e.flags&(flagWeak|flagBooster) == 0 {
			strong = true
		}
		kept = append(kept, e)
	}
	s.ev = kept
	slices.SortFunc(s.ev, func(a, b evidence) int {
		if a.rule != b.rule {
			return int(a.rule) - int(b.rule)
		}
		if a.src != b.src {
			return int(a.src) - int(b.src)
		}
		return int(a.start) - int(b.start)
	})
	return !s.subst && !strong
}

// result turns the kept evidence into tags, each rule scoring 1-Π(1-w)
// over its distinct evidence, and lets the model decide the built-in
// tags with the rules (combine.go).
func (t *Tagger) result(s *scratch, text string) []Tag {
	var tags []Tag
	if t.use != RulesOnly && t.model != nil {
		tags = t.combine(s, text)
	} else {
		tags = defectComplaint(t.ruleTags(s, text, nil))
	}
	slices.SortFunc(tags, func(a, b Tag) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return tags
}

// ruleTags makes one tag per rule with evidence in s.ev. When scores is
// not nil, it gets each built-in rule's score from the built-in evidence
// alone, and the rule tags of built-ins are left out (combine decides
// them).
func (t *Tagger) ruleTags(s *scratch, text string, rs *ruleScores) []Tag {
	kept := s.ev
	n := 0
	for i := range kept {
		if i == 0 || kept[i].rule != kept[i-1].rule {
			n++
		}
	}
	if rs != nil {
		n += nBuiltin + 1 // room for combine's tags: one allocation
	}
	if n == 0 {
		return nil
	}
	tags := make([]Tag, 0, n)
	for i := 0; i < len(kept); {
		j := i + 1
		for j < len(kept) && kept[j].rule == kept[i].rule {
			j++
		}
		r := kept[i].rule
		if rs != nil && r < nBuiltin {
			rs.span[r] = [2]int{i, j}
			rs.score[r] = builtinScore(kept[i:j])
			for _, e := range kept[i:j] {
				if e.src == srcOp {
					rs.op |= 1 << r
				}
			}
		} else {
			tags = append(tags, t.tagOf(s, kept[i:j], text))
		}
		i = j
	}
	return tags
}

// builtinScore is a rule's score from its built-in evidence only: what
// the model's calibration was fitted to.
func builtinScore(ev []evidence) float64 {
	miss := 1.0
	for i, e := range ev {
		if e.src == srcOp {
			continue
		}
		dup := false
		for _, d := range ev[:i] {
			dup = dup || d.key == e.key
		}
		if !dup {
			miss *= 1 - e.w
		}
	}
	return 1 - miss
}

// maxShown is how many matches one reason group lists.
const maxShown = 6

func (t *Tagger) tagOf(s *scratch, ev []evidence, text string) Tag {
	buf, score := t.appendRule(s.reason[:0], ev, text)
	s.reason = buf
	return Tag{Name: t.rules[ev[0].rule], Score: score, Reason: string(buf)}
}

// appendRule appends the reason of one rule's evidence and returns its
// score, 1-Π(1-w) over the distinct evidence.
func (t *Tagger) appendRule(buf []byte, ev []evidence, text string) ([]byte, float64) {
	name := t.rules[ev[0].rule]
	miss := 1.0
	shown := 0
	for i, e := range ev {
		dupKey, dupText := false, false
		for _, d := range ev[:i] {
			dupKey = dupKey || d.key == e.key
			dupText = dupText || d.src == e.src && text[d.start:d.end] == text[e.start:e.end]
		}
		if !dupKey {
			miss *= 1 - e.w
		}
		if i == 0 || e.src != ev[i-1].src {
			if i > 0 {
				buf = append(buf, "; "...)
			}
			if e.src == srcOp {
				buf = append(buf, "operator rule "...)
				buf = append(buf, name...)
			} else {
				buf = append(buf, "rule "...)
				buf = append(buf, name...)
				if e.src == srcKO {
					buf = append(buf, "/ko"...)
				} else {
					buf = append(buf, "/en"...)
				}
			}
			buf = append(buf, ": matched "...)
			shown = 0
		} else if dupText {
			continue
		} else if shown < maxShown {
			buf = append(buf, ", "...)
		}
		switch {
		case shown < maxShown:
			buf = appendQuote(buf, text[e.start:e.end])
			if e.flags&flagRegex != 0 {
				buf = append(buf, " (regex)"...)
			}
		case shown == maxShown:
			buf = append(buf, ", …"...)
		}
		shown++
	}
	score := math.Round((1-miss)*1000) / 1000
	return buf, min(max(score, 0.001), 1)
}

// appendQuote quotes what was found, cut to 60 runes; invalid UTF-8 is
// escaped.
func appendQuote(buf []byte, s string) []byte {
	if len(s) <= 60 && plainQuote(s) {
		// What strconv.AppendQuote writes for it, without its checks.
		buf = append(buf, '"')
		buf = append(buf, s...)
		return append(buf, '"')
	}
	if utf8.RuneCountInString(s) > 60 {
		n := 0
		for i := range s {
			if n == 60 {
				s = s[:i] + "…"
				break
			}
			n++
		}
	}
	return strconv.AppendQuote(buf, s)
}

func (t *Tagger) noise(s *scratch, text string) Tag {
	if len(s.small) == 0 {
		reason := "rule noise: empty message"
		if strings.TrimSpace(text) != "" {
			reason = "rule noise: no words"
		}
		return Tag{Name: Noise, Score: 1, Reason: reason}
	}
	var sb strings.Builder
	sb.WriteString("rule noise: only small talk ")
	for i, k := range s.small {
		if i > 0 {
			sb.WriteString(", ")
		}
		tk := s.toks[k]
		sb.Write(appendQuote(nil, text[tk.start:tk.end]))
	}
	return Tag{Name: Noise, Score: 0.9, Reason: sb.String()}
}

// plainQuote reports whether strconv.Quote would leave s as it is: ASCII
// that needs no escape, Hangul syllables and compatibility jamo.
func plainQuote(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f || c == '"' || c == '\\' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isSyllable(r) && !(r >= 0x3131 && r <= 0x318E) {
			return false
		}
		i += n
	}
	return true
}

// IsNoise reports whether tags is the lone noise tag: a message that
// starts no SLA clock.
func IsNoise(tags []Tag) bool {
	return len(tags) == 1 && tags[0].Name == Noise
}

// Language returns "ko" when Hangul dominates the text (a syllable counts
// as two letters), else "en". URLs and mentions are not counted.
func Language(text string) string {
	s := getScratch()
	defer putScratch(s)
	s.scan(text)
	if s.hangul*2 > s.latin {
		return "ko"
	}
	return "en"
}

// ---- built-in English rules ----

// smallTalkEN are words of small talk (stemmed when loaded): a message made
// only of them, and of small-talk emoji, is noise.
const smallTalkEN = `thanks thank thx thnx thanx ty tysm tyvm ok okay okey okie k kk got it hi hello hey heya hiya yo
	there all team guys guy folks everyone everybody cool sure yes yep yeah yup ya nope no np great nice perfect
	good morning afternoon evening night day sounds sound will do noted alright right gotcha understood cheers bye
	see you u welcome lol haha hehe hah lmao much so very a lot for the again appreciate appreciated that this
	help update info reply response answer quick fast really indeed oh ah wow hmm i me we our my works work now fine
	happy new year weekend have please pls plz and too as well to worries same sir bro mate dear received confirmed
	your
	done just its thats is was ill try later makes sense make`

// skipEN are words a phrase may have in between: "not really working",
// "thank you so much", "could you please add".
const skipEN = `please pls plz kindly just really so very totally completely actually literally even`

// negEN negate a praise word right after them: "not great".
const negEN = `not never no isnt wasnt arent dont doesnt didnt hardly wont werent aint`

// clauseSkipEN keep a clause open: "hi team, quick question: how do I…"
const clauseSkipEN = `hi hello hey yo hiya heya team guys folks all there everyone ok okay also and but btw um
	hmm sorry oh well quick question plus anyway then sir`

// specsEN are the built-in English rules.
var specsEN = []spec{
	{ruleComplaint, 0.65, 0, []string{"unacceptable", "ridiculous", "terrible", "awful", "horrible", "worst",
		"disappointed", "disappointing", "frustrated", "frustrating", "frustration", "furious", "pissed", "wtf",
		"not happy", "unhappy", "waste of {time|money}", "{cancel|cancelling|canceling} my {subscription|account|plan}",
		"still waiting", "been waiting", "waiting for {hours|days|a week|weeks|a reply|a response|an answer}",
		"no {response|reply|answer|one answered|one replied|one responded}",
		"{nobody|no one} {is |has |}{answering|answered|responding|responded|replying|replied|helping|helped|cares}",
		"ignored", "ignoring {us|me}", "overcharged", "{charged|billed|charging|billing} {me |us |}twice",
		"double {charged|charge|billed|billing}", "scam", "rip off", "ripoff", "useless", "garbage", "sucks",
		"fed up", "sick of", "tired of", "not {good|great|ok|okay|acceptable|impressed|satisfied|helpful}",
		"unsatisfied", "dissatisfied", "how many times", "every single time", "paying customer",
		"switch to {another|a competitor|a different}", "switching to", "nightmare", "complaint", "complain"}},
	{ruleComplaint, 0.5, 0, []string{"refund", "money back", "annoyed", "annoying", "angry", "hate", "poor {service|support|experience|quality}",
		"bad {experience|service|support}", "{second|third|fourth|fifth|2nd|3rd|4th|5th} time", "for {hours|days|weeks}",
		"mess", "slow", "sluggish", "laggy", "we pay", "were paying", "we are paying", "lost {trust|patience}"}},
	{ruleComplaint, 0.6, 0, []string{"pathetic", "disgusting", "shitty", "crappy", "bullshit", "rude", "regret",
		"overpriced", "not worth", "unusable", "worse than", "getting worse", "gone downhill", "went downhill"}},
	{ruleComplaint, 0.35, 0, []string{"seriously", "come on"}},

	{ruleDefect, 0.7, 0, []string{"bug", "buggy", "crash", "crashy", "error", "broken", "500", "502", "503", "504", "5xx",
		"internal server error", "something went wrong", "exception", "stack trace", "stacktrace", "traceback",
		"regression", "defect", "glitch", "glitchy", "malfunction",
		"{doesnt|does not|wont|will not|didnt|did not|isnt|is not|not|cant|cannot|can not|unable to|couldnt|could not|fails to|failed to|no longer|stopped|keeps failing to} {load|work|open|start|launch|save|sync|upload|download|respond|connect|refresh|display|send|submit|access|log in|login|sign in|log on|pay|export|import|install|update}"}},
	{ruleDefect, 0.55, 0, []string{"broke", "fail", "failure", "freeze", "frozen", "404", "blank {page|screen}", "{white|black|grey|gray} screen",
		"timeout", "time out", "not responding", "unresponsive", "infinite {loop|loading|spinner}", "spinning forever",
		"stuck", "corrupted", "lost {my|our|all|all my|all our} data", "data loss", "disappeared", "vanished",
		"{keeps|kept} {logging|signing} {me |us |}out"}},
	{ruleUrgent, 0.45, 0, []string{"lost {my|our|all|all my|all our} data", "data loss"}},
	// How customers say a part of the product misbehaves without the
	// words bug or error: something never arrives or shows, resets,
	// duplicates, does nothing, or is wiped.
	{ruleDefect, 0.55, 0, []string{
		"{doesnt|does not|dont|do not|wont|will not|didnt|did not|isnt|is not|arent|are not|not|no longer} {show up|appear|render|trigger|fire|print|scan|redirect|go through|come through|turn on|boot|autosave|auto save}",
		"{doesnt|does not|wont|will not|didnt|did not|isnt|is not|not|no longer} {showing|displaying|populating|updating|syncing|saving|loading|refreshing}",
		"{doesnt|does not|didnt|did not|never} {get|gets} {sent|saved|synced|delivered|applied|updated|recorded}",
		"nothing happens", "{button|link|clicking|tapping|pressing|click|tap|submit|save|it} {does nothing|doesnt do anything|does not do anything|didnt do anything}",
		"{keeps|kept|keep} {crashing|freezing|resetting|restarting|reloading|disconnecting|dropping|buffering|closing|quitting|reverting|duplicating|glitching|lagging}",
		"{resets|reset|reverts|reverted} {itself|to default|to the default|to defaults|back to}", "out of sync",
		"{duplicate|duplicated|duplicates} {entries|rows|records|orders|charges|messages|notifications|emails|contacts|items|transactions}",
		"{shows|showing|displays|displaying} {the wrong|wrong|an old|old|nothing|zero|0|blank|a blank}", "{says|saying} {the wrong|wrong|zero|0}",
		"{video|videos|audio|sound|music|song|songs|stream|it} {wont|doesnt|does not|will not|didnt|did not} play", "no sound",
		"{greyed|grayed} out", "{gets|get|got|getting|keeps getting|is|are} cut off", "truncated", "garbled", "pixelated", "out of memory", "memory leak",
		"deadlock", "race condition", "segfault", "segmentation fault", "null pointer", "nil pointer", "kernel panic",
		"{overwrote|overwritten} {my|our|all|everything}", "{got|was|were|been|get|gets} {wiped|erased|overwritten}",
		"{not|never|stopped} {receiving|getting} {the |any |my |our |}{reset |verification |login |sms |confirmation |security |}{code|codes|email|emails|notification|notifications|verification|alerts|texts|sms|otp|push}",
		"{text|image|images|column|columns|label|labels|button|buttons|name|names|title|titles|menu} {is |are |gets |get |}{cut off|truncated|overlapping|misaligned}",
		// A fix tried that did not help.
		"{reinstalled|reinstalling|restarted|restarting|rebooted|rebooting|cleared the cache|clearing the cache|cleared my cache|updated the app|tried another browser|tried a different browser|logged out and back in} {and |but |}{it |the problem |the issue |the error |}{still|same|didnt help|did not help|doesnt help|nothing changed|no luck|no change}",
		"{still|keeps} {happening|broken|failing}", "{same|this} {issue|problem|error|bug} {again|keeps|is back|came back|persists}", "{issue|problem|error|bug} persists",
		"{code|codes|email|emails|link|notification|notifications|alert|alerts|text|texts|sms|otp|invite|invites|invitation|receipt|receipts|webhook|webhooks} {never|doesnt|does not|didnt|did not|dont|do not|wont|isnt|is not|arent|are not|not} {arrive|come|come through|show up|get sent|get delivered}"}},
	{ruleDefect, 0.35, 0, []string{"wrong", "incorrect", "missing",
		"{get|gets|getting|got|been|being|was|were|keep getting|keeps getting} logged out", "logged out {again|randomly|automatically|constantly|every}"}},
	{ruleDefect, 0.55, 0, []string{"{is|are|was|went|goes|keeps going} down", "{site|server|service|api|app|dashboard|website|checkout|login} {is |}down"}},
	{ruleUrgent, 0.45, 0, []string{"{is|are|was|went|goes|keeps going} down", "{site|server|service|api|app|dashboard|website|checkout|login} {is |}down"}},

	{ruleQuestion, 0.5, 0, []string{"^why", "^which", "^who", "^what", "^how",
		"^{when|where} {is|are|will|can|do|does|did|should|would|could|was|were}"}},
	{ruleQuestion, 0.4, 0, []string{"^{is|are|can|could|would|does|do|did|will|should|has|have|any|anyone|anybody|someone|somebody|may}"}},
	{ruleQuestion, 0.55, 0, []string{"how do i", "how do we", "how can i", "how can we", "how to", "how long", "how much",
		"is there {a|any} way", "is it possible", "would it be possible", "any way to", "wondering", "i wonder",
		"{quick|a|one} question", "have a question", "question", "questions", "any {idea|ideas|update|updates|news}",
		"{anyone|does anyone|do you} know", "{can|could} you {tell|explain|clarify|confirm|help}",
		"not sure {how|if|whether|why|what}", "^help", "{need|needs|needed} {help|assistance}", "eta", "eta {for|on} the fix", "clarify"}},
	{ruleQuestion, 0.35, 0, []string{"confused", "unclear"}},

	{rulePraise, 0.6, 0, []string{"love", "awesome", "amazing", "excellent", "fantastic", "wonderful", "brilliant", "superb",
		"impressive", "impressed", "outstanding", "{great|good|nice|awesome|amazing} {job|work}", "well done", "kudos",
		"props", "shout out", "shoutout", "you {rock|guys rock|are the best|are awesome|are amazing}", "youre the best",
		"lifesaver", "life saver", "game changer", "best {support|app|tool|product|service|team}",
		"works {great|perfectly|like a charm|flawlessly|beautifully}",
		"{fast|quick|speedy} {response|reply|fix|turnaround|support}", "super fast", "delighted",
		"helpful", "recommend", "happy with",
		"{thank you|thanks|thx|ty} {|much|a lot|again} for {the fix|fixing|the quick fix|fixing it|the fast fix|sorting this out}"}},
	{rulePraise, 0.4, flagWeak, []string{"great", "nice", "perfect", "cool", "happy", "beautiful", "smooth", "neat",
		"{thank you|thanks} so much", "thanks a lot", "many thanks", "appreciate {it|this|that|you|your}", "appreciated"}},
	{rulePraise, 0.2, flagBooster, []string{"thanks", "thank you", "thx", "ty", "tysm"}},

	{ruleIdea, 0.65, 0, []string{"feature request", "would love", "id love", "i wish", "wish {you|there|it}",
		"{could|can|would} you {add|support|consider|implement|build|make|allow|introduce}",
		"if you {could|can} {add|support|make}",
		"add support", "suggestion", "suggest", "idea", "ideas", "proposal", "propose", "nice to have",
		"any plans to", "{plan|plans|planning} to support", "consider adding", "roadmap", "enhancement"}},
	// Feature requests as app reviews, tweets and issue trackers put them.
	{ruleIdea, 0.6, 0, []string{"^add {a|an|the|support|dark|multi}",
		"^allow", "^give us", "make it possible", "{any|is there any} chance {of|you|we|to|for}",
		"when will you {support|add|offer|release|introduce|allow|bring}", "will you ever {support|add|offer}",
		"do you {plan|intend} to {support|add|offer|build}",
		"{can|could} we {get|have} {a|an} {option|setting|toggle|way|button|api|feature|export|filter|view|mode|integration|plugin|shortcut|report|dashboard|version|app|widget}",
		"should {let|allow} {us|users|me|people|admins|teams|customers}", "^bring back", "{would|id|i would|we would|wed} pay {extra|more} for",
		"{why is there no|why isnt there|why arent there|why are there no}",
		"{are you|you guys|is it} {planning|going} to {add|support|offer|build|introduce|release}",
		"{could|can|would} you guys {add|support|consider|make|offer|build}", "how about {adding|letting|a|an}",
		"^consider {adding|offering|a|an|making|supporting}", "hope you {can|will|could} add", "{id|i would} like to see",
		"{it|that|this} would help if", "really needs a", "have you {thought|considered} {about|adding|of}",
		"^maybe {add|a|an}", "{could|can} there be", "big wish", "wishlist", "would give 5 stars if",
		"^let {us|users|admins|people|owners|teams|members} {choose|set|pick|add|create|edit|export|customize|change|hide|schedule|bookmark|react|pin|use|sort|filter|configure|disable|enable|turn|select|see|view|import|share|rename|archive|merge|mute|snooze}",
		"^let me {choose|set|pick|customize|hide|schedule|pin|sort|filter|configure|disable|select|rename|mute|snooze}"}},
	{ruleIdea, 0.5, flagWeak, []string{"{would|itd|thatd|it would|that would} be {lovely|fantastic|handy|neat|wonderful|brilliant|perfect|super helpful|really helpful|much appreciated|really appreciated|a great addition|a nice addition}"}},
	{ruleIdea, 0.45, 0, []string{"option to", "ability to", "improvement", "improve", "should {add|support|allow|have}",
		"feature", "integration with", "support for", "would like to {request|see|suggest|have}"}},
	{ruleIdea, 0.5, flagWeak, []string{"{would|itd|thatd|it would|that would} be {nice|great|awesome|cool|helpful|useful|amazing|ideal|good}",
		"it would help", "would help"}},

	{ruleUrgent, 0.7, 0, []string{"asap", "urgent", "urgently", "emergency", "immediately", "immediate", "right away",
		"{production|prod} {is |}{down|broken|outage|issue}", "outage", "down for {everyone|all|all users|all customers}",
		"as soon as possible", "time sensitive", "cant wait", "{high|top|highest} priority", "{sev|severity} {1|one|0}",
		"sev1", "sev0", "p0", "losing {money|customers|revenue|sales|orders|data}", "need help now", "help now"}},
	{ruleDefect, 0.55, 0, []string{"{production|prod} {is |}{down|broken|outage}"}},
	{ruleUrgent, 0.5, 0, []string{"critical", "blocker", "blocking", "{all|all of our|all our} {users|customers}",
		"everyone is affected", "everyone affected", "in production", "on production", "right now", "p1", "deadline"}},
	{ruleUrgent, 0.6, 0, []string{"within {the|an|the next} hour", "in {an|the next} hour", "major incident",
		"{need|needs} {this|it|help|someone|a fix|a hotfix|an answer|a response|someone on this} {now|today|asap|right now|immediately}",
		"need someone on this", "{completely|totally} locked out", "{whole|entire} {team|company|operation|restaurant|store|office|site|platform} {is|has|stopped}",
		"{every|all} {passenger|passengers|player|players|location|locations|branch|branches|terminal|terminals|store|stores|account|accounts}",
		"for everyone", "{starts|launches|opens|begins} in", "minutes before", "{go|goes|going} live"}},
	{ruleUrgent, 0.35, 0, []string{"blocked", "live site"}},
	// Security incidents, money leaving now, a whole operation stopped and
	// deadlines of today, as customers say them without "urgent".
	{ruleUrgent, 0.6, 0, []string{"{been|got|get|gets|was|were|is|are|account|accounts|site|server|servers|store|database|email} hacked", "been compromised", "{is|was|were|are|got|get} compromised", "{data|security|privacy} breach", "data leak",
		"{leaked|exposed} {our|my|customer|customers|user|users|personal|private|the} {data|details|information|info|emails|keys|key|passwords|records}",
		"unauthorized {charge|charges|access|login|logins|transaction|transactions|payment|payments|purchase|purchases|withdrawal|withdrawals}",
		"fraud", "fraudulent", "phishing", "identity theft",
		"{someone elses|other peoples|another customers|other customers|a different customers|the wrong customers|another users|other users} {data|account|accounts|details|orders|invoices|card|cards|information|info|records|name|address}",
		"{sent|transferred|paid|wired|sending} {money |it |the money |the payment |funds |}to the wrong", "wrong {account|recipient|iban}",
		"{still|keeps|keep|kept} {charging|being charged|getting charged|billing|taking money|withdrawing}",
		"stolen {card|phone|laptop|device|credentials|password}", "{card|phone|laptop|credentials|password} {was |got |has been |}stolen",
		"{freeze|block|lock|cancel|stop} my card",
		"{nobody|no one} {can|is able to|could} {log in|login|work|access|pay|check out|checkout|order|sign in|use it|get in|clock in}",
		"none of {us|our users|our customers|our staff|our team|our employees|our agents|the team|the staff} {can|could|are able to}",
		"{customers|users|clients|guests|patients|students|staff|employees|drivers|agents|cashiers|players} {cant|cannot|can not|are unable to|are not able to|arent able to} {pay|check out|checkout|log in|login|order|book|access|sign in|work|clock in|get in|board}",
		"{cant|cannot|can not|unable to} {take|accept|process} {payments|orders|bookings|cards|card payments|reservations}",
		"{dead in the water|ground to a halt|grinding to a halt|at a standstill}",
		"{by|before} {tonight|end of day|eod|eob|noon|midnight|close of business|cob|this afternoon|this evening}",
		"{due|closes|expires|filing|submission|deadline} {today|tonight|at midnight|in an hour|this afternoon|this evening|tomorrow morning}",
		"{running|ran|run} out of time", "time is running out", "life or death"}},

	// Stop phrases: consumed, tagging nothing.
	{-1, 0, 0, []string{"what a", "no idea", "good {morning|afternoon|evening|night|day}", "no problem",
		"no worries", "have a {good|great|nice} {day|weekend|one}", "hate to {bother|ask|disturb|say}"}},
}

// specsEmoji are emoji rules; their evidence speaks the message's language.
var specsEmoji = []spec{
	{ruleComplaint, 0.45, 0, []string{"😡", "🤬", "😠", "😤", "👎", "💢", "🙄", ":rage:", ":angry:", ":triumph:", ":-1:",
		":thumbsdown:", ":face_with_symbols_on_mouth:", ":face_with_rolling_eyes:"}},
	{ruleDefect, 0.5, 0, []string{"🐛", "🐞", "💥", ":bug:", ":beetle:", ":boom:"}},
	{ruleUrgent, 0.55, 0, []string{"🚨", "🆘", ":rotating_light:", ":sos:"}},
	{ruleQuestion, 0.6, flagWeak, []string{"❓", "❔", ":question:", ":grey_question:"}},
	{ruleQuestion, 0.3, flagWeak, []string{"🤔", ":thinking_face:"}},
	{rulePraise, 0.4, flagWeak, []string{"❤", "😍", "🥰", "🎉", "🙌", "💯", "🤩", "💖", "💕", "😻", "👏", ":heart:", ":tada:",
		":raised_hands:", ":100:", ":heart_eyes:", ":clap:", ":star-struck:"}},
	{ruleIdea, 0.4, 0, []string{"💡", ":bulb:"}},
}

// smallTalkEmoji are emoji of small talk.
const smallTalkEmoji = `👍 👌 🙏 🙂 😊 😀 😄 😁 😃 😅 😆 ✅ ✔ 👋 🤝 😉 ☺ 🫡 🤗 😂 🤣 ❤ 😍 🥰 🎉 🙌 💯 🤩 💖 💕 😻 👏
	:+1: :thumbsup: :ok_hand: :pray: :smile: :slightly_smiling_face: :blush: :grinning: :white_check_mark:
	:heavy_check_mark: :wave: :handshake: :wink: :joy: :heart: :tada: :raised_hands: :100: :heart_eyes: :clap:`
