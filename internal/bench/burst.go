package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/config"
	"github.com/openear/openear/internal/app"
	"github.com/openear/openear/storage"
)

// BurstOptions configure a burst: Threads customers each open a thread,
// evenly over Over, on one platform's fake with that platform's
// per-channel post limit modelled (slackfake.SlackPostLimit,
// discordfake.DiscordPostLimit), against openear wired as `openear run`
// wires it (internal/app, a bbolt file with fsync on, the real clock).
type BurstOptions struct {
	Platform   string        // bot.Slack or bot.Discord
	Threads    int           // default 100
	Over       time.Duration // default 5s
	NoCoalesce bool          // notices.coalesce: false (one notice per thread)
	Dir        string        // for the bbolt file
	Timeout    time.Duration // give up waiting for the notices after this long; default 3 minutes
}

// BurstResult is what a burst measured. Notice latencies run from when
// the fake stored a customer's message to when it stored the first
// triage message showing its thread (its notice or a digest holding it);
// the escalation's from its due time to when the fake stored it.
type BurstResult struct {
	Threads     int
	NoticeP50   time.Duration
	NoticeP99   time.Duration
	NoticeMax   time.Duration
	Escalation  time.Duration // the probe thread's escalation: stored minus due
	TriagePosts int           // messages in the triage channel
	RateLimited int           // posts the fake refused with 429
	OwnerDMs    int           // direct messages to the owners
}

// The burst's config: two customer channels on each platform, a triage
// channel, two owners. A "probe" message (the keyword zzprobe) has a 2 s
// SLA: its reminders are due 1.5 s and 2 s after it and its escalation
// 3 s after it, in the middle of the burst.
const burstConfig = `
storage: {path: "${BURST_DB}"}
http: {listen: "127.0.0.1:0"}
%s
people:
  - {name: alice, slack: U0ALICE, discord: "800000000000000001"}
  - {name: bob, slack: U0BOB, discord: "800000000000000002"}
teams:
  - {name: support, members: [alice, bob]}
routing:
  - {team: support}
tags:
  - {name: probe, keywords: [zzprobe]}
sla:
  first_reply: 1h
  per_tag: {probe: 2s}
  remind_at: [0.75, 1.0]
  escalate_after: 1.5
incidents: {enabled: false}
notices: {coalesce: %t}
log: {level: error}
`

const burstSlack = `slack:
  bot_token: ${SLACK_BOT_TOKEN}
  app_token: ${SLACK_APP_TOKEN}
  signing_secret: ${SLACK_SIGNING_SECRET}
  api_url: "${BURST_SLACK}"
  triage_channel: C0TRIAGE
  channels: [C0ACME, C0GLOBEX]`

const burstDiscord = `discord:
  token: ${DISCORD_BOT_TOKEN}
  api_url: "${BURST_DISCORD}"
  triage_channel: "900000000000000001"
  channels: ["900000000000000002", "900000000000000003"]
  staff_roles: ["900000000000000009"]`

// burstSide is one platform's fake as the burst drives it.
type burstSide interface {
	post(channel, user, text string) (id string, at time.Time)
	triage() map[string]time.Time // message id -> stored at
	text(id string) string        // a triage message's text
	dms() int
	limited() int
	channels() []string
	close()
}

