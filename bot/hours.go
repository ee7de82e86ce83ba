package bot

import (
	"maps"
	"slices"
	"time"
)

// Span is one opening of a day, as offsets from local midnight:
// 0 <= Start < End <= 24h. A split shift is two spans (09:00-12:00 and
// 13:00-18:00).
type Span struct{ Start, End time.Duration }

// Hours says when SLA clocks run. A nil *Hours means always open (24/7).
//
// Span boundaries are wall-clock times of each local date, computed with
// time.Date in Loc, so a day with a DST change is 23 or 25 hours long and an
// opening 09:00-18:00 stays 09:00-18:00. A nil Loc means UTC.
//
// The methods never scan more than two years of days from the instant they
// are given. Two documented fallbacks keep them bounded and consistent with
// one another (Between(s, Add(s, d)) == d holds in every case):
//
//   - If no opening at all is found within those two years (an empty Week,
//     which config validation rejects, or two years of holidays), h behaves
//     as always open: Open reports true, NextOpen returns t, Add returns
//     start.Add(d) and Between returns b - a.
//   - If d outlasts two years of openings, the remainder counts as continuous
//     time from the end of the scanned days.
//
// Hours is read-only once built; its methods may be called concurrently.
type Hours struct {
	Loc      *time.Location
	Week     [7][]Span       // indexed by time.Weekday; spans sorted, non-overlapping
	Holidays map[string]bool // "2006-01-02" dates in Loc: closed all day
}

// hrHorizonDays bounds every scan: two years, plus the day before the start.
const hrHorizonDays = 2*366 + 1

// Open reports whether t falls inside an opening. A nil h is always open.
func (h *Hours) Open(t time.Time) bool {
	if h == nil {
		return true
	}
	open := true // nothing found within the horizon: always open
	h.hrWalk(t, func(s, _ time.Time) bool {
		open = !s.After(t)
		return false
	})
	return open
}

// NextOpen returns t if h is open at t, else the start of the next opening,
// in t's location. If h has no opening within two years (an empty week),
// it returns t.
func (h *Hours) NextOpen(t time.Time) time.Time {
	if h == nil {
		return t
	}
	next := t
	h.hrWalk(t, func(s, _ time.Time) bool {
		next = s.In(t.Location())
		return false
	})
	return next
}

// Add returns the instant at which d of open time has elapsed counting from
// start, in start's location. If start is closed, counting begins at the next
// opening. If d runs out exactly at the end of an opening, Add returns that
// end (12:00 for a morning shift), not the next opening. A d <= 0 returns
// start unchanged, even when start is closed. A nil h returns start.Add(d)
// for d > 0.
func (h *Hours) Add(start time.Time, d time.Duration) time.Time {
	switch {
	case d <= 0:
		return start
	case h == nil:
		return start.Add(d)
	}
	left := d
	var due time.Time
	found := false
	end, seen := h.hrWalk(start, func(s, e time.Time) bool {
		if span := e.Sub(s); span < left {
			left -= span
			return true
		}
		due, found = s.Add(left), true
		return false
	})
	switch {
	case found:
		return due.In(start.Location())
	case !seen:
		return start.Add(d)
	default:
		return end.Add(left).In(start.Location())
	}
}

// Between returns the open time in [a, b); 0 if b <= a. A nil h returns
// b - a.
func (h *Hours) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if h == nil {
		return b.Sub(a)
	}
	var sum time.Duration
	stopped := false
	end, seen := h.hrWalk(a, func(s, e time.Time) bool {
		if !s.Before(b) {
			stopped = true
			return false
		}
		if e.After(b) {
			e = b
		}
		sum += e.Sub(s)
		return true
	})
	switch {
	case !seen:
		return b.Sub(a)
	case !stopped && b.After(end):
		sum += b.Sub(end)
	}
	return sum
}

// In returns the same weekly schedule and holidays interpreted in loc (a
// person's time zone): 09:00-18:00 in Seoul becomes 09:00-18:00 in Paris.
// A nil h stays nil.
func (h *Hours) In(loc *time.Location) *Hours {
	if h == nil {
		return nil
	}
	c := &Hours{Loc: loc, Holidays: maps.Clone(h.Holidays)}
	for i, spans := range h.Week {
		c.Week[i] = slices.Clone(spans)
	}
	return c
}

// hrWalk calls fn, in order, with each opening that ends after from, its
// start clipped to from, beginning with the local day before from's date and
// scanning at most hrHorizonDays days. It stops when fn returns false. It
// returns the start of the first day not scanned, and whether fn was called
// at all. Openings are clipped so that they never overlap or go backwards,
// whatever the DST transitions or the spans given.
func (h *Hours) hrWalk(from time.Time, fn func(s, e time.Time) bool) (end time.Time, seen bool) {
	loc := h.Loc
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := from.In(loc).Date()
	d-- // a span of the previous date may still be running
	if h.hrEmpty() {
		return time.Date(y, m, d+hrHorizonDays, 0, 0, 0, 0, loc), false
	}
	last := from
	for i := range hrHorizonDays {
		// The civil date, computed in UTC so no zone transition can move it.
		civil := time.Date(y, m, d+i, 12, 0, 0, 0, time.UTC)
		spans := h.Week[civil.Weekday()]
		if len(spans) == 0 || h.hrHoliday(civil) {
			continue
		}
		cy, cm, cd := civil.Date()
		for _, sp := range spans {
			s := hrWall(cy, cm, cd, sp.Start, loc)
			e := hrWall(cy, cm, cd, sp.End, loc)
			if s.Before(last) {
				s = last
			}
			if !e.After(s) {
				continue
			}
			last, seen = e, true
			if !fn(s, e) {
				return e, true
			}
		}
	}
	return time.Date(y, m, d+hrHorizonDays, 0, 0, 0, 0, loc), seen
}

// hrEmpty reports whether no weekday has a span.
func (h *Hours) hrEmpty() bool {
	for _, spans := range h.Week {
		if len(spans) > 0 {
			return false
		}
	}
	return true
}

func (h *Hours) hrHoliday(civil time.Time) bool {
	return len(h.Holidays) > 0 && h.Holidays[civil.Format(time.DateOnly)]
}

// hrWall returns the instant of wall-clock offset off (clamped to [0, 24h])
// on the given local date.
func hrWall(y int, m time.Month, d int, off time.Duration, loc *time.Location) time.Time {
	off = min(max(off, 0), 24*time.Hour)
	return time.Date(y, m, d, 0, 0, int(off/time.Second), int(off%time.Second), loc)
}
