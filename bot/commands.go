package bot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/openear/openear/internal/l10n"
)

// Command is one staff command, parsed by ParseCommand from the text of a
// Slack slash command (`/openear snooze 42 2h`) or a Discord mention
// (`@openear snooze 42 2h`; the adapter strips the mention).
type Command struct {
	Verb     string        // help, mine, open, claim, assign, snooze, resolve, reopen, tag, untag, stats, incident, login
	ID       string        // thread id ("#42" is normalized to "42"), or the incident id for incident
	User     string        // assign: a platform user id taken from a mention, or a plain name
	Duration time.Duration // snooze: how long; stats: the period (default 7 days)
	Tag      string        // tag, untag: lowercase [a-z0-9_-]
	Sub      string        // incident: "update", "resolve" or "show"
	Text     string        // incident update: the rest of the line, verbatim, trimmed
}

// ErrUnknownCommand is wrapped by the error ParseCommand returns for a
// verb it does not know: `unknown command "foo": try "help"`. Every parse
// error is a *CommandError that names the command and the argument at
// fault.
var ErrUnknownCommand = errors.New("unknown command")

// CommandError is a mistake in a command line: the command as typed up to
// the mistake and a message of the catalog (internal/l10n). Error gives it
// in English (`snooze 42: "soon" is not a duration (try 30m, 2h, 1d)`), In
// in a reader's language.
type CommandError struct {
	Prefix string    // the command as typed up to the mistake ("snooze 42"); "" for none
	Key    string    // the message's key in the catalog
	Args   l10n.Args // the message's values
	err    error     // ErrUnknownCommand for an unknown verb
}

func (e *CommandError) Error() string { return e.In(l10n.For(l10n.English)) }

// In renders the mistake in the language of l.
func (e *CommandError) In(l *l10n.Localizer) string {
	msg := l.T(e.Key, e.Args)
	if e.Prefix == "" {
		return msg
	}
	return e.Prefix + ": " + msg
}

func (e *CommandError) Unwrap() error { return e.err }

// cmdErr makes a CommandError.
func cmdErr(prefix, key string, args l10n.Args) *CommandError {
	return &CommandError{Prefix: prefix, Key: key, Args: args}
}

// commandErrorText is err for the reader of l.
func commandErrorText(l *l10n.Localizer, err error) string {
	if ce, ok := errors.AsType[*CommandError](err); ok {
		return ce.In(l)
	}
	return err.Error()
}

// Limits of command arguments.
const (
	cmdMaxSnooze = 30 * 24 * time.Hour
	cmdMaxStats  = 365 * 24 * time.Hour
	cmdMaxName   = 64 // ids, tags and user names
)

// cmdHelp lists every command with its syntax, in the order of CommandHelp:
// the catalog keys of its syntax and of what it does.
var cmdHelp = [...]struct{ syntax, what string }{
	{"help.help", "help.help_what"},
	{"help.mine", "help.mine_what"},
	{"help.open", "help.open_what"},
	{"help.claim", "help.claim_what"},
	{"help.assign", "help.assign_what"},
	{"help.snooze", "help.snooze_what"},
	{"help.resolve", "help.resolve_what"},
	{"help.reopen", "help.reopen_what"},
	{"help.tag", "help.tag_what"},
	{"help.untag", "help.untag_what"},
	{"help.stats", "help.stats_what"},
	{"help.incident", "help.incident_what"},
	{"help.incident_update", "help.incident_update_what"},
	{"help.incident_resolve", "help.incident_resolve_what"},
	{"help.login", "help.login_what"},
}

// CommandHelp returns the help text in English: every command with its
// syntax, one per line, and its Korean alias.
func CommandHelp() string { return CommandHelpIn(l10n.For(l10n.English)) }

// CommandHelpIn returns the help text in the language of l: the Korean
// help shows the Korean aliases, with the English verbs in parentheses.
func CommandHelpIn(l *l10n.Localizer) string {
	var b strings.Builder
	for _, c := range cmdHelp {
		fmt.Fprintf(&b, "%-28s %s\n", l.T(c.syntax, nil), l.T(c.what, nil))
	}
	return b.String()
}

// cmdAliases are the Korean words staff may type for a verb.
var cmdAliases = map[string]string{
	"도움말": "help", "도움": "help",
	"내꺼": "mine", "내거": "mine", "내것": "mine",
	"전체": "open", "목록": "open",
	"담당": "claim", "맡기": "claim",
	"배정": "assign",
	"보류": "snooze", "미루기": "snooze",
	"해결": "resolve", "완료": "resolve",
	"재개": "reopen", "다시열기": "reopen",
	"태그": "tag", "태그추가": "tag",
	"태그삭제": "untag", "태그제거": "untag",
	"통계": "stats",
	"장애": "incident", "인시던트": "incident",
	"로그인": "login",
}

