package web_test

import (
	"testing"

	"github.com/openear/openear/bot/bottest"
)

// TestMain fails the run on a leaked goroutine or a message of the
// catalog that could not be rendered as asked (a key or an argument
// missing in a template).
func TestMain(m *testing.M) { bottest.VerifyMain(m) }
