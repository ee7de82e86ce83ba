package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/textfmt"
)

// cmdThreads lists stored threads, as a table or JSON lines.
func cmdThreads(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("threads", "[-config FILE | -db FILE] [-state S] [-json]", stderr)
	cfgPath := fs.String("config", "openear.yaml", "config file (for its storage section)")
	dbPath := fs.String("db", "", "bbolt file or postgres:// URL (instead of -config)")
	state := fs.String("state", "", "only threads in this state: waiting, answered, resolved, open")
	asJSON := fs.Bool("json", false, "print JSON lines")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch *state {
	case "", "waiting", "answered", "resolved", "open":
	default:
		return fmt.Errorf("-state %q: want waiting, answered, resolved or open", *state)
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	if !*asJSON {
		fmt.Fprintf(w, "%-6s %-9s %-8s %-12s %-12s %-24s %s\n", "ID", "STATE", "PLATFORM", "CHANNEL", "OWNER", "TAGS", "FIRST MESSAGE")
	}
	var werr error
	err := readThreads(ctx, *cfgPath, *dbPath, cmp.Or(*state, "all"), stderr, func(t bot.Thread) bool {
		if *asJSON {
			werr = enc.Encode(t)
			return werr == nil
		}
		_, werr = fmt.Fprintf(w, "%-6d %-9s %-8s %-12s %-12s %-24s %s\n", t.ID, t.State, t.Platform, t.Channel, textfmt.Dash(t.Owner),
			textfmt.Dash(strings.Join(t.TagNames(), ",")), textfmt.OneLine(t.FirstText(), 60))
		return werr == nil
	})
	return errors.Join(err, werr)
}
