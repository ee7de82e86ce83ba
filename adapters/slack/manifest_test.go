package slack_test

// What the code needs from a Slack app, checked against the manifests
// users create their app from (deploy/slack-manifest*.yaml):
//
//   - every Web API method the adapter calls through slackfake in this
//     package's tests has an entry in the scope table (slack.WebAPI);
//     TestMain checks it after the tests ran, from the methods each fake
//     served, and in a complete run also that every entry is called;
//   - every scope of the table, of the events the adapter handles and of
//     the slash command is in the manifests (CheckManifest), and nothing
//     else is;
//   - the events the adapter handles are exactly the table's
//     (TestHandledEventsAreTheTable, by feeding it every event type).
//
// The fakes of these tests are installed with the manifest's scopes and
// events, so a call the manifest does not allow fails with missing_scope.

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot/bottest"
)

func TestMain(m *testing.M) { bottest.VerifyMain(checkServed{m}) }

// checkServed runs the tests, then checks the methods they called.
type checkServed struct{ m *testing.M }

func (c checkServed) Run() int {
	code := c.m.Run()
	if code != 0 {
		return code
	}
	if problems := tableProblems(served.list(), completeRun()); len(problems) > 0 {
		fmt.Fprintln(os.Stderr, "FAIL: the scope table (adapters/slack/scopes.go) does not match the Web API methods the tests called:")
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "  "+p)
		}
		return 1
	}
	return 0
}

// completeRun reports whether every test of the package ran (no -run,
// -skip or -short), so that every method the adapter calls was called.
func completeRun() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return !testing.Short()
}

// served collects the Web API methods every fake of the tests served.
var served methodSet

type methodSet struct {
	mu sync.Mutex
	m  map[string]bool
}

func (s *methodSet) add(methods []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]bool{}
	}
	for _, m := range methods {
		s.m[m] = true
	}
}

