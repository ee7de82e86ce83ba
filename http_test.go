package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
)

func TestHealthzDashboardAndToken(t *testing.T) {
	r := startRig(t, insightRules, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	srv := httptest.NewServer(r.app.mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		OK       bool              `json:"ok"`
		Adapters map[string]string `json:"adapters"`
	}
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if resp.StatusCode != 200 || !h.OK || h.Adapters["slack"] != "connected" || h.Adapters["discord"] != "connected" {
		t.Fatalf("/healthz: %d %+v", resp.StatusCode, h)
	}
	for _, path := range []string{"/", "/api/threads", "/api/stats", "/metrics"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s on loopback without a token: %d", path, resp.StatusCode)
		}
	}
}

func TestDashboardTokenWhenNotLoopback(t *testing.T) {
	sf, df := newFakes()
	defer sf.Close()
	defer df.Close()
	// A config listening on all interfaces needs http.token.
	text := strings.Replace(fakePlatforms+insightRules, `http: {listen: "${OPENEAR_DEMO_HTTP}"}`, `http: {listen: "0.0.0.0:0"}`, 1)
	if _, err := fakeConfig(text, sf, df, t.TempDir()+"/x.db", ""); err == nil || !strings.Contains(err.Error(), "http.token") {
		t.Fatalf("non-loopback listen without a token: %v", err)
	}
	text = strings.Replace(text, `http: {listen: "0.0.0.0:0"}`, `http: {listen: "0.0.0.0:0", token: "${OPENEAR_TEST_TOKEN}"}`, 1)
	t.Setenv("OPENEAR_TEST_TOKEN", "s3cret-dashboard-token")
	path := filepath.Join(t.TempDir(), "x.db")
	cfg, err := fakeConfig(text, sf, df, path, "")
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := newApp(context.Background(), cfg, db, bot.SystemClock{}, slog.New(slog.DiscardHandler), wiring{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.mux)
	defer srv.Close()
	get := func(path, token string) int {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, p := range []string{"/", "/api/threads", "/api/stats", "/chart/frt.svg", "/metrics"} {
		if code := get(p, ""); code != http.StatusUnauthorized {
			t.Errorf("%s without the token: %d, want 401", p, code)
		}
		if code := get(p, "wrong"); code != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d, want 401", p, code)
		}
		if code := get(p, "s3cret-dashboard-token"); code != http.StatusOK {
			t.Errorf("%s with the token: %d, want 200", p, code)
		}
	}
	// Health checks and Slack's signed endpoints need no dashboard token.
	if code := get("/healthz", ""); code == http.StatusUnauthorized {
		t.Errorf("/healthz asks for the dashboard token")
	}
}
