package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// The gateway client. discordgo's cannot follow Discord's protocol where
// it matters to openear, and has no option to: it RESUMEs at the URL of
// GET /gateway, never at READY's resume_gateway_url; after op 9 it
// IDENTIFYs again at once, without the 1–5 s wait Discord asks for; and
// when the server closes the connection (4000…) it answers with close
// 1000, which ends the session on Discord's side, so the RESUME that
// follows fails. So openear speaks the gateway itself, here: a websocket
// (gorilla, as discordgo), HELLO, heartbeats, IDENTIFY or RESUME, and
// the dispatches openear uses, decoded into discordgo's types. discordgo
// still does every REST call.

// gatewayVersion is the gateway (and REST) API version spoken.
const gatewayVersion = "9"

// Gateway opcodes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opResume         = 6
	opReconnect      = 7
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
)

// closeResuming is the close code openear sends when it closes a
// connection it means to resume: any code but 1000 and 1001, which end
// the session on Discord's side.
const closeResuming = 4000

// invalidSessionWait is the range of the random wait before IDENTIFY
// after op 9, as Discord asks.
const (
	invalidSessionMin = time.Second
	invalidSessionMax = 5 * time.Second
)

// gateway holds the session across connections. Only Run's goroutine
// uses it, but for seq, which the heartbeat reads.
type gateway struct {
	a      *Adapter
	dialer *websocket.Dialer
	// after and jitter time the wait after op 9; tests replace them.
	after  func(time.Duration) <-chan time.Time
	jitter func() time.Duration

	url       string // from GET /gateway, cached
	sessionID string // "" until READY, and after a session ended
	resumeURL string // READY's resume_gateway_url
	seq       atomic.Int64
	// notBefore fires when an IDENTIFY may follow an op 9; nil when no
	// wait is pending. It outlives a connection that drops meanwhile.
	notBefore <-chan time.Time
}

func newGateway(a *Adapter) *gateway {
	return &gateway{
		a: a, dialer: &websocket.Dialer{HandshakeTimeout: 20 * time.Second, Proxy: http.ProxyFromEnvironment},
		after: time.After,
		jitter: func() time.Duration {
			return invalidSessionMin + rand.N(invalidSessionMax-invalidSessionMin+1)
		},
	}
}

// frame is one gateway payload.
type frame struct {
	Op   int             `json:"op"`
	Data json.RawMessage `json:"d"`
	Seq  *int64          `json:"s,omitempty"`
	Type string          `json:"t,omitempty"`
}

// Why a connection ended.
var (
	// errReconnect: resume on a new connection (op 7, a drop, a zombie
	// connection, a server close that allows it).
	errReconnect = errors.New("discord gateway: reconnect")
)

// fatalClose maps the close codes after which reconnecting cannot help.
func fatalClose(code int) error {
	switch code {
	case 4004:
		return ErrAuthentication
	case 4014:
		return ErrMessageContentIntent
	case 4010, 4011, 4012, 4013:
		return fmt.Errorf("%w (close %d: invalid shard, sharding required, invalid API version or invalid intents)", ErrGatewayRefused, code)
	}
	return nil
}

// conn is one websocket connection with its writer lock.
type conn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
}

func (c *conn) send(op int, d any) error {
	b, err := json.Marshal(map[string]any{"op": op, "d": d})
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// close sends a close frame with code and closes the connection.
func (c *conn) close(code int) {
	c.wmu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(time.Second))
	c.wmu.Unlock()
	_ = c.ws.Close()
}

