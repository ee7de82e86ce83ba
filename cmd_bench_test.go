package main

import (
	"encoding/json"
	"math"
	"testing"
)

// TestBenchTiny runs openear bench with a small store and checks that it
// prints every key with a plausible value. It asserts no times: these
// machines are shared.
func TestBenchTiny(t *testing.T) {
	code, out, errs := run(t, "", "bench", "-json", "-q", "-threads", "5000", "-events", "300", "-senders", "50",
		"-load", "100ms", "-measure", "50ms", "-dir", t.TempDir())
	if code != 0 {
		t.Fatalf("bench: exit %d, stderr %q", code, errs)
	}
	var got map[string]float64
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("bench -json printed %q: %v", out, err)
	}
	keys := []string{"raw_puts_per_s", "ingest_events_per_s", "ingest_ratio", "ingest_p99_ms", "due_scan_idle_ms",
		"due_scan_1000_ms", "mine_p99_ms", "cold_start_ms", "rss_mb", "db_bytes_per_thread", "tagger_msgs_per_s",
		"model_load_ms", "threads"}
	for _, k := range keys {
		v, ok := got[k]
		if !ok || v < 0 || math.IsNaN(v) {
			t.Errorf("%s = %v (present %v)", k, v, ok)
		}
	}
	if len(got) != len(keys) {
		t.Errorf("bench printed %d keys, want %d: %v", len(got), len(keys), got)
	}
	if got["threads"] != 5000 {
		t.Errorf("threads = %v, want 5000", got["threads"])
	}
	for _, k := range []string{"raw_puts_per_s", "ingest_events_per_s", "tagger_msgs_per_s", "db_bytes_per_thread", "rss_mb", "due_scan_1000_ms"} {
		if got[k] <= 0 {
			t.Errorf("%s = %v, want > 0", k, got[k])
		}
	}
	if r := got["ingest_events_per_s"] / got["raw_puts_per_s"]; math.Abs(r-got["ingest_ratio"]) > 1e-9*r+1e-12 {
		t.Errorf("ingest_ratio %v is not ingest/raw = %v", got["ingest_ratio"], r)
	}
}

func TestBenchRefusesTinyStore(t *testing.T) {
	if code, _, _ := run(t, "", "bench", "-threads", "10"); code == 0 {
		t.Error("bench -threads 10 succeeded; it needs 1,000 due threads")
	}
}
