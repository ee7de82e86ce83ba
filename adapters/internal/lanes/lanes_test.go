package lanes_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/openear/openear/adapters/internal/lanes"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// log records what jobs did, in the order they did it.
type log struct {
	mu    sync.Mutex
	lines []string
}

func (l *log) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
}

func (l *log) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// wait waits for ch, failing the test if that takes absurdly long (a
// deadlock), so a broken runner fails instead of hanging the binary.
func wait(t *testing.T, what string, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("deadlock: %s never happened", what)
	}
}

func submit(t *testing.T, r *lanes.Runner, key string, run func(context.Context)) {
	t.Helper()
	if err := r.Submit(context.Background(), key, run); err != nil {
		t.Fatal(err)
	}
}

func barrier(t *testing.T, r *lanes.Runner, run func(context.Context)) {
	t.Helper()
	if err := r.Barrier(context.Background(), run); err != nil {
		t.Fatal(err)
	}
}

func TestOrderPerKeyUnderManyKeys(t *testing.T) {
	const keys, perKey = 50, 200
	r := lanes.New(64) // fewer slots than jobs: Submit blocks along the way
	var mu sync.Mutex
	got := map[string][]int{}
	var submitters sync.WaitGroup
	for k := range keys {
		key := fmt.Sprintf("C%02d", k)
		submitters.Go(func() {
			for i := range perKey {
				submit(t, r, key, func(context.Context) {
					mu.Lock()
					got[key] = append(got[key], i)
					mu.Unlock()
				})
			}
		})
	}
	submitters.Wait()
	r.Close()
	for k := range keys {
		key := fmt.Sprintf("C%02d", k)
		seq := got[key]
		if len(seq) != perKey {
			t.Fatalf("%s ran %d jobs, want %d", key, len(seq), perKey)
		}
		for i, n := range seq {
			if n != i {
				t.Fatalf("%s ran job %d in place %d", key, n, i)
			}
		}
	}
}

// A job of lane A waits until a job of lane B, submitted after it, has
// run: only a runner that runs lanes concurrently gets through.
func TestKeysRunConcurrently(t *testing.T) {
	r := lanes.New(0)
	defer r.Close()
	bRan, aDone := make(chan struct{}), make(chan struct{})
	var l log
	submit(t, r, "A", func(context.Context) {
		wait(t, "B1", bRan)
		l.add("A1 end")
	})
	submit(t, r, "A", func(context.Context) { l.add("A2"); close(aDone) })
	submit(t, r, "B", func(context.Context) { l.add("B1"); close(bRan) })
	wait(t, "A2", aDone)
	want := []string{"B1", "A1 end", "A2"}
	if got := l.all(); !slices.Equal(got, want) {
		t.Fatalf("log %q, want %q", got, want)
	}
}

// Jobs before a barrier (held up until every job is submitted) all finish
// before it starts; the jobs after it, in old lanes and new ones, start
// only after it returned.
func TestBarrierOrdersBothWays(t *testing.T) {
	r := lanes.New(0)
	gate, barrierGate := make(chan struct{}), make(chan struct{})
	var l log
	for _, k := range []string{"A", "B", "C"} {
		submit(t, r, k, func(context.Context) { <-gate; l.add("before " + k) })
	}
	barrier(t, r, func(context.Context) { l.add("barrier start"); <-barrierGate; l.add("barrier end") })
	for _, k := range []string{"A", "D"} {
		submit(t, r, k, func(context.Context) { l.add("after " + k) })
	}
	barrier(t, r, func(context.Context) { l.add("second barrier") })
	submit(t, r, "E", func(context.Context) { l.add("after second") })
	close(gate)
	close(barrierGate)
	r.Close()

	got := l.all()
	if len(got) != 9 {
		t.Fatalf("log %q", got)
	}
	slices.Sort(got[:3])
	slices.Sort(got[5:7])
	want := []string{"before A", "before B", "before C", "barrier start", "barrier end",
		"after A", "after D", "second barrier", "after second"}
	if !slices.Equal(got, want) {
		t.Fatalf("log %q, want %q", got, want)
	}
}

