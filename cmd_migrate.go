package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/openear/openear/internal/migrate"
	"github.com/openear/openear/storage"
	"github.com/openear/openear/storage/postgres"
)

// cmdMigrate copies a store into another, empty one (bbolt to PostgreSQL
// or back) and verifies the copy (internal/migrate).
func cmdMigrate(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", "-from FILE|URL -to URL|FILE", stderr)
	from := fs.String("from", "", "the store to copy: a bbolt file, a postgres:// URL, or env:VAR for a URL in a variable")
	to := fs.String("to", "", "the empty store to copy into: a bbolt file (created), a postgres:// URL, or env:VAR")
	quiet := fs.Bool("q", false, "no progress on stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		fmt.Fprintln(stderr, "migrate needs -from and -to")
		fs.Usage()
		return errUsage
	}
	src, err := openMigrateStore(ctx, *from)
	if err != nil {
		return fmt.Errorf("-from: %w", err)
	}
	defer src.Close()
	if err := quiescent(ctx, src); err != nil {
		return fmt.Errorf("-from: %w", err)
	}
	dst, err := openMigrateStore(ctx, *to)
	if err != nil {
		return fmt.Errorf("-to: %w", err)
	}
	defer dst.Close()
	progress := stderr
	if *quiet {
		progress = io.Discard
	}
	start := time.Now()
	sum, err := migrate.Copy(ctx, src, dst, progress)
	if errors.Is(err, migrate.ErrNotEmpty) {
		return fmt.Errorf("-to: %w (migrate writes only into an empty store)", err)
	}
	if err != nil {
		return fmt.Errorf("%w (the target holds a partial copy: empty it before trying again)", err)
	}
	fmt.Fprintf(progress, "migrate: done in %s\n", time.Since(start).Round(time.Millisecond))
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(sum)
}

// openMigrateStore opens a bbolt file or a PostgreSQL database; env:VAR
// reads the URL from a variable, so that it is not on the command line.
func openMigrateStore(ctx context.Context, where string) (migrate.Dumper, error) {
	if name, ok := strings.CutPrefix(where, "env:"); ok {
		where = os.Getenv(name)
		if where == "" {
			return nil, fmt.Errorf("environment variable %s is unset or empty", name)
		}
	}
	if isPostgresURL(where) {
		return postgres.Open(ctx, where, postgres.Options{})
	}
	return storage.Open(where, storage.Options{Timeout: time.Second})
}

// quiescent refuses a PostgreSQL source that replicas still use: a live
// lease, or Slack deliveries in the inbox that no leader handled yet.
func quiescent(ctx context.Context, s migrate.Dumper) error {
	pg, ok := s.(*postgres.Store)
	if !ok {
		return nil // a bbolt file is locked while openear runs on it
	}
	l, err := pg.Leader(ctx)
	if err != nil {
		return err
	}
	if l.Live() {
		return fmt.Errorf("replica %s leads on this database: stop every openear run first", l.Holder)
	}
	items, err := pg.Inbox(ctx, 1)
	if err != nil {
		return err
	}
	if len(items) > 0 {
		return errors.New("the inbox holds Slack deliveries no leader handled yet: run openear until it is empty, then stop it")
	}
	return nil
}
