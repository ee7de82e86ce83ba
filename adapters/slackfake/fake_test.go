package slackfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
	"go.uber.org/goleak"

	"github.com/openear/openear/adapters/slackfake"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newFake(t *testing.T, o slackfake.Options) (*slackfake.Server, *slack.Client) {
	t.Helper()
	f := slackfake.New(o)
	t.Cleanup(f.Close)
	opts := f.Options()
	api := slack.New(opts.BotToken, slack.OptionAPIURL(f.URL()+"/api/"), slack.OptionAppLevelToken(opts.AppToken))
	return f, api
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestWebAPI(t *testing.T) {
	f, api := newFake(t, slackfake.Options{})
	ctx := ctxT(t)
	f.AddChannel("C1", "customers")
	f.AddUser("U1", "T0CUST", "carol", false)

	at, err := api.AuthTestContext(ctx)
	if err != nil || at.TeamID != "T0HOME" || at.UserID != "U0BOT" || at.BotID != "B0BOT" {
		t.Fatalf("auth.test = %+v, %v", at, err)
	}
	bad := slack.New("xoxb-wrong", slack.OptionAPIURL(f.URL()+"/api/"))
	if _, err := bad.AuthTestContext(ctx); err == nil || err.Error() != "invalid_auth" {
		t.Fatalf("wrong token: %v", err)
	}

	var tss []string
	for i := range 5 {
		tss = append(tss, f.PostQuiet("C1", "U1", "m"+string(rune('0'+i)), ""))
	}
	f.PostQuiet("C1", "U1", "reply", tss[1])
	_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false))
	if err != nil || !(ts > tss[4]) {
		t.Fatalf("post: %q %v", ts, err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C404", slack.MsgOptionText("hi", false)); err == nil || err.Error() != "channel_not_found" {
		t.Fatalf("unknown channel: %v", err)
	}

	// history: newest first, oldest exclusive, paged by cursor
	var got []string
	cursor := ""
	for {
		h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1", Oldest: tss[0], Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range h.Messages {
			got = append(got, m.Timestamp)
			if m.Timestamp == tss[1] && (m.ReplyCount != 1 || m.LatestReply == "") {
				t.Errorf("parent %+v: no reply_count", m.Msg)
			}
		}
		if !h.HasMore {
			break
		}
		cursor = h.ResponseMetaData.NextCursor
	}
	want := []string{ts, tss[4], tss[3], tss[2], tss[1]}
	if len(got) != len(want) {
		t.Fatalf("history = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("history = %v, want %v", got, want)
		}
	}
	msgs, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: tss[1]})
	if err != nil || len(msgs) != 2 || msgs[1].Text != "reply" || msgs[1].Team != "T0CUST" {
		t.Fatalf("replies = %+v, %v", msgs, err)
	}

	f.FailNext("chat.postMessage", 1, slackfake.RateLimit)
	_, _, err = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("rate limit: %v", err)
	}
	f.SetDown(true)
	_, err = api.AuthTestContext(ctx)
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != 503 {
		t.Fatalf("down: %v", err)
	}
	f.SetDown(false)
	if n := len(f.Calls("chat.postMessage")); n != 3 {
		t.Fatalf("calls = %d", n)
	}
}

