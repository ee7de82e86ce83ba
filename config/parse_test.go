package config_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/config"
)

// env is the environment of most tests.
var env = map[string]string{
	"SLACK_BOT_TOKEN":      "xoxb-bot-secret",
	"SLACK_APP_TOKEN":      "xapp-app-secret",
	"SLACK_SIGNING_SECRET": "signing-secret-value",
	"DISCORD_BOT_TOKEN":    "discord-secret-value",
	"OPENEAR_HTTP_TOKEN":   "http-secret-value",
}

func getenv(k string) string { return env[k] }

func parse(t *testing.T, src string) config.Config {
	t.Helper()
	c, err := config.Parse("test.yaml", []byte(src), getenv)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

// noSecrets fails when msg contains a secret of env.
func noSecrets(t *testing.T, msg string) {
	t.Helper()
	for _, v := range env {
		if strings.Contains(msg, v) {
			t.Errorf("message contains secret %q:\n%s", v, msg)
		}
	}
}

func TestParseEmptyIsDefault(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "---\n", "{}\n"} {
		c := parse(t, src)
		d := config.Default()
		for _, pair := range [][2]any{
			{c.Storage, d.Storage}, {c.HTTP, d.HTTP}, {c.Slack, d.Slack}, {c.Discord, d.Discord},
			{c.People, d.People}, {c.Teams, d.Teams}, {c.Routing, d.Routing}, {c.Tags, d.Tags},
			{c.SLA, d.SLA}, {c.BusinessHours, d.BusinessHours}, {c.Threads, d.Threads},
			{c.Incidents, d.Incidents}, {c.Digest, d.Digest}, {c.Ack, d.Ack}, {c.Log, d.Log},
		} {
			if !reflect.DeepEqual(pair[0], pair[1]) {
				t.Errorf("Parse(%q) = %+v, want default %+v", src, pair[0], pair[1])
			}
		}
		if err := c.Validate(); err != nil {
			t.Errorf("defaults do not validate: %v", err)
		}
	}
}

