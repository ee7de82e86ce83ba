package config

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Location loads b.Timezone; an empty name is UTC, and so is a nil b.
func (b *BusinessHours) Location() (*time.Location, error) {
	if b == nil {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(b.Timezone)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", b.Timezone)
	}
	return loc, nil
}

// Days returns the open spans of each day, indexed by time.Weekday, each
// day's spans in order. A day that no key of Week names is closed. A nil b
// is always open. The error names the first bad key.
func (b *BusinessHours) Days() ([7][]Span, error) {
	if b == nil {
		var all [7][]Span
		for i := range all {
			all[i] = []Span{{0, 24 * time.Hour}}
		}
		return all, nil
	}
	var first error
	days := b.week(func(key string, err error) {
		if first == nil {
			first = fmt.Errorf("business_hours.%s: %w", key, err)
		}
	})
	return days, first
}

// HolidayDates returns the holidays as YYYY-MM-DD strings.
func (b *BusinessHours) HolidayDates() ([]string, error) {
	if b == nil {
		return nil, nil
	}
	out := make([]string, 0, len(b.Holidays))
	for i, h := range b.Holidays {
		t, err := parseDate(h)
		if err != nil {
			return nil, fmt.Errorf("business_hours.holidays[%d]: %w", i, err)
		}
		out = append(out, t.Format(time.DateOnly))
	}
	return out, nil
}

func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (write YYYY-MM-DD)", s)
	}
	return t, nil
}

// week parses b.Week, reporting each problem with its key path under
// business_hours ("week.mon-fri", "week.mon-fri[1]").
func (b *BusinessHours) week(report func(key string, err error)) [7][]Span {
	var days [7][]Span
	setBy := map[time.Weekday]string{}
	for _, key := range weekOrder(b.Week) {
		path := "week." + key
		wd, err := parseDays(key)
		if err != nil {
			report(path, err)
			continue
		}
		spans := parseSpans(path, b.Week[key], report)
		for _, d := range wd {
			if other, ok := setBy[d]; ok {
				report(path, fmt.Errorf("%s is also set by %q", dayKeys[d], other))
				continue
			}
			setBy[d] = key
			days[d] = spans
		}
	}
	return days
}

// weekOrder sorts the keys of a week by the first day each names, Monday
// first, so that a day set twice is reported at the later key.
func weekOrder(week map[string][]string) []string {
	first := func(key string) int {
		name, _, _ := strings.Cut(strings.SplitN(key, ",", 2)[0], "-")
		d, ok := parseDay(name)
		if !ok {
			return 7
		}
		return (int(d) + 6) % 7
	}
	return slices.SortedFunc(maps.Keys(week), func(a, b string) int {
		return cmp.Or(cmp.Compare(first(a), first(b)), strings.Compare(a, b))
	})
}

func parseSpans(path string, list []string, report func(string, error)) []Span {
	spans := []Span{}
	for i, s := range list {
		sp, err := parseSpan(s)
		if err != nil {
			report(fmt.Sprintf("%s[%d]", path, i), err)
			continue
		}
		if n := len(spans); n > 0 && sp.Start < spans[n-1].End {
			report(fmt.Sprintf("%s[%d]", path, i), fmt.Errorf("%s overlaps or comes before %s; list spans in order", sp, spans[n-1]))
			continue
		}
		spans = append(spans, sp)
	}
	return spans
}

var dayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// parseDay reads "mon" or "monday", in any case.
func parseDay(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, k := range dayKeys {
		if s == k || s == strings.ToLower(time.Weekday(i).String()) {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// parseDays reads a week key: "mon", "mon-fri", "sat-sun", "mon,wed,fri"
// or a comma list of those. A range may wrap around the week ("fri-mon").
func parseDays(key string) ([]time.Weekday, error) {
	var out []time.Weekday
	for part := range strings.SplitSeq(key, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, ok1 := parseDay(from)
		b, ok2 := a, true
		if isRange {
			b, ok2 = parseDay(to)
		}
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%q is not a day or range of days (write e.g. mon, mon-fri, sat-sun, mon,wed,fri)", key)
		}
		for d := a; ; d = (d + 1) % 7 {
			if slices.Contains(out, d) {
				return nil, fmt.Errorf("%q names %s twice", key, dayKeys[d])
			}
			out = append(out, d)
			if d == b {
				break
			}
		}
	}
	return out, nil
}

// parseSpan reads "09:00-18:00"; the end may be "24:00".
func parseSpan(s string) (Span, error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Span{}, fmt.Errorf("%q is not a span of hours (write e.g. 09:00-18:00)", s)
	}
	start, err1 := parseClock(from, false)
	end, err2 := parseClock(to, true)
	if err1 != nil || err2 != nil {
		return Span{}, fmt.Errorf("%q is not a span of hours (write e.g. 09:00-18:00)", s)
	}
	if start >= end {
		return Span{}, fmt.Errorf("%q ends before it starts", s)
	}
	return Span{start, end}, nil
}

// parseClock reads "HH:MM", 00:00 to 23:59, and 24:00 when end is true.
func parseClock(s string, end bool) (time.Duration, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	h, m := twoDigits(hh), twoDigits(mm)
	switch {
	case !ok || h < 0 || m < 0 || m > 59 || h > 24,
		h == 24 && (m != 0 || !end):
		return 0, fmt.Errorf("%q is not a time of day (write HH:MM)", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// twoDigits reads exactly two decimal digits, or returns -1.
func twoDigits(s string) int {
	if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return -1
	}
	return int(s[0]-'0')*10 + int(s[1]-'0')
}