// TestSocketMode checks hello, envelopes, acks and redelivery with slack-go's client.
func TestSocketMode(t *testing.T) {
	f, api := newFake(t, slackfake.Options{AckTimeout: 100 * time.Millisecond, PingInterval: 50 * time.Millisecond})
	f.AddChannel("C1", "customers")
	f.AddUser("U1", "T0CUST", "carol", false)
	client := socketmode.New(api, socketmode.OptionLog(log.New(io.Discard, "", 0)), socketmode.OptionPingInterval(time.Second))
	ctx, cancel := context.WithCancel(ctxT(t))
	var wg sync.WaitGroup
	wg.Go(func() { _ = client.RunContext(ctx) })
	defer wg.Wait()
	defer cancel()

	if err := f.WaitFor(ctx, func() bool { return f.Sockets() == 1 }); err != nil {
		t.Fatal(err)
	}
	_, evID := f.PostMessage(slackfake.Message{Channel: "C1", User: "U1", Text: "hello"})
	var attempts []int
	for len(attempts) < 2 {
		select {
		case ev := <-client.Events:
			if ev.Type != socketmode.EventTypeEventsAPI {
				continue
			}
			api := ev.Data.(slackevents.EventsAPIEvent)
			cb := api.Data.(*slackevents.EventsAPICallbackEvent)
			msg := api.InnerEvent.Data.(*slackevents.MessageEvent)
			if cb.EventID != evID || msg.Text != "hello" || msg.UserTeam != "T0CUST" {
				t.Fatalf("event %+v %+v", cb, msg)
			}
			attempts = append(attempts, ev.Request.RetryAttempt)
			if len(attempts) == 2 { // ack the retry only
				if err := client.AckCtx(ctx, ev.Request.EnvelopeID, nil); err != nil {
					t.Fatal(err)
				}
				if err := f.WaitFor(ctx, func() bool { return f.Acked(ev.Request.EnvelopeID) }); err != nil {
					t.Fatal(err)
				}
			}
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
	if attempts[0] != 0 || attempts[1] != 1 {
		t.Fatalf("attempts = %v", attempts)
	}
	wg.Go(func() { // drain until the test ends
		for {
			select {
			case <-client.Events:
			case <-ctx.Done():
				return
			}
		}
	})
	f.DropSockets()
	if err := f.WaitFor(ctx, func() bool { return f.Connections() == 2 && f.Sockets() == 1 }); err != nil {
		t.Fatal(err)
	}
	f.Disconnect()
	if err := f.WaitFor(ctx, func() bool { return f.Connections() == 3 && f.Sockets() == 1 }); err != nil {
		t.Fatal(err)
	}
}

func TestHTTPDelivery(t *testing.T) {
	f, _ := newFake(t, slackfake.Options{SigningSecret: "s3cret"})
	f.AddChannel("C1", "customers")
	f.AddUser("U1", "T0CUST", "carol", false)
	var mu sync.Mutex
	var retries []string
	fails := 1
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sv, err := slack.NewSecretsVerifier(r.Header, "s3cret")
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		_, _ = sv.Write(body)
		if sv.Ensure() != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		retries = append(retries, r.Header.Get("X-Slack-Retry-Num"))
		if r.URL.Path == slackfake.CommandsPath {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"response_type": "ephemeral", "text": "ok"})
			return
		}
		if fails > 0 {
			fails--
			http.Error(w, "later", 500)
		}
	}))
	defer app.Close()
	f.SetAppURL(app.URL)
	ctx := ctxT(t)
	f.Post("C1", "U1", "hello", "")
	mu.Lock()
	if len(retries) != 2 || retries[0] != "" || retries[1] != "1" {
		t.Fatalf("retries = %q", retries)
	}
	mu.Unlock()
	resp, err := f.SlashCommand(ctx, "U1", "T0CUST", "C1", "help")
	if err != nil || resp.Status != 200 || string(resp.Body) == "" {
		t.Fatalf("command: %+v %v", resp, err)
	}
	status, _, err := f.Send(ctx, slackfake.Request{Path: slackfake.EventsPath, Body: []byte(`{}`), Secret: "forged"})
	if err != nil || status != 401 {
		t.Fatalf("forged: %d %v", status, err)
	}
}

// TestSign checks Sign against Slack's published vector.
func TestSign(t *testing.T) {
	body := "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	got := slackfake.Sign("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, []byte(body))
	if want := "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"; got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

// TestInstallation: the granted scopes are sent in X-OAuth-Scopes; a
// method needing another scope fails with missing_scope (and names it);
// an event the app does not subscribe to, or lacks the scope of, is not
// delivered; no commands scope, no slash command. Methods lists what was
// called.
func TestInstallation(t *testing.T) {
	f, api := newFake(t, slackfake.Options{
		Scopes: []string{"chat:write", "channels:history"},
		Events: []string{"message.channels", "message.im", "reaction_added"},
	})
	ctx := ctxT(t)
	f.AddChannel("C1", "customers")
	f.AddUser("U1", "T0CUST", "carol", false)

	at, err := api.AuthTestContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := at.Header.Get("X-OAuth-Scopes"); got != "chat:write,channels:history" {
		t.Fatalf("X-OAuth-Scopes = %q", got)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatalf("chat.postMessage with chat:write: %v", err)
	}
	_, err = api.GetUserInfoContext(ctx, "U1")
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "missing_scope" {
		t.Fatalf("users.info without users:read: %v", err)
	}
	// DMs need im:history, not channels:history.
	if _, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1"}); err != nil {
		t.Fatalf("history of a public channel with channels:history: %v", err)
	}
	if _, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "D1"}); err == nil || err.Error() != "missing_scope" {
		t.Fatalf("history of a DM without im:history: %v", err)
	}
	if got, want := f.Methods(), []string{"auth.test", "chat.postMessage", "conversations.history", "users.info"}; !slices.Equal(got, want) {
		t.Fatalf("Methods = %q, want %q", got, want)
	}

	var mu sync.Mutex
	var events []string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
		if err == nil {
			mu.Lock()
			events = append(events, ev.InnerEvent.Type)
			mu.Unlock()
		}
	}))
	defer app.Close()
	f.SetAppURL(app.URL)
	f.Post("C1", "U1", "subscribed and scoped", "")
	f.Post("D1", "U1", "subscribed, but no im:history", "")
	f.Post("G1", "U1", "not subscribed (message.groups)", "")
	f.React("C1", "1.0", "U1", "eyes") // subscribed, but no reactions:read
	mu.Lock()
	if len(events) != 1 || events[0] != "message" {
		t.Fatalf("delivered %q, want the one public channel message", events)
	}
	mu.Unlock()
	if _, err := f.SlashCommand(ctx, "U1", "T0CUST", "C1", "help"); err == nil {
		t.Fatal("a slash command was delivered to an app without the commands scope")
	}
}
