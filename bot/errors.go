package bot

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Callers test them with errors.Is.
var (
	// ErrNotFound: no such thread, key, incident or cursor.
	ErrNotFound = errors.New("not found")
	// ErrPermanent: an action can never be delivered; do not retry.
	ErrPermanent = errors.New("permanent failure")
	// ErrNotStaff: the actor is not staff; nothing was changed.
	ErrNotStaff = errors.New("only staff can do that")
	// ErrLocked: the store file is held by another process.
	ErrLocked = errors.New("store is locked by another process")
	// ErrFenced: another replica took the leadership over; this one must
	// not write any more. A store shared by replicas (storage/postgres)
	// refuses every write of a leader whose lease was taken over, with an
	// error wrapping it; the bot then stops (Run returns it).
	ErrFenced = errors.New("fenced: another replica is the leader")
)

// RetryError asks the sender to retry an action after a delay (a rate
// limit's Retry-After, a 5xx, a timeout).
type RetryError struct {
	After time.Duration
	Err   error
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}

func (e *RetryError) Unwrap() error { return e.Err }
