package bot_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/openear/openear/internal/l10n"
)

// TestMain fails the run when a goroutine leaks or when a message could
// not be rendered as asked (a key, a plural form or an argument missing
// in a catalog).
func TestMain(m *testing.M) {
	code := m.Run()
	if n := l10n.Failures(); n > 0 && code == 0 {
		fmt.Fprintf(os.Stderr, "l10n: %d messages could not be rendered as asked\n", n)
		code = 1
	}
	if err := goleak.Find(); err != nil && code == 0 {
		fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
		code = 1
	}
	os.Exit(code)
}
