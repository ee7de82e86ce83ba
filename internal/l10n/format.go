package l10n

import (
	"fmt"
	"time"
)

// Duration formats a span for people, rounded to what a reader needs:
// "45s", "5m 30s" (under ten minutes), "40m", "1h 30m", "2d 3h" in English;
// "45초", "5분 30초", "40분", "1시간 30분", "2일 3시간" in Korean. A
// negative span is formatted as its absolute value.
func (l *Localizer) Duration(d time.Duration) string {
	u := units[l.lang]
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d%s", int(d.Round(time.Second)/time.Second), u.s)
	case d < 10*time.Minute:
		d = d.Round(time.Second)
		return u.pair(int(d/time.Minute), u.m, int(d%time.Minute/time.Second), u.s)
	}
	d = d.Round(time.Minute)
	if d < time.Hour {
		return fmt.Sprintf("%d%s", int(d/time.Minute), u.m)
	}
	if d < 48*time.Hour {
		return u.pair(int(d/time.Hour), u.h, int(d%time.Hour/time.Minute), u.m)
	}
	d = d.Round(time.Hour)
	return u.pair(int(d/(24*time.Hour)), u.d, int(d%(24*time.Hour)/time.Hour), u.h)
}

// unitNames are the unit suffixes of Duration in one language.
type unitNames struct{ d, h, m, s string }

var units = map[string]unitNames{
	English: {"d", "h", "m", "s"},
	Korean:  {"일", "시간", "분", "초"},
}

// pair formats "<a><ua> <b><ub>", leaving out a zero b.
func (u unitNames) pair(a int, ua string, b int, ub string) string {
	if b == 0 {
		return fmt.Sprintf("%d%s", a, ua)
	}
	return fmt.Sprintf("%d%s %d%s", a, ua, b, ub)
}

// Took formats a measured time — a percentile of reply times, how long a
// thread has waited — in statistics: Go's notation rounded to the second
// under a minute and to the minute above ("45s", "1h30m0s") in English,
// which scripts reading the digest rely on; Duration's in Korean.
func (l *Localizer) Took(d time.Duration) string {
	if l.lang == English {
		if d < time.Minute && d > -time.Minute {
			return d.Round(time.Second).String()
		}
		return d.Round(time.Minute).String()
	}
	return l.Duration(d)
}

// When formats an instant in its own location, short: "Mon 15:04 KST" in
// English; "12월 4일 (금) 오후 3:00" in Korean, where the zone is named
// only when it is not Korea's ("12월 4일 (금) 오전 6:00 UTC").
func (l *Localizer) When(t time.Time) string {
	if l.lang == English {
		return t.Format("Mon 15:04 MST")
	}
	return koDate(t, true)
}

// Date formats an instant with its date, and its zone when zone is set:
// "Mon Dec 4 15:00 KST" in English; in Korean as When (the zone named
// only when zone is set and it is not Korea's).
func (l *Localizer) Date(t time.Time, zone bool) string {
	if l.lang == English {
		if zone {
			return t.Format("Mon Jan 2 15:04 MST")
		}
		return t.Format("Mon Jan 2 15:04")
	}
	return koDate(t, zone)
}

// Stamp formats an instant with its year: "2026-12-04 15:00" in English,
// "2026년 12월 4일 오후 3:00" in Korean.
func (l *Localizer) Stamp(t time.Time) string {
	if l.lang == English {
		return t.Format("2006-01-02 15:04")
	}
	return fmt.Sprintf("%d년 %d월 %d일 %s", t.Year(), t.Month(), t.Day(), koClock(t))
}

var koWeekdays = [...]string{"일", "월", "화", "수", "목", "금", "토"}

// koDate is "12월 4일 (금) 오후 3:00", with the zone's name after it when
// zone is set and the zone is not KST.
func koDate(t time.Time, zone bool) string {
	s := fmt.Sprintf("%d월 %d일 (%s) %s", t.Month(), t.Day(), koWeekdays[t.Weekday()], koClock(t))
	if name, _ := t.Zone(); zone && name != "KST" {
		s += " " + name
	}
	return s
}

// koClock is the time of day on a 12-hour clock: "오전 12:05" just after
// midnight, "오후 12:00" at noon, "오후 3:00".
func koClock(t time.Time) string {
	half, h := "오전", t.Hour()
	if h >= 12 {
		half, h = "오후", h-12
	}
	if h == 0 {
		h = 12
	}
	return fmt.Sprintf("%s %d:%02d", half, h, t.Minute())
}
