package pgtest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
	"github.com/openear/openear/storage/postgres"
)

// Engine is a store engine that end-to-end tests run on.
type Engine struct {
	Name string
	// New makes a new, empty store for t and returns how to open it.
	// Every call of open opens that same store again (a restart); the
	// caller closes what open returns.
	New func(t testing.TB) (open func() (bot.Store, error))
}

// Engines are bbolt (a file in the test's temporary directory) and
// PostgreSQL (a schema of the test's own, which needs
// OPENEAR_TEST_POSTGRES: see Base).
func Engines() []Engine {
	return []Engine{
		{Name: "bbolt", New: func(t testing.TB) func() (bot.Store, error) {
			path := filepath.Join(t.TempDir(), "openear.db")
			return func() (bot.Store, error) { return storage.Open(path, storage.Options{}) }
		}},
		{Name: "postgres", New: func(t testing.TB) func() (bot.Store, error) {
			url := URL(t)
			return func() (bot.Store, error) {
				return postgres.Open(context.Background(), url, postgres.Options{MaxConns: 8})
			}
		}},
	}
}

// Run runs fn as one subtest per engine, named after it.
func Run(t *testing.T, fn func(t *testing.T, e Engine)) {
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}
