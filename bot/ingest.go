package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Group commit. Handle does not commit each event on its own: concurrent
// callers queue their events, and one of them at a time, the writer, takes
// the queue, handles the events in order against an overlay of the
// changes not yet committed, and commits them with one Store.Apply (one
// Change per event, one transaction, one fsync). Every caller of a batch
// returns after that commit; when it fails, all of them get the error and
// nothing of the batch is stored. No goroutine lives longer than a Handle
// call.
//
// The writer is pipelined: while batch n commits, the next writer already
// handles the events that arrive into batch n+1, against an overlay that
// chains to batch n's uncommitted one. Batch n+1 stops taking events when
// batch n's commit ends (or at maxBatch events), so commits run in order,
// one at a time, and the fsync of one batch overlaps the handling of the
// next. If batch n fails, batch n+1 was built on its overlay and fails
// too, without a commit; the batch after starts from the store again.
// Tick, the sender and the digest take b.mu and wait for the batch in
// flight (b.lock), so that they read and write only committed state.
//
// Submit is Handle in two halves, for adapters that pipeline: it queues
// the event and returns, and the wait it returns blocks until the
// event's batch is committed. A channel's lane submits its next event
// without waiting for the previous one's commit: the queue keeps the
// submission order, so the events of one lane are handled in order and
// fall into the same or later batches, and each delivery is acknowledged
// when its own batch is durable. The writer's role is taken in wait, so
// every wait must be called, soon: until the first one is, the events
// queued behind it are not handled.
//
// The overlay makes a later event see what an earlier one did: its event
// id (dedupe), its threads (by id and by key) and the open-thread counts
// per owner (least_loaded). Reads the overlay does not cover (mine, open,
// stats, incidents) first commit the events before them (settle); counts
// of open threads wait for the batch before.
//
// When a commit fails, the thread, action and incident ids and the
// round-robin positions the batch used are not given back: ids have gaps,
// never duplicates, and round-robin starts one member later. Both are
// harmless.

// maxBatch is the most events one commit takes.
const maxBatch = 1024

// ingest is the queue of events waiting for the writer, and the batch
// last handed to commit.
type ingest struct {
	mu      sync.Mutex
	queue   []*pending
	writing bool          // a caller is the writer (or has been told to become it)
	more    chan struct{} // the writer is told when events are queued

	tail *batch // the batch last handed to commit; guarded by Bot.mu
}

// pending is one Handle call waiting for its batch.
type pending struct {
	ctx  context.Context
	ev   Event
	tags []Tag // a customer message's tags, found before queueing
	res  Result
	err  error
	wake chan bool // true: become the writer; false: your batch is committed
}

// batch is one group commit on its way to the store.
type batch struct {
	ov   *overlay
	done chan struct{} // closed when committed or failed
	err  error         // its outcome, set before done is closed
}

// committed reports whether the batch's commit is over, and its error.
func (bt *batch) committed() (bool, error) {
	select {
	case <-bt.done:
		return true, bt.err
	default:
		return false, nil
	}
}

// Handle implements Handler: it dedupes, tags, tracks, routes and queues
// the actions an event causes, and returns once they are committed,
// together with those of the events handled in the same batch.
func (b *Bot) Handle(ctx context.Context, ev Event) (Result, error) {
	return b.Submit(ctx, ev)()
}

// Submit implements Submitter: it tags ev and queues it behind every
// event queued before it, and returns at once; wait returns once ev's
// batch is committed. The caller that queues an event while no writer is
// at work is the next writer: its wait does the writing.
func (b *Bot) Submit(ctx context.Context, ev Event) (wait func() (Result, error)) {
	p := &pending{ctx: ctx, ev: ev, wake: make(chan bool, 1)}
	if ev.Kind == KindMessage && !ev.Staff && !ev.Bot && !ev.Edit {
		// Tagging is pure and the costliest step: callers do it in
		// parallel, not the writer.
		p.tags = b.tagger.Tag(ev.Text)
	}
	b.in.mu.Lock()
	b.in.queue = append(b.in.queue, p)
	lead := !b.in.writing
	b.in.writing = true
	if b.in.more == nil {
		b.in.more = make(chan struct{}, 1)
	}
	more := b.in.more
	b.in.mu.Unlock()
	if !lead {
		select {
		case more <- struct{}{}:
		default:
		}
	}
	return func() (Result, error) {
		if lead || <-p.wake {
			b.write()
		}
		return p.res, p.err
	}
}

