package web

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/l10n"
)

//go:embed templates
var templates embed.FS

// pages are the templates in each language (see funcs).
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, lang := range l10n.Langs() {
		out[lang] = template.Must(template.New("").Funcs(funcs(l10n.For(lang))).ParseFS(templates, "templates/*.html"))
	}
	return out
}()

// render executes a template in the language of l into bytes: a
// failure never leaves half a page.
func render(l *l10n.Localizer, name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := pages[l.Lang()].ExecuteTemplate(&b, name, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// errorData is what error.html renders.
type errorData struct {
	Status int
	Text   string
	Langs  langSwitch
}

// fail answers with an error page in the viewer's language; the
// script (which shows the text in its note) gets the text alone.
func fail(w http.ResponseWriter, r *http.Request, status int, text string) {
	l := viewerOf(r).l
	body, err := render(l, "error.html", errorData{Status: status, Text: text, Langs: switchOf(l, here(r))})
	if err != nil || r.Header.Get("X-Openear-Fetch") != "" || r.Header.Get("X-Openear-Partial") != "" {
		http.Error(w, text, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client is gone if this fails
}

// link adds the dashboard token to a path when the page was opened with
// one in its URL, so that links keep working.
func link(token, path string) string {
	if token == "" {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "token=" + url.QueryEscape(token)
}

// face renders a CSAT score: "🙂 4".
func face(score int) string {
	if score < 1 || score > 5 {
		return ""
	}
	return fmt.Sprintf("%s %d", bot.RatingFaces[score-1], score)
}

// TagDays is how many days the tag chart covers, today included.
const TagDays = 14

// row is one line of the threads table, already formatted.
type row struct {
	ID         uint64
	State      bot.State
	StateText  string // the state in the reader's language
	Platform   string
	Channel    string // "#acme-support", the id while no name is known, or "DM"
	ChannelID  string
	Customer   string
	CustomerID string
	Company    string
	Owner      string
	OwnerIDs   string // the owner's platform ids, for hover
	OwnerTitle string // the owner's team and ids, for hover
	Tags       []tagView
	Age        string
	SLA        string
	Overdue    bool
	CSAT       string
	Excerpt    string
	Lang       string
	Permalink  string

	deadline, created time.Time
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

// untagged is the tag chart's series of threads without tags (no tag
// name is empty).
const untagged = ""

// scanStore walks every thread once: counts, the filter's matches and the
// tag chart's series. A nil match collects no rows. dir, when not nil,
// names the threads stored before their names were known.
func (d *Dashboard) scanStore(ctx context.Context, l *l10n.Localizer, match func(*bot.Thread) bool, now time.Time, dir bot.Directory) (*scan, error) {
	sc := &scan{counts: map[bot.State]int{}, tags: map[string]bool{}, owners: map[string]bool{}, tagDays: map[string][]int{}}
	teams := map[string]string{} // team -> "team X", asked of the catalog once
	y, m, dd := now.Date()
	today := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	first := today.AddDate(0, 0, 1-TagDays)
	for i := range TagDays {
		day := first.AddDate(0, 0, i)
		sc.days = append(sc.days, l.T("chart.day", l10n.Args{"Month": int(day.Month()), "Day": day.Day()}))
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
		if match != nil {
			named(&t, dir)
			if match(&t) {
				sc.rows = append(sc.rows, d.newRow(l, &t, now, dir, teams))
			}
		}
		cy, cm, cd := t.Created.In(now.Location()).Date()
		if day := int(time.Date(cy, cm, cd, 0, 0, 0, 0, time.UTC).Sub(first) / (24 * time.Hour)); day >= 0 && day < TagDays {
			names := t.TagNames()
			if len(names) == 0 {
				names = []string{untagged}
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

// named gives a thread the newest names of the directory: of its
// customer and its channel.
func named(t *bot.Thread, dir bot.Directory) {
	if n, ok := dir.User(t.Platform, t.Customer); ok {
		t.CustName = n.Name
		t.CustCompany = cmp.Or(n.Company, t.CustCompany)
	}
	if c, ok := dir.Channel(t.Platform, t.Channel); ok && !t.DM {
		t.ChannelName = c
	}
}

// directory reads the names the adapters learned; a failure only costs
// names.
func (d *Dashboard) directory(ctx context.Context) bot.Directory {
	dir, err := bot.ReadDirectory(ctx, d.store)
	if err != nil {
		return bot.Directory{}
	}
	return dir
}

// newRow formats a thread for the table; teams remembers the words of
// each team.
func (d *Dashboard) newRow(l *l10n.Localizer, t *bot.Thread, now time.Time, dir bot.Directory, teams map[string]string) row {
	r := row{
		ID: t.ID, State: t.State, StateText: stateText(l, t.State), Platform: platformName(t.Platform), ChannelID: t.Channel,
		Customer: cmp.Or(t.CustName, t.Customer), CustomerID: t.Customer, Company: t.CustCompany,
		Owner: d.personLabel(t.Owner, dir), OwnerIDs: d.personIDs(t.Owner),
		Tags: tagViews(l, t.Tags), Age: dur(l, now.Sub(t.Created)), Lang: t.Lang, Permalink: webLink(t.Permalink),
		CSAT: face(t.CSAT.Score), deadline: t.Deadline, created: t.Created,
	}
	r.OwnerTitle = r.OwnerIDs
	if t.Team != "" {
		team, ok := teams[t.Team]
		if !ok {
			team = l.T("web.team", l10n.Args{"Name": t.Team})
			teams[t.Team] = team
		}
		r.OwnerTitle = team + " · " + r.OwnerIDs
	}
	r.Channel = channelLabel(l, t)
	r.SLA, r.Overdue = countdown(l, t, now)
	r.Excerpt = excerpt(t)
	return r
}

// tagView is a tag as a page shows it: its name (an identifier), the
// name in the reader's language, and why it was given.
type tagView struct {
	Name, Label, Reason string
}

func tagViews(l *l10n.Localizer, tags []bot.Tag) []tagView {
	out := make([]tagView, len(tags))
	for i, g := range tags {
		out[i] = tagView{g.Name, tagLabel(l, g.Name), g.Reason}
	}
	return out
}

// channelLabel is "#name", the channel id while no name is known, or
// "DM".
func channelLabel(l *l10n.Localizer, t *bot.Thread) string {
	switch {
	case t.DM:
		return l.T("web.dm", nil)
	case t.ChannelName != "":
		return "#" + t.ChannelName
	}
	return t.Channel
}

// personLabel names an owner: a person of the config by name; staff the
// config does not list ("slack:U123") by their platform name when the
// directory knows it.
func (d *Dashboard) personLabel(owner string, dir bot.Directory) string {
	if owner == "" || d.people[owner] != nil {
		return owner
	}
	if pl, id, ok := strings.Cut(owner, ":"); ok {
		if n, ok := dir.User(pl, id); ok {
			return n.Name
		}
	}
	return owner
}

// personIDs lists an owner's platform ids: "Slack U0ALICE · Discord 8001".
func (d *Dashboard) personIDs(owner string) string {
	p := d.people[owner]
	if p == nil {
		return owner
	}
	var parts []string
	for _, pl := range slices.Sorted(maps.Keys(p.IDs)) {
		parts = append(parts, platformName(pl)+" "+p.IDs[pl])
	}
	return strings.Join(parts, " · ")
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
func countdown(l *l10n.Localizer, t *bot.Thread, now time.Time) (string, bool) {
	if t.State != bot.Waiting || t.Deadline.IsZero() {
		return "—", false
	}
	var s string
	over := !t.Deadline.After(now)
	if over {
		s = l.T("list.overdue", l10n.Args{"Over": dur(l, now.Sub(t.Deadline))})
	} else {
		s = l.T("list.due_in", l10n.Args{"Left": dur(l, t.Deadline.Sub(now))})
	}
	if t.SnoozeUntil.After(now) {
		s = l.T("web.countdown_snoozed", l10n.Args{"Countdown": s})
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

// Sorts of the threads table.
var sorts = []string{"due", "age", "owner"}

// sortRows orders the table. "due" (the default): waiting threads
// first, the nearest deadline (or the longest overdue) on top, then the
// others newest first. "age": the oldest thread first. "owner": by
// owner (unowned last), then as "due".
func sortRows(rows []row, by string) {
	byDue := func(a, b row) int {
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
	}
	switch by {
	case "age":
		slices.SortFunc(rows, func(a, b row) int { return cmp.Or(a.created.Compare(b.created), cmpID(a.ID, b.ID)) })
	case "owner":
		slices.SortFunc(rows, func(a, b row) int {
			switch {
			case a.Owner == "" && b.Owner != "":
				return 1
			case b.Owner == "" && a.Owner != "":
				return -1
			}
			return cmp.Or(strings.Compare(a.Owner, b.Owner), byDue(a, b))
		})
	default:
		slices.SortFunc(rows, byDue)
	}
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

// View is what every page shows of its viewer (exported for the templates).
type View struct {
	Person   string // signed in as; "" when not
	CSRF     string
	CanAct   bool // signed in, with an inbox
	CanLogin bool // there is an inbox to sign in to
	Token    string
	Note     string // the reply of the last action (?note=)
	Return   string // this page, for forms to come back to
	Langs    langSwitch
	Counts   []stateCount
	Total    int
}

func (d *Dashboard) View(r *http.Request) View {
	v := viewerOf(r)
	vd := View{CanLogin: d.inbox != nil, Token: v.query, Note: truncate(r.URL.Query().Get("note"), 300), Return: here(r)}
	if v.session != nil && d.inbox != nil {
		vd.Person, vd.CSRF, vd.CanAct = v.session.Person, v.session.CSRF, true
	}
	vd.Langs = switchOf(v.l, vd.Return)
	return vd
}

// pageData is what page.html renders.
type pageData struct {
	View
	Filter    Filter
	Sort      string
	Sorts     []option
	States    []option
	Platforms []option
	Tags      []option
	Owners    []string
	People    []string
	Snoozes   []option
	Rows      []row
	Matched   int
	Capped    bool
	Live      string // the URL the live part refreshes from
	FRT       template.HTML
	TagChart  template.HTML
	SLAChart  template.HTML
	CSATChart template.HTML
}

// option is a choice of a form: the value sent, the words shown.
type option struct {
	Value, Label string
}

type stateCount struct {
	State bot.State
	N     int
}

// SortLink is the list's URL sorted by s, its filters kept.
func (p pageData) SortLink(s string) string {
	q := url.Values{}
	for k, v := range map[string]string{"state": p.Filter.State, "platform": p.Filter.Platform, "tag": p.Filter.Tag,
		"owner": p.Filter.Owner, "q": p.Filter.Q, "sort": s, "token": p.Token} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return "/?" + q.Encode()
}

// page renders the dashboard; with X-Openear-Partial, only its live
// part (counts and table), which the script swaps in.
func (d *Dashboard) page(r *http.Request, _ http.Header) ([]byte, error) {
	l := viewerOf(r).l
	f, err := ParseFilter(r.URL.Query(), MaxRows)
	if err != nil {
		return nil, badParam(err)
	}
	f.TagLabel = func(name string) string { return tagLabel(l, name) }
	by := r.URL.Query().Get("sort")
	if by != "" && !slices.Contains(sorts, by) {
		return nil, badParam(&ParamError{Param: "sort", Value: by, Want: "want due, age or owner"})
	}
	now := d.now()
	sc, err := d.scanStore(r.Context(), l, f.Match, now, d.directory(r.Context()))
	if err != nil {
		return nil, err
	}
	sortRows(sc.rows, by)
	data := pageData{
		View:   d.View(r),
		Filter: f,
		Sort:   cmp.Or(by, "due"),
		Sorts: []option{{"due", l.T("web.sort_due", nil)}, {"age", l.T("web.sort_age", nil)},
			{"owner", l.T("web.sort_owner", nil)}},
		States: []option{{"open", l.T("web.state_open", nil)}, {string(bot.Waiting), bot.Waiting.In(l)},
			{string(bot.Answered), bot.Answered.In(l)}, {string(bot.Resolved), bot.Resolved.In(l)}, {"all", l.T("web.state_all", nil)}},
		Platforms: []option{{bot.Slack, platformName(bot.Slack)}, {bot.Discord, platformName(bot.Discord)}},
		Owners:    withValue(sc.owners, f.Owner),
		People:    d.names,
		Snoozes:   snoozeOptions(l),
		Rows:      sc.rows[:min(len(sc.rows), f.Limit)],
		Matched:   len(sc.rows),
		Capped:    len(sc.rows) > f.Limit,
	}
	for _, name := range withValue(sc.tags, f.Tag) {
		data.Tags = append(data.Tags, option{name, tagLabel(l, name)})
	}
	data.Live = data.Return
	data.Total = sc.total
	for _, s := range []bot.State{bot.Waiting, bot.Answered, bot.Resolved} {
		data.Counts = append(data.Counts, stateCount{s, sc.counts[s]})
	}
	if r.Header.Get("X-Openear-Partial") != "" {
		return render(l, "list-live", data)
	}
	st, err := d.stats(r.Context(), now.Add(-defaultPeriod), now)
	if err != nil {
		return nil, err
	}
	period := periodLabel(l, defaultPeriod)
	// The charts are our own SVG, every text in them escaped.
	data.FRT = template.HTML(frtChart(l, st, period))
	data.TagChart = template.HTML(tagChart(l, sc))
	data.SLAChart = template.HTML(slaChart(l, st, period))
	data.CSATChart = template.HTML(csatChart(l, st, period))
	return render(l, "page.html", data)
}

// withValue lists a set's keys, sorted, with the current filter value
// added so the form keeps showing it.
func withValue(set map[string]bool, v string) []string {
	if v != "" {
		set[v] = true
	}
	return slices.Sorted(maps.Keys(set))
}

func frtChart(l *l10n.Localizer, st bot.Stats, period string) []byte {
	return HistogramSVG(l.Lang(), l.T("chart.frt_title", l10n.Args{"Period": period}), st.FirstResponses, FRTBuckets)
}

// tagChart shows the threads of each tag per day, the tags named in the
// reader's language.
func tagChart(l *l10n.Localizer, sc *scan) []byte {
	series := map[string][]int{}
	for name, counts := range sc.tagDays {
		label := tagLabel(l, name)
		if name == untagged {
			label = l.T("word.untagged", nil)
		}
		if have := series[label]; have != nil { // an operator's tag named as a built-in one reads
			for i, n := range counts {
				have[i] += n
			}
			continue
		}
		series[label] = slices.Clone(counts)
	}
	return StackedBarsSVG(l.Lang(), l.T("chart.tags_title", l10n.Args{"Days": TagDays}), sc.days, series)
}

// slaChart shows the SLA met % of each team, then each person.
func slaChart(l *l10n.Localizer, st bot.Stats, period string) []byte {
	var labels []string
	var values []float64
	for _, sec := range []struct {
		key   string
		lines map[string]*bot.Line
	}{{"chart.team", st.ByTeam}, {"chart.person", st.ByPerson}} {
		for _, name := range slices.Sorted(maps.Keys(sec.lines)) {
			labels = append(labels, l.T(sec.key, l10n.Args{"Name": name}))
			values = append(values, sec.lines[name].SLA.Percent())
		}
	}
	return BarsSVG(l.Lang(), l.T("chart.sla_title", l10n.Args{"Period": period}), labels, values, "%")
}

// csatChart shows the mean CSAT score of each team, person and tag.
func csatChart(l *l10n.Localizer, st bot.Stats, period string) []byte {
	var labels []string
	var values []float64
	for _, sec := range []struct {
		key   string
		lines map[string]*bot.CSATLine
		name  func(string) string
	}{{"chart.team", st.CSAT.ByTeam, nil}, {"chart.person", st.CSAT.ByPerson, nil},
		{"chart.tag", st.CSAT.ByTag, func(s string) string { return tagLabel(l, s) }}} {
		for _, name := range slices.Sorted(maps.Keys(sec.lines)) {
			line := sec.lines[name]
			shown := name
			if sec.name != nil {
				shown = sec.name(name)
			}
			labels = append(labels, fmt.Sprintf("%s (%d)", l.T(sec.key, l10n.Args{"Name": shown}), line.Answers))
			values = append(values, line.Average())
		}
	}
	return BarsSVG(l.Lang(), l.T("chart.csat_title", l10n.Args{"Period": period}), labels, values, "/5")
}

func (d *Dashboard) chartFRT(r *http.Request, _ http.Header) ([]byte, error) {
	l := viewerOf(r).l
	st, period, err := d.statsSince(r)
	if err != nil {
		return nil, err
	}
	return frtChart(l, st, periodLabel(l, period)), nil
}

func (d *Dashboard) chartSLA(r *http.Request, _ http.Header) ([]byte, error) {
	l := viewerOf(r).l
	st, period, err := d.statsSince(r)
	if err != nil {
		return nil, err
	}
	return slaChart(l, st, periodLabel(l, period)), nil
}

func (d *Dashboard) chartCSAT(r *http.Request, _ http.Header) ([]byte, error) {
	l := viewerOf(r).l
	st, period, err := d.statsSince(r)
	if err != nil {
		return nil, err
	}
	return csatChart(l, st, periodLabel(l, period)), nil
}

func (d *Dashboard) chartTags(r *http.Request, _ http.Header) ([]byte, error) {
	l := viewerOf(r).l
	sc, err := d.scanStore(r.Context(), l, nil, d.now(), nil)
	if err != nil {
		return nil, err
	}
	return tagChart(l, sc), nil
}
