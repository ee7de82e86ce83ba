package l10n_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"text/template/parse"

	"go.yaml.in/yaml/v3"

	"github.com/openear/openear/internal/l10n"
)

// message is one catalog entry: its plural forms ("other" alone for a
// plain string).
type message map[string]string

// readCatalog reads catalog/<lang>.yaml as the translators wrote it.
func readCatalog(t *testing.T, lang string) map[string]message {
	t.Helper()
	buf, err := os.ReadFile(filepath.Join("catalog", lang+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(buf, &raw); err != nil {
		t.Fatalf("%s.yaml: %v", lang, err)
	}
	out := map[string]message{}
	for key, v := range raw {
		switch v := v.(type) {
		case string:
			out[key] = message{"other": v}
		case map[string]any:
			m := message{}
			for form, text := range v {
				s, ok := text.(string)
				if !ok || !slices.Contains([]string{"zero", "one", "two", "few", "many", "other"}, form) {
					t.Errorf("%s.yaml: %s.%s: not a plural form with a text", lang, key, form)
				}
				m[form] = s
			}
			out[key] = m
		default:
			t.Errorf("%s.yaml: %s: %T is neither a text nor plural forms", lang, key, v)
		}
	}
	return out
}

// placeholders returns the names of the fields a template uses ({{.ID}}
// gives "ID"), or an error if it does not parse.
func placeholders(src string) ([]string, error) {
	tmpl, err := template.New("m").Parse(src)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c)
				}
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			set[n.Ident[0]] = true
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(tmpl.Tree.Root)
	return slices.Sorted(maps.Keys(set)), nil
}

// TestCatalogs fails when a key lacks its text in a language, when a
// text's placeholders differ between languages or between its plural
// forms, when a text does not parse, or when a message counting with Count
// lacks the plural forms its language needs.
func TestCatalogs(t *testing.T) {
	cats := map[string]map[string]message{}
	for _, lang := range l10n.Langs() {
		cats[lang] = readCatalog(t, lang)
	}
	for _, p := range catalogProblems(cats) {
		t.Error(p)
	}
}

// TestCatalogProblems: the check of TestCatalogs finds each kind of
// mistake.
func TestCatalogProblems(t *testing.T) {
	cats := map[string]map[string]message{
		"en": {
			"ok":         {"other": "Thread #{{.ID}}"},
			"no_ko":      {"other": "only English"},
			"renamed":    {"other": "Thread #{{.ID}} by {{.Who}}"},
			"count":      {"other": "{{.Count}} threads"},
			"bad":        {"other": "Thread {{.ID"},
			"empty":      {"other": " "},
			"forms":      {"one": "{{.Count}} thread", "other": "{{.Count}} threads of {{.Owner}}"},
			"no_count":   {"one": "a thread", "other": "threads"},
			"ko_missing": {"one": "{{.Count}} thread", "other": "{{.Count}} threads"},
		},
		"ko": {
			"ok":         {"other": "스레드 #{{.ID}}"},
			"only_ko":    {"other": "한국어만"},
			"renamed":    {"other": "{{.Actor}} 님의 스레드 #{{.ID}}"},
			"count":      {"other": "스레드 {{.Count}}개"},
			"bad":        {"other": "스레드 {{.ID}}"},
			"empty":      {"other": "비어 있지 않음"},
			"forms":      {"other": "스레드 {{.Count}}개"},
			"no_count":   {"other": "스레드"},
			"ko_missing": {"one": "스레드 {{.Count}}개"},
		},
	}
	got := strings.Join(catalogProblems(cats), "\n")
	for _, want := range []string{
		"no_ko has no ko text",
		"only_ko has a ko text but no English one",
		"ko: renamed (other) has placeholders [Actor ID]; the English text has [ID Who]",
		`en: count counts with Count but has no "one" form`,
		"en: bad (other): template",
		"en: empty (other) is empty",
		"en: forms (other) has placeholders [Count Owner]; the English text has [Count]",
		"en: no_count has plural forms but no Count placeholder to choose one",
		`ko: ko_missing counts with Count but has no "other" form`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems do not say %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "ok ") || strings.Contains(got, ": ok") {
		t.Errorf("a good message is reported:\n%s", got)
	}
}

