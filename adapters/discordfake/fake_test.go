package discordfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
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

	ws = dialGateway(t, fake)
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
	if fake.Resumes() != 1 || len(fake.Identifies()) != 1 {
		t.Fatalf("%d resumes, %d identifies; want 1 and 1", fake.Resumes(), len(fake.Identifies()))
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
	ws, _, err := websocket.DefaultDialer.DialContext(ctx(t), fake.GatewayURL(), nil)
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

func TestInvalidSessionReidentifies(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(discordfake.Options{})
	t.Cleanup(fake.Close)
	fake.AddChannel("1", "222")
	_, got := open(t, fake)
	fake.InvalidSession()
	if err := fake.WaitFor(ctx(t), func() bool { return len(fake.Identifies()) == 2 && fake.Connected() }); err != nil {
		t.Fatal(err)
	}
	m := fake.Post("222", "42", "after", "")
	if r := recv(t, got); r.ID != m.ID {
		t.Fatalf("got %s want %s", r.ID, m.ID)
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
