package bot

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/internal/l10n"
)

// txn collects one state change while an event is handled; it is applied
// to the store in one transaction.
type txn struct {
	b    *Bot
	ov   *overlay // the batch of Handle; nil for Tick and the sender
	tags []Tag    // the event's tags when found before; nil: tag here
	new  []uint64 // ids of the threads this change creates
	ch   Change
	now  time.Time
	obs  []Observation
	at   map[uint64]int // index of each thread id in ch.Threads, once it holds many
	// actor is the person behind a staff event, via where it came from
	// ("slack", "discord", "web"): the By and Via of timeline items. Both
	// are "" for the clock loop and the sender.
	actor, via string
}

func (b *Bot) begin(eventID string) *txn {
	now := b.clock.Now()
	return &txn{b: b, now: now, ch: Change{EventID: eventID, EventAt: now}}
}

// created reports whether the change creates thread id (no stored
// version exists).
func (x *txn) created(id uint64) bool { return slices.Contains(x.new, id) }

// pending returns the version of a thread already changed in this txn,
// or nil. A tick changes up to a thousand threads: past a few, an index
// finds them.
func (x *txn) pending(id uint64) *Thread {
	if x.at != nil {
		if i, ok := x.at[id]; ok {
			return &x.ch.Threads[i]
		}
		return nil
	}
	for i := range x.ch.Threads {
		if x.ch.Threads[i].ID == id {
			return &x.ch.Threads[i]
		}
	}
	return nil
}

// put records the new version of a thread (the last put of an id wins).
func (x *txn) put(t *Thread) {
	if p := x.pending(t.ID); p != nil {
		*p = *t
		return
	}
	x.ch.Threads = append(x.ch.Threads, *t)
	switch n := len(x.ch.Threads); {
	case x.at != nil:
		x.at[t.ID] = n - 1
	case n >= 8:
		x.at = make(map[uint64]int, n)
		for i := range x.ch.Threads {
			x.at[x.ch.Threads[i].ID] = i
		}
	}
}

func (x *txn) enqueue(a Action) {
	x.b.lastAction++
	a.ID = x.b.lastAction
	a.Created = x.now
	x.ch.Enqueue = append(x.ch.Enqueue, a)
	x.note(Observation{What: "queued", Action: &x.ch.Enqueue[len(x.ch.Enqueue)-1]})
}

// noise records a noise message (noise.go) and reports it. A backfilled
// one that was recorded live is not reported again.
func (x *txn) noise(ctx context.Context, ev Event) {
	if e, ok := noiseEntry(ev, sentAt(x, ev)); ok {
		if ev.Backfill {
			if v, err := x.entry(ctx, e.Key); err == nil && v != nil {
				return
			}
		}
		x.ch.Entries = append(x.ch.Entries, e)
	}
	where := cmp.Or(ev.Place, ev.Channel)
	if ev.DM {
		where = "dm"
	}
	x.note(Observation{What: "noise", Platform: ev.Platform, Channel: where, Detail: ev.Text})
}

// note reports an observation once the change is committed. An
// observation about a thread that belongs on its timeline (see record)
// is also recorded there: o.Thread is the version being changed.
func (x *txn) note(o Observation) {
	if o.Thread != nil {
		x.record(o)
		t := *o.Thread
		o.Thread = &t
	}
	x.obs = append(x.obs, o)
}

