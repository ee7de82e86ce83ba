// Package bench is `openear bench`: it measures the real code paths —
// raw bbolt puts, the tagger, a cold start, mine, the due scans, ingest
// throughput and latency — on a fresh store, and prints them with their
// targets. docs/PERFORMANCE.md explains each figure and what bounds it.
package bench
