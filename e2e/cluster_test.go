package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/storage/postgres"
	"github.com/openear/openear/storage/postgres/pgtest"
)

// cluster is several `openear run` child processes on one PostgreSQL
// schema (storage.postgres), the fake Slack reaching them over the Events
// API through a load balancer that sends each request to the next replica
// in turn (skipping one that refuses connections, as a balancer's health
// check would), and the fake Discord.
type cluster struct {
	t     *testing.T
	slack *slackfake.Server
	disc  *discordfake.Server
	dir   string
	url   string // the schema's URL (a secret in the children's config)
	store *postgres.Store
	lease time.Duration
	reps  []*replicaProc
	turn  atomic.Int64
}

// replicaProc is one replica: its config, address and current process.
type replicaProc struct {
	name    string
	cfgPath string
	addr    string

	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan error
	logs    []string
	runs    int
	start   time.Time
	stopped bool // SIGSTOPped and not continued
}

// Staff of the cluster's world: alice owns ordinary threads, carol the
// urgent ones (routing by tag), so that carol's DMs (reminders and
// escalations of urgent threads) never wait behind alice's.
const sCarol = "U0CAROL"

func newCluster(t *testing.T, replicas int, lease time.Duration, extra string) *cluster {
	t.Helper()
	url := pgtest.URL(t) // skipped without OPENEAR_TEST_POSTGRES, failed under CI=true
	sf, df := newFakes(t)
	sf.AddUser(sCarol, "T0HOME", "carol", false)
	c := &cluster{t: t, slack: sf, disc: df, dir: t.TempDir(), url: url, lease: lease}
	var err error
	if c.store, err = postgres.Open(t.Context(), url, postgres.Options{MaxConns: 4}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.store.Close() })
	lb := &http.Server{Handler: http.HandlerFunc(c.balance), ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go lb.Serve(ln)
	t.Cleanup(func() { lb.Close() })
	sf.SetAppURL("http://" + ln.Addr().String())
	for i := range replicas {
		r := &replicaProc{name: string(rune('a' + i)), addr: freeAddr(t)}
		r.cfgPath = filepath.Join(c.dir, "openear-"+r.name+".yaml")
		c.writeConfig(r, extra)
		c.reps = append(c.reps, r)
	}
	t.Cleanup(func() {
		for _, r := range c.reps {
			c.signal(r, syscall.SIGCONT) // a stopped one would not die
			c.signal(r, syscall.SIGKILL)
		}
	})
	return c
}

func (c *cluster) writeConfig(r *replicaProc, extra string) {
	cfg := fmt.Sprintf(`
storage:
  postgres: ${OPENEAR_POSTGRES_URL}
  lease: %s
http: {listen: %q}
log: {level: info}
slack:
  bot_token: ${SLACK_BOT_TOKEN}
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
  - {name: carol, slack: %s}
teams:
  - {name: support, members: [alice]}
  - {name: oncall, members: [carol]}
routing:
  - {match: {tags: [urgent]}, team: oncall}
  - {team: support}
incidents: {enabled: false}
# One triage notice and one owner DM per thread, which the failover test
# counts; digest notices are the notices tests' subject.
notices: {coalesce: false}
%s`, c.lease, r.addr, c.slack.URL()+"/api/", sTriage, sCust1, sCust2,
		c.disc.URL(), dTriage, dCust, dRole, sAlice, dAlice, sCarol, extra)
	if err := os.WriteFile(r.cfgPath, []byte(cfg), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// spawn starts a replica's process.
func (c *cluster) spawn(r *replicaProc) {
	t := c.t
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		t.Fatalf("replica %s already running", r.name)
	}
	r.runs++
	logPath := filepath.Join(c.dir, fmt.Sprintf("stderr-%s-%02d.log", r.name, r.runs))
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t), "run", "-config", r.cfgPath)
	cmd.Env = append(os.Environ(), "SLACK_BOT_TOKEN="+slackBotToken, "SLACK_SIGNING_SECRET="+slackSecret,
		"DISCORD_BOT_TOKEN="+discordToken, "OPENEAR_POSTGRES_URL="+c.url)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); f.Close() }()
	r.cmd, r.done, r.start = cmd, done, time.Now()
	r.logs = append(r.logs, logPath)
}

// signal sends sig to a replica; SIGKILL also reaps it, SIGSTOP waits
// until the kernel has stopped it.
func (c *cluster) signal(r *replicaProc, sig syscall.Signal) {
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	switch sig {
	case syscall.SIGKILL:
		r.cmd = nil
	case syscall.SIGSTOP:
		r.stopped = true
	case syscall.SIGCONT:
		r.stopped = false
	}
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	switch sig {
	case syscall.SIGKILL:
		<-done
	case syscall.SIGSTOP:
		stat := fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid)
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if data, err := os.ReadFile(stat); err != nil || stoppedState(string(data)) {
				return
			}
		}
		c.t.Fatalf("replica %s not stopped 10s after SIGSTOP", r.name)
	}
}

