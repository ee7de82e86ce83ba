package bot_test

import (
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

func TestPromise(t *testing.T) {
	kst := hrTestLoc(t, "Asia/Seoul")
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, kst) }
	// Wednesday 2026-03-04 10:00 in Seoul.
	wed := at(3, 4, 10, 0)
	tests := []struct {
		name     string
		now, due time.Time
		en, ko   string
	}{
		{"overdue", wed, wed.Add(-time.Minute), "within 5 minutes", "5분 안에"},
		{"now", wed, wed, "within 5 minutes", "5분 안에"},
		{"one second", wed, wed.Add(time.Second), "within 5 minutes", "5분 안에"},
		{"12 minutes", wed, wed.Add(12 * time.Minute), "within 15 minutes", "15분 안에"},
		{"15 minutes", wed, wed.Add(15 * time.Minute), "within 15 minutes", "15분 안에"},
		{"56 minutes", wed, wed.Add(56 * time.Minute), "within an hour", "1시간 안에"},
		{"an hour", wed, wed.Add(time.Hour), "within an hour", "1시간 안에"},
		{"today on the hour", wed, at(3, 4, 15, 0), "today by 3 PM", "오늘 오후 3시까지"},
		{"today rounded to the hour", wed, at(3, 4, 14, 47), "today by 3 PM", "오늘 오후 3시까지"},
		{"today half hour", wed, at(3, 4, 15, 10), "today by 3:30 PM", "오늘 오후 3시 30분까지"},
		{"today a second past", wed, at(3, 4, 15, 0).Add(time.Second), "today by 3:30 PM", "오늘 오후 3시 30분까지"},
		{"today noon", wed, at(3, 4, 11, 40), "today by 12 PM", "오늘 오후 12시까지"},
		{"today morning", at(3, 4, 7, 0), at(3, 4, 8, 20), "today by 8:30 AM", "오늘 오전 8시 30분까지"},
		{"today late", wed, at(3, 4, 23, 40), "today by midnight", "오늘 자정까지"},
		{"tomorrow morning", wed, at(3, 5, 9, 30), "tomorrow morning", "내일 오전"},
		{"tomorrow 11:59", wed, at(3, 5, 11, 59), "tomorrow morning", "내일 오전"},
		{"tomorrow noon", wed, at(3, 5, 12, 0), "tomorrow afternoon", "내일 오후"},
		{"tomorrow afternoon", wed, at(3, 5, 16, 30), "tomorrow afternoon", "내일 오후"},
		{"tomorrow evening", wed, at(3, 5, 18, 45), "tomorrow by 7 PM", "내일 오후 7시까지"},
		{"tomorrow night", wed, at(3, 5, 21, 0), "tomorrow by 9 PM", "내일 오후 9시까지"},
		{"friday evening to monday", at(3, 6, 19, 0), at(3, 9, 9, 30), "Monday morning", "월요일 오전"},
		{"monday afternoon", at(3, 6, 19, 0), at(3, 9, 14, 0), "Monday afternoon", "월요일 오후"},
		{"sunday evening", wed, at(3, 8, 20, 10), "Sunday by 8:30 PM", "일요일 오후 8시 30분까지"},
		{"six days", wed, at(3, 10, 9, 0), "Tuesday morning", "화요일 오전"},
		{"seven days", wed, at(3, 11, 9, 0), "on Mar 11 (Wed) morning", "3월 11일(수) 오전"},
		{"christmas", at(12, 18, 17, 0), at(12, 28, 9, 30), "on Dec 28 (Mon) morning", "12월 28일(월) 오전"},
		{"date afternoon", at(12, 18, 17, 0), at(12, 28, 13, 0), "on Dec 28 (Mon) afternoon", "12월 28일(월) 오후"},
		{"date evening", at(12, 18, 17, 0), at(12, 28, 19, 0), "on Dec 28 (Mon) by 7 PM", "12월 28일(월) 오후 7시까지"},
		{"next year", wed, time.Date(2027, 3, 2, 10, 0, 0, 0, kst), "on Mar 2, 2027 (Tue) morning", "2027년 3월 2일(화) 오전"},
		{"new year soon", at(12, 30, 10, 0), time.Date(2027, 1, 8, 10, 0, 0, 0, kst), "on Jan 8 (Fri) morning", "1월 8일(금) 오전"},
	}
	for _, tt := range tests {
		if got := bot.Promise(tt.now, tt.due, kst, "en"); got != tt.en {
			t.Errorf("%s: en: got %q, want %q", tt.name, got, tt.en)
		}
		if got := bot.Promise(tt.now, tt.due, kst, "ko"); got != tt.ko {
			t.Errorf("%s: ko: got %q, want %q", tt.name, got, tt.ko)
		}
	}
}

// TestPromiseZone checks that days and clock are those of the customer's zone,
// not of the times given.
func TestPromiseZone(t *testing.T) {
	ny := hrTestLoc(t, "America/New_York")
	now := time.Date(2026, 3, 6, 22, 0, 0, 0, time.UTC)  // Friday 17:00 in New York
	due := time.Date(2026, 3, 9, 14, 30, 0, 0, time.UTC) // Monday 10:30 EDT
	if got, want := bot.Promise(now, due, ny, "en"), "Monday morning"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := bot.Promise(now, due, nil, "en"), "Monday afternoon"; got != want {
		t.Errorf("nil loc: got %q, want %q", got, want)
	}
	if got, want := bot.Promise(now, due, ny, "ko-KR"), "월요일 오전"; got != want {
		t.Errorf("ko-KR: got %q, want %q", got, want)
	}
	if got, want := bot.Promise(now, due, ny, "fr"), "Monday morning"; got != want {
		t.Errorf("fr: got %q, want %q", got, want)
	}
}

// TestPromiseWithHours ties Promise to Hours: a Friday-evening message with a
// one-hour SLA is promised for Monday morning.
func TestPromiseWithHours(t *testing.T) {
	h := hrSeoul(t)
	now := time.Date(2026, 3, 6, 19, 0, 0, 0, h.Loc)
	due := h.Add(now, 30*time.Minute)
	if got, want := bot.Promise(now, due, h.Loc, "en"), "Monday morning"; got != want {
		t.Errorf("en: got %q, want %q (due %v)", got, want, due)
	}
	if got, want := bot.Promise(now, due, h.Loc, "ko"), "월요일 오전"; got != want {
		t.Errorf("ko: got %q, want %q (due %v)", got, want, due)
	}
}
