package discord_test

// End-to-end tests: the real core (bot), a real store and the real
// Discord adapter against discordfake. The core tests run on each store
// engine (pgtest.Run: a bbolt file, and a PostgreSQL schema when
// OPENEAR_TEST_POSTGRES is set); the others on bbolt. Time is a fake
// clock.

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/storage/postgres/pgtest"
)

// e2e is one running openear (bot + adapter + store) against the fake.
type e2e struct {
	t     *testing.T
	fake  *discordfake.Server
	open  func() (bot.Store, error) // opens the same store at every start
	clock *bottest.Clock
	// channels are the watched channels; nil: config's.
	channels []string

	// botOpts, when set, changes the bot's options before it is built.
	botOpts func(*bot.Options)

	db     bot.Store
	bot    *bot.Bot
	ad     *discord.Adapter
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	return newE2EWith(t, discordfake.Options{}, nil)
}

// newE2EWith is newE2E with the fake's options and the bot's, on bbolt.
func newE2EWith(t *testing.T, o discordfake.Options, botOpts func(*bot.Options)) *e2e {
	t.Helper()
	return newE2EOnWith(t, pgtest.Engines()[0], o, botOpts)
}

// newE2EOn is newE2E on a store engine.
func newE2EOn(t *testing.T, eng pgtest.Engine) *e2e {
	t.Helper()
	return newE2EOnWith(t, eng, discordfake.Options{}, nil)
}

func newE2EOnWith(t *testing.T, eng pgtest.Engine, o discordfake.Options, botOpts func(*bot.Options)) *e2e {
	t.Helper()
	e := &e2e{t: t, fake: newFake(t, o), open: eng.New(t),
		clock: bottest.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)), botOpts: botOpts}
	e.start()
	t.Cleanup(e.stop)
	return e
}

func (e *e2e) start() {
	t := e.t
	t.Helper()
	db, err := e.open()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	bo := bot.Options{Store: db, Clock: e.clock,
		People: []bot.Person{{Name: "alice", IDs: map[string]string{bot.Discord: staffID}}, {Name: "mate", IDs: map[string]string{bot.Discord: roleMate}}},
		Rules:  []bot.Rule{{Person: "alice"}},
		SLA:    bot.SLA{FirstReply: time.Hour, NextReply: 2 * time.Hour},
		Triage: map[string]string{bot.Discord: triage}}
	if e.botOpts != nil {
		e.botOpts(&bo)
	}
	b, err := bot.New(ctx, bo)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config(e.fake)
	cfg.HTTPClient = &http.Client{Transport: e.fake.Transport()}
	cfg.Logger = slog.New(slog.DiscardHandler)
	if e.channels != nil {
		cfg.Channels = e.channels
	}
	ad, err := discord.New(cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	discord.SetGatewayTimers(ad, testClock.After, nil)
	b.AddPlatform(ad)
	e.db, e.bot, e.ad, e.cancel = db, b, ad, cancel
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := ad.Run(ctx); err != nil {
			t.Errorf("adapter: %v", err)
		}
	}()
	waitFake(t, e.fake, "connected", func() bool { return e.fake.Connected() && ad.Connected() })
}

func (e *e2e) stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	e.wg.Wait()
	e.db.Close()
	e.cancel = nil
}

// poll waits for a condition on the store, which the fake's WaitFor
// cannot see change.
func (e *e2e) poll(what string, cond func() bool) {
	e.t.Helper()
	bottest.Poll(e.t, what, cond)
}

func (e *e2e) thread(id string) bot.Thread {
	e.t.Helper()
	return bottest.WaitThread(e.t, e.db, bot.Key(bot.Discord, watched, id))
}

func (e *e2e) flush() {
	e.t.Helper()
	bottest.Flush(e.t, e.bot)
}

func (e *e2e) advance(d time.Duration) {
	e.t.Helper()
	bottest.Advance(e.t, e.bot, e.clock, d)
}

