// Package bench is `openear bench`: it measures the real code paths —
// raw puts of the engine, the tagger, a cold start, mine, the due scans,
// ingest throughput and latency, and on PostgreSQL a takeover — on a
// fresh store (bbolt files, or a new schema in a PostgreSQL database with
// -store), and prints them with their targets. docs/PERFORMANCE.md
// explains each figure and what bounds it.
//
// Burst (BenchmarkBurstSlack, BenchmarkBurstDiscord) measures a burst of
// new threads end to end: openear wired as `openear run` wires it, the
// real adapters, and the fakes with the platforms' per-channel post
// limits; how long each thread waits for a triage notice and how late an
// escalation due meanwhile is posted.
package bench
