package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/openear/openear/bot"
)

// Lease is the leadership of the replicas on one database: one row,
// whose token grows by one at every change of leader. Times are the
// database's clock, so the replicas' clocks never matter.
type Lease struct {
	Token    uint64
	Holder   string // the leader's name (host and process id)
	Addr     string // where the leader serves HTTP, as it announced it
	Acquired time.Time
	Expires  time.Time
	// Now is the database's time when the lease was read.
	Now time.Time
}

// Live reports whether the lease was held when it was read.
func (l Lease) Live() bool { return l.Token != 0 && l.Expires.After(l.Now) }

// Leader reads the lease.
func (s *Store) Leader(ctx context.Context) (Lease, error) {
	var l Lease
	var token int64
	err := s.pool.QueryRow(ctx, `SELECT token, holder, addr, acquired, expires, clock_timestamp() FROM lease`).
		Scan(&token, &l.Holder, &l.Addr, &l.Acquired, &l.Expires, &l.Now)
	if err != nil {
		return Lease{}, fmt.Errorf("read lease: %w", err)
	}
	l.Token = uint64(token)
	return l, nil
}

// Acquire takes the lease for holder when nobody holds it (never taken,
// expired or released), for ttl from now, and returns it with its new
// token; ok is false, with the lease as it stands, when it is held.
//
// Taking the lease over locks its row (FOR UPDATE): it waits for the
// write transactions of the leader before to end, and every write of that
// leader after it sees the new token and fails (Fence). It waits at most
// lockWait for them; a leader paused inside a transaction is ended by the
// server after Options.TxIdleTimeout, and the next Acquire succeeds.
func (s *Store) Acquire(ctx context.Context, holder, addr string, ttl time.Duration) (l Lease, ok bool, err error) {
	// A plain read first: while the leader lives, standbys never lock.
	if l, err = s.Leader(ctx); err != nil || l.Live() {
		return l, false, err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL lock_timeout = %d`, lockWait.Milliseconds())); err != nil {
			return err
		}
		var free bool
		if err := tx.QueryRow(ctx, `SELECT expires <= clock_timestamp() FROM lease FOR UPDATE`).Scan(&free); err != nil {
			return err
		}
		if !free {
			return nil
		}
		var token int64
		err := tx.QueryRow(ctx, `UPDATE lease SET token = token + 1, holder = $1, addr = $2,
			acquired = clock_timestamp(), expires = clock_timestamp() + $3 * interval '1 millisecond'
			RETURNING token, holder, addr, acquired, expires, clock_timestamp()`, holder, addr, ttl.Milliseconds()).
			Scan(&token, &l.Holder, &l.Addr, &l.Acquired, &l.Expires, &l.Now)
		l.Token, ok = uint64(token), err == nil
		return err
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "55P03" { // lock_not_available
		return Lease{}, false, nil
	}
	if err != nil {
		return Lease{}, false, fmt.Errorf("acquire lease: %w", err)
	}
	if !ok {
		l, err = s.Leader(ctx)
		return l, false, err
	}
	return l, true, nil
}

// lockWait is how long Acquire waits for the leader's writes in flight.
const lockWait = 2 * time.Second

// Renew extends the lease of token to ttl from now. It fails with an
// error wrapping bot.ErrFenced when another replica took the lease over.
// It does not wait for the leader's writes (they share the row).
func (s *Store) Renew(ctx context.Context, token uint64, ttl time.Duration) (Lease, error) {
	var l Lease
	var t int64
	err := s.pool.QueryRow(ctx, `UPDATE lease SET expires = clock_timestamp() + $2 * interval '1 millisecond'
		WHERE token = $1 RETURNING token, holder, addr, acquired, expires, clock_timestamp()`, int64(token), ttl.Milliseconds()).
		Scan(&t, &l.Holder, &l.Addr, &l.Acquired, &l.Expires, &l.Now)
	if errors.Is(err, pgx.ErrNoRows) {
		return Lease{}, fmt.Errorf("renew lease %d: %w", token, bot.ErrFenced)
	}
	if err != nil {
		return Lease{}, fmt.Errorf("renew lease %d: %w", token, err)
	}
	l.Token = uint64(t)
	return l, nil
}

// Release gives the lease of token up (a clean shutdown), so that a
// standby takes over at once instead of waiting for it to expire. It does
// nothing when another replica holds the lease.
func (s *Store) Release(ctx context.Context, token uint64) error {
	_, err := s.pool.Exec(ctx, `UPDATE lease SET expires = clock_timestamp() WHERE token = $1`, int64(token))
	if err != nil {
		return fmt.Errorf("release lease %d: %w", token, err)
	}
	return nil
}
