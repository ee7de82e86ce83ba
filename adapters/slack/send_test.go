package slack_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
)

const evil = "<!channel> @here <https://evil|x> & <@U0ALICE>"

func notice(buttons bool) *bot.Notice {
	return &bot.Notice{ThreadID: 42, State: bot.Waiting, Customer: "carol <!here>", Channel: custChan,
		Excerpt: evil, Tags: []bot.Tag{{Name: "defect", Reason: `rule defect: "broken"`}},
		Owner: "alice", OwnerID: alice, Due: time.Unix(1712345678, 0),
		Permalink: "https://openear.slack.com/archives/C0CUST/p1712345678000100", Buttons: buttons}
}

func TestSendNoticeThenUpdate(t *testing.T) {
	e := setup(t, httpMode, nil, false)
	r, err := e.ad.Send(e.ctx, bot.Action{ID: 1, Kind: bot.ActNotice, Channel: triageChan, Text: "new: " + evil, Notice: notice(true)})
	if err != nil {
		t.Fatal(err)
	}
	msgs := e.fake.Messages(triageChan)
	if len(msgs) != 1 || r.Ref != triageChan+"/"+msgs[0].TS {
		t.Fatalf("ref %q, messages %+v", r.Ref, msgs)
	}
	call := e.fake.Calls("chat.postMessage")[0]
	if call.Form.Get("link_names") != "false" || call.Form.Get("parse") != "none" {
		t.Fatalf("unsafe post: %v", call.Form)
	}
	blocks := blockText(t, msgs[0].Blocks)
	for _, bad := range []string{"<!channel>", "<!here>", "<https://evil", "<@U0ALICE> &"} {
		if strings.Contains(blocks, bad) || strings.Contains(msgs[0].Text, bad) {
			t.Errorf("%q rendered live:\n%s\n%s", bad, blocks, msgs[0].Text)
		}
	}
	for _, want := range []string{"&lt;!channel&gt; @here &lt;https://evil|x&gt; &amp;", "<@U0ALICE>",
		"<!date^1712345678^{date_short_pretty} {time}|2024-04-05 19:34 UTC>", "value=claim 42",
		"value=snooze 42 1h", "value=resolve 42", "defect", "rule defect", "Open the message", "#42 · waiting"} {
		if !strings.Contains(blocks, want) {
			t.Errorf("blocks lack %q:\n%s", want, blocks)
		}
	}

	n := notice(false)
	n.State = bot.Resolved
	r2, err := e.ad.Send(e.ctx, bot.Action{ID: 2, Kind: bot.ActNotice, Ref: r.Ref, Text: "resolved", Notice: n})
	if err != nil || r2.Ref != r.Ref {
		t.Fatalf("update: %v %q", err, r2.Ref)
	}
	msgs = e.fake.Messages(triageChan)
	if len(msgs) != 1 || !msgs[0].Edited || !strings.Contains(blockText(t, msgs[0].Blocks), "resolved") || strings.Contains(msgs[0].Blocks, "claim 42") {
		t.Fatalf("after update: %+v", msgs)
	}
	if len(e.fake.Calls("chat.update")) != 1 {
		t.Fatal("no chat.update")
	}
}

func TestSendDMAndPost(t *testing.T) {
	e := setup(t, httpMode, nil, false)
	r, err := e.ad.Send(e.ctx, bot.Action{Kind: bot.ActDM, To: alice, Text: "#42 waits: " + evil})
	if err != nil {
		t.Fatal(err)
	}
	ch, _, _ := strings.Cut(r.Ref, "/")
	msgs := e.fake.Messages(ch)
	if len(msgs) != 1 || !strings.HasPrefix(ch, "D") || msgs[0].Text != "#42 waits: &lt;!channel&gt; @here &lt;https://evil|x&gt; &amp; &lt;@U0ALICE&gt;" {
		t.Fatalf("dm %q: %+v", r.Ref, msgs)
	}
	if _, err := e.ad.Send(e.ctx, bot.Action{Kind: bot.ActDM, To: alice, Text: "again"}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.Calls("conversations.open")); n != 1 {
		t.Fatalf("conversations.open calls = %d (want cached)", n)
	}

	root := e.fake.PostQuiet(custChan, carol, "help", "")
	if _, err := e.ad.Send(e.ctx, bot.Action{Kind: bot.ActPost, Channel: custChan, ThreadKey: root, Text: "we reply within 1h"}); err != nil {
		t.Fatal(err)
	}
	last := e.fake.Messages(custChan)
	if m := last[len(last)-1]; m.ThreadTS != root || m.Text != "we reply within 1h" {
		t.Fatalf("post = %+v", m)
	}
}

