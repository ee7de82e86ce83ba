// Package lanes runs an adapter's inbound jobs in lanes, so that the
// events of different channels reach the core together (and share its
// group commit) while each channel keeps its order.
//
// A job has a lane key, the channel id. Jobs with the same key start one
// at a time, in the order they were submitted; jobs with different keys
// run concurrently. A barrier (a backfill after a reconnection) starts
// only after every job submitted before it finished, and every job
// submitted after it starts only after it finished.
//
// # Pipelined jobs
//
// A job submitted with Pipeline comes in two halves. Its start runs in
// lane order, like a plain job; what start returns, its finish, runs on
// a goroutine of its own while the lane goes on with the next job's
// start. The adapters start by handing an event to the core
// (bot.Submitter.Submit, which keeps the order of submission) and finish
// by waiting for its commit and acknowledging it: a burst in one channel
// is handled in order but shares the core's group commits, instead of
// paying one commit per event in turn. A finish is given a channel that
// is closed once the finish of the job before it in the lane returned,
// for what must still happen in order (a retry). A pipelined job is
// pending, and unfinished for the barriers, until its finish returned.
//
// # Concurrency
//
// A lane is one goroutine, and only while it has jobs to start: it exits
// when its queue is empty. A barrier is one goroutine, a finish one too.
// At most limit jobs (the bound given to New) are pending, submitted and
// not finished, so a Runner never has more than about limit goroutines
// however many channels there are. Submit and Pipeline block when the
// bound is reached, which is how a slow core slows the platform's reader.
//
// # Caveats
//
//   - A job whose ctx is done when its turn comes is dropped: it is not
//     started, and counts as finished (the barriers after it do not wait
//     for it). The adapters pass Run's ctx, so jobs are dropped only while
//     Run stops; what they carried is not acknowledged (Slack redelivers)
//     or is read again by the next backfill. A finish is always called
//     once its start returned it, whatever ctx says.
//   - A job that blocks forever blocks its lane and every barrier after it.
package lanes

import (
	"context"
	"errors"
	"sync"
)

// DefaultLimit is the bound of pending jobs of a Runner made with limit 0.
const DefaultLimit = 1024

// ErrClosed is returned by Submit, Pipeline and Barrier after Close.
var ErrClosed = errors.New("lanes: runner closed")

// Finish is the second half of a pipelined job. prev is closed once the
// finish of the job before it in the same lane returned (at once for the
// first job of a lane).
type Finish func(prev <-chan struct{})

// Runner runs jobs in lanes. Make it with New; its methods may be called
// concurrently.
type Runner struct {
	slots chan struct{} // one token per pending job: the bound

	mu     sync.Mutex
	lanes  map[string]*lane // keys with queued, starting or finishing jobs
	gen    *generation      // the generation new keyed jobs join
	closed bool
	wg     sync.WaitGroup // lane, finish and barrier goroutines
}

// lane is the queue of one key, drained by one goroutine at a time.
type lane struct {
	jobs     []job
	draining bool          // a goroutine starts the queued jobs
	open     int           // jobs taken from the queue and not finished
	last     chan struct{} // closed once the last taken job finished
}

type job struct {
	ctx   context.Context
	start func(context.Context) Finish
	gen   *generation
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

// Submit queues run in the lane of key; run is called with ctx, and the
// lane's next job starts when it returned. It blocks while limit jobs are
// pending, and returns ctx's error if ctx ends first, or ErrClosed after
// Close; run is then never called.
func (r *Runner) Submit(ctx context.Context, key string, run func(context.Context)) error {
	return r.Pipeline(ctx, key, func(ctx context.Context) Finish {
		run(ctx)
		return nil
	})
}

// Pipeline queues a job in two halves in the lane of key: start is called
// with ctx in lane order, and the lane's next job starts as soon as it
// returned; the Finish it returns (if not nil) is then called on a
// goroutine of its own. It blocks and fails like Submit.
func (r *Runner) Pipeline(ctx context.Context, key string, start func(context.Context) Finish) error {
	if err := r.admit(ctx); err != nil {
		return err
	}
	defer r.mu.Unlock()
	j := job{ctx: ctx, start: start, gen: r.gen}
	j.gen.jobs.Add(1)
	l := r.lanes[key]
	if l == nil {
		l = &lane{last: closed}
		r.lanes[key] = l
	}
	l.jobs = append(l.jobs, j)
	if !l.draining {
		l.draining = true
		r.wg.Go(func() { r.drain(key, l) })
	}
	return nil
}

// closed is a channel that is closed: the prev of a lane's first job.
var closed = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

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

// drain starts l's jobs in order and exits once l's queue is empty.
func (r *Runner) drain(key string, l *lane) {
	for {
		r.mu.Lock()
		if len(l.jobs) == 0 {
			l.draining = false
			r.forgetLocked(key, l)
			r.mu.Unlock()
			return
		}
		j := l.jobs[0]
		l.jobs[0] = job{}
		l.jobs = l.jobs[1:]
		prev, done := l.last, make(chan struct{})
		l.last = done
		l.open++
		r.mu.Unlock()
		r.run(key, l, j, prev, done)
	}
}

// run starts one keyed job once the barrier before it finished, unless
// its ctx ended first, and has its finish called.
func (r *Runner) run(key string, l *lane, j job, prev <-chan struct{}, done chan struct{}) {
	select {
	case <-j.gen.ready:
	case <-j.ctx.Done():
	}
	var finish Finish
	if j.ctx.Err() == nil {
		finish = j.start(j.ctx)
	}
	if finish == nil {
		r.finished(key, l, j, done)
		return
	}
	r.wg.Go(func() {
		finish(prev)
		r.finished(key, l, j, done)
	})
}

// finished releases a job's slot and counts it as finished.
func (r *Runner) finished(key string, l *lane, j job, done chan struct{}) {
	close(done)
	<-r.slots
	j.gen.jobs.Done()
	r.mu.Lock()
	l.open--
	r.forgetLocked(key, l)
	r.mu.Unlock()
}

// forgetLocked drops an idle lane from the map. r.mu must be held.
func (r *Runner) forgetLocked(key string, l *lane) {
	if !l.draining && l.open == 0 && len(l.jobs) == 0 && r.lanes[key] == l {
		delete(r.lanes, key)
	}
}
