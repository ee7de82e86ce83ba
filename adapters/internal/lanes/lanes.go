// Package lanes runs an adapter's inbound jobs in lanes, so that the
// events of different channels reach the core together (and share its
// group commit) while each channel keeps its order.
//
// A job has a lane key, the channel id. Jobs with the same key run one at
// a time, in the order they were submitted; jobs with different keys run
// concurrently. A barrier (a backfill after a reconnection) starts only
// after every job submitted before it finished, and every job submitted
// after it starts only after it finished.
//
// # Concurrency
//
// A lane is one goroutine, and only while it has jobs: it exits when its
// queue is empty. A barrier is one goroutine too. At most limit jobs (the
// bound given to New) are pending, submitted and not finished, so a Runner
// never has more than limit goroutines however many channels there are.
// Submit blocks when the bound is reached, which is how a slow core slows
// the platform's reader.
//
// # Caveats
//
//   - A job whose ctx is done when its turn comes is dropped: it is not
//     called, and counts as finished (the barriers after it do not wait
//     for it). The adapters pass Run's ctx, so jobs are dropped only while
//     Run stops; what they carried is not acknowledged (Slack redelivers)
//     or is read again by the next backfill.
//   - A job that blocks forever blocks its lane and every barrier after it.
package lanes

import (
	"context"
	"errors"
	"sync"
)

// DefaultLimit is the bound of pending jobs of a Runner made with limit 0.
const DefaultLimit = 1024

// ErrClosed is returned by Submit and Barrier after Close.
var ErrClosed = errors.New("lanes: runner closed")

// Runner runs jobs in lanes. Make it with New; its methods may be called
// concurrently.
type Runner struct {
	slots chan struct{} // one token per pending job: the bound

	mu     sync.Mutex
	lanes  map[string]*lane // keys with queued or running jobs
	gen    *generation      // the generation new keyed jobs join
	closed bool
	wg     sync.WaitGroup // lane and barrier goroutines
}

// lane is the queue of one key, drained by one goroutine.
type lane struct {
	jobs []job
}

type job struct {
	ctx context.Context
	run func(context.Context)
	gen *generation
}

// generation is the keyed jobs submitted between two barriers.
type generation struct {
	ready chan struct{}  // closed when the barrier before it finished
	jobs  sync.WaitGroup // its keyed jobs not finished yet
}

// New returns a Runner that lets at most limit jobs be pending; limit 0
// means DefaultLimit.
func New(limit int) *Runner {
	if limit <= 0 {
		limit = DefaultLimit
	}
	first := &generation{ready: make(chan struct{})}
	close(first.ready)
	return &Runner{slots: make(chan struct{}, limit), lanes: map[string]*lane{}, gen: first}
}

// Submit queues run in the lane of key; run is called with ctx. It blocks
// while limit jobs are pending, and returns ctx's error if ctx ends first,
// or ErrClosed after Close; run is then never called.
func (r *Runner) Submit(ctx context.Context, key string, run func(context.Context)) error {
	if err := r.admit(ctx); err != nil {
		return err
	}
	defer r.mu.Unlock()
	j := job{ctx: ctx, run: run, gen: r.gen}
	j.gen.jobs.Add(1)
	if l := r.lanes[key]; l != nil {
		l.jobs = append(l.jobs, j)
		return nil
	}
	l := &lane{jobs: []job{j}}
	r.lanes[key] = l
	r.wg.Go(func() { r.drain(key, l) })
	return nil
}

// Barrier queues run to be called with ctx once every job submitted before
// it finished; the jobs submitted after it wait until it returned. It
// blocks and fails like Submit.
func (r *Runner) Barrier(ctx context.Context, run func(context.Context)) error {
	if err := r.admit(ctx); err != nil {
		return err
	}
	defer r.mu.Unlock()
	prev, next := r.gen, &generation{ready: make(chan struct{})}
	r.gen = next
	r.wg.Go(func() {
		// Not cut short by ctx: the next generation must not start
		// before the jobs of this one finished.
		<-prev.ready
		prev.jobs.Wait()
		if ctx.Err() == nil {
			run(ctx)
		}
		<-r.slots
		close(next.ready)
	})
	return nil
}

// Close refuses new jobs and waits until every submitted job finished or
// was dropped. No goroutine of r runs after it returned.
func (r *Runner) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.wg.Wait()
}

// admit takes a slot for one pending job and returns with r.mu held; it
// returns ctx's error or ErrClosed holding neither.
func (r *Runner) admit(ctx context.Context) error {
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		<-r.slots
		return ErrClosed
	}
	return nil
}

// drain runs l's jobs in order and exits once l is empty.
func (r *Runner) drain(key string, l *lane) {
	for {
		r.mu.Lock()
		if len(l.jobs) == 0 {
			delete(r.lanes, key)
			r.mu.Unlock()
			return
		}
		j := l.jobs[0]
		l.jobs[0] = job{}
		l.jobs = l.jobs[1:]
		r.mu.Unlock()
		r.run(j)
	}
}

// run calls one keyed job once the barrier before it finished, unless its
// ctx ended first.
func (r *Runner) run(j job) {
	defer func() {
		<-r.slots
		j.gen.jobs.Done()
	}()
	select {
	case <-j.gen.ready:
	case <-j.ctx.Done():
		return
	}
	if j.ctx.Err() == nil {
		j.run(j.ctx)
	}
}
