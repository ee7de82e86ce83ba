-- Schema version 1: the tables of bot.Store, the leader lease and the
-- inbox of Events API deliveries taken by standbys. See doc.go.
--
-- Keys, owners, event ids and entry keys are bytea: they are Go strings,
-- which may hold any byte (a NUL, invalid UTF-8), and bytea compares them
-- byte by byte, as the contract orders them, whatever the collation.
-- Threads and actions are the compact encoding of package storage;
-- incidents are JSON, kept as bytea for the same reason.

CREATE TABLE threads (
	id         bigint PRIMARY KEY,
	keys       bytea NOT NULL,       -- the thread's keys, length-prefixed, to move the keys index
	due        bigint,               -- Due in unix nanoseconds; NULL when not due
	open_owner bytea,                -- Owner while the thread is open; else NULL
	state      text NOT NULL,
	created    timestamptz NOT NULL,
	data       bytea NOT NULL
);
CREATE INDEX threads_due ON threads (due, id) WHERE due IS NOT NULL;
CREATE INDEX threads_open_owner ON threads (open_owner, id) WHERE open_owner IS NOT NULL;

CREATE TABLE keys (
	key    bytea PRIMARY KEY,
	thread bigint NOT NULL
);

CREATE TABLE seen (
	event bytea PRIMARY KEY,
	at    bigint NOT NULL               -- unix nanoseconds
);
CREATE INDEX seen_at ON seen (at);

CREATE TABLE outbox (
	id   bigint PRIMARY KEY,
	data bytea NOT NULL
);

CREATE TABLE cursors (
	platform bytea NOT NULL,
	channel  bytea NOT NULL,
	last     bytea NOT NULL,
	PRIMARY KEY (platform, channel)
);

CREATE TABLE incidents (
	id   bigint PRIMARY KEY,
	open boolean NOT NULL,
	data bytea NOT NULL
);

CREATE TABLE entries (
	key   bytea PRIMARY KEY,
	value bytea NOT NULL
);

-- The largest ids ever written (LastIDs): one row.
CREATE TABLE counters (
	one           boolean PRIMARY KEY DEFAULT true CHECK (one),
	last_thread   bigint NOT NULL DEFAULT 0,
	last_action   bigint NOT NULL DEFAULT 0,
	last_incident bigint NOT NULL DEFAULT 0
);
INSERT INTO counters DEFAULT VALUES;

-- The leader lease: one row. token grows by one at every change of
-- leader (the fencing token); expires is the database's clock.
CREATE TABLE lease (
	one      boolean PRIMARY KEY DEFAULT true CHECK (one),
	token    bigint NOT NULL DEFAULT 0,
	holder   text NOT NULL DEFAULT '',
	addr     text NOT NULL DEFAULT '',
	acquired timestamptz NOT NULL DEFAULT 'epoch',
	expires  timestamptz NOT NULL DEFAULT 'epoch'
);
INSERT INTO lease DEFAULT VALUES;

-- Deliveries a standby took for the leader (the Events API behind a load
-- balancer): verified, stored, acknowledged; the leader handles them in
-- id order and deletes them.
CREATE TABLE inbox (
	id       bigserial PRIMARY KEY,
	platform text NOT NULL,
	body     bytea NOT NULL,
	received timestamptz NOT NULL DEFAULT now()
);
