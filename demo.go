package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/config"
	"github.com/openear/openear/storage"
)

// fastClock runs simulated time speed times faster than real time, from
// the moment it was made.
type fastClock struct {
	realStart time.Time
	speed     float64
	origin    atomic.Int64 // simulated unix nanos the script counts from
}

func newFastClock(speed float64) *fastClock {
	c := &fastClock{realStart: time.Now(), speed: speed}
	c.origin.Store(c.realStart.UnixNano())
	return c
}

func (c *fastClock) Now() time.Time {
	return c.realStart.Add(time.Duration(float64(time.Since(c.realStart)) * c.speed))
}

// start is the simulated instant the script counts from.
func (c *fastClock) start() time.Time { return time.Unix(0, c.origin.Load()) }

// restart makes now the script's origin (after the adapters connected).
func (c *fastClock) restart() { c.origin.Store(c.Now().UnixNano()) }

// elapsed is the simulated time since the origin.
func (c *fastClock) elapsed() time.Duration { return c.Now().Sub(c.start()) }

// sleepUntil waits until simulated time reaches start+at, or ctx ends.
func (c *fastClock) sleepUntil(ctx context.Context, at time.Duration) error {
	real := time.Duration(float64(at-c.elapsed()) / c.speed)
	if real <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(real)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// fakePlatforms is the platform half of a config that points openear at
// the in-process fakes; ${…} come from fakeEnv.
const fakePlatforms = `
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

// The demo's config: the real contract, pointed at the in-process fakes.
// SLAs are minutes so that a minute of real time at speed 60 shows
// reminders and escalations.
const demoConfig = fakePlatforms + `
people:
  - {name: alice, slack: U0ALICE, discord: "800000000000000001", timezone: Asia/Seoul}
  - {name: bob, slack: U0BOB, discord: "800000000000000002", timezone: Asia/Seoul}
  - {name: minji, slack: U0MINJI, discord: "800000000000000003", timezone: Asia/Seoul}
teams:
  - {name: support, members: [alice, bob], strategy: round_robin}
  - {name: oncall, members: [minji], strategy: least_loaded}
routing:
  - {match: {tags: [urgent]}, team: oncall}
  - {team: support}
tags:
  - {name: billing, keywords: [invoice, refund, 환불, 결제]}
sla:
  first_reply: 10m
  next_reply: 10m
  per_tag: {urgent: 5m, question: 15m, idea: 30m, praise: 30m}
  remind_at: [0.75, 1.0]
  escalate_after: 1.5
incidents: {enabled: true, min_customers: 3, window: 15m}
ack:
  enabled: true
`

func cmdDemo(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "[-duration 60s] [-speed 60] [-http ADDR] [-db FILE]", stderr)
	duration := fs.Duration("duration", 60*time.Second, "how long to run, in real time")
	speed := fs.Float64("speed", 60, "simulated seconds per real second (60: a minute per second)")
	httpAddr := fs.String("http", "", "serve the dashboard, /metrics and /healthz here (e.g. 127.0.0.1:8080) and keep it open after the script until Ctrl-C")
	dbPath := fs.String("db", "", "bbolt file (default: a new file in a temporary directory)")
	verbose := fs.Bool("v", false, "also print the bot's own logs")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *speed <= 0 || *duration <= 0 {
		return errors.New("-speed and -duration must be positive")
	}
	if *dbPath == "" {
		dir, err := os.MkdirTemp("", "openear-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dbPath = filepath.Join(dir, "openear.db")
	}
	d, err := newDemo(*speed, *dbPath, *httpAddr, stdout, stderr, *verbose)
	if err != nil {
		return err
	}
	defer d.close()
	return d.run(ctx, *duration, *httpAddr != "")
}

// demo is the real bot with both real adapters against in-process fakes.
type demo struct {
	clock *fastClock
	slack *slackfake.Server
	disc  *discordfake.Server
	db    *storage.DB
	app   *app
	out   io.Writer
	mu    sync.Mutex // serializes output lines
	count map[string]int
}

func newDemo(speed float64, dbPath, httpAddr string, stdout, stderr io.Writer, verbose bool) (*demo, error) {
	d := &demo{clock: newFastClock(speed), out: stdout, count: map[string]int{}}
	d.slack, d.disc = newFakes()
	cfg, err := fakeConfig(demoConfig, d.slack, d.disc, dbPath, httpAddr)
	if err != nil {
		d.close()
		return nil, fmt.Errorf("demo config: %w", err)
	}
	d.db, err = storage.Open(dbPath, storage.Options{Timeout: time.Second})
	if err != nil {
		d.close()
		return nil, err
	}
	logw := io.Discard
	if verbose {
		logw = stderr
	}
	log := newLogger(cfg, logw)
	d.app, err = newApp(context.Background(), cfg, d.db, d.clock, log, wiring{
		observe:     d.observe,
		discordHTTP: &http.Client{Transport: d.disc.Transport(), Timeout: 10 * time.Second},
		tick:        200 * time.Millisecond,
	})
	if err != nil {
		d.close()
		return nil, err
	}
	d.app.addr = httpAddr // no listener unless asked for
	return d, nil
}

// newFakes starts an in-process Slack and Discord with the demo's people:
// staff alice, bob and minji on both, customers of three companies on
// Slack Connect and four members of the Discord server.
func newFakes() (*slackfake.Server, *discordfake.Server) {
	sf := slackfake.New(slackfake.Options{PingInterval: time.Second})
	for _, u := range []struct{ id, team, name string }{
		{"U0ALICE", "T0HOME", "alice"}, {"U0BOB", "T0HOME", "bob"}, {"U0MINJI", "T0HOME", "minji"},
		{"UACME1", "TACME", "jin (Acme)"}, {"UACME2", "TACME", "sara (Acme)"}, {"UGLOBEX1", "TGLOBEX", "mei (Globex)"},
		{"UGLOBEX2", "TGLOBEX", "tom (Globex)"}, {"UGLOBEX3", "TGLOBEX", "ana (Globex)"}, {"UPARK", "TPARK", "park (Park & Co)"},
	} {
		sf.AddUser(u.id, u.team, u.name, false)
	}
	sf.AddChannel("C0ACME", "shared-acme")
	sf.AddChannel("C0GLOBEX", "shared-globex")
	sf.AddChannel("C0TRIAGE", "support-triage")
	df := discordfake.New(discordfake.Options{Token: demoDiscordToken, BotID: dBot, BotName: "openear", HeartbeatInterval: 5 * time.Second})
	setupDiscord(df)
	return sf, df
}

// fakeConfig parses and validates a config whose platforms point at the
// fakes (text starts with fakePlatforms).
func fakeConfig(text string, sf *slackfake.Server, df *discordfake.Server, dbPath, httpAddr string) (config.Config, error) {
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

func (d *demo) close() {
	if d.db != nil {
		d.db.Close()
	}
	if d.slack != nil {
		d.slack.Close()
	}
	if d.disc != nil {
		d.disc.Close()
	}
}

// printf writes one line of the live log, stamped with simulated time.
func (d *demo) printf(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.clock.elapsed()
	fmt.Fprintf(d.out, "[+%02d:%02d] %s\n", int(e.Minutes()), int(e.Seconds())%60, fmt.Sprintf(format, args...))
}

func (d *demo) observe(o bot.Observation) {
	d.mu.Lock()
	d.count[o.What]++
	d.mu.Unlock()
	t := o.Thread
	switch o.What {
	case "thread":
		d.printf("🆕 #%d %s/%s %s · %s: %q", t.ID, t.Platform, t.Channel, t.Lang, cmp.Or(t.CustName, t.Customer), oneLine(o.Detail, 70))
		for _, g := range t.Tags {
			d.printf("      tag %-9s %.2f  %s", g.Name, g.Score, g.Reason)
		}
		d.printf("      owner %s (team %s) · reply due %s", dash(t.Owner), dash(t.Team), d.simTime(t.Deadline))
	case "message", "waiting", "reopened":
		d.printf("💬 #%d customer writes again (%s): %q", t.ID, t.State, oneLine(o.Detail, 70))
	case "noise":
		d.printf("🔇 noise, no clock started: %q", oneLine(o.Detail, 50))
	case "reply":
		d.printf("✅ #%d answered by %s after %s", t.ID, o.Detail, fmtMin(o.Took))
	case "claim":
		d.printf("👀 #%d claimed by %s", t.ID, o.Detail)
	case "resolve":
		d.printf("✔️  #%d resolved by %s", t.ID, o.Detail)
	case "snooze":
		d.printf("😴 #%d snoozed by %s", t.ID, o.Detail)
	case "reminder":
		d.printf("⏰ #%d reminder to %s (%s)", t.ID, t.Owner, o.Detail)
	case "escalation":
		d.printf("🚨 #%d escalated to team %s and the triage channel", t.ID, dash(t.Team))
	case "breach":
		d.printf("⌛ #%d missed its %s SLA", t.ID, fmtMin(t.SLA))
	case "incident":
		d.printf("🔥 incident %s", o.Detail)
	case "incident-update":
		d.printf("📣 incident update %s", o.Detail)
	case "refused":
		d.printf("⛔ refused a staff command from a non-staff user: %s", o.Detail)
	case "command":
		d.printf("⌨️  %s", o.Detail)
	case "retag":
		d.printf("🏷️  #%d tags corrected by %s: %s", t.ID, o.Detail, strings.Join(t.TagNames(), ", "))
	case "failed":
		d.printf("❌ action %d (%s) dropped: %s", o.Action.ID, o.Action.Purpose, o.Detail)
	}
}

func (d *demo) simTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	e := t.Sub(d.clock.start())
	return fmt.Sprintf("+%02d:%02d", int(e.Minutes()), int(e.Seconds())%60)
}

func fmtMin(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return d.Round(time.Second).String()
}

func (d *demo) run(ctx context.Context, duration time.Duration, keepOpen bool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.app.run(ctx, d.app.addr) }()
	fmt.Fprintf(d.out, "openear demo: the real bot, real Slack and Discord adapters, in-process fakes; 1 real second = %s simulated.\n",
		time.Duration(d.clock.speed)*time.Second)
	if err := d.waitConnected(ctx); err != nil {
		cancel()
		<-done
		return err
	}
	d.clock.restart()
	if d.app.listener != nil {
		fmt.Fprintf(d.out, "dashboard: http://%s/   metrics: http://%s/metrics\n", d.app.listener.Addr(), d.app.listener.Addr())
	}
	end := time.Duration(float64(duration) * d.clock.speed)
	scriptErr := d.script(ctx, end)
	if scriptErr == nil {
		scriptErr = d.clock.sleepUntil(ctx, end)
	}
	if scriptErr == nil || errors.Is(scriptErr, context.Canceled) {
		// Let the outbox drain before the summary.
		d.waitOutbox(ctx, 3*time.Second)
		if err := d.summary(context.WithoutCancel(ctx), d.clock.start().Add(end)); err != nil {
			scriptErr = err
		}
	}
	if keepOpen && scriptErr == nil && d.app.listener != nil {
		fmt.Fprintf(d.out, "\nThe dashboard stays open at http://%s/ — Ctrl-C to stop.\n", d.app.listener.Addr())
		<-ctx.Done()
	}
	cancel()
	if err := <-done; err != nil {
		return err
	}
	if errors.Is(scriptErr, context.Canceled) {
		return nil
	}
	return scriptErr
}

func (d *demo) waitConnected(ctx context.Context) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		if d.app.slack.Connected() && d.app.discord.Connected() {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("adapters did not connect to the fakes (slack %v, discord %v)", d.app.slack.Connected(), d.app.discord.Connected())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (d *demo) waitOutbox(ctx context.Context, max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		if acts, err := d.db.Outbox(ctx, 1); err != nil || len(acts) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// threadOf waits until the bot tracked a message and returns its thread.
func (d *demo) threadOf(ctx context.Context, platform, channel, msgID string) (bot.Thread, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		t, err := d.db.ThreadByKey(ctx, bot.Key(platform, channel, msgID))
		if err == nil || !errors.Is(err, bot.ErrNotFound) || time.Now().After(deadline) {
			return t, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// summary prints the state of things at the simulated time now.
func (d *demo) summary(ctx context.Context, now time.Time) error {
	st, err := d.app.bot.Stats(ctx, d.clock.start().Add(-time.Hour), now.Add(time.Second))
	if err != nil {
		return err
	}
	w := d.out
	fmt.Fprintf(w, "\n══ Summary after %s simulated ══\n", now.Sub(d.clock.start()).Round(time.Minute))
	fmt.Fprintf(w, "Threads: %d  (waiting %d · answered %d · resolved %d)\n", st.Threads, st.ByState[bot.Waiting], st.ByState[bot.Answered], st.ByState[bot.Resolved])
	fmt.Fprintf(w, "By platform: %s   By language: %s\n", kv(st.ByPlatform), kv(st.ByLang))
	fmt.Fprintf(w, "First response: p50 %s · p90 %s (%d answered)\n", fmtMin(st.FirstResponse.P50), fmtMin(st.FirstResponse.P90), st.FirstResponse.Count)
	fmt.Fprintf(w, "SLA met: %s (%d met, %d missed)\n", st.SLA, st.SLA.Met, st.SLA.Missed)
	d.mu.Lock()
	fmt.Fprintf(w, "Reminders: %d · escalations: %d · incidents: %d · noise skipped: %d · refused: %d\n",
		d.count["reminder"], d.count["escalation"], d.count["incident"], d.count["noise"], d.count["refused"])
	d.mu.Unlock()
	for _, sec := range []struct {
		name string
		m    map[string]*bot.Line
	}{{"tag", st.ByTag}, {"person", st.ByPerson}} {
		fmt.Fprintf(w, "\n%-10s %8s %10s %14s\n", strings.ToUpper(sec.name), "threads", "SLA met", "first resp p50")
		keys := make([]string, 0, len(sec.m))
		for k := range sec.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			l := sec.m[k]
			fmt.Fprintf(w, "%-10s %8d %10s %14s\n", k, l.Threads, l.SLA, fmtMin(l.FirstResponse.P50))
		}
	}
	digest, err := d.app.bot.Digest(ctx, d.clock.start().Add(-time.Hour), now.Add(time.Second))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n", digest)
	return nil
}

func kv(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, " · ")
}
