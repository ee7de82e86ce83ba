package discord_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/bot"
)

func TestCustomerMessage(t *testing.T) {
	t.Parallel()
	fake, rec, _ := setup(t)
	m := fake.Post(watched, customer, "my order is broken", "")
	ev := rec.waitEvent(t, "discord:msg:"+m.ID)
	want := bot.Event{ID: "discord:msg:" + m.ID, Kind: bot.KindMessage, Platform: "discord", Channel: watched,
		MessageID: m.ID, User: customer, UserName: "cust", ChannelName: "ch-222", Text: "my order is broken",
		Permalink: "https://discord.com/channels/1/222/" + m.ID}
	at := ev.At
	ev.At = time.Time{}
	if !reflect.DeepEqual(ev, want) {
		t.Fatalf("event\n got %+v\nwant %+v", ev, want)
	}
	if d := time.Since(at); d < 0 || d > time.Minute {
		t.Fatalf("At %v is not the snowflake's time", at)
	}
	// An empty cursor means a first start: no backfill.
	if calls := fake.Calls("GET /channels/222/messages"); len(calls) != 0 {
		t.Fatalf("backfilled with an empty cursor: %+v", calls)
	}
	if ids := fake.Identifies(); len(ids) != 1 || ids[0].Intents != discord.Intents ||
		ids[0].Intents&discordgo.IntentMessageContent == 0 || ids[0].Token != "tok" {
		t.Fatalf("identify %+v", ids)
	}
}

func TestThreadReplyAndDM(t *testing.T) {
	t.Parallel()
	fake, rec, _ := setup(t)

	m := fake.Post(thread, customer, "in a thread", "")
	ev := rec.waitEvent(t, "discord:msg:"+m.ID)
	if ev.Channel != watched || ev.ThreadKey != thread || ev.Permalink != "https://discord.com/channels/1/777/"+m.ID {
		t.Fatalf("thread message %+v", ev)
	}

	// A thread created while running (THREAD_CREATE).
	fake.AddThread(watched, "778")
	m = fake.Post("778", customer, "new thread", "")
	if ev := rec.waitEvent(t, "discord:msg:"+m.ID); ev.Channel != watched || ev.ThreadKey != "778" {
		t.Fatalf("new thread message %+v", ev)
	}

	root := fake.Post(watched, customer, "root", "")
	reply := fake.Post(watched, customer, "a reply", root.ID)
	if ev := rec.waitEvent(t, "discord:msg:"+reply.ID); ev.ThreadKey != root.ID || ev.Channel != watched {
		t.Fatalf("reply %+v", ev)
	}

	dm := fake.DMChannel(customer)
	m = fake.Post(dm, customer, "psst", "")
	ev = rec.waitEvent(t, "discord:msg:"+m.ID)
	if !ev.DM || ev.Channel != dm || ev.ThreadKey != "" || ev.Permalink != "https://discord.com/channels/@me/"+dm+"/"+m.ID {
		t.Fatalf("dm %+v", ev)
	}
}

func TestSkips(t *testing.T) {
	t.Parallel()
	fake, rec, a := setup(t)
	fake.AddThread(other, "556") // a thread of an unwatched channel

	skipped := []string{
		fake.Post(watched, otherBot, "beep", "").ID,
		fake.PostWebhook(watched, "w1", "hook").ID,
		fake.Post(other, customer, "elsewhere", "").ID,
		fake.Post("556", customer, "elsewhere thread", "").ID,
	}
	edited := fake.Post(watched, customer, "first", "")
	fake.Edit(watched, edited.ID, "edited")
	// The bot's own message, dispatched back by the gateway.
	r, err := a.Send(context.Background(), bot.Action{Kind: bot.ActPost, Channel: watched, Text: "we are on it"})
	if err != nil {
		t.Fatal(err)
	}
	_, own, _ := strings.Cut(r.Ref, "/")
	skipped = append(skipped, own)
	last := fake.Post(watched, customer, "sentinel", "")
	// Events are handled in order: once the sentinel is in, the rest was seen.
	evs := rec.wait(t, "sentinel", func(evs []bot.Event) bool { return count(evs, "discord:msg:"+last.ID) == 1 })
	for _, id := range skipped {
		if count(evs, "discord:msg:"+id) != 0 {
			t.Errorf("message %s was not skipped", id)
		}
	}
	if len(evs) != 2 || evs[0].ID != "discord:msg:"+edited.ID || evs[0].Text != "first" {
		t.Fatalf("want the original and the sentinel only, got %+v", evs)
	}
}