// cmdSubAliases are the Korean words for the actions of incident.
var cmdSubAliases = map[string]string{
	"보기": "show", "공지": "update", "업데이트": "update", "해결": "resolve",
}

// ParseCommand parses the text of a command, in English or with the
// Korean aliases of CommandHelpIn ("담당 12", "보류 12 2시간"). Verbs are
// case-insensitive, whitespace may be repeated, a leading "/openear" is
// ignored and an empty text is help. A leading bot mention is not
// ParseCommand's business: the adapters strip it.
//
// Every error is a *CommandError; an unknown verb's wraps
// ErrUnknownCommand. Each says which argument is wrong and how, prefixed
// by the command as typed: `claim: missing thread id`, `snooze 42: "2
// hours" is not a duration (try 30m, 2h, 1d)`.
func ParseCommand(text string) (Command, error) {
	toks := cmdSplit(text)
	if len(toks) > 0 && strings.EqualFold(toks[0].text, "/openear") {
		toks = toks[1:]
	}
	if len(toks) == 0 {
		return Command{Verb: "help"}, nil
	}
	word := strings.ToLower(toks[0].text)
	verb := word
	if v, ok := cmdAliases[word]; ok {
		verb = v
	}
	a := cmdArgs{line: text, word: word, verb: verb, toks: toks[1:]}
	switch a.verb {
	case "help":
		return Command{Verb: a.verb}, nil // "help claim" is help too
	case "mine", "open", "login":
		return Command{Verb: a.verb}, a.done(0, a.word)
	case "claim", "resolve", "reopen":
		return a.withID(func(c Command) (Command, error) { return c, a.done(1, a.word+" "+c.ID) })
	case "assign":
		return a.withID(a.assign)
	case "snooze":
		return a.withID(a.snooze)
	case "tag", "untag":
		return a.withID(a.tag)
	case "stats":
		return a.stats()
	case "incident":
		return a.withID(a.incident)
	}
	e := cmdErr("", "cmd.unknown", l10n.Args{"Quote": quote(toks[0].text)})
	e.err = ErrUnknownCommand
	return Command{}, e
}

// String formats c back as command text, which ParseCommand parses to c.
func (c Command) String() string {
	switch c.Verb {
	case "claim", "resolve", "reopen":
		return c.Verb + " " + c.ID
	case "assign":
		return "assign " + c.ID + " " + c.User
	case "snooze":
		return "snooze " + c.ID + " " + cmdFormatDuration(c.Duration)
	case "tag", "untag":
		return c.Verb + " " + c.ID + " " + c.Tag
	case "stats":
		if c.Duration == 0 {
			return "stats"
		}
		return "stats " + cmdFormatDuration(c.Duration)
	case "incident":
		switch c.Sub {
		case "update":
			return "incident " + c.ID + " update " + c.Text
		case "resolve":
			return "incident " + c.ID + " resolve"
		}
		return "incident " + c.ID
	}
	return c.Verb
}

// cmdToken is one whitespace-separated word of a command line.
type cmdToken struct {
	text string
	end  int // byte offset just past the word in the line
}

// cmdSplit splits s into words separated by Unicode white space, as
// strings.Fields does, keeping where each word ends.
func cmdSplit(s string) []cmdToken {
	var toks []cmdToken
	start := -1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r) && start >= 0:
			toks = append(toks, cmdToken{s[start:i], i})
			start = -1
		case !unicode.IsSpace(r) && start < 0:
			start = i
		}
		i += size
	}
	if start >= 0 {
		toks = append(toks, cmdToken{s[start:], len(s)})
	}
	return toks
}

// cmdArgs is the line being parsed, its verb (word as typed, lowercased;
// verb as ParseCommand knows it) and the words after the verb.
type cmdArgs struct {
	line string
	word string
	verb string
	toks []cmdToken
}

// rest returns the line from argument i on, verbatim but trimmed.
func (a cmdArgs) rest(i int) string {
	if i >= len(a.toks) {
		return ""
	}
	t := a.toks[i]
	return strings.TrimSpace(a.line[t.end-len(t.text):])
}

// done fails if there are more than n arguments.
func (a cmdArgs) done(n int, prefix string) error {
	if len(a.toks) > n {
		return cmdErr(prefix, "cmd.unexpected", l10n.Args{"Quote": quote(a.toks[n].text)})
	}
	return nil
}

