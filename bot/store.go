package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Store keeps threads, the outbox, seen event ids and channel cursors
// durably. Implementations: storage.DB (bbolt) and MemStore (tests).
// storage/storetest is the conformance suite every Store must pass.
//
// All methods are safe for concurrent use. Values returned are copies the
// caller owns. Reads that find nothing return an error wrapping
// ErrNotFound.
type Store interface {
	// Apply commits the changes in one transaction: all or none. Threads
	// are written whole; the store maintains its indexes (keys, due time,
	// open threads per owner) from the difference between the stored
	// thread and the new one. Apply is the only write path.
	Apply(ctx context.Context, changes ...Change) error

	// Seen reports whether an event id was recorded (and not yet pruned).
	Seen(ctx context.Context, eventID string) (bool, error)
	// Thread returns a thread by id.
	Thread(ctx context.Context, id uint64) (Thread, error)
	// ThreadByKey returns the thread a platform key leads to.
	ThreadByKey(ctx context.Context, key string) (Thread, error)
	// Due returns up to limit threads whose Due is not zero and not after
	// before, earliest first. Its cost is that of the threads returned.
	Due(ctx context.Context, before time.Time, limit int) ([]Thread, error)
	// OpenByOwner returns the open threads (waiting or answered) owned by
	// a person, oldest first.
	OpenByOwner(ctx context.Context, owner string) ([]Thread, error)
	// CountOpenByOwner returns how many open threads a person owns.
	CountOpenByOwner(ctx context.Context, owner string) (int, error)
	// Threads calls fn for every thread in id order until fn returns
	// false. fn must not call the store.
	Threads(ctx context.Context, fn func(Thread) bool) error
	// Outbox returns up to limit pending actions in id order.
	Outbox(ctx context.Context, limit int) ([]Action, error)
	// Cursor returns the newest message id seen in a channel, or "".
	Cursor(ctx context.Context, platform, channel string) (string, error)
	// LastIDs returns the largest thread, action and incident ids ever
	// written, so the bot can continue numbering after a restart.
	LastIDs(ctx context.Context) (thread, action, incident uint64, err error)
	// PruneSeen forgets event ids recorded before the given time and
	// returns how many it removed.
	PruneSeen(ctx context.Context, before time.Time) (int, error)
	// Incident returns an incident by id; Incidents lists those still
	// open.
	Incident(ctx context.Context, id uint64) (Incident, error)
	Incidents(ctx context.Context, open bool) ([]Incident, error)
	// Entry returns the value written under key by Change.Entries, or an
	// error wrapping ErrNotFound.
	Entry(ctx context.Context, key string) ([]byte, error)
	// Entries calls fn for every entry whose key starts with prefix, in
	// byte order of the keys, until fn returns false. fn must not call
	// the store; value is the caller's.
	Entries(ctx context.Context, prefix string, fn func(key string, value []byte) bool) error
	// Close releases the store. Further calls fail.
	Close() error
}

// OpenPager is an optional capability of a Store, found by type
// assertion: the oldest open threads of a person without reading the
// others. The mine command lists 20 threads of a person who may own
// thousands; without it, it reads them all with OpenByOwner.
type OpenPager interface {
	// OpenByOwnerPage returns the first limit threads that OpenByOwner
	// would return (oldest first), and how many OpenByOwner would return
	// in all, both from one consistent view. limit <= 0 returns no
	// thread, only the count. Its cost is that of the threads returned
	// plus the owner's index entries. Safe for concurrent use; the
	// threads are copies the caller owns.
	OpenByOwnerPage(ctx context.Context, owner string, limit int) ([]Thread, int, error)
}

// Prefetcher is an optional capability of a Store, found by type
// assertion: many of Handle's reads in one round trip. A store whose
// every read is a round trip to a server (storage/postgres) implements
// it; the writer of a batch then asks it once for the events it takes
// (their ids and the keys they will look up) instead of several times per
// event, one after the other.
type Prefetcher interface {
	// Prefetch reports which of eventIDs Seen would report and the
	// thread ThreadByKey would return for each of keys (a key that leads
	// nowhere is absent from threads). Each answer is as fresh as the
	// same Seen or ThreadByKey call would have been when Prefetch was
	// called. Safe for concurrent use; the threads are copies the caller
	// owns.
	Prefetch(ctx context.Context, eventIDs, keys []string) (seen map[string]bool, threads map[string]Thread, err error)
}

