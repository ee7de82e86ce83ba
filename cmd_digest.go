package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/openear/openear/bot"
)

// cmdDigest prints the digest of a period to the terminal: the same text
// the bot posts daily.
func cmdDigest(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("digest", "[-config FILE | -db FILE] [-since 7d]", stderr)
	cfgPath := fs.String("config", "openear.yaml", "config file (for its storage section)")
	dbPath := fs.String("db", "", "bbolt file or postgres:// URL (instead of -config)")
	sinceFlag := fs.String("since", "1d", "the period: 1d, 7d, 36h …")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	since, err := parsePeriod(*sinceFlag)
	if err != nil {
		return fmt.Errorf("-since: %w", err)
	}
	db, err := openStore(ctx, *cfgPath, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	now := time.Now()
	var period, waiting []bot.Thread
	err = db.Threads(ctx, func(t bot.Thread) bool {
		if !t.Created.Before(now.Add(-since)) {
			period = append(period, t)
		}
		if t.State == bot.Waiting {
			waiting = append(waiting, t)
		}
		return true
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, bot.DigestText(period, waiting, now.Add(-since), now))
	return nil
}
