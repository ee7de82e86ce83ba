package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestHealthzAndDashboardOnLoopback: /healthz reports both adapters, and
// on loopback the dashboard needs no token (access_test.go covers the
// token off loopback).
func TestHealthzAndDashboardOnLoopback(t *testing.T) {
	r := startRig(t, insightRules, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	srv := httptest.NewServer(r.app.Mux)
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
