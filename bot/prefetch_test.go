package bot_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/storage/mem"
)

// prefetchStore is a holdStore that is a bot.Prefetcher (as
// storage/postgres is), answering by its own reads; a Prefetch waits
// while hold is set.
type prefetchStore struct {
	*holdStore
	mu    sync.Mutex
	hold  chan struct{}
	calls int
}

func (s *prefetchStore) Prefetch(ctx context.Context, ids, keys []string) (map[string]bool, map[string]bot.Thread, error) {
	s.mu.Lock()
	s.calls++
	hold := s.hold
	s.mu.Unlock()
	if hold != nil {
		<-hold
	}
	seen, threads := map[string]bool{}, map[string]bot.Thread{}
	for _, id := range ids {
		ok, err := s.Seen(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		seen[id] = ok
	}
	for _, k := range keys {
		if t, err := s.ThreadByKey(ctx, k); err == nil {
			threads[k] = t
		}
	}
	return seen, threads, nil
}

// TestPrefetchForgetsWhatTheBatchBeforeWrote: events prefetched while
// the batch before commits read a thread that batch changed; once that
// batch is cut off (here by a least_loaded count), the prefetched
// version is older than the store's and must not be used.
func TestPrefetchForgetsWhatTheBatchBeforeWrote(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		s := &prefetchStore{holdStore: &holdStore{Store: mem.New(), outcome: make(chan error, 8)}}
		opts := defaultOptions()
		opts.Store, opts.Clock = s, bottest.NewClock(monday9)
		opts.Teams = []bot.Team{{Name: "support", Members: []string{"alice", "bob"}, Strategy: "least_loaded"}}
		opts.Rules = []bot.Rule{{Team: "support"}}
		b, err := bot.New(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		msg := func(id, user, ts, threadTS, text string, staff bool) bot.Event {
			return bot.Event{ID: id, Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1", MessageID: ts,
				ThreadKey: threadTS, User: user, Staff: staff, Text: text, At: monday9}
		}
		s.outcome <- nil
		first, err := b.Handle(ctx, msg("E1", "UKIM", "2.0", "", "the export is broken", false))
		if err != nil {
			t.Fatal(err)
		}

		var wg sync.WaitGroup
		handle := func(ev bot.Event) {
			wg.Go(func() {
				if _, err := b.Handle(ctx, ev); err != nil {
					t.Errorf("%s: %v", ev.ID, err)
				}
			})
			synctest.Wait()
		}
		// Batch A: alice answers the thread; its commit is held.
		handle(msg("E2", "UALICE", "2.5", "2.0", "fixed, please retry", true))
		// Batch B's first round waits in its prefetch while two more
		// events queue: the next round takes both at once.
		hold := make(chan struct{})
		s.mu.Lock()
		s.hold = hold
		s.mu.Unlock()
		other := msg("E3", "UALICE", "9.0", "", "morning all", true)
		other.Channel = "C9"
		handle(other)
		handle(msg("E4", "UNEW", "3.0", "", "how do I invite a user?", false)) // counts open threads: cuts batch A off
		handle(msg("E5", "UKIM", "2.6", "2.0", "still broken for me", false))  // reads the thread batch A changed
		s.mu.Lock()
		s.hold = nil
		s.mu.Unlock()
		close(hold)
		synctest.Wait()
		s.outcome <- nil // batch A
		s.outcome <- nil // batch B
		wg.Wait()

		th, err := s.Thread(ctx, first.ThreadID)
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{}
		for _, m := range th.Messages {
			ids = append(ids, m.ID)
		}
		if !slices.Equal(ids, []string{"2.0", "2.5", "2.6"}) || th.MsgCount != 3 || th.State != bot.Waiting || th.FirstReply.IsZero() {
			t.Errorf("thread after both batches: messages %v (count %d), state %s, first reply %v; want alice's answer kept",
				ids, th.MsgCount, th.State, th.FirstReply)
		}
		if s.calls < 3 {
			t.Errorf("%d prefetches: the prefetch path did not run", s.calls)
		}
	})
}
