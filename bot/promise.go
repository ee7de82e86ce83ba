package bot

import (
	"fmt"
	"strings"
	"time"
)

// Promise says in words when a customer can expect a reply, in lang "en" or
// "ko", given the current time and the due instant, in the customer-facing
// time zone loc (nil means UTC). Any lang that does not start with "ko" is
// English.
//
// The promise never names a time earlier than due:
//
//	due within 60 minutes  "within 15 minutes" (rounded up to 5), "within an hour"
//	                       "15분 안에", "1시간 안에"; an overdue due says "within 5 minutes"
//	later the same day     "today by 3 PM", "today by 3:30 PM" (rounded up to the half hour)
//	                       "오늘 오후 3시까지", "오늘 오후 3시 30분까지"
//	tomorrow               "tomorrow morning" (due before 12:00), "tomorrow afternoon"
//	                       (before 18:00), "tomorrow by 7 PM" (from 18:00)
//	                       "내일 오전", "내일 오후", "내일 오후 7시까지"
//	2 to 6 days ahead      "Monday morning", "월요일 오전" (and so on)
//	later                  "on Dec 28 (Mon) morning", "12월 28일(월) 오전";
//	                       the year is added when due is more than 300 days away
//
// Days are calendar days in loc.
func Promise(now, due time.Time, loc *time.Location, lang string) string {
	if loc == nil {
		loc = time.UTC
	}
	ko := strings.HasPrefix(strings.ToLower(lang), "ko")
	if left := due.Sub(now); left <= time.Hour {
		mins := max(int((left+5*time.Minute-1)/(5*time.Minute))*5, 5)
		switch {
		case mins >= 60 && ko:
			return "1시간 안에"
		case mins >= 60:
			return "within an hour"
		case ko:
			return fmt.Sprintf("%d분 안에", mins)
		default:
			return fmt.Sprintf("within %d minutes", mins)
		}
	}
	n, d := now.In(loc), due.In(loc)
	days := promiseDays(n, d)
	if days <= 0 {
		if ko {
			return "오늘 " + promiseClock(d, ko) + "까지"
		}
		return "today by " + promiseClock(d, ko)
	}
	part := promisePart(d, ko)
	switch {
	case days == 1 && ko:
		return "내일 " + part
	case days == 1:
		return "tomorrow " + part
	case days < 7 && ko:
		return promiseWeekdayKO[d.Weekday()] + "요일 " + part
	case days < 7:
		return d.Weekday().String() + " " + part
	}
	wd := d.Weekday().String()[:3]
	if ko {
		wd = promiseWeekdayKO[d.Weekday()]
		date := fmt.Sprintf("%d월 %d일(%s)", d.Month(), d.Day(), wd)
		if days > 300 {
			date = fmt.Sprintf("%d년 %s", d.Year(), date)
		}
		return date + " " + part
	}
	date := fmt.Sprintf("%s %d", d.Month().String()[:3], d.Day())
	if days > 300 {
		date += fmt.Sprintf(", %d", d.Year())
	}
	return fmt.Sprintf("on %s (%s) %s", date, wd, part)
}

var promiseWeekdayKO = [7]string{"일", "월", "화", "수", "목", "금", "토"}

// promiseDays returns the number of calendar days from n's date to d's date.
func promiseDays(n, d time.Time) int {
	ny, nm, nd := n.Date()
	dy, dm, dd := d.Date()
	a := time.Date(ny, nm, nd, 12, 0, 0, 0, time.UTC)
	b := time.Date(dy, dm, dd, 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a) / (24 * time.Hour))
}

// promisePart names the part of the day of d: morning, afternoon, or from
// 18:00 a time of day.
func promisePart(d time.Time, ko bool) string {
	switch {
	case d.Hour() < 12 && ko:
		return "오전"
	case d.Hour() < 12:
		return "morning"
	case d.Hour() < 18 && ko:
		return "오후"
	case d.Hour() < 18:
		return "afternoon"
	case ko:
		return promiseClock(d, ko) + "까지"
	default:
		return "by " + promiseClock(d, ko)
	}
}

// promiseClock names d's wall-clock time rounded up to the half hour:
// "3 PM", "3:30 PM", "midnight"; "오후 3시", "오후 3시 30분", "자정".
func promiseClock(d time.Time, ko bool) string {
	mins := d.Hour()*60 + d.Minute()
	if d.Second() > 0 || d.Nanosecond() > 0 {
		mins++
	}
	mins = (mins + 29) / 30 * 30
	if mins >= 24*60 {
		if ko {
			return "자정"
		}
		return "midnight"
	}
	h, m := mins/60, mins%60
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	if ko {
		s := fmt.Sprintf("오전 %d시", h12)
		if h >= 12 {
			s = fmt.Sprintf("오후 %d시", h12)
		}
		if m > 0 {
			s += fmt.Sprintf(" %d분", m)
		}
		return s
	}
	ampm := "AM"
	if h >= 12 {
		ampm = "PM"
	}
	if m > 0 {
		return fmt.Sprintf("%d:%02d %s", h12, m, ampm)
	}
	return fmt.Sprintf("%d %s", h12, ampm)
}