// catalogProblems checks catalogs by language (English first in Langs).
func catalogProblems(cats map[string]map[string]message) []string {
	var out []string
	langs := slices.Sorted(maps.Keys(cats))
	en := cats[l10n.English]
	for _, lang := range langs {
		if lang == l10n.English {
			continue
		}
		for _, key := range slices.Sorted(maps.Keys(en)) {
			if _, ok := cats[lang][key]; !ok {
				out = append(out, fmt.Sprintf("%s has no %s text", key, lang))
			}
		}
		for _, key := range slices.Sorted(maps.Keys(cats[lang])) {
			if _, ok := en[key]; !ok {
				out = append(out, fmt.Sprintf("%s has a %s text but no English one", key, lang))
			}
		}
	}
	need := map[string][]string{l10n.English: {"one", "other"}, l10n.Korean: {"other"}}
	order := append([]string{l10n.English}, slices.DeleteFunc(slices.Clone(langs), func(s string) bool { return s == l10n.English })...)
	for _, key := range slices.Sorted(maps.Keys(en)) {
		var want []string // the placeholders of the first text read: English's
		for _, lang := range order {
			m, ok := cats[lang][key]
			if !ok {
				continue
			}
			var fields []string
			for _, form := range slices.Sorted(maps.Keys(m)) {
				if strings.TrimSpace(m[form]) == "" {
					out = append(out, fmt.Sprintf("%s: %s (%s) is empty", lang, key, form))
				}
				got, err := placeholders(m[form])
				if err != nil {
					out = append(out, fmt.Sprintf("%s: %s (%s): %v", lang, key, form, err))
					continue
				}
				if want == nil {
					want = got
				} else if !slices.Equal(got, want) {
					out = append(out, fmt.Sprintf("%s: %s (%s) has placeholders %v; the English text has %v", lang, key, form, got, want))
				}
				fields = append(fields, got...)
			}
			if slices.Contains(fields, "Count") {
				for _, form := range need[lang] {
					if _, ok := m[form]; !ok {
						out = append(out, fmt.Sprintf("%s: %s counts with Count but has no %q form", lang, key, form))
					}
				}
			} else if len(m) > 1 {
				out = append(out, fmt.Sprintf("%s: %s has plural forms but no Count placeholder to choose one", lang, key))
			}
		}
	}
	return out
}

// keyish matches a string literal that looks like a catalog key.
var keyish = regexp.MustCompile(`^[a-z]+\.[a-z0-9_]+$`)

// TestKeysInCode reads every Go file of the module (tests aside) and
// every template (the .html files of a templates directory): a key the
// code names — a literal passed to T or made a Key, or any literal of the
// form family.name of a family the catalog has — must be in the catalog,
// and every key of the catalog must be named somewhere. A template names
// a key with its functions t and th ({{t "web.search"}}), always as a
// literal.
func TestKeysInCode(t *testing.T) {
	cat := readCatalog(t, l10n.English)
	families := map[string]bool{}
	for key := range cat {
		family, _, _ := strings.Cut(key, ".")
		families[family] = true
	}
	named := map[string]bool{}
	fset := token.NewFileSet()
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".html") && filepath.Base(filepath.Dir(path)) == "templates" {
			for _, p := range templateKeys(t, path, cat, families, named) {
				t.Error(p)
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if len(n.Args) == 0 || !namesKey(n.Fun) {
					return true
				}
				if lit, ok := n.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					if _, ok := cat[s]; !ok {
						t.Errorf("%s: key %q is not in the catalog", fset.Position(lit.Pos()), s)
					}
				}
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					return true
				}
				s, _ := strconv.Unquote(n.Value)
				named[s] = true
				if family, _, _ := strings.Cut(s, "."); keyish.MatchString(s) && families[family] {
					if _, ok := cat[s]; !ok {
						t.Errorf("%s: %q looks like a key of the catalog but is not in it", fset.Position(n.Pos()), s)
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range slices.Sorted(maps.Keys(cat)) {
		if !named[key] {
			t.Errorf("catalog key %s is used by no code", key)
		}
	}
}

// templateKeys reads the template file at path: each string literal is
// named; a literal of a catalog family must be a key, and so must the
// first argument of t and th, a literal. It returns the problems.
func templateKeys(t *testing.T, path string, cat map[string]message, families, named map[string]bool) []string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tree := parse.New(path)
	tree.Mode = parse.SkipFuncCheck
	trees := map[string]*parse.Tree{}
	if _, err := tree.Parse(string(src), "", "", trees); err != nil {
		return []string{fmt.Sprintf("%s: %v", path, err)}
	}
	var out []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.TemplateNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c)
				}
			}
		case *parse.CommandNode:
			if id, ok := n.Args[0].(*parse.IdentifierNode); ok && (id.Ident == "t" || id.Ident == "th") {
				lit, ok := func() (*parse.StringNode, bool) {
					if len(n.Args) < 2 {
						return nil, false
					}
					s, ok := n.Args[1].(*parse.StringNode)
					return s, ok
				}()
				if !ok {
					out = append(out, fmt.Sprintf("%s: %s: %s takes a key as a literal", path, n, id.Ident))
				} else if _, ok := cat[lit.Text]; !ok {
					out = append(out, fmt.Sprintf("%s: key %q is not in the catalog", path, lit.Text))
				}
			}
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.StringNode:
			named[n.Text] = true
			if family, _, _ := strings.Cut(n.Text, "."); keyish.MatchString(n.Text) && families[family] {
				if _, ok := cat[n.Text]; !ok {
					out = append(out, fmt.Sprintf("%s: %q looks like a key of the catalog but is not in it", path, n.Text))
				}
			}
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	for _, tr := range trees {
		walk(tr.Root)
	}
	return out
}

