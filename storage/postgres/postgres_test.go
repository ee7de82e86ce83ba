package postgres_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage/postgres/pgtest"
	"github.com/openear/openear/storage/storetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) bot.Store { return pgtest.Open(t) })
}