// withID parses argument 0 as a thread or incident id ("42", "#42", or
// "42번" as Korean staff write it) and hands the command to more.
func (a cmdArgs) withID(more func(Command) (Command, error)) (Command, error) {
	missing, bad := "cmd.missing_thread", "cmd.bad_thread"
	if a.verb == "incident" {
		missing, bad = "cmd.missing_incident", "cmd.bad_incident"
	}
	if len(a.toks) == 0 {
		return Command{}, cmdErr(a.word, missing, nil)
	}
	raw := a.toks[0].text
	id := strings.TrimSuffix(strings.TrimPrefix(raw, "#"), "번")
	if !cmdValidName(id, cmdIDRune) {
		return Command{}, cmdErr(a.word, bad, l10n.Args{"Quote": quote(raw)})
	}
	return more(Command{Verb: a.verb, ID: id})
}

func (a cmdArgs) assign(c Command) (Command, error) {
	prefix := a.word + " " + c.ID
	arg := a.rest(1)
	if arg == "" {
		return Command{}, cmdErr(prefix, "cmd.missing_user", nil)
	}
	if strings.HasPrefix(arg, "<@") {
		// A mention may hold spaces in its label: <@U123|alice smith>.
		if i := strings.IndexByte(arg, '>'); i >= 0 {
			if more := strings.TrimSpace(arg[i+1:]); more != "" {
				return Command{}, cmdErr(prefix, "cmd.unexpected", l10n.Args{"Quote": quote(cmdSplit(more)[0].text)})
			}
			arg = arg[:i+1]
		}
	} else if err := a.done(2, prefix); err != nil {
		return Command{}, err
	}
	user, ok := cmdUser(arg)
	if !ok {
		return Command{}, cmdErr(prefix, "cmd.bad_user", l10n.Args{"Quote": quote(arg)})
	}
	c.User = user
	return c, nil
}

// cmdUser returns the user id in a Slack mention (<@U123>, <@U123|alice>) or
// a Discord one (<@123>, <@!123>), or a plain name without its "@".
func cmdUser(s string) (string, bool) {
	if inner, ok := strings.CutPrefix(s, "<@"); ok {
		inner, ok = strings.CutSuffix(inner, ">")
		if !ok {
			return "", false
		}
		inner = strings.TrimPrefix(inner, "!")
		inner, _, _ = strings.Cut(inner, "|")
		return inner, cmdValidName(inner, cmdIDRune)
	}
	name := strings.TrimPrefix(s, "@")
	return name, cmdValidName(name, cmdNameRune)
}

func (a cmdArgs) snooze(c Command) (Command, error) {
	prefix := a.word + " " + c.ID
	arg := a.rest(1)
	if arg == "" {
		return Command{}, cmdErr(prefix, "cmd.missing_duration", l10n.Args{"Hint": l10n.Key("hint.snooze")})
	}
	d, err := cmdDuration(arg, cmdMaxSnooze, "hint.snooze")
	if err != nil {
		err.Prefix = prefix
		return Command{}, err
	}
	c.Duration = d
	return c, nil
}

func (a cmdArgs) tag(c Command) (Command, error) {
	prefix := a.word + " " + c.ID
	arg := a.rest(1)
	if arg == "" {
		return Command{}, cmdErr(prefix, "cmd.missing_tag", nil)
	}
	tag := strings.ToLower(arg)
	if !cmdValidName(tag, cmdTagRune) {
		return Command{}, cmdErr(prefix, "cmd.bad_tag", l10n.Args{"Quote": quote(arg)})
	}
	c.Tag = tag
	return c, nil
}

func (a cmdArgs) stats() (Command, error) {
	c := Command{Verb: "stats", Duration: 7 * 24 * time.Hour}
	if arg := a.rest(0); arg != "" {
		d, err := cmdDuration(arg, cmdMaxStats, "hint.stats")
		if err != nil {
			err.Prefix = a.word
			return Command{}, err
		}
		c.Duration = d
	}
	return c, nil
}

func (a cmdArgs) incident(c Command) (Command, error) {
	prefix := a.word + " " + c.ID
	if len(a.toks) == 1 {
		c.Sub = "show"
		return c, nil
	}
	word := strings.ToLower(a.toks[1].text)
	c.Sub = word
	if sub, ok := cmdSubAliases[word]; ok {
		c.Sub = sub
	}
	switch c.Sub {
	case "show", "resolve":
		return c, a.done(2, prefix+" "+word)
	case "update":
		c.Text = a.rest(2)
		if c.Text == "" {
			return Command{}, cmdErr(prefix+" "+word, "cmd.missing_text", nil)
		}
		return c, nil
	}
	return Command{}, cmdErr(prefix, "cmd.unknown_action", l10n.Args{"Quote": quote(a.toks[1].text)})
}