// connect runs one connection: dial (READY's resume URL when there is a
// session to resume), HELLO, RESUME or IDENTIFY, then dispatches until
// the connection ends. It returns nil when ctx ended, errReconnect (or
// a dial error) to go on, or a fatal error. ready is called once the
// session is up (READY or RESUMED).
func (g *gateway) connect(ctx context.Context, ready func()) error {
	target := g.url
	if g.sessionID != "" && g.resumeURL != "" {
		target = g.resumeURL
	}
	if target == "" {
		u, err := g.a.s.Gateway(discordgo.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("discord: GET /gateway: %w", err)
		}
		g.url, target = u, u
	}
	dial, err := gatewayURL(target)
	if err != nil {
		return err
	}
	ws, _, err := g.dialer.DialContext(ctx, dial, nil)
	if err != nil {
		if target == g.url {
			g.url = "" // ask again next time
		} else {
			g.resumeURL = "" // resume at the gateway URL then
		}
		return fmt.Errorf("discord: dial gateway: %w", err)
	}
	c := &conn{ws: ws}
	// Answer a server's close frame with a code that keeps the session
	// resumable (gorilla would echo the server's own, which may be 1000).
	ws.SetCloseHandler(func(code int, _ string) error {
		reply := closeResuming
		if ctx.Err() != nil {
			reply = websocket.CloseNormalClosure
		}
		c.wmu.Lock()
		defer c.wmu.Unlock()
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(reply, ""), time.Now().Add(time.Second))
		return nil
	})
	return g.run(ctx, c, ready)
}

// gatewayURL adds the version and encoding to a gateway URL.
func gatewayURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") {
		return "", fmt.Errorf("discord: gateway URL %q: not a websocket URL", base)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	q := u.Query()
	q.Set("v", gatewayVersion)
	q.Set("encoding", "json")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// run speaks the protocol on one connection until it ends.
func (g *gateway) run(ctx context.Context, c *conn, ready func()) error {
	frames := make(chan frame)
	readErr := make(chan error, 1)
	var wg sync.WaitGroup
	hbCtx, stopBeats := context.WithCancel(ctx)
	defer func() {
		stopBeats()
		_ = c.ws.Close() // ends the reader
		wg.Wait()
	}()
	wg.Go(func() {
		for {
			_, b, err := c.ws.ReadMessage()
			if err != nil {
				readErr <- err
				return
			}
			var f frame
			if err := json.Unmarshal(b, &f); err != nil {
				g.a.log.Warn("discord: unreadable gateway frame", "err", err)
				continue
			}
			select {
			case frames <- f:
			case <-hbCtx.Done():
				return
			}
		}
	})

	var acked atomic.Bool // the last heartbeat was acknowledged
	acked.Store(true)
	beat := func() error { return c.send(opHeartbeat, g.lastSeq()) }
	var identifyAt <-chan time.Time // after op 9: when to IDENTIFY
	hello := false
	for {
		var f frame
		select {
		case <-ctx.Done():
			c.close(websocket.CloseNormalClosure) // ends the session: openear stops
			return nil
		case err := <-readErr:
			return g.ended(ctx, err)
		case <-identifyAt:
			identifyAt, g.notBefore = nil, nil
			if err := g.identify(c); err != nil {
				return errReconnect
			}
			continue
		case f = <-frames:
		}
		if f.Seq != nil && f.Op == opDispatch {
			g.seq.Store(*f.Seq)
		}
		switch f.Op {
		case opHello:
			if hello {
				continue
			}
			hello = true
			var h struct {
				Interval int64 `json:"heartbeat_interval"`
			}
			if err := json.Unmarshal(f.Data, &h); err != nil || h.Interval <= 0 {
				g.a.log.Warn("discord: HELLO without a heartbeat interval", "err", err)
				return errReconnect
			}
			every := time.Duration(h.Interval) * time.Millisecond
			wg.Go(func() { g.heartbeat(hbCtx, c, every, &acked, beat) })
			var err error
			switch {
			case g.sessionID != "":
				err = c.send(opResume, map[string]any{"token": g.a.cfg.Token, "session_id": g.sessionID, "seq": g.seq.Load()})
			case g.notBefore != nil:
				identifyAt = g.notBefore // the wait after op 9 is not over
			default:
				err = g.identify(c)
			}
			if err != nil {
				return errReconnect
			}
		case opHeartbeat:
			if err := beat(); err != nil {
				return errReconnect
			}
		case opHeartbeatACK:
			acked.Store(true)
		case opReconnect:
			c.close(closeResuming)
			return errReconnect
		case opInvalidSession:
			var resumable bool
			_ = json.Unmarshal(f.Data, &resumable)
			if resumable && g.sessionID != "" {
				c.close(closeResuming)
				return errReconnect
			}
			// A new session: the gap since the last one is backfilled
			// after its READY. Discord asks for a random 1–5 s first.
			g.sessionID, g.resumeURL = "", ""
			g.seq.Store(0)
			wait := g.jitter()
			g.a.log.Info("discord: invalid session; identifying again", "in", wait)
			g.notBefore = g.after(wait)
			identifyAt = g.notBefore
		case opDispatch:
			if g.dispatch(f) {
				ready()
			}
		}
	}
}