// take removes up to n events from the head of the queue.
func (b *Bot) take(n int) []*pending {
	b.in.mu.Lock()
	defer b.in.mu.Unlock()
	n = min(len(b.in.queue), n)
	taken := slices.Clone(b.in.queue[:n])
	b.in.queue = slices.Delete(b.in.queue, 0, n)
	return taken
}

// write builds a batch from the head of the queue (whose first event is
// the caller's own), passes the writer's role on, and commits the batch.
func (b *Bot) write() {
	b.mu.Lock()
	prev := b.in.tail
	ov := &overlay{b: b}
	ov.reset()
	if prev != nil {
		if done, _ := prev.committed(); !done {
			ov.parent, ov.after = prev.ov, prev
		}
	}
	var mine []*pending
	for {
		took := b.take(maxBatch - len(mine))
		b.prefetch(ov, took)
		for _, p := range took {
			b.handleOne(ov, p)
		}
		mine = append(mine, took...)
		if ov.after == nil {
			break
		}
		if done, _ := ov.after.committed(); done {
			break
		}
		if len(mine) < maxBatch {
			// Take what arrives while the batch before commits.
			select {
			case <-ov.after.done:
			case <-b.in.more:
			}
			continue
		}
		<-ov.after.done
	}
	ov.awaitAfter() // over: on its failure, the events built on it failed
	bt := &batch{ov: ov, done: make(chan struct{})}
	b.in.tail = bt
	b.mu.Unlock()

	b.in.mu.Lock()
	if len(b.in.queue) > 0 {
		b.in.queue[0].wake <- true
	} else {
		b.in.writing = false
	}
	b.in.mu.Unlock()

	bt.err = ov.commit(context.WithoutCancel(mine[0].ctx))
	close(bt.done)
	for _, p := range mine[1:] {
		p.wake <- false
	}
}

// lock takes b.mu once the batch in flight is committed: what holds it
// reads and writes committed state only.
func (b *Bot) lock() {
	b.mu.Lock()
	if bt := b.in.tail; bt != nil {
		<-bt.done
		b.in.tail = nil
	}
}

// handleOne handles one event of a batch into the overlay. An event that
// fails is left out of the batch with its error.
func (b *Bot) handleOne(ov *overlay, p *pending) {
	ctx, ev := p.ctx, p.ev
	x := b.begin(ev.ID)
	x.ov, x.tags = ov, p.tags
	x.via = cmp.Or(ev.Via, ev.Platform)
	if ev.Staff {
		x.actor = b.personOf(ev.Platform, ev.User)
	}
	if ev.ID != "" {
		seen, err := ov.seen(ctx, ev.ID)
		if err != nil {
			p.err = fmt.Errorf("handle %s: %w", ev.ID, err)
			return
		}
		if seen {
			x.ch.EventID = ""
			x.note(Observation{What: "duplicate", Detail: ev.ID})
			p.res = Result{Duplicate: true}
			ov.waiting = append(ov.waiting, entry{p, x})
			return
		}
	}
	var res Result
	var err error
	switch ev.Kind {
	case KindMessage:
		res, err = b.message(ctx, x, ev)
	case KindReaction:
		res, err = b.reaction(ctx, x, ev)
	case KindCommand, KindButton:
		res, err = b.command(ctx, x, ev)
	case KindNames:
		res, err = b.names(ctx, x, ev)
	case KindRating:
		res, err = b.rating(ctx, x, ev)
	default:
		b.log.Debug("unknown event kind skipped", "kind", ev.Kind, "id", ev.ID)
	}
	if err == nil {
		err = ov.add(ctx, x)
	}
	if err != nil {
		p.err = fmt.Errorf("handle %s %s: %w", ev.Kind, ev.ID, err)
		return
	}
	p.res = res
	ov.waiting = append(ov.waiting, entry{p, x})
}

