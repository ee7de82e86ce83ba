package web

import (
	"bytes"
	"context"
	_ "embed"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/openear/openear/bot"
)

//go:embed page.html
var pageHTML string

var pageTmpl = template.Must(template.New("page").Parse(pageHTML))

// TagDays is how many days the tag chart covers, today included.
const TagDays = 14

// row is one line of the threads table, already formatted.
type row struct {
	ID         uint64
	State      bot.State
	Platform   string
	Channel    string
	Customer   string
	CustomerID string
	Owner      string
	Team       string
	Tags       []bot.Tag
	Age        string
	SLA        string
	Overdue    bool
	Excerpt    string
	Lang       string
	Permalink  string

	deadline time.Time
}

// scan is what one walk over the store gathers for the page.
type scan struct {
	counts  map[bot.State]int
	total   int
	tags    map[string]bool
	owners  map[string]bool
	rows    []row // every match, unsorted
	tagDays map[string][]int
	days    []string
}

// scanStore walks every thread once: counts, the filter's matches and the
// tag chart's series.
// A nil match collects no rows.
func (d *Dashboard) scanStore(ctx context.Context, match func(*bot.Thread) bool, now time.Time) (*scan, error) {
	sc := &scan{counts: map[bot.State]int{}, tags: map[string]bool{}, owners: map[string]bool{}, tagDays: map[string][]int{}}
	y, m, dd := now.Date()
	today := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	first := today.AddDate(0, 0, 1-TagDays)
	for i := range TagDays {
		sc.days = append(sc.days, first.AddDate(0, 0, i).Format("01-02"))
	}
	err := d.store.Threads(ctx, func(t bot.Thread) bool {
		sc.total++
		sc.counts[t.State]++
		for _, g := range t.Tags {
			sc.tags[g.Name] = true
		}
		if t.Owner != "" {
			sc.owners[t.Owner] = true
		}
		if match != nil && match(&t) {
			sc.rows = append(sc.rows, newRow(&t, now))
		}
		cy, cm, cd := t.Created.In(now.Location()).Date()
		if day := int(time.Date(cy, cm, cd, 0, 0, 0, 0, time.UTC).Sub(first) / (24 * time.Hour)); day >= 0 && day < TagDays {
			names := t.TagNames()
			if len(names) == 0 {
				names = []string{"untagged"}
			}
			for _, name := range names {
				if sc.tagDays[name] == nil {
					sc.tagDays[name] = make([]int, TagDays)
				}
				sc.tagDays[name][day]++
			}
		}
		return true
	})
	return sc, err
}

func newRow(t *bot.Thread, now time.Time) row {
	r := row{
		ID: t.ID, State: t.State, Platform: t.Platform, Channel: t.Channel,
		Customer: t.CustName, CustomerID: t.Customer, Owner: t.Owner, Team: t.Team,
		Tags: t.Tags, Age: shortDur(now.Sub(t.Created)), Lang: t.Lang, Permalink: webLink(t.Permalink),
		deadline: t.Deadline,
	}
	if r.Customer == "" {
		r.Customer = t.Customer
	}
	if t.DM {
		r.Channel = "DM"
	}
	r.SLA, r.Overdue = countdown(t, now)
	r.Excerpt = excerpt(t)
	return r
}

// webLink returns an http(s) permalink, or "" for anything else.
func webLink(s string) string {
	if u, err := url.Parse(s); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		return s
	}
	return ""
}

// countdown says how long a waiting thread has until its SLA deadline, or
// how long it is past it; "—" for threads nobody waits on.
func countdown(t *bot.Thread, now time.Time) (string, bool) {
	if t.State != bot.Waiting || t.Deadline.IsZero() {
		return "—", false
	}
	var s string
	over := !t.Deadline.After(now)
	if over {
		s = "overdue " + shortDur(now.Sub(t.Deadline))
	} else {
		s = "due in " + shortDur(t.Deadline.Sub(now))
	}
	if t.SnoozeUntil.After(now) {
		s += " (snoozed)"
	}
	return s, over
}

// excerpt is the first kept customer message, on one line and capped.
func excerpt(t *bot.Thread) string {
	for _, m := range t.Messages {
		if !m.Staff {
			return truncate(strings.Join(strings.Fields(m.Text), " "), 140)
		}
	}
	return ""
}

