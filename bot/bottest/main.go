package bottest

import (
	"fmt"
	"os"

	"go.uber.org/goleak"

	"github.com/openear/openear/internal/l10n"
)

// VerifyMain runs a package's tests (call it from TestMain) and fails the
// run when a goroutine leaked, as goleak.VerifyTestMain does, or when a
// staff message could not be rendered as asked: a key, a plural form or an
// argument missing in a catalog of internal/l10n.
func VerifyMain(m interface{ Run() int }) {
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
