package discord

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// apiPath matches the API path a user may give with the host in api_url:
// "/api" or "/api/v<N>", with or without a trailing slash.
var apiPath = regexp.MustCompile(`/api(/v[0-9]+)?/?$`)

// APIBase turns a discord.api_url into the base that replaces
// https://discord.com: scheme, host and a path prefix. openear's requests
// keep their own /api/v9/… path, so Discord's API path given in api_url
// ("http://host:8081/api/v10/") is dropped: both that and the bare host
// ("http://host:8081") mean the same. Another path ("https://proxy/discord")
// is kept as a prefix.
func APIBase(apiURL string) (*url.URL, error) {
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("discord: api_url %q: want an http(s) URL such as http://127.0.0.1:8081", apiURL)
	}
	u.Path = strings.TrimSuffix(apiPath.ReplaceAllString(u.Path, ""), "/")
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	return u, nil
}

// Limiter paces REST requests; *rate.Limiter satisfies it.
type Limiter interface {
	Wait(ctx context.Context) error
}

// transport paces every REST request through a Limiter and, when api is
// set, sends requests for Discord's hosts to api instead. It tells posted
// what Discord answered to each new message.
type transport struct {
	base  http.RoundTripper
	api   *url.URL // nil: Discord's own
	limit func(ctx context.Context) error
	// posted, when set, hears the answer to every request that creates a
	// message (its channel, status and headers), for the post pacer.
	posted func(channel string, status int, h http.Header)
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := t.limit(r.Context()); err != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, err
	}
	if t.api != nil && isDiscordHost(r.URL.Hostname()) {
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = t.api.Scheme, t.api.Host, ""
		r.URL.Path = strings.TrimSuffix(t.api.Path, "/") + r.URL.Path
		r.URL.RawPath = ""
	}
	resp, err := t.base.RoundTrip(r)
	if t.posted != nil && err == nil {
		if ch := postChannel(r); ch != "" {
			t.posted(ch, resp.StatusCode, resp.Header)
		}
	}
	return resp, err
}

func isDiscordHost(h string) bool {
	for _, d := range []string{"discord.com", "discordapp.com"} {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}
