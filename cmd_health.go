package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/openear/openear/config"
)

// cmdHealth asks a running openear's /healthz and fails unless it
// answers 200: the probe of a container HEALTHCHECK (the image has no
// curl) or any supervisor.
func cmdHealth(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("health", "[-url URL | -config FILE]", stderr)
	u := fs.String("url", "http://127.0.0.1:8080/healthz", "the /healthz URL to ask")
	path := fs.String("config", "", "ask the http.listen of this config instead of -url (0.0.0.0 and :: become loopback)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *path != "" {
		cfg, err := config.Load(*path)
		if err != nil {
			return err
		}
		host, port, err := net.SplitHostPort(cfg.HTTP.Listen)
		if err != nil {
			return fmt.Errorf("http.listen %q: %w", cfg.HTTP.Listen, err)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		*u = "http://" + net.JoinHostPort(host, port) + "/healthz"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	fmt.Fprintf(stdout, "%s %s\n", resp.Status, strings.TrimSpace(string(body)))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", *u, resp.Status)
	}
	return nil
}
