package bot_test

import (
	"testing"

	"github.com/openear/openear/bot/bottest"
)

func TestMain(m *testing.M) { bottest.VerifyMain(m) }
