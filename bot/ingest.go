package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Group commit. Handle does not commit each event on its own: concurrent
// callers queue their events, and one of them at a time, the writer, takes
// the whole queue (up to maxBatch events), handles the events in order
// against an overlay of the changes not yet committed, and commits them
// with one Store.Apply (one Change per event, one transaction, one fsync).
// Every caller of a batch returns after that commit; when it fails, all of
// them get the error and nothing of the batch is stored. Then the writer
// hands the queue to the first caller still waiting, so no goroutine lives
// longer than a Handle call.
//
// The overlay makes a later event of a batch see what an earlier one did:
// its event id (dedupe), its threads (by id and by key) and the open-thread
// counts per owner (least_loaded). Reads the overlay does not cover (mine,
// open, stats, incidents) first commit the events before them (settle).
//
// When a commit fails, the thread, action and incident ids and the
// round-robin positions the batch used are not given back: ids have gaps,
// never duplicates, and round-robin starts one member later. Both are
// harmless.

// maxBatch is the most events one commit takes.
const maxBatch = 1024

// ingest is the queue of events waiting for the writer.
type ingest struct {
	mu      sync.Mutex
	queue   []*pending
	writing bool // a caller is the writer (or has been told to become it)
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

// Handle implements Handler: it dedupes, tags, tracks, routes and queues
// the actions an event causes, and returns once they are committed,
// together with those of the events handled in the same batch.
func (b *Bot) Handle(ctx context.Context, ev Event) (Result, error) {
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
	b.in.mu.Unlock()
	if lead || <-p.wake {
		b.write()
	}
	return p.res, p.err
}

// write handles and commits one batch from the head of the queue (whose
// first event is the caller's own), then passes the writer's role on.
func (b *Bot) write() {
	b.in.mu.Lock()
	n := min(len(b.in.queue), maxBatch)
	batch := slices.Clone(b.in.queue[:n])
	b.in.queue = slices.Delete(b.in.queue, 0, n)
	b.in.mu.Unlock()

	b.mu.Lock()
	ov := &overlay{b: b}
	ov.reset()
	for _, p := range batch {
		b.handleOne(ov, p)
	}
	ov.flush(context.WithoutCancel(batch[0].ctx))
	b.mu.Unlock()

	b.in.mu.Lock()
	if len(b.in.queue) > 0 {
		b.in.queue[0].wake <- true
	} else {
		b.in.writing = false
	}
	b.in.mu.Unlock()
	for _, p := range batch[1:] {
		p.wake <- false
	}
}

// handleOne handles one event of a batch into the overlay. An event that
// fails is left out of the batch with its error.
func (b *Bot) handleOne(ov *overlay, p *pending) {
	ctx, ev := p.ctx, p.ev
	x := b.begin(ev.ID)
	x.ov, x.tags = ov, p.tags
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
// reads as if they were committed.
type overlay struct {
	b       *Bot
	waiting []entry
	events  map[string]bool    // event ids recorded
	threads map[uint64]*Thread // newest version of each thread written
	keys    map[string]uint64  // keys pointed at a thread
	open    map[string]int     // owner -> change in open threads
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
}

// add records a handled event's change, as Store.Apply will apply it.
func (ov *overlay) add(ctx context.Context, x *txn) error {
	for i := range x.ch.Threads {
		t := &x.ch.Threads[i]
		prev := ov.threads[t.ID]
		if prev == nil {
			stored, err := ov.b.store.Thread(ctx, t.ID)
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
	if x.ch.EventID != "" {
		ov.events[x.ch.EventID] = true
	}
	return nil
}

// flush commits the waiting events in one Apply, reports what they did
// and starts an empty overlay. On failure every waiting event gets the
// error.
func (ov *overlay) flush(ctx context.Context) error {
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
	err := ov.b.store.Apply(ctx, changes...)
	for _, e := range ov.waiting {
		if err != nil {
			e.p.res, e.p.err = Result{}, fmt.Errorf("handle %s %s: %w", e.p.ev.Kind, e.p.ev.ID, err)
			continue
		}
		for _, o := range e.x.obs {
			ov.b.observe(o)
		}
	}
	if err == nil && kick {
		ov.b.kick()
	}
	ov.reset()
	return err
}

func (ov *overlay) seen(ctx context.Context, id string) (bool, error) {
	if ov.events[id] {
		return true, nil
	}
	return ov.b.store.Seen(ctx, id)
}

// empty reports whether applying c would change nothing.
func (c *Change) empty() bool {
	return c.EventID == "" && len(c.Threads) == 0 && len(c.Enqueue) == 0 && len(c.Requeue) == 0 &&
		len(c.Done) == 0 && len(c.Cursors) == 0 && len(c.Incidents) == 0
}

// thread reads a thread by id, uncommitted changes included.
func (x *txn) thread(ctx context.Context, id uint64) (Thread, error) {
	if x.ov != nil {
		if t := x.ov.threads[id]; t != nil {
			return cloneThread(*t), nil
		}
	}
	return x.b.store.Thread(ctx, id)
}

// lookup returns the thread a key leads to, uncommitted changes included,
// or nil.
func (x *txn) lookup(ctx context.Context, key string) (*Thread, error) {
	if x.ov != nil {
		if id, ok := x.ov.keys[key]; ok {
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
	if x.ov != nil && x.ov.threads[t.ID] != nil {
		t = cloneThread(*x.ov.threads[t.ID])
	}
	return &t, nil
}

// countOpen counts a person's open threads, uncommitted changes included.
func (x *txn) countOpen(ctx context.Context, owner string) (int, error) {
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
	return t
}
