package discordfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
	"github.com/openear/openear/adapters/discordfake"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// open connects a real discordgo session to the fake and returns the
// channel its MESSAGE_CREATE events arrive on.
//
// discordgo's own reconnect (ShouldReconnectOnError) is off: its heartbeat
// goroutine may lose a race with Close and start reconnecting after the
// test ended. Tests reopen the session themselves, as the adapter does.
func open(t *testing.T, fake *discordfake.Server) (*discordgo.Session, chan *discordgo.MessageCreate) {
	t.Helper()
	s, err := discordgo.New("Bot " + fake.Options().Token)
	if err != nil {
		t.Fatal(err)
	}
	s.Client = &http.Client{Transport: fake.Transport()}
	s.Identify.Intents = discordgo.IntentsGuildMessages | discordgo.IntentMessageContent
	s.ShouldReconnectOnError = false
	s.SyncEvents = true
	s.LogLevel = -1
	got := make(chan *discordgo.MessageCreate, 16)
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { got <- m })
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, got
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func recv(t *testing.T, ch chan *discordgo.MessageCreate) *discordgo.MessageCreate {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no MESSAGE_CREATE")
		return nil
	}
}

func TestGatewayAndREST(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(discordfake.Options{Token: "tok", BotID: "900"})
	t.Cleanup(fake.Close)
	fake.AddChannel("1", "222")
	fake.AddMember("1", "42", "alice", []string{"333"}, false)
	s, got := open(t, fake)

	if s.State.User.ID != "900" {
		t.Fatalf("ready user %q", s.State.User.ID)
	}
	if ids := fake.Identifies(); len(ids) != 1 || ids[0].Intents&discordgo.IntentMessageContent == 0 {
		t.Fatalf("identifies %+v", ids)
	}
	posted := fake.Post("222", "42", "hello", "")
	m := recv(t, got)
	if m.ID != posted.ID || m.Content != "hello" || m.Member == nil || len(m.Member.Roles) != 1 || m.GuildID != "1" {
		t.Fatalf("message %+v member %+v", m.Message, m.Member)
	}

	sent, err := s.ChannelMessageSendComplex("222", &discordgo.MessageSend{Content: "hi",
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}})
	if err != nil {
		t.Fatal(err)
	}
	if own := recv(t, got); own.ID != sent.ID || !own.Author.Bot {
		t.Fatalf("own message %+v", own.Message)
	}
	msgs := fake.Messages("222")
	if len(msgs) != 2 || msgs[1].AllowedMentions == nil || msgs[1].AllowedMentions.Parse == nil {
		t.Fatalf("messages %+v", msgs)
	}

	list, err := s.ChannelMessages("222", 100, "", "0", "")
	if err != nil || len(list) != 2 || list[0].ID != sent.ID {
		t.Fatalf("list %v %v", list, err)
	}

	s.ShouldRetryOnRateLimit = false
	fake.FailNext("POST /channels/222/messages", 1, discordfake.RateLimit)
	_, err = s.ChannelMessageSend("222", "x")
	var rl *discordgo.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 50*time.Millisecond {
		t.Fatalf("want rate limit error, got %v", err)
	}
	fake.FailNext("POST /channels/222/messages", 1, discordfake.ServerError)
	_, err = s.ChannelMessageSend("222", "x")
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response.StatusCode != 500 {
		t.Fatalf("want 500, got %v", err)
	}
	if _, err := s.ChannelMessageSend("999", "x"); !errors.As(err, &re) || re.Response.StatusCode != 404 {
		t.Fatalf("want 404, got %v", err)
	}
}

// TestResumeReplaysMissedDispatches speaks the gateway protocol itself
// (a plain websocket, not discordgo, whose own reconnect path is not what
// is tested here): after op 7 RECONNECT the client closes, two messages
// are posted, and a RESUME with the last sequence it saw gets them, in
// order, then RESUMED, without a second IDENTIFY.
func TestResumeReplaysMissedDispatches(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(discordfake.Options{})
	t.Cleanup(fake.Close)
	fake.AddChannel("1", "222")

	ws := dialGateway(t, fake)
	sendOp(t, ws, 2, map[string]any{"token": "Bot " + fake.Options().Token,
		"intents": discordgo.IntentsGuildMessages | discordgo.IntentMessageContent, "properties": map[string]string{}})
	ready := readUntil(t, ws, func(f gwFrame) bool { return f.T == "READY" })
	var r struct {
		SessionID string `json:"session_id"`
	}
	if err := json.Unmarshal(ready.D, &r); err != nil || r.SessionID == "" {
		t.Fatalf("READY %s: %v", ready.D, err)
	}
	seq := readUntil(t, ws, func(f gwFrame) bool { return f.T == "GUILD_CREATE" }).S

	fake.Reconnect()
	if f := readUntil(t, ws, func(f gwFrame) bool { return f.Op != 0 }); f.Op != 7 {
		t.Fatalf("op %d, want 7 RECONNECT", f.Op)
	}
	ws.Close()
	if err := fake.WaitFor(ctx(t), func() bool { return !fake.Connected() }); err != nil {
		t.Fatal(err)
	}
	a := fake.Post("222", "42", "while away 1", "")
	b := fake.Post("222", "42", "while away 2", "")

	ws = dialURL(t, fake.ResumeURL())
	sendOp(t, ws, 6, map[string]any{"token": "Bot " + fake.Options().Token, "session_id": r.SessionID, "seq": seq})
	var got []string
	for _, want := range []string{a.ID, b.ID} {
		f := readUntil(t, ws, func(f gwFrame) bool { return f.Op == 0 })
		var m struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(f.D, &m)
		if f.T != "MESSAGE_CREATE" || m.ID != want {
			t.Fatalf("replayed %s %s (seq %d), want MESSAGE_CREATE %s; so far %v", f.T, m.ID, f.S, want, got)
		}
		got = append(got, m.ID)
	}
	if f := readUntil(t, ws, func(f gwFrame) bool { return f.Op == 0 }); f.T != "RESUMED" {
		t.Fatalf("%s after the replay, want RESUMED", f.T)
	}
	if fake.Resumes() != 1 || len(fake.Identifies()) != 1 || len(fake.Violations()) != 0 {
		t.Fatalf("%d resumes, %d identifies, violations %q; want 1, 1, none", fake.Resumes(), len(fake.Identifies()), fake.Violations())
	}
}

