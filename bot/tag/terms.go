package tag

import (
	"slices"
	"strings"
)

// Terms returns the salient normalized terms of a message: English words
// lowercased, stripped of apostrophes and stopwords and stemmed
// (crash/crashes/crashed/crashing -> crash), Korean words stripped of
// their particles and endings (결제가/결제를/결제는 -> 결제), numbers of two or
// more digits kept. URLs, mentions, emoji and punctuation are dropped. The
// result is deduplicated and sorted; it is nil when nothing salient is left.
//
// English stems are stems, not words: a final e is dropped so that
// page/pages/paging all give "pag". Two messages about the same problem
// in different words share terms ("checkout page crashes" and "checkout
// crashed again" share checkout and crash), which is what grouping reports
// of one problem needs. To show a term to a person, use the word the
// message wrote (TermWords), never the stem.
func Terms(text string) []string {
	tw := TermWords(text)
	if len(tw) == 0 {
		return nil
	}
	out := make([]string, len(tw))
	for i, t := range tw {
		out[i] = t.Stem
	}
	return out
}

// Term is one salient term of a message: Stem is what Terms returns and
// what reports of one problem are grouped by; Word is the term as the
// message wrote it, lowercased ("pages" for the stem "pag", "charged" for
// "charg"; a Korean word without its particle: 결제 for 결제가), for people
// to read.
type Term struct {
	Stem string
	Word string
}

// TermWords returns the terms of text (those of Terms, in the same order)
// with the first word of the text that gave each.
func TermWords(text string) []Term {
	s := getScratch()
	defer putScratch(s)
	s.scan(text)
	var out []Term
	for i := range s.toks {
		tk := &s.toks[i]
		switch tk.kind {
		case kindWord:
			low := s.norm[tk.a:tk.b]
			if len(low) < 2 {
				continue
			}
			if _, stop := stopEN[string(low)]; stop {
				continue
			}
			stem := s.norm[tk.b:tk.c]
			if _, stop := stopEN[string(stem)]; stop || len(stem) < 2 {
				continue
			}
			out = append(out, Term{Stem: string(stem), Word: strings.ToLower(text[tk.start:tk.end])})
		case kindHangul:
			stem := koStem(text[tk.start:tk.end])
			if len(stem) < 6 { // one syllable says little, unless a known noun
				if _, noun := nounKO1[stem]; !noun {
					continue
				}
			}
			if _, stop := stopKO[stem]; stop {
				continue
			}
			out = append(out, Term{Stem: stem, Word: stem})
		}
	}
	// Sorted by stem; of equal stems the first written stays.
	slices.SortStableFunc(out, func(a, b Term) int { return strings.Compare(a.Stem, b.Stem) })
	return slices.CompactFunc(out, func(a, b Term) bool { return a.Stem == b.Stem })
}

// Surface picks, for each stem, the word people wrote it as most often in
// texts (ties: the shorter word, then the first in byte order); a stem no
// text holds is returned as it is. It is for showing terms that were
// grouped by stem: Surface([crash pag], texts) might give [crashes page].
func Surface(stems []string, texts []string) []string {
	counts := map[string]map[string]int{}
	for _, text := range texts {
		for _, t := range TermWords(text) {
			if !slices.Contains(stems, t.Stem) {
				continue
			}
			if counts[t.Stem] == nil {
				counts[t.Stem] = map[string]int{}
			}
			counts[t.Stem][t.Word]++
		}
	}
	out := make([]string, len(stems))
	for i, stem := range stems {
		best, n := stem, 0
		for w, c := range counts[stem] {
			if c > n || c == n && (len(w) < len(best) || len(w) == len(best) && w < best) {
				best, n = w, c
			}
		}
		out[i] = best
	}
	return out
}

