package discord_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/bot"
)

type countingLimiter struct{ n atomic.Int64 }

func (l *countingLimiter) Wait(ctx context.Context) error { l.n.Add(1); return ctx.Err() }

// sendOnly: an adapter that is not running; Send needs no gateway.
func sendOnly(t *testing.T) (*discordfake.Server, *discord.Adapter, *countingLimiter) {
	t.Helper()
	fake := newFake(t, discordfake.Options{})
	a := newAdapter(t, fake, newRecorder())
	l := &countingLimiter{}
	discord.SetLimiter(a, l)
	return fake, a, l
}

func last(t *testing.T, fake *discordfake.Server, ch string) discordfake.Message {
	t.Helper()
	ms := fake.Messages(ch)
	if len(ms) == 0 {
		t.Fatalf("no message in %s", ch)
	}
	return ms[len(ms)-1]
}

func TestSendNotice(t *testing.T) {
	t.Parallel()
	fake, a, lim := sendOnly(t)
	ctx := context.Background()
	due := time.Unix(1767225600, 0)
	n := &bot.Notice{ThreadID: 7, State: bot.Waiting, Customer: "@here cust", Channel: watched,
		Excerpt: "hey @everyone <@&333> **now**", Tags: []bot.Tag{{Name: "urgent", Score: 0.9, Reason: "word \"asap\""}},
		Owner: "alice", OwnerID: staffID, Due: due, Permalink: "https://discord.com/channels/1/222/5", Buttons: true}
	r, err := a.Send(ctx, bot.Action{Kind: bot.ActNotice, Channel: triage, Text: "fallback", Notice: n})
	if err != nil {
		t.Fatal(err)
	}
	m := last(t, fake, triage)
	if r.Ref != triage+"/"+m.ID {
		t.Fatalf("ref %q", r.Ref)
	}
	assertNoPing(t, m, staffID)
	if m.Content != "<@444>" || len(m.Embeds) != 1 {
		t.Fatalf("notice %+v", m)
	}
	e := m.Embeds[0]
	if e.Title != "Thread #7 · waiting" || e.URL != n.Permalink {
		t.Fatalf("embed %+v", e)
	}
	if strings.Contains(e.Description, "@everyone") || strings.Contains(e.Description, "<@&") || !strings.Contains(e.Description, `\*\*now\*\*`) {
		t.Fatalf("excerpt not escaped: %q", e.Description)
	}
	fields := map[string]string{}
	for _, f := range e.Fields {
		fields[f.Name] = f.Value
	}
	if fields["Owner"] != "<@444>" || fields["Due"] != "<t:1767225600:R>" || fields["Tag: urgent"] != `word "asap"` ||
		fields["Channel"] != "<#222>" || !strings.Contains(fields["Message"], n.Permalink) || strings.Contains(fields["Customer"], "@here") {
		t.Fatalf("fields %v", fields)
	}
	var ids []string
	for _, b := range m.Buttons {
		ids = append(ids, b.CustomID)
	}
	if strings.Join(ids, ",") != "claim 7,snooze 7 1h,resolve 7" {
		t.Fatalf("buttons %v", ids)
	}

	// Edit: same message, new state, no buttons; twice is harmless.
	n2 := *n
	n2.State, n2.Buttons = bot.Resolved, false
	for range 2 {
		r2, err := a.Send(ctx, bot.Action{Kind: bot.ActNotice, Channel: triage, Ref: r.Ref, Text: "fallback", Notice: &n2})
		if err != nil || r2.Ref != r.Ref {
			t.Fatalf("edit: %v %q", err, r2.Ref)
		}
	}
	m = last(t, fake, triage)
	if m.Edits != 2 || m.Embeds[0].Title != "Thread #7 · resolved" || len(m.Buttons) != 0 || len(fake.Messages(triage)) != 1 {
		t.Fatalf("edited %+v", m)
	}
	assertNoPing(t, m, staffID)
	// A bare message id as Ref edits in Action.Channel.
	if _, err := a.Send(ctx, bot.Action{Kind: bot.ActNotice, Channel: triage, Ref: m.ID, Notice: &n2}); err != nil {
		t.Fatal(err)
	}
	if lim.n.Load() == 0 {
		t.Fatal("requests did not go through the limiter")
	}
	assertBodies(t, fake)
}

// assertBodies checks, on the wire, that every message the bot sent or
// edited disables mention parsing.
func assertBodies(t *testing.T, fake *discordfake.Server) {
	t.Helper()
	for _, c := range fake.Calls("") {
		if (c.Method == "POST" || c.Method == "PATCH") && strings.HasPrefix(c.Path, "/channels/") &&
			!strings.Contains(string(c.Body), `"allowed_mentions":{"parse":[]`) {
			t.Errorf("%s %s without empty parse: %s", c.Method, c.Path, c.Body)
		}
	}
}

