package bot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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

// ErrUnknownCommand is returned, wrapped with the verb, for a verb
// ParseCommand does not know: `unknown command "foo": try "help"`. Every
// other parse error is a plain error that names the command and the
// argument at fault.
var ErrUnknownCommand = errors.New("unknown command")

// Limits of command arguments.
const (
	cmdMaxSnooze = 30 * 24 * time.Hour
	cmdMaxStats  = 365 * 24 * time.Hour
	cmdMaxName   = 64 // ids, tags and user names
)

// cmdHelp lists every command with its syntax, in the order of CommandHelp.
var cmdHelp = [...]struct{ syntax, what string }{
	{"help", "show this help"},
	{"mine", "list your open threads (waiting or answered)"},
	{"open", "list all open threads (waiting or answered)"},
	{"claim <id>", "take thread <id>"},
	{"assign <id> <@user|name>", "give thread <id> to someone"},
	{"snooze <id> <duration>", "hide thread <id> for a while (30m, 2h, 1d; at most 30d)"},
	{"resolve <id>", "close thread <id>"},
	{"reopen <id>", "reopen thread <id>"},
	{"tag <id> <tag>", "add a tag to thread <id>"},
	{"untag <id> <tag>", "remove a tag from thread <id>"},
	{"stats [period]", "reply times over a period (default 7d)"},
	{"incident <id>", "show incident <id>"},
	{"incident <id> update <text>", "post an update to incident <id>"},
	{"incident <id> resolve", "resolve incident <id>"},
	{"login", "get a one-time sign-in link for the dashboard by DM"},
}

// CommandHelp returns the help text: every command with its syntax, one per
// line.
func CommandHelp() string {
	var b strings.Builder
	for _, c := range cmdHelp {
		fmt.Fprintf(&b, "%-28s %s\n", c.syntax, c.what)
	}
	return b.String()
}

