// Package version says which openear is running, from what the Go
// toolchain records in every binary (runtime/debug.ReadBuildInfo): the
// module version, the VCS revision and its commit time, and whether the
// tree had uncommitted changes. `openear version` prints it and /metrics
// exposes it as openear_build_info.
//
// # Caveats
//
//   - Go records no build time (builds are reproducible); Info.Time is
//     the commit time of the revision (vcs.time).
//   - `go build` in a git checkout stamps the version (a tag, or a
//     pseudo-version such as v0.0.0-20260701100000-2386aa5c1d9e) and the
//     revision; `go run`, `go test` and builds outside a checkout (or
//     with -buildvcs=false) record neither: the version is then "(devel)"
//     unless Version is set with -ldflags "-X
//     github.com/openear/openear/internal/version.Version=v1.2.3".
package version
