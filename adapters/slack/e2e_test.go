package slack_test

// End-to-end tests: the real core (bot), a real store and the real Slack
// adapter against slackfake, in Socket Mode and over the Events API. The
// core tests run on each store engine (pgtest.Run: a bbolt file, and a
// PostgreSQL schema when OPENEAR_TEST_POSTGRES is set); the others on
// bbolt. Time is a fake clock: the SLA passes by Advance, never by
// sleeping.

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/storage/postgres/pgtest"
)

const (
	e2eShared = "C0SHARED"
	e2eTriage = "C0TRIAGE"
	e2eAlice  = "U0ALICE" // home team: staff
	e2eBob    = "U0BOB"   // home team: staff
	e2eCust   = "U0JIN"   // Slack Connect customer (team TACME)
	e2eCust2  = "U0MEI"   // another customer
)

// e2e is one running openear (bot + adapter + store) against a fake Slack.
type e2e struct {
	t      *testing.T
	fake   *slackfake.Server
	open   func() (bot.Store, error) // opens the same store at every start
	clock  *bottest.Clock
	socket bool
	apiURL string // the adapter's Web API base; default the fake's
	// botOpts and adOpts, when set, change the bot's and the adapter's
	// options before they are built.
	botOpts func(*bot.Options)
	adOpts  func(*slack.Config)
	// channels are the watched channels; default [e2eShared].
	channels []string
	// observe, when set, receives the core's observations.
	observe func(bot.Observation)

	db     bot.Store
	bot    *bot.Bot
	ad     *slack.Adapter
	srv    *httptest.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newE2E(t *testing.T, socket bool, opts ...func(*e2e)) *e2e {
	t.Helper()
	return newE2EWith(t, socket, defaultFakeOptions(), opts...)
}

// defaultFakeOptions are the fake's options of newE2E.
func defaultFakeOptions() slackfake.Options {
	return slackfake.Options{PingInterval: 200 * time.Millisecond}
}

// on runs the e2e on a store engine (default bbolt).
func on(eng pgtest.Engine) func(*e2e) {
	return func(e *e2e) { e.open = eng.New(e.t) }
}

// newE2EWith is newE2E with the fake's options.
func newE2EWith(t *testing.T, socket bool, o slackfake.Options, opts ...func(*e2e)) *e2e {
	t.Helper()
	fake := newFake(t, o)
	t.Cleanup(fake.Close)
	fake.AddUser(e2eAlice, "T0HOME", "alice", false)
	fake.AddUser(e2eBob, "T0HOME", "bob", false)
	fake.AddUser(e2eCust, "TACME", "jin", false)
	fake.AddUser(e2eCust2, "TGLOBEX", "mei", false)
	fake.AddChannel(e2eShared, "shared-acme")
	fake.AddChannel(e2eTriage, "triage")
	e := &e2e{t: t, fake: fake, socket: socket, clock: bottest.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))}
	for _, o := range opts {
		o(e)
	}
	if e.open == nil {
		e.open = pgtest.Engines()[0].New(t) // bbolt
	}
	e.start()
	t.Cleanup(e.stop)
	return e
}

// start opens the store, builds the bot and the adapter and runs it.
func (e *e2e) start() {
	t := e.t
	t.Helper()
	db, err := e.open()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	bo := bot.Options{Store: db, Clock: e.clock,
		People: []bot.Person{{Name: "alice", IDs: map[string]string{bot.Slack: e2eAlice}}, {Name: "bob", IDs: map[string]string{bot.Slack: e2eBob}}},
		Teams:  []bot.Team{{Name: "support", Members: []string{"alice", "bob"}}},
		Rules:  []bot.Rule{{Person: "alice", Team: "support"}},
		SLA:    bot.SLA{FirstReply: time.Hour, NextReply: 2 * time.Hour},
		Triage: map[string]string{bot.Slack: e2eTriage}, Observe: e.observe}
	if e.botOpts != nil {
		e.botOpts(&bo)
	}
	b, err := bot.New(ctx, bo)
	if err != nil {
		t.Fatal(err)
	}
	o := e.fake.Options()
	cfg := slack.Config{BotToken: o.BotToken, SigningSecret: o.SigningSecret, APIURL: cmp.Or(e.apiURL, e.fake.URL()+"/api/"),
		TriageChannel: e2eTriage, Channels: e.watched(), DMs: true, PostInterval: -1,
		Logger: slog.New(slog.DiscardHandler)}
	if e.socket {
		cfg.AppToken = o.AppToken
	}
	if e.adOpts != nil {
		e.adOpts(&cfg)
	}
	ad, err := slack.New(cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	b.AddPlatform(ad)
	e.db, e.bot, e.ad, e.cancel = db, b, ad, cancel
	if !e.socket {
		e.srv = httptest.NewServer(ad.HTTPHandler())
		e.fake.SetAppURL(e.srv.URL)
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := ad.Run(ctx); err != nil {
			t.Errorf("adapter: %v", err)
		}
	}()
	e.waitFor("adapter connected", ad.Connected)
}

func (e *e2e) watched() []string {
	if e.channels == nil {
		return []string{e2eShared}
	}
	return e.channels
}

// stop stops openear like a process exit: adapter, HTTP, store.
func (e *e2e) stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	e.wg.Wait()
	if e.srv != nil {
		e.srv.Close()
	}
	e.db.Close()
	e.cancel = nil
}

