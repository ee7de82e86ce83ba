package discordfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// session is a gateway session: its id, its sequence and every dispatch
// it carried, for RESUME.
type session struct {
	id      string
	intents discordgo.Intent
	seq     int64
	log     []frame
	conn    *conn // nil while disconnected
}

// maxLog is how many dispatches a session keeps for RESUME.
const maxLog = 4096

type frame struct {
	Op   int    `json:"op"`
	Seq  *int64 `json:"s"`
	Type string `json:"t,omitempty"`
	Data any    `json:"d"`
}

// conn is one websocket connection with its writer goroutine.
type conn struct {
	ws      *websocket.Conn
	out     chan outFrame
	done    chan struct{}
	once    sync.Once
	closing bool // RECONNECT or INVALID SESSION sent: no more dispatches
	resume  bool // dialled at the resume_gateway_url READY gave
}

type outFrame struct {
	frame *frame
	close int // > 0: send a close frame with this code, then close
	drop  bool
}

func (c *conn) shut() {
	c.once.Do(func() { close(c.done) })
}

// send queues f; a connection that cannot keep up is dropped.
func (c *conn) send(f outFrame) {
	select {
	case c.out <- f:
	case <-c.done:
	default:
		c.shut()
	}
}

func (c *conn) writer(wg *sync.WaitGroup) {
	defer wg.Done()
	defer c.ws.Close()
	for {
		select {
		case <-c.done:
			return
		case f := <-c.out:
			switch {
			case f.drop:
				c.shut()
				return
			case f.close > 0:
				msg := websocket.FormatCloseMessage(f.close, closeText(f.close))
				_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
				// The closing handshake: the client's answer (its close
				// code says whether it ends the session) ends the reader.
				t := time.NewTimer(time.Second)
				select {
				case <-c.done:
				case <-t.C:
				}
				t.Stop()
				c.shut()
				return
			default:
				_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
				if err := c.ws.WriteJSON(f.frame); err != nil {
					c.shut()
					return
				}
			}
		}
	}
}

func closeText(code int) string {
	switch code {
	case 4000:
		return "Unknown error."
	case 4008:
		return "Rate limited."
	case 4004:
		return "Authentication failed."
	case 4014:
		return "Disallowed intent(s)."
	case 4013:
		return "Invalid intent(s)."
	}
	return ""
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) { s.gateway(w, r, false) }

// serveResume is the resume_gateway_url READY hands out.
func (s *Server) serveResume(w http.ResponseWriter, r *http.Request) { s.gateway(w, r, true) }

func (s *Server) gateway(w http.ResponseWriter, r *http.Request, resume bool) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(2) // this handler and the writer
	s.mu.Unlock()
	defer s.wg.Done()
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.wg.Done()
		return
	}
	c := &conn{ws: ws, out: make(chan outFrame, 1024), done: make(chan struct{}), resume: resume}
	s.mu.Lock()
	s.conns[c] = true
	if s.closed {
		c.shut()
	}
	s.touch()
	s.mu.Unlock()
	go c.writer(&s.wg)
	defer func() {
		c.shut()
		s.mu.Lock()
		delete(s.conns, c)
		if s.sess != nil && s.sess.conn == c {
			s.sess.conn = nil
		}
		s.touch()
		s.mu.Unlock()
	}()
	// The writer closes ws when the connection is shut, which ends the
	// ReadMessage below.
	c.send(outFrame{frame: &frame{Op: 10, Data: map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds()}}})
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			s.connEnded(c, err)
			return
		}
		var in struct {
			Op   int             `json:"op"`
			Data json.RawMessage `json:"d"`
		}
		if json.Unmarshal(data, &in) != nil {
			c.send(outFrame{close: 4002})
			return
		}
		switch in.Op {
		case 1:
			c.send(outFrame{frame: &frame{Op: 11}})
		case 2:
			s.identify(c, in.Data)
		case 6:
			s.resume(c, in.Data)
		}
	}
}

// connEnded ends the session when its client closed the connection with
// 1000 or 1001, as Discord does: a client that means to resume closes
// with another code.
func (s *Server) connEnded(c *conn, err error) {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || (ce.Code != websocket.CloseNormalClosure && ce.Code != websocket.CloseGoingAway) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess != nil && s.sess.conn == c {
		s.sess = nil
		s.ended++
		s.touch()
	}
}

// violate records a protocol mistake of the client. Called with mu held.
func (s *Server) violate(format string, args ...any) {
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
	s.touch()
}