// Change is one state change, written atomically by Store.Apply.
type Change struct {
	// EventID, when set, is recorded as seen at EventAt.
	EventID string
	EventAt time.Time
	// Threads are written whole (insert or replace).
	Threads []Thread
	// Enqueue adds actions to the outbox (by their ID).
	Enqueue []Action
	// Requeue replaces pending actions (new attempt count, NotBefore).
	Requeue []Action
	// Done removes delivered (or dropped) actions from the outbox.
	Done []uint64
	// Cursors advance channel cursors; an older id never moves a cursor
	// back.
	Cursors []Cursor
	// Incidents are written whole.
	Incidents []Incident
	// Entries are written last, in order; an entry with a nil Value
	// deletes its key.
	Entries []Entry
}

// Entry is one small named value of the core's own state that must
// outlive a process and be shared by every replica on one store: the
// round-robin positions, the recent problem reports of incident
// detection, the tagger's learned corrections and the like. A store
// keeps entries opaque; their owner in the core encodes them.
//
// Keys are "<owner>/<name>", at most MaxEntryKey bytes and never empty;
// values at most MaxEntryValue bytes. An Apply with an entry past either
// bound fails whole. Each part of the core that keeps entries owns one
// prefix, listed here with what it keeps, so that no two write the same
// key:
//
//	notice/<platform>/<ref>     the threads of a digest notice (outbox.go)
//	place/<platform>/<channel>  a DM channel a message was handled in
//	                            (value "dm"), for backfill (Bot.Places)
//	noise/<day>/<platform>/…    one noise message, for its count (noise.go)
//	digest/last                 when the last daily digest was queued (digest.go)
//	name/<platform>/<kind>/<id> the newest name of a user or channel
//	                            (names.go)
//	login/<hash>                a one-time sign-in link (web.go)
//	session/<hash>              a dashboard session (web.go)
//	tag/correction/<unix nanos, 20 digits>/<thread id, 20 digits>/<n>
//	    a staff tag correction kept as a labelled example for the
//	    tagger (TagCorrection, JSON; learn.go)
//	route/rr/<team>                 router.go: the team's round-robin position
//	                                (decimal count of picks)
//	incident/recent/<nanos>/<id>    incidents.go: one recent problem report
//	                                of the detection window (JSON); deleted
//	                                once it left the window
type Entry struct {
	Key   string
	Value []byte
}

// Bounds of an Entry.
const (
	MaxEntryKey   = 512
	MaxEntryValue = 1 << 20
)

// CheckEntry reports why a store must refuse e, or nil.
func CheckEntry(e Entry) error {
	switch {
	case e.Key == "":
		return errors.New("entry with an empty key")
	case len(e.Key) > MaxEntryKey:
		return fmt.Errorf("entry key of %d bytes (at most %d)", len(e.Key), MaxEntryKey)
	case len(e.Value) > MaxEntryValue:
		return fmt.Errorf("entry %q: value of %d bytes (at most %d)", e.Key, len(e.Value), MaxEntryValue)
	}
	return nil
}

// Cursor is the newest message id seen in a channel.
type Cursor struct {
	Platform string
	Channel  string
	Last     string
}

// Incident links the threads of several customers who report what looks
// like the same problem.
type Incident struct {
	ID        uint64    `json:"id"`
	Open      bool      `json:"open"`
	Terms     []string  `json:"terms"`
	Threads   []uint64  `json:"threads"`
	Customers []string  `json:"customers"` // "platform/user"
	Owner     string    `json:"owner,omitempty"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	Resolved  time.Time `json:"resolved,omitzero"`
	// NoticeRefs are the alert messages per platform ("slack" -> ref).
	NoticeRefs map[string]string `json:"notice_refs,omitempty"`
	Updates    []string          `json:"updates,omitempty"`
}
