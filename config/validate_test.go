package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/config"
)

func TestValidateErrors(t *testing.T) {
	for _, tc := range []problem{
		{"slack bot_token unset", "slack:\n  bot_token: ${UNSET_BOT}\n  app_token: ${SLACK_APP_TOKEN}\n",
			"2: slack.bot_token: is empty: environment variable UNSET_BOT is unset or empty"},
		{"slack bot_token absent", "slack:\n  app_token: ${SLACK_APP_TOKEN}\n",
			"1: slack.bot_token: is required (slack is enabled); set it to ${SLACK_BOT_TOKEN}"},
		{"signing_secret needed in Events API mode", "slack:\n  bot_token: ${SLACK_BOT_TOKEN}\n  signing_secret: ${UNSET_SIGNING}\n",
			"3: slack.signing_secret: is empty: environment variable UNSET_SIGNING is unset or empty (app_token is empty"},
		{"signing_secret needed when app_token unset", "slack:\n  bot_token: ${SLACK_BOT_TOKEN}\n  app_token: ${UNSET_APP}\n",
			"1: slack.signing_secret: is required (app_token is empty"},
		{"discord token", "discord:\n  channels: [\"1\"]\n  token: ${UNSET_DISCORD}\n",
			"3: discord.token: is empty: environment variable UNSET_DISCORD is unset or empty"},
		{"triage channel is a customer channel", "slack:\n  bot_token: ${SLACK_BOT_TOKEN}\n  app_token: ${SLACK_APP_TOKEN}\n  triage_channel: C1\n  channels: [C0, C1]\n",
			`4: slack.triage_channel: "C1" is also in slack.channels[1]`},
		{"discord triage channel", "discord:\n  token: ${DISCORD_BOT_TOKEN}\n  triage_channel: \"1\"\n  channels: [\"1\"]\n",
			`3: discord.triage_channel: "1" is also in discord.channels[0]`},
		{"bad api_url", "discord:\n  token: ${DISCORD_BOT_TOKEN}\n  api_url: \"localhost:1234\"\n",
			`3: discord.api_url: "localhost:1234" is not an http(s) URL`},
		{"empty channel", "slack:\n  bot_token: ${SLACK_BOT_TOKEN}\n  app_token: ${SLACK_APP_TOKEN}\n  channels:\n    - C1\n    - \"\"\n",
			"6: slack.channels[1]: must not be empty"},
		{"listen not host:port", "http:\n  listen: localhost\n", `2: http.listen: "localhost" is not host:port`},
		{"listen bad port", "http:\n  listen: \"127.0.0.1:http\"\n", `2: http.listen: "127.0.0.1:http" has no valid port number`},
		{"public listen needs token", "http:\n  listen: \":8080\"\n", "1: http.token: is required (a dashboard token is required when http.listen"},
		{"public listen token unset", "http:\n  listen: \"0.0.0.0:8080\"\n  token: ${UNSET_HTTP}\n",
			"3: http.token: is empty: environment variable UNSET_HTTP is unset or empty"},
		{"empty storage path", "storage:\n  path: \"\"\n", "2: storage.path: must not be empty"},
		{"public_url not a URL", "http:\n  public_url: openear.example.com\n", `2: http.public_url: "openear.example.com" is not an http(s) URL`},
		{"public_url with a query", "http:\n  public_url: \"https://x.example.com/?a=1\"\n", `2: http.public_url: "https://x.example.com/?a=1" has a query or fragment`},
		{"csat notify_below", "csat:\n  notify_below: 0\n", "2: csat.notify_below: 0 is not a score from 1 to 6"},
		{"csat language", "csat:\n  text: {fr: \"Ça va ?\"}\n", "2: csat.text.fr: unknown language (en, ko)"},
		{"csat empty question", "csat:\n  enabled: true\n  text: {ko: \"\"}\n", "3: csat.text.ko: must not be empty while csat is enabled"},
		{"duplicate person", "people:\n  - {name: a, slack: U1}\n  - {name: a, slack: U2}\n", `3: people[1].name: "a" is already the name of people[0]`},
		{"person without name", "people:\n  - {slack: U1}\n", "2: people[0].name: is required"},
		{"person without ids", "people:\n  - {name: a}\n", `2: people[0]: "a" has neither a slack nor a discord id`},
		{"person time zone", "people:\n  - name: a\n    slack: U1\n    timezone: Mars/Olympus\n", `4: people[0].timezone: unknown time zone "Mars/Olympus"`},
		{"locale", "locale: jp\n", `1: locale: "jp" is not a language openear speaks (en or ko)`},
		{"locale empty", "locale: \"\"\n", `1: locale: "" is not a language openear speaks (en or ko)`},
		{"locale upper case", "locale: KO\n", `1: locale: "KO": write it in lowercase, "ko"`},
		{"locale with region", "locale: ko-KR\n", `1: locale: "ko-KR": write the language alone, "ko"`},
		{"person locale", "people:\n  - name: a\n    slack: U1\n    locale: kr\n", `4: people[0].locale: "kr" is not a language openear speaks (en or ko)`},
		{"slack locale", "slack:\n  bot_token: ${SLACK_BOT_TOKEN}\n  app_token: ${SLACK_APP_TOKEN}\n  locale: korean\n",
			`4: slack.locale: "korean" is not a language openear speaks (en or ko)`},
		{"discord locale", "discord:\n  token: ${DISCORD_BOT_TOKEN}\n  locale: en_US\n", `3: discord.locale: "en_US": write the language alone, "en"`},
		{"team member not a person", "people: [{name: a, slack: U1}]\nteams:\n  - name: t\n    members: [a, zed]\n",
			`4: teams[0].members[1]: "zed" is not in people`},
		{"team strategy", "people: [{name: a, slack: U1}]\nteams:\n  - {name: t, members: [a], strategy: random}\n",
			`3: teams[0].strategy: "random" is not round_robin or least_loaded`},
		{"team without members", "teams:\n  - name: t\n", "2: teams[0].members: a team needs at least one member"},
		{"duplicate team", "people: [{name: a, slack: U1}]\nteams:\n  - {name: t, members: [a]}\n  - {name: t, members: [a]}\n",
			`4: teams[1].name: "t" is already the name of teams[0]`},
		{"routing unknown team", "routing:\n  - team: nobody\n", `2: routing[0].team: "nobody" is not in teams`},
		{"routing unknown person", "routing:\n  - person: nobody\n", `2: routing[0].person: "nobody" is not in people`},
		{"routing rule without owner", "routing:\n  - match: {tags: [urgent]}\n", "2: routing[0]: a rule needs a team or a person"},
		{"routing rule with both", "people: [{name: a, slack: U1}]\nteams: [{name: t, members: [a]}]\nrouting:\n  - {team: t, person: a}\n",
			"4: routing[0]: a rule has a team or a person, not both"},
		{"catch-all before the end", "people: [{name: a, slack: U1}]\nrouting:\n  - person: a\n  - {match: {tags: [x]}, person: a}\n",
			"3: routing[0]: only the last rule may have no match"},
		{"routing platform", "people: [{name: a, slack: U1}]\nrouting:\n  - match:\n      platforms: [slack, irc]\n    person: a\n",
			`4: routing[0].match.platforms[1]: "irc" is not slack or discord`},
		{"routing tag name", "people: [{name: a, slack: U1}]\nrouting:\n  - match:\n      tags: [Urgent]\n    person: a\n",
			`4: routing[0].match.tags[0]: "Urgent" is not a tag name`},
		{"tag name", "tags:\n  - name: Billing\n    keywords: [invoice]\n", `2: tags[0].name: "Billing" is not a tag name`},
		{"tag name with space", "tags:\n  - {name: \"my tag\", keywords: [x]}\n", `2: tags[0].name: "my tag" is not a tag name`},
		{"duplicate tag", "tags:\n  - {name: a, keywords: [x]}\n  - {name: a, keywords: [y]}\n", `3: tags[1].name: "a" is already defined by tags[0]`},
		{"tag without rule", "tags:\n  - name: a\n", "2: tags[0]: a tag needs keywords or a regex"},
		{"regex does not compile", "tags:\n  - name: a\n    regex: \"(unclosed\"\n", "3: tags[0].regex: does not compile"},
		{"regex too long", "tags:\n  - name: a\n    regex: \"" + strings.Repeat("a", 1025) + "\"\n", "3: tags[0].regex: is 1025 bytes; at most 1024"},
		{"first_reply zero", "sla:\n  first_reply: 0s\n", "2: sla.first_reply: must be more than 0"},
		{"next_reply negative", "sla:\n  next_reply: -1h\n", "2: sla.next_reply: must be more than 0"},
		{"per_tag empty key", "sla:\n  per_tag:\n    \"\": 1h\n", `3: sla.per_tag.: "" is not a tag name`},
		{"per_tag bad key", "sla:\n  per_tag:\n    Urgent: 1h\n", `3: sla.per_tag.Urgent: "Urgent" is not a tag name`},
		{"per_tag zero", "sla:\n  per_tag:\n    urgent: 0s\n", "3: sla.per_tag.urgent: must be more than 0"},
		{"escalate_after zero", "sla:\n  escalate_after: 0\n", "2: sla.escalate_after: must be more than 0"},
		{"remind_at zero", "sla:\n  remind_at: [0, 1]\n", "2: sla.remind_at[0]: 0 is not in (0, escalate_after=1.5]"},
		{"remind_at past escalation", "sla:\n  remind_at:\n    - 0.5\n    - 2\n", "4: sla.remind_at[1]: 2 is not in (0, escalate_after=1.5]"},
		{"remind_at not ascending", "sla:\n  remind_at:\n    - 1\n    - 0.5\n", "4: sla.remind_at[1]: 0.5 is not after 1"},
		{"business time zone", "business_hours:\n  timezone: Nowhere/City\n  week: {mon: [\"09:00-18:00\"]}\n",
			`2: business_hours.timezone: unknown time zone "Nowhere/City"`},
		{"business no week", "business_hours:\n  timezone: UTC\n", "1: business_hours.week: no open hours"},
		{"business bad day", "business_hours:\n  week:\n    mon-fry: [\"09:00-18:00\"]\n", `3: business_hours.week.mon-fry: "mon-fry" is not a day`},
		{"business day twice", "business_hours:\n  week:\n    mon-fri: [\"09:00-18:00\"]\n    fri: [\"10:00-12:00\"]\n",
			`4: business_hours.week.fri: fri is also set by "mon-fri"`},
		{"business bad span", "business_hours:\n  week:\n    mon: [\"09:00-12:00\", \"1pm-6pm\"]\n", `3: business_hours.week.mon[1]: "1pm-6pm" is not a span of hours`},
		{"business span backwards", "business_hours:\n  week:\n    mon:\n      - \"18:00-09:00\"\n", `4: business_hours.week.mon[0]: "18:00-09:00" ends before it starts`},
		{"business spans overlap", "business_hours:\n  week:\n    mon:\n      - \"09:00-13:00\"\n      - \"12:00-18:00\"\n",
			"5: business_hours.week.mon[1]: 12:00-18:00 overlaps or comes before 09:00-13:00"},
		{"business 24:00 start", "business_hours:\n  week:\n    mon: [\"24:00-24:00\"]\n", `3: business_hours.week.mon[0]: "24:00-24:00" is not a span`},
		{"holiday", "business_hours:\n  week: {mon: [\"09:00-18:00\"]}\n  holidays:\n    - 2026-12-25\n    - 12/31\n",
			`5: business_hours.holidays[1]: "12/31" is not a date (write YYYY-MM-DD)`},
		{"join_window negative", "threads:\n  join_window: -1s\n", "2: threads.join_window: must not be negative"},
		{"min_customers", "incidents:\n  min_customers: 0\n", "2: incidents.min_customers: must be at least 1"},
		{"incident window", "incidents:\n  window: 0s\n", "2: incidents.window: must be more than 0"},
		{"digest at", "digest:\n  at: \"9am\"\n", `2: digest.at: "9am" is not a time of day`},
		{"digest timezone", "digest:\n  timezone: Atlantis\n", `2: digest.timezone: unknown time zone "Atlantis"`},
		{"digest without channel", "digest:\n  enabled: true\n", "1: digest: enabled, but neither slack_channel nor discord_channel is set"},
		{"digest slack disabled", "digest:\n  enabled: true\n  slack_channel: C1\n", "3: digest.slack_channel: slack is not enabled"},
		{"ack language", "ack:\n  text:\n    fr: \"merci {when}\"\n", "3: ack.text.fr: unknown language (en, ko)"},
		{"ack empty text", "ack:\n  enabled: true\n  text: {en: \"\"}\n", "3: ack.text.en: must not be empty while ack is enabled"},
		{"coalesce_after", "notices:\n  coalesce_after: 0\n", "2: notices.coalesce_after: must be at least 1"},
		{"follow_up without coalesce", "notices:\n  coalesce: false\n  follow_up: true\n", "3: notices.follow_up: has no effect while notices.coalesce is false"},
		{"log level", "log:\n  level: verbose\n", `2: log.level: "verbose" is not debug, info, warn or error`},
		{"log format", "log:\n  format: xml\n", `2: log.format: "xml" is not text or json`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := parse(t, tc.src)
			wantProblem(t, c.Validate(), tc.want)
		})
	}
}

