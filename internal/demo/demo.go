package demo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/app"
	"github.com/openear/openear/internal/textfmt"
	"github.com/openear/openear/storage"
)

// The demo's config: the real contract, pointed at the in-process fakes.
// SLAs are minutes so that a minute of real time at speed 60 shows
// reminders and escalations. The team writes English; minji reads
// openear in Korean (locale: ko): her DMs, reminders and command replies.
const demoConfig = FakePlatforms + `
locale: en
people:
  - {name: alice, slack: U0ALICE, discord: "800000000000000001", timezone: Asia/Seoul}
  - {name: bob, slack: U0BOB, discord: "800000000000000002", timezone: Asia/Seoul}
  - {name: minji, slack: U0MINJI, discord: "800000000000000003", timezone: Asia/Seoul, locale: ko}
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
csat:
  enabled: true
`

// Options configure a demo run. Zero values mean the defaults of
// `openear demo`.
type Options struct {
	Speed    float64       // simulated seconds per real second; default 60
	Duration time.Duration // how long the script runs, in real time; default 60s
	DB       string        // the bbolt file; required
	// HTTP, when set, serves the dashboard, /metrics and /healthz there;
	// with KeepOpen the demo keeps serving after the script until ctx ends.
	HTTP     string
	KeepOpen bool
	Stdout   io.Writer // the live log and the summary
	Stderr   io.Writer // the bot's own logs, with Verbose
	Verbose  bool
}

// Demo is the real bot with both real adapters against in-process fakes.
// Create it with New, play it with Run, release it with Close.
type Demo struct {
	opts  Options
	clock *fastClock
	slack *slackfake.Server
	disc  *discordfake.Server
	db    *storage.DB
	app   *app.App
	out   io.Writer
	mu    sync.Mutex // serializes output lines
	count map[string]int
	// staff names a person by platform and user id, for the DMs shown.
	staff map[string]string
}

// New starts the fakes, opens the store and wires the bot; nothing runs
// until Run.
func New(o Options) (*Demo, error) {
	if o.Speed == 0 {
		o.Speed = 60
	}
	if o.Duration == 0 {
		o.Duration = 60 * time.Second
	}
	if o.Speed < 0 || o.Duration < 0 {
		return nil, errors.New("speed and duration must be positive")
	}
	if o.DB == "" {
		return nil, errors.New("no store file")
	}
	o.Stdout = cmp.Or[io.Writer](o.Stdout, io.Discard)
	o.Stderr = cmp.Or[io.Writer](o.Stderr, io.Discard)
	d := &Demo{opts: o, clock: newFastClock(o.Speed), out: o.Stdout, count: map[string]int{}}
	d.slack, d.disc = NewFakes()
	cfg, err := Config(demoConfig, d.slack, d.disc, o.DB, o.HTTP)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("demo config: %w", err)
	}
	d.staff = map[string]string{}
	for _, p := range cfg.People {
		d.staff[bot.Slack+"/"+p.Slack], d.staff[bot.Discord+"/"+p.Discord] = p.Name, p.Name
	}
	d.db, err = storage.Open(o.DB, storage.Options{Timeout: time.Second})
	if err != nil {
		d.Close()
		return nil, err
	}
	logw := io.Discard
	if o.Verbose {
		logw = o.Stderr
	}
	d.app, err = app.New(context.Background(), cfg, d.db, d.clock, app.NewLogger(cfg, logw), app.Wiring{
		Observe:     d.observe,
		DiscordHTTP: &http.Client{Transport: d.disc.Transport(), Timeout: 10 * time.Second},
		Tick:        200 * time.Millisecond,
	})
	if err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Close stops the fakes and closes the store.