// identifyWS identifies on a new connection and returns it with the
// session id and the last sequence.
func identifyWS(t *testing.T, fake *discordfake.Server) (*websocket.Conn, string, int64) {
	t.Helper()
	ws := dialGateway(t, fake)
	sendOp(t, ws, 2, map[string]any{"token": fake.Options().Token,
		"intents": discordgo.IntentsGuildMessages | discordgo.IntentMessageContent, "properties": map[string]string{}})
	ready := readUntil(t, ws, func(f gwFrame) bool { return f.T == "READY" })
	var r struct {
		SessionID string `json:"session_id"`
		ResumeURL string `json:"resume_gateway_url"`
	}
	if err := json.Unmarshal(ready.D, &r); err != nil || r.SessionID == "" || r.ResumeURL != fake.ResumeURL() {
		t.Fatalf("READY %s: %v", ready.D, err)
	}
	return ws, r.SessionID, readUntil(t, ws, func(f gwFrame) bool { return f.T == "GUILD_CREATE" }).S
}

// A RESUME at the gateway URL, after READY named another one, is refused
// (op 9: the session is lost) and recorded as a violation.
func TestResumeOnlyAtResumeURL(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(discordfake.Options{})
	t.Cleanup(fake.Close)
	fake.AddChannel("1", "222")
	ws, id, seq := identifyWS(t, fake)
	ws.Close()
	ws = dialGateway(t, fake)
	sendOp(t, ws, 6, map[string]any{"token": fake.Options().Token, "session_id": id, "seq": seq})
	if f := readUntil(t, ws, func(gwFrame) bool { return true }); f.Op != 9 {
		t.Fatalf("op %d, want 9: a RESUME at the wrong URL is refused", f.Op)
	}
	if v := fake.Violations(); len(v) != 1 || !strings.Contains(v[0], "resume_gateway_url") {
		t.Fatalf("violations %q", v)
	}
	if fake.Resumes() != 0 {
		t.Fatal("resumed at the wrong URL")
	}
}

// After op 9 an IDENTIFY sooner than 1 s (by the fake's clock) is
// refused with close 4008; one after the wait starts a session.
func TestInvalidSessionNeedsAWait(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	fake := discordfake.New(discordfake.Options{Now: clock})
	t.Cleanup(fake.Close)
	fake.AddChannel("1", "222")
	ws, _, _ := identifyWS(t, fake)
	fake.InvalidSession()
	if f := readUntil(t, ws, func(f gwFrame) bool { return f.Op != 0 && f.Op != 11 }); f.Op != 9 {
		t.Fatalf("op %d, want 9", f.Op)
	}
	advance(999 * time.Millisecond)
	sendOp(t, ws, 2, map[string]any{"token": fake.Options().Token, "intents": discordgo.IntentsGuildMessages})
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != 4008 {
				t.Fatalf("an IDENTIFY 999 ms after op 9: %v, want close 4008", err)
			}
			break
		}
	}
	if v := fake.Violations(); len(v) != 1 || !strings.Contains(v[0], "after op 9") {
		t.Fatalf("violations %q", v)
	}
	// The wait starts again from the refusal.
	advance(1500 * time.Millisecond)
	identifyWS(t, fake)
	if n := len(fake.Identifies()); n != 3 || !fake.Connected() {
		t.Fatalf("%d identifies, connected %v; want 3 and a session", n, fake.Connected())
	}
}

