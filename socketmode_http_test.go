package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestSocketModeHTTPWhileSocketDown: in Socket Mode, http.listen still
// serves /healthz — 503 while the socket is down, 200 once it is back —
// and the dashboard.
func TestSocketModeHTTPWhileSocketDown(t *testing.T) {
	r := startRig(t, insightRules, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	srv := httptest.NewServer(r.app.Mux)
	defer srv.Close()
	health := func() (int, string) {
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var h struct {
			Adapters map[string]string `json:"adapters"`
		}
		json.NewDecoder(resp.Body).Decode(&h)
		return resp.StatusCode, h.Adapters["slack"]
	}
	r.sf.SetDown(true) // apps.connections.open fails: no new socket
	r.sf.DropSockets()
	r.waitFor("/healthz 503 while the socket is down", func() bool {
		code, slack := health()
		return code == http.StatusServiceUnavailable && slack == "disconnected"
	})
	for _, path := range []string{"/", "/api/threads"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s while the socket is down: %d", path, resp.StatusCode)
		}
	}
	r.sf.SetDown(false)
	r.waitFor("/healthz 200 once the socket is back", func() bool {
		code, slack := health()
		return code == 200 && slack == "connected"
	})
}
