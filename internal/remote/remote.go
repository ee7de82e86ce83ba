// Package remote reads a running openear over its HTTP API (docs/API.md).
// The commands that read the store — threads, export, digest — use it
// when `openear run` holds the bbolt file, so operators can look while
// the bot runs.
package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/openear/openear/bot"
)

// Client asks one openear's HTTP listener. Its zero value is not usable;
// make one with New.
type Client struct {
	base  string // http://host:port
	token string
	hc    *http.Client
}

// New returns a client for the listener of http.listen (host:port). A
// listener on every interface ("", 0.0.0.0, ::) is reached on loopback.
// token is http.token; it may be empty when the listener asks for none.
func New(listen, token string) (*Client, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("http.listen %q: %w", listen, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return &Client{
		base:  "http://" + net.JoinHostPort(host, port),
		token: token,
		hc:    &http.Client{Timeout: 60 * time.Second},
	}, nil
}

// Base is the URL the client asks, for messages to the user.
func (c *Client) Base() string { return c.base }

// ErrUnauthorized: the listener wants http.token and got none or another.
var ErrUnauthorized = errors.New("the running openear refused the request: set http.token (its ${VAR}) to the token it runs with")

// get fetches path and decodes its JSON body into v; it returns the
// response headers.
func (c *Client) get(ctx context.Context, path string, v any) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ask the running openear: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, ErrUnauthorized
	case resp.StatusCode != http.StatusOK:
		var e struct {
			Error string `json:"error"`
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if json.Unmarshal(body, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(body))
		}
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, e.Error)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return nil, fmt.Errorf("GET %s: decode: %w", path, err)
	}
	return resp.Header, nil
}

// nextLink finds the rel="next" target of a Link header.
var nextLink = regexp.MustCompile(`<([^>]+)>;\s*rel="next"`)

// Threads calls fn for every thread in state ("open", "all", "waiting",
// "answered" or "resolved"), newest first, page by page, until fn returns
// false.
func (c *Client) Threads(ctx context.Context, state string, fn func(bot.Thread) bool) error {
	path := "/api/threads?" + url.Values{"state": {state}, "limit": {"500"}}.Encode()
	for path != "" {
		var page []bot.Thread
		h, err := c.get(ctx, path, &page)
		if err != nil {
			return err
		}
		for _, t := range page {
			if !fn(t) {
				return nil
			}
		}
		path = ""
		if m := nextLink.FindStringSubmatch(h.Get("Link")); m != nil && len(page) > 0 {
			if !strings.HasPrefix(m[1], "/api/threads?") {
				return fmt.Errorf("GET /api/threads: a next page outside the API: %q", m[1])
			}
			path = m[1]
		}
	}
	return nil
}

// Digest returns the digest of the threads created in the last period,
// as the running bot renders it.
func (c *Client) Digest(ctx context.Context, period time.Duration) (string, error) {
	var d struct {
		Text string `json:"text"`
	}
	if _, err := c.get(ctx, "/api/digest?since="+url.QueryEscape(period.String()), &d); err != nil {
		return "", err
	}
	return d.Text, nil
}
