package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/openear/openear/web"
)

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080":    true,
		"127.1.2.3:80":      true,
		"[::1]:80":          true,
		"localhost:8080":    true,
		"LocalHost:8080":    true,
		"127.0.0.1":         true,
		"::1":               true,
		"[::1]":             true,
		"localhost":         true,
		":8080":             false,
		"0.0.0.0:80":        false,
		"[::]:80":           false,
		"192.168.1.10:8080": false,
		"example.com:80":    false,
		"localhost.evil:80": false,
		"":                  false,
	} {
		if got := web.IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestRequireToken(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	for _, tc := range []struct {
		name, token, auth, query string
		want                     int
	}{
		{"no token sent", "s3cret", "", "", 401},
		{"bearer", "s3cret", "Bearer s3cret", "", 200},
		{"bearer lower-case scheme", "s3cret", "bearer s3cret", "", 200},
		{"query", "s3cret", "", "?token=s3cret", 200},
		{"wrong bearer", "s3cret", "Bearer s3cre", "", 401},
		{"wrong query", "s3cret", "", "?token=s3cretX", 401},
		{"basic scheme", "s3cret", "Basic s3cret", "", 401},
		{"wrong bearer beats right query", "s3cret", "Bearer nope", "?token=s3cret", 401},
		{"empty token refuses all", "", "Bearer ", "?token=", 401},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/"+tc.query, nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		web.RequireToken(tc.token, ok).ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, rec.Code, tc.want)
		}
		if rec.Code == 401 && rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", tc.name)
		}
	}
}
