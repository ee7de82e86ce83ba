package version_test

import (
	"runtime/debug"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/openear/openear/internal/version"
)

func TestFrom(t *testing.T) {
	stamped := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/openear/openear", Version: "v0.3.1"},
		Settings: []debug.BuildSetting{
			{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"}, {Key: "CGO_ENABLED", Value: "0"},
			{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "2386aa5c1d9e0123456789abcdef012345678901"},
			{Key: "vcs.time", Value: "2026-07-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
		}}
	cases := []struct {
		name     string
		bi       *debug.BuildInfo
		override string
		want     version.Info
		line     string
	}{
		{"stamped", stamped, "", version.Info{Version: "v0.3.1", Revision: "2386aa5c1d9e0123456789abcdef012345678901",
			Time: time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC), Modified: true, GoVersion: "go1.26.8", Platform: "linux/arm64"},
			"openear v0.3.1 (commit 2386aa5c1d9e of 2026-07-01T10:00:00Z, modified) go1.26.8 linux/arm64"},
		{"override", stamped, "v9.9.9", version.Info{Version: "v9.9.9", Revision: "2386aa5c1d9e0123456789abcdef012345678901",
			Time: time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC), Modified: true, GoVersion: "go1.26.8", Platform: "linux/arm64"},
			"openear v9.9.9 (commit 2386aa5c1d9e of 2026-07-01T10:00:00Z, modified) go1.26.8 linux/arm64"},
		{"go run", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/openear/openear", Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "amd64"}}},
			"", version.Info{Version: "(devel)", GoVersion: "go1.26.8", Platform: "linux/amd64"},
			"openear (devel) go1.26.8 linux/amd64"},
	}
	for _, c := range cases {
		got := version.From(c.bi, c.override)
		if got != c.want {
			t.Errorf("%s: From = %+v, want %+v", c.name, got, c.want)
		}
		if s := got.String(); s != c.line {
			t.Errorf("%s: String = %q, want %q", c.name, s, c.line)
		}
	}
	if got := version.From(nil, ""); got.Version != "(devel)" || got.GoVersion == "" || got.Platform == "" {
		t.Errorf("From(nil) = %+v", got)
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
