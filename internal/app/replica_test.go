package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/config"
	"github.com/openear/openear/internal/app"
	"github.com/openear/openear/storage/postgres"
	"github.com/openear/openear/storage/postgres/pgtest"
)

// cluster is several replicas (Apps) on one PostgreSQL schema, Slack's
// Events API reaching them through a load balancer that alternates
// between them, as one in front of replicas does.
type cluster struct {
	t     *testing.T
	sf    *slackfake.Server
	url   string
	cfg   config.Config
	mu    sync.Mutex // guards reps (the balancer reads it)
	reps  []*rep
	turn  atomic.Int64
	store *postgres.Store // for the test's own reads
}

type rep struct {
	app    *app.App
	store  *postgres.Store
	addr   string
	cancel context.CancelFunc // nil once stopped
	done   chan error
	down   atomic.Bool // stopped: the balancer skips it
}

func newCluster(t *testing.T, n int) *cluster { return newClusterWith(t, n, false) }

// clusterLease is the lease of these clusters: 3s, not 1s, because on a
// loaded machine a leader of 1s can miss a renewal and step down (and a
// standby then has no leader to forward to, or a leader connects again).
// No test here waits for a lease to run out: they stop leaders cleanly,
// which releases the lease; the e2e tests crash them.
const clusterLease = 3 * time.Second

// newClusterWith is newCluster, in Socket Mode when socket is set.
func newClusterWith(t *testing.T, n int, socket bool) *cluster {
	t.Helper()
	c := &cluster{t: t, url: pgtest.URL(t)}
	c.sf = slackfake.New(slackfake.Options{SigningSecret: "cluster-signing-secret", PingInterval: 200 * time.Millisecond})
	t.Cleanup(c.sf.Close)
	c.sf.AddUser("U0ALICE", "T0HOME", "alice", false)
	c.sf.AddChannel("C0CUST", "shared")
	c.sf.AddChannel("C0TRIAGE", "triage")
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-fake", "SLACK_SIGNING_SECRET": "cluster-signing-secret", "OPENEAR_POSTGRES_URL": c.url}
	appToken := ""
	if socket {
		env["SLACK_APP_TOKEN"] = "xapp-fake"
		appToken = "app_token: ${SLACK_APP_TOKEN}"
	}
	cfg, err := config.Parse("cluster.yaml", []byte(fmt.Sprintf(`
storage:
  postgres: ${OPENEAR_POSTGRES_URL}
  lease: %s
slack:
  bot_token: ${SLACK_BOT_TOKEN}
  signing_secret: ${SLACK_SIGNING_SECRET}
  %s
  api_url: %q
  triage_channel: C0TRIAGE
  channels: [C0CUST]
people:
  - {name: alice, slack: U0ALICE}
teams:
  - {name: support, members: [alice]}
routing:
  - {team: support}
incidents: {enabled: false}
`, clusterLease, appToken, c.sf.URL()+"/api/")), func(k string) string { return env[k] })
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		t.Fatal(err)
	}
	c.cfg = cfg
	lb := &http.Server{Handler: http.HandlerFunc(c.balance), ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go lb.Serve(ln)
	t.Cleanup(func() { lb.Close() })
	if !socket {
		c.sf.SetAppURL("http://" + ln.Addr().String())
	}
	if c.store, err = postgres.Open(t.Context(), c.url, postgres.Options{MaxConns: 4}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.store.Close() })
	for range n {
		c.start()
	}
	t.Cleanup(func() {
		for _, r := range c.replicas() {
			c.stopRep(r)
		}
	})
	return c
}

