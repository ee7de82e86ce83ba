package bot_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/storage/mem"
)

// gateStore holds the first Apply until released, so that the events
// handled meanwhile queue up into one batch, and records each Apply.
type gateStore struct {
	bot.Store
	mu      sync.Mutex
	release chan struct{}
	fail    error // returned by every Apply after the first
	applies [][]bot.Change
	first   bool
}

func newGateStore() *gateStore {
	return &gateStore{Store: mem.New(), release: make(chan struct{})}
}

func (s *gateStore) Apply(ctx context.Context, changes ...bot.Change) error {
	s.mu.Lock()
	first := !s.first
	s.first = true
	s.applies = append(s.applies, changes)
	fail := s.fail
	s.mu.Unlock()
	if first {
		<-s.release
	} else if fail != nil {
		return fail
	}
	return s.Store.Apply(ctx, changes...)
}

// batchOf handles a first event (held in its commit), then the given
// events concurrently, each queued behind the one before, and releases
// the commit: they form the next batch. It returns their results in order.
// It runs inside a synctest bubble, whose Wait tells when a goroutine is
// blocked in the queue.
func batchOf(t *testing.T, b *bot.Bot, s *gateStore, evs ...bot.Event) ([]bot.Result, []error) {
	t.Helper()
	ctx := t.Context()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	first := make(chan error, 1)
	go func() {
		_, err := b.Handle(ctx, bot.Event{ID: "E0", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1",
			MessageID: "1.0", User: "UZERO", Text: "hello, the app crashes", At: at})
		first <- err
	}()
	synctest.Wait()
	res := make([]bot.Result, len(evs))
	errs := make([]error, len(evs))
	var wg sync.WaitGroup
	for i, ev := range evs {
		wg.Go(func() { res[i], errs[i] = b.Handle(ctx, ev) })
		synctest.Wait() // queued: the batch keeps the order of evs
	}
	close(s.release)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatalf("first event: %v", err)
	}
	return res, errs
}

func TestGroupCommitOneApplyAndLaterEventsSeeEarlierOnes(t *testing.T) {
	synctest.Test(t, testOneApply)
}

