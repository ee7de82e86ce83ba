package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/internal/l10n"
)

// report is a recent problem report (a complaint or defect thread), kept
// for incident detection for the length of the window. Each report is an
// entry (see recentKey), written with the change of its thread and
// deleted once it left the window, so that an incident forming across a
// restart or a takeover by another replica is still found. b.recent
// caches the window this Bot read or wrote; while it lives it is the
// store's only writer of these entries.
type report struct {
	thread   uint64
	customer string // platform/user
	terms    []string
	at       time.Time
}

// recentPrefix starts the entries of the recent reports:
// "incident/recent/<unix nanos, 20 digits>/<thread id>" -> reportValue.
const recentPrefix = "incident/recent/"

func recentKey(r report) string {
	ns := int64(0)
	if r.at.After(time.Unix(0, 0)) {
		ns = r.at.UnixNano()
	}
	return fmt.Sprintf("%s%020d/%d", recentPrefix, ns, r.thread)
}

// reportValue is the stored form of a report (its key holds the rest).
type reportValue struct {
	Thread   uint64    `json:"thread"`
	Customer string    `json:"customer"`
	Terms    []string  `json:"terms"`
	At       time.Time `json:"at"`
}

// recentReports returns the window: the cached one, else the stored one.
func (b *Bot) recentReports(ctx context.Context) ([]report, error) {
	if b.recentLoaded {
		return b.recent, nil
	}
	var out []report
	var bad []string
	err := b.store.Entries(ctx, recentPrefix, func(key string, v []byte) bool {
		var rv reportValue
		if err := json.Unmarshal(v, &rv); err != nil {
			bad = append(bad, key)
			return true
		}
		out = append(out, report{thread: rv.Thread, customer: rv.Customer, terms: rv.Terms, at: rv.At})
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("recent problem reports: %w", err)
	}
	if len(bad) > 0 {
		b.log.Warn("unreadable problem reports skipped", "count", len(bad))
	}
	b.recent, b.recentLoaded = out, true
	return out, nil
}

// updateRecent drops the reports older than cutoff and adds me, in the
// cache and in x's entries.
func (b *Bot) updateRecent(x *txn, cutoff time.Time, me report) error {
	keep := b.recent[:0]
	for _, r := range b.recent {
		if r.at.Before(cutoff) {
			x.ch.Entries = append(x.ch.Entries, Entry{Key: recentKey(r)})
			continue
		}
		keep = append(keep, r)
	}
	v, err := json.Marshal(reportValue{Thread: me.thread, Customer: me.customer, Terms: me.terms, At: me.at})
	if err != nil {
		return err
	}
	x.ch.Entries = append(x.ch.Entries, Entry{Key: recentKey(me), Value: v})
	b.recent = append(keep, me)
	return nil
}

func isProblem(t *Thread) bool { return t.HasTag(tag.Defect) || t.HasTag(tag.Complaint) }

// detectIncident links a new problem thread to an open incident that
// shares its terms, or opens an incident when enough different customers
// reported something with a shared term within the window.
func (b *Bot) detectIncident(ctx context.Context, x *txn, t *Thread, ev Event) error {
	if !b.opts.Incidents.Enabled || !isProblem(t) {
		return nil
	}
	terms := tag.Terms(ev.Text)
	if len(terms) == 0 {
		return nil
	}
	cutoff := x.now.Add(-b.opts.Incidents.Window)
	if _, err := b.recentReports(ctx); err != nil {
		return err
	}
	me := report{thread: t.ID, customer: t.Platform + "/" + t.Customer, terms: terms, at: x.now}
	if err := b.updateRecent(x, cutoff, me); err != nil {
		return err
	}

	if err := x.settle(ctx); err != nil {
		return err
	}
	open, err := b.store.Incidents(ctx, true)
	if err != nil {
		return err
	}
	for _, inc := range open {
		if inc.Updated.Before(cutoff) || !overlaps(inc.Terms, terms) {
			continue
		}
		b.link(x, &inc, t)
		x.put(t) // the alert lists it: its own thread too
		return b.putIncident(ctx, x, &inc)
	}

	// Which term do the most different customers share?
	best, bestCust := "", map[string]bool{}
	for _, term := range terms {
		cust := map[string]bool{}
		for _, r := range b.recent {
			if slices.Contains(r.terms, term) {
				cust[r.customer] = true
			}
		}
		if len(cust) > len(bestCust) || (len(cust) == len(bestCust) && term < best) {
			best, bestCust = term, cust
		}
	}
	if len(bestCust) < b.opts.Incidents.MinCustomers {
		return nil
	}
	b.lastInc++
	inc := Incident{ID: b.lastInc, Open: true, Created: x.now, Owner: t.Owner}
	var shared []string
	for _, term := range terms {
		n := 0
		for _, r := range b.recent {
			if slices.Contains(r.terms, best) && slices.Contains(r.terms, term) {
				n++
			}
		}
		if n >= 2 {
			shared = append(shared, term)
		}
	}
	inc.Terms = shared
	for _, r := range b.recent {
		if !slices.Contains(r.terms, best) {
			continue
		}
		if r.thread == t.ID {
			b.link(x, &inc, t)
			x.put(t) // the alert lists it: the thread that made the incident too
			continue
		}
		other, err := x.thread(ctx, r.thread)
		if err != nil {
			if ignoreNotFound(err) == nil {
				continue
			}
			return err
		}
		if o := x.pending(other.ID); o != nil {
			other = *o
		}
		b.link(x, &inc, &other)
		x.put(&other)
	}
	threads, err := x.incidentThreads(ctx, &inc)
	if err != nil {
		return err
	}
	x.note(Observation{What: "incident", Thread: t, Detail: fmt.Sprintf("#%d: %d customers report %s",
		inc.ID, len(inc.Customers), strings.Join(incidentWords(&inc, threads), ", "))})
	return b.putIncident(ctx, x, &inc)
}

func (b *Bot) link(x *txn, inc *Incident, t *Thread) {
	if t.Incident != inc.ID {
		x.mark(t, MarkIncident, "", "#"+FormatID(inc.ID))
	}
	t.Incident = inc.ID
	if !slices.Contains(inc.Threads, t.ID) {
		inc.Threads = append(inc.Threads, t.ID)
	}
	if c := t.Platform + "/" + t.Customer; !slices.Contains(inc.Customers, c) {
		inc.Customers = append(inc.Customers, c)
	}
	inc.Updated = x.now
}

func overlaps(a, b []string) bool {
	return slices.ContainsFunc(a, func(s string) bool { return slices.Contains(b, s) })
}

// putIncident records an incident and queues its alert (posted once per
// platform's triage channel, edited as it changes).
func (b *Bot) putIncident(ctx context.Context, x *txn, inc *Incident) error {
	x.ch.Incidents = append(x.ch.Incidents, *inc)
	for _, pl := range []string{Slack, Discord} {
		if ch := b.opts.Triage[pl]; ch != "" {
			text, err := b.incidentText(ctx, x, inc, b.channelL(pl))
			if err != nil {
				return err
			}
			x.enqueue(Action{Kind: ActNotice, Purpose: ForIncident, Platform: pl, Channel: ch, Text: text, Incident: inc.ID})
		}
	}
	return nil
}

// incidentText renders an incident alert: every linked thread, and the
// shared terms as the customers wrote them (the incident groups by
// stems), in language l.
func (b *Bot) incidentText(ctx context.Context, x *txn, inc *Incident, l *l10n.Localizer) (string, error) {
	threads, err := x.incidentThreads(ctx, inc)
	if err != nil {
		return "", err
	}
	lines := []string{
		msgIncidentHead(l, inc.ID, inc.Open, len(inc.Customers), incidentWords(inc, threads)),
		msgIncidentOwner(l, inc.Owner),
	}
	for i := range threads {
		t := &threads[i]
		lines = append(lines, msgIncidentThread(l, t.ID, t.Platform, t.Channel, t.customerName(), excerpt(firstCustomerText(t), 80), t.Permalink))
	}
	for _, u := range inc.Updates {
		lines = append(lines, msgIncidentUpdate(l, u))
	}
	return strings.Join(lines, "\n"), nil
}

// incidentWords are an incident's terms (stems) as its customers wrote
// them.
func incidentWords(inc *Incident, threads []Thread) []string {
	texts := make([]string, len(threads))
	for i := range threads {
		texts[i] = firstCustomerText(&threads[i])
	}
	return tag.Surface(inc.Terms, texts)
}

// incidentThreads reads the threads of an incident that still exist,
// this change's own versions first.
func (x *txn) incidentThreads(ctx context.Context, inc *Incident) ([]Thread, error) {
	var out []Thread
	for _, id := range inc.Threads {
		if p := x.pending(id); p != nil {
			out = append(out, *p)
			continue
		}
		t, err := x.thread(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// incidentCommand runs an incident command; its reply is in language l.
func (b *Bot) incidentCommand(ctx context.Context, x *txn, cmd Command, actor string, l *l10n.Localizer) (Result, error) {
	id, _ := ParseID(cmd.ID)
	inc, err := b.store.Incident(ctx, id)
	if ignoreNotFound(err) == nil && err != nil {
		return Result{Reply: l.T("reply.no_incident", l10n.Args{"ID": cmd.ID})}, nil
	}
	if err != nil {
		return Result{}, err
	}
	switch cmd.Sub {
	case "update":
		inc.Updates = append(inc.Updates, cmd.Text)
		inc.Updated = x.now
		threads, err := x.incidentThreads(ctx, &inc)
		if err != nil {
			return Result{}, err
		}
		n := len(threads)
		for _, t := range threads {
			x.enqueue(Action{Kind: ActPost, Purpose: ForIncident, Platform: t.Platform, Channel: t.Channel,
				ThreadKey: t.Root, Text: cmd.Text, ThreadID: t.ID, Incident: inc.ID})
		}
		x.note(Observation{What: "incident-update", Detail: fmt.Sprintf("#%d by %s to %d threads: %s", inc.ID, actor, n, cmd.Text)})
		if err := b.putIncident(ctx, x, &inc); err != nil {
			return Result{}, err
		}
		return Result{Reply: l.T("reply.incident_updated", l10n.Args{"Count": n, "ID": inc.ID})}, nil
	case "resolve":
		if !inc.Open {
			return Result{Reply: l.T("reply.incident_resolved_already", l10n.Args{"ID": inc.ID})}, nil
		}
		inc.Open = false
		inc.Resolved = x.now
		inc.Updated = x.now
		threads, err := x.incidentThreads(ctx, &inc)
		if err != nil {
			return Result{}, err
		}
		for _, t := range threads {
			if b.resolve(x, &t, actor) {
				x.put(&t)
			}
		}
		if err := b.putIncident(ctx, x, &inc); err != nil {
			return Result{}, err
		}
		return Result{Reply: l.T("reply.incident_resolved", l10n.Args{"ID": inc.ID, "Count": len(inc.Threads)})}, nil
	default:
		text, err := b.incidentText(ctx, x, &inc, l)
		if err != nil {
			return Result{}, err
		}
		return Result{Reply: text}, nil
	}
}
