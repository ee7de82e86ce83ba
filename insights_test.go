package main

// End-to-end tests of what no peer offers — incidents, the digest, rule
// replay, explained and correctable tags, the reply-time promise — through
// the real wiring (app.New), both real adapters, slackfake, discordfake and
// a bbolt file. Time is a fake clock that the tests move.

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/internal/app"
	"github.com/openear/openear/internal/demo"
	"github.com/openear/openear/storage"
)

type rig struct {
	t      *testing.T
	sf     *slackfake.Server
	df     *discordfake.Server
	path   string
	db     *storage.DB
	app    *app.App
	clock  *bottest.Clock
	cancel context.CancelFunc
	done   chan error
}

// startRig runs openear with fakePlatforms plus rules, at the given time.
func startRig(t *testing.T, rules string, at time.Time) *rig {
	t.Helper()
	sf, df := demo.NewFakes()
	t.Cleanup(func() { sf.Close(); df.Close() })
	r := &rig{t: t, sf: sf, df: df, path: filepath.Join(t.TempDir(), "openear.db"), clock: bottest.NewClock(at)}
	r.start(rules)
	t.Cleanup(r.stop)
	return r
}

func (r *rig) start(rules string) {
	t := r.t
	t.Helper()
	cfg, err := demo.Config(demo.FakePlatforms+rules, r.sf, r.df, r.path, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.db, err = storage.Open(r.path, storage.Options{}); err != nil {
		t.Fatal(err)
	}
	r.app, err = app.New(context.Background(), cfg, r.db, r.clock, slog.New(slog.DiscardHandler), app.Wiring{
		DiscordHTTP: &http.Client{Transport: r.df.Transport(), Timeout: 10 * time.Second},
		Tick:        20 * time.Millisecond,
		SlackPace:   -1, // Slack's 1 post/s per channel is tested in adapters/slack
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan error, 1)
	go func() { r.done <- r.app.Run(ctx, "") }()
	r.waitFor("adapters connected", func() bool { return r.app.Slack.Connected() && r.app.Discord.Connected() })
}

func (r *rig) stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	if err := <-r.done; err != nil {
		r.t.Errorf("openear stopped with: %v", err)
	}
	r.db.Close()
	r.cancel = nil
}

func (r *rig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	bottest.Poll(r.t, what, cond)
}

// thread waits until a message is tracked and returns its thread.
func (r *rig) thread(platform, channel, id string) bot.Thread {
	r.t.Helper()
	var th bot.Thread
	r.waitFor("thread of "+id, func() bool {
		var err error
		th, err = r.db.ThreadByKey(context.Background(), bot.Key(platform, channel, id))
		return err == nil
	})
	return th
}

// slash runs /openear as a Slack user and returns the ephemeral answer.
func (r *rig) slash(user, team, text string) string {
	r.t.Helper()
	resp, err := r.sf.SlashCommand(context.Background(), user, team, "C0TRIAGE", text)
	if err != nil {
		r.t.Fatal(err)
	}
	return string(resp.Ack) + string(resp.Body)
}

func slackHas(msgs []slackfake.Message, pred func(slackfake.Message) bool) bool {
	for _, m := range msgs {
		if pred(m) {
			return true
		}
	}
	return false
}

// discordText is a message's content and embed descriptions, unescaped.
func discordText(m discordfake.Message) string {
	s := m.Content
	for _, e := range m.Embeds {
		s += "\n" + e.Description
	}
	return strings.NewReplacer("\\", "", "@\u200b", "@").Replace(s)
}

func discordHas(msgs []discordfake.Message, pred func(discordfake.Message) bool) bool {
	for _, m := range msgs {
		if pred(m) {
			return true
		}
	}
	return false
}

const insightRules = `
people:
  - {name: alice, slack: U0ALICE, discord: "800000000000000001"}
  - {name: bob, slack: U0BOB, discord: "800000000000000002"}
teams:
  - {name: support, members: [alice, bob]}
routing:
  - {team: support}
sla: {first_reply: 1h}
incidents: {enabled: true, min_customers: 3, window: 15m}
`

func TestIncidentAcrossPlatforms(t *testing.T) {
	r := startRig(t, insightRules, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	a := r.sf.Post("C0ACME", "UACME1", "Checkout is broken: error 500 when paying", "")
	r.thread(bot.Slack, "C0ACME", a)
	g := r.sf.Post("C0GLOBEX", "UGLOBEX1", "Checkout fails with error 500 for us too", "")
	r.thread(bot.Slack, "C0GLOBEX", g)
	if incs, _ := r.db.Incidents(ctx, true); len(incs) != 0 {
		t.Fatalf("incident after 2 customers: %+v", incs)
	}
	d := r.df.Post(demo.DiscordSupport, demo.DiscordSam, "checkout is broken, error 500 with my card", "").ID
	r.thread(bot.Discord, demo.DiscordSupport, d)
	incs, err := r.db.Incidents(ctx, true)
	if err != nil || len(incs) != 1 || len(incs[0].Threads) != 3 {
		t.Fatalf("incidents after 3 customers: %+v %v", incs, err)
	}
	inc := incs[0]
	for _, term := range []string{"checkout", "500"} {
		if !strings.Contains(strings.Join(inc.Terms, " "), term) {
			t.Errorf("incident terms %v lack %q", inc.Terms, term)
		}
	}
	alert := func(m slackfake.Message) bool { return strings.Contains(m.Text, "Incident #1") }
	r.waitFor("incident alert in both triage channels", func() bool {
		return slackHas(r.sf.Messages("C0TRIAGE"), alert) &&
			discordHas(r.df.Messages(demo.DiscordTriage), func(m discordfake.Message) bool { return strings.Contains(discordText(m), "Incident #1") })
	})

	// A fourth report joins the incident and the alert is edited.
	a2 := r.sf.Post("C0ACME", "UACME2", "checkout still gives me error 500", "")
	r.thread(bot.Slack, "C0ACME", a2)
	r.waitFor("alert updated to 4 customers", func() bool {
		return slackHas(r.sf.Messages("C0TRIAGE"), func(m slackfake.Message) bool { return alert(m) && strings.Contains(m.Text, "4 customers") })
	})
	if n := len(slackMatching(r.sf.Messages("C0TRIAGE"), alert)); n != 1 {
		t.Fatalf("%d incident alerts in Slack triage, want 1 (edited)", n)
	}

	// One update from staff goes into every linked thread.
	if got := r.slash("U0ALICE", "T0HOME", "incident 1 update We found the bug; a fix is rolling out."); !strings.Contains(got, "4 threads") {
		t.Fatalf("incident update: %s", got)
	}
	update := func(m slackfake.Message) bool { return strings.Contains(m.Text, "fix is rolling out") }
	r.waitFor("update in each Slack thread", func() bool {
		return slackHas(r.sf.Messages("C0ACME"), func(m slackfake.Message) bool { return update(m) && m.ThreadTS == a }) &&
			slackHas(r.sf.Messages("C0ACME"), func(m slackfake.Message) bool { return update(m) && m.ThreadTS == a2 }) &&
			slackHas(r.sf.Messages("C0GLOBEX"), func(m slackfake.Message) bool { return update(m) && m.ThreadTS == g })
	})
	r.waitFor("update as a reply on Discord", func() bool {
		return discordHas(r.df.Messages(demo.DiscordSupport), func(m discordfake.Message) bool {
			return strings.Contains(m.Content, "fix is rolling out") && m.ReplyTo == d
		})
	})

	// A non-staff member cannot resolve it; staff resolve it from Discord
	// with a mention, and every linked thread is resolved.
	r.df.Post(demo.DiscordSupport, demo.DiscordKim, "<@"+demo.DiscordBot+"> incident 1 resolve", "")
	r.df.Post(demo.DiscordSupport, demo.DiscordAlice, "<@"+demo.DiscordBot+"> incident 1 resolve", "")
	r.waitFor("incident resolved", func() bool {
		inc, err := r.db.Incident(ctx, 1)
		return err == nil && !inc.Open
	})
	for _, k := range []struct{ p, ch, id string }{{bot.Slack, "C0ACME", a}, {bot.Slack, "C0GLOBEX", g}, {bot.Discord, demo.DiscordSupport, d}, {bot.Slack, "C0ACME", a2}} {
		if th := r.thread(k.p, k.ch, k.id); th.State != bot.Resolved {
			t.Errorf("thread #%d is %s after the incident was resolved", th.ID, th.State)
		}
	}
}

func slackMatching(msgs []slackfake.Message, pred func(slackfake.Message) bool) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range msgs {
		if pred(m) {
			out = append(out, m)
		}
	}
	return out
}

func TestExplainedTagsAndCorrections(t *testing.T) {
	r := startRig(t, insightRules, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	ts := r.sf.Post("C0GLOBEX", "UGLOBEX2", "Love the new dashboard, great work!", "")
	th := r.thread(bot.Slack, "C0GLOBEX", ts)
	if !th.HasTag(tag.Praise) {
		t.Fatalf("tags %v", th.TagNames())
	}
	id := bot.FormatID(th.ID)
	r.waitFor("notice with reasons", func() bool {
		return slackHas(r.sf.Messages("C0TRIAGE"), func(m slackfake.Message) bool {
			return strings.Contains(m.Blocks, "praise") && strings.Contains(m.Blocks, "matched")
		})
	})
	// A customer cannot correct tags.
	if got := r.slash("UGLOBEX2", "TGLOBEX", "untag "+id+" praise"); !strings.Contains(got, "only staff") {
		t.Fatalf("customer's untag: %s", got)
	}
	r.slash("U0ALICE", "T0HOME", "untag "+id+" praise")
	r.slash("U0ALICE", "T0HOME", "tag "+id+" idea")
	r.waitFor("notice shows the correction", func() bool {
		return slackHas(r.sf.Messages("C0TRIAGE"), func(m slackfake.Message) bool {
			return strings.Contains(m.Blocks, "corrected") && strings.Contains(m.Blocks, "idea") && !strings.Contains(m.Blocks, "praise")
		})
	})
	// Later messages never overwrite a correction.
	r.sf.Post("C0GLOBEX", "UGLOBEX2", "Seriously, awesome work, I love it", ts)
	r.waitFor("second message tracked", func() bool { return r.thread(bot.Slack, "C0GLOBEX", ts).MsgCount == 2 })
	if th := r.thread(bot.Slack, "C0GLOBEX", ts); th.HasTag(tag.Praise) || !th.HasTag(tag.Idea) {
		t.Fatalf("tags after another message: %v", th.TagNames())
	}
	if got := r.slash("U0BOB", "T0HOME", "stats 7d"); !strings.Contains(got, "Tag corrections by staff: 2") {
		t.Fatalf("stats: %s", got)
	}
}

func TestReplyTimePromise(t *testing.T) {
	rules := insightRules + `
business_hours:
  timezone: Asia/Seoul
  week: {mon-fri: ["09:00-18:00"]}
ack:
  enabled: true
`
	seoul, _ := time.LoadLocation("Asia/Seoul")
	friday7pm := time.Date(2026, 11, 27, 19, 0, 0, 0, seoul)
	r := startRig(t, rules, friday7pm)
	ts := r.sf.Post("C0ACME", "UACME1", "How do I export all invoices as CSV?", "")
	r.thread(bot.Slack, "C0ACME", ts)
	r.waitFor("English promise in the Slack thread", func() bool {
		return slackHas(r.sf.Messages("C0ACME"), func(m slackfake.Message) bool {
			return m.ThreadTS == ts && strings.Contains(m.Text, "Monday morning")
		})
	})
	d := r.df.Post(demo.DiscordSupport, demo.DiscordChoi, "인보이스를 CSV로 내보내려면 어떻게 하나요?", "").ID
	r.thread(bot.Discord, demo.DiscordSupport, d)
	r.waitFor("Korean promise as a Discord reply", func() bool {
		return discordHas(r.df.Messages(demo.DiscordSupport), func(m discordfake.Message) bool {
			return m.ReplyTo == d && strings.Contains(m.Content, "월요일 오전")
		})
	})
}

func TestDigestPostedDaily(t *testing.T) {
	rules := insightRules + `
digest: {enabled: true, at: "09:00", timezone: Asia/Seoul, slack_channel: C0TRIAGE, discord_channel: "900000000000000001"}
`
	seoul, _ := time.LoadLocation("Asia/Seoul")
	r := startRig(t, rules, time.Date(2026, 11, 23, 8, 0, 0, 0, seoul))
	i1 := r.sf.Post("C0ACME", "UACME1", "It would be nice to have a dark mode in the app", "")
	r.thread(bot.Slack, "C0ACME", i1)
	r.clock.Advance(5 * time.Minute)
	i2 := r.sf.Post("C0GLOBEX", "UGLOBEX1", "Feature request: could you add a dark mode to the app?", "")
	r.thread(bot.Slack, "C0GLOBEX", i2)
	p := r.df.Post(demo.DiscordSupport, demo.DiscordLee, "새 대시보드 최고예요! 정말 좋아요 👍", "").ID
	r.thread(bot.Discord, demo.DiscordSupport, p)
	q := r.sf.Post("C0ACME", "UACME2", "How do I reset my password?", "")
	r.thread(bot.Slack, "C0ACME", q)
	r.clock.Set(time.Date(2026, 11, 23, 9, 0, 30, 0, seoul))
	digest := func(s string) bool { return strings.Contains(s, "openear digest") }
	r.waitFor("digest in both channels", func() bool {
		return slackHas(r.sf.Messages("C0TRIAGE"), func(m slackfake.Message) bool { return digest(m.Text) }) &&
			discordHas(r.df.Messages(demo.DiscordTriage), func(m discordfake.Message) bool { return digest(discordText(m)) })
	})
	text := slackMatching(r.sf.Messages("C0TRIAGE"), func(m slackfake.Message) bool { return digest(m.Text) })[0].Text
	for _, want := range []string{"New threads: 4", "idea 2", "First response", "SLA met by person", "Waiting longest", "Ideas", "+1 asking the same", "Praise", "최고예요", "dark mode"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	// Once a day: not again an hour later, and again the next morning.
	count := func() int {
		return len(slackMatching(r.sf.Messages("C0TRIAGE"), func(m slackfake.Message) bool { return digest(m.Text) }))
	}
	r.clock.Advance(time.Hour)
	if _, err := r.app.Bot.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.app.Bot.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d digests an hour later, want 1", n)
	}
	r.clock.Set(time.Date(2026, 11, 24, 9, 0, 30, 0, seoul))
	r.waitFor("the next day's digest", func() bool { return count() == 2 })
}

func TestReplayOverHistoryFromThePlatforms(t *testing.T) {
	r := startRig(t, insightRules, time.Now().Add(-time.Hour))
	a := r.sf.Post("C0ACME", "UACME1", "We were charged twice, please refund the invoice", "")
	b := r.df.Post(demo.DiscordSupport, demo.DiscordKim, "환불 요청합니다. 결제가 두 번 되었어요", "").ID
	c := r.sf.Post("C0GLOBEX", "UGLOBEX1", "How do I add a teammate?", "")
	r.thread(bot.Slack, "C0ACME", a)
	r.thread(bot.Discord, demo.DiscordSupport, b)
	r.thread(bot.Slack, "C0GLOBEX", c)
	r.stop()

	// The new rules: a billing tag, routed to a billing team (bob).
	newCfg := filepath.Join(t.TempDir(), "new.yaml")
	text := strings.Replace(insightRules, "routing:\n  - {team: support}", "routing:\n  - {match: {tags: [billing]}, team: billing}\n  - {team: support}", 1)
	text = strings.Replace(text, "teams:\n", "teams:\n  - {name: billing, members: [bob]}\n", 1)
	writeFile(t, newCfg, text+"tags:\n  - {name: billing, keywords: [refund, invoice, 환불]}\n")
	code, out, errs := run(t, "", "replay", "-config", newCfg, "-db", r.path, "-since", "7d")
	if code != 0 {
		t.Fatalf("replay: exit %d: %s", code, errs)
	}
	for _, want := range []string{"Replayed 3 threads", "+billing", "→ bob", "Load per person", "SLA breaches"} {
		if !strings.Contains(out, want) {
			t.Errorf("replay output lacks %q:\n%s", want, out)
		}
	}
}

// TestNoiseLeavesATrace: small talk opens no thread on either platform,
// but /metrics counts it per channel, and stats (the command and
// /api/stats) show it, through the real adapters and fakes.
func TestNoiseLeavesATrace(t *testing.T) {
	r := startRig(t, insightRules, time.Now())
	r.sf.Post("C0ACME", "UACME1", "thanks!", "")
	r.sf.Post("C0ACME", "UACME2", "ok 👍", "")
	r.df.Post(demo.DiscordSupport, demo.DiscordKim, "감사합니다", "")
	srv := httptest.NewServer(r.app.Mux)
	defer srv.Close()
	get := func(path string) string {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	r.waitFor("noise counted in /metrics", func() bool {
		m := get("/metrics")
		return strings.Contains(m, `openear_noise_total{channel="C0ACME",platform="slack"} 2`) &&
			strings.Contains(m, `openear_noise_total{channel="`+demo.DiscordSupport+`",platform="discord"} 1`)
	})
	if got := r.slash("U0BOB", "T0HOME", "stats 1d"); !strings.Contains(got, "Noise (small talk, no clock started): discord/"+demo.DiscordSupport+" 1 · slack/C0ACME 2") {
		t.Errorf("stats: %s", got)
	}
	var st struct {
		Threads int            `json:"threads"`
		Noise   map[string]int `json:"noise"`
	}
	if err := json.Unmarshal([]byte(get("/api/stats?since=1d")), &st); err != nil || st.Threads != 0 || st.Noise["slack/C0ACME"] != 2 {
		t.Errorf("/api/stats: %+v %v", st, err)
	}
}
