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
	return s.write(ctx, func(tx pgx.Tx) error {
		close(inTx)
		<-goOn
		p := newPlan([]bot.Change{c})
		if err := p.readStored(ctx, tx); err != nil {
			return err
		}
		if err := p.run([]bot.Change{c}); err != nil {
			return err
		}
		return p.send(ctx, tx)
	})
}