// A client that answers a server close with 1000 ends its session, as on
// Discord: its RESUME then fails. Answered with 4000 the session stays
// resumable.
func TestCloseCodeDecidesTheSession(t *testing.T) {
	t.Parallel()
	for _, reply := range []int{websocket.CloseNormalClosure, 4000} {
		fake := discordfake.New(discordfake.Options{})
		t.Cleanup(fake.Close)
		fake.AddChannel("1", "222")
		ws, id, seq := identifyWS(t, fake)
		ws.SetCloseHandler(func(int, string) error {
			_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(reply, ""), time.Now().Add(time.Second))
			return nil
		})
		fake.CloseWith(4000)
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				break
			}
		}
		if err := fake.WaitFor(ctx(t), func() bool {
			return !fake.Connected() && (reply != 1000 || fake.SessionsEnded() == 1)
		}); err != nil {
			t.Fatal(err)
		}
		ws = dialURL(t, fake.ResumeURL())
		sendOp(t, ws, 6, map[string]any{"token": fake.Options().Token, "session_id": id, "seq": seq})
		f := readUntil(t, ws, func(f gwFrame) bool { return f.Op != 11 })
		switch {
		case reply == 1000 && (f.Op != 9 || fake.SessionsEnded() != 1):
			t.Fatalf("after close 1000: op %d %s, %d sessions ended; want op 9 and the session ended", f.Op, f.T, fake.SessionsEnded())
		case reply == 4000 && (f.T != "RESUMED" || fake.SessionsEnded() != 0):
			t.Fatalf("after close 4000: op %d %s, %d sessions ended; want RESUMED", f.Op, f.T, fake.SessionsEnded())
		}
	}
}

// gwFrame is a gateway frame as it arrives.
type gwFrame struct {
	Op int             `json:"op"`
	S  int64           `json:"s"`
	T  string          `json:"t"`
	D  json.RawMessage `json:"d"`
}

func dialGateway(t *testing.T, fake *discordfake.Server) *websocket.Conn {
	t.Helper()
	return dialURL(t, fake.GatewayURL())
}

func dialURL(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.DialContext(ctx(t), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	if f := readUntil(t, ws, func(gwFrame) bool { return true }); f.Op != 10 {
		t.Fatalf("first frame op %d, want 10 HELLO", f.Op)
	}
	return ws
}

func sendOp(t *testing.T, ws *websocket.Conn, op int, d any) {
	t.Helper()
	if err := ws.WriteJSON(map[string]any{"op": op, "d": d}); err != nil {
		t.Fatal(err)
	}
}

// readUntil reads frames until one satisfies ok, and returns it.
func readUntil(t *testing.T, ws *websocket.Conn, ok func(gwFrame) bool) gwFrame {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second)) // a hang fails, never a timing bound
	for {
		var f gwFrame
		if err := ws.ReadJSON(&f); err != nil {
			t.Fatalf("reading the gateway: %v", err)
		}
		if ok(f) {
			return f
		}
	}
}

func TestDisallowedIntent(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(discordfake.Options{MessageContentDisabled: true})
	t.Cleanup(fake.Close)
	s, _ := discordgo.New("Bot " + fake.Options().Token)
	s.Client = &http.Client{Transport: fake.Transport()}
	s.Identify.Intents = discordgo.IntentMessageContent
	s.LogLevel = -1
	err := s.Open()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4014 {
		t.Fatalf("want close 4014, got %v", err)
	}
}

func TestTransportRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(discordfake.Options{})
	t.Cleanup(fake.Close)
	c := &http.Client{Transport: fake.Transport()}
	if _, err := c.Get("https://example.com/"); err == nil {
		t.Fatal("reached example.com")
	}
	resp, err := c.Get("https://discord.com/api/v9/users/@me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("unauthenticated: %d", resp.StatusCode)
	}
}

// TestNotInvited: a bot in no guild gets a READY without guilds, hears
// nothing of the guild and may not read its channels, until Invite.
func TestNotInvited(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(discordfake.Options{Token: "tok", BotID: "900", NotInvited: true})
	t.Cleanup(fake.Close)
	fake.AddChannel("1", "222")
	fake.AddMember("1", "42", "alice", nil, false)
	s, got := open(t, fake)
	if n := len(s.State.Guilds); n != 0 {
		t.Fatalf("READY listed %d guilds", n)
	}
	if gs, err := s.UserGuilds(100, "", "", false); err != nil || len(gs) != 0 {
		t.Fatalf("GET /users/@me/guilds = %v, %v", gs, err)
	}
	var re *discordgo.RESTError
	if _, err := s.ChannelMessages("222", 10, "", "", ""); !errors.As(err, &re) || re.Response.StatusCode != 403 {
		t.Fatalf("history of a guild the bot is not in: %v", err)
	}
	fake.Post("222", "42", "unheard", "")
	fake.Invite()
	heard := fake.Post("222", "42", "heard", "")
	if m := recv(t, got); m.ID != heard.ID {
		t.Fatalf("first message after the invite %q is %q", m.Content, heard.Content)
	}
	if gs, err := s.UserGuilds(100, "", "", false); err != nil || len(gs) != 1 {
		t.Fatalf("GET /users/@me/guilds after the invite = %v, %v", gs, err)
	}
	if app, err := s.Application("@me"); err != nil || app.ID != "900" || app.Flags&(1<<19) == 0 {
		t.Fatalf("GET /oauth2/applications/@me = %+v, %v", app, err)
	}
}
