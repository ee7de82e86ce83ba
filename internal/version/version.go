package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Version, when set at link time (-ldflags "-X
// github.com/openear/openear/internal/version.Version=v1.2.3"), replaces
// the module version: for builds without VCS information.
var Version string

// Info is what a binary says about its build.
type Info struct {
	Version   string    `json:"version"`            // module version: a tag, a pseudo-version or "(devel)"
	Revision  string    `json:"revision,omitempty"` // VCS commit
	Time      time.Time `json:"time,omitzero"`      // commit time of Revision (vcs.time), UTC
	Modified  bool      `json:"modified,omitempty"` // built from a tree with uncommitted changes
	GoVersion string    `json:"go"`                 // the toolchain, "go1.26.8"
	Platform  string    `json:"platform"`           // "linux/amd64"
}

// Get returns the running binary's Info.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return From(bi, Version)
}

// From reads Info from build information (nil: none recorded); override,
// when not empty, is the version.
func From(bi *debug.BuildInfo, override string) Info {
	i := Info{Version: "(devel)", GoVersion: runtime.Version()}
	goos, goarch := runtime.GOOS, runtime.GOARCH
	if bi != nil {
		if v := bi.Main.Version; v != "" {
			i.Version = v
		}
		if bi.GoVersion != "" {
			i.GoVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				i.Revision = s.Value
			case "vcs.time":
				if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
					i.Time = t.UTC()
				}
			case "vcs.modified":
				i.Modified = s.Value == "true"
			case "GOOS":
				goos = s.Value
			case "GOARCH":
				goarch = s.Value
			}
		}
	}
	i.Platform = goos + "/" + goarch
	if override != "" {
		i.Version = override
	}
	return i
}

// String is one line: "openear v1.2.3 (commit 2386aa5c1d9e of
// 2026-07-01T10:00:00Z, modified) go1.26.8 linux/amd64".
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "openear %s", i.Version)
	var vcs []string
	if i.Revision != "" {
		r := i.Revision
		if len(r) > 12 {
			r = r[:12]
		}
		c := "commit " + r
		if !i.Time.IsZero() {
			c += " of " + i.Time.Format(time.RFC3339)
		}
		vcs = append(vcs, c)
	}
	if i.Modified {
		vcs = append(vcs, "modified")
	}
	if len(vcs) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(vcs, ", "))
	}
	fmt.Fprintf(&b, " %s %s", i.GoVersion, i.Platform)
	return b.String()
}