func TestSendDMAndPost(t *testing.T) {
	t.Parallel()
	fake, a, _ := sendOnly(t)
	ctx := context.Background()

	for range 2 {
		r, err := a.Send(ctx, bot.Action{Kind: bot.ActDM, To: customer, Text: "hi @everyone"})
		if err != nil {
			t.Fatal(err)
		}
		dm := fake.DMChannel(customer)
		m := last(t, fake, dm)
		if r.Ref != dm+"/"+m.ID || m.Content != "hi @everyone" {
			t.Fatalf("dm %q %+v", r.Ref, m)
		}
		assertNoPing(t, m)
	}
	if n := len(fake.Calls("POST /users/@me/channels")); n != 1 {
		t.Fatalf("%d DM channel creations, want 1 (cached)", n)
	}

	// In a Discord thread.
	if _, err := a.Send(ctx, bot.Action{Kind: bot.ActPost, Channel: watched, ThreadKey: thread, Text: "in thread"}); err != nil {
		t.Fatal(err)
	}
	if m := last(t, fake, thread); m.Content != "in thread" || m.ReplyTo != "" {
		t.Fatalf("thread post %+v", m)
	}
	// As a reply to a message.
	root := fake.PostQuiet(watched, customer, "@here root", "")
	if _, err := a.Send(ctx, bot.Action{Kind: bot.ActPost, Channel: watched, ThreadKey: root.ID, Text: "thanks, we look"}); err != nil {
		t.Fatal(err)
	}
	m := last(t, fake, watched)
	if m.ReplyTo != root.ID || m.Content != "thanks, we look" {
		t.Fatalf("reply %+v", m)
	}
	assertNoPing(t, m)
	// Top level.
	if _, err := a.Send(ctx, bot.Action{Kind: bot.ActPost, Channel: triage, Text: "@everyone <@&333> digest"}); err != nil {
		t.Fatal(err)
	}
	assertNoPing(t, last(t, fake, triage))
	assertBodies(t, fake)
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	fake, a, _ := sendOnly(t)
	ctx := context.Background()
	post := bot.Action{Kind: bot.ActPost, Channel: triage, Text: "x"}

	fake.FailNext("POST /channels/111/messages", 1, discordfake.RateLimit)
	_, err := a.Send(ctx, post)
	if re, ok := isRetry(err); !ok || re.After != 50*time.Millisecond {
		t.Fatalf("429: %v", err)
	}
	if strings.Contains(err.Error(), "Bot tok") {
		t.Fatalf("error shows the token: %v", err)
	}
	fake.FailNext("POST /channels/111/messages", 1, discordfake.ServerError)
	if _, err := a.Send(ctx, post); err == nil {
		t.Fatal("500: no error")
	} else if _, ok := isRetry(err); !ok || errors.Is(err, bot.ErrPermanent) {
		t.Fatalf("500: %v", err)
	}
	if _, err := a.Send(ctx, bot.Action{Kind: bot.ActPost, Channel: "999", Text: "x"}); !errors.Is(err, bot.ErrPermanent) {
		t.Fatalf("404: %v", err)
	}
	fake.FailNext("POST /channels/111/messages", 1, discordfake.Forbidden)
	if _, err := a.Send(ctx, post); !errors.Is(err, bot.ErrPermanent) {
		t.Fatalf("403: %v", err)
	}
	if _, err := a.Send(ctx, bot.Action{Kind: bot.ActNotice, Channel: triage, Ref: triage + "/123", Notice: &bot.Notice{ThreadID: 1}}); !errors.Is(err, bot.ErrPermanent) {
		t.Fatalf("edit of unknown message: %v", err)
	}
	// After all that, a plain send works (discordgo's bucket waits 50 ms
	// after the 429's headers, on its own).
	if _, err := a.Send(ctx, post); err != nil {
		t.Fatal(err)
	}
}

// api_url works as a bare host and with Discord's API path after it
// (which openear replaces with its own /api/v9).
func TestAPIURL(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Options{})
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	for _, base := range []string{fake.URL(), fake.URL() + "/", fake.URL() + "/api", fake.URL() + "/api/v10/", fake.URL() + "/api/v9"} {
		cfg := config(fake)
		cfg.APIURL = base
		cfg.HTTPClient = &http.Client{Transport: tr}
		a, err := discord.New(cfg, newRecorder())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Send(context.Background(), bot.Action{Kind: bot.ActPost, Channel: triage, Text: "via " + base}); err != nil {
			t.Fatalf("api_url %s: %v", base, err)
		}
		if m := last(t, fake, triage); m.Content != "via "+base {
			t.Fatalf("api_url %s: %+v", base, m)
		}
	}
	for in, want := range map[string]string{
		"http://h:1":                      "http://h:1",
		"https://h/api/v10/":              "https://h",
		"https://proxy.example/discord":   "https://proxy.example/discord",
		"https://proxy.example/d/api/v10": "https://proxy.example/d",
	} {
		if u, err := discord.APIBase(in); err != nil || u.String() != want {
			t.Errorf("APIBase(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	if _, err := discord.APIBase("localhost:1234"); err == nil {
		t.Error("APIBase of a URL without a scheme: no error")
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	if _, err := discord.New(discord.Config{}, newRecorder()); err == nil {
		t.Fatal("empty token accepted")
	}
	if _, err := discord.New(discord.Config{Token: "t", APIURL: "not a url"}, newRecorder()); err == nil {
		t.Fatal("bad api_url accepted")
	}
	a, err := discord.New(discord.Config{Token: "t"}, newRecorder())
	if err != nil || a.Name() != "discord" || a.Connected() {
		t.Fatalf("%v %v", a, err)
	}
}
