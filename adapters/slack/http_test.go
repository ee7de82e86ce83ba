package slack_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	upstream "github.com/slack-go/slack"

	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
)

// TestSignatureVector is Slack's published example.
func TestSignatureVector(t *testing.T) {
	body := "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", "1531420618")
	h.Set("X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")
	at := time.Unix(1531420618, 0)
	const sec = "8f742231b10e8888abcd99yyyzzz85a5"
	if err := slack.Verify(sec, h, []byte(body), at.Add(299*time.Second)); err != nil {
		t.Fatalf("published vector: %v", err)
	}
	if err := slack.Verify(sec, h, []byte(body+"x"), at); err == nil {
		t.Fatal("changed body accepted")
	}
	if err := slack.Verify("other", h, []byte(body), at); err == nil {
		t.Fatal("wrong secret accepted")
	}
	for _, d := range []time.Duration{301 * time.Second, -301 * time.Second} {
		if err := slack.Verify(sec, h, []byte(body), at.Add(d)); err == nil {
			t.Fatalf("accepted at %v off", d)
		}
	}
	// Same verdict as slack-go's verifier on a fresh request.
	now := time.Now()
	h2 := http.Header{}
	h2.Set("X-Slack-Request-Timestamp", strconvI(now.Unix()))
	h2.Set("X-Slack-Signature", slackfake.Sign(sec, now.Unix(), []byte(body)))
	sv, err := upstream.NewSecretsVerifier(h2, sec)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = sv.Write([]byte(body))
	if sv.Ensure() != nil || slack.Verify(sec, h2, []byte(body), now) != nil {
		t.Fatal("disagrees with slack.NewSecretsVerifier")
	}
}

func strconvI(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestHTTPEventsVerification(t *testing.T) {
	e := setup(t, httpMode, nil, true)
	ts, evID := e.fake.PostMessage(slackfake.Message{Channel: custChan, User: carol, Text: "signed"})
	if got := e.rec.find(byMsg(ts)); len(got) != 1 || got[0].ID != evID {
		t.Fatalf("signed delivery: %+v", e.rec.all())
	}
	body := []byte(`{"type":"event_callback","event_id":"EvFORGED","event":{"type":"message","channel":"C0CUST","channel_type":"channel","user":"U0CAROL","text":"x","ts":"1.000001"}}`)
	for name, r := range map[string]slackfake.Request{
		"forged":   {Secret: "guess"},
		"unsigned": {Unsigned: true},
		// Well outside the 5 minutes: the ±301 s edges are checked with a
		// fixed clock (TestSignatureVector, TestAccessSignatures); here the request
		// travels over HTTP and the clock runs on.
		"stale":  {Time: time.Now().Add(-10 * time.Minute)},
		"future": {Time: time.Now().Add(10 * time.Minute)},
	} {
		r.Path, r.Body = slackfake.EventsPath, body
		status, _, err := e.fake.Send(e.ctx, r)
		if err != nil || status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, %v", name, status, err)
		}
	}
	for _, path := range []string{slackfake.CommandsPath, slackfake.InteractivePath} {
		status, _, _ := e.fake.Send(e.ctx, slackfake.Request{Path: path, Body: []byte("text=x"), Unsigned: true})
		if status != http.StatusUnauthorized {
			t.Errorf("unsigned %s: %d", path, status)
		}
	}
	if got := e.rec.find(func(ev bot.Event) bool { return ev.ID == "EvFORGED" }); len(got) != 0 {
		t.Fatal("Handle called for a refused request")
	}
	if !strings.Contains(e.logs.String(), "refused an unverified request") {
		t.Fatal("no log line for refused requests")
	}

	big := append([]byte(`{"type":"event_callback","x":"`), bytes.Repeat([]byte("a"), 2<<20)...)
	if status, _, _ := e.fake.Send(e.ctx, slackfake.Request{Path: slackfake.EventsPath, Body: big}); status != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB: %d", status)
	}
	status, resp, _ := e.fake.Send(e.ctx, slackfake.Request{Path: slackfake.EventsPath,
		Body: []byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)})
	if status != 200 || !strings.Contains(string(resp), `"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"`) {
		t.Errorf("url_verification: %d %s", status, resp)
	}
	if status, _, _ := e.fake.Send(e.ctx, slackfake.Request{Path: slackfake.EventsPath, Body: []byte(`{"type":`)}); status != http.StatusBadRequest {
		t.Errorf("malformed: %d", status)
	}
	unknown := []byte(`{"type":"event_callback","event_id":"EvU","event":{"type":"team_join","user":{}}}`)
	if status, _, _ := e.fake.Send(e.ctx, slackfake.Request{Path: slackfake.EventsPath, Body: unknown}); status != 200 {
		t.Errorf("unknown event: %d", status)
	}

	// A retry is processed like a first delivery (the core dedupes).
	if status, err := e.fake.Retry(e.ctx, evID, 1); err != nil || status != 200 {
		t.Fatalf("retry: %d %v", status, err)
	}
	if got := e.rec.find(byMsg(ts)); len(got) != 2 || got[1].ID != evID {
		t.Fatalf("retry not processed: %+v", got)
	}
}

