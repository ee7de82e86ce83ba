package slackfake

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/openear/openear/adapters/internal/changes"
)

// Options configure a Server. The zero value means defaults.
type Options struct {
	BotToken      string // default "xoxb-fake"
	AppToken      string // default "xapp-fake"
	SigningSecret string // default "fake-signing-secret"
	HomeTeam      string // default "T0HOME"
	BotUserID     string // default "U0BOT"
	BotID         string // default "B0BOT"
	Domain        string // workspace subdomain for URLs; default "openear"

	// AppURL is the app's HTTP base: events go to AppURL+"/slack/events",
	// commands to "/slack/commands", buttons to "/slack/interactive".
	// It may be set later with SetAppURL.
	AppURL string
	// PingInterval is how often a socket gets a websocket PING; default 5s.
	PingInterval time.Duration
	// AckTimeout is how long an envelope may stay unacknowledged before it
	// is delivered again with retry_attempt+1; default 3s.
	AckTimeout time.Duration
	// MaxRetries bounds redeliveries of one envelope or HTTP event; default 3.
	MaxRetries int
	// HTTPClient posts HTTP deliveries; default a client with a 10s timeout.
	HTTPClient *http.Client
	// PostLimit limits chat.postMessage per channel (429 with Retry-After
	// past it); the zero value means no limit. SlackPostLimit is Slack's.
	PostLimit PostLimit
	// Latency is how long every Web API call takes before it is answered:
	// the round trip to Slack (typically 50–150 ms). Default 0.
	Latency time.Duration

	// Scopes are the bot scopes the app was installed with. Every Web API
	// response names them in X-OAuth-Scopes, a method that needs a scope
	// not among them fails with missing_scope, an event whose scope is
	// missing is not delivered, and without "commands" there is no slash
	// command — as on Slack. Nil means AllScopes.
	Scopes []string
	// Events are the bot events the app subscribes to ("message.channels",
	// "message.im", "reaction_added"…); other events are not delivered.
	// Nil means every event.
	Events []string
}

func (o *Options) defaults() {
	set := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	set(&o.BotToken, "xoxb-fake")
	set(&o.AppToken, "xapp-fake")
	set(&o.SigningSecret, "fake-signing-secret")
	set(&o.HomeTeam, "T0HOME")
	set(&o.BotUserID, "U0BOT")
	set(&o.BotID, "B0BOT")
	set(&o.Domain, "openear")
	if o.PingInterval <= 0 {
		o.PingInterval = 5 * time.Second
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = 3 * time.Second
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 3
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
}

// User is a member of some workspace.
type User struct {
	ID    string
	Team  string
	Name  string
	IsBot bool
}

// Message is one message in a channel's history.
type Message struct {
	Channel  string
	TS       string
	ThreadTS string // set for thread replies (and on a parent once it has replies)
	User     string
	Team     string
	Text     string
	Subtype  string
	BotID    string
	Blocks   string // JSON, as posted
	Edited   bool
	At       time.Time // when the fake recorded it
}

// Call is one Web API request the fake received.
type Call struct {
	Method string
	Form   url.Values // form and query values (token removed)
	JSON   []byte     // JSON body, if any
	At     time.Time
}

// Ack is one Socket Mode acknowledgement.
type Ack struct {
	EnvelopeID string
	Payload    []byte // the ack's payload, if any ("null" or absent when none)
	At         time.Time
}

// Delivery is one attempt to deliver an event to the app.
type Delivery struct {
	EnvelopeID string // Socket Mode only
	EventID    string // events_api only
	Type       string // events_api, slash_commands, interactive
	Transport  string // "socket" or "http"
	Attempt    int    // retry_attempt / X-Slack-Retry-Num
	Status     int    // HTTP status (HTTP only)
	At         time.Time
}

// Fault is a failure injected into Web API calls.
type Fault int

const (
	// RateLimit answers 429 with Retry-After: 1.
	RateLimit Fault = iota + 1
	// ServerError answers 500.
	ServerError
	// InvalidAuth answers {"ok":false,"error":"invalid_auth"}.
	InvalidAuth
)

type channel struct {
	id, name string
	im       bool
	imUser   string
	msgs     []*Message // ascending ts
}

// Server is the fake Slack. All methods are safe for concurrent use.
type Server struct {
	opts Options
	srv  *httptest.Server

	mu        sync.Mutex
	users     map[string]User
	channels  map[string]*channel
	calls     []Call
	faults    map[string][]Fault
	down      bool
	lastTS    int64 // microseconds
	seq       int
	hellos    int
	sockets   []*sock
	pending   map[string]*envelope // by envelope id, not yet acked
	queued    []*envelope          // waiting for a socket
	acks      []Ack
	delivered []Delivery
	reactions []Reaction
	ephemeral []Ephemeral
	httpSent  map[string]httpEvent   // by event id, for Retry
	buckets   map[string]*postBucket // PostLimit, per channel
	limited   int                    // calls answered 429 by PostLimit
	changes   changes.Signal         // wakes WaitFor
	closed    bool
	appURL    string
	teams     map[string]string   // team id -> name, for team.info
	triggers  map[string]*trigger // trigger_id -> who and when
	views     []*View

	wg sync.WaitGroup
}

// Reaction is one reaction added through the Web API or React.
type Reaction struct {
	Channel, TS, User, Name string
}

// Ephemeral is one chat.postEphemeral message.
type Ephemeral struct {
	Channel, User, Text, Blocks string
}

// New starts a fake Slack. Close it when done.
func New(opts Options) *Server {
	opts.defaults()
	s := &Server{
		opts:     opts,
		users:    map[string]User{},
		channels: map[string]*channel{},
		faults:   map[string][]Fault{},
		pending:  map[string]*envelope{},
		httpSent: map[string]httpEvent{},
		appURL:   strings.TrimSuffix(opts.AppURL, "/"),
	}
	s.users[opts.BotUserID] = User{ID: opts.BotUserID, Team: opts.HomeTeam, Name: "openear", IsBot: true}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/link", s.serveLink)
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the fake's base URL; the Web API is at URL()+"/api/".
func (s *Server) URL() string { return s.srv.URL }

// Options returns the options in force (defaults filled in).
func (s *Server) Options() Options { return s.opts }

// SetAppURL sets where HTTP deliveries go ("" = nowhere).
func (s *Server) SetAppURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appURL = strings.TrimSuffix(u, "/")
}

// Close drops every socket, stops redeliveries and shuts the server down.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for _, e := range s.pending {
		if e.timer != nil {
			e.timer.Stop()
		}
	}
	socks := s.takeSocketsLocked()
	s.mu.Unlock()
	for _, k := range socks {
		k.close()
	}
	s.srv.CloseClientConnections()
	s.srv.Close()
	s.wg.Wait()
}

