package tag_test

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/openear/openear/bot/tag"
)

func readExamples(t testing.TB, path string) []tag.Example {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ex, err := tag.ReadExamples(f)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

func trainSmall(t testing.TB, ex []tag.Example, seed uint64) []byte {
	t.Helper()
	m, err := tag.Train(ex, tag.TrainOptions{Seed: seed, Bits: 12, Epochs: 3})
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Same data and seed give the same bytes, whatever the order of the
// examples; another seed gives other weights. The bytes load back.
func TestTrainDeterministic(t *testing.T) {
	ex := readExamples(t, "testdata/train_small.jsonl")
	a := trainSmall(t, ex, 1)
	rev := slices.Clone(ex)
	slices.Reverse(rev)
	if b := trainSmall(t, rev, 1); !bytes.Equal(a, b) {
		t.Fatal("training twice on the same examples gave different models")
	}
	if c := trainSmall(t, ex, 2); bytes.Equal(a, c) {
		t.Fatal("another seed gave the same model")
	}
	m, err := tag.LoadModel(a)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := m.MarshalBinary()
	if !bytes.Equal(a, again) {
		t.Fatal("a loaded model writes other bytes")
	}
	// The small model tags what it was trained on, with model reasons.
	tg, err := tag.Build(tag.Config{Model: m, Use: tag.ModelOnly})
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	for _, e := range ex {
		tags := tg.Tag(e.Text)
		checkTags(t, e.Text, tags)
		if hasTag(tags, e.Tag) {
			right++
			if e.Tag != tag.Noise && !strings.HasPrefix(reasonOf(tags, e.Tag), "model "+e.Tag+"/") {
				t.Errorf("Tag(%q) %s reason %q: not the model's", e.Text, e.Tag, reasonOf(tags, e.Tag))
			}
		}
	}
	if right < len(ex)/2 {
		t.Errorf("the model tags %d of its %d training rows right", right, len(ex))
	}
}

// The variants tried in docs/TAGGING.md train too; one bag is not four.
func TestTrainVariants(t *testing.T) {
	ex := readExamples(t, "testdata/train_small.jsonl")
	bags := map[int][]byte{}
	for _, o := range []tag.TrainOptions{
		{Bits: 12, Seed: 1},
		{Bits: 12, Seed: 1, Bags: 1},
		{Bits: 12, Seed: 1, Thresholds: "source"},
		{Bits: 12, Seed: 1, Thresholds: "weighted"},
	} {
		m, err := tag.Train(ex, o)
		if err != nil {
			t.Fatalf("Train(%+v): %v", o, err)
		}
		b, _ := m.MarshalBinary()
		if o.Thresholds == "" {
			bags[o.Bags] = b
		}
	}
	if bytes.Equal(bags[0], bags[1]) {
		t.Error("four bags gave the model of one")
	}
}

func TestTrainErrors(t *testing.T) {
	for _, c := range []struct {
		ex   []tag.Example
		want string
	}{
		{nil, "no en examples"},
		{[]tag.Example{{Text: "hello", Tag: "billing", Lang: "en"}}, `"billing" is not built in`},
		{[]tag.Example{{Text: "the app crashes", Tag: "defect", Lang: "en"}}, "no ko examples"},
	} {
		if _, err := tag.Train(c.ex, tag.TrainOptions{Bits: 10}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Train(%v) error %v, want %q", c.ex, err, c.want)
		}
	}
	if _, err := tag.Train(nil, tag.TrainOptions{Bits: 30}); err == nil {
		t.Error("Train with 30 bits did not fail")
	}
	if _, err := tag.Train(nil, tag.TrainOptions{Bits: 10, Thresholds: "best"}); err == nil || !strings.Contains(err.Error(), `thresholds "best"`) {
		t.Errorf("Train with thresholds best: error %v", err)
	}
	if _, err := tag.Train(nil, tag.TrainOptions{Bits: 10, Lang: "fr"}); err == nil || !strings.Contains(err.Error(), `language "fr"`) {
		t.Errorf("Train in French: error %v", err)
	}
	// One language alone: the other needs no examples.
	en := []tag.Example{{Text: "the app crashes", Tag: "defect", Lang: "en"}}
	if _, err := tag.Train(en, tag.TrainOptions{Bits: 10, Lang: "en"}); err != nil {
		t.Errorf("Train in English only: %v", err)
	}
}

func TestLoadModelErrors(t *testing.T) {
	good := trainSmall(t, readExamples(t, "testdata/train_small.jsonl"), 1)
	for name, data := range map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("not-a-model-file-at-all"), good[20:]...),
		"version":   append(append([]byte("openear-tag-model"), 9), good[18:]...),
		"truncated": good[:len(good)-100],
		"trailing":  append(slices.Clone(good), 0),
	} {
		if _, err := tag.LoadModel(data); err == nil {
			t.Errorf("LoadModel(%s) did not fail", name)
		}
	}
}