func TestDefault(t *testing.T) {
	d := config.Default()
	checks := []struct {
		name      string
		got, want any
	}{
		{"storage.path", d.Storage.Path, "openear.db"},
		{"http.listen", d.HTTP.Listen, "127.0.0.1:8080"},
		{"slack", d.Slack == nil, true},
		{"discord", d.Discord == nil, true},
		{"business_hours", d.BusinessHours == nil, true},
		{"sla.first_reply", d.SLA.FirstReply.D(), time.Hour},
		{"sla.next_reply", d.SLA.NextReply.D(), 4 * time.Hour},
		{"sla.per_tag", len(d.SLA.PerTag), 0},
		{"sla.remind_at", d.SLA.RemindAt, []float64{0.75, 1.0}},
		{"sla.escalate_after", d.SLA.EscalateAfter, 1.5},
		{"threads.join_window", d.Threads.JoinWindow.D(), 2 * time.Minute},
		{"incidents", d.Incidents, config.Incidents{Enabled: true, MinCustomers: 3, Window: config.Duration(15 * time.Minute)}},
		{"digest.enabled", d.Digest.Enabled, false},
		{"digest.at", d.Digest.At, "09:00"},
		{"ack.enabled", d.Ack.Enabled, false},
		{"ack.text.en has {when}", strings.Contains(d.Ack.Text["en"], "{when}"), true},
		{"ack.text.ko has {when}", strings.Contains(d.Ack.Text["ko"], "{when}"), true},
		{"notices", d.Notices, config.Notices{Coalesce: true, CoalesceAfter: 3}},
		{"log", d.Log, config.Log{Level: "info", Format: "text"}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// Each call returns fresh maps and slices.
	d.SLA.PerTag["x"] = 1
	d.Ack.Text["en"] = "changed"
	if e := config.Default(); len(e.SLA.PerTag) != 0 || e.Ack.Text["en"] == "changed" {
		t.Error("Default shares maps between calls")
	}
}

func TestSectionDefaults(t *testing.T) {
	c := parse(t, `
slack: {bot_token: "${SLACK_BOT_TOKEN}"}
discord:
teams: [{name: t, members: [a]}]
ack: {text: {en: "hi {when}"}}
sla: {per_tag: {urgent: 15m}}
`)
	if c.Slack == nil || !c.Slack.Enabled {
		t.Errorf("slack = %+v, want enabled", c.Slack)
	}
	if c.Discord == nil || !c.Discord.Enabled {
		t.Errorf("discord = %+v, want enabled (a null section is present)", c.Discord)
	}
	if got := c.Teams[0].Strategy; got != config.RoundRobin {
		t.Errorf("strategy = %q, want %q", got, config.RoundRobin)
	}
	if c.Ack.Text["en"] != "hi {when}" || c.Ack.Text["ko"] != config.Default().Ack.Text["ko"] {
		t.Errorf("ack.text = %q, want en overridden and ko default", c.Ack.Text)
	}
	if c.SLA.FirstReply.D() != time.Hour || c.SLA.PerTag["urgent"].D() != 15*time.Minute {
		t.Errorf("sla = %+v", c.SLA)
	}

	c = parse(t, "slack: {enabled: false}\n")
	if c.Slack == nil || c.Slack.Enabled {
		t.Errorf("slack = %+v, want present and disabled", c.Slack)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("disabled slack needs no token: %v", err)
	}
}

func TestEnvExpansion(t *testing.T) {
	vars := map[string]string{"DIR": "/data", "PORT": "9090", "SLA": "30m", "ON": "true", "NUM": "5", "DOLLAR": "$"}
	src := `
storage: {path: "${DIR}/openear.db"}
http: {listen: "127.0.0.1:${PORT}"}
sla: {first_reply: "${SLA}", remind_at: ["0.5", "${MISSING}1"]}
incidents: {enabled: "${ON}", min_customers: "${NUM}"}
digest: {slack_channel: "$DIR ${DIR}${DIR} $${DIR} ${not valid} ${DOLLAR}{DIR}"}
people: [{name: "${MISSING}x", slack: U1}]
`
	c, err := config.Parse("test.yaml", []byte(src), func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"storage.path", c.Storage.Path, "/data/openear.db"},
		{"http.listen", c.HTTP.Listen, "127.0.0.1:9090"},
		{"sla.first_reply", c.SLA.FirstReply.D(), 30 * time.Minute},
		{"sla.remind_at", c.SLA.RemindAt, []float64{0.5, 1}},
		{"incidents.enabled", c.Incidents.Enabled, true},
		{"incidents.min_customers", c.Incidents.MinCustomers, 5},
		// Only ${VAR} expands, once: no $VAR, no escape, no re-expansion.
		{"digest.slack_channel", c.Digest.SlackChannel, "$DIR /data/data $/data ${not valid} ${DIR}"},
		{"people[0].name", c.People[0].Name, "x"},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
}

func TestEnvExpansionIsNotTextual(t *testing.T) {
	// A variable holding YAML stays one scalar: expansion happens after
	// parsing, never on the raw text.
	vars := map[string]string{"EVIL": "x\nslack: {enabled: true}", "KEYS": "a: b"}
	c, err := config.Parse("test.yaml", []byte("storage: {path: \"${EVIL}\"}\nlog: {level: \"${KEYS}\"}\n"),
		func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Storage.Path != vars["EVIL"] || c.Slack != nil || c.Log.Level != "a: b" {
		t.Errorf("got path %q, slack %v, level %q", c.Storage.Path, c.Slack, c.Log.Level)
	}
}

func TestParseNilGetenvUsesProcessEnvironment(t *testing.T) {
	t.Setenv("OPENEAR_TEST_DIR", "/from/env")
	c, err := config.Parse("test.yaml", []byte("storage:\n  path: ${OPENEAR_TEST_DIR}/db\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Storage.Path != "/from/env/db" {
		t.Errorf("path = %q", c.Storage.Path)
	}
}

func TestSecretsFromEnvironment(t *testing.T) {
	c := parse(t, `
http: {token: "${OPENEAR_HTTP_TOKEN}"}
slack:
  bot_token: ${SLACK_BOT_TOKEN}
  app_token: " ${SLACK_APP_TOKEN} "
  signing_secret: ""
discord: {token: "${DISCORD_BOT_TOKEN}"}
`)
	if got := c.Slack.BotToken.Reveal(); got != env["SLACK_BOT_TOKEN"] {
		t.Errorf("bot_token = %q", got)
	}
	if got := c.Slack.AppToken.Reveal(); got != env["SLACK_APP_TOKEN"] {
		t.Errorf("app_token = %q", got)
	}
	got := c.SecretValues()
	want := []string{env["OPENEAR_HTTP_TOKEN"], env["SLACK_BOT_TOKEN"], env["SLACK_APP_TOKEN"], env["DISCORD_BOT_TOKEN"]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SecretValues = %q, want %q", got, want)
	}
	if got := config.Default().SecretValues(); len(got) != 0 {
		t.Errorf("Default().SecretValues() = %q", got)
	}
}

// A problem is one message Parse or Validate must report.
type problem struct {
	name string
	src  string
	want string // "LINE: key: message fragment"
}

func wantProblem(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	msg := err.Error()
	noSecrets(t, msg)
	if !strings.Contains(msg, "test.yaml:"+want) {
		t.Errorf("error does not contain %q:\n%s", "test.yaml:"+want, msg)
	}
	var e *config.Error
	if !errors.As(err, &e) || e.File != "test.yaml" || e.Line == 0 {
		t.Errorf("first error is not a located *config.Error: %#v", e)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []problem{
		{"unknown top-level key", "storage: {path: x}\nslck: {}\n", "2: slck: unknown key (did you mean slack?)"},
		{"unknown nested key", "slack:\n  channels: [C1]\n  bot_tokn: ${SLACK_BOT_TOKEN}\n", "3: slack.bot_tokn: unknown key (did you mean bot_token?)"},
		{"unknown key in list item", "people:\n  - name: a\n  - name: b\n    slak: U1\n", "4: people[1].slak: unknown key (did you mean slack?)"},
		{"unknown key deep", "routing:\n  - match:\n      tag: [x]\n    team: t\n", "3: routing[0].match.tag: unknown key (did you mean tags?)"},
		{"unknown key far from any", "log:\n  colour: red\n", "2: log.colour: unknown key (known keys: format, level)"},
		{"unknown key in notices", "notices:\n  coalesce_aftr: 5\n", "2: notices.coalesce_aftr: unknown key (did you mean coalesce_after?)"},
		{"unknown key in business_hours", "business_hours:\n  timezone: UTC\n  weeks: {}\n", "3: business_hours.weeks: unknown key (did you mean week?)"},
		{"duplicate key", "log:\n  level: info\n  level: debug\n", "3: log.level: duplicate key (first at line 2)"},
		{"not a duration", "sla:\n  first_reply: 1hour\n", `2: sla.first_reply: "1hour" is not a duration`},
		{"per_tag not a duration", "sla:\n  per_tag:\n    urgent: soon\n", `3: sla.per_tag.urgent: "soon" is not a duration`},
		{"not a bool", "slack:\n  dms: maybe\n", `2: slack.dms: "maybe" is not true or false`},
		{"not an int", "incidents:\n  min_customers: three\n", `2: incidents.min_customers: "three" is not a whole number`},
		{"not a number", "sla:\n  escalate_after: lots\n", `2: sla.escalate_after: "lots" is not a number`},
		{"not a number in list", "sla:\n  remind_at:\n    - 0.5\n    - half\n", `4: sla.remind_at[1]: "half" is not a number`},
		{"list for a string", "storage:\n  path: [a, b]\n", "2: storage.path: expected a single value, got a list"},
		{"string for a list", "slack:\n  channels: C1\n", "2: slack.channels: expected a list, got a single value"},
		{"string for a mapping", "sla: fast\n", "1: sla: expected a mapping, got a single value"},
		{"list for a mapping", "people:\n  - [a]\n", "2: people[0]: expected a mapping, got a list"},
		{"literal slack token", "slack:\n  bot_token: xoxb-1234-literal\n", "2: slack.bot_token: put secrets in the environment, e.g. ${SLACK_BOT_TOKEN}"},
		{"literal app token", "slack:\n  app_token: xapp-1-literal\n", "2: slack.app_token: put secrets in the environment, e.g. ${SLACK_APP_TOKEN}"},
		{"literal signing secret", "slack:\n  signing_secret: abc123literal\n", "2: slack.signing_secret: put secrets in the environment, e.g. ${SLACK_SIGNING_SECRET}"},
		{"literal discord token", "discord:\n  token: \"MTIz.literal\"\n", "2: discord.token: put secrets in the environment, e.g. ${DISCORD_BOT_TOKEN}"},
		{"literal http token", "http:\n  token: hunter2literal\n", "2: http.token: put secrets in the environment, e.g. ${OPENEAR_HTTP_TOKEN}"},
		{"secret mixed with text", "slack:\n  bot_token: \"xoxb-${SLACK_BOT_TOKEN}\"\n", "2: slack.bot_token: put secrets in the environment"},
		{"syntax error", "slack:\n  channels: [C1\nlog: {}\n", "1: did not find expected ',' or ']'"},
		{"top level not a mapping", "- a\n- b\n", "1: expected a mapping, got a list"},
		{"merge key", "base: &b {level: info}\n", "1: base: unknown key"},
		{"merge keys unsupported", "x: &b {level: info}\nlog:\n  <<: *b\n", "3: log: merge keys (<<) are not supported"},
		{"non-string key", "log:\n  [a]: b\n", "2: log: a key must be a string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse("test.yaml", []byte(tc.src), getenv)
			wantProblem(t, err, tc.want)
			for _, lit := range []string{"xoxb-1234-literal", "xapp-1-literal", "abc123literal", "MTIz.literal", "hunter2literal"} {
				if err != nil && strings.Contains(err.Error(), lit) {
					t.Errorf("error repeats the literal secret %q: %v", lit, err)
				}
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, err := config.Parse("test.yaml", []byte("slak: {}\nlog:\n  levle: x\nsla:\n  first_reply: 1hour\n"), getenv)
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{"test.yaml:1: slak:", "test.yaml:3: log.levle:", "test.yaml:5: sla.first_reply:"}
	if len(lines) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("problem %d = %q, want prefix %q", i, lines[i], w)
		}
	}
}

func TestEnvValueNeverEchoed(t *testing.T) {
	// A value from the environment may be a secret placed in the wrong key:
	// a message shows what was written, not what it expanded to.
	_, err := config.Parse("test.yaml", []byte("sla:\n  first_reply: ${SLACK_BOT_TOKEN}\n"), getenv)
	wantProblem(t, err, `2: sla.first_reply: "${SLACK_BOT_TOKEN}" (after expanding the environment) is not a duration`)
}

func TestAliases(t *testing.T) {
	c := parse(t, `
slack:
  bot_token: ${SLACK_BOT_TOKEN}
  channels: &chans [C1, C2]
discord:
  token: ${DISCORD_BOT_TOKEN}
  channels: *chans
`)
	if !reflect.DeepEqual(c.Discord.Channels, []string{"C1", "C2"}) {
		t.Errorf("discord.channels = %q", c.Discord.Channels)
	}
	// An alias to its own list does not loop.
	_, err := config.Parse("test.yaml", []byte("slack:\n  channels: &a [*a]\n"), getenv)
	wantProblem(t, err, "2: slack.channels[0]: expected a single value, got a list")
}

func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a0"
	for i := 1; i < 9; i++ {
		name := "a" + string(rune('0'+i))
		b.WriteString(name + ": &" + name + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = name
	}
	b.WriteString("routing: [" + strings.Repeat("*"+prev+", ", 50) + "*" + prev + "]\n")
	done := make(chan error, 1)
	go func() {
		_, err := config.Parse("test.yaml", []byte(b.String()), getenv)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("no error")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Parse did not finish")
	}
}