func TestValidateReportsEveryProblemInOrder(t *testing.T) {
	c := parse(t, `log:
  level: loud
sla:
  first_reply: 0s
teams:
  - {name: t, members: [nobody]}
`)
	err := c.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{"test.yaml:2: log.level:", "test.yaml:4: sla.first_reply:", "test.yaml:6: teams[0].members[0]:"}
	if len(lines) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("problem %d = %q, want prefix %q", i, lines[i], w)
		}
	}
}

func TestValidateNeverPrintsSecrets(t *testing.T) {
	// A secret value that also appears in a plain key is scrubbed from
	// every message.
	vars := map[string]string{"TOKEN": "sekrit-token-value"}
	c, err := config.Parse("test.yaml", []byte(`
slack:
  bot_token: ${TOKEN}
  app_token: ${TOKEN}
log:
  level: ${TOKEN}
`), func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	if err == nil || !strings.Contains(err.Error(), "log.level") {
		t.Fatalf("want a log.level problem, got %v", err)
	}
	if strings.Contains(err.Error(), vars["TOKEN"]) {
		t.Errorf("message shows the secret: %v", err)
	}
}

func TestValidateWithoutSource(t *testing.T) {
	c := config.Default()
	c.Log.Level = "loud"
	c.Slack = &config.Slack{Enabled: true}
	err := c.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"slack.bot_token: is required", `log.level: "loud"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// setenv sets the variables of env for the test.
func setenv(t *testing.T) {
	for k, v := range env {
		t.Setenv(k, v)
	}
}

func TestLoadExample(t *testing.T) {
	setenv(t)
	c, err := config.Load(filepath.Join("..", "testdata", "openear.yaml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Slack == nil || c.Discord == nil || c.BusinessHours == nil {
		t.Fatal("example lacks a section")
	}
	if got := c.Slack.BotToken.Reveal(); got != env["SLACK_BOT_TOKEN"] {
		t.Errorf("bot_token = %q", got)
	}
	if len(c.SecretValues()) != 5 {
		t.Errorf("SecretValues() has %d values, want 5", len(c.SecretValues()))
	}
	if c.Locale != "en" || c.Discord.Locale != "ko" || c.People[0].Locale != "ko" || c.People[2].Locale != "en" || c.People[1].Locale != "" {
		t.Errorf("locales: %q, discord %q, people %q %q %q", c.Locale, c.Discord.Locale, c.People[0].Locale, c.People[1].Locale, c.People[2].Locale)
	}
	days, err := c.BusinessHours.Days()
	if err != nil || len(days[1]) != 2 || len(days[0]) != 0 {
		t.Errorf("Days() = %v, %v", days, err)
	}
}

func TestExampleNeedsEnvironment(t *testing.T) {
	for k := range env {
		t.Setenv(k, "")
	}
	_, err := config.Load(filepath.Join("..", "testdata", "openear.yaml"))
	if err == nil {
		t.Fatal("example loads without secrets")
	}
	for _, name := range []string{"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_BOT_TOKEN", "OPENEAR_HTTP_TOKEN"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s:\n%v", name, err)
		}
	}
}

// TestExampleUsesEveryKey keeps testdata/openear.yaml and doc.go complete:
// every key documented in doc.go appears in the example.
func TestExampleUsesEveryKey(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "testdata", "openear.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := documentedKeys(string(doc))
	if len(keys) < 57 {
		t.Fatalf("found only %d keys in doc.go", len(keys))
	}
	for _, k := range keys {
		leaf := k[strings.LastIndex(k, ".")+1:]
		if !strings.Contains(string(example), leaf+":") {
			t.Errorf("key %s is not used in testdata/openear.yaml", k)
		}
	}
}

// documentedKeys reads the key list of doc.go: lines "//	key.path  meaning".
func documentedKeys(doc string) []string {
	var keys []string
	for line := range strings.Lines(doc) {
		rest, ok := strings.CutPrefix(line, "//\t")
		if !ok || strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "\t") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) > 0 && strings.Trim(f[0], "abcdefghijklmnopqrstuvwxyz_.[]") == "" && strings.Contains(f[0], ".") {
			keys = append(keys, strings.ReplaceAll(f[0], "[]", ""))
		}
	}
	return keys
}

func TestLoadBadKey(t *testing.T) {
	setenv(t)
	path := filepath.Join("..", "testdata", "bad-key.yaml")
	_, err := config.Load(path)
	want := path + ":5: slack.bot_tokn: unknown key (did you mean bot_token?)"
	if err == nil || err.Error() != want {
		t.Errorf("Load = %v, want %q", err, want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load = %v, want ErrNotExist", err)
	}
}

func TestSuggestTransposition(t *testing.T) {
	_, err := config.Parse("test.yaml", []byte("slack:\n  bot_tokne: x\n"), getenv)
	wantProblem(t, err, "2: slack.bot_tokne: unknown key (did you mean bot_token?)")
}

func TestValidateNeverPrintsEnvValues(t *testing.T) {
	// A value read from the environment into a plain key may still be a
	// secret: messages show the ${VAR} that was written instead.
	c := parse(t, "digest:\n  at: ${SLACK_BOT_TOKEN}\n")
	wantProblem(t, c.Validate(), `2: digest.at: "${SLACK_BOT_TOKEN}" is not a time of day`)
}

func TestListenNeedsTokenUnlessLoopback(t *testing.T) {
	for listen, needsToken := range map[string]bool{
		"127.0.0.1:8080": false, "localhost:80": false, "[::1]:8080": false, "127.0.0.2:1": false,
		":8080": true, "0.0.0.0:80": true, "[::]:80": true, "example.com:443": true, "10.0.0.1:80": true,
	} {
		c := config.Default()
		c.HTTP.Listen = listen
		err := c.Validate()
		if got := err != nil && strings.Contains(err.Error(), "http.token: is required"); got != needsToken {
			t.Errorf("listen %q: token required = %v, want %v (%v)", listen, got, needsToken, err)
		}
		c.HTTP.Token = "t0ken-value"
		if err := c.Validate(); err != nil {
			t.Errorf("listen %q with token: %v", listen, err)
		}
	}
}

// discord.api_url: a bare host and one with Discord's API path are both
// valid (the adapter drops the path it replaces with its own /api/v9).
func TestValidateDiscordAPIURLForms(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8081", "http://127.0.0.1:8081/api/v10/", "https://proxy.example/discord"} {
		c := parse(t, "discord:\n  token: ${DISCORD_BOT_TOKEN}\n  api_url: \""+u+"\"\n  channels: [\"1\"]\n  staff: [\"2\"]\n")
		if err := c.Validate(); err != nil && strings.Contains(err.Error(), "api_url") {
			t.Errorf("api_url %s: %v", u, err)
		}
	}
}

func TestStoragePostgres(t *testing.T) {
	const url = "postgres://openear:s3cret-Passw0rd@db.example.com:5432/openear?sslmode=verify-full"
	load := func(env map[string]string, yaml string) (config.Config, error) {
		c, err := config.Parse("openear.yaml", []byte(yaml), func(k string) string { return env[k] })
		if err != nil {
			return c, err
		}
		return c, c.Validate()
	}
	c, err := load(map[string]string{"OPENEAR_POSTGRES_URL": url}, "storage: {path: \"\", postgres: \"${OPENEAR_POSTGRES_URL}\", lease: 3s}\n")
	if err != nil {
		t.Fatalf("a PostgreSQL URL and no path: %v", err)
	}
	if c.Storage.Postgres.Reveal() != url || c.Storage.Lease.D() != 3*time.Second {
		t.Errorf("storage = %+v", c.Storage)
	}
	if !slices.Contains(c.SecretValues(), url) {
		t.Error("the URL is not among the secrets the log scrubs")
	}
	if d := config.Default().Storage.Lease.D(); d != 10*time.Second {
		t.Errorf("default lease %s, want 10s", d)
	}

	bad := []struct{ env, yaml, want string }{
		{url, "storage: {postgres: \"" + url + "\"}\n", "put secrets in the environment, e.g. ${OPENEAR_POSTGRES_URL}"},
		{"mysql://u:s3cret-Passw0rd@h/db", "storage: {postgres: \"${OPENEAR_POSTGRES_URL}\"}\n", "storage.postgres: is not a PostgreSQL URL"},
		{"s3cret-Passw0rd", "storage: {postgres: \"${OPENEAR_POSTGRES_URL}\"}\n", "storage.postgres: is not a PostgreSQL URL"},
		{url, "storage: {postgres: \"${OPENEAR_POSTGRES_URL}\", lease: 30s}\n", "storage.lease: 30s is not between 1s and 10s"},
		{url, "storage: {postgres: \"${OPENEAR_POSTGRES_URL}\", lease: 100ms}\n", "storage.lease: 100ms is not between"},
	}
	for _, tc := range bad {
		_, err := load(map[string]string{"OPENEAR_POSTGRES_URL": tc.env}, tc.yaml)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s with %q: %v, want %q", strings.TrimSpace(tc.yaml), tc.env, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "s3cret-Passw0rd") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
	// Without storage.postgres, storage.path is required as before.
	if _, err := load(nil, "storage: {path: \"\"}\n"); err == nil || !strings.Contains(err.Error(), "storage.path") {
		t.Errorf("empty path without postgres: %v", err)
	}
}
