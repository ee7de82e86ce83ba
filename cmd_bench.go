package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"time"

	"github.com/openear/openear/internal/bench"
)

// cmdBench measures the real code paths on a fresh store (internal/bench).
func cmdBench(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "[-json] [-threads N] [-store postgres://…]", stderr)
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	o := bench.Options{Progress: stderr}
	fs.IntVar(&o.Threads, "threads", 1_000_000, "threads stored before measuring")
	fs.IntVar(&o.Events, "events", 100_000, "events for the throughput run")
	fs.IntVar(&o.Senders, "senders", 1000, "concurrent deliveries during the throughput run")
	fs.DurationVar(&o.Load, "load", 3*time.Second, "how long -rate events/s are offered for the latency run")
	fs.IntVar(&o.Rate, "rate", 0, "events/s offered for the latency run (default 2,000 on bbolt, 1,000 on PostgreSQL)")
	fs.StringVar(&o.Store, "store", "", "a postgres:// URL to measure PostgreSQL (a new schema there, dropped after; env:VAR reads the URL from a variable); default bbolt files in -dir")
	fs.DurationVar(&o.Lease, "lease", 0, "PostgreSQL: the lease of the takeover measurement (default 10s, as openear run)")
	fs.DurationVar(&o.Measure, "measure", time.Second, "how long raw puts and the tagger are timed")
	fs.StringVar(&o.Dir, "dir", "", "directory for the bbolt files (default: a new temporary directory, removed after)")
	fs.StringVar(&o.Profile, "profile", "", "write a CPU profile of each measured step (mine, due, ingest, latency) into this directory")
	quiet := fs.Bool("q", false, "no progress on stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *quiet {
		o.Progress = io.Discard
	}
	if name, ok := strings.CutPrefix(o.Store, "env:"); ok {
		o.Store = os.Getenv(name)
	}
	if o.Rate == 0 {
		o.Rate = 2000
		if o.Store != "" {
			o.Rate = 1000
		}
	}
	if o.Dir == "" && o.Store == "" {
		dir, err := os.MkdirTemp("", "openear-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.Dir = dir
	}
	r, err := bench.Run(ctx, o)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	bench.Print(stdout, r)
	return nil
}
