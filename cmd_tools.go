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
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/config"
	"github.com/openear/openear/storage"
)

func cmdCheck(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("check", "-config FILE", stderr)
	path := fs.String("config", "openear.yaml", "config file to validate")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return err
	}
	if _, err := botOptions(cfg); err != nil {
		return fmt.Errorf("%s: %w", *path, err)
	}
	fmt.Fprintf(stdout, "%s: OK\n", *path)
	return nil
}

// cmdTag tags messages from stdin: plain text lines or JSON lines with a
// "text" field. One output line per input line, in order.
func cmdTag(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("tag", "[-config FILE] [-json] < messages", stderr)
	path := fs.String("config", "", "config file whose operator tags to use (default: built-in rules only)")
	asJSON := fs.Bool("json", false, `print one JSON object per line: {"text", "tags": [{"name","score","reason"}]}`)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var rules []tag.Rule
	if *path != "" {
		cfg, err := config.Load(*path)
		if err != nil {
			return err
		}
		for _, t := range cfg.Tags {
			rules = append(rules, tag.Rule{Name: t.Name, Keywords: t.Keywords, Regex: t.Regex})
		}
	}
	tagger, err := tag.New(rules)
	if err != nil {
		return err
	}
	in := bufio.NewScanner(stdin)
	in.Buffer(make([]byte, 64*1024), 4<<20)
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for n := 1; in.Scan(); n++ {
		text := in.Text()
		if strings.HasPrefix(strings.TrimSpace(text), "{") {
			var m struct {
				Text *string `json:"text"`
			}
			if err := json.Unmarshal([]byte(text), &m); err != nil || m.Text == nil {
				return fmt.Errorf("line %d: a line starting with { must be a JSON object with a \"text\" field", n)
			}
			text = *m.Text
		}
		tags := tagger.Tag(text)
		if *asJSON {
			if tags == nil {
				tags = []bot.Tag{}
			}
			if err := enc.Encode(struct {
				Text string    `json:"text"`
				Tags []bot.Tag `json:"tags"`
			}{text, tags}); err != nil {
				return err
			}
			continue
		}
		parts := make([]string, len(tags))
		for i, g := range tags {
			parts[i] = fmt.Sprintf("%s(%.2f: %s)", g.Name, g.Score, g.Reason)
		}
		fmt.Fprintln(out, strings.Join(parts, " "))
	}
	return in.Err()
}

// openStoreFlag opens the store named by -db, or by -config's storage.path.
func openStore(cfgPath, dbPath string) (*storage.DB, error) {
	if dbPath == "" {
		cfg, err := config.Load(cfgPath)
		if err != nil {
			return nil, err
		}
		dbPath = cfg.Storage.Path
	}
	return storage.Open(dbPath, storage.Options{Timeout: time.Second})
}

func cmdThreads(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("threads", "[-config FILE | -db FILE] [-state S] [-json]", stderr)
	cfgPath := fs.String("config", "openear.yaml", "config file (for storage.path)")
	dbPath := fs.String("db", "", "bbolt file (instead of -config)")
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
	db, err := openStore(*cfgPath, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	if !*asJSON {
		fmt.Fprintf(w, "%-6s %-9s %-8s %-12s %-12s %-24s %s\n", "ID", "STATE", "PLATFORM", "CHANNEL", "OWNER", "TAGS", "FIRST MESSAGE")
	}
	var werr error
	err = db.Threads(ctx, func(t bot.Thread) bool {
		if *state != "" && string(t.State) != *state && !(*state == "open" && t.State.Open()) {
			return true
		}
		if *asJSON {
			werr = enc.Encode(t)
			return werr == nil
		}
		first := ""
		if len(t.Messages) > 0 {
			first = t.Messages[0].Text
		}
		_, werr = fmt.Fprintf(w, "%-6d %-9s %-8s %-12s %-12s %-24s %s\n", t.ID, t.State, t.Platform, t.Channel, dash(t.Owner),
			dash(strings.Join(t.TagNames(), ",")), oneLine(first, 60))
		return werr == nil
	})
	return errors.Join(err, werr)
}

func cmdExport(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("export", "[-config FILE | -db FILE] -format csv|json", stderr)
	cfgPath := fs.String("config", "openear.yaml", "config file (for storage.path)")
	dbPath := fs.String("db", "", "bbolt file (instead of -config)")
	format := fs.String("format", "csv", "csv or json (JSON lines, one thread per line)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "csv" && *format != "json" {
		return fmt.Errorf("-format %q: want csv or json", *format)
	}
	db, err := openStore(*cfgPath, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	cw := csv.NewWriter(bw)
	defer cw.Flush()
	if *format == "csv" {
		cw.Write([]string{"id", "platform", "channel", "customer", "state", "owner", "team", "tags", "created", "first_reply", "first_response_s", "sla_met", "sla_missed", "resolved_at", "messages", "first_message"})
	}
	var werr error
	err = db.Threads(ctx, func(t bot.Thread) bool {
		if *format == "json" {
			werr = enc.Encode(t)
			return werr == nil
		}
		first := ""
		if len(t.Messages) > 0 {
			first = t.Messages[0].Text
		}
		werr = cw.Write([]string{strconv.FormatUint(t.ID, 10), t.Platform, t.Channel, t.Customer, string(t.State), t.Owner, t.Team,
			strings.Join(t.TagNames(), ";"), ts(t.Created), ts(t.FirstReply), strconv.FormatFloat(t.FirstResponse().Seconds(), 'f', 0, 64),
			strconv.Itoa(t.Met), strconv.Itoa(t.Missed), ts(t.ResolvedAt), strconv.Itoa(t.MsgCount), first})
		return werr == nil
	})
	return errors.Join(err, werr)
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// cmdDigest prints the digest of a period to the terminal: the same text
// the bot posts daily.
func cmdDigest(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("digest", "[-config FILE | -db FILE] [-since 7d]", stderr)
	cfgPath := fs.String("config", "openear.yaml", "config file (for storage.path)")
	dbPath := fs.String("db", "", "bbolt file (instead of -config)")
	sinceFlag := fs.String("since", "1d", "the period: 1d, 7d, 36h …")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	since, err := parsePeriod(*sinceFlag)
	if err != nil {
		return fmt.Errorf("-since: %w", err)
	}
	db, err := openStore(*cfgPath, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	now := time.Now()
	var period, waiting []bot.Thread
	err = db.Threads(ctx, func(t bot.Thread) bool {
		if !t.Created.Before(now.Add(-since)) {
			period = append(period, t)
		}
		if t.State == bot.Waiting {
			waiting = append(waiting, t)
		}
		return true
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, bot.DigestText(period, waiting, now.Add(-since), now))
	return nil
}
