// Package bench is `openear bench`: it measures the real code paths —
// raw puts of the engine, the tagger, a cold start, mine, the due scans,
// ingest throughput and latency, and on PostgreSQL a takeover — on a
// fresh store (bbolt files, or a new schema in a PostgreSQL database with
// -store), and prints them with their targets. docs/PERFORMANCE.md
// explains each figure and what bounds it.
package bench
