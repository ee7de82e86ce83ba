package bot_test

import (
	"math/rand/v2"
	"testing"
	"time"
	_ "time/tzdata" // hermetic time zones

	"github.com/openear/openear/bot"
)

func hrTestLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func hrHM(h, m int) time.Duration { return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute }

// weekdays returns a week with spans on Monday to Friday.
func hrWeekdays(spans ...bot.Span) [7][]bot.Span {
	var w [7][]bot.Span
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = spans
	}
	return w
}

// seoul is the split shift of the design: Mon-Fri 09:00-12:00, 13:00-18:00,
// closed on 2026-12-25 (a Friday).
func hrSeoul(t testing.TB) *bot.Hours {
	return &bot.Hours{
		Loc:      hrTestLoc(t, "Asia/Seoul"),
		Week:     hrWeekdays(bot.Span{hrHM(9, 0), hrHM(12, 0)}, bot.Span{hrHM(13, 0), hrHM(18, 0)}),
		Holidays: map[string]bool{"2026-12-25": true},
	}
}

func hrNewYork(t testing.TB) *bot.Hours {
	return &bot.Hours{
		Loc:  hrTestLoc(t, "America/New_York"),
		Week: hrWeekdays(bot.Span{hrHM(9, 0), hrHM(17, 0)}),
	}
}

func TestHoursAdd(t *testing.T) {
	kst := hrTestLoc(t, "Asia/Seoul")
	ny := hrTestLoc(t, "America/New_York")
	at := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	tests := []struct {
		name  string
		h     *bot.Hours
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"inside morning", hrSeoul(t), at(kst, 2026, 3, 2, 9, 0), 2 * time.Hour, at(kst, 2026, 3, 2, 11, 0)},
		{"ends at lunch", hrSeoul(t), at(kst, 2026, 3, 2, 11, 0), time.Hour, at(kst, 2026, 3, 2, 12, 0)},
		{"lunch break pauses", hrSeoul(t), at(kst, 2026, 3, 2, 11, 30), time.Hour, at(kst, 2026, 3, 2, 13, 30)},
		{"start during lunch", hrSeoul(t), at(kst, 2026, 3, 2, 12, 15), 30 * time.Minute, at(kst, 2026, 3, 2, 13, 30)},
		{"start before opening", hrSeoul(t), at(kst, 2026, 3, 2, 7, 0), time.Hour, at(kst, 2026, 3, 2, 10, 0)},
		{"evening to next morning", hrSeoul(t), at(kst, 2026, 3, 3, 17, 30), time.Hour, at(kst, 2026, 3, 4, 9, 30)},
		{"friday 17:30 to monday", hrSeoul(t), at(kst, 2026, 3, 6, 17, 30), time.Hour, at(kst, 2026, 3, 9, 9, 30)},
		{"saturday to monday", hrSeoul(t), at(kst, 2026, 3, 7, 10, 0), 4 * time.Hour, at(kst, 2026, 3, 9, 14, 0)},
		{"a full day", hrSeoul(t), at(kst, 2026, 3, 2, 9, 0), 8 * time.Hour, at(kst, 2026, 3, 2, 18, 0)},
		{"two full days", hrSeoul(t), at(kst, 2026, 3, 2, 9, 0), 16 * time.Hour, at(kst, 2026, 3, 3, 18, 0)},
		{"holiday skipped", hrSeoul(t), at(kst, 2026, 12, 24, 17, 30), time.Hour, at(kst, 2026, 12, 28, 9, 30)},
		{"on the holiday", hrSeoul(t), at(kst, 2026, 12, 25, 10, 0), time.Hour, at(kst, 2026, 12, 28, 10, 0)},
		{"zero duration", hrSeoul(t), at(kst, 2026, 3, 7, 10, 0), 0, at(kst, 2026, 3, 7, 10, 0)},
		{"negative duration", hrSeoul(t), at(kst, 2026, 3, 7, 10, 0), -time.Hour, at(kst, 2026, 3, 7, 10, 0)},
		{"nil hours, negative duration", nil, at(kst, 2026, 3, 7, 10, 0), -time.Hour, at(kst, 2026, 3, 7, 10, 0)},
		{"nil hours", nil, at(kst, 2026, 3, 7, 10, 0), 90 * time.Minute, at(kst, 2026, 3, 7, 11, 30)},
		// 2026-03-08 02:00 EST -> 03:00 EDT.
		{"dst start over weekend", hrNewYork(t), at(ny, 2026, 3, 6, 16, 0), 2 * time.Hour, at(ny, 2026, 3, 9, 10, 0)},
		// 2026-11-01 02:00 EDT -> 01:00 EST.
		{"dst end over weekend", hrNewYork(t), at(ny, 2026, 10, 30, 16, 30), time.Hour, at(ny, 2026, 11, 2, 9, 30)},
		{"start given in another zone", hrNewYork(t), at(kst, 2026, 3, 9, 22, 0), time.Hour, at(kst, 2026, 3, 9, 23, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.h.Add(tt.start, tt.d)
			if !got.Equal(tt.want) {
				t.Errorf("Add(%v, %v) = %v, want %v", tt.start, tt.d, got, tt.want)
			}
			if got.Location() != tt.start.Location() {
				t.Errorf("Add returned location %v, want %v", got.Location(), tt.start.Location())
			}
			if tt.d > 0 {
				if b := tt.h.Between(tt.start, got); b != tt.d {
					t.Errorf("Between(start, Add(start, %v)) = %v", tt.d, b)
				}
			}
		})
	}
}

