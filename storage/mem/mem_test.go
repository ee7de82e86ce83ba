package mem_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage/mem"
	"github.com/openear/openear/storage/storetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) bot.Store { return mem.New() })
}
