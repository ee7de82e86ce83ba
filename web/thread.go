package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/l10n"
)

// threadData is what thread.html renders.
type threadData struct {
	View
	ID         uint64
	State      bot.State
	Platform   string
	Where      string // "Slack" or "Discord"
	Channel    string
	ChannelID  string
	Customer   string
	CustomerID string
	Company    string
	Owner      string
	OwnerIDs   string
	Team       string
	Lang       string
	Permalink  string
	Tags       []bot.Tag
	Corrected  bool
	Open       bool
	SLA        slaView
	Messages   []msgView
	Earlier    int // messages not kept
	Timeline   []itemView
	Incident   *incidentView
	CSAT       csatView
	People     []string
	Snoozes    []option
	Live       string
}

type slaView struct {
	Kind      string // "first reply", "next reply", in the reader's language
	Length    string
	Due       timeView
	Countdown string
	Overdue   bool
	Snoozed   timeView
}

// timeView is an instant for <time>: RFC 3339, and as the viewer reads
// it (their configured zone, else UTC; the script shows the browser's
// when that is another), with the zone's offset in seconds.
type timeView struct {
	ISO, Text string
	Offset    int
}

type msgView struct {
	Author string
	Staff  bool
	At     timeView
	Text   string
	Link   string
}

type itemView struct {
	At timeView
	// What is the mark (an identifier), Say it in words; Detail is in
	// words where its form is known (see detail), else as stored.
	What, By, Via, Say, Detail string
}

type incidentView struct {
	ID      uint64
	Open    bool
	Terms   string
	Threads []uint64
}

type csatView struct {
	Asked   timeView
	Score   string
	Comment string
	At      timeView
}

// threadOf reads the thread of the path's {id}, with the directory's
// names.
func (d *Dashboard) threadOf(r *http.Request) (bot.Thread, bot.Directory, error) {
	raw := r.PathValue("id")
	id, ok := bot.ParseID(raw)
	if !ok || strings.HasPrefix(raw, "#") {
		return bot.Thread{}, nil, badRequest(fmt.Errorf("thread id %q: want a number", raw), "web.err_thread_id", l10n.Args{"ID": truncate(raw, 40)})
	}
	t, err := d.store.Thread(r.Context(), id)
	if errors.Is(err, bot.ErrNotFound) {
		return bot.Thread{}, nil, notFound(fmt.Errorf("no thread #%d", id), "reply.no_thread", l10n.Args{"ID": id})
	}
	if err != nil {
		return bot.Thread{}, nil, err
	}
	dir := d.directory(r.Context())
	named(&t, dir)
	return t, dir, nil
}

// apiThread serves one thread as JSON, its names as known now.
func (d *Dashboard) apiThread(r *http.Request, _ http.Header) ([]byte, error) {
	t, _, err := d.threadOf(r)
	if err != nil {
		return nil, err
	}
	return json.Marshal(t)
}

// loc is the zone the viewer reads times in: their person's, else UTC.
func (d *Dashboard) loc(r *http.Request) *time.Location {
	if s := viewerOf(r).session; s != nil {
		if p := d.people[s.Person]; p != nil && p.Loc != nil {
			return p.Loc
		}
	}
	return time.UTC
}

func when(l *l10n.Localizer, t time.Time, loc *time.Location) timeView {
	if t.IsZero() {
		return timeView{}
	}
	_, offset := t.In(loc).Zone()
	return timeView{ISO: t.UTC().Format(time.RFC3339), Text: l.Date(t.In(loc), true), Offset: offset}
}

// snoozes are the lengths of snooze the forms offer: the value a
// command takes, and its words.
var snoozes = []struct{ value, key string }{
	{"30m", "web.snooze_30m"}, {"1h", "web.snooze_1h"}, {"4h", "web.snooze_4h"}, {"1d", "web.snooze_1d"},
}

func snoozeOptions(l *l10n.Localizer) []option {
	var out []option
	for _, s := range snoozes {
		out = append(out, option{s.value, l.T(s.key, nil)})
	}
	return out
}

