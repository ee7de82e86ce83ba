package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Delivery. Every action is written to the outbox in the transaction that
// caused it; the sender delivers it through its Platform and records the
// outcome: delivered (removed), to retry later (attempts and NotBefore
// updated), or dropped (a permanent failure).
//
// The sender serves lanes: one per destination (a channel, or a person's
// DMs) and class. Urgent actions — escalations, incident alerts and
// updates, reminders (Action.Urgent) — have a lane of their own beside
// the rest of their destination, so they never wait behind a channel's
// queue; a DM never waits behind a channel either, being another
// destination. Lanes run concurrently; within a lane one action goes at a
// time, by priority (escalations and incidents, then reminders, then
// notices and the rest, then the follow-up notices after a digest), then
// in outbox order. When the first action of a lane must wait (its
// NotBefore after a failure), the lane waits: the next of a rate-limited
// channel would fail the same way.
//
// Under load the sender posts less, not later:
//
//   - Notices of one thread supersede each other: each carries the whole
//     notice, so only the newest pending one of a thread (or incident) is
//     delivered and the older ones are done.
//   - When more than NoticeOptions.CoalesceAfter new-thread notices wait in
//     a channel whose platform is a Digester, one digest notice stands for
//     them (up to Digester.DigestSize threads, each with its buttons). The
//     threads' NoticeRef is the digest's; a later change of any of them
//     edits the digest (re-rendered from the threads' current state), and
//     the digest's threads are kept as the entry notice/<platform>/<ref>.
//     With FollowUp, each thread's own notice is posted afterwards, when
//     nothing else waits in the channel, and takes over its updates.
//   - When more than CoalesceAfter new-thread notes wait for one owner,
//     one DM lists them.
//   - On a Pacer platform a lane asks Ready before it decides what to
//     post, so a digest holds everything queued until the post can go.

// Purposes of the sender's own actions.
const (
	// ForFollowUp posts a thread's own triage notice after a digest stood
	// for it; it then takes over the thread's updates.
	ForFollowUp Purpose = "triage-follow-up"
)

// Urgent reports whether an action must not wait behind its channel's
// other posts: escalations, incident alerts and updates, reminders. A
// Platform that paces posts to a channel keeps room for urgent ones.
func (a *Action) Urgent() bool {
	return a.Purpose == ForEscalation || a.Purpose == ForIncident || a.Purpose == ForReminder
}

// priority orders a lane: lower goes first.
func priority(a *Action) int {
	switch a.Purpose {
	case ForEscalation, ForIncident:
		return 0
	case ForReminder:
		return 1
	case ForFollowUp:
		return 3
	}
	return 2
}

// MaxAttempts is how often an action is tried before it is dropped (with
// an error log). With the backoff below that spans more than a day.
const MaxAttempts = 40

// Sender limits.
const (
	// maxScan is the most pending actions one look at the outbox reads.
	// Past it, newer actions wait until older ones are delivered.
	maxScan = 20000
	// normalSlots is how many non-urgent deliveries run at once (across
	// destinations); urgent lanes are not limited.
	normalSlots = 16
	// maxNoticeReads bounds the thread reads of one coalescing decision.
	maxNoticeReads = 256
	// maxDMText bounds the text of one coalesced owner DM (Discord allows
	// 2,000 characters).
	maxDMText = 1900
)

// sender holds the lanes. Its goroutines are started by Run (for as long
// as Run runs) and Flush (which waits for them).
type sender struct {
	b     *Bot
	dmu   sync.Mutex // dispatch calls take turns
	mu    sync.Mutex
	idle  *sync.Cond        // broadcast when a lane stops
	lanes map[string]*lane  // by lane key
	known map[uint64]*lane  // pending actions held by a lane
	gone  map[uint64]uint64 // delivered or dropped action -> epoch
	epoch uint64            // counts retirements
	runs  int               // lanes running
	slots chan struct{}     // normal deliveries in flight
	sent  atomic.Int64      // actions delivered, ever
}