// ParseDuration parses a positive duration of at most max the way commands
// do: a Go duration ("90m", "36h") or whole numbers of w, d, h, m and s
// ("7d", "1w2d"), or of their Korean names 주, 일, 시간, 분, 초 ("7일",
// "1시간 30분"). The command line tools use it for their periods; its
// errors are *CommandError.
func ParseDuration(s string, max time.Duration) (time.Duration, error) {
	d, err := cmdDuration(s, max, "hint.period")
	if err != nil {
		return 0, err
	}
	return d, nil
}

// cmdDuration parses a positive duration of at most max: a Go duration
// ("90m", "1h30m") or whole numbers of w (7 days), d (24h), h, m and s
// ("1d", "1w2d", "1d12h"), in English or Korean units ("1일", "1시간반"),
// with or without spaces between them ("1h 30m", "1시간 30분"). hint is
// the catalog key of examples to show with a mistake.
func cmdDuration(s string, max time.Duration, hint l10n.Key) (time.Duration, *CommandError) {
	compact := strings.Join(strings.Fields(strings.ToLower(s)), "")
	d, err := time.ParseDuration(compact)
	if err != nil {
		var ok bool
		if d, ok = cmdParseDays(compact); !ok {
			return 0, cmdErr("", "cmd.bad_duration", l10n.Args{"Quote": quote(s), "Hint": hint})
		}
	}
	switch {
	case d <= 0:
		return 0, cmdErr("", "cmd.nonpositive_duration", l10n.Args{"Quote": quote(s), "Hint": hint})
	case d > max && max%(24*time.Hour) == 0:
		return 0, cmdErr("", "cmd.too_long_days", l10n.Args{"Quote": quote(s), "Count": int64(max / (24 * time.Hour))})
	case d > max:
		return 0, cmdErr("", "cmd.too_long", l10n.Args{"Quote": quote(s), "Max": cmdFormatDuration(max)})
	}
	return d, nil
}

// cmdUnits are the units of cmdParseDays, longest first where one is the
// start of another. "시간반" is "hours and a half", as Korean speakers say
// it: extra is added once.
var cmdUnits = []struct {
	name     string
	d, extra time.Duration
}{
	{"w", 7 * 24 * time.Hour, 0}, {"d", 24 * time.Hour, 0}, {"h", time.Hour, 0}, {"m", time.Minute, 0}, {"s", time.Second, 0},
	{"주", 7 * 24 * time.Hour, 0}, {"일", 24 * time.Hour, 0}, {"시간반", time.Hour, 30 * time.Minute}, {"시간", time.Hour, 0},
	{"분", time.Minute, 0}, {"초", time.Second, 0},
}

// cmdParseDays parses whole numbers with units (cmdUnits): "1d12h",
// "1시간30분", "2시간반".
func cmdParseDays(s string) (time.Duration, bool) {
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) || i > 9 {
			return 0, false // no number, no unit, or an absurd number
		}
		n, _ := strconv.Atoi(s[:i])
		s = s[i:]
		known := false
		for _, u := range cmdUnits {
			rest, ok := strings.CutPrefix(s, u.name)
			if !ok {
				continue
			}
			if time.Duration(n) > (1<<62)/u.d {
				return 0, false
			}
			if total += time.Duration(n)*u.d + u.extra; total > 1<<62 {
				return 0, false
			}
			s, known = rest, true
			break
		}
		if !known {
			return 0, false
		}
	}
	return total, true
}

// cmdFormatDuration formats d so that cmdDuration parses it back to d.
func cmdFormatDuration(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	return d.String()
}

func cmdIDRune(r rune) bool {
	return r < utf8.RuneSelf && (r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r))
}

func cmdTagRune(r rune) bool {
	return r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
}

func cmdNameRune(r rune) bool {
	return r == '-' || r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// cmdValidName reports whether s has 1 to cmdMaxName bytes, all runes
// satisfying ok.
func cmdValidName(s string, ok func(rune) bool) bool {
	if s == "" || len(s) > cmdMaxName {
		return false
	}
	for _, r := range s {
		if !ok(r) {
			return false
		}
	}
	return true
}
