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
	now := time.Now()
	var text string
	if db, err := openStore(ctx, *cfgPath, *dbPath); err == nil {
		defer db.Close()
		text, err = bot.StoreDigest(ctx, db, now.Add(-since), now)
		if err != nil {
			return err
		}
	} else {
		c, err := remoteFor(*cfgPath, *dbPath, err, stderr)
		if err != nil {
			return err
		}
		if text, err = c.Digest(ctx, since); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, text)
	return nil
}
