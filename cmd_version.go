package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/openear/openear/internal/version"
)

// cmdVersion prints the module version, VCS revision and commit time the
// Go toolchain recorded in the binary (internal/version).
func cmdVersion(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("version", "[-json]", stderr)
	asJSON := fs.Bool("json", false, "print JSON: version, revision, time, modified, go, platform")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	info := version.Get()
	if *asJSON {
		return json.NewEncoder(stdout).Encode(info)
	}
	_, err := fmt.Fprintln(stdout, info)
	return err
}