// lane is one destination and class.
type lane struct {
	key      string
	platform string
	urgent   bool
	queue    []Action // by priority, then id
	running  bool
}

func newSender(b *Bot) *sender {
	s := &sender{b: b, lanes: map[string]*lane{}, known: map[uint64]*lane{}, gone: map[uint64]uint64{},
		slots: make(chan struct{}, normalSlots)}
	s.idle = sync.NewCond(&s.mu)
	return s
}

func laneKey(a *Action) string {
	k := a.Platform + "/" + a.Channel + "/" + a.To
	if a.Urgent() {
		k += "/!"
	}
	return k
}

// add puts pending actions in their lanes, each lane kept in order.
// s.mu must be held.
func (s *sender) add(acts ...Action) {
	dirty := map[*lane]bool{}
	for _, a := range acts {
		if _, ok := s.known[a.ID]; ok {
			continue
		}
		if _, ok := s.gone[a.ID]; ok {
			continue
		}
		k := laneKey(&a)
		l := s.lanes[k]
		if l == nil {
			l = &lane{key: k, platform: a.Platform, urgent: a.Urgent()}
			s.lanes[k] = l
		}
		l.queue = append(l.queue, a)
		s.known[a.ID] = l
		dirty[l] = true
	}
	for l := range dirty {
		slices.SortFunc(l.queue, cmpLane)
	}
}