// threadPage renders one thread; with X-Openear-Partial, only its live
// part.
func (d *Dashboard) threadPage(r *http.Request, _ http.Header) ([]byte, error) {
	t, dir, err := d.threadOf(r)
	if err != nil {
		return nil, err
	}
	now, loc, l := d.now(), d.loc(r), viewerOf(r).l
	data := threadData{
		View: d.View(r), ID: t.ID, State: t.State, Platform: t.Platform,
		Where:   platformName(t.Platform),
		Channel: channelLabel(l, &t), ChannelID: t.Channel,
		Customer: cmp.Or(t.CustName, t.Customer), CustomerID: t.Customer, Company: t.CustCompany,
		Owner: d.personLabel(t.Owner, dir), OwnerIDs: d.personIDs(t.Owner), Team: t.Team, Lang: t.Lang,
		Permalink: webLink(t.Permalink), Tags: t.Tags, Corrected: t.Corrected, Open: t.State.Open(),
		Earlier: t.MsgCount - len(t.Messages), People: d.names, Snoozes: snoozeOptions(l),
	}
	data.Live = data.Return
	if t.State == bot.Waiting && !t.Deadline.IsZero() {
		data.SLA = slaView{Kind: slaKind(l, t.SLAKind), Length: dur(l, t.SLA), Due: when(l, t.Deadline, loc)}
		data.SLA.Countdown, data.SLA.Overdue = countdown(l, &t, now)
		if t.SnoozeUntil.After(now) {
			data.SLA.Snoozed = when(l, t.SnoozeUntil, loc)
		}
	}
	for _, m := range t.Messages {
		data.Messages = append(data.Messages, msgView{Author: d.author(&t, m, dir), Staff: m.Staff,
			At: when(l, m.At, loc), Text: m.Text, Link: messageLink(&t, m)})
	}
	data.Timeline = timeline(l, &t, loc)
	if t.Incident != 0 {
		inc, err := d.store.Incident(r.Context(), t.Incident)
		switch {
		case err == nil:
			data.Incident = &incidentView{ID: inc.ID, Open: inc.Open, Terms: strings.Join(inc.Terms, ", "),
				Threads: slices.DeleteFunc(slices.Clone(inc.Threads), func(id uint64) bool { return id == t.ID })}
		case !errors.Is(err, bot.ErrNotFound):
			return nil, err
		}
	}
	data.CSAT = csatView{Asked: when(l, t.CSAT.Asked, loc), Score: face(t.CSAT.Score), Comment: t.CSAT.Comment, At: when(l, t.CSAT.At, loc)}
	if r.Header.Get("X-Openear-Partial") != "" {
		return render(l, "thread-live", data)
	}
	return render(l, "thread.html", data)
}

// slaKind names the kind of a thread's SLA clock.
func slaKind(l *l10n.Localizer, kind string) string {
	switch kind {
	case "first_reply":
		return l.T("web.sla_first", nil)
	case "next_reply":
		return l.T("web.sla_next", nil)
	}
	return strings.ReplaceAll(kind, "_", " ")
}

// author names who wrote a message: staff by their person name, the
// customer by theirs.
func (d *Dashboard) author(t *bot.Thread, m bot.Message, dir bot.Directory) string {
	if name, ok := d.ids[t.Platform][m.User]; ok {
		return name
	}
	if m.User == t.Customer && !m.Staff {
		return cmp.Or(t.CustName, t.Customer)
	}
	if n, ok := dir.User(t.Platform, m.User); ok {
		return n.Name
	}
	return m.User
}

// messageLink links a message of a Slack thread (built like its
// permalink); Discord's messages are reached through the thread's link.
func messageLink(t *bot.Thread, m bot.Message) string {
	base, _, ok := strings.Cut(webLink(t.Permalink), "/archives/")
	if t.Platform != bot.Slack || !ok || m.ID == "" || strings.ContainsAny(m.ID, "/?#&") {
		return ""
	}
	u := base + "/archives/" + t.Channel + "/p" + strings.Replace(m.ID, ".", "", 1)
	if t.Root != "" && m.ID != t.Root && !t.DM {
		u += "?thread_ts=" + t.Root + "&cid=" + t.Channel
	}
	return u
}

// timeline merges the thread's timeline with its tag corrections, oldest
// first, in the reader's language.
func timeline(l *l10n.Localizer, t *bot.Thread, loc *time.Location) []itemView {
	type item struct {
		at time.Time
		v  itemView
	}
	var all []item
	for _, it := range t.Timeline {
		by := it.By
		if by == t.Customer && t.CustName != "" {
			by = t.CustomerLabel() // recorded before the name was known
		}
		all = append(all, item{it.At, itemView{What: it.What, Say: markText(l, it.What), By: by, Via: it.Via, Detail: detail(l, it.What, it.Detail)}})
	}
	for _, c := range t.Corrections {
		what := bot.MarkUntagged
		if c.Added {
			what = bot.MarkTagged
		}
		all = append(all, item{c.At, itemView{What: what, Say: markText(l, what), By: c.By, Detail: tagLabel(l, c.Tag)}})
	}
	slices.SortStableFunc(all, func(a, b item) int { return a.at.Compare(b.at) })
	out := make([]itemView, len(all))
	for i, it := range all {
		out[i] = it.v
		out[i].At = when(l, it.at, loc)
	}
	return out
}
