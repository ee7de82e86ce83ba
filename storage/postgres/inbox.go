package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Delivery is one request a standby took for the leader: the verified
// body of a Slack Events API delivery.
type Delivery struct {
	ID       int64
	Platform string
	Body     []byte
	Received time.Time
}

// PutInbox stores a delivery durably for the leader (which polls the
// inbox). It is not fenced: any replica may call it (a standby does).
func (s *Store) PutInbox(ctx context.Context, platform string, body []byte) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO inbox (platform, body) VALUES ($1, $2)`, platform, body)
	if err != nil {
		return fmt.Errorf("put inbox: %w", err)
	}
	return nil
}

// Inbox returns up to limit stored deliveries, oldest first.
func (s *Store) Inbox(ctx context.Context, limit int) ([]Delivery, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, platform, body, received FROM inbox ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Delivery])
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return out, nil
}

// DeleteInbox removes a handled delivery. It is a write of the leader:
// fenced like Apply.
func (s *Store) DeleteInbox(ctx context.Context, id int64) error {
	err := s.write(ctx, nil, func() (*pgx.Batch, error) {
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM inbox WHERE id = $1`, id)
		return b, nil
	})
	if err != nil {
		return fmt.Errorf("delete inbox %d: %w", id, err)
	}
	return nil
}
