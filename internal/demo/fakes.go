package demo

import (
	"cmp"
	"os"
	"time"

	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/config"
)

// Discord ids of the demo's guild: its channels, the staff role, the bot,
// staff (alice, bob, minji) and customers (kim, lee, sam, choi).
const (
	DiscordGuild     = "900000000000000000"
	DiscordTriage    = "900000000000000001"
	DiscordSupport   = "900000000000000002"
	DiscordStaffRole = "900000000000000009"
	DiscordBot       = "800000000000000999"
	DiscordAlice     = "800000000000000001"
	DiscordBob       = "800000000000000002"
	DiscordMinji     = "800000000000000003"
	DiscordKim       = "700000000000000001"
	DiscordLee       = "700000000000000002"
	DiscordSam       = "700000000000000003"
	DiscordChoi      = "700000000000000004"
)

// FakePlatforms is the platform half of a config that points openear at
// the in-process fakes; Config fills in its ${…}.
const FakePlatforms = `
storage: {path: "${OPENEAR_DEMO_DB}"}
http: {listen: "${OPENEAR_DEMO_HTTP}"}
slack:
  bot_token: ${SLACK_BOT_TOKEN}
  app_token: ${SLACK_APP_TOKEN}
  signing_secret: ${SLACK_SIGNING_SECRET}
  api_url: "${OPENEAR_DEMO_SLACK}"
  triage_channel: C0TRIAGE
  channels: [C0ACME, C0GLOBEX]
  dms: true
discord:
  token: ${DISCORD_BOT_TOKEN}
  api_url: "${OPENEAR_DEMO_DISCORD}"
  triage_channel: "900000000000000001"
  channels: ["900000000000000002"]
  dms: true
  staff_roles: ["900000000000000009"]
`

// NewFakes starts an in-process Slack and Discord with the demo's people:
// staff alice, bob and minji on both, customers of three companies on
// Slack Connect and four members of the Discord server. The caller closes
// both.
func NewFakes() (*slackfake.Server, *discordfake.Server) {
	sf := slackfake.New(slackfake.Options{PingInterval: time.Second})
	for _, u := range []struct{ id, team, name string }{
		{"U0ALICE", "T0HOME", "alice"}, {"U0BOB", "T0HOME", "bob"}, {"U0MINJI", "T0HOME", "minji"},
		{"UACME1", "TACME", "Jin Park"}, {"UACME2", "TACME", "Sara Kim"}, {"UGLOBEX1", "TGLOBEX", "Mei Chen"},
		{"UGLOBEX2", "TGLOBEX", "Tom Weber"}, {"UGLOBEX3", "TGLOBEX", "Ana Silva"}, {"UPARK", "TPARK", "Jae Park"},
	} {
		sf.AddUser(u.id, u.team, u.name, false)
	}
	sf.AddTeam("TACME", "Acme Corp")
	sf.AddTeam("TGLOBEX", "Globex")
	sf.AddTeam("TPARK", "Park & Co")
	sf.AddChannel("C0ACME", "acme-support")
	sf.AddChannel("C0GLOBEX", "globex-support")
	sf.AddChannel("C0TRIAGE", "support-triage")
	df := discordfake.New(discordfake.Options{Token: demoDiscordToken, BotID: DiscordBot, BotName: "openear", HeartbeatInterval: 5 * time.Second})
	setupDiscord(df)
	return sf, df
}

// Config parses and validates a config whose platforms point at the
// fakes (text starts with FakePlatforms). http.listen is httpAddr, or
// 127.0.0.1:0 when it is empty; App.Run listens only where it is told.
func Config(text string, sf *slackfake.Server, df *discordfake.Server, dbPath, httpAddr string) (config.Config, error) {
	env := map[string]string{
		"SLACK_BOT_TOKEN": sf.Options().BotToken, "SLACK_APP_TOKEN": sf.Options().AppToken,
		"SLACK_SIGNING_SECRET": sf.Options().SigningSecret, "DISCORD_BOT_TOKEN": demoDiscordToken,
		"OPENEAR_DEMO_DB": dbPath, "OPENEAR_DEMO_HTTP": cmp.Or(httpAddr, "127.0.0.1:0"),
		"OPENEAR_DEMO_SLACK": sf.URL() + "/api/", "OPENEAR_DEMO_DISCORD": df.URL(),
	}
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	cfg, err := config.Parse("demo.yaml", []byte(text), getenv)
	if err == nil {
		err = cfg.Validate()
	}
	return cfg, err
}

// demoDiscordToken is the fake Discord's bot token.
const demoDiscordToken = "demo-discord-token"

// setupDiscord creates the demo's guild: a support channel, a triage
// channel, three staff with the staff role and four customers.
func setupDiscord(df *discordfake.Server) {
	df.AddGuild(DiscordGuild)
	df.AddChannel(DiscordGuild, DiscordSupport)
	df.AddChannel(DiscordGuild, DiscordTriage)
	df.SetChannelName(DiscordSupport, "help-desk")
	df.SetChannelName(DiscordTriage, "staff-triage")
	for _, m := range []struct {
		id, name, nick string
		staff          bool
	}{
		{DiscordAlice, "alice", "", true}, {DiscordBob, "bob", "", true}, {DiscordMinji, "minji", "", true},
		{DiscordKim, "kim", "김민수", false}, {DiscordLee, "lee", "이서연", false}, {DiscordSam, "sam", "Sam | Nordwind", false},
		{DiscordChoi, "choi", "최지우", false},
	} {
		var roles []string
		if m.staff {
			roles = []string{DiscordStaffRole}
		}
		df.AddMember(DiscordGuild, m.id, m.name, roles, false)
		if m.nick != "" {
			df.SetNick(DiscordGuild, m.id, m.nick)
		}
	}
}

// dpost posts to the Discord fake as a user (a reply when replyTo is set)
// and returns the message id.