func TestHoursOpenAndNextOpen(t *testing.T) {
	kst := hrTestLoc(t, "Asia/Seoul")
	h := hrSeoul(t)
	at := func(m time.Month, d, hh, mm int) time.Time { return time.Date(2026, m, d, hh, mm, 0, 0, kst) }
	tests := []struct {
		t    time.Time
		open bool
		next time.Time
	}{
		{at(3, 2, 8, 59), false, at(3, 2, 9, 0)},
		{at(3, 2, 9, 0), true, at(3, 2, 9, 0)},
		{at(3, 2, 11, 59), true, at(3, 2, 11, 59)},
		{at(3, 2, 12, 0), false, at(3, 2, 13, 0)},
		{at(3, 2, 17, 59), true, at(3, 2, 17, 59)},
		{at(3, 2, 18, 0), false, at(3, 3, 9, 0)},
		{at(3, 6, 18, 0), false, at(3, 9, 9, 0)},
		{at(3, 8, 12, 0), false, at(3, 9, 9, 0)},
		{at(12, 25, 10, 0), false, at(12, 28, 9, 0)},
		{at(12, 24, 23, 0), false, at(12, 28, 9, 0)},
	}
	for _, tt := range tests {
		if got := h.Open(tt.t); got != tt.open {
			t.Errorf("Open(%v) = %v, want %v", tt.t, got, tt.open)
		}
		if got := h.NextOpen(tt.t); !got.Equal(tt.next) {
			t.Errorf("NextOpen(%v) = %v, want %v", tt.t, got, tt.next)
		}
	}
	var none *bot.Hours
	now := at(3, 8, 3, 0)
	if !none.Open(now) || !none.NextOpen(now).Equal(now) {
		t.Error("nil Hours is not always open")
	}
}

