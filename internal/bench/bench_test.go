package bench

import (
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/storage"
)

// BenchmarkIngest handles Slack-shaped events from 256 concurrent callers
// on a bbolt file with fsync on (group commit): the path of
// ingest_events_per_s.
func BenchmarkIngest(b *testing.B) {
	ctx := b.Context()
	db, err := storage.Open(filepath.Join(b.TempDir(), "openear.db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	bt, err := newBenchBot(ctx, db, &offsetClock{})
	if err != nil {
		b.Fatal(err)
	}
	gen := newEventGen(0)
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = gen.next()
	}
	var next atomic.Int64
	b.SetParallelism(128) // 128 × GOMAXPROCS callers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := handleRaw(ctx, bt, bodies[next.Add(1)-1]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkTagger tags mixed English and Korean messages on one core.
func BenchmarkTagger(b *testing.B) {
	tg, err := tag.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		tg.Tag(benchTexts[i%len(benchTexts)])
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "msgs/s")
}
