// Package storage is openear's bbolt Store: one file, no server.
//
//	db, err := storage.Open("openear.db", storage.Options{})
//
// Every state change is one bbolt transaction (DB.Apply), so a crash at any
// instant leaves the old state or the new one, never half of it. Passing
// several changes to one Apply commits them together (a group commit: one
// fsync for all of them), which is how a single writer reaches high durable
// throughput.
//
// # Buckets
//
// The layout is schema version 2 (SchemaVersion). Integers are big-endian
// uint64 so that byte order is numeric order; times are unix nanoseconds
// as big-endian uint64 (before 1970 counts as 0). Values marked "encoded"
// go through the encode/decode functions of encode.go: threads and
// actions in the compact binary encoding of compact.go, incidents JSON.
// Version 2 changed only the encoding of threads and actions: it still
// reads the JSON values of version 1, so a version 1 file is opened (and
// marked version 2) without a migration; older openear refuses it. The
// entries bucket came later within version 2: Open creates it in a file
// that lacks it. So did the tail of a compact thread (its names,
// timeline and CSAT): a thread written without it reads with those
// fields empty.
//
//	meta          "schema"        -> uint64 schema version (2)
//	              "last_thread"   -> uint64 largest thread id written
//	              "last_action"   -> uint64 largest action id written
//	              "last_incident" -> uint64 largest incident id written
//	threads       uint64 id -> encoded bot.Thread
//	keys          platform key (bot.Key, CustomerKey, …) -> uint64 thread id
//	due           uint64 due nanos + uint64 thread id -> empty
//	owners        owner name + 0x00 + uint64 thread id -> empty
//	seen          event id -> uint64 nanos it was recorded at
//	seen_by_time  uint64 nanos + event id -> empty
//	outbox        uint64 action id -> encoded bot.Action
//	cursors       platform + "/" + channel -> last message id (text)
//	incidents     uint64 id -> encoded bot.Incident
//	entries       entry key -> value (bot.Entry, opaque to the store)
//
// threads holds every thread; the other thread buckets are indexes that
// Apply keeps from the difference between the stored thread and the new
// one:
//
//   - keys: each key of Thread.Keys that the stored version lacked is
//     pointed at the thread. A key leads to the thread that added it last,
//     and keys are never deleted.
//   - due: one entry per thread whose Due is set; Due seeks from the start
//     and stops at the first entry after its bound, so it costs what it
//     returns, however many threads exist.
//   - owners: one entry per open (waiting or answered) thread with an
//     owner; resolving removes it, reopening adds it, reassigning moves it.
//   - seen and seen_by_time are written together; PruneSeen walks
//     seen_by_time from its start and costs what it removes.
//
// Open refuses a file whose schema version is newer than SchemaVersion.
//
// # Caveats
//
// Open waits at most Options.Timeout (1s by default) for the file lock,
// then fails with an error wrapping bot.ErrLocked: one file serves one
// openear at a time. This holds within one process too.
//
// Options.NoSync is for benchmarks only. Without fsync a crash or power
// loss can lose acknowledged events or corrupt the file.
//
// The file never shrinks: deleted pages are reused, not returned. A long
// read transaction keeps the file from growing (remapping waits for it),
// so reads here are short: Threads reads threadBatch threads per
// transaction and calls its function outside any transaction. A thread
// written while Threads runs may or may not be seen.
//
// bbolt values are valid only inside their transaction; every value is
// decoded (copied) before the transaction ends, and returned values are
// the caller's.
//
// Apply writes threads whole. A thread that keeps a key another thread
// took since does not take it back; it would have to drop it and add it
// again.
//
// Buckets written mostly in key order (threads, outbox, due,
// seen_by_time) split their pages at 90% instead of bbolt's 50%, keys at
// 70%. With the compact encoding a resolved thread with two messages
// takes about 1 KB of file, its keys included (openear bench reports
// db_bytes_per_thread; see docs/PERFORMANCE.md).
package storage