func TestSendErrors(t *testing.T) {
	e := setup(t, httpMode, nil, false)
	post := bot.Action{Kind: bot.ActPost, Channel: custChan, Text: "x"}

	e.fake.FailNext("chat.postMessage", 1, slackfake.RateLimit)
	_, err := e.ad.Send(e.ctx, post)
	var re *bot.RetryError
	if !errors.As(err, &re) || re.After != time.Second {
		t.Fatalf("429: %v", err)
	}
	e.fake.FailNext("chat.postMessage", 1, slackfake.ServerError)
	if _, err := e.ad.Send(e.ctx, post); !errors.As(err, &re) || re.After <= 0 {
		t.Fatalf("500: %v", err)
	}
	e.fake.SetDown(true)
	if _, err := e.ad.Send(e.ctx, post); !errors.As(err, &re) {
		t.Fatalf("503: %v", err)
	}
	e.fake.SetDown(false)
	if _, err := e.ad.Send(e.ctx, bot.Action{Kind: bot.ActPost, Channel: "C0GONE", Text: "x"}); !errors.Is(err, bot.ErrPermanent) {
		t.Fatalf("channel_not_found: %v", err)
	}
	e.fake.FailNext("chat.postMessage", 1, slackfake.InvalidAuth)
	if _, err := e.ad.Send(e.ctx, post); !errors.Is(err, bot.ErrPermanent) {
		t.Fatalf("invalid_auth: %v", err)
	}
	if !strings.Contains(e.logs.String(), "check SLACK_BOT_TOKEN") {
		t.Fatal("invalid_auth not logged clearly")
	}
	if _, err := e.ad.Send(e.ctx, post); err != nil {
		t.Fatalf("after faults: %v", err)
	}
}

// Posts to one channel go at Slack's pace: a short burst, then one per
// interval; an urgent post (an escalation) keeps one post of the burst
// and never waits behind the channel's queue; other channels do not wait.
func TestSendPacesPerChannel(t *testing.T) {
	const pace = 300 * time.Millisecond
	e := setup(t, httpMode, func(c *slack.Config) { c.PostInterval = pace; c.PostBurst = 3 }, false)
	send := func(ch, text string, why bot.Purpose) {
		if _, err := e.ad.Send(e.ctx, bot.Action{Kind: bot.ActPost, Purpose: why, Channel: ch, Text: text}); err != nil {
			t.Error(err)
		}
	}
	send(custChan, "n1", bot.ForDigest)
	send(custChan, "n2", bot.ForDigest) // the burst, less the urgent reserve
	done := make(chan struct{})
	go func() {
		defer close(done)
		send(custChan, "n3", bot.ForDigest) // waits for the pace
		send(custChan, "n4", bot.ForDigest)
	}()
	send(custChan, "urgent", bot.ForEscalation) // the reserve: no wait
	send(triageChan, "other channel", bot.ForDigest)
	<-done
	at := map[string]time.Time{}
	for _, c := range e.fake.Calls("chat.postMessage") {
		at[c.Form.Get("text")] = c.At
	}
	if len(at) != 6 {
		t.Fatalf("%d posts", len(at))
	}
	if gap := at["n3"].Sub(at["n1"]); gap < pace*9/10 {
		t.Fatalf("the third post in a channel went %v after the first, want at least %v", gap, pace)
	}
	if gap := at["n4"].Sub(at["n3"]); gap < pace*9/10 {
		t.Fatalf("two paced posts %v apart, want at least %v", gap, pace)
	}
	if !at["urgent"].Before(at["n3"]) || !at["other channel"].Before(at["n3"]) {
		t.Fatal("an urgent post or a post to another channel waited behind the paced ones")
	}

	// Ready waits like a post but takes nothing.
	start := time.Now()
	if err := e.ad.Ready(e.ctx, bot.Action{Kind: bot.ActPost, Channel: custChan}); err != nil {
		t.Fatal(err)
	}
	if err := e.ad.Ready(e.ctx, bot.Action{Kind: bot.ActPost, Channel: custChan}); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < pace*9/10 {
		t.Fatalf("Ready after four posts waited %v, want the pace", waited)
	}

	// A 429 holds the channel for Slack's Retry-After (1 s here).
	e.fake.FailNext("chat.postMessage", 1, slackfake.RateLimit)
	var re *bot.RetryError
	if _, err := e.ad.Send(e.ctx, bot.Action{Kind: bot.ActPost, Channel: triageChan, Text: "limited"}); !errors.As(err, &re) {
		t.Fatalf("429: %v", err)
	}
	start = time.Now()
	send(triageChan, "after the 429", bot.ForEscalation)
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Fatalf("a post %v after a 429 with Retry-After: 1", waited)
	}
}