func (e *e2e) waitFor(what string, cond func() bool) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.fake.WaitFor(ctx, cond); err != nil {
		e.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// thread waits for the thread of a message and returns it.
func (e *e2e) thread(ts string) bot.Thread {
	e.t.Helper()
	return bottest.WaitThread(e.t, e.db, bot.Key(bot.Slack, e2eShared, ts))
}

func (e *e2e) flush() {
	e.t.Helper()
	bottest.Flush(e.t, e.bot)
}

func (e *e2e) advance(d time.Duration) {
	e.t.Helper()
	bottest.Advance(e.t, e.bot, e.clock, d)
}

func (e *e2e) countThreads() int {
	e.t.Helper()
	n, _, err := bottest.Tracked(context.Background(), e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestE2ESocketMode(t *testing.T) {
	pgtest.Run(t, func(t *testing.T, eng pgtest.Engine) { testLifecycle(t, true, eng) })
}

func TestE2EEventsAPI(t *testing.T) {
	pgtest.Run(t, func(t *testing.T, eng pgtest.Engine) { testLifecycle(t, false, eng) })
}

func testLifecycle(t *testing.T, socket bool, eng pgtest.Engine) {
	e := newE2E(t, socket, on(eng))
	ts := e.fake.Post(e2eShared, e2eCust, "The CSV export is broken: error 500 every time", "")
	th := e.thread(ts)
	if th.State != bot.Waiting || th.Owner != "alice" || !th.HasTag(tag.Defect) {
		t.Fatalf("new thread: state %s owner %q tags %v", th.State, th.Owner, th.TagNames())
	}
	e.flush()
	notices := e.fake.Messages(e2eTriage)
	if len(notices) != 1 {
		t.Fatalf("triage channel has %d messages, want 1 notice", len(notices))
	}
	for _, want := range []string{"claim " + bot.FormatID(th.ID), "snooze " + bot.FormatID(th.ID) + " 1h", "resolve " + bot.FormatID(th.ID), "defect"} {
		if !strings.Contains(notices[0].Blocks, want) {
			t.Errorf("notice blocks lack %q: %s", want, notices[0].Blocks)
		}
	}
	if len(e.fake.Messages(e2eShared)) != 1 {
		t.Fatal("openear posted in the customer channel")
	}

	// At 75% of the SLA, alice gets a reminder DM.
	e.advance(45 * time.Minute)
	var dm []slackfake.Message
	for _, c := range e.fake.Calls("chat.postMessage") {
		if ch := c.Form.Get("channel"); ch != e2eTriage && ch != e2eShared {
			dm = append(dm, e.fake.Messages(ch)...)
		}
	}
	if !hasText(dm, "Reminder") {
		t.Fatalf("no reminder DM after 45m: %+v", dm)
	}

	// alice replies in the thread: answered, notice updated.
	e.fake.Post(e2eShared, e2eAlice, "Sorry! Fixing it now.", ts)
	e.waitFor("answered", func() bool { return e.thread(ts).State == bot.Answered })
	e.flush()
	if n := len(e.fake.Calls("chat.update")); n == 0 {
		t.Fatal("triage notice not updated after the reply")
	}
	if got := e.fake.Messages(e2eTriage); len(got) != 1 || !strings.Contains(got[0].Blocks, "answered") {
		t.Fatalf("updated notice: %+v", got)
	}

	// The customer writes back: waiting again.
	e.fake.Post(e2eShared, e2eCust, "Still failing for the March export", ts)
	e.waitFor("waiting again", func() bool { return e.thread(ts).State == bot.Waiting })
	if got := e.thread(ts); got.SLAKind != "next_reply" {
		t.Fatalf("after the customer wrote back: %s", got.SLAKind)
	}
}

func hasText(ms []slackfake.Message, sub string) bool {
	for _, m := range ms {
		if strings.Contains(m.Text, sub) {
			return true
		}
	}
	return false
}

func TestE2ERetriesHaveOneEffect(t *testing.T) { pgtest.Run(t, testRetriesHaveOneEffect) }

func testRetriesHaveOneEffect(t *testing.T, eng pgtest.Engine) {
	e := newE2E(t, false, on(eng))
	_, id := e.fake.PostMessage(slackfake.Message{Channel: e2eShared, User: e2eCust, Text: "Login fails with an error since the update"})
	ctx := context.Background()
	for n := 1; n <= 3; n++ {
		if status, err := e.fake.Retry(ctx, id, n); err != nil || status != 200 {
			t.Fatalf("retry %d: %d %v", n, status, err)
		}
	}
	// Again after a restart.
	e.stop()
	e.start()
	if status, err := e.fake.Retry(ctx, id, 3); err != nil || status != 200 {
		t.Fatalf("retry after restart: %d %v", status, err)
	}
	e.flush()
	if n := e.countThreads(); n != 1 {
		t.Fatalf("%d threads, want 1", n)
	}
	if n := len(e.fake.Messages(e2eTriage)); n != 1 {
		t.Fatalf("%d notices, want 1", n)
	}
}

func TestE2EBackfillAfterDowntime(t *testing.T) { pgtest.Run(t, testBackfillAfterDowntime) }

func testBackfillAfterDowntime(t *testing.T, eng pgtest.Engine) {
	for _, socket := range []bool{true, false} {
		t.Run(fmt.Sprintf("socket=%v", socket), func(t *testing.T) {
			e := newE2E(t, socket, on(eng))
			// One live message so openear has a cursor for the channel.
			e.thread(e.fake.Post(e2eShared, e2eCust, "How do I rotate my API key?", ""))
			e.stop()
			var posted []string
			for i := range 50 {
				user := fmt.Sprintf("U0C%03d", i)
				e.fake.AddUser(user, "TACME", user, false)
				posted = append(posted, e.fake.PostQuiet(e2eShared, user, fmt.Sprintf("Question %d: how do I export report %d?", i, i), ""))
			}
			e.start()
			for _, ts := range posted {
				e.thread(ts)
			}
			// Restarting again takes nothing twice.
			e.stop()
			e.start()
			if n := e.countThreads(); n != 51 {
				t.Fatalf("%d threads, want 51", n)
			}
			if _, total, _ := bottest.Tracked(context.Background(), e.db); total != 51 {
				t.Fatalf("%d messages tracked, want 51", e.countThreads())
			}
		})
	}
}

func TestE2ECommandsAndAccess(t *testing.T) { pgtest.Run(t, testCommandsAndAccess) }

func testCommandsAndAccess(t *testing.T, eng pgtest.Engine) {
	e := newE2E(t, true, on(eng))
	ctx := context.Background()
	ts := e.fake.Post(e2eShared, e2eCust, "The billing page is broken", "")
	id := bot.FormatID(e.thread(ts).ID)
	ask := func(user, team, text string) string {
		t.Helper()
		resp, err := e.fake.SlashCommand(ctx, user, team, e2eShared, text)
		if err != nil {
			t.Fatal(err)
		}
		return string(resp.Ack) + string(resp.Body)
	}
	// The external customer is refused; nothing changes.
	if got := ask(e2eCust, "TACME", "resolve "+id); !strings.Contains(got, "only staff") {
		t.Fatalf("external user's resolve: %s", got)
	}
	if th := e.thread(ts); th.State != bot.Waiting {
		t.Fatalf("refused command changed the thread: %s", th.State)
	}
	steps := []struct{ cmd, want string }{
		{"help", "claim"},
		{"mine", "Your open threads"},
		{"open", "#" + id},
		{"claim " + id, "yours"}, // alice owns it already: a no-op
		{"assign " + id + " <@" + e2eBob + ">", "assigned to bob"},
		{"snooze " + id + " 2h", "snoozed until"},
		{"tag " + id + " billing", "billing"},
		{"untag " + id + " billing", "tags"},
		{"stats 7d", "SLA met"},
		{"resolve " + id, "resolved"},
		{"reopen " + id, "reopened"},
		{"frobnicate", "unknown command"},
	}
	for _, s := range steps {
		if got := ask(e2eAlice, "T0HOME", s.cmd); !strings.Contains(got, s.want) {
			t.Errorf("/openear %s: %s (want %q)", s.cmd, got, s.want)
		}
	}
	// A button press from staff on the notice resolves.
	e.flush()
	notice := e.fake.Messages(e2eTriage)[0]
	if _, err := e.fake.Press(ctx, e2eBob, "T0HOME", "resolve", "resolve "+id, e2eTriage, notice.TS); err != nil {
		t.Fatal(err)
	}
	e.waitFor("resolved by button", func() bool { return e.thread(ts).State == bot.Resolved })
	// ✅ from a customer does nothing; reopening by the customer writing again.
	e.fake.Post(e2eShared, e2eCust, "It broke again, error on save", ts)
	e.waitFor("reopened", func() bool { return e.thread(ts).State == bot.Waiting })
	e.fake.React(e2eShared, ts, e2eCust, "white_check_mark")
	e.fake.React(e2eShared, ts, e2eAlice, "eyes")
	e.waitFor("claimed by 👀", func() bool { return e.thread(ts).Owner == "alice" })
	if th := e.thread(ts); th.State != bot.Waiting {
		t.Fatalf("customer's ✅ resolved the thread")
	}
}

// Slack unreachable at start: openear keeps trying and connects when it is
// back, instead of exiting.
func TestE2EStartsWhileSlackIsDown(t *testing.T) {
	e := newE2E(t, true)
	e.stop()
	e.fake.SetDown(true)
	go func() {
		// Slack comes back once the adapter tried at least twice.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.fake.WaitFor(ctx, func() bool { return len(e.fake.Calls("auth.test")) >= 3 })
		e.fake.SetDown(false)
	}()
	e.start() // waits until connected
	ts := e.fake.Post(e2eShared, e2eCust, "Is the export broken for everyone?", "")
	e.thread(ts)
}
