package main

import (
	"context"
	"io"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/config"
	"github.com/openear/openear/internal/app"
	"github.com/openear/openear/storage"
	"github.com/openear/openear/storage/postgres"
)

// cmdRun runs the bot with a config file until a signal stops it. On
// PostgreSQL (storage.postgres) it is one replica of possibly several:
// it leads while it holds the lease (docs/SCALING.md).
func cmdRun(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("run", "-config FILE", stderr)
	path := fs.String("config", "openear.yaml", "config file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg, stderr)
	var store bot.Store
	if url := cfg.Storage.Postgres.Reveal(); url != "" {
		// A leader paused inside a transaction is ended by the server
		// after half a lease, so that it cannot hold a takeover up.
		pg, err := postgres.Open(ctx, url, postgres.Options{TxIdleTimeout: max(cfg.Storage.Lease.D()/2, time.Second)})
		if err != nil {
			return err
		}
		log.Info("store: PostgreSQL; competing for the leader's lease", "lease", cfg.Storage.Lease.D())
		store = pg
	} else {
		db, err := storage.Open(cfg.Storage.Path, storage.Options{Timeout: time.Second})
		if err != nil {
			return err
		}
		store = db
	}
	defer store.Close()
	a, err := app.New(ctx, cfg, store, bot.SystemClock{}, log, app.Wiring{Advertise: cfg.HTTP.Advertise})
	if err != nil {
		return err
	}
	return a.Run(ctx, cfg.HTTP.Listen)
}
