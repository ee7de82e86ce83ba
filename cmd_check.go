package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/openear/openear/config"
	"github.com/openear/openear/internal/app"
	"github.com/openear/openear/storage/postgres"
)

// cmdCheck validates a config file (every problem with its key and line)
// and says what the platforms need for it. Offline by default; -online
// also asks Slack and Discord, with the config's tokens, whether the bot
// has what it needs; -slack-manifest compares a Slack app manifest with
// the config.
func cmdCheck(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("check", "[-online] [-slack-manifest FILE] -config FILE", stderr)
	path := fs.String("config", "openear.yaml", "config file to validate")
	online := fs.Bool("online", false, "also ask Slack and Discord (network; the tokens from the environment): token accepted, scopes, intents, servers, channels")
	manifest := fs.String("slack-manifest", "", "also check a Slack app manifest (YAML or JSON) against the config")
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
	findings := app.Needs(cfg)
	if *manifest != "" {
		data, err := os.ReadFile(*manifest)
		if err != nil {
			return err
		}
		f, err := app.CheckManifest(cfg, data)
		if err != nil {
			return fmt.Errorf("%s: %w", *manifest, err)
		}
		findings = append(findings, f...)
	}
	if *online {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		findings = append(findings, app.Online(ctx, cfg)...)
	}
	problems := 0
	for _, f := range findings {
		if f.Problem {
			problems++
			fmt.Fprintln(stderr, "problem: "+f.String())
		} else {
			fmt.Fprintln(stdout, f)
		}
	}
	if problems > 0 {
		return fmt.Errorf("%s: %d problem(s) with the platforms", *path, problems)
	}
	return nil
}