func TestHoursBetween(t *testing.T) {
	kst := hrTestLoc(t, "Asia/Seoul")
	ny := hrTestLoc(t, "America/New_York")
	at := func(loc *time.Location, m time.Month, d, hh, mm int) time.Time {
		return time.Date(2026, m, d, hh, mm, 0, 0, loc)
	}
	allDay := &bot.Hours{Loc: ny}
	for d := range allDay.Week {
		allDay.Week[d] = []bot.Span{{0, 24 * time.Hour}}
	}
	sundayNight := &bot.Hours{Loc: ny}
	sundayNight.Week[time.Sunday] = []bot.Span{{0, hrHM(6, 0)}}
	tests := []struct {
		name string
		h    *bot.Hours
		a, b time.Time
		want time.Duration
	}{
		{"one day", hrSeoul(t), at(kst, 3, 2, 0, 0), at(kst, 3, 3, 0, 0), 8 * time.Hour},
		{"week", hrSeoul(t), at(kst, 3, 2, 0, 0), at(kst, 3, 9, 0, 0), 40 * time.Hour},
		{"christmas week", hrSeoul(t), at(kst, 12, 21, 0, 0), at(kst, 12, 28, 0, 0), 32 * time.Hour},
		{"lunch only", hrSeoul(t), at(kst, 3, 2, 12, 0), at(kst, 3, 2, 13, 0), 0},
		{"across lunch", hrSeoul(t), at(kst, 3, 2, 11, 30), at(kst, 3, 2, 13, 30), time.Hour},
		{"reversed", hrSeoul(t), at(kst, 3, 3, 0, 0), at(kst, 3, 2, 0, 0), 0},
		{"empty", hrSeoul(t), at(kst, 3, 2, 10, 0), at(kst, 3, 2, 10, 0), 0},
		{"nil", nil, at(kst, 3, 2, 10, 0), at(kst, 3, 3, 10, 0), 24 * time.Hour},
		{"24/7 over dst start", allDay, at(ny, 3, 7, 0, 0), at(ny, 3, 9, 0, 0), 47 * time.Hour},
		{"24/7 over dst end", allDay, at(ny, 10, 31, 0, 0), at(ny, 11, 2, 0, 0), 49 * time.Hour},
		{"span across the spring gap", sundayNight, at(ny, 3, 8, 0, 0), at(ny, 3, 9, 0, 0), 5 * time.Hour},
		{"span across the fall fold", sundayNight, at(ny, 11, 1, 0, 0), at(ny, 11, 2, 0, 0), 7 * time.Hour},
		{"ny week with dst", hrNewYork(t), at(ny, 3, 6, 0, 0), at(ny, 3, 13, 0, 0), 40 * time.Hour},
	}
	for _, tt := range tests {
		if got := tt.h.Between(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: Between(%v, %v) = %v, want %v", tt.name, tt.a, tt.b, got, tt.want)
		}
	}
}

// TestHoursBetweenAddProperty checks Between(s, Add(s, d)) == d, and that Add
// spends no more than it must, for many random starts and durations.
func TestHoursBetweenAddProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, h := range []*bot.Hours{hrSeoul(t), hrNewYork(t), nil} {
		for range 2000 {
			s := base.Add(time.Duration(r.Int64N(int64(366 * 24 * time.Hour))))
			d := time.Duration(r.Int64N(int64(120*time.Hour))) + 1
			due := h.Add(s, d)
			if got := h.Between(s, due); got != d {
				t.Fatalf("Between(%v, Add(%v, %v) = %v) = %v", s, s, d, due, got)
			}
			if got := h.Between(s, due.Add(-1)); got >= d {
				t.Fatalf("Add(%v, %v) = %v is later than it must be", s, d, due)
			}
			next := h.NextOpen(s)
			if next.Before(s) || !h.Open(next) || h.Between(s, next) != 0 {
				t.Fatalf("NextOpen(%v) = %v is not the next opening", s, next)
			}
		}
	}
}

// TestHoursBetweenBruteForce compares Between with a count of open minutes.
func TestHoursBetweenBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ny := hrTestLoc(t, "America/New_York")
	// Weeks around DST start and end, a holiday and a split shift.
	starts := []time.Time{
		time.Date(2026, 3, 5, 0, 0, 0, 0, ny),
		time.Date(2026, 10, 29, 0, 0, 0, 0, ny),
		time.Date(2026, 12, 22, 0, 0, 0, 0, ny),
	}
	sundayNight := &bot.Hours{Loc: ny}
	sundayNight.Week[time.Sunday] = []bot.Span{{0, hrHM(6, 0)}, {hrHM(22, 0), 24 * time.Hour}}
	sundayNight.Week[time.Monday] = []bot.Span{{0, hrHM(1, 30)}}
	for _, h := range []*bot.Hours{hrSeoul(t), hrNewYork(t), sundayNight} {
		for range 15 {
			a := starts[r.IntN(len(starts))].Add(time.Duration(r.IntN(3*24*60)) * time.Minute)
			b := a.Add(time.Duration(r.IntN(4*24*60)) * time.Minute)
			var want time.Duration
			for m := a; m.Before(b); m = m.Add(time.Minute) {
				if h.Open(m) {
					want += time.Minute
				}
			}
			if got := h.Between(a, b); got != want {
				t.Errorf("Between(%v, %v) = %v, want %v (minute count)", a, b, got, want)
			}
		}
	}
}

