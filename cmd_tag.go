package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/config"
	"github.com/openear/openear/internal/app"
)

// cmdTag tags messages from stdin: plain text lines or JSON lines with a
// "text" field. One output line per input line, in order. With -eval it
// scores the tagger on a labelled JSONL file instead.
func cmdTag(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("tag", "[-config FILE [-learned=false]] [-json] [-use rules|model|rules+model] [-eval FILE.jsonl] < messages", stderr)
	path := fs.String("config", "", "config file whose operator tags to use, and whose store holds the staff corrections to learn (default: built-in rules and the embedded model only)")
	learned := fs.Bool("learned", true, "with -config: learn the staff corrections kept in the config's store")
	asJSON := fs.Bool("json", false, `print one JSON object per line: {"text", "tags": [{"name","score","reason"}]}`)
	useFlag := fs.String("use", "rules+model", "what decides the built-in tags: rules, model or rules+model")
	evalPath := fs.String("eval", "", `score the tagger on a labelled JSONL file ({"text","tag","lang","source"} per line): precision, recall and F1 per tag, macro-F1 per language`)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	use, err := parseUse(*useFlag)
	if err != nil {
		fmt.Fprintln(stderr, err)
		fs.Usage()
		return errUsage
	}
	var rules []tag.Rule
	var cfg config.Config
	if *path != "" {
		if cfg, err = config.Load(*path); err != nil {
			return err
		}
		rules = app.TagRules(cfg)
	}
	tagger, err := tag.Build(tag.Config{Rules: rules, Use: use})
	if err != nil {
		return err
	}
	if *path != "" && *learned {
		if err := learnStored(ctx, tagger, cfg.Storage.Path); err != nil {
			return err
		}
	}
	if *evalPath != "" {
		return evalFile(tagger, *evalPath, stdout)
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

func parseUse(s string) (tag.Use, error) {
	for _, u := range []tag.Use{tag.RulesAndModel, tag.RulesOnly, tag.ModelOnly} {
		if s == u.String() {
			return u, nil
		}
	}
	return 0, fmt.Errorf("-use %q: want rules, model or rules+model", s)
}

// learnStored teaches the tagger the staff corrections kept in the store
// at path. A store that does not exist yet holds none. bbolt lets one
// process open the file: while `openear run` holds it, this fails.
func learnStored(ctx context.Context, tagger *tag.Tagger, path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	db, err := openStore(ctx, "", path)
	if errors.Is(err, bot.ErrLocked) {
		return fmt.Errorf("%w; the running bot holds the store, so its staff corrections cannot be read: stop it, or pass -learned=false to tag without them", err)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	cs, _, err := bot.TagCorrections(ctx, db)
	if err != nil {
		return err
	}
	for _, c := range cs {
		tagger.Learn(c.Correction())
	}
	return nil
}

func evalFile(tagger *tag.Tagger, path string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	examples, err := tag.ReadExamples(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(examples) == 0 {
		return fmt.Errorf("%s: no examples", path)
	}
	_, err = fmt.Fprint(stdout, tag.Evaluate(tagger, examples).String())
	return err
}
