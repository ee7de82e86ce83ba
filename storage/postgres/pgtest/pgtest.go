// Package pgtest gives each test a PostgreSQL schema of its own in the
// database that OPENEAR_TEST_POSTGRES points at (a postgres:// URL; .ci/run
// starts a throwaway cluster and sets it). The schema is dropped when the
// test ends. Without the variable a test that needs PostgreSQL is skipped,
// and fails instead under CI=true, so that CI never passes by skipping.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openear/openear/storage/postgres"
)

// Env is the variable that holds the test database's URL.
const Env = "OPENEAR_TEST_POSTGRES"

// Base returns the URL of the test database, or skips t (fails it under
// CI=true) when Env is unset.
func Base(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts a cluster)", Env)
		}
		t.Skipf("%s is not set: no PostgreSQL to test on (see .ci/postgres)", Env)
	}
	return base
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// URL creates a new, empty schema, dropped when t ends, and returns the
// test database's URL with search_path set to it: whatever opens that URL
// finds its tables there and nowhere else.
func URL(t testing.TB) string {
	t.Helper()
	base := Base(t)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL", Env)
	}
	suffix := make([]byte, 4)
	rand.Read(suffix)
	name := unsafeChars.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	schema := "t_" + name + "_" + hex.EncodeToString(suffix)
	exec(t, base, `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize())
	t.Cleanup(func() { exec(t, base, `DROP SCHEMA `+pgx.Identifier{schema}.Sanitize()+` CASCADE`) })
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens a Store on a new schema of its own; the Store is closed and
// the schema dropped when t ends.
func Open(t testing.TB) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), URL(t), postgres.Options{MaxConns: 8})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// exec runs one statement on its own connection.
func exec(t testing.TB, base, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", Env, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
