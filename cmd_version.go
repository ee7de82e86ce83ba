package main

import (
	"context"
	"fmt"
	"io"
)

// cmdVersion prints the version.
func cmdVersion(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("version", "", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "openear %s\n", version)
	return nil
}