// Burst runs one burst and measures it.
func Burst(ctx context.Context, o BurstOptions) (BurstResult, error) {
	if o.Threads <= 0 {
		o.Threads = 100
	}
	if o.Over <= 0 {
		o.Over = 5 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 3 * time.Minute
	}
	env := map[string]string{"BURST_DB": filepath.Join(o.Dir, "burst.db")}
	var side burstSide
	var section string
	var wiring app.Wiring
	switch o.Platform {
	case bot.Slack:
		s := newSlackSide()
		side, section = s, burstSlack
		opts := s.f.Options()
		env["SLACK_BOT_TOKEN"], env["SLACK_APP_TOKEN"], env["SLACK_SIGNING_SECRET"] = opts.BotToken, opts.AppToken, opts.SigningSecret
		env["BURST_SLACK"] = s.f.URL() + "/api/"
	case bot.Discord:
		d := newDiscordSide()
		side, section = d, burstDiscord
		env["DISCORD_BOT_TOKEN"], env["BURST_DISCORD"] = discordToken, d.f.URL()
		wiring.DiscordHTTP = &http.Client{Transport: d.f.Transport(), Timeout: 10 * time.Second}
	default:
		return BurstResult{}, fmt.Errorf("burst: platform %q", o.Platform)
	}
	defer side.close()
	cfg, err := config.Parse("burst.yaml", fmt.Appendf(nil, burstConfig, section, !o.NoCoalesce), func(k string) string { return env[k] })
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		return BurstResult{}, fmt.Errorf("burst config: %w", err)
	}
	db, err := storage.Open(env["BURST_DB"], storage.Options{Timeout: time.Second})
	if err != nil {
		return BurstResult{}, err
	}
	defer db.Close()
	a, err := app.New(ctx, cfg, db, bot.SystemClock{}, slog.New(slog.DiscardHandler), wiring)
	if err != nil {
		return BurstResult{}, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx, "") }()
	defer func() {
		cancel()
		<-done
	}()
	if err := waitUntil(ctx, 30*time.Second, func() bool {
		return a.Slack != nil && a.Slack.Connected() || a.Discord != nil && a.Discord.Connected()
	}); err != nil {
		return BurstResult{}, fmt.Errorf("burst: the adapter did not connect: %w", err)
	}

	// The burst: the probe, then Threads customers in turn over the
	// channels, evenly over Over.
	chans := side.channels()
	probe, _ := side.post(chans[0], "probe", "zzprobe: the API returns 500 for every request")
	posted := map[string]time.Time{}
	var keys []string
	gap := o.Over / time.Duration(o.Threads)
	start := time.Now()
	for i := range o.Threads {
		if d := time.Until(start.Add(time.Duration(i) * gap)); d > 0 {
			time.Sleep(d)
		}
		ch := chans[i%len(chans)]
		id, at := side.post(ch, fmt.Sprintf("c%03d", i), fmt.Sprintf("Checkout fails with error 500 when I pay (%d)", i))
		k := bot.Key(o.Platform, ch, id)
		posted[k] = at
		keys = append(keys, k)
	}

	// Wait until every thread has a notice and the probe escalated.
	probeKey := bot.Key(o.Platform, chans[0], probe)
	var esc time.Time
	err = waitUntil(ctx, o.Timeout, func() bool {
		for _, k := range keys {
			t, err := db.ThreadByKey(ctx, k)
			if err != nil || t.NoticeRef == "" {
				return false
			}
		}
		esc = escalatedAt(db, side, probeKey)
		return !esc.IsZero()
	})
	if err != nil {
		return BurstResult{}, fmt.Errorf("burst: not every thread was noticed within %s: %w", o.Timeout, err)
	}
	return measureBurst(ctx, db, side, keys, posted, probeKey, esc)
}

func measureBurst(ctx context.Context, db *storage.DB, side burstSide, keys []string, posted map[string]time.Time, probeKey string, esc time.Time) (BurstResult, error) {
	triage := side.triage()
	var lat []time.Duration
	for _, k := range keys {
		t, err := db.ThreadByKey(ctx, k)
		if err != nil {
			return BurstResult{}, err
		}
		_, id, _ := strings.Cut(t.NoticeRef, "/")
		at, ok := triage[id]
		if !ok {
			return BurstResult{}, fmt.Errorf("thread #%d: notice %q not in the triage channel", t.ID, t.NoticeRef)
		}
		lat = append(lat, at.Sub(posted[k]))
	}
	p, err := db.ThreadByKey(ctx, probeKey)
	if err != nil {
		return BurstResult{}, err
	}
	r := BurstResult{Threads: len(keys), TriagePosts: len(triage), RateLimited: side.limited(), OwnerDMs: side.dms()}
	r.NoticeMax = percentile(lat, 100)
	r.NoticeP99 = percentile(lat, 99)
	r.NoticeP50 = percentile(lat, 50)
	r.Escalation = esc.Sub(p.WaitFrom.Add(time.Duration(float64(p.SLA) * 1.5)))
	return r, nil
}

// escalatedAt is when the probe's escalation reached the triage channel,
// or zero.
func escalatedAt(db *storage.DB, side burstSide, probeKey string) time.Time {
	p, err := db.ThreadByKey(context.Background(), probeKey)
	if err != nil {
		return time.Time{}
	}
	want := fmt.Sprintf("Escalation: thread #%d ", p.ID)
	for id, at := range side.triage() {
		if strings.Contains(side.text(id), want) {
			return at
		}
	}
	return time.Time{}
}

