// Package burst measures bursts for the adapters' benchmarks: the
// latency of each delivery (p50, p99, max) and, for comparison in the
// same run, how fast the core alone ingests the same events.
package burst

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
)

// Latencies collects one duration per delivery. Safe for concurrent use.
type Latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

// Add records one delivery's latency.
func (l *Latencies) Add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// Len is the number of latencies recorded.
func (l *Latencies) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

// Report reports p50_ms, p99_ms and max_ms of the recorded latencies.
func (l *Latencies) Report(b *testing.B) {
	l.mu.Lock()
	d := slices.Clone(l.d)
	l.mu.Unlock()
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	ms := func(x time.Duration) float64 { return float64(x) / float64(time.Millisecond) }
	b.ReportMetric(ms(Percentile(d, 0.50)), "p50_ms")
	b.ReportMetric(ms(Percentile(d, 0.99)), "p99_ms")
	b.ReportMetric(ms(d[len(d)-1]), "max_ms")
}

// Percentile returns the q-quantile (nearest rank) of sorted durations.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// CoreRate offers evs to a fresh core (a bbolt file in dir, fsync on) all
// at once, one goroutine per event as deliveries arrive, and returns the
// events handled per second: what the core alone does with the burst
// the adapters are measured with.
func CoreRate(dir string, evs []bot.Event) (float64, error) {
	db, err := storage.Open(filepath.Join(dir, "core.db"), storage.Options{})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	ctx := context.Background()
	core, err := bot.New(ctx, bot.Options{Store: db, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return 0, err
	}
	start := make(chan struct{})
	errs := make(chan error, len(evs))
	var wg sync.WaitGroup
	for _, ev := range evs {
		wg.Go(func() {
			<-start
			if _, err := core.Handle(ctx, ev); err != nil {
				errs <- err
			}
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	took := time.Since(t0)
	close(errs)
	if err := <-errs; err != nil {
		return 0, fmt.Errorf("core: %w", err)
	}
	return float64(len(evs)) / took.Seconds(), nil
}
