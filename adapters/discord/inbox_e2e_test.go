package discord_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/storage/postgres/pgtest"
)

// newNamedE2E is newE2EWith on a fake whose channel and customer have
// names (the watched channel's, the customer's nickname in the server)
// before openear connects.
func newNamedE2E(t *testing.T, botOpts func(*bot.Options)) *e2e {
	t.Helper()
	fake := newFake(t, discordfake.Options{})
	fake.SetChannelName(watched, "acme-support")
	fake.SetNick(guild, customer, "Kim (Acme)")
	e := &e2e{t: t, fake: fake, open: pgtest.Engines()[0].New(t), // bbolt
		clock: bottest.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)), botOpts: botOpts}
	e.start()
	t.Cleanup(e.stop)
	return e
}

// TestE2ENames: a Discord message carries its author's nickname, the
// gateway names the channel: the first notice shows both, and the core's
// directory learns them in the background.
func TestE2ENames(t *testing.T) {
	e := newNamedE2E(t, nil)
	root := e.fake.Post(watched, customer, "How do I export my invoices?", "").ID
	th := e.thread(root)
	if th.CustName != "Kim (Acme)" || th.ChannelName != "acme-support" {
		t.Fatalf("names %q %q", th.CustName, th.ChannelName)
	}
	e.flush()
	n := e.fake.Messages(triage)
	if len(n) != 1 || n[0].Embeds[0].Fields[0].Value != "Kim (Acme)" {
		t.Errorf("notice %+v", n[0].Embeds[0].Fields[0])
	}
	e.poll("the directory", func() bool {
		dir, err := bot.ReadDirectory(context.Background(), e.db)
		u, _ := dir.User(bot.Discord, customer)
		c, _ := dir.Channel(bot.Discord, watched)
		return err == nil && u.Name == "Kim (Acme)" && c == "acme-support"
	})
}

func TestE2ECSAT(t *testing.T) {
	e := newNamedE2E(t, func(o *bot.Options) {
		o.CSAT = bot.CSATOptions{Enabled: true, Text: map[string]string{"en": "How did we do?", "ko": "상담은 만족스러우셨나요?"}}
	})
	root := e.fake.Post(watched, customer, "2단계 인증 초기화는 어떻게 하나요?", "").ID
	id := bot.FormatID(e.thread(root).ID)
	e.fake.SlashCommand(guild, triage, staffID, "openear resolve", map[string]string{"id": id})
	e.poll("resolved", func() bool { return e.thread(root).State == bot.Resolved })
	e.flush()
	var q *discordfake.Message
	for _, m := range e.fake.Messages(watched) {
		if m.Bot && m.ReplyTo == root {
			q = &m
		}
	}
	if q == nil || q.Content != "상담은 만족스러우셨나요?" || len(q.Buttons) != 5 || q.Buttons[4].CustomID != "csat "+id+" 5" || q.Buttons[0].Label != "😞" {
		t.Fatalf("question %+v", q)
	}
	// Someone else's click is refused.
	iid := e.fake.Click(watched, q.ID, roleMate, "csat "+id+" 1")
	waitFake(t, e.fake, "the refusal", func() bool {
		rs := e.fake.Responses(iid)
		return len(rs) == 1 && rs[0].Flags == int(discordgo.MessageFlagsEphemeral) && strings.Contains(rs[0].Content, "문의하신 분만")
	})
	if got := e.thread(root).CSAT; got.Score != 0 {
		t.Fatalf("another member's click stored %+v", got)
	}
	// The customer's click is stored and answered with the comment modal.
	iid = e.fake.Click(watched, q.ID, customer, "csat "+id+" 5")
	waitFake(t, e.fake, "the modal", func() bool {
		rs := e.fake.Responses(iid)
		return len(rs) == 1 && rs[0].Kind == "modal" && rs[0].CustomID == "csat "+id && rs[0].Title == "더 하실 말씀이 있나요?"
	})
	if got := e.thread(root).CSAT; got.Score != 5 {
		t.Fatalf("csat %+v", got)
	}
	sub, err := e.fake.SubmitModal(iid, map[string]string{"comment": "친절한 답변 감사해요"})
	if err != nil {
		t.Fatal(err)
	}
	e.poll("the comment", func() bool { return e.thread(root).CSAT.Comment == "친절한 답변 감사해요" })
	waitFake(t, e.fake, "thanks", func() bool {
		rs := e.fake.Responses(sub)
		return len(rs) == 1 && strings.Contains(rs[0].Content, "감사")
	})
	sid := e.fake.SlashCommand(guild, triage, staffID, "openear stats", nil)
	waitFake(t, e.fake, "stats", func() bool {
		rs := e.fake.Responses(sid)
		return len(rs) > 0 && strings.Contains(rs[len(rs)-1].Content, "CSAT: 5.0 (1)")
	})
}

func TestE2ELogin(t *testing.T) {
	e := newE2EWith(t, discordfake.Options{}, func(o *bot.Options) {
		o.Web = bot.WebOptions{URL: func() string { return "https://openear.example.com" }}
	})
	iid := e.fake.SlashCommand(guild, triage, staffID, "openear login", nil)
	waitFake(t, e.fake, "reply", func() bool {
		rs := e.fake.Responses(iid)
		return len(rs) > 0 && strings.Contains(rs[0].Content, "direct message")
	})
	e.flush()
	dm := e.fake.Messages(e.fake.DMChannel(staffID))
	if len(dm) != 1 || !strings.Contains(dm[0].Content, "https://openear.example.com/login/") || dm[0].Flags != int(discordgo.MessageFlagsSuppressEmbeds) {
		t.Fatalf("DM %+v", dm)
	}
	iid = e.fake.SlashCommand(guild, watched, customer, "openear login", nil)
	waitFake(t, e.fake, "refusal", func() bool {
		rs := e.fake.Responses(iid)
		return len(rs) > 0 && strings.Contains(rs[0].Content, "only staff")
	})
	e.flush()
	if ms := e.fake.Messages(e.fake.DMChannel(customer)); len(ms) != 0 {
		t.Errorf("a customer got %+v", ms)
	}
}