func testOneApply(t *testing.T) {
	s := newGateStore()
	opts := defaultOptions()
	opts.Store = s
	opts.Clock = bottest.NewClock(monday9)
	b, err := bot.New(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	at := monday9
	evs := []bot.Event{
		{ID: "E1", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1", MessageID: "2.0", User: "UKIM", Text: "refund please, I was charged twice", At: at},
		{ID: "E2", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1", MessageID: "2.1", ThreadKey: "2.0", User: "UKIM", Text: "any news?", At: at},
		{ID: "E1", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1", MessageID: "2.0", User: "UKIM", Text: "refund please, I was charged twice", At: at},
		{ID: "E3", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1", MessageID: "2.2", ThreadKey: "2.0", User: "UALICE", Staff: true, Text: "refunded", At: at},
	}
	res, errs := batchOf(t, b, s, evs...)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	if len(s.applies) != 2 || len(s.applies[1]) != 3 {
		t.Fatalf("applies = %d with %d changes in the second; want 2, the second with 3 (the duplicate writes nothing)", len(s.applies), len(s.applies[len(s.applies)-1]))
	}
	if !res[2].Duplicate || res[0].ThreadID == 0 || res[1].ThreadID != res[0].ThreadID || res[3].ThreadID != res[0].ThreadID {
		t.Fatalf("results %+v: want one thread, the redelivery a duplicate", res)
	}
	th, err := s.Thread(t.Context(), res[0].ThreadID)
	if err != nil {
		t.Fatal(err)
	}
	if th.State != bot.Answered || th.MsgCount != 3 {
		t.Errorf("thread after the batch: state %s, %d messages; want answered, 3", th.State, th.MsgCount)
	}
}

func TestGroupCommitFailureFailsTheWholeBatch(t *testing.T) {
	synctest.Test(t, testFailure)
}

func testFailure(t *testing.T) {
	s := newGateStore()
	s.fail = errors.New("disk full")
	opts := defaultOptions()
	opts.Store = s
	opts.Clock = bottest.NewClock(monday9)
	b, err := bot.New(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	evs := []bot.Event{
		{ID: "E1", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1", MessageID: "2.0", User: "UKIM", Text: "the export is broken", At: monday9},
		{ID: "E2", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1", MessageID: "2.1", ThreadKey: "2.0", User: "UKIM", Text: "still broken", At: monday9},
	}
	_, errs := batchOf(t, b, s, evs...)
	for i, err := range errs {
		if err == nil || !errors.Is(err, s.fail) {
			t.Errorf("event %d: err %v, want the commit's error", i, err)
		}
	}
	if seen, _ := s.Seen(t.Context(), "E1"); seen {
		t.Error("E1 is recorded as seen after its batch failed")
	}
	if _, err := s.ThreadByKey(t.Context(), bot.Key(bot.Slack, "C1", "2.0")); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("thread of a failed batch is visible: %v", err)
	}

	// Redelivered after the failure, the events take effect once.
	s.mu.Lock()
	s.fail = nil
	s.mu.Unlock()
	for _, ev := range evs {
		if _, err := b.Handle(t.Context(), ev); err != nil {
			t.Fatal(err)
		}
	}
	th, err := s.ThreadByKey(t.Context(), bot.Key(bot.Slack, "C1", "2.0"))
	if err != nil || th.MsgCount != 2 {
		t.Errorf("after redelivery: %+v, %v; want one thread with 2 messages", th, err)
	}
}

// holdStore holds every Apply until told how it ends, and counts them.
type holdStore struct {
	bot.Store
	mu      sync.Mutex
	applies int
	outcome chan error // one per Apply: nil commits, an error fails it
}

func (s *holdStore) Apply(ctx context.Context, changes ...bot.Change) error {
	s.mu.Lock()
	s.applies++
	s.mu.Unlock()
	if err := <-s.outcome; err != nil {
		return err
	}
	return s.Store.Apply(ctx, changes...)
}

func (s *holdStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.applies
}

func TestPipelineNextBatchBuiltOnTheOneCommitting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { testPipeline(t, nil) })
}

func TestPipelineFailureFailsTheBatchBuiltOnIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { testPipeline(t, errors.New("disk full")) })
}

// testPipeline handles a customer message and, while its batch commits,
// the customer's reply in the thread, which the writer builds into the
// next batch on the first one's overlay. The first commit ends with
// fail.
func testPipeline(t *testing.T, fail error) {
	ctx := t.Context()
	s := &holdStore{Store: mem.New(), outcome: make(chan error, 4)}
	opts := defaultOptions()
	opts.Store = s
	opts.Clock = bottest.NewClock(monday9)
	b, err := bot.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	first := bot.Event{ID: "E1", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1", MessageID: "2.0", User: "UKIM", Text: "the export is broken", At: monday9}
	reply := bot.Event{ID: "E2", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1", MessageID: "2.1", ThreadKey: "2.0", User: "UKIM", Text: "still broken", At: monday9}
	var res [2]bot.Result
	var errs [2]error
	var wg sync.WaitGroup
	wg.Go(func() { res[0], errs[0] = b.Handle(ctx, first) })
	synctest.Wait() // the first batch is in its Apply
	wg.Go(func() { res[1], errs[1] = b.Handle(ctx, reply) })
	synctest.Wait() // the reply is handled and waits for the first commit
	if n := s.count(); n != 1 {
		t.Fatalf("%d applies while the first commits, want 1", n)
	}
	s.outcome <- fail
	if fail == nil {
		s.outcome <- nil
	}
	wg.Wait()
	if fail != nil {
		for i, err := range errs {
			if !errors.Is(err, fail) {
				t.Errorf("event %d: err %v, want the first commit's error", i, err)
			}
		}
		if n := s.count(); n != 1 {
			t.Errorf("%d applies: the batch built on a failed one was committed", n)
		}
		if _, err := s.ThreadByKey(ctx, bot.Key(bot.Slack, "C1", "2.0")); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("thread of a failed batch is visible: %v", err)
		}
		// The next batch starts from the store: the redelivery works.
		s.outcome <- nil
		s.outcome <- nil
		for _, ev := range []bot.Event{first, reply} {
			if _, err := b.Handle(ctx, ev); err != nil {
				t.Fatalf("redelivery of %s: %v", ev.ID, err)
			}
		}
	} else {
		for i, err := range errs {
			if err != nil {
				t.Fatalf("event %d: %v", i, err)
			}
		}
		if res[1].ThreadID != res[0].ThreadID || s.count() != 2 {
			t.Fatalf("reply in thread %d of %d, %d applies; want the same thread, 2 applies", res[1].ThreadID, res[0].ThreadID, s.count())
		}
	}
	th, err := s.ThreadByKey(ctx, bot.Key(bot.Slack, "C1", "2.0"))
	if err != nil || th.MsgCount != 2 {
		t.Errorf("thread %+v, %v; want one thread with both messages", th, err)
	}
}

// TestTickWaitsForTheBatchInFlight: a Tick while a batch commits sees
// that batch's threads, never the state before it.
func TestTickWaitsForTheBatchInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		s := &holdStore{Store: mem.New(), outcome: make(chan error, 4)}
		clock := bottest.NewClock(monday9)
		opts := defaultOptions()
		opts.Store, opts.Clock = s, clock
		b, err := bot.New(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, err := b.Handle(ctx, bot.Event{ID: "E1", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1",
				MessageID: "2.0", User: "UKIM", Text: "the export is broken", At: monday9}); err != nil {
				t.Error(err)
			}
		})
		synctest.Wait()
		clock.Advance(50 * time.Minute) // its first reminder is due (at 45 minutes)
		var n int
		wg.Go(func() { n, err = b.Tick(ctx) })
		synctest.Wait()
		if c := s.count(); c != 1 {
			t.Fatalf("%d applies: Tick did not wait for the batch in flight", c)
		}
		s.outcome <- nil
		s.outcome <- nil
		wg.Wait()
		if err != nil || n != 1 {
			t.Fatalf("Tick = %d, %v; want the thread of the batch it waited for", n, err)
		}
	})
}

