package main

import (
	"context"
	"io"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/config"
	"github.com/openear/openear/internal/app"
	"github.com/openear/openear/storage"
)

// cmdRun runs the bot with a config file until a signal stops it.
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
	db, err := storage.Open(cfg.Storage.Path, storage.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := app.New(ctx, cfg, db, bot.SystemClock{}, log, app.Wiring{})
	if err != nil {
		return err
	}
	return a.Run(ctx, cfg.HTTP.Listen)
}