// sortRows puts waiting threads first, the nearest deadline (or the
// longest overdue) on top, then the others newest first.
func sortRows(rows []row) {
	slices.SortFunc(rows, func(a, b row) int {
		aw, bw := a.State == bot.Waiting, b.State == bot.Waiting
		switch {
		case aw && !bw:
			return -1
		case bw && !aw:
			return 1
		case aw && bw && !a.deadline.Equal(b.deadline):
			if a.deadline.IsZero() {
				return 1
			}
			if b.deadline.IsZero() {
				return -1
			}
			return a.deadline.Compare(b.deadline)
		}
		return -cmpID(a.ID, b.ID)
	})
}

func cmpID(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// pageData is what page.html renders.
type pageData struct {
	Now       string
	Counts    []stateCount
	Total     int
	Filter    Filter
	States    []string
	Platforms []string
	Tags      []string
	Owners    []string
	Rows      []row
	Matched   int
	Capped    bool
	Token     string
	FRT       template.HTML
	TagChart  template.HTML
	SLAChart  template.HTML
}

type stateCount struct {
	State bot.State
	N     int
}

// page renders the dashboard.
func (d *Dashboard) page(r *http.Request, _ http.Header) ([]byte, error) {
	f, err := ParseFilter(r.URL.Query(), MaxRows)
	if err != nil {
		return nil, badRequest(err)
	}
	now := d.now()
	sc, err := d.scanStore(r.Context(), f.Match, now)
	if err != nil {
		return nil, err
	}
	st, err := d.stats(r.Context(), now.Add(-defaultPeriod), now)
	if err != nil {
		return nil, err
	}
	period := periodLabel(defaultPeriod)
	sortRows(sc.rows)
	data := pageData{
		Now:       now.Format("2006-01-02 15:04:05 MST"),
		Total:     sc.total,
		Filter:    f,
		States:    []string{"open", "waiting", "answered", "resolved", "all"},
		Platforms: []string{bot.Slack, bot.Discord},
		Tags:      withValue(sc.tags, f.Tag),
		Owners:    withValue(sc.owners, f.Owner),
		Rows:      sc.rows[:min(len(sc.rows), f.Limit)],
		Matched:   len(sc.rows),
		Capped:    len(sc.rows) > f.Limit,
		Token:     r.URL.Query().Get("token"),
		// The charts are our own SVG, every text in them escaped.
		FRT:      template.HTML(frtChart(st, period)),
		TagChart: template.HTML(tagChart(sc)),
		SLAChart: template.HTML(slaChart(st, period)),
	}
	for _, s := range []bot.State{bot.Waiting, bot.Answered, bot.Resolved} {
		data.Counts = append(data.Counts, stateCount{s, sc.counts[s]})
	}
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// withValue lists a set's keys, sorted, with the current filter value
// added so the form keeps showing it.
func withValue(set map[string]bool, v string) []string {
	if v != "" {
		set[v] = true
	}
	return slices.Sorted(maps.Keys(set))
}

func frtChart(st bot.Stats, period string) []byte {
	return HistogramSVG("First response time, last "+period, st.FirstResponses, FRTBuckets)
}

func tagChart(sc *scan) []byte {
	return StackedBarsSVG("Threads per tag per day, last 14 days", sc.days, sc.tagDays)
}

// slaChart shows the SLA met % of each team, then each person.
func slaChart(st bot.Stats, period string) []byte {
	var labels []string
	var values []float64
	for _, sec := range []struct {
		kind  string
		lines map[string]*bot.Line
	}{{"team", st.ByTeam}, {"person", st.ByPerson}} {
		for _, name := range slices.Sorted(maps.Keys(sec.lines)) {
			labels = append(labels, sec.kind+" "+name)
			values = append(values, sec.lines[name].SLA.Percent())
		}
	}
	return BarsSVG("SLA met per team and person, last "+period, labels, values, "%")
}

func (d *Dashboard) chartFRT(r *http.Request, _ http.Header) ([]byte, error) {
	st, period, err := d.statsSince(r)
	if err != nil {
		return nil, err
	}
	return frtChart(st, period), nil
}

func (d *Dashboard) chartSLA(r *http.Request, _ http.Header) ([]byte, error) {
	st, period, err := d.statsSince(r)
	if err != nil {
		return nil, err
	}
	return slaChart(st, period), nil
}

func (d *Dashboard) chartTags(r *http.Request, _ http.Header) ([]byte, error) {
	sc, err := d.scanStore(r.Context(), nil, d.now())
	if err != nil {
		return nil, err
	}
	return tagChart(sc), nil
}
