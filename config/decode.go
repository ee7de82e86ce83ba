package config

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Load reads the file at path, parses it with the process environment and
// validates the result.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("load config: %w", err)
	}
	c, err := Parse(path, data, nil)
	if err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Parse decodes data, a YAML config file called name (for messages), over
// [Default]. Every ${VAR} in a scalar value is replaced with getenv("VAR")
// (os.Getenv when getenv is nil); a missing variable gives "". Secrets must
// be written as ${VAR}. Parse reports unknown keys and values of the wrong
// type, each with its key path and line, but does not validate: call
// [Config.Validate] (or use [Load]). On error the Config is the zero value.
func Parse(name string, data []byte, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	src := &source{file: name, lines: map[string]int{}, envs: map[string]string{}, expanded: map[string]string{}}
	d := &decoder{problems: problems{src: src}, getenv: getenv, budget: maxNodes}
	c := Default()
	c.src = src

	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		d.add("", syntaxLine(err), "%s", syntaxMsg(err))
		return Config{}, d.err()
	}
	if len(doc.Content) == 1 {
		d.config(doc.Content[0], &c)
	}
	d.secrets = c.SecretValues()
	if err := d.err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// syntaxLine and syntaxMsg take apart yaml's "yaml: line N: message".
var syntaxRE = regexp.MustCompile(`^yaml: line (\d+): `)

func syntaxLine(err error) int {
	m := syntaxRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func syntaxMsg(err error) string {
	msg := syntaxRE.ReplaceAllString(err.Error(), "")
	return strings.TrimPrefix(msg, "yaml: ")
}

// maxNodes bounds the work of decoding one file, aliases included.
const maxNodes = 100_000

// decoder walks a yaml.Node tree into a Config, recording the line of every
// key path and collecting problems.
type decoder struct {
	problems
	getenv func(string) string
	budget int
}

// field decodes the value of one key; path is the key's dotted path.
type field func(n *yaml.Node, path string)

// fields is the set of keys a mapping may have.
type fields map[string]field

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// node resolves aliases and charges n against the budget. It returns nil
// when n cannot be decoded any further.
func (d *decoder) node(n *yaml.Node, path string) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 100 {
			d.add(path, n.Line, "alias refers to itself")
			return nil
		}
		n = n.Alias
	}
	if n == nil {
		return nil
	}
	if d.budget--; d.budget == 0 {
		d.add(path, n.Line, "too many nodes (aliases expanded too far)")
	}
	if d.budget <= 0 {
		return nil
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return "a single value"
	}
}

// mapping decodes a mapping with a fixed set of keys. A null value counts
// as an empty mapping.
func (d *decoder) mapping(n *yaml.Node, path string, fs fields) {
	if n = d.node(n, path); n == nil || isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.add(path, n.Line, "expected a mapping, got %s", kindName(n))
		return
	}
	d.entries(n, path, func(key string, v *yaml.Node, p string, line int) {
		f, ok := fs[key]
		if !ok {
			d.add(p, line, "unknown key%s", suggest(key, fs))
			return
		}
		f(v, p)
	})
}

// entries calls fn for each key of a mapping, recording its line and
// reporting keys that are not strings or appear twice.
func (d *decoder) entries(n *yaml.Node, path string, fn func(key string, v *yaml.Node, path string, line int)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.node(n.Content[i], path)
		if k == nil {
			return
		}
		if k.Kind != yaml.ScalarNode {
			d.add(path, k.Line, "a key must be a string, not %s", kindName(k))
			continue
		}
		p := join(path, k.Value)
		if k.Value == "<<" && k.ShortTag() == "!!merge" {
			d.add(path, k.Line, "merge keys (<<) are not supported")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.add(p, k.Line, "duplicate key (first at line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		d.src.lines[p] = k.Line
		fn(k.Value, n.Content[i+1], p, k.Line)
	}
}

// dict decodes a mapping with free keys, such as sla.per_tag.
func (d *decoder) dict(n *yaml.Node, path string, fn func(key string, v *yaml.Node, path string)) {
	if n = d.node(n, path); n == nil || isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.add(path, n.Line, "expected a mapping, got %s", kindName(n))
		return
	}
	d.entries(n, path, func(key string, v *yaml.Node, p string, _ int) { fn(key, v, p) })
}

// list decodes a sequence, calling fn for each item with path "key[i]".
// It reports whether n was a list; null is not, and leaves the target as
// it was.
func (d *decoder) list(n *yaml.Node, path string, fn func(v *yaml.Node, path string)) bool {
	if n = d.node(n, path); n == nil || isNull(n) {
		return false
	}
	if n.Kind != yaml.SequenceNode {
		d.add(path, n.Line, "expected a list, got %s", kindName(n))
		return false
	}
	for i, v := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.src.lines[p] = v.Line
		fn(v, p)
	}
	return true
}

// env returns the value of an environment variable, remembering it so that
// messages never show it.
func (d *decoder) env(name string) string {
	v := d.getenv(name)
	if v != "" {
		d.src.expanded[v] = name
	}
	return v
}

