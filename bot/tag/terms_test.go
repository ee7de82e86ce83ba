package tag_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/openear/openear/bot/tag"
)

func TestTerms(t *testing.T) {
	for _, c := range []struct {
		text string
		want string // space-separated, sorted
	}{
		{"", ""},
		{"thanks!", ""},
		{"checkout crashed again", "checkout crash"},
		{"The checkout page crashes", "checkout crash pag"},
		{"Crashing, crashed, CRASHES", "crash"},
		{"errors when loading invoices", "error invoic load"},
		{"I can't log in since the update", "log updat"},
		{"getting a 500 on https://example.com/x?y=1 <@U123>", "500"},
		{"settings page stopped working", "pag set stop work"},
		{"결제가 안 돼요", "결제"},
		{"결제를 못 했어요", "결제"},
		{"결제는 되는데 영수증이 안 와요", "결제 영수증"},
		{"결제 오류", "결제 오류"},
		{"앱이 계속 튕겨요", "앱 튕겨"},
		{"로그인이 안 됩니다", "로그인"},
		{"환불해 주세요", "환불"},
		{"환불받고 싶어요", "환불"},
		{"결제에서도 오류가 나요", "결제 오류"},
		{"기능 추가 요청드립니다", "기능 요청 추가"},
		{"checkout 페이지가 crash 나요", "checkout crash 페이지"},
	} {
		got := strings.Join(tag.Terms(c.text), " ")
		if got != c.want {
			t.Errorf("Terms(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// Two customers reporting one problem in different words share terms.
func TestTermsOverlap(t *testing.T) {
	for _, c := range []struct {
		a, b   string
		shared []string
	}{
		{"checkout page crashes", "checkout crashed again", []string{"checkout", "crash"}},
		{"결제가 안 돼요", "결제 오류", []string{"결제"}},
		{"Invoices fail to load", "invoice loading failed", []string{"fail", "invoic", "load"}},
		{"로그인이 안 돼요", "로그인 오류가 계속 나요", []string{"로그인"}},
		{"the export is broken", "Exports broken since Monday", []string{"broken", "export"}},
		{"환불을 요청합니다", "환불은 언제 되나요?", []string{"환불"}},
	} {
		ta, tb := tag.Terms(c.a), tag.Terms(c.b)
		for _, w := range c.shared {
			if !slices.Contains(ta, w) || !slices.Contains(tb, w) {
				t.Errorf("Terms(%q) = %q and Terms(%q) = %q: want both to hold %q", c.a, ta, c.b, tb, w)
			}
		}
	}
}

func TestTermsSortedUnique(t *testing.T) {
	for _, c := range append(enCases, koCases...) {
		terms := tag.Terms(c.text)
		if !slices.IsSorted(terms) {
			t.Errorf("Terms(%q) = %q not sorted", c.text, terms)
		}
		if len(slices.Compact(slices.Clone(terms))) != len(terms) {
			t.Errorf("Terms(%q) = %q has duplicates", c.text, terms)
		}
		for _, w := range terms {
			if w == "" || w != strings.ToLower(w) {
				t.Errorf("Terms(%q) holds %q", c.text, w)
			}
		}
	}
}

// TermWords gives each term of Terms with the word the text wrote.
func TestTermWords(t *testing.T) {
	for _, c := range []struct {
		text string
		want string // stem=word, space-separated, by stem
	}{
		{"The checkout page crashes every time I pay", "checkout=checkout crash=crashes pag=page pay=pay"},
		{"I was charged twice! Charging again?", "charg=charged twic=twice"},
		{"Pages, PAGES and paging", "pag=pages"},
		{"The customer's invoices", "customer=customer's invoic=invoices"},
		{"결제가 안 돼요, 결제를 못 했어요", "결제=결제"},
		{"thanks!", ""},
	} {
		var got []string
		for _, w := range tag.TermWords(c.text) {
			got = append(got, w.Stem+"="+w.Word)
		}
		if s := strings.Join(got, " "); s != c.want {
			t.Errorf("TermWords(%q) = %q, want %q", c.text, s, c.want)
		}
		var stems []string
		for _, w := range tag.TermWords(c.text) {
			stems = append(stems, w.Stem)
		}
		if !slices.Equal(stems, tag.Terms(c.text)) {
			t.Errorf("TermWords(%q) stems %q, Terms %q", c.text, stems, tag.Terms(c.text))
		}
	}
}

// Surface shows stems as the words people wrote most.
func TestSurface(t *testing.T) {
	texts := []string{
		"The checkout page crashes every time I pay",
		"Checkout crashes every time I pay by card",
		"The checkout page crashed when I try to pay",
		"I was charged twice",
	}
	got := tag.Surface([]string{"charg", "checkout", "crash", "pag", "pay", "twic", "zzz"}, texts)
	want := []string{"charged", "checkout", "crashes", "page", "pay", "twice", "zzz"}
	if !slices.Equal(got, want) {
		t.Fatalf("Surface = %q, want %q", got, want)
	}
	// Ties go to the shorter word.
	if got := tag.Surface([]string{"crash"}, []string{"it crashed", "it crashes", "crash"}); got[0] != "crash" {
		t.Fatalf("tie: %q", got)
	}
}