func TestHTTPHandleErrorIs500ThenRetried(t *testing.T) {
	e := setup(t, httpMode, nil, true)
	e.rec.setFail(1)
	ts, evID := e.fake.PostMessage(slackfake.Message{Channel: custChan, User: carol, Text: "x"})
	var statuses []int
	for _, d := range e.fake.Deliveries() {
		if d.EventID == evID {
			statuses = append(statuses, d.Status)
		}
	}
	if len(statuses) != 2 || statuses[0] != 500 || statuses[1] != 200 {
		t.Fatalf("statuses = %v", statuses)
	}
	if got := e.rec.find(byMsg(ts)); len(got) != 2 {
		t.Fatalf("events = %+v", got)
	}
}

func TestHTTPFiltersAndStaff(t *testing.T) {
	e := setup(t, httpMode, nil, true)
	f := e.fake
	root := f.Post(custChan, carol, "customer root", "")
	skipped := []string{}
	ts, _ := f.PostMessage(slackfake.Message{Channel: custChan, User: "U0OTHERBOT", BotID: "B0OTHER", Subtype: "bot_message", Text: "bot"})
	skipped = append(skipped, ts)
	ts, _ = f.PostMessage(slackfake.Message{Channel: custChan, User: "U0ZAPIER", BotID: "B0ZAP", Text: "bot without subtype"})
	skipped = append(skipped, ts)
	ts, _ = f.PostMessage(slackfake.Message{Channel: custChan, User: carol, Subtype: "channel_join", Text: "<@U0CAROL> has joined"})
	skipped = append(skipped, ts)
	ts, _ = f.PostMessage(slackfake.Message{Channel: otherChan, User: carol, Text: "unwatched"})
	skipped = append(skipped, ts)
	ts, _ = f.PostMessage(slackfake.Message{Channel: custChan, User: "U0BOT", Text: "own"})
	skipped = append(skipped, ts)
	if _, err := f.Edit(custChan, root, "edited root"); err != nil {
		t.Fatal(err)
	}
	// the bot's own post is echoed by Slack as an event: skipped too
	if _, err := e.ad.Send(e.ctx, bot.Action{Kind: bot.ActPost, Channel: custChan, Text: "we are on it"}); err != nil {
		t.Fatal(err)
	}
	fileTS, _ := f.PostMessage(slackfake.Message{Channel: custChan, User: carol, Subtype: "file_share", Text: "screenshot"})
	bcastTS, _ := f.PostMessage(slackfake.Message{Channel: custChan, User: alice, Subtype: "thread_broadcast", ThreadTS: root, Text: "fixed"})
	bobTS := f.Post(custChan, bob, "partner staff", root)
	dmTS := f.Post("D0CAROL", carol, "hi bot", "")
	f.Post(custChan, carol, "last", "")
	e.waitEvents(1, func(ev bot.Event) bool { return ev.Text == "last" })

	for _, ts := range skipped {
		if got := e.rec.find(func(ev bot.Event) bool { return ev.MessageID == ts }); len(got) != 0 {
			t.Errorf("not skipped: %+v", got)
		}
	}
	for _, ev := range e.rec.all() {
		if ev.Text == "edited root" || ev.Text == "we are on it" || ev.Edit || ev.Bot {
			t.Errorf("not skipped: %+v", ev)
		}
	}
	check := func(ts string, staff, dm bool, thread string) {
		t.Helper()
		got := e.rec.find(byMsg(ts))
		if len(got) != 1 || got[0].Staff != staff || got[0].DM != dm || got[0].ThreadKey != thread {
			t.Errorf("message %s: %+v", ts, got)
		}
	}
	check(root, false, false, "")   // Slack Connect customer
	check(fileTS, false, false, "") // file_share kept
	check(bcastTS, true, false, root)
	check(bobTS, true, false, root) // listed in the config
	check(dmTS, false, true, "")

	// reactions: staff lookup through users.info
	f.React(custChan, root, alice, "eyes")
	f.React(otherChan, root, alice, "eyes")
	got := e.waitEvents(1, func(ev bot.Event) bool { return ev.Kind == bot.KindReaction })
	if r := got[0]; r.Reaction != "eyes" || r.MessageID != root || r.Channel != custChan || !r.Staff || r.User != alice {
		t.Errorf("reaction = %+v", r)
	}
}

func TestHTTPDMsOff(t *testing.T) {
	e := setup(t, httpMode, func(c *slack.Config) { c.DMs = false }, true)
	dm := e.fake.Post("D0CAROL", carol, "hi bot", "")
	e.fake.Post(custChan, carol, "in channel", "")
	e.waitEvents(1, func(ev bot.Event) bool { return ev.Text == "in channel" })
	if got := e.rec.find(byMsg(dm)); len(got) != 0 {
		t.Fatalf("DM fed with DMs off: %+v", got)
	}
}

