package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
)

// RequireToken lets a request through to next only when it carries token,
// as "Authorization: Bearer <token>" or as the query parameter "token"
// (so a browser can open a bookmarked link). Tokens are compared in
// constant time. Any other request gets 401. An empty token lets nothing
// through: an unset secret never means "accept everything".
func RequireToken(token string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token == "" || !tokenOK(want, presented(r)) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="openear"`)
			http.Error(w, "401 unauthorized: a dashboard token is required (Authorization: Bearer <token> or ?token=)", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// presented returns the token a request carries, or "".
func presented(r *http.Request) string {
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(tok)
	}
	return r.URL.Query().Get("token")
}

// tokenOK compares hashes, so that neither the content nor the length of
// the token leaks through timing.
func tokenOK(want [sha256.Size]byte, got string) bool {
	if got == "" {
		return false
	}
	h := sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(want[:], h[:]) == 1
}

// IsLoopback reports whether a listen address ("host:port" or a bare host)
// only accepts connections from this machine: "localhost" or an address in
// 127.0.0.0/8 or ::1. An empty host (":8080") listens on every interface,
// so it is not loopback; other host names are not resolved and count as
// not loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	host, _, _ = strings.Cut(host, "%") // IPv6 zone
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