func (e *e2e) tracked() (threads, messages int) {
	e.t.Helper()
	threads, messages, err := bottest.Tracked(context.Background(), e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	return threads, messages
}

func TestE2ELifecycle(t *testing.T) { pgtest.Run(t, testLifecycle) }

func testLifecycle(t *testing.T, eng pgtest.Engine) {
	e := newE2EOn(t, eng)
	root := e.fake.Post(watched, customer, "The app crashes with an error when I upload a photo", "").ID
	th := e.thread(root)
	if th.State != bot.Waiting || th.Owner != "alice" || !th.HasTag(tag.Defect) {
		t.Fatalf("new thread: %s owner %q tags %v", th.State, th.Owner, th.TagNames())
	}
	e.flush()
	notices := e.fake.Messages(triage)
	if len(notices) != 1 || len(notices[0].Embeds) != 1 || len(notices[0].Buttons) != 3 {
		t.Fatalf("triage notice: %+v", notices)
	}
	var fields []string
	for _, f := range notices[0].Embeds[0].Fields {
		fields = append(fields, f.Name+": "+f.Value)
	}
	if all := strings.Join(fields, "\n"); !strings.Contains(all, "Tag: defect") || !strings.Contains(all, "matched") {
		t.Errorf("notice does not show the defect tag and its reason:\n%s", all)
	}

	// Reminder DM to alice at 75% of the SLA.
	e.advance(45 * time.Minute)
	dm := e.fake.DMChannel(staffID)
	if ms := e.fake.Messages(dm); len(ms) == 0 || !strings.Contains(ms[len(ms)-1].Content, "Reminder") {
		t.Fatalf("no reminder DM to alice: %+v", ms)
	}

	// alice replies: answered; the notice is edited.
	e.fake.Post(watched, staffID, "Sorry about that — a fix ships today.", root)
	e.poll("answered", func() bool { return e.thread(root).State == bot.Answered })
	e.flush()
	if n := e.fake.Messages(triage)[0].Edits; n == 0 {
		t.Fatal("notice not edited after the reply")
	}
}

func TestE2ECommandsAndAccess(t *testing.T) { pgtest.Run(t, testCommandsAndAccess) }

func testCommandsAndAccess(t *testing.T, eng pgtest.Engine) {
	e := newE2EOn(t, eng)
	root := e.fake.Post(watched, customer, "How do I change my billing email?", "").ID
	id := bot.FormatID(e.thread(root).ID)

	// A member without the staff role: mention, slash command, button and
	// reaction all change nothing.
	before := e.thread(root)
	e.fake.Post(watched, customer, "<@"+botID+"> resolve "+id, "")
	iid := e.fake.SlashCommand(guild, watched, customer, "openear resolve", map[string]string{"id": id})
	e.flush()
	e.fake.Click(triage, strings.Split(e.fake.Messages(triage)[0].ID, "/")[0], customer, "resolve "+id)
	e.fake.React(watched, root, customer, "✅")
	waitFake(t, e.fake, "refusal", func() bool {
		rs := e.fake.Responses(iid)
		return len(rs) > 0 && strings.Contains(rs[len(rs)-1].Content, "only staff")
	})
	if after := e.thread(root); after.State != before.State || after.Owner != before.Owner {
		t.Fatalf("non-staff changed the thread: %+v", after)
	}

	// Staff by role: a mention claims, a slash command resolves.
	e.fake.Post(watched, roleMate, "<@"+botID+"> claim "+id, "")
	e.poll("claimed by mention", func() bool { return e.thread(root).Owner == "mate" })
	iid = e.fake.SlashCommand(guild, triage, roleMate, "openear resolve", map[string]string{"id": id})
	e.poll("resolved by slash command", func() bool { return e.thread(root).State == bot.Resolved })
	waitFake(t, e.fake, "ephemeral answer", func() bool {
		rs := e.fake.Responses(iid)
		return len(rs) > 0 && strings.Contains(rs[len(rs)-1].Content, "resolved")
	})
}

func TestE2ENoPingFromCustomerText(t *testing.T) {
	e := newE2E(t)
	e.thread(e.fake.Post(watched, customer, "@everyone @here <@&"+role+"> the checkout is broken!!", "").ID)
	e.flush()
	for _, m := range e.fake.Messages(triage) {
		if m.AllowedMentions == nil || len(m.AllowedMentions.Parse) != 0 || len(m.AllowedMentions.Roles) != 0 {
			t.Fatalf("notice allowed mentions %+v", m.AllowedMentions)
		}
		for _, emb := range m.Embeds {
			if strings.Contains(emb.Description, "@everyone") || strings.Contains(emb.Description, "<@&") {
				t.Fatalf("customer mention echoed unescaped: %q", emb.Description)
			}
		}
	}
}

func TestE2EReconnectAndInvalidSession(t *testing.T) { pgtest.Run(t, testReconnectAndInvalidSession) }

func testReconnectAndInvalidSession(t *testing.T, eng pgtest.Engine) {
	e := newE2EOn(t, eng)
	post := func(i int) string {
		return e.fake.Post(watched, customer, fmt.Sprintf("Question %d: how do I export report %d?", i, i), "").ID
	}
	first := post(0)
	e.thread(first)

	e.fake.Reconnect() // op 7: the adapter resumes; nothing lost
	var ids []string
	for i := 1; i <= 5; i++ {
		ids = append(ids, post(i))
	}
	e.poll("resumed", func() bool { return e.fake.Resumes() > 0 && e.ad.Connected() })
	for _, id := range ids {
		e.thread(id)
	}

	// INVALID SESSION: 30 messages the gateway never delivered (posted in
	// the gap) come back by backfill.
	for i := 6; i < 36; i++ {
		ids = append(ids, e.fake.PostQuiet(watched, customer, fmt.Sprintf("Question %d: how do I export report %d?", i, i), "").ID)
	}
	e.fake.InvalidSession()
	for _, id := range ids {
		e.thread(id)
	}
	// Thread replies join the root's thread; every message is one of 36.
	e.stop()
	e.start()
	if _, msgs := e.tracked(); msgs != 36 {
		t.Fatalf("%d messages tracked, want 36, each once", msgs)
	}
}

func TestE2ERestartBackfill(t *testing.T) { pgtest.Run(t, testRestartBackfill) }

func testRestartBackfill(t *testing.T, eng pgtest.Engine) {
	e := newE2EOn(t, eng)
	e.thread(e.fake.Post(watched, customer, "How do I add a teammate?", "").ID)
	e.stop()
	var ids []string
	for i := range 20 {
		user := fmt.Sprintf("5%02d", i)
		e.fake.AddMember(guild, user, "c"+user, nil, false)
		ids = append(ids, e.fake.PostQuiet(watched, user, fmt.Sprintf("Customer %d: the export fails with an error", i), "").ID)
	}
	e.start()
	for _, id := range ids {
		e.thread(id)
	}
	e.stop()
	e.start()
	if threads, msgs := e.tracked(); threads != 21 || msgs != 21 {
		t.Fatalf("%d threads, %d messages, want 21 each", threads, msgs)
	}
}

// A customer who addresses the bot is a customer, not a failed command.
func TestE2ECustomerMentioningTheBot(t *testing.T) {
	e := newE2E(t)
	m := e.fake.Post(watched, customer, "<@"+botID+"> the app crashes when I log in", "")
	th := e.thread(m.ID)
	if th.State != bot.Waiting || !th.HasTag(tag.Defect) {
		t.Fatalf("thread %+v", th)
	}
	for _, r := range e.fake.Messages(watched) {
		if r.ReplyTo == m.ID {
			t.Fatalf("the bot answered a customer as if refusing a command: %q", r.Content)
		}
	}
}

// Discord unreachable at start: openear keeps trying and connects when it
// is back, instead of exiting.
func TestE2EStartsWhileDiscordIsDown(t *testing.T) {
	e := newE2E(t)
	e.stop()
	e.fake.FailNext("GET /gateway", 2, discordfake.ServerError)
	e.start() // waits until connected
	if n := len(e.fake.Calls("GET /gateway")); n < 4 {
		t.Fatalf("%d gateway lookups: want the two failures retried", n)
	}
	e.thread(e.fake.Post(watched, customer, "Is the export broken for everyone?", "").ID)
}

// Discord answering 429 and then 500 to the triage notice: the notice
// stays in the outbox and goes out once, after the waits, through the
// real core.
func TestE2EOutboxThroughRateLimits(t *testing.T) { pgtest.Run(t, testOutboxThroughRateLimits) }

func testOutboxThroughRateLimits(t *testing.T, eng pgtest.Engine) {
	e := newE2EOn(t, eng)
	e.fake.FailNext("POST /channels/"+triage+"/messages", 1, discordfake.RateLimit)
	e.fake.FailNext("POST /channels/"+triage+"/messages", 1, discordfake.ServerError)
	e.thread(e.fake.Post(watched, customer, "The app crashes on start", "").ID)
	ctx := context.Background()
	for range 2 { // the 429, then the 500
		e.flush()
		pending, err := e.db.Outbox(ctx, 10)
		if err != nil || !slices.ContainsFunc(pending, func(a bot.Action) bool { return a.Purpose == bot.ForTriage }) {
			t.Fatalf("the failed notice left the outbox: %+v %v", pending, err)
		}
		e.clock.Advance(time.Minute) // past retry_after and the backoff
	}
	e.flush()
	if n := len(e.fake.Messages(triage)); n != 1 {
		t.Fatalf("%d notices in the triage channel, want 1", n)
	}
	if pending, _ := e.db.Outbox(ctx, 10); len(pending) != 0 {
		t.Fatalf("%d actions still pending", len(pending))
	}
}
