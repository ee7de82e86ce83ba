package l10n

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// The languages openear speaks to staff. English is the default.
const (
	English = "en"
	Korean  = "ko"
)

// Langs returns the languages of the catalog, English first.
func Langs() []string { return []string{English, Korean} }

// Normalize returns the catalog language of a language tag: "ko",
// "ko-KR", "KO_kr" are Korean. ok is false for "" and for a language the
// catalog does not have.
func Normalize(tag string) (lang string, ok bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	primary, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	if slices.Contains(Langs(), primary) {
		return primary, true
	}
	return "", false
}

// Args are the values of a message's placeholders, by name. Count, when
// present, also picks the plural form. A value of type Key is replaced
// with that message of the same language.
type Args map[string]any

// Key names a message, as a value of Args that is itself to be
// translated (a hint, a word).
type Key string

// Localizer renders the messages of one language. It is safe for
// concurrent use.
type Localizer struct {
	lang string
	loc  *i18n.Localizer
}

//go:embed catalog/*.yaml
var catalogFS embed.FS

var (
	bundle     *i18n.Bundle
	localizers map[string]*Localizer
	failures   atomic.Int64
)

func init() {
	bundle = i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	for _, lang := range Langs() {
		path := "catalog/" + lang + ".yaml"
		buf, err := fs.ReadFile(catalogFS, path)
		if err != nil {
			panic(fmt.Sprintf("l10n: %v", err)) // the catalog is embedded: a build mistake
		}
		if _, err := bundle.ParseMessageFileBytes(buf, path); err != nil {
			panic(fmt.Sprintf("l10n: %s: %v", path, err))
		}
	}
	localizers = map[string]*Localizer{}
	for _, lang := range Langs() {
		localizers[lang] = &Localizer{lang: lang, loc: i18n.NewLocalizer(bundle, lang)}
	}
}

// For returns the localizer of a language tag (see Normalize); "" and an
// unknown language give English.
func For(tag string) *Localizer {
	if lang, ok := Normalize(tag); ok {
		return localizers[lang]
	}
	return localizers[English]
}

// Lang is the localizer's language: "en" or "ko".
func (l *Localizer) Lang() string { return l.lang }

// T renders message id with args. It never fails: a message missing in
// this language falls back to English, and one that cannot be rendered
// at all gives its id with its arguments; both count as a failure.
func (l *Localizer) T(id string, args Args) string {
	data, cloned := map[string]any(args), false
	for k, v := range args {
		if key, ok := v.(Key); ok {
			if !cloned {
				data, cloned = maps.Clone(data), true // never change the caller's
			}
			data[k] = l.T(string(key), nil)
		}
	}
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data,
		PluralCount: args["Count"], TemplateParser: parser{}})
	if err == nil {
		return s
	}
	failures.Add(1)
	if s != "" {
		return s
	}
	if l.lang != English {
		return For(English).T(id, args)
	}
	return fmt.Sprintf("[%s %v]", id, args)
}

// Failures is how many messages could not be rendered as asked since the
// process started: a key or a plural form missing in a language, or an
// argument missing. Test suites check that it stays 0.
func Failures() int64 { return failures.Load() }