// record adds the timeline item of an observation about a thread, for
// the observations staff follow a thread by: created, first reply,
// claims and assignments, snoozes, reminders, escalations, breaches,
// resolves and reopens. Tag corrections are Thread.Corrections; routing,
// incidents and CSAT are recorded where they happen.
func (x *txn) record(o Observation) {
	t := o.Thread
	it := TimelineItem{At: x.now, By: x.actor, Via: x.via}
	switch o.What {
	case "reply":
		if !t.FirstReply.Equal(t.LastStaff) || slices.ContainsFunc(t.Timeline, func(it TimelineItem) bool { return it.What == MarkFirstReply }) {
			return // not the first
		}
		it.What = MarkFirstReply
	case "claim":
		it.What = MarkClaimed
		if x.actor != "" && x.actor != t.Owner {
			it.What, it.Detail = MarkAssigned, t.Owner
		}
	case "resolve":
		it.What = MarkResolved
	case "reopened":
		it.What = MarkReopened
		if x.actor == "" {
			it.By = t.CustomerLabel()
		}
	case "snooze":
		it.What, it.Detail = MarkSnoozed, l10n.For("en").Duration(t.SnoozeUntil.Sub(x.now))
	case "unsnooze":
		it.What = MarkSnoozeOver
	case "reminder":
		it.What, it.Detail = MarkReminder, o.Detail
	case "escalation":
		it.What, it.Detail = MarkEscalated, t.Team
	case "breach":
		it.What = MarkBreached
	default:
		return
	}
	t.mark(it)
}

// mark records on t's timeline what happened now, with detail.
func (x *txn) mark(t *Thread, what, by, detail string) {
	t.mark(TimelineItem{At: x.now, What: what, By: by, Via: x.via, Detail: detail})
}

// commit applies the change and reports what happened.
func (x *txn) commit(ctx context.Context) error {
	if err := x.b.apply(ctx, x.ch); err != nil {
		return err
	}
	for _, o := range x.obs {
		x.b.observe(o)
	}
	if len(x.ch.Enqueue) > 0 {
		x.b.kick()
	}
	return nil
}

func (b *Bot) message(ctx context.Context, x *txn, ev Event) (Result, error) {
	if place := cmp.Or(ev.Place, ev.Channel); place != "" && ev.MessageID != "" {
		if !ev.Backfill {
			// A backfill's adapter marks the cursor itself, once every
			// message before it is committed (MarkCursor).
			x.ch.Cursors = append(x.ch.Cursors, Cursor{Platform: ev.Platform, Channel: place, Last: ev.MessageID})
		}
		if ev.DM {
			// A DM channel is a place no platform lists for a bot:
			// remembered, so that backfill visits it after downtime.
			x.ch.Entries = append(x.ch.Entries, Entry{Key: placePrefix(ev.Platform) + place, Value: []byte("dm")})
		}
	}
	if ev.Bot || ev.Edit {
		return Result{}, nil
	}
	// The same message may arrive live and again by backfill, under
	// different event ids: it has one effect. Its key leads to a thread
	// once it was tracked (the store never forgets a key); only a root key
	// can exist before its message, when a reply opened the thread first.
	if ev.MessageID != "" {
		t, err := x.lookup(ctx, Key(ev.Platform, ev.Channel, ev.MessageID))
		if err != nil {
			return Result{}, err
		}
		if t != nil && (ev.MessageID != t.Root || t.MsgCount > len(t.Messages) ||
			slices.ContainsFunc(t.Messages, func(m Message) bool { return m.ID == ev.MessageID })) {
			return Result{Duplicate: true, ThreadID: t.ID}, nil
		}
	}
	if ev.Staff {
		return b.staffMessage(ctx, x, ev)
	}
	return b.customerMessage(ctx, x, ev)
}

// findThread finds the conversation a customer message belongs to.
func (b *Bot) findThread(ctx context.Context, x *txn, ev Event) (*Thread, error) {
	if ev.ThreadKey != "" {
		return x.lookup(ctx, Key(ev.Platform, ev.Channel, ev.ThreadKey))
	}
	t, err := x.lookup(ctx, CustomerKey(ev.Platform, ev.Channel, ev.User))
	if err != nil || t == nil {
		return nil, err
	}
	// A DM is one conversation while it is open; in a channel, a run of
	// top-level messages joins while it waits and stays within the window.
	if ev.DM && t.State.Open() {
		return t, nil
	}
	if t.State == Waiting && sentAt(x, ev).Sub(t.LastCust) <= b.opts.JoinWindow {
		return t, nil
	}
	return nil, nil
}

