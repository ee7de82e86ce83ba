package l10n

import (
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"

	i18ntemplate "github.com/nicksnyder/go-i18n/v2/i18n/template"
)

// parser is the template parser go-i18n renders the catalogs with. Most
// messages are text with {{.Field}} placeholders only: those compile to a
// list of pieces that fill in ten times faster than text/template (whose
// reflection over the arguments dominated the cost of a message). Any
// other template ({{printf …}}, {{if …}}) runs on text/template. Either
// way a placeholder without a value is an error, not "<no value>".
// Parsed templates are cached by go-i18n (Cacheable).
type parser struct{}

func (parser) Cacheable() bool { return true }

func (parser) Parse(src, leftDelim, rightDelim string) (i18ntemplate.ParsedTemplate, error) {
	if leftDelim == "" {
		leftDelim = "{{"
	}
	if rightDelim == "" {
		rightDelim = "}}"
	}
	t, err := template.New("").Delims(leftDelim, rightDelim).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, err
	}
	if p, ok := compile(t.Tree); ok {
		return p, nil
	}
	return textTemplate{t}, nil
}

// piece is literal text, or the value of a field when field is set.
type piece struct {
	text, field string
}

// pieces is a template of text and {{.Field}} placeholders only.
type pieces []piece

// compile turns a template of text and plain fields into pieces.
func compile(tree *parse.Tree) (pieces, bool) {
	var out pieces
	for _, n := range tree.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			out = append(out, piece{text: string(n.Text)})
		case *parse.ActionNode:
			if len(n.Pipe.Decl) > 0 || len(n.Pipe.Cmds) != 1 || len(n.Pipe.Cmds[0].Args) != 1 {
				return nil, false
			}
			f, ok := n.Pipe.Cmds[0].Args[0].(*parse.FieldNode)
			if !ok || len(f.Ident) != 1 {
				return nil, false
			}
			out = append(out, piece{field: f.Ident[0]})
		default:
			return nil, false
		}
	}
	return out, true
}

func (p pieces) Execute(data any) (string, error) {
	m, _ := data.(map[string]any)
	var s strings.Builder
	for _, pc := range p {
		if pc.field == "" {
			s.WriteString(pc.text)
			continue
		}
		v, ok := m[pc.field]
		if !ok {
			return "", fmt.Errorf("no value for placeholder %s", pc.field)
		}
		switch v := v.(type) {
		case string:
			s.WriteString(v)
		case int:
			s.WriteString(strconv.Itoa(v))
		case int64:
			s.WriteString(strconv.FormatInt(v, 10))
		case uint64:
			s.WriteString(strconv.FormatUint(v, 10))
		default:
			fmt.Fprint(&s, v) // as text/template prints it
		}
	}
	return s.String(), nil
}

// textTemplate runs a template the pieces cannot.
type textTemplate struct{ t *template.Template }

func (t textTemplate) Execute(data any) (string, error) {
	var s strings.Builder
	if err := t.t.Execute(&s, data); err != nil {
		return "", err
	}
	return s.String(), nil
}
