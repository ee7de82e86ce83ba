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
	Snoozes    []string
	Live       string
}

type slaView struct {
	Kind      string // "first reply", "next reply"
	Length    string
	Due       timeView
	Countdown string
	Overdue   bool
	Snoozed   timeView
}

// timeView is an instant for <time>: RFC 3339, and as the viewer reads
// it (their configured zone, else UTC; the script shows the browser's).
type timeView struct {
	ISO, Text string
}

type msgView struct {
	Author string
	Staff  bool
	At     timeView
	Text   string
	Link   string
}

type itemView struct {
	At                         timeView
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

// marks says each timeline item in words.
var marks = map[string]string{
	bot.MarkCreated: "opened", bot.MarkRouted: "routed", bot.MarkFirstReply: "first reply",
	bot.MarkReminder: "reminder to the owner", bot.MarkEscalated: "escalated", bot.MarkBreached: "SLA missed",
	bot.MarkSnoozed: "snoozed", bot.MarkSnoozeOver: "snooze over", bot.MarkClaimed: "claimed",
	bot.MarkAssigned: "assigned", bot.MarkResolved: "resolved", bot.MarkReopened: "reopened",
	bot.MarkTagged: "tagged", bot.MarkUntagged: "untagged", bot.MarkIncident: "linked to incident",
	bot.MarkCSATAsked: "customer asked to rate", bot.MarkCSAT: "rated", bot.MarkCSATComment: "commented on the rating",
}

// threadOf reads the thread of the path's {id}, with the directory's
// names.
func (d *Dashboard) threadOf(r *http.Request) (bot.Thread, bot.Directory, error) {
	raw := r.PathValue("id")
	id, ok := bot.ParseID(raw)
	if !ok || strings.HasPrefix(raw, "#") {
		return bot.Thread{}, nil, badRequest(fmt.Errorf("thread id %q: want a number", raw))
	}
	t, err := d.store.Thread(r.Context(), id)
	if errors.Is(err, bot.ErrNotFound) {
		return bot.Thread{}, nil, notFound(fmt.Errorf("no thread #%d", id))
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

func when(t time.Time, loc *time.Location) timeView {
	if t.IsZero() {
		return timeView{}
	}
	return timeView{ISO: t.UTC().Format(time.RFC3339), Text: t.In(loc).Format("Mon Jan 2 15:04 MST")}
}

// threadPage renders one thread; with X-Openear-Partial, only its live
// part.
func (d *Dashboard) threadPage(r *http.Request, _ http.Header) ([]byte, error) {
	t, dir, err := d.threadOf(r)
	if err != nil {
		return nil, err
	}
	now, loc := d.now(), d.loc(r)
	data := threadData{
		View: d.View(r), ID: t.ID, State: t.State, Platform: t.Platform,
		Where:   map[string]string{bot.Slack: "Slack", bot.Discord: "Discord"}[t.Platform],
		Channel: channelLabel(&t), ChannelID: t.Channel,
		Customer: cmp.Or(t.CustName, t.Customer), CustomerID: t.Customer, Company: t.CustCompany,
		Owner: d.personLabel(t.Owner, dir), OwnerIDs: d.personIDs(t.Owner), Team: t.Team, Lang: t.Lang,
		Permalink: webLink(t.Permalink), Tags: t.Tags, Corrected: t.Corrected, Open: t.State.Open(),
		Earlier: t.MsgCount - len(t.Messages), People: d.names, Snoozes: []string{"30m", "1h", "4h", "1d"},
	}
	data.Live = data.Return
	if t.State == bot.Waiting && !t.Deadline.IsZero() {
		data.SLA = slaView{Kind: strings.ReplaceAll(t.SLAKind, "_", " "), Length: shortDur(t.SLA), Due: when(t.Deadline, loc)}
		data.SLA.Countdown, data.SLA.Overdue = countdown(&t, now)
		if t.SnoozeUntil.After(now) {
			data.SLA.Snoozed = when(t.SnoozeUntil, loc)
		}
	}
	for _, m := range t.Messages {
		data.Messages = append(data.Messages, msgView{Author: d.author(&t, m, dir), Staff: m.Staff,
			At: when(m.At, loc), Text: m.Text, Link: messageLink(&t, m)})
	}
	data.Timeline = timeline(&t, loc)
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
	data.CSAT = csatView{Asked: when(t.CSAT.Asked, loc), Score: face(t.CSAT.Score), Comment: t.CSAT.Comment, At: when(t.CSAT.At, loc)}
	if r.Header.Get("X-Openear-Partial") != "" {
		return render("thread-live", data)
	}
	return render("thread.html", data)
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
// first.
func timeline(t *bot.Thread, loc *time.Location) []itemView {
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
		all = append(all, item{it.At, itemView{What: it.What, Say: cmp.Or(marks[it.What], it.What), By: by, Via: it.Via, Detail: it.Detail}})
	}
	for _, c := range t.Corrections {
		what := bot.MarkUntagged
		if c.Added {
			what = bot.MarkTagged
		}
		all = append(all, item{c.At, itemView{What: what, Say: marks[what], By: c.By, Detail: c.Tag}})
	}
	slices.SortStableFunc(all, func(a, b item) int { return a.at.Compare(b.at) })
	out := make([]itemView, len(all))
	for i, it := range all {
		out[i] = it.v
		out[i].At = when(it.at, loc)
	}
	return out
}
