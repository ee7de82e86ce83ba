package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that the command's tests (the demo, the wiring) leave no
// goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
