package main

import (
	"context"
	"fmt"
	"io"

	"github.com/openear/openear/config"
	"github.com/openear/openear/internal/app"
	"github.com/openear/openear/storage/postgres"
)

// cmdCheck validates a config file: every problem with its key and line.
func cmdCheck(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("check", "-config FILE", stderr)
	path := fs.String("config", "openear.yaml", "config file to validate")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return err
	}
	if _, err := app.BotOptions(cfg); err != nil {
		return fmt.Errorf("%s: %w", *path, err)
	}
	if url := cfg.Storage.Postgres.Reveal(); url != "" {
		// The URL's parameters as the driver reads them; no connection.
		if _, err := postgres.ParseURL(url); err != nil {
			return fmt.Errorf("%s: storage.postgres: %w", *path, err)
		}
		fmt.Fprintf(stdout, "%s: OK (state in PostgreSQL, lease %s; not connected)\n", *path, cfg.Storage.Lease)
		return nil
	}
	fmt.Fprintf(stdout, "%s: OK\n", *path)
	return nil
}