func cmpLane(a, b Action) int {
	if pa, pb := priority(&a), priority(&b); pa != pb {
		return pa - pb
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// retire forgets delivered or dropped actions. s.mu must be held.
func (s *sender) retire(ids ...uint64) {
	done := map[*lane]map[uint64]bool{}
	for _, id := range ids {
		l := s.known[id]
		delete(s.known, id)
		s.epoch++
		s.gone[id] = s.epoch
		if l != nil {
			if done[l] == nil {
				done[l] = map[uint64]bool{}
			}
			done[l][id] = true
		}
	}
	for l, set := range done {
		l.queue = slices.DeleteFunc(l.queue, func(a Action) bool { return set[a.ID] })
	}
}

// requeue records a new attempt of pending actions. s.mu must be held.
func (s *sender) requeue(acts ...Action) {
	for _, a := range acts {
		l := s.known[a.ID]
		if l == nil {
			continue
		}
		if i := slices.IndexFunc(l.queue, func(q Action) bool { return q.ID == a.ID }); i >= 0 {
			l.queue[i] = a
		}
	}
}

// dispatch reads the outbox, gives new actions to their lanes and starts
// every lane that has something to deliver now (with spawn, which runs
// its function in a goroutine the caller owns). It returns when the
// earliest waiting lane may go (zero: none waits).
func (s *sender) dispatch(ctx context.Context, spawn func(func()), report func(error)) (time.Time, error) {
	// One dispatch at a time: gone may forget an action only once no read
	// that began before its retirement is still to be merged.
	s.dmu.Lock()
	defer s.dmu.Unlock()
	s.mu.Lock()
	start := s.epoch
	s.mu.Unlock()
	acts, err := s.b.store.Outbox(ctx, maxScan)
	if err != nil {
		return time.Time{}, fmt.Errorf("read outbox: %w", err)
	}
	now := s.b.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(acts...)
	for id, e := range s.gone {
		if e <= start { // retired before the read began: the read did not see it
			delete(s.gone, id)
		}
	}
	var next time.Time
	for _, l := range s.lanes {
		if l.running {
			continue
		}
		if len(l.queue) == 0 {
			delete(s.lanes, l.key)
			continue
		}
		if nb := l.queue[0].NotBefore; nb.After(now) {
			if next.IsZero() || nb.Before(next) {
				next = nb
			}
			continue
		}
		l.running = true
		s.runs++
		spawn(func() { s.run(ctx, l, report) })
	}
	return next, nil
}

// wait blocks until no lane runs.
func (s *sender) wait() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.runs > 0 {
		s.idle.Wait()
	}
}

// run delivers a lane's actions until none is due or one fails.
func (s *sender) run(ctx context.Context, l *lane, report func(error)) {
	stopped := false // by pick, which found nothing due
	defer func() {
		if !stopped {
			s.mu.Lock()
			s.stop(l)
			s.mu.Unlock()
		}
	}()
	readied := false
	for ctx.Err() == nil {
		d := s.pick(l)
		if d == nil {
			stopped = true
			return
		}
		p := s.b.platform(l.platform)
		if p == nil {
			return // not running (disabled or not yet connected): later
		}
		if err := s.b.plan(ctx, d, p); err != nil {
			report(err)
			return
		}
		if pc, ok := p.(Pacer); ok && d.post && !readied {
			if err := pc.Ready(ctx, d.head); err != nil {
				return
			}
			readied = true
			continue // decide again: more may be queued by now
		}
		readied = false
		if !l.urgent {
			select {
			case s.slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
		ok, err := s.b.deliverPlan(ctx, d, p)
		if !l.urgent {
			<-s.slots
		}
		if err != nil {
			report(err)
			return
		}
		if !ok {
			return
		}
	}
}

// delivery is what a lane delivers next: the head action, what it
// settles, and how.
type delivery struct {
	lane *lane
	head Action
	// Candidates, by kind of head: thread notices (newest per thread, in
	// the order their threads first queued), an incident's or a thread's
	// newest notice, or an owner's new-thread DMs.
	notes []threadNote
	dms   []Action
	older []uint64 // superseded versions, done with the delivery

	// Filled in by plan.
	post    bool     // the delivery posts a new message (Pacer.Ready applies)
	digest  []Thread // post a digest of these new threads
	members []Thread // edit the digest at ref: its threads now
	ref     string   // the digest edited
	settle  []Action // thread notices a digest edit also settles
}

// threadNote is the newest pending notice of one thread, and the older
// ones it supersedes.
type threadNote struct {
	act   Action
	older []uint64
}

// stop marks a lane stopped. s.mu must be held.
func (s *sender) stop(l *lane) {
	l.running = false
	s.runs--
	if len(l.queue) == 0 {
		delete(s.lanes, l.key)
	}
	s.idle.Broadcast()
}

// pick chooses what a lane delivers next; when its first action is not
// due it stops the lane, in the same critical section as the look (an
// action added meanwhile finds the lane stopped and starts it again), and
// returns nil. Pure bookkeeping under s.mu; plan reads the store.
func (s *sender) pick(l *lane) *delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.b.clock.Now()
	if len(l.queue) == 0 || l.queue[0].NotBefore.After(now) {
		s.stop(l)
		return nil
	}
	head := l.queue[0]
	d := &delivery{lane: l, head: head}
	due := func(a *Action) bool { return !a.NotBefore.After(now) }
	switch {
	case head.Kind == ActNotice && head.Purpose == ForTriage && head.ThreadID != 0:
		at := map[uint64]int{}
		for _, a := range l.queue {
			if a.Kind != ActNotice || a.Purpose != ForTriage || a.ThreadID == 0 || !due(&a) {
				continue
			}
			if i, ok := at[a.ThreadID]; ok {
				n := &d.notes[i]
				if a.ID > n.act.ID {
					n.older = append(n.older, n.act.ID)
					n.act = a
				} else {
					n.older = append(n.older, a.ID)
				}
				continue
			}
			at[a.ThreadID] = len(d.notes)
			d.notes = append(d.notes, threadNote{act: a})
		}
		d.head = d.notes[0].act
	case head.Kind == ActNotice && head.Incident != 0:
		for _, a := range l.queue[1:] {
			if a.Kind == ActNotice && a.Incident == head.Incident && due(&a) {
				if a.ID > d.head.ID {
					d.older = append(d.older, d.head.ID)
					d.head = a
				} else {
					d.older = append(d.older, a.ID)
				}
			}
		}
	case head.Kind == ActDM && head.Purpose == ForOwner && head.ThreadID != 0:
		for _, a := range l.queue {
			if a.Kind == ActDM && a.Purpose == ForOwner && a.ThreadID != 0 && due(&a) {
				d.dms = append(d.dms, a)
			}
		}
	}
	return d
}

// plan decides how a delivery goes, reading the store: a thread notice
// is an edit of its notice, an edit of the digest that holds it, a post
// of its own, or one of a digest of new threads.
func (b *Bot) plan(ctx context.Context, d *delivery, p Platform) error {
	d.post, d.digest, d.members, d.ref, d.settle = false, nil, nil, "", nil
	switch {
	case len(d.notes) > 0:
		return b.planNotices(ctx, d, p)
	case d.head.Kind == ActNotice && d.head.Incident != 0:
		ref, err := b.noticeRef(ctx, d.head)
		d.post = ref == ""
		return err
	case d.head.Kind == ActNotice && d.head.Purpose == ForFollowUp:
		d.post = true
	case d.head.Kind == ActNotice:
		d.post = d.head.Ref == ""
	default:
		d.post = true
	}
	return nil
}

func (b *Bot) planNotices(ctx context.Context, d *delivery, p Platform) error {
	read := func(id uint64) (*Thread, error) {
		t, err := b.store.Thread(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return &t, err
	}
	head, err := read(d.head.ThreadID)
	if err != nil || head == nil {
		return err
	}
	if head.NoticeRef != "" {
		dg, err := b.digestEntry(ctx, d.head.Platform, head.NoticeRef)
		if err != nil || dg == nil {
			return err
		}
		d.ref = head.NoticeRef
		for _, id := range dg.Threads {
			if t, err := read(id); err != nil {
				return err
			} else if t != nil {
				d.members = append(d.members, *t)
			}
		}
		// Pending notices of the digest's other threads are settled by
		// this one edit.
		for _, n := range d.notes[1:] {
			if !slices.Contains(dg.Threads, n.act.ThreadID) {
				continue
			}
			if i := slices.IndexFunc(d.members, func(t Thread) bool { return t.ID == n.act.ThreadID }); i >= 0 && d.members[i].NoticeRef == d.ref {
				d.settle = append(d.settle, n.act)
			}
		}
		return nil
	}
	d.post = true
	dg, ok := p.(Digester)
	if !ok || b.opts.Notices.NoCoalesce || len(d.notes) <= b.opts.Notices.CoalesceAfter {
		return nil
	}
	size := dg.DigestSize()
	var fresh []Thread
	for i, n := range d.notes {
		if len(fresh) == size || i == maxNoticeReads {
			break
		}
		t, err := read(n.act.ThreadID)
		if err != nil {
			return err
		}
		if t != nil && t.NoticeRef == "" {
			fresh = append(fresh, *t)
		}
	}
	if len(fresh) > b.opts.Notices.CoalesceAfter && size > 1 {
		d.digest = fresh
	}
	return nil
}

// digestRecord is what the entry notice/<platform>/<ref> keeps of a
// digest notice.
type digestRecord struct {
	Threads []uint64  `json:"threads"`
	Since   time.Time `json:"since"`
	At      time.Time `json:"at"`
}

func digestKey(platform, ref string) string { return "notice/" + platform + "/" + ref }

// digestEntry reads the digest posted as ref, or nil when ref is not a
// digest.
func (b *Bot) digestEntry(ctx context.Context, platform, ref string) (*digestRecord, error) {
	v, err := b.store.Entry(ctx, digestKey(platform, ref))
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r digestRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("entry %s: %w", digestKey(platform, ref), err)
	}
	return &r, nil
}

// deliverPlan delivers a planned delivery and records the outcome. It
// reports whether the lane may go on.
func (b *Bot) deliverPlan(ctx context.Context, d *delivery, p Platform) (bool, error) {
	switch {
	case d.digest != nil:
		return b.postNoticeDigest(ctx, d, p.(Digester))
	case d.ref != "":
		return b.editDigest(ctx, d, p.(Digester))
	case len(d.dms) > b.opts.Notices.CoalesceAfter && !b.opts.Notices.NoCoalesce:
		return b.ownerDigest(ctx, d, p)
	}
	for _, n := range d.notes {
		if n.act.ID == d.head.ID {
			d.older = append(d.older, n.older...)
		}
	}
	return b.deliver(ctx, d.head, p, d.older)
}

// deliver sends one action and records the outcome; older are superseded
// versions, done with it.
func (b *Bot) deliver(ctx context.Context, a Action, p Platform, older []uint64) (bool, error) {
	switch {
	case a.Kind == ActNotice && a.Purpose == ForFollowUp:
		// The thread's own notice, rendered as the thread is now.
		t, err := b.store.Thread(ctx, a.ThreadID)
		if errors.Is(err, ErrNotFound) {
			return b.settle(ctx, []Action{a}, nil, nil, nil)
		}
		if err != nil {
			return false, err
		}
		if dg, err := b.digestEntry(ctx, a.Platform, t.NoticeRef); err != nil {
			return false, err
		} else if dg == nil {
			// Not (or no longer) in a digest: it has its own notice.
			return b.settle(ctx, []Action{a}, nil, nil, nil)
		}
		n := b.notice(&t)
		a.Notice, a.Text, a.Ref = n, n.Text(), ""
	case a.Kind == ActNotice:
		ref, err := b.noticeRef(ctx, a)
		if err != nil {
			return false, err
		}
		a.Ref = ref
	case a.Kind == ActDM && a.Purpose == ForOwner && a.ThreadID != 0:
		if err := b.renderOwnerNew(ctx, &a); err != nil {
			return false, err
		}
	}
	if a.Notice != nil {
		// The store keeps no language: a notice is in its platform's.
		n := *a.Notice
		n.Lang = b.channelL(a.Platform).Lang()
		a.Notice = &n
	}
	rcpt, sendErr := p.Send(ctx, a)
	return b.settle(ctx, []Action{a}, older, sendErr, func(x *txn) error {
		return b.recordReceipt(ctx, x, a, rcpt)
	})
}

// settle records the outcome of one delivery that stood for acts (all
// delivered, all to retry or all dropped): in one transaction, with what
// done records on success. older are superseded versions, done on
// success. It reports whether the lane may go on.
func (b *Bot) settle(ctx context.Context, acts []Action, older []uint64, sendErr error, done func(*txn) error) (bool, error) {
	b.lock()
	defer b.mu.Unlock()
	x := b.begin("")
	var retry *RetryError
	switch {
	case sendErr == nil:
		for i := range acts {
			x.ch.Done = append(x.ch.Done, acts[i].ID)
			x.note(Observation{What: "sent", Action: &acts[i]})
		}
		x.ch.Done = append(x.ch.Done, older...)
		if done != nil {
			if err := done(x); err != nil {
				return false, err
			}
		}
	case errors.Is(sendErr, ErrPermanent) || acts[0].Attempts+1 >= MaxAttempts:
		for i := range acts {
			a := &acts[i]
			b.log.Error("action dropped", "action", a.ID, "purpose", a.Purpose, "platform", a.Platform, "err", sendErr)
			x.ch.Done = append(x.ch.Done, a.ID)
			a.LastError = sendErr.Error()
			x.note(Observation{What: "failed", Action: a, Detail: sendErr.Error()})
		}
	default:
		for i := range acts {
			a := &acts[i]
			a.Attempts++
			a.LastError = sendErr.Error()
			wait := backoff(a.Attempts)
			if errors.As(sendErr, &retry) && retry.After > 0 {
				wait = retry.After
			}
			a.NotBefore = x.now.Add(wait)
			x.ch.Requeue = append(x.ch.Requeue, *a)
			b.log.Warn("action will be retried", "action", a.ID, "purpose", a.Purpose, "platform", a.Platform, "attempt", a.Attempts, "in", wait, "err", sendErr)
			x.note(Observation{What: "retry", Action: a, Detail: sendErr.Error()})
		}
	}
	if err := x.commit(ctx); err != nil {
		return false, fmt.Errorf("record action %d: %w", acts[0].ID, err)
	}
	s := b.send
	s.mu.Lock()
	s.retire(x.ch.Done...)
	s.requeue(x.ch.Requeue...)
	s.add(x.ch.Enqueue...)
	s.mu.Unlock()
	if sendErr != nil {
		return false, nil
	}
	s.sent.Add(int64(len(acts)))
	return true, nil
}

// postNoticeDigest posts one digest notice for new threads.
func (b *Bot) postNoticeDigest(ctx context.Context, d *delivery, p Digester) (bool, error) {
	dg := &Digest{At: b.clock.Now(), Lang: b.channelL(d.head.Platform).Lang()}
	ids := make([]uint64, len(d.digest))
	for i := range d.digest {
		t := &d.digest[i]
		ids[i] = t.ID
		dg.Notices = append(dg.Notices, b.notice(t))
		if dg.Since.IsZero() || t.Created.Before(dg.Since) {
			dg.Since = t.Created
		}
	}
	var acts []Action
	var older []uint64
	for _, n := range d.notes {
		if slices.Contains(ids, n.act.ThreadID) {
			acts = append(acts, n.act)
			older = append(older, n.older...)
		}
	}
	rcpt, err := p.SendDigest(ctx, d.head.Channel, "", dg)
	return b.settle(ctx, acts, older, err, func(x *txn) error {
		if rcpt.Ref == "" {
			return nil
		}
		for i := range d.digest {
			t := d.digest[i]
			cur, err := b.store.Thread(ctx, t.ID)
			if err != nil {
				if ignoreNotFound(err) == nil {
					continue
				}
				return err
			}
			cur.NoticeRef = rcpt.Ref
			x.put(&cur)
			if b.opts.Notices.FollowUp {
				x.enqueue(Action{Kind: ActNotice, Purpose: ForFollowUp, Platform: d.head.Platform,
					Channel: d.head.Channel, Text: "notice of thread #" + FormatID(t.ID), ThreadID: t.ID})
			}
		}
		v, err := json.Marshal(digestRecord{Threads: ids, Since: dg.Since, At: dg.At})
		if err != nil {
			return err
		}
		x.ch.Entries = append(x.ch.Entries, Entry{Key: digestKey(d.head.Platform, rcpt.Ref), Value: v})
		x.note(Observation{What: "coalesced", Detail: fmt.Sprintf("%s %s: %d threads in one notice", d.head.Platform, rcpt.Ref, len(ids))})
		return nil
	})
}

// editDigest re-renders the digest that holds the head's thread, from its
// threads' current state.
func (b *Bot) editDigest(ctx context.Context, d *delivery, p Digester) (bool, error) {
	rec, err := b.digestEntry(ctx, d.head.Platform, d.ref)
	if err != nil || rec == nil {
		return false, err
	}
	dg := &Digest{Since: rec.Since, At: rec.At, Lang: b.channelL(d.head.Platform).Lang()}
	for i := range d.members {
		dg.Notices = append(dg.Notices, b.notice(&d.members[i]))
	}
	ch, _, _ := strings.Cut(d.ref, "/")
	if ch == "" {
		ch = d.head.Channel
	}
	acts := []Action{d.head}
	older := slices.Clone(d.notes[0].older)
	for _, a := range d.settle {
		acts = append(acts, a)
		for _, n := range d.notes {
			if n.act.ID == a.ID {
				older = append(older, n.older...)
			}
		}
	}
	_, err = p.SendDigest(ctx, ch, d.ref, dg)
	return b.settle(ctx, acts, older, err, nil)
}

// ownerDigest sends one DM for several new threads of an owner.
func (b *Bot) ownerDigest(ctx context.Context, d *delivery, p Platform) (bool, error) {
	var lines []string
	var acts []Action
	size := 0
	one := d.dms[0]
	l := b.personL(b.ids[one.Platform][one.To], one.Platform)
	for _, a := range d.dms {
		t, err := b.store.Thread(ctx, a.ThreadID)
		if err != nil && ignoreNotFound(err) != nil {
			return false, err
		}
		line := a.Text
		if err == nil {
			line = msgOwnerNewLine(l, t.ID, tagList(l, &t), t.customerName(), excerpt(lastCustomerText(&t), 80),
				b.whenFor(l, t.Owner, t.Deadline), t.Permalink)
		}
		if size+len(line) > maxDMText && len(lines) > 0 {
			break
		}
		size += len(line) + 1
		lines = append(lines, line)
		acts = append(acts, a)
	}
	one.Text = msgOwnerNewMany(l, lines)
	if len(lines) == 1 {
		if err := b.renderOwnerNew(ctx, &one); err != nil {
			return false, err
		}
	}
	_, err := p.Send(ctx, one)
	return b.settle(ctx, acts, nil, err, nil)
}

// renderOwnerNew renders an owner's DM of a new thread as the thread is
// now (ownerNew); a thread no longer stored keeps the text it was queued
// with.
func (b *Bot) renderOwnerNew(ctx context.Context, a *Action) error {
	t, err := b.store.Thread(ctx, a.ThreadID)
	if err != nil {
		return ignoreNotFound(err)
	}
	a.Text = b.ownerNew(b.personL(b.ids[a.Platform][a.To], a.Platform), &t)
	return nil
}

// Flush delivers what the outbox holds that is due, and waits until it is
// delivered, to retry later or dropped; it returns how many actions were
// delivered meanwhile (a digest counts its threads). Run's sender does the
// same continuously; tests call Flush directly. A Flush called while
// another runs starts when that one is over, and one lane delivers at a
// time, so no action is delivered twice.
func (b *Bot) Flush(ctx context.Context) (int, error) {
	b.flushMu.Lock()
	defer b.flushMu.Unlock()
	s := b.send
	before := s.sent.Load()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	report := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = err
		}
	}
	_, err := s.dispatch(ctx, func(f func()) { wg.Go(f) }, report)
	wg.Wait()
	s.wait()
	if err != nil {
		return 0, err
	}
	if first == nil {
		first = ctx.Err()
	}
	return int(s.sent.Load() - before), first
}

