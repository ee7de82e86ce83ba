package bot_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

const cmdDay = 24 * time.Hour

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in   string
		want bot.Command
		err  string // the whole error message, if an error is expected
	}{
		// help and listings
		{in: "", want: bot.Command{Verb: "help"}},
		{in: "   \t\n ", want: bot.Command{Verb: "help"}},
		{in: "help", want: bot.Command{Verb: "help"}},
		{in: "HELP", want: bot.Command{Verb: "help"}},
		{in: "help claim", want: bot.Command{Verb: "help"}},
		{in: "/openear", want: bot.Command{Verb: "help"}},
		{in: "/openear help", want: bot.Command{Verb: "help"}},
		{in: "mine", want: bot.Command{Verb: "mine"}},
		{in: " Mine ", want: bot.Command{Verb: "mine"}},
		{in: "open", want: bot.Command{Verb: "open"}},
		{in: "mine please", err: `mine: unexpected "please"`},
		{in: "open 42", err: `open: unexpected "42"`},

		// thread ids
		{in: "claim 42", want: bot.Command{Verb: "claim", ID: "42"}},
		{in: "claim #42", want: bot.Command{Verb: "claim", ID: "42"}},
		{in: "/openear  CLAIM\t#42 ", want: bot.Command{Verb: "claim", ID: "42"}},
		{in: "resolve 42", want: bot.Command{Verb: "resolve", ID: "42"}},
		{in: "Resolve T-9_a", want: bot.Command{Verb: "resolve", ID: "T-9_a"}},
		{in: "reopen #7", want: bot.Command{Verb: "reopen", ID: "7"}},
		{in: "claim", err: "claim: missing thread id"},
		{in: "resolve", err: "resolve: missing thread id"},
		{in: "claim 42 43", err: `claim 42: unexpected "43"`},
		{in: "claim ##42", err: `claim: "##42" is not a thread id`},
		{in: "claim #", err: `claim: "#" is not a thread id`},
		{in: "reopen 4/2", err: `reopen: "4/2" is not a thread id`},

		// assign
		{in: "assign 42 <@U123>", want: bot.Command{Verb: "assign", ID: "42", User: "U123"}},
		{in: "assign 42 <@U123|alice>", want: bot.Command{Verb: "assign", ID: "42", User: "U123"}},
		{in: "assign 42 <@U123|alice smith>", want: bot.Command{Verb: "assign", ID: "42", User: "U123"}},
		{in: "assign #42 <@123456789>", want: bot.Command{Verb: "assign", ID: "42", User: "123456789"}},
		{in: "assign 42 <@!123456789>", want: bot.Command{Verb: "assign", ID: "42", User: "123456789"}},
		{in: "assign 42 alice", want: bot.Command{Verb: "assign", ID: "42", User: "alice"}},
		{in: "assign 42 @alice", want: bot.Command{Verb: "assign", ID: "42", User: "alice"}},
		{in: "assign 42 민수", want: bot.Command{Verb: "assign", ID: "42", User: "민수"}},
		{in: "assign 42", err: "assign 42: missing user (try @alice or alice)"},
		{in: "assign", err: "assign: missing thread id"},
		{in: "assign <@U123> 42", err: `assign: "<@U123>" is not a thread id`},
		{in: "assign 42 <@&999>", err: `assign 42: "<@&999>" is not a user (try @alice or alice)`},
		{in: "assign 42 <#C123>", err: `assign 42: "<#C123>" is not a user (try @alice or alice)`},
		{in: "assign 42 <@U123", err: `assign 42: "<@U123" is not a user (try @alice or alice)`},
		{in: "assign 42 alice bob", err: `assign 42: unexpected "bob"`},
		{in: "assign 42 <@U1> bob", err: `assign 42: unexpected "bob"`},

		// snooze
		{in: "snooze 42 30m", want: bot.Command{Verb: "snooze", ID: "42", Duration: 30 * time.Minute}},
		{in: "snooze 42 2h", want: bot.Command{Verb: "snooze", ID: "42", Duration: 2 * time.Hour}},
		{in: "snooze 42 1h30m", want: bot.Command{Verb: "snooze", ID: "42", Duration: 90 * time.Minute}},
		{in: "snooze 42 1.5h", want: bot.Command{Verb: "snooze", ID: "42", Duration: 90 * time.Minute}},
		{in: "snooze 42 1d", want: bot.Command{Verb: "snooze", ID: "42", Duration: cmdDay}},
		{in: "snooze 42 1D12H", want: bot.Command{Verb: "snooze", ID: "42", Duration: 36 * time.Hour}},
		{in: "snooze 42 1w", want: bot.Command{Verb: "snooze", ID: "42", Duration: 7 * cmdDay}},
		{in: "snooze 42 30d", want: bot.Command{Verb: "snooze", ID: "42", Duration: 30 * cmdDay}},
		{in: "snooze 42 2 hours", err: `snooze 42: "2 hours" is not a duration (try 30m, 2h, 1d)`},
		{in: "snooze 42 soon", err: `snooze 42: "soon" is not a duration (try 30m, 2h, 1d)`},
		{in: "snooze 42 1y", err: `snooze 42: "1y" is not a duration (try 30m, 2h, 1d)`},
		{in: "snooze 42 31d", err: `snooze 42: "31d" is longer than 30 days`},
		{in: "snooze 42 5w", err: `snooze 42: "5w" is longer than 30 days`},
		{in: "snooze 42 9999999999w", err: `snooze 42: "9999999999w" is not a duration (try 30m, 2h, 1d)`},
		{in: "snooze 42 0", err: `snooze 42: "0" is not a positive duration (try 30m, 2h, 1d)`},
		{in: "snooze 42 -1h", err: `snooze 42: "-1h" is not a positive duration (try 30m, 2h, 1d)`},
		{in: "snooze 42", err: "snooze 42: missing duration (try 30m, 2h, 1d)"},
		{in: "snooze", err: "snooze: missing thread id"},

		// tags
		{in: "tag 42 billing", want: bot.Command{Verb: "tag", ID: "42", Tag: "billing"}},
		{in: "tag 42 Feature-Request", want: bot.Command{Verb: "tag", ID: "42", Tag: "feature-request"}},
		{in: "untag #42 bug_2", want: bot.Command{Verb: "untag", ID: "42", Tag: "bug_2"}},
		{in: "tag 42 Bad Tag!", err: `tag 42: "Bad Tag!" is not a tag name`},
		{in: "tag 42 환불", err: `tag 42: "환불" is not a tag name`},
		{in: "tag 42", err: "tag 42: missing tag name"},
		{in: "untag", err: "untag: missing thread id"},

		// stats
		{in: "stats", want: bot.Command{Verb: "stats", Duration: 7 * cmdDay}},
		{in: "stats 30d", want: bot.Command{Verb: "stats", Duration: 30 * cmdDay}},
		{in: "STATS 2w", want: bot.Command{Verb: "stats", Duration: 14 * cmdDay}},
		{in: "stats 24h", want: bot.Command{Verb: "stats", Duration: cmdDay}},
		{in: "stats 30 days", err: `stats: "30 days" is not a duration (try 7d, 30d)`},
		{in: "stats 400d", err: `stats: "400d" is longer than 365 days`},

		// incidents
		{in: "incident 7", want: bot.Command{Verb: "incident", ID: "7", Sub: "show"}},
		{in: "incident #7 show", want: bot.Command{Verb: "incident", ID: "7", Sub: "show"}},
		{in: "incident 7 resolve", want: bot.Command{Verb: "incident", ID: "7", Sub: "resolve"}},
		{in: "Incident 7 UPDATE  Fixed: the  API is back.  ", want: bot.Command{Verb: "incident", ID: "7", Sub: "update", Text: "Fixed: the  API is back."}},
		{in: "incident 7 update 결제 오류 복구\n내일 공지", want: bot.Command{Verb: "incident", ID: "7", Sub: "update", Text: "결제 오류 복구\n내일 공지"}},
		{in: "incident", err: "incident: missing incident id"},
		{in: "incident 7 update", err: "incident 7 update: missing text"},
		{in: "incident 7 update   ", err: "incident 7 update: missing text"},
		{in: "incident 7 close", err: `incident 7: unknown action "close" (try update, resolve, show)`},
		{in: "incident 7 resolve now", err: `incident 7 resolve: unexpected "now"`},

		// unknown verbs
		{in: "foo", err: `unknown command "foo": try "help"`},
		{in: "/openear Frobnicate 42", err: `unknown command "Frobnicate": try "help"`},
		{in: "<@U0BOT> claim 42", err: `unknown command "<@U0BOT>": try "help"`},
	}
	for _, tt := range tests {
		got, err := bot.ParseCommand(tt.in)
		switch {
		case tt.err != "" && err == nil:
			t.Errorf("ParseCommand(%q) = %+v, want error %q", tt.in, got, tt.err)
		case tt.err != "" && err.Error() != tt.err:
			t.Errorf("ParseCommand(%q) error = %q, want %q", tt.in, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("ParseCommand(%q) error = %q, want %+v", tt.in, err, tt.want)
		case tt.err == "" && got != tt.want:
			t.Errorf("ParseCommand(%q) = %+v, want %+v", tt.in, got, tt.want)
		case tt.err == "":
			if again, err := bot.ParseCommand(got.String()); err != nil || again != got {
				t.Errorf("ParseCommand(%q) = %+v, %v after String", got.String(), again, err)
			}
		}
		if err != nil && errors.Is(err, bot.ErrUnknownCommand) != strings.HasPrefix(tt.err, "unknown command") {
			t.Errorf("ParseCommand(%q): errors.Is(%q, ErrUnknownCommand) = %v", tt.in, err, errors.Is(err, bot.ErrUnknownCommand))
		}
	}
}

