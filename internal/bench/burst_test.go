package bench

import (
	"flag"
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

var burstSingle = flag.Bool("burst.single", false, "also run the bursts with notices.coalesce off (about 100 s each)")

// BenchmarkBurstSlack and BenchmarkBurstDiscord: 100 customers open a
// thread in 5 s through the real adapter and the platform's fake with
// its per-channel post limit, openear wired as `openear run` wires it.
// Targets (issues #13 and #18): every thread in a triage notice within
// 10 s of its message (p99), and an escalation due during the burst
// posted within 2 s of its due time.
//
//	go test -run XXX -bench Burst -benchtime 3x ./internal/bench
//	go test -run XXX -bench Burst ./internal/bench -burst.single   # and without coalescing
func BenchmarkBurstSlack(b *testing.B)   { benchBurst(b, bot.Slack) }
func BenchmarkBurstDiscord(b *testing.B) { benchBurst(b, bot.Discord) }

func benchBurst(b *testing.B, platform string) {
	modes := []struct {
		name string
		off  bool
	}{{"coalesce", false}, {"single", true}}
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			if m.off && !*burstSingle {
				b.Skip("notices.coalesce off takes ~100 s: -burst.single runs it")
			}
			var worst BurstResult
			for range b.N {
				r, err := Burst(b.Context(), BurstOptions{Platform: platform, Dir: b.TempDir(), NoCoalesce: m.off})
				if err != nil {
					b.Fatal(err)
				}
				b.Log(r)
				worst.NoticeP50 = max(worst.NoticeP50, r.NoticeP50)
				worst.NoticeP99 = max(worst.NoticeP99, r.NoticeP99)
				worst.NoticeMax = max(worst.NoticeMax, r.NoticeMax)
				worst.Escalation = max(worst.Escalation, r.Escalation)
				worst.TriagePosts = max(worst.TriagePosts, r.TriagePosts)
				worst.RateLimited = max(worst.RateLimited, r.RateLimited)
			}
			// The worst of the b.N runs.
			b.ReportMetric(worst.NoticeP50.Seconds(), "notice_p50_s")
			b.ReportMetric(worst.NoticeP99.Seconds(), "notice_p99_s")
			b.ReportMetric(worst.NoticeMax.Seconds(), "notice_max_s")
			b.ReportMetric(worst.Escalation.Seconds(), "escalation_s")
			b.ReportMetric(float64(worst.TriagePosts), "triage_posts")
			b.ReportMetric(float64(worst.RateLimited), "refused_429")
		})
	}
}

// TestBurst runs a small burst on each platform: every thread is noticed,
// the probe escalates, and no post is refused. It checks what happened,
// never how fast: the benchmarks measure that.
func TestBurst(t *testing.T) {
	for _, p := range []string{bot.Slack, bot.Discord} {
		t.Run(p, func(t *testing.T) {
			r, err := Burst(t.Context(), BurstOptions{Platform: p, Threads: 12, Over: 300 * time.Millisecond, Dir: t.TempDir(), Timeout: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			t.Log(r)
			if r.Threads != 12 || r.RateLimited != 0 || r.TriagePosts >= 12 {
				t.Fatalf("burst of 12: %+v", r)
			}
		})
	}
}