func TestNewValidates(t *testing.T) {
	rec := newRecorder()
	for _, c := range []slack.Config{{}, {BotToken: "xoxb"}} {
		if _, err := slack.New(c, rec); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
	if _, err := slack.New(slack.Config{BotToken: "xoxb", AppToken: "xapp"}, rec); err != nil {
		t.Errorf("socket mode without secret: %v", err)
	}
	a, _ := slack.New(slack.Config{BotToken: "xoxb", SigningSecret: "s"}, rec)
	if a.Name() != "slack" {
		t.Errorf("Name = %q", a.Name())
	}
}

// blockText decodes posted blocks into their strings, one per line;
// button values appear as "value=…".
func blockText(t *testing.T, blocks string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(blocks), &v); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	var b strings.Builder
	var walk func(k string, v any)
	walk = func(k string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				walk(k, y)
			}
		case []any:
			for _, y := range x {
				walk(k, y)
			}
		case string:
			if k == "value" {
				b.WriteString("value=")
			}
			b.WriteString(x + "\n")
		}
	}
	walk("", v)
	return b.String()
}

// TestAPIURLForms: api_url given as a bare host, with Slack's /api/ path
// (with or without its slash) all reach the Web API; a proxy's own prefix
// is kept.
func TestAPIURLForms(t *testing.T) {
	e := setup(t, httpMode, nil, false)
	for _, base := range []string{e.fake.URL(), e.fake.URL() + "/", e.fake.URL() + "/api", e.fake.URL() + "/api/"} {
		o := e.fake.Options()
		ad, err := slack.New(slack.Config{BotToken: o.BotToken, SigningSecret: o.SigningSecret, APIURL: base,
			TriageChannel: triageChan, Channels: []string{custChan}, PostInterval: -1}, newRecorder())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ad.Send(e.ctx, bot.Action{Kind: bot.ActPost, Channel: triageChan, Text: "via " + base}); err != nil {
			t.Fatalf("api_url %s: %v", base, err)
		}
		if msgs := e.fake.Messages(triageChan); len(msgs) == 0 || msgs[len(msgs)-1].Text != "via "+base {
			t.Fatalf("api_url %s: nothing posted", base)
		}
	}
	for in, want := range map[string]string{
		"http://h:1":                     "http://h:1/api/",
		"https://slack.com/api":          "https://slack.com/api/",
		"https://slack-gov.com/api/":     "https://slack-gov.com/api/",
		"https://proxy.example/slack":    "https://proxy.example/slack/",
		"https://proxy.example/s/?x=1#f": "https://proxy.example/s/",
	} {
		if got, err := slack.APIBase(in); err != nil || got != want {
			t.Errorf("APIBase(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"localhost:1234", "ftp://h/api/", "http:///api/", "::"} {
		if _, err := slack.APIBase(bad); err == nil {
			t.Errorf("APIBase(%q) accepted", bad)
		}
	}
}