// start starts one more replica.
func (c *cluster) start() *rep {
	t := c.t
	t.Helper()
	s, err := postgres.Open(t.Context(), c.url, postgres.Options{MaxConns: 8, TxIdleTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(t.Context(), c.cfg, s, bot.SystemClock{}, slog.New(slog.DiscardHandler), app.Wiring{Tick: 20 * time.Millisecond, SlackPace: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &rep{app: a, store: s, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.Run(ctx, "127.0.0.1:0") }()
	bottest.Poll(t, "replica listening", func() bool { return a.Addr() != nil })
	r.addr = a.Addr().String()
	c.mu.Lock()
	c.reps = append(c.reps, r)
	c.mu.Unlock()
	return r
}

func (c *cluster) stopRep(r *rep) {
	if r.cancel == nil {
		return
	}
	r.down.Store(true)
	r.cancel()
	if err := <-r.done; err != nil {
		c.t.Errorf("replica stopped with: %v", err)
	}
	r.store.Close()
	r.cancel = nil
}

// replicas returns the replicas started so far.
func (c *cluster) replicas() []*rep {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.reps)
}

// balance forwards each request to the next running replica in turn.
func (c *cluster) balance(w http.ResponseWriter, req *http.Request) {
	var live []*rep
	for _, r := range c.replicas() {
		if !r.down.Load() {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		http.Error(w, "no replica", http.StatusBadGateway)
		return
	}
	r := live[int(c.turn.Add(1))%len(live)]
	out, _ := http.NewRequestWithContext(req.Context(), req.Method, "http://"+r.addr+req.URL.Path, req.Body)
	out.Header = req.Header.Clone()
	resp, err := http.DefaultClient.Do(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// health reads a replica's /healthz.
func (c *cluster) health(r *rep) map[string]any {
	resp, err := http.Get("http://" + r.addr + "/healthz")
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	out["status"] = resp.StatusCode
	return out
}

// leader waits for one replica to lead with its adapters connected and
// returns it.
func (c *cluster) leader() *rep {
	c.t.Helper()
	var lead *rep
	bottest.Poll(c.t, "a leader", func() bool {
		lead = nil
		n := 0
		for _, r := range c.replicas() {
			if r.down.Load() {
				continue
			}
			if h := c.health(r); h["role"] == "leader" {
				n++
				if h["status"] == 200 {
					lead = r
				}
			}
		}
		return n == 1 && lead != nil
	})
	return lead
}

func (c *cluster) threads() int {
	n, _, err := bottest.Tracked(context.Background(), c.store)
	if err != nil {
		c.t.Fatal(err)
	}
	return n
}

func TestReplicasOneLeaderStandbyStoresEvents(t *testing.T) {
	c := newCluster(t, 2)
	lead := c.leader()
	var standby *rep
	for _, r := range c.replicas() {
		if r != lead {
			standby = r
		}
	}
	h := c.health(standby)
	if h["role"] != "standby" || h["status"] != 200 || h["leader"] == nil {
		t.Fatalf("standby's /healthz: %v", h)
	}
	if b, _, _ := standby.app.Leader(); b != nil {
		t.Fatal("the standby runs a bot")
	}
	c.sf.Post("C0CUST", "U0ALICE", "good morning", "") // something to list

	// Events reach both replicas alternately: each is tracked once.
	for i := range 10 {
		c.sf.AddUser(fmt.Sprintf("U0C%02d", i), "TCUST", "cust", false)
		c.sf.Post("C0CUST", fmt.Sprintf("U0C%02d", i), fmt.Sprintf("Question %d: how do I export report %d?", i, i), "")
	}
	bottest.Poll(t, "10 threads", func() bool { return c.threads() == 10 })
	acked := map[int]bool{}
	for _, d := range c.sf.Deliveries() {
		acked[d.Status] = true
	}
	if !acked[200] {
		t.Fatalf("no delivery was acknowledged: %v", c.sf.Deliveries())
	}
	bottest.Poll(t, "the inbox drained", func() bool {
		items, err := c.store.Inbox(t.Context(), 10)
		return err == nil && len(items) == 0
	})
	// The standby's dashboard reads the shared store.
	resp0, err := http.Get("http://" + standby.addr + "/api/threads?limit=50")
	if err != nil {
		t.Fatal(err)
	}
	var listed []bot.Thread
	json.NewDecoder(resp0.Body).Decode(&listed)
	resp0.Body.Close()
	if len(listed) != 10 {
		t.Errorf("the standby's dashboard lists %d threads, want 10", len(listed))
	}

	// A slash command at the standby is answered by the leader.
	resp, err := c.sf.SlashCommand(t.Context(), "U0ALICE", "T0HOME", "C0TRIAGE", "mine")
	if err != nil || resp.Status != 200 || !strings.Contains(string(resp.Body), "open threads") {
		t.Errorf("slash command through the balancer: %d %s, %v", resp.Status, resp.Body, err)
	}
	resp, err = c.sf.SlashCommand(t.Context(), "U0ALICE", "T0HOME", "C0TRIAGE", "mine")
	if err != nil || resp.Status != 200 || !strings.Contains(string(resp.Body), "open threads") {
		t.Errorf("second slash command (the other replica): %d %s, %v", resp.Status, resp.Body, err)
	}

	// A forged event is refused by the standby too, and stored nowhere.
	for range 2 {
		status, _, err := c.sf.Send(t.Context(), slackfake.Request{Path: slackfake.EventsPath, Secret: "wrong-secret",
			Body: []byte(`{"type":"event_callback","event_id":"EvForged","event":{"type":"message","channel":"C0CUST","user":"U0X","text":"hi","ts":"1.1"}}`)})
		if err != nil || status != http.StatusUnauthorized {
			t.Errorf("forged event: %d, %v; want 401", status, err)
		}
	}

	// The leader stops cleanly: it releases the lease, the standby leads.
	start := time.Now()
	c.stopRep(lead)
	if c.leader() != standby {
		t.Fatal("the standby did not take over")
	}
	t.Logf("takeover after a clean stop: %s", time.Since(start).Round(time.Millisecond))
	c.sf.AddUser("U0LATE", "TCUST", "late", false)
	c.sf.Post("C0CUST", "U0LATE", "Question late: where are my invoices?", "")
	bottest.Poll(t, "11 threads", func() bool { return c.threads() == 11 })
	lastThread, _, _, _ := c.store.LastIDs(t.Context())
	if lastThread != 11 {
		t.Errorf("last thread id %d, want 11: the new leader did not go on numbering", lastThread)
	}
}

// TestStandbyStoresWhileNoLeader: with no leader at all, a standby still
// acknowledges events, durably; the next leader handles them.
func TestStandbyStoresWhileNoLeader(t *testing.T) {
	c := newCluster(t, 0)
	// The lease is held by a leader that is not there (a crashed one).
	if _, ok, err := c.store.Acquire(t.Context(), "ghost", "", time.Hour); !ok || err != nil {
		t.Fatalf("Acquire: %v %v", ok, err)
	}
	c.start()
	if h := c.health(c.replicas()[0]); h["role"] != "standby" || h["leader"] != "ghost" {
		t.Fatalf("/healthz: %v", h)
	}
	c.sf.AddUser("U0C1", "TCUST", "cust", false)
	c.sf.Post("C0CUST", "U0C1", "How do I export a report?", "")
	bottest.Poll(t, "the event stored", func() bool {
		items, _ := c.store.Inbox(t.Context(), 10)
		return len(items) == 1
	})
	if d := c.sf.Deliveries(); len(d) != 1 || d[0].Status != 200 {
		t.Fatalf("deliveries %+v: want one, acknowledged", d)
	}
	l, _ := c.store.Leader(t.Context())
	if err := c.store.Release(t.Context(), l.Token); err != nil {
		t.Fatal(err)
	}
	c.leader()
	bottest.Poll(t, "the stored event handled", func() bool { return c.threads() == 1 })
	bottest.Poll(t, "the inbox drained", func() bool {
		items, _ := c.store.Inbox(t.Context(), 10)
		return len(items) == 0
	})
}

// TestReplicasSocketMode: only the leader holds the Socket Mode
// connection; when it stops, the new leader connects and events flow.
func TestReplicasSocketMode(t *testing.T) {
	c := newClusterWith(t, 2, true)
	lead := c.leader()
	bottest.Poll(t, "one socket", func() bool { return c.sf.Sockets() == 1 })
	c.sf.AddUser("U0S1", "TCUST", "cust", false)
	c.sf.Post("C0CUST", "U0S1", "How do I export a report?", "")
	bottest.Poll(t, "1 thread", func() bool { return c.threads() == 1 })
	c.stopRep(lead)
	c.leader()
	bottest.Poll(t, "the new leader's socket", func() bool { return c.sf.Sockets() == 1 })
	c.sf.AddUser("U0S2", "TCUST", "cust", false)
	c.sf.Post("C0CUST", "U0S2", "Where are my invoices?", "")
	bottest.Poll(t, "2 threads", func() bool { return c.threads() == 2 })
	// One connection per term of leadership: should a leader still miss
	// a renewal, it steps down and leads again in a new term (a new
	// token), with a new connection. Count the terms, not the replicas.
	l, err := c.store.Leader(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n := c.sf.Connections(); n < 2 || uint64(n) > l.Token {
		t.Errorf("%d Socket Mode connections were opened in %d terms of leadership, want one per term at most, and two leaders' at least", n, l.Token)
	}
}

// TestStandbyDashboardForwardsSignIn: a staff member signs in and acts
// through a standby's dashboard — the standby forwards the sign-in link,
// the posted form and the signed-in pages to the leader, cookies
// included — and reads there without a session. With no live leader the
// standby still serves reading and answers 503 to what needs the leader.
func TestStandbyDashboardForwardsSignIn(t *testing.T) {
	c := newCluster(t, 2)
	lead := c.leader()
	var standby *rep
	for _, r := range c.replicas() {
		if r != lead {
			standby = r
		}
	}
	// The link comes by DM; it names the leader's address (no
	// http.public_url here): open it at the standby's instead.
	if resp, err := c.sf.SlashCommand(t.Context(), "U0ALICE", "T0HOME", "C0TRIAGE", "login"); err != nil || resp.Status != 200 {
		t.Fatalf("login command: %+v %v", resp, err)
	}
	var link string
	bottest.Poll(t, "the sign-in DM", func() bool {
		for _, m := range c.sf.Messages("D0ALICE") {
			if i := strings.Index(m.Text, "/login/"); i >= 0 {
				link = strings.Fields(m.Text[i:])[0]
				return true
			}
		}
		return false
	})
	token := strings.TrimPrefix(link, "/login/")
	base := "http://" + standby.addr
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(base + link)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the sign-in link at the standby: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = noRedirect.PostForm(base+"/login", map[string][]string{"token": {token}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing in at the standby: %v %v", resp, err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "openear_session" && ck.Value != "" {
			cookie = ck
		}
	}
	if cookie == nil {
		t.Fatalf("no session cookie from the sign-in through the standby: %v", resp.Header)
	}
	get := func(path string, ck *http.Cookie) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if ck != nil {
			req.AddCookie(ck)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/", cookie); code != 200 || !strings.Contains(body, `signed in as <b id="person">alice</b>`) || !strings.Contains(body, `action="/logout"`) {
		t.Fatalf("the list for alice through the standby: %d", code)
	}
	if _, body := get("/", nil); strings.Contains(body, `id="person"`) {
		t.Fatal("a page without the cookie is signed in")
	}

	// The leader goes away; until the standby leads, nothing forwards.
	c.stopRep(lead)
	if code, _ := get("/", nil); code != 200 {
		t.Errorf("reading at the standby with no leader: %d", code)
	}
	if h := c.health(standby); h["role"] == "standby" {
		resp, err := http.PostForm(base+"/login", map[string][]string{"token": {"x"}})
		if err == nil {
			resp.Body.Close()
		}
		if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("signing in at a standby with no leader: %v %v, want 503", resp, err)
		}
	}
}
