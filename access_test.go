package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/config"
	"github.com/openear/openear/internal/app"
	"github.com/openear/openear/storage/mem"
)

const exposedConfig = `
storage: {path: "${DB}"}
http: {listen: "0.0.0.0:0", token: "${OPENEAR_HTTP_TOKEN}"}
slack:
  bot_token: ${SLACK_BOT_TOKEN}
  signing_secret: ${SLACK_SIGNING_SECRET}
  triage_channel: C0TRIAGE
  channels: [C0CUST]
`

// TestDashboardTokenRequiredOffLoopback: listening beyond loopback without
// a token refuses to start; with one, the dashboard, its API and /metrics
// answer 401 without it, through the real wiring of `openear run`.
func TestDashboardTokenRequiredOffLoopback(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "openear.yaml")
	writeFile(t, cfgPath, exposedConfig)
	t.Setenv("DB", filepath.Join(dir, "openear.db"))
	t.Setenv("SLACK_BOT_TOKEN", "xoxb-access-test-0123456789")
	t.Setenv("SLACK_SIGNING_SECRET", "access-test-signing-secret")
	t.Setenv("OPENEAR_HTTP_TOKEN", "")
	code, _, errs := run(t, "", "run", "-config", cfgPath)
	if code == 0 || !strings.Contains(errs, "http.token") || !strings.Contains(errs, "OPENEAR_HTTP_TOKEN") {
		t.Fatalf("no token off loopback: exit %d, %s", code, errs)
	}

	const token = "dashboard-token-0123456789"
	t.Setenv("OPENEAR_HTTP_TOKEN", token)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := mem.New()
	a, err := app.New(ctx, cfg, store, bot.SystemClock{}, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Wiring{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Mux)
	defer srv.Close()
	get := func(path, auth string) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, p := range []string{"/", "/api/threads", "/api/stats", "/metrics", "/chart/frt.svg"} {
		if c := get(p, ""); c != http.StatusUnauthorized {
			t.Errorf("GET %s without token: %d", p, c)
		}
		if c := get(p, "wrong-token"); c != http.StatusUnauthorized {
			t.Errorf("GET %s with a wrong token: %d", p, c)
		}
		if c := get(p, token); c != http.StatusOK {
			t.Errorf("GET %s with the token: %d", p, c)
		}
	}
	resp, err := http.Post(srv.URL+"/slack/events", "application/json", strings.NewReader(`{"type":"url_verification","challenge":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned Events API request: %d", resp.StatusCode)
	}
}