// ParseCommand parses the text of a command. Verbs are case-insensitive,
// whitespace may be repeated, a leading "/openear" is ignored and an empty
// text is help. A leading bot mention is not ParseCommand's business: the
// adapters strip it.
//
// An unknown verb returns an error wrapping ErrUnknownCommand; any other
// error says which argument is wrong and how, prefixed by the command:
// `claim: missing thread id`, `snooze 42: "2 hours" is not a duration (try
// 30m, 2h, 1d)`.
func ParseCommand(text string) (Command, error) {
	toks := cmdSplit(text)
	if len(toks) > 0 && strings.EqualFold(toks[0].text, "/openear") {
		toks = toks[1:]
	}
	if len(toks) == 0 {
		return Command{Verb: "help"}, nil
	}
	a := cmdArgs{line: text, verb: strings.ToLower(toks[0].text), toks: toks[1:]}
	switch a.verb {
	case "help":
		return Command{Verb: a.verb}, nil // "help claim" is help too
	case "mine", "open", "login":
		return Command{Verb: a.verb}, a.done(0, a.verb)
	case "claim", "resolve", "reopen":
		return a.withID(func(c Command) (Command, error) { return c, a.done(1, a.verb+" "+c.ID) })
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
	return Command{}, fmt.Errorf("%w %q: try \"help\"", ErrUnknownCommand, toks[0].text)
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

// cmdArgs is the line being parsed, its verb and the words after the verb.
type cmdArgs struct {
	line string
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
		return fmt.Errorf("%s: unexpected %q", prefix, a.toks[n].text)
	}
	return nil
}

// withID parses argument 0 as a thread or incident id and hands the command
// to more.
func (a cmdArgs) withID(more func(Command) (Command, error)) (Command, error) {
	kind := "thread id"
	if a.verb == "incident" {
		kind = "incident id"
	}
	if len(a.toks) == 0 {
		return Command{}, fmt.Errorf("%s: missing %s", a.verb, kind)
	}
	raw := a.toks[0].text
	id := strings.TrimPrefix(raw, "#")
	if !cmdValidName(id, cmdIDRune) {
		return Command{}, fmt.Errorf("%s: %q is not a %s", a.verb, raw, kind)
	}
	return more(Command{Verb: a.verb, ID: id})
}

func (a cmdArgs) assign(c Command) (Command, error) {
	prefix := "assign " + c.ID
	arg := a.rest(1)
	if arg == "" {
		return Command{}, fmt.Errorf("%s: missing user (try @alice or alice)", prefix)
	}
	if strings.HasPrefix(arg, "<@") {
		// A mention may hold spaces in its label: <@U123|alice smith>.
		if i := strings.IndexByte(arg, '>'); i >= 0 {
			if more := strings.TrimSpace(arg[i+1:]); more != "" {
				return Command{}, fmt.Errorf("%s: unexpected %q", prefix, cmdSplit(more)[0].text)
			}
			arg = arg[:i+1]
		}
	} else if err := a.done(2, prefix); err != nil {
		return Command{}, err
	}
	user, ok := cmdUser(arg)
	if !ok {
		return Command{}, fmt.Errorf("%s: %q is not a user (try @alice or alice)", prefix, arg)
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
	prefix := "snooze " + c.ID
	arg := a.rest(1)
	if arg == "" {
		return Command{}, fmt.Errorf("%s: missing duration (try 30m, 2h, 1d)", prefix)
	}
	d, err := cmdDuration(arg, cmdMaxSnooze, "30 days", "30m, 2h, 1d")
	if err != nil {
		return Command{}, fmt.Errorf("%s: %w", prefix, err)
	}
	c.Duration = d
	return c, nil
}

func (a cmdArgs) tag(c Command) (Command, error) {
	prefix := a.verb + " " + c.ID
	arg := a.rest(1)
	if arg == "" {
		return Command{}, fmt.Errorf("%s: missing tag name", prefix)
	}
	tag := strings.ToLower(arg)
	if !cmdValidName(tag, cmdTagRune) {
		return Command{}, fmt.Errorf("%s: %q is not a tag name", prefix, arg)
	}
	c.Tag = tag
	return c, nil
}

func (a cmdArgs) stats() (Command, error) {
	c := Command{Verb: "stats", Duration: 7 * 24 * time.Hour}
	if arg := a.rest(0); arg != "" {
		d, err := cmdDuration(arg, cmdMaxStats, "365 days", "7d, 30d")
		if err != nil {
			return Command{}, fmt.Errorf("stats: %w", err)
		}
		c.Duration = d
	}
	return c, nil
}

func (a cmdArgs) incident(c Command) (Command, error) {
	prefix := "incident " + c.ID
	if len(a.toks) == 1 {
		c.Sub = "show"
		return c, nil
	}
	c.Sub = strings.ToLower(a.toks[1].text)
	switch c.Sub {
	case "show", "resolve":
		return c, a.done(2, prefix+" "+c.Sub)
	case "update":
		c.Text = a.rest(2)
		if c.Text == "" {
			return Command{}, fmt.Errorf("%s update: missing text", prefix)
		}
		return c, nil
	}
	return Command{}, fmt.Errorf("%s: unknown action %q (try update, resolve, show)", prefix, a.toks[1].text)
}

// ParseDuration parses a positive duration of at most max the way commands
// do: a Go duration ("90m", "36h") or whole numbers of w, d, h, m and s
// ("7d", "1w2d"). The command line tools use it for their periods.
func ParseDuration(s string, max time.Duration) (time.Duration, error) {
	return cmdDuration(s, max, cmdFormatDuration(max), "7d, 30d, 36h")
}

// cmdDuration parses a positive duration of at most max: a Go duration
// ("90m", "1h30m") or whole numbers of w (7 days), d (24h), h, m and s
// ("1d", "1w2d", "1d12h").
func cmdDuration(s string, max time.Duration, maxWords, try string) (time.Duration, error) {
	lower := strings.ToLower(s)
	d, err := time.ParseDuration(lower)
	if err != nil {
		var ok bool
		if d, ok = cmdParseDays(lower); !ok {
			return 0, fmt.Errorf("%q is not a duration (try %s)", s, try)
		}
	}
	switch {
	case d <= 0:
		return 0, fmt.Errorf("%q is not a positive duration (try %s)", s, try)
	case d > max:
		return 0, fmt.Errorf("%q is longer than %s", s, maxWords)
	}
	return d, nil
}

// cmdParseDays parses whole numbers with units w, d, h, m and s.
func cmdParseDays(s string) (time.Duration, bool) {
	units := map[byte]time.Duration{'w': 7 * 24 * time.Hour, 'd': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute, 's': time.Second}
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
		unit, ok := units[s[i]]
		if !ok {
			return 0, false
		}
		if time.Duration(n) > (1<<62)/unit {
			return 0, false
		}
		if total += time.Duration(n) * unit; total > 1<<62 {
			return 0, false
		}
		s = s[i+1:]
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