func TestHoursNeverOpen(t *testing.T) {
	h := &bot.Hours{Loc: time.UTC} // an empty week: rejected by config validation
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if !h.Open(now) {
		t.Error("Open = false for an empty week, want the always-open fallback")
	}
	if got := h.NextOpen(now); !got.Equal(now) {
		t.Errorf("NextOpen = %v, want %v", got, now)
	}
	if got := h.Add(now, time.Hour); !got.Equal(now.Add(time.Hour)) {
		t.Errorf("Add = %v, want %v", got, now.Add(time.Hour))
	}
	if got := h.Between(now, now.Add(time.Hour)); got != time.Hour {
		t.Errorf("Between = %v, want 1h", got)
	}

	// A week with openings, but every day a holiday for two years and more.
	hol := &bot.Hours{Loc: time.UTC, Week: hrWeekdays(bot.Span{hrHM(9, 0), hrHM(17, 0)}), Holidays: map[string]bool{}}
	for d := range 800 {
		hol.Holidays[now.AddDate(0, 0, d).Format(time.DateOnly)] = true
	}
	if got := hol.Add(now, time.Hour); !got.Equal(now.Add(time.Hour)) {
		t.Errorf("all holidays: Add = %v, want %v", got, now.Add(time.Hour))
	}
}

func TestHoursLongAddStaysConsistent(t *testing.T) {
	h := hrSeoul(t)
	s := time.Date(2026, 3, 2, 9, 0, 0, 0, h.Loc)
	// Three years of 40-hour weeks outlasts the two-year scan.
	d := 3 * 52 * 40 * time.Hour
	due := h.Add(s, d)
	if got := h.Between(s, due); got != d {
		t.Fatalf("Between(s, Add(s, %v)) = %v", d, got)
	}
	if due.Before(s.AddDate(2, 0, 0)) {
		t.Fatalf("Add(s, %v) = %v: too early", d, due)
	}
}

func TestHoursIn(t *testing.T) {
	h := hrSeoul(t)
	paris := hrTestLoc(t, "Europe/Paris")
	p := h.In(paris)
	if p.Loc != paris {
		t.Fatalf("In: Loc = %v", p.Loc)
	}
	if mon := time.Date(2026, 3, 2, 10, 30, 0, 0, paris); !p.Open(mon) || h.Open(mon) {
		t.Errorf("Monday 10:30 Paris (18:30 in Seoul): open %v in Paris hours, %v in Seoul hours; want true, false", p.Open(mon), h.Open(mon))
	}
	if xmas := time.Date(2026, 12, 25, 10, 0, 0, 0, paris); p.Open(xmas) {
		t.Error("holiday not kept by In")
	}
	p.Week[time.Monday][0].Start = 0
	if h.Week[time.Monday][0].Start != hrHM(9, 0) {
		t.Error("In shares its spans with the original")
	}
	var none *bot.Hours
	if none.In(paris) != nil {
		t.Error("nil.In != nil")
	}
}

func BenchmarkHoursAdd(b *testing.B) {
	h := hrSeoul(b)
	start := time.Date(2026, 12, 24, 17, 30, 0, 0, h.Loc) // Thursday before Christmas
	for b.Loop() {
		h.Add(start, time.Hour)
	}
}

func BenchmarkHoursAddWeek(b *testing.B) {
	h := hrSeoul(b)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, h.Loc)
	for b.Loop() {
		h.Add(start, 40*time.Hour)
	}
}