// A barrier waits for jobs that are still waiting for an earlier barrier.
func TestBarriersInARow(t *testing.T) {
	r := lanes.New(0)
	var l log
	gate := make(chan struct{})
	barrier(t, r, func(context.Context) { <-gate; l.add("b1") })
	barrier(t, r, func(context.Context) { l.add("b2") })
	submit(t, r, "A", func(context.Context) { l.add("A") })
	barrier(t, r, func(context.Context) { l.add("b3") })
	close(gate)
	r.Close()
	if got, want := l.all(), []string{"b1", "b2", "A", "b3"}; !slices.Equal(got, want) {
		t.Fatalf("log %q, want %q", got, want)
	}
}

func TestSubmitBlocksAtTheLimit(t *testing.T) {
	r := lanes.New(2)
	defer r.Close()
	gate := make(chan struct{})
	submit(t, r, "A", func(context.Context) { <-gate })
	barrier(t, r, func(context.Context) {})

	// Two jobs pending: no slot, so only the ended ctx can answer.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.Submit(ctx, "B", func(context.Context) { t.Error("ran a refused job") }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Submit at the limit = %v, want context.Canceled", err)
	}
	if err := r.Barrier(ctx, func(context.Context) { t.Error("ran a refused barrier") }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Barrier at the limit = %v, want context.Canceled", err)
	}

	// A Submit waiting for a slot gets one when a job finishes.
	ran := make(chan struct{})
	submitted := make(chan error, 1)
	go func() { submitted <- r.Submit(context.Background(), "B", func(context.Context) { close(ran) }) }()
	close(gate)
	if err := <-submitted; err != nil {
		t.Fatal(err)
	}
	wait(t, "the job let in", ran)
}

func TestEndedCtxIsNotStarted(t *testing.T) {
	r := lanes.New(0)
	gate := make(chan struct{})
	var l log
	submit(t, r, "A", func(context.Context) { <-gate; l.add("A1") })
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.Submit(ctx, "A", func(context.Context) { l.add("A2") }); err != nil {
		t.Fatal(err)
	}
	if err := r.Barrier(ctx, func(context.Context) { l.add("barrier") }); err != nil {
		t.Fatal(err)
	}
	submit(t, r, "A", func(context.Context) { l.add("A3") })
	submit(t, r, "B", func(context.Context) { l.add("B") })
	cancel()
	close(gate)
	r.Close()
	// A2 and the barrier are dropped; the barrier still keeps A3 and B
	// after A1.
	got := l.all()
	if len(got) != 3 || got[0] != "A1" {
		t.Fatalf("log %q, want A1 then A3 and B", got)
	}
	slices.Sort(got[1:])
	if !slices.Equal(got, []string{"A1", "A3", "B"}) {
		t.Fatalf("log %q, want A1 then A3 and B", got)
	}
}

// A job waiting behind a barrier is dropped when its ctx ends, without
// waiting for the barrier.
func TestEndedCtxWhileWaitingForABarrier(t *testing.T) {
	r := lanes.New(0)
	gate := make(chan struct{})
	barrier(t, r, func(context.Context) { <-gate })
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.Submit(ctx, "A", func(context.Context) { t.Error("ran a job whose ctx ended") }); err != nil {
		t.Fatal(err)
	}
	ran := make(chan struct{})
	submit(t, r, "A", func(context.Context) { close(ran) })
	cancel()
	close(gate)
	wait(t, "the job after the dropped one", ran)
	r.Close()
}

