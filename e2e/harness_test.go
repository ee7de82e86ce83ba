package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
)

// Secrets of the world. They are shaped like the real ones so that a leak
// would be recognised in the logs.
const (
	slackBotToken = "xoxb-2718281828-3141592653-e2eBotTokenSecretAbc"
	slackAppToken = "xapp-1-A0E2E-1618033988-e2eAppTokenSecretXyz"
	slackSecret   = "8f742231b10e8888abcd99e2esigning"
	discordToken  = "ODAwMDAwMDAwMDAwMDAwMDAx.e2eDsc.discordTokenSecret0123456789"
)

// Ids of the world.
const (
	sCust1  = "C0CUST1"
	sCust2  = "C0CUST2"
	sTriage = "C0TRIAGE"
	sAlice  = "U0ALICE"

	dGuild  = "700000000000000001"
	dTriage = "700000000000000002"
	dCust   = "700000000000000003"
	dRole   = "700000000000000009"
	dAlice  = "700000000000000010"
	dBotID  = "700000000000000099"
)

// world is a fake Slack and a fake Discord, a config pointing at them and
// at most one running openear child process.
type world struct {
	t       *testing.T
	slack   *slackfake.Server
	disc    *discordfake.Server
	dir     string
	cfgPath string
	dbPath  string
	addr    string // http.listen
	socket  bool   // Slack Socket Mode (else Events API on addr)
	env     map[string]string

	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan error
	logs   []*os.File // one stderr file per run
	starts int
}

// worldOptions change the config of a world.
type worldOptions struct {
	Socket   bool   // Slack Socket Mode
	LogLevel string // default info
	Extra    string // YAML appended to the config (sla, incidents, …)
	Env      map[string]string
}

// newFakes starts the fake Slack and Discord of a world: alice is staff
// on both; two Slack customer channels, one Discord one, a triage channel
// on each.
func newFakes(t *testing.T) (*slackfake.Server, *discordfake.Server) {
	t.Helper()
	sf := slackfake.New(slackfake.Options{BotToken: slackBotToken, AppToken: slackAppToken,
		SigningSecret: slackSecret, PingInterval: 500 * time.Millisecond})
	t.Cleanup(sf.Close)
	sf.AddUser(sAlice, "T0HOME", "alice", false)
	for _, c := range []string{sCust1, sCust2} {
		sf.AddChannel(c, "shared-"+strings.ToLower(c))
	}
	sf.AddChannel(sTriage, "triage")
	df := discordfake.New(discordfake.Options{Token: discordToken, BotID: dBotID, HeartbeatInterval: 2 * time.Second})
	t.Cleanup(df.Close)
	df.AddGuild(dGuild)
	df.AddChannel(dGuild, dTriage)
	df.AddChannel(dGuild, dCust)
	df.AddMember(dGuild, dAlice, "alice", []string{dRole}, false)
	return sf, df
}

func newWorld(t *testing.T, o worldOptions) *world {
	t.Helper()
	sf, df := newFakes(t)
	w := &world{t: t, slack: sf, disc: df, dir: t.TempDir(), socket: o.Socket}
	w.cfgPath = filepath.Join(w.dir, "openear.yaml")
	w.dbPath = filepath.Join(w.dir, "openear.db")
	w.addr = freeAddr(t)
	if !o.Socket {
		sf.SetAppURL("http://" + w.addr)
	}
	w.writeConfig(o)
	t.Cleanup(w.shutdown)
	return w
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (w *world) writeConfig(o worldOptions) {
	appToken := ""
	if o.Socket {
		appToken = "app_token: ${SLACK_APP_TOKEN}"
	}
	level := o.LogLevel
	if level == "" {
		level = "info"
	}
	cfg := fmt.Sprintf(`
storage: {path: %q}
http: {listen: %q}
log: {level: %s}
slack:
  bot_token: ${SLACK_BOT_TOKEN}
  %s
  signing_secret: ${SLACK_SIGNING_SECRET}
  api_url: %q
  triage_channel: %s
  channels: [%s, %s]
  dms: false
discord:
  token: ${DISCORD_BOT_TOKEN}
  api_url: %q
  triage_channel: %q
  channels: [%q]
  staff_roles: [%q]
people:
  - {name: alice, slack: %s, discord: %q}
teams:
  - {name: support, members: [alice]}
routing:
  - {team: support}
%s`, w.dbPath, w.addr, level, appToken, w.slack.URL()+"/api/", sTriage, sCust1, sCust2,
		w.disc.URL(), dTriage, dCust, dRole, sAlice, dAlice, o.Extra)
	if err := os.WriteFile(w.cfgPath, []byte(cfg), 0o600); err != nil {
		w.t.Fatal(err)
	}
	w.env = o.Env
}

// environ is the child's environment: the secrets, then overrides.
func (w *world) environ() []string {
	env := append(os.Environ(),
		"SLACK_BOT_TOKEN="+slackBotToken, "SLACK_APP_TOKEN="+slackAppToken,
		"SLACK_SIGNING_SECRET="+slackSecret, "DISCORD_BOT_TOKEN="+discordToken)
	for k, v := range w.env {
		env = append(env, k+"="+v)
	}
	return env
}

// start runs `openear run -config` and waits until /healthz says both
// platforms are connected.
func (w *world) start() {
	w.t.Helper()
	w.spawn()
	w.waitHealthy(20 * time.Second)
}

// spawn starts the child without waiting for it to be ready.
func (w *world) spawn() {
	t := w.t
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd != nil {
		t.Fatal("openear already running")
	}
	w.starts++
	f, err := os.Create(filepath.Join(w.dir, fmt.Sprintf("stderr-%03d.log", w.starts)))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t), "run", "-config", w.cfgPath)
	cmd.Env = w.environ()
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	w.cmd, w.done = cmd, done
	w.logs = append(w.logs, f)
}

