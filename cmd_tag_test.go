package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/storage"
)

// The figures of the rules on a small labelled file, worked out by hand:
// en complaint expects rows 1 (a defect is a complaint too), 3 and 8, and
// the rules give it to 1 (their defect is a complaint too) and 3;
// "Could you add support for Google SSO?" is an idea, and the rules'
// question is a false positive. In Korean the rules find all three
// complaints, the defect "결제가 안 돼요" among them.
const rulesEval = `en (rules): 9 messages
  tag          precision recall     F1  support
  complaint        1.000  0.667  0.800        3
  defect           1.000  1.000  1.000        1
  idea             1.000  1.000  1.000        2
  noise            1.000  1.000  1.000        1
  praise           1.000  1.000  1.000        1
  question         0.500  1.000  0.667        1
  macro-F1                       0.911

ko (rules): 6 messages
  tag          precision recall     F1  support
  complaint        1.000  1.000  1.000        3
  defect           1.000  1.000  1.000        1
  noise            1.000  1.000  1.000        1
  praise           1.000  1.000  1.000        1
  question         1.000  1.000  1.000        1
  macro-F1                       1.000
`

func TestTagEval(t *testing.T) {
	code, out, errs := run(t, "", "tag", "-use", "rules", "-eval", "testdata/tag_eval.jsonl")
	if code != 0 || out != rulesEval {
		t.Fatalf("tag -use rules -eval: exit %d, stderr %q, got\n%s\nwant\n%s", code, errs, out, rulesEval)
	}
	// The default (rules and model) prints the same table; its counts are
	// those of the tags `tag -json` gives the same texts.
	code, out, errs = run(t, "", "tag", "-eval", "testdata/tag_eval.jsonl")
	if code != 0 || !strings.HasPrefix(out, "en (rules+model): 9 messages\n") || !strings.Contains(out, "ko (rules+model): 6 messages") {
		t.Fatalf("tag -eval: exit %d, %s\n%s", code, errs, out)
	}
	f, err := os.Open("testdata/tag_eval.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ex, err := tag.ReadExamples(f)
	if err != nil {
		t.Fatal(err)
	}
	var in strings.Builder
	for _, e := range ex {
		in.WriteString(e.Text + "\n")
	}
	_, js, _ := run(t, in.String(), "tag", "-json")
	given := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(js), "\n") {
		var v struct {
			Text string    `json:"text"`
			Tags []bot.Tag `json:"tags"`
		}
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatal(err)
		}
		for _, g := range v.Tags {
			given[v.Text+"\x00"+g.Name] = true
		}
	}
	// Count every tag of the fixture (one source) from the -json tags.
	type key struct{ lang, tag string }
	counts := map[key]*tag.Counts{}
	want := map[string]map[string]bool{} // text -> expected tags
	lang := map[string]string{}
	for _, e := range ex {
		if want[e.Text] == nil {
			want[e.Text] = map[string]bool{}
		}
		lang[e.Text] = e.Lang
		switch e.Tag {
		case "other":
		case "defect":
			want[e.Text]["defect"], want[e.Text]["complaint"] = true, true
		default:
			want[e.Text][e.Tag] = true
		}
		for name := range want[e.Text] {
			if counts[key{e.Lang, name}] == nil {
				counts[key{e.Lang, name}] = &tag.Counts{}
			}
		}
	}
	for text, w := range want {
		for k, c := range counts {
			if k.lang != lang[text] {
				continue
			}
			switch g := given[text+"\x00"+k.tag]; {
			case g && w[k.tag]:
				c.TP++
			case w[k.tag]:
				c.FN++
			case g:
				c.FP++
			}
		}
	}
	for k, c := range counts {
		row := fmt.Sprintf("  %-12s %9.3f %6.3f %6.3f %8d\n", k.tag, c.Precision(), c.Recall(), c.F1(), c.TP+c.FN)
		section := out[strings.Index(out, k.lang+" (rules+model)"):]
		if next := strings.Index(section[1:], "\n\n"); next > 0 {
			section = section[:next+1]
		}
		if !strings.Contains(section, row) {
			t.Errorf("tag -eval %s lacks %q (from tag -json):\n%s", k.lang, row, out)
		}
	}
	for _, args := range [][]string{{"tag", "-eval", "nope.jsonl"}, {"tag", "-use", "magic"}} {
		if code, _, _ := run(t, "", args...); code == 0 {
			t.Errorf("%v: exit 0", args)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	writeFile(t, bad, `{"text": "x"}`+"\n")
	if code, _, errs := run(t, "", "tag", "-eval", bad); code == 0 || !strings.Contains(errs, "line 1: no tag") {
		t.Errorf("tag -eval of a row without a tag: exit %d, %q", code, errs)
	}
}

// correctedStore writes a thread and a staff correction (billing) through
// the real bot into a bbolt file, and a config naming it.
func correctedStore(t *testing.T) (cfg, db string) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "openear.db")
	store, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	clock := bottest.NewClock(time.Now().Add(-time.Hour))
	b, err := bot.New(ctx, bot.Options{Store: store, Clock: clock,
		People: []bot.Person{{Name: "alice", IDs: map[string]string{bot.Slack: "UALICE"}}},
		Teams:  []bot.Team{{Name: "support", Members: []string{"alice"}}},
		Rules:  []bot.Rule{{Team: "support"}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.Handle(ctx, bot.Event{ID: "E1", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1",
		MessageID: "1700000000.000001", User: "UC1", Text: "The loyalty stamps from the Gangnam branch never show up in my wallet"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if _, err := b.Handle(ctx, bot.Event{ID: "E2", Kind: bot.KindCommand, Platform: bot.Slack, User: "UALICE", Staff: true,
		Text: "tag " + bot.FormatID(res.ThreadID) + " billing"}); err != nil {
		t.Fatal(err)
	}
	cfg = filepath.Join(dir, "openear.yaml")
	writeFile(t, cfg, "storage:\n  path: "+db+"\n")
	return cfg, db
}

// tag -config learns the corrections kept in the config's store; while
// another process holds the store it says so, and -learned=false tags
// without them.
func TestTagLearnsStoredCorrections(t *testing.T) {
	cfg, db := correctedStore(t)
	const similar = "My loyalty stamps from the Hongdae branch never show up in the wallet\n"
	code, out, errs := run(t, similar, "tag", "-config", cfg)
	if code != 0 || !strings.Contains(out, "billing(") || !strings.Contains(out, "learned billing/en") {
		t.Fatalf("tag -config: exit %d, %q, %q", code, out, errs)
	}
	if code, out, _ := run(t, similar, "tag"); code != 0 || strings.Contains(out, "billing") {
		t.Fatalf("tag without -config: exit %d, %q", code, out)
	}
	held, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	code, _, errs = run(t, similar, "tag", "-config", cfg)
	if code == 0 || !strings.Contains(errs, "-learned=false") {
		t.Fatalf("tag -config on a held store: exit %d, %q", code, errs)
	}
	code, out, errs = run(t, similar, "tag", "-config", cfg, "-learned=false")
	if code != 0 || strings.Contains(out, "billing") {
		t.Fatalf("tag -learned=false: exit %d, %q, %q", code, out, errs)
	}
}

// replay shows which threads of the history the corrections change.
func TestReplayShowsLearnedChanges(t *testing.T) {
	cfg, db := correctedStore(t)
	store, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	b, err := bot.New(ctx, bot.Options{Store: store, Rules: []bot.Rule{{}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Handle(ctx, bot.Event{ID: "E3", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C2",
		MessageID: "1700000000.000003", User: "UC2", Text: "My loyalty stamps from the Hongdae branch never show up in the wallet"}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	code, out, errs := run(t, "", "replay", "-config", cfg)
	if code != 0 || !strings.Contains(out, "Threads whose tags the 1 staff corrections change: 2") ||
		!strings.Contains(out, "+billing") {
		t.Fatalf("replay: exit %d, %s\n%s", code, errs, out)
	}
}