// overlay holds the handled but uncommitted events of a batch and answers
// reads as if they were committed. Only the writer that builds it reads
// and changes its maps (under Bot.mu), and then the next writer reads
// them through parent; its committer reads only waiting.
type overlay struct {
	b       *Bot
	parent  *overlay // the uncommitted overlay of the batch before, or nil
	after   *batch   // the batch before, until its commit is known to be over
	waiting []entry
	events  map[string]bool    // event ids recorded
	threads map[uint64]*Thread // newest version of each thread written
	keys    map[string]uint64  // keys pointed at a thread
	open    map[string]int     // owner -> change in open threads
	entries map[string][]byte  // entries written (nil: deleted)
	pre     prefetched         // the store's answers for the events taken (prefetch.go)
}

// entry is one handled event and its change.
type entry struct {
	p *pending
	x *txn
}

func (ov *overlay) reset() {
	ov.waiting = nil
	ov.events = map[string]bool{}
	ov.threads = map[uint64]*Thread{}
	ov.keys = map[string]uint64{}
	ov.open = map[string]int{}
	ov.entries = map[string][]byte{}
	ov.pre = prefetched{}
}

// awaitAfter waits for the commit of the batch before and cuts the
// overlay from it. If that batch failed, the events handled so far were
// built on its changes: they fail with it, the overlay starts empty, and
// the error is returned.
func (ov *overlay) awaitAfter() error {
	if ov.after == nil {
		return nil
	}
	<-ov.after.done
	err := ov.after.err
	if err == nil {
		ov.pre.forget(ov.parent) // may predate the commit of what it wrote
	}
	ov.after, ov.parent = nil, nil
	if err != nil {
		err = fmt.Errorf("the batch before failed: %w", err)
		ov.fail(err)
		ov.reset()
	}
	return err
}

// event, thread and key read the overlay and the ones it chains to.
func (ov *overlay) event(id string) bool {
	for o := ov; o != nil; o = o.parent {
		if o.events[id] {
			return true
		}
	}
	return false
}

func (ov *overlay) thread(id uint64) *Thread {
	for o := ov; o != nil; o = o.parent {
		if t := o.threads[id]; t != nil {
			return t
		}
	}
	return nil
}

func (ov *overlay) key(k string) (uint64, bool) {
	for o := ov; o != nil; o = o.parent {
		if id, ok := o.keys[k]; ok {
			return id, true
		}
	}
	return 0, false
}

// entry returns the newest value written to an entry key in the overlay
// or the ones it chains to; ok is false when none wrote it.
func (ov *overlay) entry(key string) (v []byte, ok bool) {
	for o := ov; o != nil; o = o.parent {
		if v, ok := o.entries[key]; ok {
			return v, true
		}
	}
	return nil, false
}

// add records a handled event's change, as Store.Apply will apply it.
func (ov *overlay) add(ctx context.Context, x *txn) error {
	for i := range x.ch.Threads {
		t := &x.ch.Threads[i]
		prev := ov.thread(t.ID)
		if prev == nil && !x.created(t.ID) {
			stored, err := x.stored(ctx, t.ID)
			switch {
			case err == nil:
				prev = &stored
			case !errors.Is(err, ErrNotFound):
				return err
			}
		}
		for _, k := range t.Keys {
			if prev == nil || !slices.Contains(prev.Keys, k) {
				ov.keys[k] = t.ID
			}
		}
		if prev != nil && prev.Owner != "" && prev.State.Open() {
			ov.open[prev.Owner]--
		}
		if t.Owner != "" && t.State.Open() {
			ov.open[t.Owner]++
		}
		c := cloneThread(*t)
		ov.threads[t.ID] = &c
	}
	for _, e := range x.ch.Entries {
		ov.entries[e.Key] = e.Value
	}
	if x.ch.EventID != "" {
		ov.events[x.ch.EventID] = true
	}
	return nil
}

// commit applies the waiting events in one Apply and reports what they
// did; on failure every waiting event gets the error. It leaves the maps
// alone: the next batch may be reading them.
func (ov *overlay) commit(ctx context.Context) error {
	if len(ov.waiting) == 0 {
		return nil
	}
	changes := make([]Change, 0, len(ov.waiting))
	kick := false
	for _, e := range ov.waiting {
		if !e.x.ch.empty() {
			changes = append(changes, e.x.ch)
		}
		kick = kick || len(e.x.ch.Enqueue) > 0
	}
	err := ov.b.apply(ctx, changes...)
	if err != nil {
		return ov.fail(err)
	}
	for _, e := range ov.waiting {
		for _, o := range e.x.obs {
			ov.b.observe(o)
		}
	}
	if kick {
		ov.b.kick()
	}
	ov.waiting = nil
	return nil
}

