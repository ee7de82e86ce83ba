package main

// A new user following README alone, against the in-process fakes: create
// the Slack app from deploy/slack-manifest.yaml (a fake Slack installed
// with exactly the manifest's scopes and events), copy two tokens, take
// the README's example config, `openear check`, `openear check -online`,
// `openear run` — and the bot answers customers on Slack and Discord.

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot/bottest"
)

// The ids of testdata/openear.yaml, the README's example config.
const (
	exSlackTriage   = "C0TRIAGE"
	exSlackCustomer = "C0CUSTOMER1"
	exDiscordGuild  = "900000000000000001"
	exDiscordTriage = "111111111111111111"
	exDiscordChan   = "222222222222222222"
	exDiscordCust   = "700000000000000001"
	exDiscordBot    = "800000000000000042"
)

// syncBuffer is an io.Writer safe for the goroutines of a running command.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// install is what the user did in Slack and Discord.
type install struct {
	dropScope  string // a scope taken out of the manifest before creating the app
	notInvited bool   // the Discord bot was not invited yet
}

// readmeWorld is the fake Slack and Discord a README reader meets, and the
// config file they wrote.
type readmeWorld struct {
	sf     *slackfake.Server
	df     *discordfake.Server
	config string // path of the config file
}

// newReadmeWorld creates the Slack app from the README's manifest and the
// Discord bot, exports the tokens the README says to copy, and writes the
// README's example config pointed at the fakes.
func newReadmeWorld(t *testing.T, in install) *readmeWorld {
	t.Helper()
	readme := readFile(t, "README.md")
	for _, step := range []string{"deploy/slack-manifest.yaml", "Install to Workspace", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN",
		"connections:write", "testdata/openear.yaml", "openear check -online -config openear.yaml", "openear run -config openear.yaml"} {
		if !strings.Contains(readme, step) {
			t.Fatalf("README no longer says %q: this test follows its steps", step)
		}
	}

	// Create New App → From a manifest: the app has the manifest's scopes,
	// events, slash command, interactivity and Socket Mode.
	m, err := slack.ParseManifest([]byte(readFile(t, "deploy/slack-manifest.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Settings.SocketModeEnabled || !m.Settings.Interactivity.IsEnabled || len(m.Features.SlashCommands) == 0 {
		t.Fatalf("the manifest does not make a Socket Mode app with interactivity and /openear: %+v", m.Settings)
	}
	scopes := slices.DeleteFunc(slices.Clone(m.OAuthConfig.Scopes.Bot), func(s string) bool { return s == in.dropScope })
	w := &readmeWorld{}
	w.sf = slackfake.New(slackfake.Options{BotToken: "xoxb-readme-1234-abcdefghijkl", AppToken: "xapp-1-readme-abcdefghijkl",
		Scopes: scopes, Events: m.Settings.EventSubscriptions.BotEvents, PingInterval: time.Second})
	t.Cleanup(w.sf.Close)
	w.sf.AddUser("U0ALICE", "T0HOME", "alice", false)
	w.sf.AddUser("U0BOB", "T0HOME", "bob", false) // the example config's staff: an urgent thread goes to bob (oncall)
	w.sf.AddUser("U0JIN", "T0ACME", "jin (Acme)", false)
	for _, ch := range []string{exSlackTriage, exSlackCustomer, "C0CUSTOMER2", "C0VIP"} {
		w.sf.AddChannel(ch, strings.ToLower(ch))
	}

	w.df = discordfake.New(discordfake.Options{Token: "discord-readme-token", BotID: exDiscordBot, NotInvited: in.notInvited})
	t.Cleanup(w.df.Close)
	w.df.AddChannel(exDiscordGuild, exDiscordTriage)
	w.df.AddChannel(exDiscordGuild, exDiscordChan)
	w.df.AddMember(exDiscordGuild, exDiscordCust, "mei", nil, false)

	// Copy two tokens (and Discord's, and the dashboard token the example
	// config asks for). No signing secret: Socket Mode needs none.
	t.Setenv("SLACK_BOT_TOKEN", w.sf.Options().BotToken)
	t.Setenv("SLACK_APP_TOKEN", w.sf.Options().AppToken)
	t.Setenv("SLACK_SIGNING_SECRET", "")
	t.Setenv("DISCORD_BOT_TOKEN", "discord-readme-token")
	t.Setenv("OPENEAR_HTTP_TOKEN", "dashboard-readme-token")

	// The example config, with its file in a temporary directory, its
	// listener on a free loopback port and its api_urls at the fakes.
	cfg := readFile(t, "testdata/openear.yaml")
	dir := t.TempDir()
	cfg = replaceOnce(t, cfg, "path: /var/lib/openear/openear.db", "path: "+filepath.Join(dir, "openear.db"))
	cfg = replaceOnce(t, cfg, `listen: "0.0.0.0:8080"`, `listen: "127.0.0.1:0"`)
	cfg = replaceOnce(t, cfg, `api_url: ""                           # empty = Slack's own`, `api_url: "`+w.sf.URL()+`/api/" #`)
	cfg = replaceOnce(t, cfg, `api_url: ""                           # empty = Discord's own`, `api_url: "`+w.df.URL()+`" #`)
	w.config = filepath.Join(dir, "openear.yaml")
	if err := os.WriteFile(w.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if n := strings.Count(s, old); n != 1 {
		t.Fatalf("testdata/openear.yaml has %q %d times, want once", old, n)
	}
	return strings.Replace(s, old, new, 1)
}

// running is `openear run` in a goroutine.
type running struct {
	cancel context.CancelFunc
	done   chan int
	stderr *syncBuffer
}

func (w *readmeWorld) run(t *testing.T) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan int, 1), stderr: &syncBuffer{}}
	go func() {
		r.done <- runMain(ctx, []string{"run", "-config", w.config}, strings.NewReader(""), io.Discard, r.stderr)
	}()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t *testing.T) {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	if code := <-r.done; code != 0 {
		t.Errorf("openear run exited %d:\n%s", code, r.stderr)
	}
}