func (b *Bot) customerMessage(ctx context.Context, x *txn, ev Event) (Result, error) {
	tags := x.tags
	if tags == nil {
		tags = b.tagger.Tag(ev.Text)
	}
	noise := tag.IsNoise(tags)
	t, err := b.findThread(ctx, x, ev)
	if err != nil {
		return Result{}, err
	}
	if t == nil {
		if noise {
			x.noise(ctx, ev)
			return Result{}, nil
		}
		t = b.newThread(ctx, x, ev, tags)
		if err := b.routeThread(ctx, x, t, ev.Text); err != nil {
			return Result{}, err
		}
		b.startWait(t, "first_reply", t.Created)
		x.note(Observation{What: "thread", Thread: t, Detail: ev.Text})
		b.queueNew(x, t)
		if err := b.detectIncident(ctx, x, t, ev); err != nil {
			return Result{}, err
		}
		x.put(t)
		return Result{ThreadID: t.ID}, nil
	}

	addMessage(t, ev, false)
	t.addKeys(Key(ev.Platform, ev.Channel, ev.MessageID))
	// Adapters give names only when they are at hand (never a lookup on
	// the ack path): a later message may bring what the thread lacks. A
	// changed name comes by LearnNames only: the name on a message was
	// cached when it was read, and a lookup it started may have told the
	// core a newer one before the message got here.
	renamed := ev.User == t.Customer && t.rename(cmp.Or(t.CustName, ev.UserName), cmp.Or(t.CustCompany, ev.UserCompany))
	if t.ChannelName == "" && !t.DM {
		t.ChannelName = ev.ChannelName
	}
	at := sentAt(x, ev)
	t.LastCust = later(t.LastCust, at)
	// A wait for the next reply counts from this message, but not from
	// before the staff reply it follows (backfill may bring it late).
	from := later(at, t.LastStaff)
	if noise {
		// "thanks" after an answer: recorded, no clock started.
		x.put(t)
		x.noise(ctx, ev)
		return Result{ThreadID: t.ID}, nil
	}
	if !t.Corrected {
		t.Tags = mergeTags(t.Tags, tags)
	}
	switch t.State {
	case Resolved:
		t.State = Waiting
		t.Reopened++
		t.ResolvedAt = time.Time{}
		b.startWait(t, "next_reply", from)
		x.note(Observation{What: "reopened", Thread: t, Detail: ev.Text})
		b.queueNotice(x, t)
	case Answered:
		t.State = Waiting
		b.startWait(t, "next_reply", from)
		x.note(Observation{What: "waiting", Thread: t, Detail: ev.Text})
		b.queueNotice(x, t)
	case Waiting:
		// The clock keeps running from the first unanswered message; a
		// new tag (urgent) may shorten the SLA of this wait.
		b.retimeWait(t)
		x.note(Observation{What: "message", Thread: t, Detail: ev.Text})
		if renamed {
			b.queueNotice(x, t)
		}
	}
	x.put(t)
	return Result{ThreadID: t.ID}, nil
}

// maxBackdate is how far back a backfilled message's own time may start
// its clocks; an older or future platform time is not trusted.
const maxBackdate = 30 * 24 * time.Hour