func TestHTTPCommandAndButton(t *testing.T) {
	e := setup(t, httpMode, nil, true)
	resp, err := e.fake.SlashCommand(e.ctx, alice, "T0HOME", custChan, "claim 7")
	if err != nil || resp.Status != 200 {
		t.Fatalf("command: %+v %v", resp, err)
	}
	var body map[string]string
	if err := json.Unmarshal(resp.Body, &body); err != nil || body["response_type"] != "ephemeral" || body["text"] != "done: claim 7" {
		t.Fatalf("command body %s", resp.Body)
	}
	resp, _ = e.fake.SlashCommand(e.ctx, carol, custTeam, custChan, "claim 7")
	if !strings.Contains(string(resp.Body), "only staff can do that") {
		t.Fatalf("non-staff: %s", resp.Body)
	}
	resp, err = e.fake.Press(e.ctx, carol, custTeam, "resolve", "resolve 7", custChan, "1.000001")
	if err != nil || resp.Status != 200 {
		t.Fatalf("press: %+v %v", resp, err)
	}
	eph := e.fake.Ephemerals()
	if len(eph) != 1 || eph[0].User != carol || eph[0].Text != "only staff can do that" {
		t.Fatalf("ephemerals = %+v", eph)
	}
	if n := len(e.fake.Calls("chat.postEphemeral")); n != 1 {
		t.Fatalf("postEphemeral calls = %d", n)
	}
}

// TestSocketModeWithoutSigningSecretRefusesHTTP: in Socket Mode the
// signing secret may be left out; the HTTP endpoints then refuse every
// request, signed or not, since none can be verified.
func TestSocketModeWithoutSigningSecretRefusesHTTP(t *testing.T) {
	e := setup(t, socketMode, func(c *slack.Config) { c.SigningSecret = "" }, true)
	app := httptest.NewServer(e.ad.HTTPHandler())
	defer app.Close()
	e.fake.SetAppURL(app.URL)
	challenge := []byte(`{"type":"url_verification","challenge":"abc"}`)
	event := []byte(`{"type":"event_callback","event_id":"EvX","event":{"type":"message","channel":"C0CUST","user":"U0CAROL","text":"hi","ts":"1.000001"}}`)
	for _, r := range []slackfake.Request{
		{Path: slackfake.EventsPath, Body: challenge},
		{Path: slackfake.EventsPath, Body: event},
		{Path: slackfake.EventsPath, Body: event, Unsigned: true},
		{Path: slackfake.CommandsPath, Body: []byte("command=%2Fopeneear&text=mine&user_id=U0ALICE")},
		{Path: slackfake.InteractivePath, Body: []byte("payload=%7B%7D")},
	} {
		if status, _, err := e.fake.Send(e.ctx, r); err != nil || status != http.StatusUnauthorized {
			t.Errorf("%s unsigned=%v: %d %v; want 401", r.Path, r.Unsigned, status, err)
		}
	}
	if evs := e.rec.all(); len(evs) != 0 {
		t.Fatalf("a refused request reached the handler: %+v", evs)
	}
	// Socket Mode itself works.
	ts := e.fake.Post(custChan, carol, "over the socket", "")
	e.waitEvents(1, byMsg(ts))
}

// TestButtonOnUnknownBlocks: a button pressed on a message whose blocks
// hold an element type slack-go does not know (which makes
// slack.InteractionCallback refuse the payload) is still handled, over
// HTTP and Socket Mode, and the select menu's chosen option counts like a
// button's value.
func TestButtonOnUnknownBlocks(t *testing.T) {
	const blocks = `[{"type":"section","text":{"type":"mrkdwn","text":"from another app"},
		"accessory":{"type":"shiny_new_widget","action_id":"x"}},
		{"type":"actions","elements":[{"type":"future_picker","action_id":"y"}]}]`
	var cb upstream.InteractionCallback
	if err := json.Unmarshal([]byte(`{"type":"block_actions","message":{"blocks":`+blocks+`}}`), &cb); err == nil {
		t.Fatal("slack-go decodes these blocks now: the test no longer shows anything")
	}
	for _, m := range []mode{httpMode, socketMode} {
		e := setup(t, m, nil, true)
		ts, _ := e.fake.PostMessage(slackfake.Message{Channel: custChan, User: "UOTHERAPP", Text: "from another app", Blocks: blocks})
		resp, err := e.fake.Press(e.ctx, alice, "T0HOME", "claim", "claim 7", custChan, ts)
		if err != nil || (m == httpMode && resp.Status != 200) {
			t.Fatalf("mode %d: press: %+v %v", m, resp, err)
		}
		evs := e.waitEvents(1, func(ev bot.Event) bool { return ev.Kind == bot.KindButton })
		if evs[0].Text != "claim 7" || evs[0].User != alice || !evs[0].Staff || evs[0].MessageID != ts {
			t.Errorf("mode %d: button event %+v", m, evs[0])
		}
		e.waitFor("the ephemeral reply", func() bool {
			eph := e.fake.Ephemerals()
			return len(eph) == 1 && eph[0].Text == "done: claim 7"
		})
	}
}