func TestCommandString(t *testing.T) {
	tests := []struct {
		c    bot.Command
		want string
	}{
		{bot.Command{Verb: "help"}, "help"},
		{bot.Command{Verb: "claim", ID: "42"}, "claim 42"},
		{bot.Command{Verb: "assign", ID: "42", User: "U123"}, "assign 42 U123"},
		{bot.Command{Verb: "snooze", ID: "42", Duration: 2 * cmdDay}, "snooze 42 2d"},
		{bot.Command{Verb: "snooze", ID: "42", Duration: 90 * time.Minute}, "snooze 42 1h30m0s"},
		{bot.Command{Verb: "tag", ID: "42", Tag: "billing"}, "tag 42 billing"},
		{bot.Command{Verb: "stats", Duration: 7 * cmdDay}, "stats 7d"},
		{bot.Command{Verb: "incident", ID: "7", Sub: "show"}, "incident 7"},
		{bot.Command{Verb: "incident", ID: "7", Sub: "resolve"}, "incident 7 resolve"},
		{bot.Command{Verb: "incident", ID: "7", Sub: "update", Text: "back up"}, "incident 7 update back up"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.c, got, tt.want)
		}
	}
}

// TestCommandHelp checks that the help lists every verb, one command a line,
// and that each line's syntax, with its placeholders filled in, parses.
func TestCommandHelp(t *testing.T) {
	fill := strings.NewReplacer("<id>", "42", "<@user|name>", "alice", "<duration>", "2h",
		"<tag>", "billing", "[period]", "30d", "<text>", "all good")
	verbs := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(bot.CommandHelp(), "\n"), "\n") {
		syntax, _, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("help line %q: no description", line)
		}
		c, err := bot.ParseCommand(fill.Replace(syntax))
		if err != nil {
			t.Errorf("help line %q does not parse: %v", line, err)
		}
		verbs[c.Verb] = true
	}
	for _, v := range strings.Fields("help mine open claim assign snooze resolve reopen tag untag stats incident") {
		if !verbs[v] {
			t.Errorf("help does not list %q", v)
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"", "help", "claim #42", "assign 42 <@U123|alice>", "snooze 42 1d12h", "stats 30d", "incident 7 update back up",
		"내꺼", "담당 12번", "보류 #12 1시간 30분", "보류 12 2시간반", "통계 1주", "장애 7 공지 복구했어요", "배정 12 @민지"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := bot.ParseCommand(text)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseCommand(%q): empty error", text)
			}
			return
		}
		s := c.String()
		again, err := bot.ParseCommand(s)
		if err != nil {
			t.Fatalf("ParseCommand(%q) = %+v; its String %q does not parse: %v", text, c, s, err)
		}
		if again != c {
			t.Fatalf("ParseCommand(%q) = %+v; String %q parses to %+v", text, c, s, again)
		}
	})
}