func TestStaff(t *testing.T) {
	t.Parallel()
	fake, rec, _ := setup(t)
	for _, tc := range []struct {
		user  string
		staff bool
	}{{customer, false}, {roleMate, true}, {staffID, true}} {
		m := fake.Post(watched, tc.user, "hello", "")
		if ev := rec.waitEvent(t, "discord:msg:"+m.ID); ev.Staff != tc.staff {
			t.Errorf("user %s: staff %v, want %v", tc.user, ev.Staff, tc.staff)
		}
	}
}

func TestMentionCommands(t *testing.T) {
	t.Parallel()
	fake, rec, _ := setup(t)

	m := fake.Post(triage, roleMate, "<@"+botID+"> claim 42", "")
	ev := rec.waitEvent(t, "discord:msg:"+m.ID)
	if ev.Kind != bot.KindCommand || ev.Text != "claim 42" || !ev.Staff || ev.Channel != triage {
		t.Fatalf("command %+v", ev)
	}
	reply := waitReply(t, fake, triage, m.ID)
	if reply.Content != "ok: claim 42" {
		t.Fatalf("reply %q", reply.Content)
	}

	m = fake.Post(watched, customer, "<@!"+botID+">   resolve 1", "")
	ev = rec.waitEvent(t, "discord:msg:"+m.ID)
	if ev.Kind != bot.KindCommand || ev.Text != "resolve 1" || ev.Staff {
		t.Fatalf("non-staff command %+v", ev)
	}
	if reply := waitReply(t, fake, watched, m.ID); !strings.Contains(reply.Content, bot.ErrNotStaff.Error()) {
		t.Fatalf("refusal %q", reply.Content)
	}
}

// waitReply waits for the bot's reply to message id and checks it pings
// nobody.
func waitReply(t *testing.T, fake *discordfake.Server, ch, id string) discordfake.Message {
	t.Helper()
	var got discordfake.Message
	waitFake(t, fake, "reply to "+id, func() bool {
		for _, m := range fake.Messages(ch) {
			if m.ReplyTo == id && m.AuthorID == botID {
				got = m
				return true
			}
		}
		return false
	})
	assertNoPing(t, got)
	return got
}

func assertNoPing(t *testing.T, m discordfake.Message, users ...string) {
	t.Helper()
	am := m.AllowedMentions
	if am == nil || am.Parse == nil || len(am.Parse) != 0 || len(am.Roles) != 0 || am.RepliedUser ||
		strings.Join(am.Users, ",") != strings.Join(users, ",") {
		t.Fatalf("message %s allowed_mentions %+v, want parse [] and users %v", m.ID, am, users)
	}
}

func TestSlashCommand(t *testing.T) {
	t.Parallel()
	fake, rec, _ := setup(t)
	cmds := fake.Commands("")
	if cmds[0].Name != "openear" || len(cmds[0].Options) != 13 {
		t.Fatalf("registered %+v", cmds[0])
	}
	id := fake.SlashCommand(guild, triage, roleMate, "openear assign", map[string]string{"id": "42", "user": staffID})
	ev := rec.waitEvent(t, "discord:int:"+id)
	if ev.Kind != bot.KindCommand || ev.Text != "assign 42 <@444>" || !ev.Staff || ev.Channel != triage || ev.User != roleMate {
		t.Fatalf("slash %+v", ev)
	}
	waitFake(t, fake, "response", func() bool { return len(fake.Responses(id)) == 1 })
	r := fake.Responses(id)[0]
	if r.Kind != "callback" || r.Type != 4 || r.Flags != 64 || r.Content != "ok: assign 42 <@444>" {
		t.Fatalf("response %+v", r)
	}

	id = fake.SlashCommand(guild, watched, customer, "openear resolve", map[string]string{"id": "7"})
	waitFake(t, fake, "refusal", func() bool { return len(fake.Responses(id)) == 1 })
	if r := fake.Responses(id)[0]; r.Type != 4 || r.Flags != 64 || !strings.Contains(r.Content, bot.ErrNotStaff.Error()) {
		t.Fatalf("refusal %+v", r)
	}
}