// orderStore records the event ids of every Apply in order and holds
// each Apply until told how it ends.
type orderStore struct {
	bot.Store
	mu      sync.Mutex
	ids     []string
	applies int
	outcome chan error
}

func (s *orderStore) Apply(ctx context.Context, changes ...bot.Change) error {
	s.mu.Lock()
	s.applies++
	for _, c := range changes {
		if c.EventID != "" {
			s.ids = append(s.ids, c.EventID)
		}
	}
	s.mu.Unlock()
	if err := <-s.outcome; err != nil {
		return err
	}
	return s.Store.Apply(ctx, changes...)
}

// TestSubmitPipelinesInOrder: one caller submits a channel's events one
// after the other without waiting for their commits (as a lane does);
// they are committed in submission order over several batches, each
// wait returns only once its own event is durable, and an event sees
// what the events before it did even when they are still committing.
func TestSubmitPipelinesInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		s := &orderStore{Store: mem.New(), outcome: make(chan error, 100)}
		opts := defaultOptions()
		opts.Store, opts.Clock = s, bottest.NewClock(monday9)
		b, err := bot.New(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		var evs []bot.Event
		for i := range 60 {
			ev := bot.Event{ID: fmt.Sprintf("E%02d", i), Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1",
				MessageID: fmt.Sprintf("2.%02d", i), User: fmt.Sprintf("UCUST%d", i/3), Text: "the export is broken again", At: monday9}
			if i%3 != 0 { // a reply in the thread its customer opened just before
				ev.ThreadKey = fmt.Sprintf("2.%02d", i-i%3)
			}
			if i%3 == 2 {
				ev.User, ev.Staff, ev.Text = "UALICE", true, "fixed, please retry"
			}
			evs = append(evs, ev)
		}
		type outcome struct {
			res     bot.Result
			err     error
			durable bool // its event id was stored when wait returned
		}
		got := make([]outcome, len(evs))
		var wg sync.WaitGroup
		for i, ev := range evs {
			wait := b.Submit(ctx, ev)
			wg.Go(func() {
				res, err := wait()
				seen, _ := s.Store.Seen(ctx, ev.ID)
				got[i] = outcome{res, err, seen}
			})
			if i%20 == 0 {
				// The batch before is in its Apply, the events since
				// queue behind it; let it commit.
				synctest.Wait()
				s.outcome <- nil
			}
		}
		for {
			synctest.Wait()
			s.mu.Lock()
			n := len(s.ids)
			s.mu.Unlock()
			s.outcome <- nil
			if n == len(evs) {
				break
			}
		}
		wg.Wait()
		if s.applies < 3 {
			t.Errorf("%d applies; want the events spread over several batches", s.applies)
		}
		for i, ev := range evs {
			if i >= len(s.ids) || s.ids[i] != ev.ID {
				t.Fatalf("committed in the order %v; want the submission order", s.ids)
			}
			o := got[i]
			if o.err != nil || !o.durable {
				t.Fatalf("%s: err %v, durable %v when its wait returned", ev.ID, o.err, o.durable)
			}
			if root := got[i-i%3].res.ThreadID; o.res.ThreadID != root || root == 0 {
				t.Errorf("%s in thread %d, want %d (its customer's)", ev.ID, o.res.ThreadID, root)
			}
		}
		th, err := s.ThreadByKey(ctx, bot.Key(bot.Slack, "C1", "2.57"))
		if err != nil || th.State != bot.Answered || th.MsgCount != 3 {
			t.Errorf("last thread %+v, %v; want answered with 3 messages", th, err)
		}
	})
}

