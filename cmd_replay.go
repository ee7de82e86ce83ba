package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/config"
	"github.com/openear/openear/internal/app"
	"github.com/openear/openear/internal/replay"
)

// cmdReplay runs the tagger, router and SLA rules of a (new) config over
// the stored history, in memory, and prints what would change, and what
// the stored staff corrections change. Nothing is sent and the store is
// only read.
func cmdReplay(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("replay", "-config NEW.yaml [-db FILE] [-since 30d]", stderr)
	cfgPath := fs.String("config", "openear.yaml", "the config whose rules to try")
	dbPath := fs.String("db", "", "bbolt file or postgres:// URL with the history (default: the config's storage)")
	sinceFlag := fs.String("since", "30d", "how far back: threads created since then (e.g. 7d, 36h)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	since, err := parsePeriod(*sinceFlag)
	if err != nil {
		return fmt.Errorf("-since: %w", err)
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, *cfgPath, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	now := time.Now()
	var old []bot.Thread
	err = db.Threads(ctx, func(t bot.Thread) bool {
		if !t.Created.Before(now.Add(-since)) {
			old = append(old, t)
		}
		return true
	})
	if err != nil {
		return err
	}
	opts, err := app.BotOptions(cfg)
	if err != nil {
		return err
	}
	corrections, err := bot.CorrectionEntries(ctx, db)
	if err != nil {
		return err
	}
	rep, err := replay.Run(ctx, old, opts, now, corrections)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, rep.String())
	return nil
}