// stemEN stems one lowercased English word in place and returns the stem,
// which is never longer than w. It is deliberately simple (plural, -ed,
// -ing, final e), applied the same way to keywords and to messages, so
// both sides meet on the same stem.
func stemEN(w []byte) []byte {
	if len(w) <= 3 {
		return w
	}
	if _, keep := stemKeep[string(w)]; keep {
		return w
	}
	n := len(w)
	switch {
	case hasSuffix(w, "sses"):
		w = w[:n-2]
	case hasSuffix(w, "ies") && n > 4:
		w = append(w[:n-3], 'y')
	case hasSuffix(w, "xes"), hasSuffix(w, "ches"), hasSuffix(w, "shes"),
		hasSuffix(w, "zzes"), hasSuffix(w, "oes"):
		w = w[:n-2]
	case hasSuffix(w, "ss"), hasSuffix(w, "us"), hasSuffix(w, "is"):
	case w[n-1] == 's':
		w = w[:n-1]
	}
	n = len(w)
	switch {
	case hasSuffix(w, "ied") && n > 4:
		w = append(w[:n-3], 'y')
	case hasSuffix(w, "eed"):
	case hasSuffix(w, "ed"):
		w = stemBase(w, n-2)
	case hasSuffix(w, "ing"):
		w = stemBase(w, n-3)
	}
	n = len(w)
	if n > 3 && w[n-1] == 'e' && w[n-2] != 'e' {
		w = w[:n-1]
	}
	return w
}

// stemBase cuts an -ed or -ing at k when what is left is a plausible stem.
func stemBase(w []byte, k int) []byte {
	base := w[:k]
	if k < 2 || !hasVowel(base) {
		return w
	}
	if k == 2 { // used, using -> use
		return append(base, 'e')
	}
	if c := base[k-1]; c == base[k-2] && !isVowel(c) && c != 'l' && c != 's' && c != 'z' {
		base = base[:k-1] // stopped -> stop
	}
	return base
}

func hasSuffix(w []byte, suf string) bool {
	return len(w) >= len(suf) && string(w[len(w)-len(suf):]) == suf
}

func isVowel(c byte) bool {
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'
}

func hasVowel(w []byte) bool {
	for _, c := range w {
		if isVowel(c) {
			return true
		}
	}
	return false
}

// koStem strips Korean particles and endings from one word (eojeol):
// 결제가, 결제를, 결제에서도, 결제하려고 -> 결제. A one-syllable particle is
// stripped only when two syllables are left (so 추가, 회의, 속도 survive),
// unless what is left is a known one-syllable noun (앱이 -> 앱). It
// returns "" when the word is only an ending (돼요, 주세요).
func koStem(w string) string {
	for range 4 {
		cut := false
		for _, suf := range endingsKO {
			if len(suf) >= len(w) {
				if suf == w {
					return ""
				}
				continue
			}
			if strings.HasSuffix(w, suf) {
				w = w[:len(w)-len(suf)]
				cut = true
				break
			}
		}
		if !cut && len(w) > 3 {
			last := w[len(w)-3:]
			if _, ok := particleKO1[last]; ok {
				rest := w[:len(w)-3]
				if len(rest) >= 6 {
					w, cut = rest, true
				} else if _, noun := nounKO1[rest]; noun {
					w, cut = rest, true
				}
			}
		}
		if !cut {
			break
		}
	}
	return w
}

// endingsKO are multi-syllable particles and endings, longest first
// (sorted in init); each is cut whenever one syllable is left before it.
var endingsKO = []string{
	"에서는", "에서도", "에서", "에게서", "에게", "한테", "으로는", "으로도", "으로", "로는", "로도",
	"부터", "까지는", "까지도", "까지", "처럼", "보다", "이나", "이랑", "만큼", "마다", "밖에",
	"에는", "에도", "와는", "과는", "이요", "이에요", "예요", "이예요", "입니다", "이라서", "라서",
	"인데요", "인데", "이라", "이고", "이지만",
	"하다", "해요", "해서", "했어요", "했는데요", "했는데", "했습니다", "합니다", "하는데요", "하는데",
	"하려고", "하려는데", "하려면", "하면", "하고", "하는", "해주세요", "주세요", "해줘요", "해줘", "해주시면",
	"해주실", "해주셔서", "해도", "하지", "하니까", "하게", "했다", "했고", "할때", "할",
	"됩니다", "돼요", "되요", "됐어요", "됬어요", "됐는데", "되었습니다", "되었는데", "되었어요",
	"되어", "되는데", "되고", "되지", "되면", "되는", "되네요", "됐네요", "돼서", "되서",
	"받고", "받을", "받아", "받으려고", "받았어요", "받았는데", "받았", "받고싶어요", "받고싶습니다",
	"싶어요", "싶습니다", "드립니다", "드려요", "드릴게요", "드렸는데", "드렸어요", "어요", "아요", "네요", "나요", "까요", "세요", "습니다", "는데", "지만",
}

