package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// MaxAttempts is how often an action is tried before it is dropped (with
// an error log). With the backoff below that spans more than a day.
const MaxAttempts = 40

// Flush delivers the pending actions of the outbox once and records each
// outcome: delivered (removed), to retry later (attempts and NotBefore
// updated), or dropped (a permanent failure). It returns how many were
// delivered. Run calls it whenever something is queued and every
// SendEvery; tests call it directly.
//
// Actions to one destination (a channel, or a person's DMs) go out in
// order, one at a time; when one fails, the rest of its destination waits
// for the next Flush, so a notice is never edited before it was posted.
// Different destinations are served concurrently (at most
// flushParallel at once): a rate-limited triage channel does not hold up
// the reminders to owners.
//
// Calls take turns: a Flush called while another runs (Run's sender and a
// test, say) starts when that one is over, so no action is delivered
// twice.
func (b *Bot) Flush(ctx context.Context) (int, error) {
	b.flushMu.Lock()
	defer b.flushMu.Unlock()
	var (
		sent   atomic.Int64
		mu     sync.Mutex
		first  error
		after  uint64
		groups = map[string][]Action{}
		order  []string
	)
	for {
		batch, err := b.store.Outbox(ctx, 256)
		if err != nil {
			return 0, fmt.Errorf("read outbox: %w", err)
		}
		progressed := false
		for _, a := range batch {
			if a.ID <= after {
				continue
			}
			after, progressed = a.ID, true
			dest := a.Platform + "/" + a.Channel + "/" + a.To
			if _, ok := groups[dest]; !ok {
				order = append(order, dest)
			}
			groups[dest] = append(groups[dest], a)
		}
		if !progressed || len(batch) < 256 {
			break
		}
	}
	sem := make(chan struct{}, flushParallel)
	var wg sync.WaitGroup
	for _, dest := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func(acts []Action) {
			defer wg.Done()
			defer func() { <-sem }()
			for _, a := range acts {
				if ctx.Err() != nil || a.NotBefore.After(b.clock.Now()) {
					return // later ones of this destination wait too
				}
				ok, err := b.deliver(ctx, a)
				if err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
					return
				}
				if !ok {
					return
				}
				sent.Add(1)
			}
		}(groups[dest])
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return int(sent.Load()), first
}

// flushParallel is how many destinations Flush serves at once.
const flushParallel = 8

// deliver sends one action and records the outcome.
func (b *Bot) deliver(ctx context.Context, a Action) (bool, error) {
	p := b.platform(a.Platform)
	if p == nil {
		// The platform is not running (disabled or not yet connected):
		// keep the action for later.
		return false, nil
	}
	if a.Kind == ActNotice {
		ref, err := b.noticeRef(ctx, a)
		if err != nil {
			return false, err
		}
		a.Ref = ref
	}
	rcpt, sendErr := p.Send(ctx, a)

	b.lock()
	defer b.mu.Unlock()
	x := b.begin("")
	var retry *RetryError
	switch {
	case sendErr == nil:
		x.ch.Done = append(x.ch.Done, a.ID)
		if err := b.recordReceipt(ctx, x, a, rcpt); err != nil {
			return false, err
		}
		x.note(Observation{What: "sent", Action: &a})
	case errors.Is(sendErr, ErrPermanent) || a.Attempts+1 >= MaxAttempts:
		b.log.Error("action dropped", "action", a.ID, "purpose", a.Purpose, "platform", a.Platform, "err", sendErr)
		x.ch.Done = append(x.ch.Done, a.ID)
		a.LastError = sendErr.Error()
		x.note(Observation{What: "failed", Action: &a, Detail: sendErr.Error()})
	default:
		a.Attempts++
		a.LastError = sendErr.Error()
		wait := backoff(a.Attempts)
		if errors.As(sendErr, &retry) && retry.After > 0 {
			wait = retry.After
		}
		a.NotBefore = x.now.Add(wait)
		x.ch.Requeue = append(x.ch.Requeue, a)
		b.log.Warn("action will be retried", "action", a.ID, "purpose", a.Purpose, "platform", a.Platform, "attempt", a.Attempts, "in", wait, "err", sendErr)
		x.note(Observation{What: "retry", Action: &a, Detail: sendErr.Error()})
	}
	if err := x.commit(ctx); err != nil {
		return false, fmt.Errorf("record action %d: %w", a.ID, err)
	}
	return sendErr == nil, nil
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
