package tag

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// lexOf lists the lexicon features of text as "label:quoted place", the
// message-wide one as its label alone.
func lexOf(text string) []string {
	s := new(scratch)
	s.scan(text)
	s.features(text)
	var out []string
	for _, f := range s.feats {
		if f.lex == lexNone {
			continue
		}
		var v string
		if f.start >= 0 {
			v = fmt.Sprintf("%s:%s", lexLabels[f.lex], text[f.start:f.end])
		} else {
			v = lexLabels[f.lex]
		}
		if len(out) == 0 || out[len(out)-1] != v { // each counts lexRepeat times
			out = append(out, v)
		}
	}
	return out
}

func TestLexiconFiles(t *testing.T) {
	l, err := parseLexicon()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.en) < 7000 || len(l.ko) < 300 || len(l.koPhrase) < 40 {
		t.Errorf("lexicon: %d English words, %d Korean stems, %d Korean phrases", len(l.en), len(l.ko), len(l.koPhrase))
	}
	for _, w := range []string{"please", "help", "like", "urgent"} {
		if _, ok := l.en[w]; ok {
			t.Errorf("%q is a sentiment word; openear_en.tsv turns it off", w)
		}
	}
	if l.en["terrible"] >= 0 || l.en["slow"] >= 0 || l.en["great"] <= 0 || l.ko["최악"].v >= 0 || !l.ko["씨발"].insult {
		t.Error("lexicon valences are wrong")
	}
	empty := &lexicon{en: map[string]int8{}, ko: map[string]koTerm{}, koPhrase: map[string]koTerm{},
		koFirst: make([]uint64, nSyllables/64+1), koSecond: make([]uint64, nSyllables/64+1)}
	for _, bad := range []string{"good", "좋 아 요", "좋a", ""} {
		if err := empty.addKO(bad, koTerm{v: 10}); err == nil {
			t.Errorf("addKO(%q) did not fail", bad)
		}
	}
}

func TestLexiconFeatures(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"I love it", []string{"positive word:love", "(a positive word, no negative)"}},
		{"This is not good at all", []string{"negated positive word:not good", "(a negative word, no positive)"}},
		{"The app never works, but support was great", []string{"negated positive word:never works",
			"positive word:great", "positive word after but:great", "(negative words, then positive)"}},
		{"so slow and buggy", []string{"negative word:slow", "intensified negative word:so slow", "negative word:buggy",
			"(negative words, no positive)"}},
		{"good morning team", nil},
		{"How do I export my invoices?", nil},
		{"너무 불편하고 최악이에요", []string{"negative word:불편", "intensified negative word:너무 불편", "negative word:최악",
			"(negative words, no positive)"}},
		{"안 좋아요", []string{"negated positive word:안 좋아", "(a negative word, no positive)"}},
		{"안좋아요", []string{"negated positive word:안좋아", "(a negative word, no positive)"}},
		{"좋지 않아요", []string{"negated positive word:좋지 않아요", "(a negative word, no positive)"}},
		{"문제가 없어요", []string{"negated negative word:문제가 없어요", "(a positive word, no negative)"}},
		{"앱이 안 돼요", []string{"negative word:안 돼요", "(a negative word, no positive)"}},
		{"배송은 빨랐는데 맛이 별로", []string{"positive word:빨랐", "negative word:별로", "negative word after but:별로",
			"(positive words, then negative)"}},
		{"씨발 이게 뭐냐", []string{"insult:씨발", "(a negative word, no positive)"}},
		{"진짜 개좋아요", []string{"positive word:좋아", "intensified positive word:개좋아", "(a positive word, no negative)"}},
		{"좋은 하루 되세요", nil},
		{"최고 👍", []string{"positive word:최고", "positive word:👍", "(positive words, no negative)"}},
	} {
		if got := lexOf(c.text); !slices.Equal(got, c.want) {
			t.Errorf("lexicon features of %q:\n got %q\nwant %q", c.text, got, c.want)
		}
	}
}

// A reason names what a lexicon word is.
func TestLexiconReason(t *testing.T) {
	tg, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ text, tag, part string }{
		{"This update is terrible, nothing works anymore", Complaint, `"terrible" +`},
		{"사장님 친절하시고 음식도 맛있어요", Praise, `"맛있" +`},
	} {
		var reason string
		for _, g := range tg.Tag(c.text) {
			if g.Name == c.tag {
				reason = g.Reason
			}
		}
		i := strings.Index(reason, c.part)
		if i < 0 {
			t.Errorf("Tag(%q) %s reason %q: no %s", c.text, c.tag, reason, c.part)
			continue
		}
		rest := reason[i+len(c.part):]
		if !strings.Contains(rest, " (negative word)") && !strings.Contains(rest, " (positive word)") {
			t.Errorf("Tag(%q) %s reason %q does not say what %s is", c.text, c.tag, reason, c.part)
		}
	}
}
