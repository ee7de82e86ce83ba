package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openear/openear/bot"
)

// MaxRows caps the threads table and /api/threads.
const MaxRows = 500

// Filter selects threads; the dashboard's form and /api/threads share it.
type Filter struct {
	// State is "open" (waiting or answered; the default), "all", or one
	// bot.State.
	State    string
	Platform string // "" = any
	Tag      string // "" = any
	Owner    string // "" = any
	// Q, when set, keeps threads whose customer (name, company or id),
	// messages or tags contain it, ignoring case.
	Q     string
	Limit int // 1..MaxRows
	// Clamped is the limit asked for when it was above MaxRows (and Limit
	// is MaxRows); 0 otherwise.
	Clamped int
	// Before, when not 0, keeps only threads with a smaller id: the next
	// page of a newest-first list.
	Before uint64
	// TagLabel, when set, names a tag as the reader sees it (a built-in
	// tag in their language): Q also matches tags by that name.
	TagLabel func(name string) string
}

// ParamError is a query parameter that cannot be used: its name, the
// value given and what is wanted.
type ParamError struct {
	Param, Value, Want string
}

func (e *ParamError) Error() string {
	if e.Value == "" {
		return e.Param + ": " + e.Want
	}
	return fmt.Sprintf("%s %q: %s", e.Param, e.Value, e.Want)
}

// ParseFilter reads state, platform, tag, owner, limit and before from a
// query. Other parameters are ignored. A limit above MaxRows is clamped
// to it (and recorded in Clamped). An unknown state or platform, a
// malformed limit or one below 1, a malformed before or an overlong value
// is an error (a *ParamError).
func ParseFilter(q url.Values, defaultLimit int) (Filter, error) {
	f := Filter{
		State:    strings.TrimSpace(q.Get("state")),
		Platform: strings.TrimSpace(q.Get("platform")),
		Tag:      strings.TrimSpace(q.Get("tag")),
		Owner:    strings.TrimSpace(q.Get("owner")),
		Q:        strings.TrimSpace(q.Get("q")),
		Limit:    defaultLimit,
	}
	switch f.State {
	case "":
		f.State = "open"
	case "open", "all", string(bot.Waiting), string(bot.Answered), string(bot.Resolved):
	default:
		return Filter{}, &ParamError{"state", f.State, "want open, all, waiting, answered or resolved"}
	}
	switch f.Platform {
	case "", bot.Slack, bot.Discord:
	default:
		return Filter{}, &ParamError{"platform", f.Platform, "want slack or discord"}
	}
	for _, p := range []struct{ name, v string }{{"tag", f.Tag}, {"owner", f.Owner}, {"q", f.Q}} {
		if len(p.v) > 200 {
			return Filter{}, &ParamError{Param: p.name, Want: "longer than 200 bytes"}
		}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return Filter{}, &ParamError{"limit", s, fmt.Sprintf("want a number from 1 to %d", MaxRows)}
		}
		if n > MaxRows {
			f.Clamped, n = n, MaxRows
		}
		f.Limit = n
	}
	if s := q.Get("before"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n == 0 {
			return Filter{}, &ParamError{"before", s, "want a thread id"}
		}
		f.Before = n
	}
	return f, nil
}

// Match reports whether a thread passes the filter.
func (f Filter) Match(t *bot.Thread) bool {
	if f.Before != 0 && t.ID >= f.Before {
		return false
	}
	switch f.State {
	case "all":
	case "open":
		if !t.State.Open() {
			return false
		}
	default:
		if string(t.State) != f.State {
			return false
		}
	}
	return (f.Platform == "" || t.Platform == f.Platform) &&
		(f.Tag == "" || t.HasTag(f.Tag)) &&
		(f.Owner == "" || t.Owner == f.Owner) &&
		(f.Q == "" || search(t, f.Q, f.TagLabel))
}

// search reports whether a thread's customer, messages or tags (by
// name, or as label names them) contain q, ignoring case.
func search(t *bot.Thread, q string, label func(string) string) bool {
	q = strings.ToLower(q)
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), q) }
	if has(t.CustName) || has(t.CustCompany) || has(t.Customer) {
		return true
	}
	for _, g := range t.Tags {
		if has(g.Name) || (label != nil && has(label(g.Name))) {
			return true
		}
	}
	for _, m := range t.Messages {
		if has(m.Text) {
			return true
		}
	}
	return false
}

// ParseSince reads a look-back period: a Go duration ("36h", "90m") or a
// number of days ("7d"). It must be positive and at most 400 days; the
// error is a *ParamError.
func ParseSince(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, &ParamError{"since", s, "want a duration such as 7d or 36h"}
		}
		d = time.Duration(max(min(n, 401), 0)) * 24 * time.Hour // no overflow
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, &ParamError{"since", s, "want a duration such as 7d or 36h"}
		}
	}
	if d <= 0 || d > 400*24*time.Hour {
		return 0, &ParamError{"since", s, "want more than 0 and at most 400d"}
	}
	return d, nil
}