func TestSlashCommandDeferred(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Options{})
	rec := newRecorder()
	a := newAdapter(t, fake, rec)
	discord.SetDeferAfter(a, 50*time.Millisecond)
	start(t, fake, a)

	id := fake.SlashCommand(guild, triage, staffID, "openear stats", map[string]string{"period": "slow"})
	waitFake(t, fake, "deferred response", func() bool { return len(fake.Responses(id)) == 1 })
	if r := fake.Responses(id)[0]; r.Kind != "callback" || r.Type != 5 || r.Flags != 64 {
		t.Fatalf("deferred %+v", r)
	}
	close(rec.release)
	waitFake(t, fake, "edit", func() bool { return len(fake.Responses(id)) == 2 })
	if r := fake.Responses(id)[1]; r.Kind != "edit" || r.Content != "ok: stats slow" {
		t.Fatalf("edit %+v", r)
	}
}

func TestButton(t *testing.T) {
	t.Parallel()
	fake, rec, a := setup(t)
	r, err := a.Send(context.Background(), bot.Action{Kind: bot.ActNotice, Channel: triage, Text: "t",
		Notice: &bot.Notice{ThreadID: 7, State: bot.Waiting, Buttons: true}})
	if err != nil {
		t.Fatal(err)
	}
	_, msg, _ := strings.Cut(r.Ref, "/")
	id := fake.Click(triage, msg, roleMate, "claim 7")
	ev := rec.waitEvent(t, "discord:int:"+id)
	if ev.Kind != bot.KindButton || ev.Text != "claim 7" || ev.MessageID != msg || !ev.Staff || ev.Channel != triage {
		t.Fatalf("button %+v", ev)
	}
	waitFake(t, fake, "response", func() bool { return len(fake.Responses(id)) == 1 })
	if r := fake.Responses(id)[0]; r.Type != 4 || r.Flags != 64 || r.Content != "ok: claim 7" {
		t.Fatalf("response %+v", r)
	}
}

func TestReactions(t *testing.T) {
	t.Parallel()
	fake, rec, _ := setup(t)
	m := fake.Post(watched, customer, "help", "")
	tm := fake.Post(thread, customer, "help in thread", "")
	fake.React(watched, m.ID, roleMate, "👍") // not ours
	fake.React(watched, m.ID, roleMate, "👀")
	fake.React(thread, tm.ID, customer, "✅")

	ev := rec.waitEvent(t, "discord:react:"+m.ID+":"+roleMate+":👀")
	if ev.Kind != bot.KindReaction || ev.Reaction != "👀" || ev.MessageID != m.ID || ev.Channel != watched ||
		ev.User != roleMate || !ev.Staff {
		t.Fatalf("reaction %+v", ev)
	}
	ev = rec.waitEvent(t, "discord:react:"+tm.ID+":"+customer+":✅")
	if ev.Channel != watched || ev.ThreadKey != thread || ev.Staff {
		t.Fatalf("thread reaction %+v", ev)
	}
	for _, e := range rec.Events() {
		if e.Reaction == "👍" {
			t.Fatalf("unexpected reaction %+v", e)
		}
	}
}

func TestMessageContentIntentDisabled(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Options{MessageContentDisabled: true})
	a := newAdapter(t, fake, newRecorder())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := a.Run(ctx)
	if !errors.Is(err, discord.ErrMessageContentIntent) ||
		err.Error() != "discord: the Message Content intent is not enabled for this bot (Developer Portal → Bot → Privileged Gateway Intents)" {
		t.Fatalf("Run: %v", err)
	}
}

func TestResumeAfterReconnect(t *testing.T) {
	t.Parallel()
	fake, rec, a := setup(t)
	fake.Reconnect()
	var ids []string
	for _, text := range []string{"one", "two", "three"} {
		ids = append(ids, "discord:msg:"+fake.Post(watched, customer, text, "").ID)
	}
	evs := rec.wait(t, "replayed messages", func(evs []bot.Event) bool { return count(evs, ids[2]) > 0 })
	waitFake(t, fake, "resumed", func() bool { return fake.Resumes() == 1 && fake.Connected() })
	for _, id := range ids {
		if n := count(evs, id); n != 1 {
			t.Errorf("%s handled %d times", id, n)
		}
	}
	if n := len(fake.Identifies()); n != 1 {
		t.Fatalf("%d identifies: a RESUME was expected", n)
	}
	waitFake(t, fake, "adapter connected", func() bool { return a.Connected() })
}