// stoppedState reports whether a /proc/PID/stat line says the process is
// stopped (state T): the field after the parenthesised command name.
func stoppedState(stat string) bool {
	i := strings.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'T'
}

// stop ends a replica with SIGTERM and waits for a clean exit.
func (c *cluster) stop(r *replicaProc) {
	c.t.Helper()
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.cmd = nil
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			c.t.Errorf("replica %s did not stop cleanly: %v\n%s", r.name, err, c.log(r))
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		c.t.Errorf("replica %s did not stop within 20s", r.name)
	}
}

// running reports whether a replica runs (started, neither killed nor
// stopped).
func (c *cluster) running(r *replicaProc) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cmd != nil && !r.stopped
}

// log returns the stderr of a replica's current (last) run, its tail.
func (c *cluster) log(r *replicaProc) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.logs) == 0 {
		return ""
	}
	data, _ := os.ReadFile(r.logs[len(r.logs)-1])
	s := string(data)
	if len(s) > 3000 {
		s = "…" + s[len(s)-3000:]
	}
	return s
}

// allLogs is every run's stderr of every replica.
func (c *cluster) allLogs() string {
	var b strings.Builder
	for _, r := range c.reps {
		r.mu.Lock()
		paths := append([]string(nil), r.logs...)
		r.mu.Unlock()
		for _, p := range paths {
			data, _ := os.ReadFile(p)
			b.Write(data)
		}
	}
	return b.String()
}

// balance forwards a request to the next replica in turn; a replica that
// refuses the connection is skipped. A request that fails once sent gets
// 502 (Slack delivers it again).
func (c *cluster) balance(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	start := int(c.turn.Add(1))
	for i := range c.reps {
		r := c.reps[(start+i)%len(c.reps)]
		conn, err := net.DialTimeout("tcp", r.addr, time.Second)
		if err != nil {
			continue // down: the next one
		}
		conn.Close()
		out, _ := http.NewRequestWithContext(req.Context(), req.Method, "http://"+r.addr+req.URL.Path, strings.NewReader(string(body)))
		out.Header = req.Header.Clone()
		client := &http.Client{Timeout: 10 * time.Second}
		resp, err := client.Do(out)
		if err != nil {
			http.Error(w, "upstream: "+err.Error(), http.StatusBadGateway)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
		resp.Body.Close()
		return
	}
	http.Error(w, "no replica up", http.StatusBadGateway)
}

// health reads a replica's /healthz; nil when it does not answer.
func (c *cluster) health(r *replicaProc) map[string]any {
	cl := &http.Client{Timeout: 500 * time.Millisecond}
	resp, err := cl.Get("http://" + r.addr + "/healthz")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var out map[string]any
	if json.NewDecoder(resp.Body).Decode(&out) != nil {
		return nil
	}
	out["status"] = resp.StatusCode
	return out
}

// waitLeader waits until exactly one running replica leads with its
// adapters connected (and none other says leader), and returns it.
func (c *cluster) waitLeader(timeout time.Duration) *replicaProc {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var lead *replicaProc
		leaders := 0
		for _, r := range c.reps {
			if !c.running(r) {
				continue
			}
			h := c.health(r)
			if h != nil && h["role"] == "leader" {
				leaders++
				if h["status"] == 200 {
					lead = r
				}
			}
		}
		if leaders == 1 && lead != nil {
			return lead
		}
		if time.Now().After(deadline) {
			var b strings.Builder
			for _, r := range c.reps {
				fmt.Fprintf(&b, "--- %s (running %v): %v\n%s\n", r.name, c.running(r), c.health(r), c.log(r))
			}
			c.t.Fatalf("no single leader after %s\n%s", timeout, b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitStandby waits until a replica answers /healthz as a standby.
func (c *cluster) waitStandby(r *replicaProc, timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if h := c.health(r); h != nil && h["role"] == "standby" && h["status"] == 200 {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("replica %s is no standby after %s: %v\n%s", r.name, timeout, c.health(r), c.log(r))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// other returns the running replica that is not r.
func (c *cluster) other(r *replicaProc) *replicaProc {
	for _, o := range c.reps {
		if o != r {
			return o
		}
	}
	return nil
}

func (c *cluster) ctx(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	c.t.Cleanup(cancel)
	return ctx
}