// exited reports whether the child has exited (and reaps it).
func (w *world) exited() (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd == nil {
		return true, nil
	}
	select {
	case err := <-w.done:
		w.cmd = nil
		return true, err
	default:
		return false, nil
	}
}

func (w *world) waitHealthy(timeout time.Duration) {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	c := &http.Client{Timeout: time.Second}
	for {
		if ok, err := w.exited(); ok {
			w.t.Fatalf("openear exited before it was ready: %v\n%s", err, w.lastLog())
		}
		resp, err := c.Get("http://" + w.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("openear not healthy after %s\n%s", timeout, w.lastLog())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill sends SIGKILL and reaps the child.
func (w *world) kill() {
	w.signal(syscall.SIGKILL, 10*time.Second)
}

// stop sends SIGTERM and waits for a clean exit.
func (w *world) stop() {
	w.t.Helper()
	if err := w.signal(syscall.SIGTERM, 15*time.Second); err != nil {
		w.t.Errorf("openear did not stop cleanly: %v\n%s", err, w.lastLog())
	}
}

func (w *world) signal(sig syscall.Signal, timeout time.Duration) error {
	w.mu.Lock()
	cmd, done := w.cmd, w.done
	w.cmd = nil
	w.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_ = cmd.Process.Signal(sig)
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("no exit %s after %s", sig, timeout)
	}
}

func (w *world) shutdown() {
	w.signal(syscall.SIGKILL, 10*time.Second)
	for _, f := range w.logs {
		f.Close()
	}
}

// allLogs returns the stderr of every run so far.
func (w *world) allLogs() string {
	var b strings.Builder
	w.mu.Lock()
	n := w.starts
	w.mu.Unlock()
	for i := 1; i <= n; i++ {
		data, _ := os.ReadFile(filepath.Join(w.dir, fmt.Sprintf("stderr-%03d.log", i)))
		b.Write(data)
	}
	return b.String()
}

func (w *world) lastLog() string {
	w.mu.Lock()
	n := w.starts
	w.mu.Unlock()
	data, _ := os.ReadFile(filepath.Join(w.dir, fmt.Sprintf("stderr-%03d.log", n)))
	s := string(data)
	if len(s) > 4000 {
		s = "…" + s[len(s)-4000:]
	}
	return s
}

// threads reads the running child's threads through the dashboard API
// (the bbolt file is locked while it runs). Up to 500 newest.
func (w *world) threads() ([]bot.Thread, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + w.addr + "/api/threads?limit=500")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET /api/threads: %s", resp.Status)
	}
	var out []bot.Thread
	err = json.NewDecoder(resp.Body).Decode(&out)
	return out, err
}

// waitThreads polls the API until cond holds for the threads.
func (w *world) waitThreads(what string, timeout time.Duration, cond func([]bot.Thread) bool) []bot.Thread {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	var last []bot.Thread
	for {
		ths, err := w.threads()
		if err == nil {
			last = ths
			if cond(ths) {
				return ths
			}
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("timed out waiting for %s (%d threads seen, err %v)\n%s", what, len(last), err, w.lastLog())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// slackDMs returns every message the bot posted in a Slack channel that is
// not a customer or triage channel (the DMs it opened).
func (w *world) slackDMs() []slackfake.Message { return slackDMs(w.slack) }

func slackDMs(sf *slackfake.Server) []slackfake.Message {
	seen := map[string]bool{sCust1: true, sCust2: true, sTriage: true}
	var out []slackfake.Message
	for _, c := range sf.Calls("chat.postMessage") {
		ch := c.Form.Get("channel")
		if seen[ch] {
			continue
		}
		seen[ch] = true
		out = append(out, sf.Messages(ch)...)
	}
	return out
}

func waitCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