func TestEmbeddedModel(t *testing.T) {
	m, err := tag.EmbeddedModel()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.MarshalBinary()
	if len(b) > 10<<20 {
		t.Errorf("embedded model is %d bytes, more than 10 MiB", len(b))
	}
	if !strings.Contains(m.Info(), "trained on") {
		t.Errorf("info %q", m.Info())
	}
}

func TestReadExamples(t *testing.T) {
	ex, err := tag.ReadExamples(strings.NewReader(`{"text":"it crashes","tag":"Defect","source":"x"}` + "\n\n" +
		`{"text":"결제가 안 돼요","tag":"other","lang":"ko"}`))
	if err != nil || len(ex) != 2 || ex[0].Tag != "defect" || ex[0].Lang != "en" || ex[1].Lang != "ko" {
		t.Fatalf("ReadExamples = %+v, %v", ex, err)
	}
	for _, c := range []struct{ in, want string }{
		{`{"text":"x"`, "line 1"},
		{`{"tag":"idea"}`, "line 1: no text"},
		{`{"text":"x"}`, "line 1: no tag"},
		{`{"text":"x","tag":"bad tag"}`, `"bad tag" is not a tag name`},
		{"\n" + `{"text":"x","tag":"idea","lang":"fr"}`, `line 2: lang "fr"`},
	} {
		if _, err := tag.ReadExamples(strings.NewReader(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadExamples(%q) error %v, want %q", c.in, err, c.want)
		}
	}
}

// stubTagger gives fixed tags per text.
type stubTagger map[string][]string

func (s stubTagger) Tag(text string) []tag.Tag {
	var out []tag.Tag
	for _, n := range s[text] {
		out = append(out, tag.Tag{Name: n, Score: 1, Reason: "stub"})
	}
	return out
}

// Evaluate groups rows by text, counts a defect as a complaint too, and
// scores a tag only on the sources that use it.
func TestEvaluateCounts(t *testing.T) {
	ex := []tag.Example{
		{Text: "a", Tag: "question", Lang: "en", Source: "s1"},
		{Text: "a", Tag: "complaint", Lang: "en", Source: "s1"},
		{Text: "b", Tag: "defect", Lang: "en", Source: "s1"},
		{Text: "c", Tag: "other", Lang: "en", Source: "s1"},
		{Text: "d", Tag: "idea", Lang: "en", Source: "s2"},
		{Text: "e", Tag: "praise", Lang: "ko", Source: "s3"},
	}
	st := stubTagger{
		"a": {"question"},            // complaint missed
		"b": {"complaint", "urgent"}, // defect missed; urgent is nobody's tag
		"c": {"complaint", "idea"},   // complaint wrong; idea is not s1's tag
		"d": {"idea", "question"},    // question is not s2's tag
		"e": {"praise"},
	}
	rep := tag.Evaluate(st, ex)
	en, _ := rep.Lang("en")
	ko, _ := rep.Lang("ko")
	want := map[string]tag.Counts{
		"question":  {TP: 1},
		"complaint": {TP: 1, FP: 1, FN: 1},
		"defect":    {FN: 1},
		"idea":      {TP: 1},
	}
	if en.Messages != 4 || !mapsEqual(en.Tags, want) {
		t.Errorf("en: %d messages, %v; want 4, %v", en.Messages, en.Tags, want)
	}
	if ko.Messages != 1 || !mapsEqual(ko.Tags, map[string]tag.Counts{"praise": {TP: 1}}) || ko.MacroF1() != 1 {
		t.Errorf("ko: %+v", ko)
	}
	// question 1, complaint 0.5, defect 0, idea 1
	if got := en.MacroF1(); got != 0.625 {
		t.Errorf("en macro-F1 = %v, want 0.625", got)
	}
	if got := en.MacroF1Of("question", "idea", "praise"); got != 1 {
		t.Errorf("macro-F1 over question, idea = %v", got)
	}
}

func mapsEqual(a, b map[string]tag.Counts) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// openearExamples are the examples written for openear (the training
// data): customer messages of every kind.
func openearExamples(t testing.TB) []tag.Example {
	var all []tag.Example
	for _, f := range []string{"openear_en.jsonl", "openear_ko.jsonl"} {
		all = append(all, readExamples(t, "../../internal/tagtrain/data/"+f)...)
	}
	return all
}

var modelReason = regexp.MustCompile(`^model (complaint|defect|question|praise|idea|urgent)/(en|ko) [01]\.\d\d(: (".+"|\([^)]+\)) [+-]\d+\.\d( \([a-z ,]+\))?(, (".+"|\([^)]+\)) [+-]\d+\.\d( \([a-z ,]+\))?)*)?$`)

// Every tag of the default tagger has a reason, and one the model gave
// says so: its probability and the places that weighed most.
func TestModelReasons(t *testing.T) {
	tg, err := tag.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	byModel := 0
	for _, e := range openearExamples(t) {
		tags := tg.Tag(e.Text)
		checkTags(t, e.Text, tags)
		for _, g := range tags {
			if g.Name == tag.Noise {
				continue
			}
			parts := strings.Split(g.Reason, "; ")
			last := parts[len(parts)-1]
			if !modelReason.MatchString(last) {
				t.Errorf("Tag(%q) %s: reason %q does not end with the model's part", e.Text, g.Name, g.Reason)
			}
			if len(parts) == 1 && strings.Contains(last, ": ") {
				byModel++ // no rule matched: the model alone, with its features
			}
		}
	}
	if byModel < 100 {
		t.Errorf("only %d tags given by the model alone with features in their reason", byModel)
	}
}

// Noise stays precise: no customer question, complaint, defect, idea or
// urgent message of the training examples is tagged noise, and small talk
// is.
func TestNoisePrecision(t *testing.T) {
	tg, err := tag.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range openearExamples(t) {
		switch e.Tag {
		case tag.Question, tag.Complaint, tag.Defect, tag.Idea, tag.Urgent:
			n++
			if tags := tg.Tag(e.Text); hasTag(tags, tag.Noise) {
				t.Errorf("%s message %q tagged noise: %v", e.Tag, e.Text, tags)
			}
		}
	}
	if n < 2000 {
		t.Fatalf("only %d customer messages checked", n)
	}
	for _, text := range []string{"thanks!", "ok 👍", "감사합니다", "넵 확인했습니다", "👍", "hi team", "네 알겠습니다 ㅎㅎ"} {
		if tags := tg.Tag(text); !tag.IsNoise(tags) {
			t.Errorf("Tag(%q) = %v, want noise", text, tags)
		}
	}
}

// The rules and the model together: tags every reader would expect, and
// none they would not. Robust to retraining: a table of clear cases.
func TestRulesAndModel(t *testing.T) {
	tg, err := tag.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text      string
		want, not string // comma-separated
	}{
		{"The checkout page crashes every time I click Pay", "defect", "praise,idea,question"},
		{"How do I export my invoices?", "question", "defect,praise,urgent"},
		{"Love the new dashboard, great work team!", "praise", "complaint,defect,urgent"},
		{"It would be great if you could add dark mode", "idea", "defect,urgent"},
		{"URGENT: production is down for all users", "urgent,defect", "praise,idea"},
		{"I want a refund, this product is useless", "complaint", "praise,idea"},
		{"결제가 안 돼요", "defect", "praise,idea"},
		{"비밀번호는 어떻게 바꾸나요?", "question", "defect,praise,urgent"},
		{"새 대시보드 최고예요!", "praise", "complaint,defect"},
		{"다크 모드 기능 추가해 주시면 좋겠어요", "idea", "defect,urgent"},
		{"고객센터 대응이 최악이에요", "complaint", "praise,idea"},
		{"긴급: 서버 다운입니다", "urgent,defect", "praise,idea"},
	} {
		tags := tg.Tag(c.text)
		checkTags(t, c.text, tags)
		for _, w := range strings.Split(c.want, ",") {
			if !hasTag(tags, w) {
				t.Errorf("Tag(%q) = %v, want %s", c.text, tags, w)
			}
		}
		for _, n := range strings.Split(c.not, ",") {
			if hasTag(tags, n) {
				t.Errorf("Tag(%q) = %v, want no %s", c.text, tags, n)
			}
		}
	}
}

// Rules alone, the model alone and both are three taggers of one model.
func TestUses(t *testing.T) {
	m, err := tag.EmbeddedModel()
	if err != nil {
		t.Fatal(err)
	}
	text := "The checkout page crashes every time I click Pay"
	rules, _ := tag.Build(tag.Config{Use: tag.RulesOnly})
	model, _ := tag.Build(tag.Config{Use: tag.ModelOnly, Model: m})
	if r := reasonOf(rules.Tag(text), tag.Defect); r != `rule defect/en: matched "crashes"` {
		t.Errorf("rules only: defect reason %q", r)
	}
	for _, g := range model.Tag(text) {
		if !strings.HasPrefix(g.Reason, "model ") {
			t.Errorf("model only: %s reason %q", g.Name, g.Reason)
		}
	}
	if tag.RulesOnly.String() != "rules" || tag.ModelOnly.String() != "model" || tag.RulesAndModel.String() != "rules+model" {
		t.Error("Use names")
	}
}