func waitUntil(ctx context.Context, limit time.Duration, cond func() bool) error {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// String gives a burst's figures on one line.
func (r BurstResult) String() string {
	return fmt.Sprintf("%d threads: notice p50 %.2fs p99 %.2fs max %.2fs; escalation %.2fs after due; %d triage posts, %d refused (429), %d owner DMs",
		r.Threads, r.NoticeP50.Seconds(), r.NoticeP99.Seconds(), r.NoticeMax.Seconds(), r.Escalation.Seconds(), r.TriagePosts, r.RateLimited, r.OwnerDMs)
}

// ---- Slack ----

type slackSide struct{ f *slackfake.Server }

func newSlackSide() *slackSide {
	f := slackfake.New(slackfake.Options{PingInterval: time.Second, PostLimit: slackfake.SlackPostLimit})
	for _, u := range []string{"U0ALICE", "U0BOB"} {
		f.AddUser(u, "T0HOME", strings.ToLower(u[2:]), false)
	}
	for _, c := range []string{"C0ACME", "C0GLOBEX", "C0TRIAGE"} {
		f.AddChannel(c, strings.ToLower(c))
	}
	return &slackSide{f: f}
}

func (s *slackSide) post(channel, user, text string) (string, time.Time) {
	u := "U" + strings.ToUpper(user)
	s.f.AddUser(u, "TCUST", user, false)
	ts := s.f.Post(channel, u, text, "")
	for _, m := range s.f.Messages(channel) {
		if m.TS == ts {
			return ts, m.At
		}
	}
	return ts, time.Now()
}

func (s *slackSide) triage() map[string]time.Time {
	out := map[string]time.Time{}
	for _, m := range s.f.Messages("C0TRIAGE") {
		out[m.TS] = m.At
	}
	return out
}

func (s *slackSide) text(id string) string {
	for _, m := range s.f.Messages("C0TRIAGE") {
		if m.TS == id {
			return m.Text
		}
	}
	return ""
}

func (s *slackSide) dms() int {
	n := 0
	for _, u := range []string{"U0ALICE", "U0BOB"} {
		n += len(s.f.Messages("D" + u[1:]))
	}
	return n
}

func (s *slackSide) limited() int       { return s.f.RateLimited() }
func (s *slackSide) channels() []string { return []string{"C0ACME", "C0GLOBEX"} }
func (s *slackSide) close()             { s.f.Close() }

// ---- Discord ----

const (
	discordToken  = "burst-discord-token"
	discordGuild  = "900000000000000000"
	discordTriage = "900000000000000001"
)

type discordSide struct {
	f     *discordfake.Server
	mu    sync.Mutex
	users map[string]string
	next  int
}

func newDiscordSide() *discordSide {
	f := discordfake.New(discordfake.Options{Token: discordToken, BotID: "800000000000000999", BotName: "openear",
		HeartbeatInterval: 5 * time.Second, PostLimit: discordfake.DiscordPostLimit})
	f.AddGuild(discordGuild)
	for _, c := range []string{discordTriage, "900000000000000002", "900000000000000003"} {
		f.AddChannel(discordGuild, c)
	}
	f.AddMember(discordGuild, "800000000000000001", "alice", []string{"900000000000000009"}, false)
	f.AddMember(discordGuild, "800000000000000002", "bob", []string{"900000000000000009"}, false)
	return &discordSide{f: f, users: map[string]string{}}
}

func (d *discordSide) post(channel, user, text string) (string, time.Time) {
	d.mu.Lock()
	id, ok := d.users[user]
	if !ok {
		d.next++
		id = fmt.Sprintf("7%017d", d.next)
		d.users[user] = id
		d.f.AddMember(discordGuild, id, user, nil, false)
	}
	d.mu.Unlock()
	m := d.f.Post(channel, id, text, "")
	return m.ID, m.At
}

func (d *discordSide) triage() map[string]time.Time {
	out := map[string]time.Time{}
	for _, m := range d.f.Messages(discordTriage) {
		out[m.ID] = m.At
	}
	return out
}

func (d *discordSide) text(id string) string {
	for _, m := range d.f.Messages(discordTriage) {
		if m.ID == id {
			return m.Content
		}
	}
	return ""
}

func (d *discordSide) dms() int {
	n := 0
	for _, u := range []string{"800000000000000001", "800000000000000002"} {
		n += len(d.f.Messages(d.f.DMChannel(u)))
	}
	return n
}

func (d *discordSide) limited() int { return d.f.RateLimited() }
func (d *discordSide) channels() []string {
	return []string{"900000000000000002", "900000000000000003"}
}
func (d *discordSide) close() { d.f.Close() }
