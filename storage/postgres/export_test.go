package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/openear/openear/bot"
)

// HoldWrite applies c as Apply does, but inside the write transaction,
// after the fence check, it closes inTx and waits for goOn: a write in
// flight that a test can hold.
func HoldWrite(ctx context.Context, s *Store, c bot.Change, inTx chan<- struct{}, goOn <-chan struct{}) error {
	p := newPlan([]bot.Change{c})
	return s.write(ctx, p.readStored, func() (*pgx.Batch, error) {
		close(inTx)
		<-goOn
		p.run([]bot.Change{c})
		return p.send()
	})
}
