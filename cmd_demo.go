package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/openear/openear/internal/demo"
)

// cmdDemo runs the real bot against in-process Slack and Discord with
// scripted customers and a fast clock (internal/demo).
func cmdDemo(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "[-duration 60s] [-speed 60] [-http ADDR] [-db FILE]", stderr)
	duration := fs.Duration("duration", 60*time.Second, "how long to run, in real time")
	speed := fs.Float64("speed", 60, "simulated seconds per real second (60: a minute per second)")
	httpAddr := fs.String("http", "", "serve the dashboard, /metrics and /healthz here (e.g. 127.0.0.1:8080) and keep it open after the script until Ctrl-C")
	dbPath := fs.String("db", "", "bbolt file (default: a new file in a temporary directory)")
	verbose := fs.Bool("v", false, "also print the bot's own logs")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *speed <= 0 || *duration <= 0 {
		return errors.New("-speed and -duration must be positive")
	}
	if *dbPath == "" {
		dir, err := os.MkdirTemp("", "openear-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dbPath = filepath.Join(dir, "openear.db")
	}
	d, err := demo.New(demo.Options{Speed: *speed, Duration: *duration, DB: *dbPath, HTTP: *httpAddr, KeepOpen: *httpAddr != "",
		Stdout: stdout, Stderr: stderr, Verbose: *verbose})
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Run(ctx)
}