var listening = regexp.MustCompile(`"msg":"http listening","addr":"([^"]+)"`)

// TestREADMEToRunningBot follows README's setup to a bot that answers.
func TestREADMEToRunningBot(t *testing.T) {
	w := newReadmeWorld(t, install{})

	code, out, errs := run(t, "", "check", "-config", w.config)
	if code != 0 || !strings.Contains(out, ": OK") {
		t.Fatalf("openear check: exit %d\n%s%s", code, out, errs)
	}
	// What check says Slack needs is what the manifest gave.
	m, _ := slack.ParseManifest([]byte(readFile(t, "deploy/slack-manifest.yaml")))
	for _, s := range m.OAuthConfig.Scopes.Bot {
		if !strings.Contains(out, s) {
			t.Errorf("check does not name the scope %s", s)
		}
	}
	if !strings.Contains(out, "permissions=274877991936") || !strings.Contains(out, "Message Content") {
		t.Errorf("check does not name Discord's intents and permissions:\n%s", out)
	}

	code, out, errs = run(t, "", "check", "-online", "-config", w.config)
	if code != 0 || !strings.Contains(out, "the bot token has every scope openear needs") || !strings.Contains(out, "in 1 server(s)") {
		t.Fatalf("openear check -online: exit %d\n%s%s", code, out, errs)
	}

	r := w.run(t)
	var addr string
	bottest.Poll(t, "openear run listening", func() bool {
		if m := listening.FindStringSubmatch(r.stderr.String()); m != nil {
			addr = m[1]
		}
		return addr != ""
	})
	bottest.Poll(t, "both platforms connected (/healthz 200)", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	if code, out, errs := run(t, "", "health", "-url", "http://"+addr+"/healthz"); code != 0 || !strings.HasPrefix(out, "200 OK") {
		t.Errorf("openear health: exit %d %s%s", code, out, errs)
	}

	// A customer writes on each platform; the triage notices appear.
	w.sf.Post(exSlackCustomer, "U0JIN", "The checkout page is broken and I want a refund!", "")
	bottest.Poll(t, "a Slack triage notice", func() bool {
		return slices.ContainsFunc(w.sf.Messages(exSlackTriage), func(m slackfake.Message) bool { return m.BotID != "" })
	})
	w.df.Post(exDiscordChan, exDiscordCust, "The app crashes when I open settings", "")
	bottest.Poll(t, "a Discord triage notice", func() bool {
		return slices.ContainsFunc(w.df.Messages(exDiscordTriage), func(m discordfake.Message) bool { return m.AuthorID == exDiscordBot })
	})
	// Staff drive it with /openear (the manifest's command and scope).
	resp, err := w.sf.SlashCommand(context.Background(), "U0ALICE", "T0HOME", exSlackTriage, "open")
	if err != nil || !strings.Contains(string(resp.Ack), "#1") {
		t.Fatalf("/openear open: %s %v", resp.Ack, err)
	}

	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer dashboard-readme-token")
	mresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	if !strings.Contains(string(body), "openear_build_info{") {
		t.Error("/metrics has no openear_build_info")
	}
	r.stop(t)
	for _, quiet := range []string{"lacks scopes", "no server yet", "missing_scope", `"level":"ERROR"`} {
		if strings.Contains(r.stderr.String(), quiet) {
			t.Errorf("openear run logged %q:\n%s", quiet, r.stderr)
		}
	}
}

// TestREADMESetupGoneWrong: an app created from a manifest missing a scope,
// and a Discord bot nobody invited, are named by `check -online` (exit 1)
// and by `run` at start.
func TestREADMESetupGoneWrong(t *testing.T) {
	w := newReadmeWorld(t, install{dropScope: "users:read", notInvited: true})
	code, _, errs := run(t, "", "check", "-config", w.config)
	if code != 0 {
		t.Fatalf("offline check failed: %s", errs)
	}
	code, _, errs = run(t, "", "check", "-online", "-config", w.config)
	wantInvite := discord.InviteURL(exDiscordBot)
	if code != 1 || !strings.Contains(errs, "the bot token lacks the scopes users:read") || !strings.Contains(errs, wantInvite) {
		t.Fatalf("check -online: exit %d, stderr:\n%s", code, errs)
	}
	r := w.run(t)
	bottest.Poll(t, "the warnings of run", func() bool {
		l := r.stderr.String()
		return strings.Contains(l, `"missing":"users:read"`) && strings.Contains(l, `"invite_url":"`+wantInvite+`"`)
	})
	for _, secret := range []string{w.sf.Options().BotToken, w.sf.Options().AppToken, "discord-readme-token"} {
		if strings.Contains(r.stderr.String()+errs, secret) {
			t.Errorf("a secret was printed: %s", secret)
		}
	}
}