// TestCursorsPerPlaceAndDMPlaces: a message's cursor is its place's (a
// Discord thread's own, not its parent's); a DM channel is remembered
// as a place; MarkCursor never moves a cursor back.
func TestCursorsPerPlaceAndDMPlaces(t *testing.T) {
	ctx := t.Context()
	opts := defaultOptions()
	store := mem.New()
	opts.Store, opts.Clock = store, bottest.NewClock(monday9)
	b, err := bot.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []bot.Event{
		{ID: "d1", Kind: bot.KindMessage, Platform: bot.Discord, Channel: "200", Place: "300", ThreadKey: "300",
			MessageID: "310", User: "42", UserName: "kim", Text: "the app crashes", At: monday9},
		{ID: "d2", Kind: bot.KindMessage, Platform: bot.Discord, Channel: "200", MessageID: "305", User: "43", Text: "login fails", At: monday9},
		{ID: "d3", Kind: bot.KindMessage, Platform: bot.Discord, Channel: "900", DM: true, MessageID: "320", User: "44", Text: "refund please", At: monday9},
	} {
		if _, err := b.Handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	// A backfilled message leaves the cursor to its adapter (MarkCursor).
	if _, err := b.Handle(ctx, bot.Event{ID: "d4", Kind: bot.KindMessage, Platform: bot.Discord, Channel: "200",
		MessageID: "399", User: "45", Text: "missed while down", At: monday9, Backfill: true}); err != nil {
		t.Fatal(err)
	}
	for place, want := range map[string]string{"300": "310", "200": "305", "900": "320"} {
		if got, err := b.Cursor(ctx, bot.Discord, place); got != want || err != nil {
			t.Errorf("cursor of %s = %q, %v; want %q", place, got, err, want)
		}
	}
	places, err := b.Places(ctx, bot.Discord)
	if err != nil || len(places) != 1 || places[0] != "900" {
		t.Errorf("Places = %v, %v; want the DM channel 900 only", places, err)
	}
	if p, _ := b.Places(ctx, bot.Slack); len(p) != 0 {
		t.Errorf("Slack places %v; want none", p)
	}
	if err := b.MarkCursor(ctx, bot.Discord, "300", "301"); err != nil {
		t.Fatal(err)
	}
	if err := b.MarkCursor(ctx, bot.Discord, "400", "401"); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.Cursor(ctx, bot.Discord, "300"); got != "310" {
		t.Errorf("MarkCursor moved a cursor back to %q", got)
	}
	if got, _ := b.Cursor(ctx, bot.Discord, "400"); got != "401" {
		t.Errorf("MarkCursor of a new place: %q, want 401", got)
	}
	if err := b.MarkCursor(ctx, bot.Discord, "", "1"); err == nil {
		t.Error("MarkCursor of an empty place: no error")
	}
}

// TestLaterMessageBringsTheCustomerName: an adapter that had no name at
// hand for a customer's first message gives it with a later one.
func TestLaterMessageBringsTheCustomerName(t *testing.T) {
	ctx := t.Context()
	opts := defaultOptions()
	store := mem.New()
	opts.Store, opts.Clock = store, bottest.NewClock(monday9)
	b, err := bot.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	first, err := b.Handle(ctx, bot.Event{ID: "E1", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1",
		MessageID: "2.0", User: "UKIM", Text: "the export is broken", At: monday9})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Handle(ctx, bot.Event{ID: "E2", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1",
		MessageID: "2.1", ThreadKey: "2.0", User: "UKIM", UserName: "Kim", Text: "still broken", At: monday9}); err != nil {
		t.Fatal(err)
	}
	th, err := store.Thread(ctx, first.ThreadID)
	if err != nil || th.CustName != "Kim" {
		t.Errorf("customer name %q, %v; want Kim from the second message", th.CustName, err)
	}
}
