package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/textfmt"
)

// cmdExport writes every stored thread as CSV or JSON lines.
func cmdExport(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("export", "[-config FILE | -db FILE] -format csv|json", stderr)
	cfgPath := fs.String("config", "openear.yaml", "config file (for its storage section)")
	dbPath := fs.String("db", "", "bbolt file or postgres:// URL (instead of -config)")
	format := fs.String("format", "csv", "csv or json (JSON lines, one thread per line)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "csv" && *format != "json" {
		return fmt.Errorf("-format %q: want csv or json", *format)
	}
	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	cw := csv.NewWriter(bw)
	defer cw.Flush()
	if *format == "csv" {
		cw.Write([]string{"id", "platform", "channel", "customer", "state", "owner", "team", "tags", "created", "first_reply", "first_response_s", "sla_met", "sla_missed", "resolved_at", "messages", "first_message"})
	}
	var werr error
	err := readThreads(ctx, *cfgPath, *dbPath, "all", stderr, func(t bot.Thread) bool {
		if *format == "json" {
			werr = enc.Encode(t)
			return werr == nil
		}
		werr = cw.Write([]string{strconv.FormatUint(t.ID, 10), t.Platform, t.Channel, t.Customer, string(t.State), t.Owner, t.Team,
			strings.Join(t.TagNames(), ";"), textfmt.Time(t.Created), textfmt.Time(t.FirstReply), strconv.FormatFloat(t.FirstResponse().Seconds(), 'f', 0, 64),
			strconv.Itoa(t.Met), strconv.Itoa(t.Missed), textfmt.Time(t.ResolvedAt), strconv.Itoa(t.MsgCount), t.FirstText()})
		return werr == nil
	})
	return errors.Join(err, werr)
}