func (s *Server) identify(c *conn, raw json.RawMessage) {
	var id struct {
		Token   string           `json:"token"`
		Intents discordgo.Intent `json:"intents"`
	}
	_ = json.Unmarshal(raw, &id)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.identifies = append(s.identifies, Identify{Token: id.Token, Intents: id.Intents})
	s.touch()
	if !s.invalidAt.IsZero() {
		// Discord asks for a random 1–5 s wait after op 9.
		if d := s.now().Sub(s.invalidAt); d < time.Second {
			s.violate("IDENTIFY %s after op 9 INVALID SESSION (wait 1–5 s first)", d)
			s.invalidAt = s.now()
			c.send(outFrame{close: 4008})
			return
		}
	}
	if strings.TrimPrefix(id.Token, "Bot ") != s.opts.Token {
		c.send(outFrame{close: 4004})
		return
	}
	mc := id.Intents&discordgo.IntentMessageContent != 0
	if (mc && s.opts.MessageContentDisabled) || (!mc && s.opts.RequireMessageContent) {
		c.send(outFrame{close: 4014})
		return
	}
	if s.sess != nil && s.sess.conn != nil && s.sess.conn != c {
		s.sess.conn.shut() // a new session replaces the old one
	}
	s.invalidAt = time.Time{}
	s.sess = &session{id: "sess-" + s.newID(), intents: id.Intents, conn: c}
	guilds := []map[string]any{}
	for _, g := range s.sortedGuilds() {
		if s.invited {
			guilds = append(guilds, map[string]any{"id": g.id, "unavailable": true})
		}
	}
	s.dispatch("READY", map[string]any{
		"v": 9, "session_id": s.sess.id, "resume_gateway_url": s.resumeURL,
		"user":        s.userJSON(s.opts.BotID),
		"application": map[string]any{"id": s.opts.BotID, "flags": 0},
		"guilds":      guilds, "private_channels": []any{},
	})
	for _, g := range s.sortedGuilds() {
		s.dispatch("GUILD_CREATE", s.guildJSON(g))
	}
}

func (s *Server) resume(c *conn, raw json.RawMessage) {
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	_ = json.Unmarshal(raw, &r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.TrimPrefix(r.Token, "Bot ") != s.opts.Token {
		c.send(outFrame{close: 4004})
		return
	}
	// As Discord: a session that cannot be resumed — unknown, or whose
	// missed dispatches are no longer all kept — is invalid, and the client
	// must identify again (and backfill what it missed).
	if s.sess != nil && s.sess.id == r.SessionID && !c.resume {
		// READY named the URL to resume at; Discord drops clients that
		// resume elsewhere. The session is lost.
		s.violate("RESUME at the gateway URL, not at READY's resume_gateway_url")
		s.sess = nil
	}
	if s.sess == nil || s.sess.id != r.SessionID || r.Seq > s.sess.seq ||
		(len(s.sess.log) > 0 && *s.sess.log[0].Seq > r.Seq+1) {
		s.invalidAt = s.now()
		c.send(outFrame{frame: &frame{Op: 9, Data: false}})
		return
	}
	if s.sess.conn != nil && s.sess.conn != c {
		s.sess.conn.shut()
	}
	s.sess.conn = c
	s.resumes++
	for i := range s.sess.log {
		if *s.sess.log[i].Seq > r.Seq {
			c.send(outFrame{frame: &s.sess.log[i]})
		}
	}
	s.dispatch("RESUMED", map[string]any{})
	s.touch()
}

// dispatch sends an op 0 event on the current session (and keeps it for
// RESUME). Without a session the event is lost, as on Discord; so is an
// event of a guild the bot is not in. Called with mu held.
func (s *Server) dispatch(t string, d map[string]any) {
	ss := s.sess
	if ss == nil {
		return
	}
	if g, _ := d["guild_id"].(string); !s.invited && (g != "" || t == "GUILD_CREATE") {
		return // the bot is in no guild (Options.NotInvited)
	}
	if (t == "MESSAGE_CREATE" || t == "MESSAGE_UPDATE") && ss.intents&discordgo.IntentMessageContent == 0 {
		d = s.blankContent(d)
	}
	ss.seq++
	seq := ss.seq
	f := frame{Op: 0, Seq: &seq, Type: t, Data: d}
	ss.log = append(ss.log, f)
	if len(ss.log) > maxLog {
		ss.log = ss.log[len(ss.log)-maxLog:]
	}
	if ss.conn != nil && !ss.conn.closing {
		ss.conn.send(outFrame{frame: &f})
	}
}

// blankContent models a session without the Message Content intent: guild
// messages that do not mention the bot arrive with empty content.
func (s *Server) blankContent(d map[string]any) map[string]any {
	if d["guild_id"] == nil || d["guild_id"] == "" {
		return d
	}
	if c, _ := d["content"].(string); strings.Contains(c, "<@"+s.opts.BotID+">") || strings.Contains(c, "<@!"+s.opts.BotID+">") {
		return d
	}
	out := make(map[string]any, len(d))
	for k, v := range d {
		out[k] = v
	}
	out["content"] = ""
	return out
}

// Reconnect sends op 7 RECONNECT: the client should close and RESUME.
// Dispatches made meanwhile are kept for the RESUME.
func (s *Server) Reconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess != nil && s.sess.conn != nil {
		s.sess.conn.send(outFrame{frame: &frame{Op: 7, Data: nil}})
		s.sess.conn.closing = true
	}
	s.touch()
}

// InvalidSession sends op 9 (d=false) and forgets the session: the client
// must IDENTIFY again, and what is dispatched until then is lost.
func (s *Server) InvalidSession() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess != nil && s.sess.conn != nil {
		s.invalidAt = s.now() // before the client can see the op 9
		s.sess.conn.send(outFrame{frame: &frame{Op: 9, Data: false}})
	}
	s.sess = nil
	s.touch()
}

// Drop closes the gateway connection abruptly, without a close frame. The
// session stays resumable.
func (s *Server) Drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess != nil && s.sess.conn != nil {
		s.sess.conn.send(outFrame{drop: true})
		s.sess.conn.closing = true
	}
	s.touch()
}

// CloseWith closes the gateway connection with a close code (4014, 4004…).
func (s *Server) CloseWith(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess != nil && s.sess.conn != nil {
		s.sess.conn.send(outFrame{close: code})
		s.sess.conn.closing = true
	}
	s.touch()
}
