package tag

import (
	"strconv"
	"testing"
)

// appendQuote's fast path writes what strconv.Quote writes.
func TestAppendQuote(t *testing.T) {
	for _, s := range []string{"", "crashes", "결제가 안 돼", "ㅋㅋ", `say "hi"`, "a\\b", "tab\there", "é", "\xff", "💥",
		"a very long text that goes on and on beyond sixty runes for sure, yes it does"} {
		want := s
		if len([]rune(s)) > 60 {
			want = string([]rune(s)[:60]) + "…"
		}
		if got := string(appendQuote(nil, s)); got != strconv.Quote(want) {
			t.Errorf("appendQuote(%q) = %s, want %s", s, got, strconv.Quote(want))
		}
	}
}