// lastSeq is the sequence a heartbeat or RESUME carries: null before the
// first dispatch.
func (g *gateway) lastSeq() any {
	if s := g.seq.Load(); s > 0 {
		return s
	}
	return nil
}

func (g *gateway) identify(c *conn) error {
	return c.send(opIdentify, map[string]any{
		"token":      g.a.cfg.Token,
		"intents":    Intents,
		"properties": map[string]string{"os": runtime.GOOS, "browser": "openear", "device": "openear"},
	})
}

// heartbeat beats every interval (the first after a random part of it,
// as Discord asks) until ctx ends. A beat whose predecessor was never
// acknowledged means a zombie connection: it is closed to be resumed.
func (g *gateway) heartbeat(ctx context.Context, c *conn, every time.Duration, acked *atomic.Bool, beat func() error) {
	first := time.Duration(rand.Int64N(int64(every)) + 1)
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !acked.Swap(false) {
			g.a.log.Warn("discord: heartbeat not acknowledged; reconnecting")
			c.close(closeResuming)
			return
		}
		if err := beat(); err != nil {
			return
		}
		t.Reset(every)
	}
}

// ended says what to do after the connection failed with err.
func (g *gateway) ended(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if fatal := fatalClose(ce.Code); fatal != nil {
			return fatal
		}
		switch ce.Code {
		case 4007, 4009: // invalid seq, session timed out: a new session
			g.sessionID, g.resumeURL = "", ""
			g.seq.Store(0)
		}
		g.a.log.Info("discord: gateway closed; reconnecting", "code", ce.Code, "text", ce.Text)
		return errReconnect
	}
	g.a.log.Info("discord: gateway connection lost; reconnecting", "err", err)
	return errReconnect
}

// dispatch decodes an op 0 event and hands it on; true when it is READY
// or RESUMED (the session is up).
func (g *gateway) dispatch(f frame) bool {
	a := g.a
	decode := func(v any) bool {
		if err := json.Unmarshal(f.Data, v); err != nil {
			a.log.Warn("discord: undecodable dispatch", "type", f.Type, "err", err)
			return false
		}
		return true
	}
	switch f.Type {
	case "READY":
		var r discordgo.Ready
		var extra struct {
			ResumeURL string `json:"resume_gateway_url"`
		}
		if !decode(&r) || !decode(&extra) {
			return false
		}
		g.sessionID, g.resumeURL = r.SessionID, extra.ResumeURL
		a.onReady(&r)
		return true
	case "RESUMED":
		return true
	case "GUILD_CREATE":
		var gc discordgo.GuildCreate
		if decode(&gc) && gc.Guild != nil {
			a.onGuildCreate(gc.Guild)
		}
	case "THREAD_CREATE", "THREAD_UPDATE":
		var tc discordgo.Channel
		if decode(&tc) {
			a.onThread(&tc)
		}
	case "MESSAGE_CREATE":
		var m discordgo.MessageCreate
		if decode(&m) && m.Message != nil {
			a.onMessage(m.Message)
		}
	case "MESSAGE_REACTION_ADD":
		var r discordgo.MessageReactionAdd
		if decode(&r) && r.MessageReaction != nil {
			a.onReaction(&r)
		}
	case "INTERACTION_CREATE":
		var i discordgo.InteractionCreate
		if decode(&i) && i.Interaction != nil {
			a.onInteraction(i.Interaction)
		}
	}
	return false
}
