// Package textfmt holds the small text formatters that the commands, the
// demo and replay print with.
package textfmt

import (
	"strings"
	"time"
)

// OneLine collapses all white space of s into single spaces and cuts the
// result to n runes, the last of them "…" when it was cut.
func OneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// Dash is s, or "-" when s is empty (a table cell that must not vanish).
func Dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Time is t in UTC as RFC 3339, or "" for the zero time.
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