func TestDropThenResume(t *testing.T) {
	t.Parallel()
	fake, rec, _ := setup(t)
	fake.Drop()
	m := fake.Post(watched, customer, "while dropped", "")
	rec.waitEvent(t, "discord:msg:"+m.ID)
	if fake.Resumes() != 1 {
		t.Fatalf("resumes %d", fake.Resumes())
	}
}

func TestInvalidSessionBackfill(t *testing.T) {
	t.Parallel()
	fake, rec, _ := setup(t)
	first := fake.Post(watched, customer, "before", "")
	rec.waitEvent(t, "discord:msg:"+first.ID)

	// 120 messages the gateway never delivered: two pages of backfill.
	var missed []string
	for i := range 120 {
		user := customer
		if i == 5 {
			user = roleMate
		}
		missed = append(missed, "discord:msg:"+fake.PostQuiet(watched, user, "meanwhile", "").ID)
	}
	fake.InvalidSession()
	evs := rec.wait(t, "backfill", func(evs []bot.Event) bool { return count(evs, missed[len(missed)-1]) > 0 })
	for _, id := range append([]string{"discord:msg:" + first.ID}, missed...) {
		if n := count(evs, id); n != 1 {
			t.Fatalf("%s handled %d times", id, n)
		}
	}
	// In order, with the staff known from the member's roles.
	for i, ev := range evs[1:] {
		if ev.ID != missed[i] || ev.Channel != watched || ev.Kind != bot.KindMessage {
			t.Fatalf("backfilled event %d: %+v", i, ev)
		}
		if ev.Staff != (i == 5) {
			t.Fatalf("backfilled event %d staff %v", i, ev.Staff)
		}
		if !ev.Backfill || ev.At.IsZero() {
			t.Fatalf("backfilled event %d: backfill %v, at %v (the core starts its clock then)", i, ev.Backfill, ev.At)
		}
	}
	if evs[0].Backfill {
		t.Fatal("the live message is marked as backfilled")
	}
	if n := len(fake.Identifies()); n != 2 {
		t.Fatalf("%d identifies, want 2", n)
	}
	calls := fake.Calls("GET /channels/222/messages")
	if len(calls) != 2 || !strings.Contains(calls[0].Query, "after="+first.ID) || !strings.Contains(calls[0].Query, "limit=100") {
		t.Fatalf("backfill calls %+v", calls)
	}
	// Live again.
	m := fake.Post(watched, customer, "after", "")
	rec.waitEvent(t, "discord:msg:"+m.ID)
}

func TestCommandText(t *testing.T) {
	t.Parallel()
	sub := func(name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordgo.ApplicationCommandInteractionData {
		return discordgo.ApplicationCommandInteractionData{Name: "openear", Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}}}
	}
	str := func(name, v string) *discordgo.ApplicationCommandInteractionDataOption {
		return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: v}
	}
	usr := &discordgo.ApplicationCommandInteractionDataOption{Name: "user", Type: discordgo.ApplicationCommandOptionUser, Value: "7"}
	for _, tc := range []struct {
		data discordgo.ApplicationCommandInteractionData
		want string
		ok   bool
	}{
		{sub("help"), "help", true},
		{sub("claim", str("id", "42")), "claim 42", true},
		{sub("assign", usr, str("id", "#42")), "assign #42 <@7>", true},
		{sub("snooze", str("id", "3")), "snooze 3", true},
		{sub("snooze", str("duration", "2h"), str("id", "3")), "snooze 3 2h", true},
		{sub("incident", str("text", "db down"), str("action", "open")), "incident open db down", true},
		{sub("nope"), "", false},
		{discordgo.ApplicationCommandInteractionData{Name: "other"}, "", false},
	} {
		got, ok := discord.CommandText(tc.data)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%+v: got %q %v, want %q %v", tc.data.Options, got, ok, tc.want, tc.ok)
		}
	}
}

func TestMentionCommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"<@900> claim 42", "claim 42", true},
		{"  <@!900>help ", "help", true},
		{"<@900>", "", true},
		{"hey <@900> claim 42", "", false},
		{"<@9001> claim", "", false},
		{"<@&900> claim", "", false},
	} {
		got, ok := discord.MentionCommand(tc.in, "900")
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: got %q %v, want %q %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