// sentAt is the time a message counts from, for its SLA clocks and
// first-response time: when openear received it, or, for a message read
// by backfill after downtime, when the platform says it was sent — its
// customer waited (or its answer was given) while openear was down.
func sentAt(x *txn, ev Event) time.Time {
	if ev.Backfill && !ev.At.IsZero() && ev.At.Before(x.now) && x.now.Sub(ev.At) <= maxBackdate {
		return ev.At
	}
	return x.now
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (b *Bot) newThread(ctx context.Context, x *txn, ev Event, tags []Tag) *Thread {
	b.lastThread++
	x.new = append(x.new, b.lastThread)
	at := sentAt(x, ev)
	t := &Thread{
		ID:        b.lastThread,
		Platform:  ev.Platform,
		Channel:   ev.Channel,
		Root:      ev.ThreadKey,
		DM:        ev.DM,
		Customer:  ev.User,
		CustName:  ev.UserName,
		Permalink: ev.Permalink,

		CustCompany: ev.UserCompany,
		ChannelName: ev.ChannelName,
		Lang:        tag.Language(ev.Text),
		State:       Waiting,
		Tags:        tags,
		Created:     at,
		LastCust:    at,
	}
	if t.Root == "" {
		t.Root = ev.MessageID
	}
	x.knownNames(t)
	t.addKeys(
		Key(ev.Platform, ev.Channel, t.Root),
		Key(ev.Platform, ev.Channel, ev.MessageID),
		CustomerKey(ev.Platform, ev.Channel, ev.User),
		OwnerOfKey(ev.Platform, ev.User),
		ChannelKey(ev.Platform, ev.Channel),
	)
	addMessage(t, ev, false)
	t.mark(TimelineItem{At: at, What: MarkCreated, By: t.CustomerLabel(), Via: ev.Platform})
	return t
}

// maxKeys bounds Thread.Keys: the keys a thread was opened with and those
// of its newest messages. The store keeps every key ever written (a key is
// never deleted), so older message keys still lead to the thread; the
// bound keeps a long conversation's writes small.
const maxKeys = 5 + 2*MaxMessages

func (t *Thread) addKeys(keys ...string) {
	for _, k := range keys {
		if !slices.Contains(t.Keys, k) {
			t.Keys = append(t.Keys, k)
		}
	}
	if len(t.Keys) > maxKeys {
		t.Keys = slices.Delete(t.Keys, 5, len(t.Keys)-(maxKeys-5))
	}
}

func addMessage(t *Thread, ev Event, staff bool) {
	text := ev.Text
	if len(text) > MaxText {
		text = truncateUTF8(text, MaxText)
	}
	t.Messages = append(t.Messages, Message{ID: ev.MessageID, User: ev.User, Staff: staff, Text: text, At: ev.At})
	if len(t.Messages) > MaxMessages {
		t.Messages = slices.Delete(t.Messages, 0, len(t.Messages)-MaxMessages)
	}
	t.MsgCount++
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// mergeTags adds new tags to old ones, keeping the higher score of a tag
// both have. Noise never joins real tags.
func mergeTags(old, add []Tag) []Tag {
	out := slices.Clone(old)
	for _, g := range add {
		if g.Name == tag.Noise {
			continue
		}
		i := slices.IndexFunc(out, func(o Tag) bool { return o.Name == g.Name })
		switch {
		case i < 0:
			out = append(out, g)
		case g.Score > out[i].Score:
			out[i] = g
		}
	}
	return out
}

func (b *Bot) staffMessage(ctx context.Context, x *txn, ev Event) (Result, error) {
	var t *Thread
	var err error
	switch {
	case ev.ThreadKey != "":
		t, err = x.lookup(ctx, Key(ev.Platform, ev.Channel, ev.ThreadKey))
	case !ev.DM:
		// A top-level staff message in a customer channel answers the
		// newest thread there if it waits.
		t, err = x.lookup(ctx, ChannelKey(ev.Platform, ev.Channel))
		if t != nil && t.State != Waiting {
			t = nil
		}
	}
	if err != nil || t == nil {
		return Result{}, err
	}
	addMessage(t, ev, true)
	t.addKeys(Key(ev.Platform, ev.Channel, ev.MessageID))
	at := later(sentAt(x, ev), t.WaitFrom)
	t.LastStaff = later(t.LastStaff, at)
	if t.State == Waiting {
		took := b.opts.Hours.Between(t.WaitFrom, at)
		b.answer(t, at)
		if t.Owner == "" {
			t.Owner = b.personOf(ev.Platform, ev.User)
		}
		x.note(Observation{What: "reply", Thread: t, Detail: b.personOf(ev.Platform, ev.User), Took: took})
		b.queueNotice(x, t)
	}
	x.put(t)
	return Result{ThreadID: t.ID}, nil
}

// answer records a staff reply, sent at at, to a waiting thread.
func (b *Bot) answer(t *Thread, at time.Time) {
	if t.FirstReply.IsZero() {
		t.FirstReply = at
	}
	if !t.Deadline.IsZero() && at.After(t.Deadline) {
		t.Missed++
		t.Breached = true
	} else {
		t.Met++
	}
	t.State = Answered
	t.clearWait()
}

// clearWait stops the SLA clock of the current wait.
func (t *Thread) clearWait() {
	t.SLAKind, t.SLA, t.WaitFrom, t.Deadline, t.Stage = "", 0, time.Time{}, time.Time{}, 0
	t.Due, t.SnoozeUntil = time.Time{}, time.Time{}
}

// personOf names the staff member behind a platform user id: their person
// name from the config, or "platform:id" for staff the config does not
// list (members of the Slack home team, Discord staff roles).
func (b *Bot) personOf(platform, user string) string {
	if name, ok := b.ids[platform][user]; ok {
		return name
	}
	return platform + ":" + user
}

// contact returns the platform user id to reach a person on a platform,
// preferring the given one.
func (b *Bot) contact(person, prefer string) (platform, id string) {
	if p, ok := b.people[person]; ok {
		if id := p.IDs[prefer]; id != "" {
			return prefer, id
		}
		for _, pl := range []string{Slack, Discord} {
			if id := p.IDs[pl]; id != "" {
				return pl, id
			}
		}
		return "", ""
	}
	for _, pl := range []string{Slack, Discord} {
		if len(person) > len(pl)+1 && person[:len(pl)+1] == pl+":" {
			return pl, person[len(pl)+1:]
		}
	}
	return "", ""
}

func (b *Bot) reaction(ctx context.Context, x *txn, ev Event) (Result, error) {
	verb := reactionVerb(ev.Reaction)
	if verb == "" || !ev.Staff {
		return Result{}, nil
	}
	t, err := x.lookup(ctx, Key(ev.Platform, ev.Channel, ev.MessageID))
	if err != nil || t == nil {
		return Result{}, err
	}
	actor := b.personOf(ev.Platform, ev.User)
	switch verb {
	case "claim":
		b.claim(x, t, actor)
	case "resolve":
		b.resolve(x, t, actor)
	}
	x.put(t)
	return Result{ThreadID: t.ID}, nil
}

// reactionVerb maps 👀 to claim and ✅ to resolve, by Slack names or
// Discord unicode.
func reactionVerb(emoji string) string {
	switch emoji {
	case "eyes", "👀":
		return "claim"
	case "white_check_mark", "heavy_check_mark", "✅", "✔️":
		return "resolve"
	}
	return ""
}

func (b *Bot) claim(x *txn, t *Thread, person string) bool {
	if t.Owner == person {
		return false
	}
	t.Owner = person
	x.note(Observation{What: "claim", Thread: t, Detail: person})
	b.queueNotice(x, t)
	return true
}

func (b *Bot) resolve(x *txn, t *Thread, person string) bool {
	if t.State == Resolved {
		return false
	}
	if t.State == Waiting {
		// Resolving without a reply still stops the clock; the wait counts
		// as missed only if it was already past its deadline.
		if !t.Deadline.IsZero() && x.now.After(t.Deadline) {
			t.Missed++
			t.Breached = true
		}
	}
	t.State = Resolved
	t.ResolvedAt = x.now
	t.clearWait()
	x.note(Observation{What: "resolve", Thread: t, Detail: person})
	b.queueNotice(x, t)
	b.askCSAT(x, t)
	return true
}