func (s *methodSet) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for m := range s.m {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// tableProblems compares the methods called through slackfake with the
// scope table: a method missing from it is a problem; with complete, so
// is an entry no test called.
func tableProblems(called []string, complete bool) []string {
	var problems []string
	for _, m := range called {
		if _, ok := slack.WebAPI[m]; !ok {
			problems = append(problems, fmt.Sprintf("%s is called, but the scope table has no entry for it: add it with the bot scopes Slack documents for it", m))
		}
	}
	if complete {
		for m := range slack.WebAPI {
			if !slices.Contains(called, m) {
				problems = append(problems, fmt.Sprintf("%s is in the scope table, but no test called it: test it, or drop the entry", m))
			}
		}
	}
	slices.Sort(problems)
	return problems
}

// newFake starts a fake Slack installed from deploy/slack-manifest.yaml
// (its bot scopes and events, unless o sets them) and records the methods
// it serves for TestMain's check.
func newFake(tb testing.TB, o slackfake.Options) *slackfake.Server {
	tb.Helper()
	m := manifest(tb, "slack-manifest.yaml")
	if o.Scopes == nil {
		o.Scopes = m.OAuthConfig.Scopes.Bot
	}
	if o.Events == nil {
		o.Events = m.Settings.EventSubscriptions.BotEvents
	}
	f := slackfake.New(o)
	tb.Cleanup(func() { served.add(f.Methods()) })
	return f
}

func manifest(tb testing.TB, name string) slack.Manifest {
	tb.Helper()
	data, err := os.ReadFile("../../deploy/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := slack.ParseManifest(data)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return m
}

var (
	socketCfg = slack.Config{BotToken: "xoxb-x", AppToken: "xapp-x", DMs: true}
	eventsCfg = slack.Config{BotToken: "xoxb-x", SigningSecret: "s", DMs: true}
)

// TestManifestsFitTheCode: each manifest has every scope and event the
// code needs and no other, the /openear command, interactivity, and the
// transport of its kind.
func TestManifestsFitTheCode(t *testing.T) {
	for _, c := range []struct {
		file string
		cfg  slack.Config
	}{{"slack-manifest.yaml", socketCfg}, {"slack-manifest-events-api.yaml", eventsCfg}} {
		m := manifest(t, c.file)
		if p := slack.CheckManifest(m, c.cfg); len(p) > 0 {
			t.Errorf("%s:\n  %s", c.file, strings.Join(p, "\n  "))
		}
		noDMs := c.cfg
		noDMs.DMs = false
		if p := slack.CheckManifest(m, noDMs); len(p) > 0 {
			t.Errorf("%s with dms off:\n  %s", c.file, strings.Join(p, "\n  "))
		}
		other := eventsCfg
		if c.cfg.AppToken == "" {
			other = socketCfg
		}
		if p := slack.CheckManifest(m, other); len(p) == 0 {
			t.Errorf("%s fits both Socket Mode and the Events API", c.file)
		}
	}
	for _, want := range []string{"chat:write", "users:read", "im:history", "commands"} {
		if !slices.Contains(slack.Scopes(socketCfg), want) {
			t.Errorf("Scopes lacks %s", want)
		}
	}
	if slices.Contains(slack.Scopes(slack.Config{}), "im:history") || slices.Contains(slack.Events(slack.Config{}), "message.im") {
		t.Error("DMs off, yet im:history / message.im needed")
	}
}

// TestManifestLackingAScopeFails: the check fails, naming what is wrong,
// when a scope or an event is taken out of the manifest, or one nothing
// needs is added.
func TestManifestLackingAScopeFails(t *testing.T) {
	cases := []struct {
		name string
		edit func(*slack.Manifest)
		want string
	}{
		{"scope removed", func(m *slack.Manifest) {
			m.OAuthConfig.Scopes.Bot = slices.DeleteFunc(m.OAuthConfig.Scopes.Bot, func(s string) bool { return s == "users:read" })
		}, "lacks users:read, which openear needs (users.info)"},
		{"DM scope removed", func(m *slack.Manifest) {
			m.OAuthConfig.Scopes.Bot = slices.DeleteFunc(m.OAuthConfig.Scopes.Bot, func(s string) bool { return s == "im:history" })
		}, "lacks im:history, which openear needs (event message.im)"},
		{"event removed", func(m *slack.Manifest) {
			m.Settings.EventSubscriptions.BotEvents = slices.DeleteFunc(m.Settings.EventSubscriptions.BotEvents, func(s string) bool { return s == "reaction_added" })
		}, "bot_events lacks reaction_added"},
		{"scope added", func(m *slack.Manifest) {
			m.OAuthConfig.Scopes.Bot = append(m.OAuthConfig.Scopes.Bot, "files:read")
		}, "has files:read, which openear does not use"},
		{"command escaping off", func(m *slack.Manifest) { m.Features.SlashCommands[0].ShouldEscape = false }, "should_escape"},
		{"socket mode off", func(m *slack.Manifest) { m.Settings.SocketModeEnabled = false }, "socket_mode_enabled must be true"},
	}
	for _, c := range cases {
		m := manifest(t, "slack-manifest.yaml")
		c.edit(&m)
		p := strings.Join(slack.CheckManifest(m, socketCfg), "\n")
		if !strings.Contains(p, c.want) {
			t.Errorf("%s: problems %q do not say %q", c.name, p, c.want)
		}
	}
	m := manifest(t, "slack-manifest-events-api.yaml")
	m.Settings.EventSubscriptions.RequestURL = "https://openear.example.com/events"
	if p := strings.Join(slack.CheckManifest(m, eventsCfg), "\n"); !strings.Contains(p, "does not end in /slack/events") {
		t.Errorf("wrong events URL: %q", p)
	}
	if _, err := slack.ParseManifest([]byte("settings:\n  socket_mode_enable: true\n")); err == nil {
		t.Error("a misspelled key parsed")
	}
}

// TestWebAPIMethodWithoutScopeFails: a Web API method called through
// slackfake that the scope table lacks is named by the check TestMain
// runs over the methods the adapter's tests called — here
// reactions.add, which the adapter does not call (yet).
func TestWebAPIMethodWithoutScopeFails(t *testing.T) {
	fake := slackfake.New(slackfake.Options{}) // not newFake: kept out of TestMain's check
	defer fake.Close()
	fake.AddChannel("C0NEW", "new")
	api := slackapi.New("xoxb-fake", slackapi.OptionAPIURL(fake.URL()+"/api/"))
	if _, err := api.AuthTestContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := fake.Post("C0NEW", "U0SOMEONE", "hello", "")
	if err := api.AddReactionContext(context.Background(), "eyes", slackapi.ItemRef{Channel: "C0NEW", Timestamp: ts}); err != nil {
		t.Fatal(err)
	}
	if got := fake.Methods(); !slices.Equal(got, []string{"auth.test", "reactions.add"}) {
		t.Fatalf("the fake recorded %q", got)
	}
	p := tableProblems(fake.Methods(), false)
	if len(p) != 1 || !strings.HasPrefix(p[0], "reactions.add is called, but the scope table has no entry") {
		t.Fatalf("problems = %q", p)
	}
	// In a complete run, a table entry no test calls is a problem too.
	p = tableProblems([]string{"auth.test"}, true)
	if !slices.ContainsFunc(p, func(s string) bool {
		return strings.HasPrefix(s, "chat.postMessage is in the scope table, but no test called it")
	}) {
		t.Fatalf("stale entries not reported: %q", p)
	}
}

// TestHandledEventsAreTheTable feeds the adapter every Slack event type a
// bot may subscribe to (the same payload for each, one the adapter would
// take were it of a handled type) and checks that those reaching the
// handler are exactly the types of the bot events table: an event type
// handled without being subscribed to (and so in the manifest) fails here.
func TestHandledEventsAreTheTable(t *testing.T) {
	types := []string{
		"app_home_opened", "app_mention", "app_uninstalled", "channel_archive", "channel_created",
		"channel_deleted", "channel_left", "channel_rename", "channel_shared", "channel_unshared",
		"emoji_changed", "file_shared", "group_archive", "group_left", "im_created", "link_shared",
		"member_joined_channel", "member_left_channel", "message", "message_metadata_posted",
		"pin_added", "pin_removed", "reaction_added", "reaction_removed", "team_join",
		"tokens_revoked", "user_change",
	}
	h, rec, _ := eventsHandler(t)
	var handled []string
	for i, typ := range types {
		ts := fmt.Sprintf("1800000000.%06d", i+1)
		body := fmt.Sprintf(`{"type":"event_callback","event_id":"Ev%d","team_id":"T0HOME","event":{"type":%q,`+
			`"channel":"C0CUST","channel_type":"channel","user":"U0CAROL","team":"T0CUST","text":"hello","ts":%q,"event_ts":%q,`+
			`"reaction":"eyes","item":{"type":"message","channel":"C0CUST","ts":%q}}}`, i, typ, ts, ts, ts)
		before := len(rec.all())
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signedEvent([]byte(body), time.Now()))
		if w.Code != 200 {
			t.Fatalf("%s: status %d: %s", typ, w.Code, w.Body)
		}
		if len(rec.all()) > before {
			handled = append(handled, typ)
		}
	}
	want := slack.EventTypes()
	slices.Sort(want)
	want = slices.Compact(want)
	if !slices.Equal(handled, want) {
		t.Fatalf("the adapter handles %q; the bot events table has %q", handled, want)
	}
}

// TestScopeWarningAtStart: when auth.test's X-OAuth-Scopes lacks scopes
// the config needs, Run logs a warning naming them; with the manifest's
// scopes it says nothing.
func TestScopeWarningAtStart(t *testing.T) {
	e := setupWith(t, socketMode, func(o *slackfake.Options) {
		m := manifest(t, "slack-manifest.yaml")
		o.Scopes = slices.DeleteFunc(slices.Clone(m.OAuthConfig.Scopes.Bot), func(s string) bool { return s == "users:read" || s == "reactions:read" })
	}, nil, true)
	if logs := e.logs.String(); !strings.Contains(logs, "lacks scopes") || !strings.Contains(logs, "missing=reactions:read,users:read") {
		t.Fatalf("no warning naming the missing scopes:\n%s", logs)
	}
	full := setup(t, socketMode, nil, true)
	if logs := full.logs.String(); strings.Contains(logs, "lacks scopes") {
		t.Fatalf("warned with every scope granted:\n%s", logs)
	}
}

// TestCheckToken: what `openear check -online` asks Slack: the token's
// owner and the scopes it lacks; a wrong app token is an error.
func TestCheckToken(t *testing.T) {
	fake := newFake(t, slackfake.Options{Scopes: []string{"chat:write", "commands"}})
	defer fake.Close()
	cfg := slack.Config{BotToken: "xoxb-fake", AppToken: "xapp-fake", APIURL: fake.URL() + "/api/"}
	tok, err := slack.CheckToken(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Team != "T0HOME" || tok.User != "U0BOT" || !slices.Equal(tok.Granted, []string{"chat:write", "commands"}) {
		t.Fatalf("token = %+v", tok)
	}
	if want := []string{"channels:history", "channels:read", "groups:history", "groups:read", "im:write", "reactions:read", "team:read", "users:read"}; !slices.Equal(tok.Missing, want) {
		t.Fatalf("missing = %q, want %q", tok.Missing, want)
	}
	cfg.AppToken = "xapp-wrong"
	if _, err := slack.CheckToken(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("wrong app token: %v", err)
	}
	cfg.BotToken = "xoxb-wrong"
	if _, err := slack.CheckToken(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "auth.test") {
		t.Fatalf("wrong bot token: %v", err)
	}
}
