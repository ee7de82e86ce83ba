// Package l10n holds every sentence openear says to staff, in each
// language it speaks (English and Korean), and formats times and
// durations the way a reader of that language expects.
//
//	l := l10n.For("ko")                       // "" or an unknown language: English
//	l.T("reply.claimed", l10n.Args{"ID": 42}) // "#42 스레드를 맡았어요."
//	l.When(due)                               // "12월 4일 (금) 오후 3:00"
//	l.Duration(80 * time.Minute)              // "1시간 20분"
//
// # Catalogs
//
// The messages live in catalog/<lang>.yaml, embedded in the binary and
// read with go-i18n (github.com/nicksnyder/go-i18n/v2): a key maps to a
// text/template ("#{{.ID}} 스레드를 맡았어요."), or, for a message that
// depends on a number, to its CLDR plural forms (one, other; Korean has
// only other), chosen by the Count argument. Every language has every key,
// with the same placeholders: the package's tests fail otherwise, and
// also when the code names a key no catalog has or a catalog keeps a key
// no code uses.
//
// To add a sentence: add its key to catalog/en.yaml and catalog/ko.yaml
// (the Korean written as a Korean support team writes to colleagues, in
// 해요체, not translated word for word), and call T with its key — or,
// in the dashboard's templates (web/templates), t or th with it as a
// literal ({{t "web.search"}}); the tests read the templates too. Values
// are passed already formatted for the reader (When, Duration, quoted
// customer text), so a catalog never formats.
//
// # Caveats
//
// T never fails: a missing key or argument renders the English text, or
// the key itself, and counts a failure (see Failures), which the test
// suites of the packages that speak check after their tests. Placeholders
// are filled with text/template; values are not escaped, so a caller
// escapes what the platform needs (Slack mrkdwn, Discord markdown) before.
package l10n
