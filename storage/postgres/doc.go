// Package postgres is openear's PostgreSQL Store, for running several
// replicas on one database (one leader at a time) and for operators who
// keep their state in PostgreSQL, backed up with everything else.
//
//	s, err := postgres.Open(ctx, "postgres://openear:…@db:5432/openear", postgres.Options{})
//
// It is a bot.Store and a bot.OpenPager, and passes storage/storetest
// like the bbolt store. It speaks to PostgreSQL 14 or newer through pgx:
// a connection pool, statements prepared once per connection (pgx's
// statement cache), and one round trip for several statements (batches).
// COPY was measured against INSERT … SELECT FROM unnest for the 1,000-row
// statements of a group commit and did not pay on these machines (it
// costs a round trip per table and cannot upsert); openear migrate and
// the bench's fill go through Apply as well.
//
// # Tables
//
// Open applies the embedded migrations (migrations/NNNN_name.sql, run in
// order, each once, in one transaction under an advisory lock, recorded
// in schema_migrations) and refuses a database whose schema is newer
// than SchemaVersion. Tables live in the first schema of the search_path.
//
//	threads    id, keys, due, open_owner, state, created, data
//	keys       key -> thread (the thread that added it last; never deleted)
//	seen       event id -> unix nanos it was recorded at (index on the time)
//	outbox     action id -> data
//	cursors    platform, channel -> last message id
//	incidents  id, open, data (JSON)
//	entries    key -> value (bot.Entry, opaque)
//	counters   one row: the largest thread, action and incident ids written
//	lease      one row: the leader's token, name, address and expiry
//	inbox      deliveries a standby stored for the leader (Slack Events API)
//
// Thread and action data are the compact encoding of package storage.
// threads.due (unix nanoseconds) and threads.open_owner (the owner while
// the thread is open) carry partial indexes on (due, id) and
// (open_owner, id): Due and OpenByOwner cost what they return. Keys, owner
// names, event ids and entry keys are bytea, compared byte by byte as the
// contract orders them.
//
// # Writes
//
// Apply is one transaction. It takes the writers' advisory lock, so that
// Applies run one at a time even across processes, reads what it needs
// of the stored state (the keys of the threads it writes, the cursors it
// advances) in one round trip, works the changes out in order in Go, and
// writes each table with one statement over arrays (unnest): a group
// commit of a thousand events costs about a dozen statements and one
// fsync.
//
// # Leadership and fencing
//
// Replicas elect a leader with the lease row (Acquire, Renew, Release;
// times are the database's clock). Every change of leader adds one to the
// lease's token. A Store fenced with its token (Fenced) checks it in every write
// transaction under a share lock on the lease row: a takeover locks the
// row for update, so it waits for the old leader's writes in flight, and
// every write of the old leader after it fails with bot.ErrFenced. A
// paused or partitioned leader can never write after a new one took over.
//
// # Caveats
//
// A connection string holds a password: no error of this package contains
// it. Options.TxIdleTimeout (idle_in_transaction_session_timeout) ends a
// session that stalls inside a transaction — a leader stopped by SIGSTOP
// mid-write — so that its locks do not hold a takeover up.
//
// Writes are serialized on purpose: openear has one writer, the leader.
// Two processes that both write without a lease (two `openear migrate`
// into one database, say) stay correct, one after the other.
package postgres
