package bot_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

// TestNoiseIsCounted: noise leaves no thread but a trace: counted per
// channel (direct messages together) in Stats, once per message however
// often it arrives, within the period only, observed with its place, and
// pruned after NoiseKeep.
func TestNoiseIsCounted(t *testing.T) {
	var seen []string
	r := newRig(t, func(o *bot.Options) {
		o.Observe = func(ob bot.Observation) {
			if ob.What == "noise" {
				seen = append(seen, ob.Platform+"/"+ob.Channel)
			}
		}
	})
	start := r.clock.Now()
	r.customer("UA", "thanks!")
	_, ok := r.customer("UB", "ok 👍")
	dup := ok
	dup.ID = "backfill-of-the-same-message"
	dup.Backfill = true
	r.handle(dup) // the same message again, by backfill: counted and observed once
	dm := r.msg("UC", "감사합니다", false, "")
	dm.DM, dm.Channel = true, "D0CUST"
	r.handle(dm)
	other := r.msg("UD", "thx", false, "")
	other.Channel = "C2"
	r.handle(other)
	// A real message, then "thanks" after the answer: recorded on the
	// thread, and counted as noise too.
	id, _ := r.customer("UE", "How do I export invoices?")
	r.handle(r.msg("U0ALICE", "Settings → Export.", true, r.thread(id).Root))
	r.handle(r.msg("UE", "thanks", false, r.thread(id).Root))

	st, err := r.bot.Stats(r.ctx, start.Add(-time.Minute), r.clock.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"slack/C1": 3, "slack/dm": 1, "slack/C2": 1}
	if !maps.Equal(st.Noise, want) {
		t.Errorf("noise by channel = %v, want %v", st.Noise, want)
	}
	if !strings.Contains(st.Text(), "Noise (small talk, no clock started): slack/C1 3 · slack/C2 1 · slack/dm 1") {
		t.Errorf("stats text lacks the noise line:\n%s", st.Text())
	}
	if len(seen) != 5 || seen[0] != "slack/C1" || seen[1] != "slack/C1" || seen[2] != "slack/dm" || seen[3] != "slack/C2" {
		t.Errorf("observed noise at %v", seen)
	}

	// Outside the period: not counted.
	st, _ = r.bot.Stats(r.ctx, r.clock.Now().Add(time.Minute), r.clock.Now().Add(time.Hour))
	if len(st.Noise) != 0 {
		t.Errorf("noise of another period: %v", st.Noise)
	}

	// Past NoiseKeep, Prune (which Run calls hourly) deletes them, and
	// only them.
	left := func() int {
		n := 0
		r.store.Entries(r.ctx, "noise/", func(string, []byte) bool { n++; return true })
		return n
	}
	r.clock.Advance(bot.NoiseKeep - time.Hour)
	if err := r.bot.Prune(r.ctx); err != nil || left() != 5 {
		t.Fatalf("before NoiseKeep: %d records left (%v), want 5", left(), err)
	}
	r.clock.Advance(48 * time.Hour)
	r.customer("UF", "ok")
	if err := r.bot.Prune(r.ctx); err != nil || left() != 1 {
		t.Errorf("after NoiseKeep: %d records left (%v), want only today's", left(), err)
	}
}