// envRE matches one ${VAR} reference.
var envRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// scalar returns the value of a scalar node with ${VAR} expanded, and the
// text to show in a message: the written text when it was expanded, so that
// an environment value is never printed. ok is false for null or on error.
func (d *decoder) scalar(n *yaml.Node, path string) (val, shown string, ok bool) {
	if n = d.node(n, path); n == nil || isNull(n) {
		return "", "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.add(path, n.Line, "expected a single value, got %s", kindName(n))
		return "", "", false
	}
	val = envRE.ReplaceAllStringFunc(n.Value, func(ref string) string {
		return d.env(ref[2 : len(ref)-1])
	})
	shown = strconv.Quote(n.Value)
	if val != n.Value {
		shown += " (after expanding the environment)"
	}
	return val, shown, true
}

func (d *decoder) str(dst *string) field {
	return func(n *yaml.Node, path string) {
		if v, _, ok := d.scalar(n, path); ok {
			*dst = v
		}
	}
}

func (d *decoder) strs(dst *[]string) field {
	return func(n *yaml.Node, path string) {
		out := []string{}
		if d.list(n, path, func(v *yaml.Node, p string) {
			s, _, _ := d.scalar(v, p)
			out = append(out, s)
		}) {
			*dst = out
		}
	}
}

func (d *decoder) boolean(dst *bool) field {
	return func(n *yaml.Node, path string) {
		v, shown, ok := d.scalar(n, path)
		if !ok {
			return
		}
		switch strings.ToLower(v) {
		case "true", "yes", "on":
			*dst = true
		case "false", "no", "off":
			*dst = false
		default:
			d.add(path, n.Line, "%s is not true or false", shown)
		}
	}
}

func (d *decoder) integer(dst *int) field {
	return func(n *yaml.Node, path string) {
		v, shown, ok := d.scalar(n, path)
		if !ok {
			return
		}
		i, err := strconv.Atoi(v)
		if err != nil {
			d.add(path, n.Line, "%s is not a whole number", shown)
			return
		}
		*dst = i
	}
}

// number decodes one float; it reports false on error.
func (d *decoder) number(n *yaml.Node, path string, dst *float64) bool {
	v, shown, ok := d.scalar(n, path)
	if !ok {
		return false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		d.add(path, n.Line, "%s is not a number", shown)
		return false
	}
	*dst = f
	return true
}

func (d *decoder) float(dst *float64) field {
	return func(n *yaml.Node, path string) { d.number(n, path, dst) }
}

func (d *decoder) floats(dst *[]float64) field {
	return func(n *yaml.Node, path string) {
		out := []float64{}
		if d.list(n, path, func(v *yaml.Node, p string) {
			var f float64
			if d.number(v, p, &f) {
				out = append(out, f)
			}
		}) {
			*dst = out
		}
	}
}

// durationValue decodes one duration; it reports false on error.
func (d *decoder) durationValue(n *yaml.Node, path string, dst *Duration) bool {
	v, shown, ok := d.scalar(n, path)
	if !ok {
		return false
	}
	t, err := time.ParseDuration(v)
	if err != nil {
		d.add(path, n.Line, "%s is not a duration (write e.g. 90s, 15m, 1h30m)", shown)
		return false
	}
	*dst = Duration(t)
	return true
}

func (d *decoder) duration(dst *Duration) field {
	return func(n *yaml.Node, path string) { d.durationValue(n, path, dst) }
}

// secretRE is the only form a secret may take in the file.
var secretRE = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// secret decodes a secret, which must be written as ${VAR}; envVar is the
// variable suggested in the message when it is not.
func (d *decoder) secret(dst *Secret, envVar string) field {
	return func(n *yaml.Node, path string) {
		if n = d.node(n, path); n == nil || isNull(n) {
			return
		}
		if n.Kind != yaml.ScalarNode {
			d.add(path, n.Line, "expected a single value, got %s", kindName(n))
			return
		}
		raw := strings.TrimSpace(n.Value)
		if raw == "" {
			*dst = ""
			return
		}
		m := secretRE.FindStringSubmatch(raw)
		if m == nil {
			d.add(path, n.Line, "put secrets in the environment, e.g. ${%s}", envVar)
			return
		}
		d.src.envs[path] = m[1]
		*dst = Secret(d.env(m[1]))
	}
}

// suggest returns " (did you mean X?)" for the known key closest to key, or
// the list of known keys when none is close.
func suggest(key string, fs fields) string {
	known := make([]string, 0, len(fs))
	for k := range fs {
		known = append(known, k)
	}
	slices.Sort(known)
	best, bestDist := "", math.MaxInt
	for _, k := range known {
		if dist := levenshtein(strings.ToLower(key), k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best != "" && (bestDist <= 2 || bestDist <= len(best)/3) {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	return fmt.Sprintf(" (known keys: %s)", strings.Join(known, ", "))
}

// levenshtein is the edit distance between a and b, counting a swap of
// two neighbouring letters as one edit.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1) // transposition
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
