package l10n

import i18ntemplate "github.com/nicksnyder/go-i18n/v2/i18n/template"

// Parse is the parser T renders with, for the tests.
func Parse(src string) (i18ntemplate.ParsedTemplate, error) { return parser{}.Parse(src, "", "") }
