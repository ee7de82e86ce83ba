package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/config"
	"github.com/openear/openear/internal/app"
)

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
		rules = app.TagRules(cfg)
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
