// Package bench is `openear bench`: it measures the real code paths —
// raw bbolt puts, the tagger, a cold start, mine, the due scans, ingest
// throughput and latency — on a fresh store, and prints them with their
// targets. docs/PERFORMANCE.md explains each figure and what bounds it.
//
// Burst (BenchmarkBurstSlack, BenchmarkBurstDiscord) measures a burst of
// new threads end to end: openear wired as `openear run` wires it, the
// real adapters, and the fakes with the platforms' per-channel post
// limits; how long each thread waits for a triage notice and how late an
// escalation due meanwhile is posted.
package bench
