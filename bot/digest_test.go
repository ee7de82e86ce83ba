package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/storage/mem"
)

// TestDailyDigestAcrossRestarts: the daily digest is posted once a day
// whoever runs: a bot started (or a standby taking over) just after the
// digest's time posts it when no one did, and not again when one did;
// one missed by more than half a day is skipped.
func TestDailyDigestAcrossRestarts(t *testing.T) {
	store := mem.New()
	defer store.Close()
	clock := bottest.NewClock(monday9.Add(-2 * time.Hour)) // 07:00
	slack := bottest.NewPlatform(bot.Slack)
	start := func() *bot.Bot {
		t.Helper()
		o := defaultOptions()
		o.Store, o.Clock = store, clock
		o.Digest = bot.DigestOptions{Enabled: true, At: 8 * time.Hour, Loc: seoul, Channels: map[string]string{bot.Slack: "CDIGEST"}}
		b, err := bot.New(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		b.AddPlatform(slack)
		return b
	}
	digests := func() int {
		n := 0
		for _, a := range slack.Sent() {
			if a.Purpose == bot.ForDigest {
				n++
			}
		}
		return n
	}
	tick := func(b *bot.Bot, at time.Time, want int) {
		t.Helper()
		clock.Set(at)
		if _, err := b.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		bottest.Flush(t, b)
		if n := digests(); n != want {
			t.Fatalf("at %s: %d digests, want %d", at.Format("Mon 15:04:05"), n, want)
		}
	}
	monday8 := monday9.Add(-time.Hour)
	a := start() // Monday 07:00: the first digest is Monday 08:00
	tick(a, monday8.Add(-time.Minute), 0)
	tick(a, monday8.Add(30*time.Second), 1)

	// A restart a minute later: Monday's digest was posted, not again.
	clock.Set(monday8.Add(time.Minute))
	b := start()
	tick(b, monday8.Add(2*time.Minute), 1)

	// Tuesday: the bot dies at 07:59; another starts at 08:00:05 (a
	// restart, or a standby taking over): Tuesday's digest was due and
	// no one posted it.
	tuesday8 := monday8.Add(24 * time.Hour)
	tick(b, tuesday8.Add(-time.Minute), 1)
	clock.Set(tuesday8.Add(5 * time.Second))
	c := start()
	tick(c, tuesday8.Add(6*time.Second), 2)
	if sent := slack.Sent(); !strings.Contains(sent[len(sent)-1].Text, "openear digest") {
		t.Fatalf("the last post is not the digest: %q", sent[len(sent)-1].Text)
	}

	// Down from Tuesday 09:00 to Wednesday 23:00: Wednesday's digest was
	// missed by 15 h; it is skipped, Thursday's comes at its time.
	clock.Set(tuesday8.Add(39 * time.Hour))
	d := start()
	tick(d, tuesday8.Add(39*time.Hour+time.Minute), 2)
	tick(d, tuesday8.Add(48*time.Hour+time.Second), 3)
}