// backoff is 1s, 2s, 4s … capped at 5 minutes.
func backoff(attempt int) time.Duration {
	d := time.Second << min(attempt-1, 9)
	return min(d, 5*time.Minute)
}

// noticeRef finds the message to edit for a notice action: the thread's
// (or incident's) notice, once it was posted.
func (b *Bot) noticeRef(ctx context.Context, a Action) (string, error) {
	b.lock()
	defer b.mu.Unlock()
	if a.Incident != 0 {
		inc, err := b.store.Incident(ctx, a.Incident)
		if errors.Is(err, ErrNotFound) {
			return "", nil
		}
		return inc.NoticeRefs[a.Platform], err
	}
	if a.ThreadID == 0 {
		return a.Ref, nil
	}
	t, err := b.store.Thread(ctx, a.ThreadID)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	return t.NoticeRef, err
}

// recordReceipt remembers where a first notice was posted, so later
// updates edit it.
func (b *Bot) recordReceipt(ctx context.Context, x *txn, a Action, r Receipt) error {
	if a.Kind != ActNotice || a.Ref != "" || r.Ref == "" {
		return nil
	}
	if a.Incident != 0 {
		inc, err := b.store.Incident(ctx, a.Incident)
		if err != nil {
			return ignoreNotFound(err)
		}
		if inc.NoticeRefs == nil {
			inc.NoticeRefs = map[string]string{}
		}
		inc.NoticeRefs[a.Platform] = r.Ref
		x.ch.Incidents = append(x.ch.Incidents, inc)
		return nil
	}
	t, err := b.store.Thread(ctx, a.ThreadID)
	if err != nil {
		return ignoreNotFound(err)
	}
	t.NoticeRef = r.Ref
	// A reaction on the notice (👀, ✅) leads back to the thread.
	t.addKeys(a.Platform + "/" + r.Ref)
	x.put(&t)
	return nil
}

func ignoreNotFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}