// particleKO1 are one-syllable particles and endings.
var particleKO1 = map[string]struct{}{
	"이": {}, "가": {}, "을": {}, "를": {}, "은": {}, "는": {}, "도": {}, "에": {}, "의": {},
	"만": {}, "로": {}, "와": {}, "과": {}, "랑": {}, "요": {}, "서": {}, "해": {}, "한": {},
	"된": {}, "될": {}, "됨": {}, "되": {}, "돼": {}, "했": {}, "후": {}, "고": {}, "님": {},
	"엔": {}, "께": {},
}

// nounKO1 are one-syllable nouns that keep a stripped one-syllable particle.
var nounKO1 = map[string]struct{}{
	"앱": {}, "폰": {}, "돈": {}, "글": {}, "창": {}, "탭": {}, "팀": {}, "값": {}, "키": {},
	"웹": {}, "봇": {}, "맥": {}, "칸": {}, "줄": {}, "표": {}, "일": {}, "상": {}, "방": {},
}

func init() {
	slices.SortStableFunc(endingsKO, func(a, b string) int { return len(b) - len(a) })
}

// stopKO are Korean stems that say nothing about the problem.
var stopKO = wordSet(`안 못 좀 너무 정말 진짜 계속 지금 또 다시 그냥 이거 그거 저거 이것 그것 저것 이 그 저 제
	저희 우리 여기 거기 저기 어떻게 왜 언제 뭐 무엇 네 예 넵 아 음 혹시 그리고 근데 그런데 하지만 그래서 수 것 거
	때 등 있 없 되 하 해 돼 안되 안돼 않 않아 주세요 주시 주실 합니다 입니다 감사 감사합니다 고맙습니다 안녕하세요
	저는 제가 방금 오늘 어제 자꾸 갑자기 다 전혀 매번 항상 가끔 이번 또한 및 확인 부탁드립니다 부탁드려요
	와요 가요 나요 와 주 같 알겠 좋겠 주시면 언제쯤 아직 아직도 벌써 이제 빨리 잘 많이 조금 계속해서 여전히 같아요 같습니다 같은데 싶어요 해주세요 알겠습니다`)

// stopEN are English stopwords, checked on the lowercased word (without
// apostrophes) and on its stem.
var stopEN = wordSet(`a about above after again against all also am an and any anyone anything are arent as at
	be because been before being below between both but by can cant cannot could couldnt did didnt do does doesnt
	doing dont down during each even ever every few for from further get gets getting got had hadnt has hasnt have
	havent having he her here hers herself him himself his how i id ill im ive if in into is isnt it its itself
	just lets me more most mustnt my myself no nor not now of off on once only or other ought our ours ourselves
	out over own same shant she should shouldnt so some such than that thats the their theirs them themselves then
	there theres these they theyre this those through to too under until up very was wasnt we were werent weve
	what whats when where which while who whom whose why will with wont would wouldnt you youd youll youre youve
	your yours yourself yourselves hi hello hey thanks thank thx ty please pls plz guys guy team folks still really
	ok okay yeah yes yep hmm um lol also again already anyway any anymore maybe may might must shall
	let know like seem seems something someone somehow today yesterday tomorrow time times tim great good bad
	nice much many lot since`)

// stemKeep are English words the stemmer leaves alone.
var stemKeep = wordSet(`nothing something anything everything morning evening during ceiling news always
	perhaps series species alias bias canvas atlas gas has was does this his its ios macos sms aws dns https
	thing bring string spring lens`)

// wordSet builds a set from whitespace-separated words.
func wordSet(words string) map[string]struct{} {
	m := make(map[string]struct{})
	for _, w := range strings.Fields(words) {
		m[w] = struct{}{}
	}
	return m
}