// TestTemplateKeys: the template check finds a key missing, a key that
// is not a literal, and a family's literal that is no key; a good
// template names its keys.
func TestTemplateKeys(t *testing.T) {
	cat := map[string]message{"web.ok": {"other": "ok"}, "web.used": {"other": "used"}}
	families := map[string]bool{"web": true}
	path := filepath.Join(t.TempDir(), "templates", "x.html")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	src := `{{define "a"}}{{t "web.ok"}}{{th "web.nope" "X" (code "y")}}{{t .Key}}{{if eq .S "web.other"}}{{end}}{{template "b" (t "web.used" "N" 1)}}{{end}}`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	got := strings.Join(templateKeys(t, path, cat, families, named), "\n")
	for _, want := range []string{`key "web.nope" is not in the catalog`, "t takes a key as a literal", `"web.other" looks like a key`} {
		if !strings.Contains(got, want) {
			t.Errorf("problems do not say %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, `"web.ok"`) || strings.Contains(got, `"web.used"`) || !named["web.ok"] || !named["web.used"] {
		t.Errorf("good keys: problems %s, named %v", got, named)
	}
}

// namesKey reports whether a call's function takes a catalog key first:
// a method T, or a conversion to l10n.Key.
func namesKey(fun ast.Expr) bool {
	switch f := fun.(type) {
	case *ast.SelectorExpr:
		return f.Sel.Name == "T" || f.Sel.Name == "Key"
	case *ast.Ident:
		return f.Name == "Key"
	}
	return false
}

// TestParserAgreesWithTextTemplate renders every text of every catalog
// with T's parser (its fast path for plain placeholders) and with
// text/template, with a value for each placeholder: the same text. With
// a value missing, both fail.
func TestParserAgreesWithTextTemplate(t *testing.T) {
	for _, lang := range l10n.Langs() {
		for key, m := range readCatalog(t, lang) {
			for form, src := range m {
				fields, err := placeholders(src)
				if err != nil {
					continue // TestCatalogs says so
				}
				data := map[string]any{}
				for i, f := range fields {
					switch i % 3 {
					case 0:
						data[f] = "v<" + f + ">"
					case 1:
						data[f] = uint64(40 + i)
					default:
						data[f] = i
					}
				}
				var want strings.Builder
				if err := template.Must(template.New("").Option("missingkey=error").Parse(src)).Execute(&want, data); err != nil {
					t.Fatalf("%s %s (%s): %v", lang, key, form, err)
				}
				p, err := l10n.Parse(src)
				if err != nil {
					t.Fatalf("%s %s (%s): %v", lang, key, form, err)
				}
				if got, err := p.Execute(data); err != nil || got != want.String() {
					t.Errorf("%s %s (%s) = %q, %v; text/template says %q", lang, key, form, got, err, want.String())
				}
				if len(fields) > 0 {
					delete(data, fields[0])
					if got, err := p.Execute(data); err == nil {
						t.Errorf("%s %s (%s) without %s = %q, want an error", lang, key, form, fields[0], got)
					}
				}
			}
		}
	}
}