// notifyLocked wakes WaitFor callers. s.mu must be held.
func (s *Server) notifyLocked() { s.changes.Notify() }

// WaitFor waits until cond returns true, re-checking it after every change
// of the fake's state (and every 50 ms); it returns ctx's error if ctx ends
// first. cond must not call WaitFor.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	return s.changes.Wait(ctx, cond)
}

// AddUser adds a user of team (the home team or a Slack Connect partner).
func (s *Server) AddUser(id, team, name string, isBot bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[id] = User{ID: id, Team: team, Name: name, IsBot: isBot}
}

// AddChannel adds a channel. Channels starting with "D" are DMs.
func (s *Server) AddChannel(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channelLocked(id).name = name
}

// channelLocked returns the channel, creating it. s.mu must be held.
func (s *Server) channelLocked(id string) *channel {
	c := s.channels[id]
	if c == nil {
		c = &channel{id: id, name: strings.ToLower(id), im: strings.HasPrefix(id, "D")}
		s.channels[id] = c
	}
	return c
}

// nextTSLocked returns a new, strictly increasing ts. s.mu must be held.
func (s *Server) nextTSLocked() string {
	now := time.Now().UnixMicro()
	if now <= s.lastTS {
		now = s.lastTS + 1
	}
	s.lastTS = now
	return fmt.Sprintf("%d.%06d", now/1e6, now%1e6)
}

func (s *Server) nextIDLocked(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%08d", prefix, s.seq)
}

// appendLocked records m in its channel's history. s.mu must be held.
func (s *Server) appendLocked(m *Message) {
	c := s.channelLocked(m.Channel)
	// Messages mostly arrive in ts order: insert after every message not
	// newer (a search, not a sort of the whole history per message).
	i := sort.Search(len(c.msgs), func(i int) bool { return tsLess(m.TS, c.msgs[i].TS) })
	c.msgs = slices.Insert(c.msgs, i, m)
	s.notifyLocked()
}

func (s *Server) findLocked(channel, ts string) *Message {
	c := s.channels[channel]
	if c == nil {
		return nil
	}
	for _, m := range c.msgs {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

// tsLess orders Slack ts values.
func tsLess(a, b string) bool {
	ai, af, _ := strings.Cut(a, ".")
	bi, bf, _ := strings.Cut(b, ".")
	if len(ai) != len(bi) {
		return len(ai) < len(bi)
	}
	if ai != bi {
		return ai < bi
	}
	return af < bf
}

// Messages returns a copy of a channel's history, oldest first, thread
// replies included.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[channel]
	if c == nil {
		return nil
	}
	out := make([]Message, len(c.msgs))
	for i, m := range c.msgs {
		out[i] = *m
	}
	return out
}

// Calls returns the Web API calls of a method ("" = all), oldest first.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Acks returns the Socket Mode acknowledgements received, oldest first.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ack(nil), s.acks...)
}

// Acked reports whether an envelope was acknowledged.
func (s *Server) Acked(envelopeID string) bool {
	for _, a := range s.Acks() {
		if a.EnvelopeID == envelopeID {
			return true
		}
	}
	return false
}

// Deliveries returns every delivery attempt, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.delivered...)
}

// Reactions returns the reactions added, oldest first.
func (s *Server) Reactions() []Reaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Reaction(nil), s.reactions...)
}

// Ephemerals returns the chat.postEphemeral messages, oldest first.
func (s *Server) Ephemerals() []Ephemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ephemeral(nil), s.ephemeral...)
}

// FailNext makes the next n calls of a Web API method fail with kind.
func (s *Server) FailNext(method string, n int, kind Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], kind)
	}
}

// SetDown makes every Web API call answer 503 while down is true.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Permalink builds the permalink Slack gives for a message.
func (s *Server) Permalink(channel, ts, threadTS string) string {
	u := fmt.Sprintf("https://%s.slack.com/archives/%s/p%s", s.opts.Domain, channel, strings.Replace(ts, ".", "", 1))
	if threadTS != "" && threadTS != ts {
		u += "?thread_ts=" + threadTS + "&cid=" + channel
	}
	return u
}