func TestCloseWaitsAndRefuses(t *testing.T) {
	r := lanes.New(0)
	gate := make(chan struct{})
	var l log
	submit(t, r, "A", func(context.Context) { <-gate; l.add("A") })
	barrier(t, r, func(context.Context) { l.add("barrier") })
	submit(t, r, "B", func(context.Context) { l.add("B") })
	closed := make(chan struct{})
	go func() { r.Close(); close(closed) }()
	close(gate)
	wait(t, "Close", closed)
	if got, want := l.all(), []string{"A", "barrier", "B"}; !slices.Equal(got, want) {
		t.Fatalf("log %q, want %q", got, want)
	}
	if err := r.Submit(context.Background(), "A", func(context.Context) {}); !errors.Is(err, lanes.ErrClosed) {
		t.Fatalf("Submit after Close = %v", err)
	}
	if err := r.Barrier(context.Background(), func(context.Context) {}); !errors.Is(err, lanes.ErrClosed) {
		t.Fatalf("Barrier after Close = %v", err)
	}
}

func pipeline(t *testing.T, r *lanes.Runner, key string, start func(context.Context) lanes.Finish) {
	t.Helper()
	if err := r.Pipeline(context.Background(), key, start); err != nil {
		t.Fatal(err)
	}
}

// A lane starts its next job while the one before finishes; each finish
// can wait for the one before it (prev), so what must stay in order does.
func TestPipelineStartsInOrderWhileFinishesWait(t *testing.T) {
	const n = 50
	r := lanes.New(0)
	defer r.Close()
	var l log
	gate := make(chan struct{})
	started := make(chan struct{}, n)
	for i := range n {
		pipeline(t, r, "A", func(context.Context) lanes.Finish {
			l.add(fmt.Sprintf("start %d", i))
			started <- struct{}{}
			return func(prev <-chan struct{}) {
				<-gate
				<-prev
				l.add(fmt.Sprintf("finish %d", i))
			}
		})
	}
	for range n {
		wait(t, "every start while no finish returned", started)
	}
	close(gate)
	r.Close()
	var want []string
	for i := range n {
		want = append(want, fmt.Sprintf("start %d", i))
	}
	for i := range n {
		want = append(want, fmt.Sprintf("finish %d", i))
	}
	if got := l.all(); !slices.Equal(got, want) {
		t.Fatalf("log %q\nwant %q", got, want)
	}
}

// A barrier waits for the finishes of the jobs before it, and the jobs
// after it wait for the barrier.
func TestBarrierWaitsForFinishes(t *testing.T) {
	r := lanes.New(0)
	defer r.Close()
	var l log
	gate := make(chan struct{})
	pipeline(t, r, "A", func(context.Context) lanes.Finish {
		l.add("start A1")
		return func(<-chan struct{}) { <-gate; l.add("finish A1") }
	})
	barrier(t, r, func(context.Context) { l.add("barrier") })
	done := make(chan struct{})
	pipeline(t, r, "B", func(context.Context) lanes.Finish {
		l.add("start B1")
		return func(<-chan struct{}) { l.add("finish B1"); close(done) }
	})
	close(gate)
	wait(t, "B1", done)
	if got, want := l.all(), []string{"start A1", "finish A1", "barrier", "start B1", "finish B1"}; !slices.Equal(got, want) {
		t.Fatalf("log %q, want %q", got, want)
	}
}

// A job holds its slot until its finish returned, so the bound counts
// the waits for commits too; a finish is called even when ctx ended
// after its start.
func TestPipelineHoldsSlotsUntilFinished(t *testing.T) {
	r := lanes.New(2)
	defer r.Close()
	gate := make(chan struct{})
	var finished sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	for _, key := range []string{"A", "A"} {
		finished.Add(1)
		if err := r.Pipeline(ctx, key, func(context.Context) lanes.Finish {
			return func(<-chan struct{}) { <-gate; finished.Done() }
		}); err != nil {
			t.Fatal(err)
		}
	}
	full, stop := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stop()
	if err := r.Submit(full, "B", func(context.Context) { t.Error("ran past the bound") }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Submit while two finishes are pending = %v, want the deadline", err)
	}
	cancel()
	close(gate)
	finished.Wait() // both finishes ran, though ctx ended meanwhile
	ran := make(chan struct{})
	submit(t, r, "B", func(context.Context) { close(ran) })
	wait(t, "a job once the slots are free", ran)
}
