package l10n_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/openear/openear/internal/l10n"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"ko": "ko", "KO": "ko", "ko-KR": "ko", "ko_kr": "ko", " en ": "en", "en-US": "en", "": "", "ja": "", "kor": ""} {
		got, ok := l10n.Normalize(in)
		if got != want || ok != (want != "") {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if l10n.For("ja").Lang() != l10n.English || l10n.For("").Lang() != l10n.English || l10n.For("ko-KR").Lang() != l10n.Korean {
		t.Error("For: unknown and empty tags should give English, ko-KR Korean")
	}
}

func TestT(t *testing.T) {
	en, ko := l10n.For("en"), l10n.For("ko")
	tests := []struct {
		l    *l10n.Localizer
		id   string
		args l10n.Args
		want string
	}{
		{en, "reply.claimed", l10n.Args{"ID": 42}, "Thread #42 is yours now."},
		{ko, "reply.claimed", l10n.Args{"ID": 42}, "#42 스레드를 맡았어요."},
		// Plural forms: English has two, Korean one.
		{en, "many.header", l10n.Args{"Count": 1}, "🗂 1 new thread"},
		{en, "many.header", l10n.Args{"Count": 6}, "🗂 6 new threads"},
		{ko, "many.header", l10n.Args{"Count": 1}, "🗂 새 스레드 1개"},
		// A Key argument is translated in the same language.
		{en, "cmd.missing_duration", l10n.Args{"Hint": l10n.Key("hint.snooze")}, "missing duration (try 30m, 2h, 1d)"},
		{ko, "cmd.missing_duration", l10n.Args{"Hint": l10n.Key("hint.snooze")}, "기간을 적어 주세요 (예: 30분, 2시간, 1일)"},
		// Values are not escaped: the caller escapes for its platform.
		{en, "incident.update", l10n.Args{"Text": "<b> & \"x\""}, "Update: <b> & \"x\""},
	}
	before := l10n.Failures()
	for _, tt := range tests {
		if got := tt.l.T(tt.id, tt.args); got != tt.want {
			t.Errorf("%s %s %v = %q, want %q", tt.l.Lang(), tt.id, tt.args, got, tt.want)
		}
	}
	if n := l10n.Failures() - before; n != 0 {
		t.Errorf("%d failures rendering good messages", n)
	}
}

// TestTFailures: a missing key or argument never panics nor vanishes; it
// shows and counts.
func TestTFailures(t *testing.T) {
	before := l10n.Failures()
	if got := l10n.For("ko").T("no.such_key", l10n.Args{"ID": 1}); !strings.Contains(got, "no.such_key") {
		t.Errorf("unknown key = %q, want the key shown", got)
	}
	if got := l10n.For("en").T("reply.claimed", nil); got == "" {
		t.Error("missing argument gave an empty text")
	}
	if n := l10n.Failures() - before; n < 2 {
		t.Errorf("failures counted %d, want at least 2", n)
	}
}

func TestDuration(t *testing.T) {
	en, ko := l10n.For("en"), l10n.For("ko")
	for _, tt := range []struct {
		d      time.Duration
		en, ko string
	}{
		{0, "0s", "0초"},
		{45 * time.Second, "45s", "45초"},
		{-45 * time.Second, "45s", "45초"},
		{5*time.Minute + 30*time.Second, "5m 30s", "5분 30초"},
		{5 * time.Minute, "5m", "5분"},
		{15 * time.Minute, "15m", "15분"},
		{40*time.Minute + 20*time.Second, "40m", "40분"},
		{time.Hour, "1h", "1시간"},
		{80 * time.Minute, "1h 20m", "1시간 20분"},
		{47*time.Hour + 59*time.Minute, "47h 59m", "47시간 59분"},
		{51 * time.Hour, "2d 3h", "2일 3시간"},
		{30 * 24 * time.Hour, "30d", "30일"},
	} {
		if got := en.Duration(tt.d); got != tt.en {
			t.Errorf("en Duration(%s) = %q, want %q", tt.d, got, tt.en)
		}
		if got := ko.Duration(tt.d); got != tt.ko {
			t.Errorf("ko Duration(%s) = %q, want %q", tt.d, got, tt.ko)
		}
	}
	// Took keeps Go's notation in English, for scripts reading the digest.
	if got := en.Took(30 * time.Minute); got != "30m0s" {
		t.Errorf("en Took(30m) = %q", got)
	}
	if got := en.Took(44*time.Second + 400*time.Millisecond); got != "44s" {
		t.Errorf("en Took(44.4s) = %q", got)
	}
	if got := ko.Took(90 * time.Minute); got != "1시간 30분" {
		t.Errorf("ko Took(90m) = %q", got)
	}
}

func TestTimes(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	en, ko := l10n.For("en"), l10n.For("ko")
	at := time.Date(2026, 12, 4, 15, 0, 0, 0, seoul) // a Friday
	for _, tt := range []struct {
		name, got, want string
	}{
		{"en When", en.When(at), "Fri 15:00 KST"},
		{"en Date", en.Date(at, false), "Fri Dec 4 15:00"},
		{"en Date zone", en.Date(at, true), "Fri Dec 4 15:00 KST"},
		{"en Stamp", en.Stamp(at), "2026-12-04 15:00"},
		{"ko When", ko.When(at), "12월 4일 (금) 오후 3:00"},
		{"ko Date", ko.Date(at, true), "12월 4일 (금) 오후 3:00"},
		{"ko Stamp", ko.Stamp(at), "2026년 12월 4일 오후 3:00"},
		{"ko noon", ko.When(time.Date(2026, 12, 6, 12, 0, 0, 0, seoul)), "12월 6일 (일) 오후 12:00"},
		{"ko after midnight", ko.When(time.Date(2026, 12, 7, 0, 5, 0, 0, seoul)), "12월 7일 (월) 오전 12:05"},
		{"ko morning", ko.When(time.Date(2026, 1, 1, 9, 30, 0, 0, seoul)), "1월 1일 (목) 오전 9:30"},
		// Another zone is named, so nobody reads it as Korea's.
		{"ko UTC", ko.When(at.UTC()), "12월 4일 (금) 오전 6:00 UTC"},
		{"ko UTC no zone", ko.Date(at.UTC(), false), "12월 4일 (금) 오전 6:00"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// BenchmarkReminder renders a reminder through the catalog, against the
// fmt.Sprintf it replaced (compare the two as a ratio).
func BenchmarkReminder(b *testing.B) {
	args := func() l10n.Args {
		return l10n.Args{"ID": uint64(42), "Tags": "defect, billing", "SLA": "1h", "Left": "15m", "Due": "Fri 15:00 KST", "Link": "https://example.slack.com/archives/C1/p1"}
	}
	for _, lang := range l10n.Langs() {
		b.Run("catalog/"+lang, func(b *testing.B) {
			l := l10n.For(lang)
			for b.Loop() {
				_ = l.T("reminder.left", args())
			}
		})
	}
	b.Run("sprintf", func(b *testing.B) {
		for b.Loop() {
			_ = fmt.Sprintf("⏰ Reminder: thread #%d (%s) waits for a reply: its %s SLA ends in %s%s (%s). %s",
				uint64(42), "defect, billing", "1h", "15m", "", "Fri 15:00 KST", "https://example.slack.com/archives/C1/p1")
		}
	})
}