func (d *Demo) Close() {
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
func (d *Demo) printf(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.clock.elapsed()
	fmt.Fprintf(d.out, "[+%02d:%02d] %s\n", int(e.Minutes()), int(e.Seconds())%60, fmt.Sprintf(format, args...))
}

func (d *Demo) observe(o bot.Observation) {
	d.mu.Lock()
	d.count[o.What]++
	d.mu.Unlock()
	t := o.Thread
	switch o.What {
	case "thread":
		where := t.Channel
		if t.ChannelName != "" {
			where = "#" + t.ChannelName
		}
		d.printf("🆕 #%d %s/%s %s · %s: %q", t.ID, t.Platform, where, t.Lang, t.CustomerLabel(), textfmt.OneLine(o.Detail, 70))
		for _, g := range t.Tags {
			d.printf("      tag %-9s %.2f  %s", g.Name, g.Score, g.Reason)
		}
		d.printf("      owner %s (team %s) · reply due %s", textfmt.Dash(t.Owner), textfmt.Dash(t.Team), d.simTime(t.Deadline))
	case "message", "waiting", "reopened":
		d.printf("💬 #%d customer writes again (%s): %q", t.ID, t.State, textfmt.OneLine(o.Detail, 70))
	case "noise":
		d.printf("🔇 noise, no clock started: %q", textfmt.OneLine(o.Detail, 50))
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
	case "sent":
		// What a reminder says, in its reader's language (minji's is Korean).
		if a := o.Action; a.Purpose == bot.ForReminder && a.Kind == bot.ActDM {
			d.printf("   ✉️  to %s: %s", cmp.Or(d.staff[a.Platform+"/"+a.To], a.To), textfmt.OneLine(a.Text, 110))
		}
	case "escalation":
		d.printf("🚨 #%d escalated to team %s and the triage channel", t.ID, textfmt.Dash(t.Team))
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
	case "named":
		d.printf("🪪 #%d's customer is %s (%s told openear in the background)", t.ID, o.Detail, t.Platform)
	case "csat":
		n, _ := strconv.Atoi(o.Detail)
		d.printf("⭐ #%d rated %s %s/5 by %s", t.ID, bot.RatingFaces[max(1, min(n, 5))-1], o.Detail, t.CustomerLabel())
	case "csat-comment":
		d.printf("💬 #%d rating comment: %q", t.ID, textfmt.OneLine(o.Detail, 70))
	case "failed":
		d.printf("❌ action %d (%s) dropped: %s", o.Action.ID, o.Action.Purpose, o.Detail)
	}
}

func (d *Demo) simTime(t time.Time) string {
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

// Run plays the script on the running bot, prints the summary and the
// digest, and returns when the script is over (or, with KeepOpen and
// HTTP, when ctx ends). A cancelled ctx is not an error.
func (d *Demo) Run(ctx context.Context) error {
	duration, keepOpen := d.opts.Duration, d.opts.KeepOpen
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.app.Run(ctx, d.opts.HTTP) }()
	fmt.Fprintf(d.out, "openear demo: the real bot, real Slack and Discord adapters, in-process fakes; 1 real second = %s simulated.\n",
		time.Duration(d.clock.speed)*time.Second)
	if err := d.waitConnected(ctx); err != nil {
		cancel()
		<-done
		return err
	}
	d.clock.restart()
	addr := d.app.Addr()
	if addr != nil {
		fmt.Fprintf(d.out, "dashboard: http://%s/   metrics: http://%s/metrics\n", addr, addr)
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
	if keepOpen && scriptErr == nil && addr != nil {
		fmt.Fprintf(d.out, "\nThe dashboard stays open at http://%s/ — Ctrl-C to stop.\n", addr)
		if link, err := d.signInLink(ctx); err == nil {
			fmt.Fprintf(d.out, "To act as alice, open within 10 minutes (once): %s\n", link)
		}
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

func (d *Demo) waitConnected(ctx context.Context) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		if d.app.Slack.Connected() && d.app.Discord.Connected() {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("adapters did not connect to the fakes (slack %v, discord %v)", d.app.Slack.Connected(), d.app.Discord.Connected())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (d *Demo) waitOutbox(ctx context.Context, max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		if acts, err := d.db.Outbox(ctx, 1); err != nil || len(acts) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// threadOf waits until the bot tracked a message and returns its thread.
func (d *Demo) threadOf(ctx context.Context, platform, channel, msgID string) (bot.Thread, error) {
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
func (d *Demo) summary(ctx context.Context, now time.Time) error {
	st, err := d.app.Bot.Stats(ctx, d.clock.start().Add(-time.Hour), now.Add(time.Second))
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
	for _, l := range st.CSAT.Lines() {
		fmt.Fprintln(w, l)
	}
	digest, err := d.app.Bot.Digest(ctx, d.clock.start().Add(-time.Hour), now.Add(time.Second))
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

// signInLink runs `/openear login` as alice on the fake Slack and returns
// the link openear DMs her.
func (d *Demo) signInLink(ctx context.Context) (string, error) {
	if _, err := d.slack.SlashCommand(ctx, "U0ALICE", "T0HOME", "C0TRIAGE", "login"); err != nil {
		return "", err
	}
	// Behind alice's other DMs, paced one a second.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range d.slack.Messages("D0ALICE") {
			if i := strings.Index(m.Text, "http"); i >= 0 && strings.Contains(m.Text, "/login/") {
				return strings.Fields(m.Text[i:])[0], nil
			}
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return "", errors.New("no sign-in link")
}