// fail gives every waiting event the error, and returns it.
func (ov *overlay) fail(err error) error {
	for _, e := range ov.waiting {
		e.p.res, e.p.err = Result{}, fmt.Errorf("handle %s %s: %w", e.p.ev.Kind, e.p.ev.ID, err)
	}
	ov.waiting = nil
	return err
}

// flush commits the waiting events after the batch before, and starts
// an empty overlay.
func (ov *overlay) flush(ctx context.Context) error {
	if err := ov.awaitAfter(); err != nil {
		return err
	}
	err := ov.commit(ctx)
	ov.reset()
	return err
}

func (ov *overlay) seen(ctx context.Context, id string) (bool, error) {
	if ov.event(id) {
		return true, nil
	}
	if seen, ok := ov.pre.seen[id]; ok {
		return seen, nil
	}
	return ov.b.store.Seen(ctx, id)
}

// empty reports whether applying c would change nothing.
func (c *Change) empty() bool {
	return c.EventID == "" && len(c.Threads) == 0 && len(c.Enqueue) == 0 && len(c.Requeue) == 0 &&
		len(c.Done) == 0 && len(c.Cursors) == 0 && len(c.Incidents) == 0 && len(c.Entries) == 0
}

// thread reads a thread by id, uncommitted changes included.
func (x *txn) thread(ctx context.Context, id uint64) (Thread, error) {
	if x.ov != nil {
		if t := x.ov.thread(id); t != nil {
			return cloneThread(*t), nil
		}
	}
	return x.stored(ctx, id)
}

// stored reads the committed version of a thread: the prefetched one, or
// the store's.
func (x *txn) stored(ctx context.Context, id uint64) (Thread, error) {
	if x.ov != nil {
		if t := x.ov.pre.byID[id]; t != nil {
			return cloneThread(*t), nil
		}
	}
	return x.b.store.Thread(ctx, id)
}

// lookup returns the thread a key leads to, uncommitted changes included,
// or nil.
func (x *txn) lookup(ctx context.Context, key string) (*Thread, error) {
	if x.ov != nil {
		if id, ok := x.ov.key(key); ok {
			t, err := x.thread(ctx, id)
			return &t, err
		}
		if id, asked := x.ov.pre.key(key); asked {
			if id == 0 {
				return nil, nil
			}
			t, err := x.thread(ctx, id)
			return &t, err
		}
	}
	t, err := x.b.store.ThreadByKey(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if x.ov != nil {
		if o := x.ov.thread(t.ID); o != nil {
			t = cloneThread(*o)
		}
	}
	return &t, nil
}

// countOpen counts a person's open threads, uncommitted changes included.
// It first waits for the batch before: a count read while that batch
// commits could not tell whether it holds that batch's changes.
func (x *txn) countOpen(ctx context.Context, owner string) (int, error) {
	if x.ov != nil {
		if err := x.ov.awaitAfter(); err != nil {
			return 0, err
		}
	}
	n, err := x.b.store.CountOpenByOwner(ctx, owner)
	if x.ov != nil {
		n += x.ov.open[owner]
	}
	return n, err
}

// settle commits the events handled before this one in its batch, before
// a read the overlay does not cover. If that commit fails, this event
// fails too: it may have read what the failed events wrote.
func (x *txn) settle(ctx context.Context) error {
	if x.ov == nil {
		return nil
	}
	return x.ov.flush(context.WithoutCancel(ctx))
}

// cloneThread copies a thread deeply enough that appending to or changing
// the copy's slices never touches the original.
func cloneThread(t Thread) Thread {
	t.Keys = slices.Clone(t.Keys)
	t.Tags = slices.Clone(t.Tags)
	t.Corrections = slices.Clone(t.Corrections)
	t.Messages = slices.Clone(t.Messages)
	t.Timeline = slices.Clone(t.Timeline)
	return t
}
