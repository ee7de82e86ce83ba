// Command openear is a bot for team messengers that makes sure no customer
// message goes unanswered. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/config"
	"github.com/openear/openear/internal/remote"
	"github.com/openear/openear/storage"
	"github.com/openear/openear/storage/postgres"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"run", "run the bot with a config file", cmdRun},
		{"demo", "run the real bot against in-process Slack and Discord with scripted customers", cmdDemo},
		{"check", "validate a config file", cmdCheck},
		{"tag", "tag messages from stdin, one per line (try your tag rules)", cmdTag},
		{"threads", "list stored threads", cmdThreads},
		{"replay", "run a new config's rules over the stored history and show what would change", cmdReplay},
		{"digest", "print the digest of a period", cmdDigest},
		{"export", "export stored threads as CSV or JSON", cmdExport},
		{"bench", "measure ingest, due scans, mine, cold start and size on a fresh store", cmdBench},
		{"migrate", "copy a store into an empty one (bbolt to PostgreSQL or back) and verify the copy", cmdMigrate},
		{"version", "print the version, VCS revision and commit time", cmdVersion},
		{"health", "ask a running openear's /healthz; exit 1 unless it answers 200", cmdHealth},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runMain(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// runMain runs one subcommand and returns the exit code.
func runMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdin, stdout, stderr)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(stderr, "openear %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "openear: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// errUsage reports a usage error already printed by the flag set.
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "openear — an open ear for your customers on Slack and Discord.")
	fmt.Fprintln(w, "\nUsage: openear <command> [flags]   (openear <command> -h for its flags)\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}

// newFlags makes a flag set that prints its usage to stderr and reports
// errors instead of exiting.
func newFlags(name, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: openear %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments: %v\n", fs.Args())
		fs.Usage()
		return errUsage
	}
	return nil
}

// openStore opens the store named by -db (a bbolt file, or a
// postgres:// URL), or else by -config's storage section: its PostgreSQL
// database when storage.postgres is set, its bbolt file otherwise.
func openStore(ctx context.Context, cfgPath, db string) (bot.Store, error) {
	if db == "" {
		cfg, err := config.Load(cfgPath)
		if err != nil {
			return nil, err
		}
		if url := cfg.Storage.Postgres.Reveal(); url != "" {
			return postgres.Open(ctx, url, postgres.Options{})
		}
		db = cfg.Storage.Path
	}
	if isPostgresURL(db) {
		return postgres.Open(ctx, db, postgres.Options{})
	}
	return storage.Open(db, storage.Options{Timeout: time.Second})
}

// isPostgresURL reports whether a -db value names a PostgreSQL database
// rather than a bbolt file.
func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// readThreads calls fn, in id order, for every stored thread in state
// ("all", "open", "waiting", "answered" or "resolved") until fn returns
// false. It reads the store named by -db or by -config (openStore);
// when `openear run` holds that bbolt file, it asks the running bot's HTTP
// API instead (the config's http.listen, with its http.token) and says so
// on stderr.
func readThreads(ctx context.Context, cfgPath, dbPath, state string, stderr io.Writer, fn func(bot.Thread) bool) error {
	db, err := openStore(ctx, cfgPath, dbPath)
	if err == nil {
		defer db.Close()
		return db.Threads(ctx, func(t bot.Thread) bool {
			if !inState(t, state) {
				return true
			}
			return fn(t)
		})
	}
	c, rerr := remoteFor(cfgPath, dbPath, err, stderr)
	if rerr != nil {
		return rerr
	}
	var all []bot.Thread // the API lists newest first
	if err := c.Threads(ctx, state, func(t bot.Thread) bool { all = append(all, t); return true }); err != nil {
		return err
	}
	for _, t := range slices.Backward(all) {
		if !fn(t) {
			break
		}
	}
	return nil
}

func inState(t bot.Thread, state string) bool {
	switch state {
	case "all":
		return true
	case "open":
		return t.State.Open()
	}
	return string(t.State) == state
}

// remoteFor turns a store that `openear run` holds (err wraps
// bot.ErrLocked) into a client of the running bot's HTTP API; any other
// error is returned as it is.
func remoteFor(cfgPath, dbPath string, err error, stderr io.Writer) (*remote.Client, error) {
	if !errors.Is(err, bot.ErrLocked) {
		return nil, err
	}
	if dbPath != "" {
		return nil, fmt.Errorf("%w; give -config instead of -db to read from the running openear's HTTP API", err)
	}
	cfg, cerr := config.Load(cfgPath)
	if cerr != nil {
		return nil, cerr
	}
	c, cerr := remote.New(cfg.HTTP.Listen, cfg.HTTP.Token.Reveal())
	if cerr != nil {
		return nil, cerr
	}
	fmt.Fprintf(stderr, "openear: the store is held by a running openear; reading from its HTTP API at %s\n", c.Base())
	return c, nil
}

// parsePeriod parses a -since period: "30d", "2w" or a Go duration, at
// most a year (as the stats command).
func parsePeriod(s string) (time.Duration, error) {
	return bot.ParseDuration(s, 365*24*time.Hour)
}
