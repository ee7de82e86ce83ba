package slackfake

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// sock is one Socket Mode connection.
type sock struct {
	conn *websocket.Conn
	wmu  sync.Mutex // gorilla allows one writer at a time
	done chan struct{}
	once sync.Once
}

func (k *sock) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	k.wmu.Lock()
	defer k.wmu.Unlock()
	_ = k.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return k.conn.WriteMessage(websocket.TextMessage, b)
}

func (k *sock) close() {
	k.once.Do(func() {
		close(k.done)
		_ = k.conn.Close()
	})
}

// envelope is one Socket Mode delivery, kept until acknowledged.
type envelope struct {
	id       string
	typ      string // events_api, slash_commands, interactive
	eventID  string
	payload  json.RawMessage
	response bool // accepts_response_payload
	attempt  int
	reason   string
	timer    *time.Timer
	acked    chan json.RawMessage // buffered 1: the ack's payload
	// unsubscribed: an event the app does not subscribe to (or lacks the
	// scope of); Slack does not deliver it.
	unsubscribed bool

	// the same event over HTTP, when no socket is connected
	httpPath, httpType string
	httpBody           []byte
}

func (e *envelope) frame() any {
	return obj{
		"envelope_id": e.id, "type": e.typ, "payload": e.payload,
		"accepts_response_payload": e.response,
		"retry_attempt":            e.attempt, "retry_reason": e.reason,
	}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveLink is the Socket Mode websocket endpoint.
func (s *Server) serveLink(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	k := &sock{conn: conn, done: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = conn.Close()
		return
	}
	s.wg.Add(1)
	defer s.wg.Done()
	defer k.close()

	// The hello is written and the socket listed in one step: the client
	// counts itself connected once the upgrade is answered, and a
	// DropSockets right after that must find this socket.
	if err := k.write(obj{"type": "hello", "num_connections": 1,
		"debug_info":      obj{"host": "slackfake", "approximate_connection_time": 18060},
		"connection_info": obj{"app_id": "A0OPENEAR"}}); err != nil {
		s.mu.Unlock()
		return
	}
	s.sockets = append(s.sockets, k)
	s.hellos++
	queued := s.queued
	s.queued = nil
	s.notifyLocked()
	s.mu.Unlock()
	for _, e := range queued {
		s.sendEnvelope(e, true)
	}

	s.wg.Add(1)
	go s.pings(k)
	s.readAcks(k)

	s.mu.Lock()
	s.removeSockLocked(k)
	s.mu.Unlock()
}

func (s *Server) pings(k *sock) {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-k.done:
			return
		case <-t.C:
			k.wmu.Lock()
			err := k.conn.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(5*time.Second))
			k.wmu.Unlock()
			if err != nil {
				return
			}
		}
	}
}

// readAcks reads acknowledgements until the connection fails.
func (s *Server) readAcks(k *sock) {
	for {
		_, b, err := k.conn.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(b, &ack) != nil || ack.EnvelopeID == "" {
			continue
		}
		s.mu.Lock()
		s.acks = append(s.acks, Ack{EnvelopeID: ack.EnvelopeID, Payload: ack.Payload, At: time.Now()})
		if e := s.pending[ack.EnvelopeID]; e != nil {
			delete(s.pending, ack.EnvelopeID)
			e.timer.Stop()
			select {
			case e.acked <- ack.Payload:
			default:
			}
		}
		s.notifyLocked()
		s.mu.Unlock()
	}
}

func (s *Server) removeSockLocked(k *sock) {
	for i, x := range s.sockets {
		if x == k {
			s.sockets = append(s.sockets[:i], s.sockets[i+1:]...)
			s.notifyLocked()
			return
		}
	}
}

// Sockets is the number of Socket Mode connections open now.
func (s *Server) Sockets() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sockets)
}

// Connections counts the Socket Mode connections ever made (hello frames
// sent), reconnections included.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hellos
}

// Disconnect asks every socket client to reconnect, as Slack does before
// it rotates a connection. New envelopes go to the next connection.
func (s *Server) Disconnect() {
	s.mu.Lock()
	socks := s.takeSocketsLocked()
	s.mu.Unlock()
	for _, k := range socks {
		_ = k.write(obj{"type": "disconnect", "reason": "refresh_requested",
			"debug_info": obj{"host": "slackfake"}})
	}
}

// DropSockets closes every socket abruptly, without a close frame.
func (s *Server) DropSockets() {
	s.mu.Lock()
	socks := s.takeSocketsLocked()
	s.mu.Unlock()
	for _, k := range socks {
		_ = k.conn.UnderlyingConn().Close()
	}
}

// sendEnvelope writes e to the newest socket and arms its redelivery. With
// no socket it returns false, unless queue is set: then e waits for the next
// connection.
func (s *Server) sendEnvelope(e *envelope, queue bool) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return true
	}
	if len(s.sockets) == 0 {
		if queue {
			s.queued = append(s.queued, e)
		}
		s.mu.Unlock()
		return queue
	}
	k := s.sockets[len(s.sockets)-1]
	s.pending[e.id] = e
	if e.timer != nil {
		e.timer.Stop()
	}
	e.timer = time.AfterFunc(s.opts.AckTimeout, func() { s.redeliver(e) })
	s.delivered = append(s.delivered, Delivery{EnvelopeID: e.id, EventID: e.eventID, Type: e.typ,
		Transport: "socket", Attempt: e.attempt, At: time.Now()})
	frame := e.frame()
	s.notifyLocked()
	s.mu.Unlock()
	_ = k.write(frame) // on failure the timer redelivers
	return true
}

func (s *Server) redeliver(e *envelope) {
	s.mu.Lock()
	if s.closed || s.pending[e.id] != e {
		s.mu.Unlock()
		return
	}
	delete(s.pending, e.id)
	if e.attempt >= s.opts.MaxRetries {
		s.mu.Unlock()
		return
	}
	e.attempt++
	e.reason = "timeout"
	s.mu.Unlock()
	s.sendEnvelope(e, true)
}

// takeSocketsLocked removes every socket from the server (new envelopes
// wait for the next connection) and returns them to be closed. s.mu must
// be held.
func (s *Server) takeSocketsLocked() []*sock {
	socks := s.sockets
	s.sockets = nil
	s.notifyLocked()
	return socks
}
