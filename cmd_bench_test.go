package main

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/openear/openear/storage/postgres/pgtest"
)

// TestBenchTiny runs openear bench with a small store and checks that it
// prints every key with a plausible value. It asserts no times: these
// machines are shared.
func TestBenchTiny(t *testing.T) {
	got := benchTiny(t, "-dir", t.TempDir())
	if got["store"] != "bbolt" {
		t.Errorf("store = %v, want bbolt", got["store"])
	}
	if _, ok := got["takeover_ms"]; ok {
		t.Error("bbolt has a takeover_ms")
	}
}

// TestBenchTinyPostgres runs openear bench -store on PostgreSQL with a
// small store and a short lease: every key, the takeover measured, and
// the bench's schema dropped after.
func TestBenchTinyPostgres(t *testing.T) {
	base := pgtest.Base(t)
	got := benchTiny(t, "-store", base, "-lease", "1s")
	if got["store"] != "postgres" {
		t.Errorf("store = %v, want postgres", got["store"])
	}
	if v, _ := got["takeover_ms"].(float64); v <= 0 {
		t.Errorf("takeover_ms = %v, want > 0", got["takeover_ms"])
	}
	conn, err := pgx.Connect(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'openear_bench_%'`).Scan(&n)
	if n != 0 {
		t.Errorf("%d bench schemas left behind", n)
	}
}

// benchTiny runs openear bench with a small store and checks that it
// prints every key with a plausible value. It asserts no times: these
// machines are shared.
func benchTiny(t *testing.T, args ...string) map[string]any {
	t.Helper()
	args = append([]string{"bench", "-json", "-q", "-threads", "5000", "-events", "300", "-senders", "50",
		"-load", "100ms", "-measure", "50ms"}, args...)
	code, out, errs := run(t, "", args...)
	if code != 0 {
		t.Fatalf("bench: exit %d, stderr %q", code, errs)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("bench -json printed %q: %v", out, err)
	}
	keys := []string{"raw_puts_per_s", "ingest_events_per_s", "ingest_ratio", "ingest_p99_ms", "due_scan_idle_ms",
		"due_scan_1000_ms", "mine_p99_ms", "cold_start_ms", "rss_mb", "db_bytes_per_thread", "tagger_msgs_per_s",
		"model_load_ms", "threads"}
	num := func(k string) float64 { v, _ := got[k].(float64); return v }
	for _, k := range keys {
		v, ok := got[k].(float64)
		if !ok || v < 0 || math.IsNaN(v) {
			t.Errorf("%s = %v (present %v)", k, got[k], ok)
		}
	}
	want := len(keys) + 1 // and store
	if _, ok := got["takeover_ms"]; ok {
		want++
	}
	if len(got) != want {
		t.Errorf("bench printed %d keys, want %d: %v", len(got), want, got)
	}
	if num("threads") != 5000 {
		t.Errorf("threads = %v, want 5000", got["threads"])
	}
	for _, k := range []string{"raw_puts_per_s", "ingest_events_per_s", "tagger_msgs_per_s", "db_bytes_per_thread", "rss_mb", "due_scan_1000_ms"} {
		if num(k) <= 0 {
			t.Errorf("%s = %v, want > 0", k, got[k])
		}
	}
	if r := num("ingest_events_per_s") / num("raw_puts_per_s"); math.Abs(r-num("ingest_ratio")) > 1e-9*r+1e-12 {
		t.Errorf("ingest_ratio %v is not ingest/raw = %v", got["ingest_ratio"], r)
	}
	return got
}

func TestBenchRefusesTinyStore(t *testing.T) {
	if code, _, _ := run(t, "", "bench", "-threads", "10"); code == 0 {
		t.Error("bench -threads 10 succeeded; it needs 1,000 due threads")
	}
}
