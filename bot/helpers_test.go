package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/storage/mem"
)

// monday9 is Monday 2026-11-23 09:00 in Seoul.
var seoul = mustLoc("Asia/Seoul")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

var monday9 = time.Date(2026, 11, 23, 9, 0, 0, 0, seoul)

// rig is a bot with a memory store, a fake clock and recording platforms.
type rig struct {
	t     *testing.T
	ctx   context.Context
	bot   *bot.Bot
	store bot.Store
	clock *bottest.Clock
	slack *bottest.Platform
	disc  *bottest.Platform
	seq   int
}

func defaultOptions() bot.Options {
	return bot.Options{
		People: []bot.Person{
			{Name: "alice", IDs: map[string]string{bot.Slack: "UALICE", bot.Discord: "111"}},
			{Name: "bob", IDs: map[string]string{bot.Slack: "UBOB", bot.Discord: "222"}},
			{Name: "carol", IDs: map[string]string{bot.Slack: "UCAROL"}},
		},
		Teams: []bot.Team{
			{Name: "support", Members: []string{"alice", "bob"}},
			{Name: "oncall", Members: []string{"carol"}},
		},
		Rules: []bot.Rule{
			{Tags: []string{"urgent"}, Team: "oncall"},
			{Team: "support"},
		},
		SLA: bot.SLA{FirstReply: time.Hour, NextReply: 4 * time.Hour,
			PerTag: map[string]time.Duration{"urgent": 15 * time.Minute}, RemindAt: []float64{0.75, 1.0}, EscalateAfter: 1.5},
		Triage: map[string]string{bot.Slack: "CTRIAGE", bot.Discord: "999"},
	}
}

func newRig(t *testing.T, mod func(*bot.Options)) *rig {
	t.Helper()
	o := defaultOptions()
	if mod != nil {
		mod(&o)
	}
	r := &rig{t: t, ctx: context.Background(), store: mem.New(), clock: bottest.NewClock(monday9)}
	o.Store, o.Clock = r.store, r.clock
	b, err := bot.New(r.ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	r.bot = b
	r.slack, r.disc = bottest.NewPlatform(bot.Slack), bottest.NewPlatform(bot.Discord)
	b.AddPlatform(r.slack)
	b.AddPlatform(r.disc)
	return r
}

// msg builds a Slack message event in channel C1.
func (r *rig) msg(user, text string, staff bool, threadKey string) bot.Event {
	r.seq++
	return bot.Event{ID: fmt.Sprintf("Ev%d", r.seq), Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1",
		ThreadKey: threadKey, MessageID: fmt.Sprintf("1700000000.%06d", r.seq), User: user, Staff: staff, Text: text,
		At: r.clock.Now()}
}

func (r *rig) handle(ev bot.Event) bot.Result {
	r.t.Helper()
	res, err := r.bot.Handle(r.ctx, ev)
	if err != nil {
		r.t.Fatalf("handle %+v: %v", ev, err)
	}
	return res
}

// customer posts a top-level customer message and returns the thread id.
func (r *rig) customer(user, text string) (uint64, bot.Event) {
	r.t.Helper()
	ev := r.msg(user, text, false, "")
	res := r.handle(ev)
	return res.ThreadID, ev
}

func (r *rig) thread(id uint64) bot.Thread {
	r.t.Helper()
	th, err := r.store.Thread(r.ctx, id)
	if err != nil {
		r.t.Fatalf("thread %d: %v", id, err)
	}
	return th
}

func (r *rig) command(user string, staff bool, text string) string {
	r.t.Helper()
	r.seq++
	res := r.handle(bot.Event{ID: fmt.Sprintf("Cmd%d", r.seq), Kind: bot.KindCommand, Platform: bot.Slack, User: user, Staff: staff, Text: text})
	return res.Reply
}

// advance moves the clock and runs the clock loop and the sender once.
func (r *rig) advance(d time.Duration) {
	r.t.Helper()
	bottest.Advance(r.t, r.bot, r.clock, d)
}

func (r *rig) flush() {
	r.t.Helper()
	bottest.Flush(r.t, r.bot)
}

// dms returns the texts of DMs of a purpose sent to a user id.
func (r *rig) dms(to string, why bot.Purpose) []string {
	var out []string
	for _, p := range []*bottest.Platform{r.slack, r.disc} {
		for _, a := range p.Sent(why) {
			if a.Kind == bot.ActDM && a.To == to {
				out = append(out, a.Text)
			}
		}
	}
	return out
}

func contains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
