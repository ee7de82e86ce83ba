package discordfake

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/openear/openear/adapters/internal/changes"
)

// Options configure a fake Discord. The zero value is usable: defaults
// are filled in by New.
type Options struct {
	// Token is the bot token the client must present ("Bot <Token>" on
	// REST, the bare token in IDENTIFY). Default "test-token".
	Token string
	// BotID is the bot user's id (and the application id). Default
	// "100000000000000001".
	BotID string
	// BotName is the bot user's name. Default "openear".
	BotName string
	// HeartbeatInterval sent in HELLO. Default 41.25 s; never below 2 s
	// (shorter breaks discordgo's reconnect logic).
	HeartbeatInterval time.Duration
	// MessageContentDisabled models the Developer Portal switch of the
	// privileged Message Content intent being off: an IDENTIFY asking for
	// it is closed with 4014 (Disallowed intent(s)), as Discord does.
	MessageContentDisabled bool
	// NotInvited models a bot nobody has invited to a server yet: READY
	// lists no guild, no GUILD_CREATE follows, nothing of a guild is
	// dispatched, and REST calls about a guild's channels and members
	// answer 403 Missing Access — until Invite, which adds the bot to
	// every guild (GUILD_CREATE each), as opening the invite URL does.
	NotInvited bool
	// RequireMessageContent also closes with 4014 an IDENTIFY that does
	// not ask for the Message Content intent (stricter than Discord, which
	// would deliver guild messages with empty content; without this option
	// the fake blanks the content in that case, as Discord does).
	RequireMessageContent bool
	// PostLimit limits new messages per channel (429 with a JSON
	// retry_after past it, and Discord's X-RateLimit headers on every
	// post); the zero value means no limit. DiscordPostLimit is Discord's.
	PostLimit PostLimit
	// Now is the fake's clock for the gateway's timing rules (an IDENTIFY
	// at least 1 s after op 9), so that tests need not wait for real.
	// Nil: time.Now.
	Now func() time.Time
}

// FaultKind is a kind of injected REST failure.
type FaultKind int

const (
	// RateLimit answers 429 with Discord's JSON body (retry_after 0.05 s)
	// and rate-limit headers.
	RateLimit FaultKind = iota
	// ServerError answers 500.
	ServerError
	// NotFound answers 404 (Unknown Channel).
	NotFound
	// Forbidden answers 403 (Missing Access).
	Forbidden
)

// Call is one recorded REST request.
type Call struct {
	Method string
	Path   string // below /api/v9, e.g. "/channels/222/messages"
	Query  string
	Body   []byte
	Status int
}

// Route is "METHOD /path", used for filtering and fault matching.
func (c Call) Route() string { return c.Method + " " + c.Path }

// Button is a button of a message's components.
type Button struct {
	Label    string `json:"label"`
	CustomID string `json:"custom_id"`
	Style    int    `json:"style"`
}

// Message is a stored message.
type Message struct {
	ID        string
	ChannelID string
	GuildID   string
	AuthorID  string
	Bot       bool
	WebhookID string
	Content   string
	ReplyTo   string // message_reference.message_id
	Embeds    []*discordgo.MessageEmbed
	// Components is the raw components JSON the bot sent; Buttons the
	// buttons found in it.
	Components json.RawMessage
	Buttons    []Button
	// AllowedMentions is what the bot set (nil when it set nothing).
	AllowedMentions *discordgo.MessageAllowedMentions
	// Flags are the message's flags as the bot set them (4: no embeds).
	Flags     int
	Edits     int
	Reactions []string  // "userID:emoji"
	At        time.Time // when the fake stored it
}

// Response is one answer of the bot to an interaction.
type Response struct {
	// Kind is "callback" (POST /interactions/.../callback), "edit"
	// (PATCH @original) or "followup".
	Kind    string
	Type    int // callback type (4 message, 5 deferred, 6 deferred update…)
	Content string
	Flags   int
	Embeds  []*discordgo.MessageEmbed
	// CustomID and Title are a modal's (type 9).
	CustomID string
	Title    string
	At       time.Time
}

// Identify is a recorded IDENTIFY.
type Identify struct {
	Token   string
	Intents discordgo.Intent
}

type guild struct {
	id      string
	members map[string]*member
	roles   map[string]bool
}

type member struct {
	user  string
	roles []string
	nick  string
}

type user struct {
	id, name string
	bot      bool
}

type channel struct {
	id, guild, parent string
	name              string // "" shows as "ch-<id>"
	kind              discordgo.ChannelType
	recipient         string // DM
	msgs              []*Message
	archived          bool      // a thread, archived
	archivedAt        time.Time // when its archive status last changed
}

type interaction struct {
	id, token, channel, guild, user string
	created                         time.Time
	responses                       []Response
	acked                           bool
	modal                           string // the custom id of the modal it answered with
	submitted                       bool   // that modal was submitted
}

type fault struct {
	route string
	n     int
	kind  FaultKind
}

// Server is a fake Discord. All methods are safe for concurrent use.
type Server struct {
	opts      Options
	srv       *httptest.Server
	wsURL     string
	resumeURL string // READY's resume_gateway_url

	mu           sync.Mutex
	changes      changes.Signal // wakes WaitFor
	lastID       uint64
	guilds       map[string]*guild
	channels     map[string]*channel
	users        map[string]*user
	dms          map[string]string // user -> DM channel
	interactions map[string]*interaction
	commands     map[string][]*discordgo.ApplicationCommand // "" = global, else guild
	invited      bool                                       // the bot is in the guilds (Options.NotInvited)
	faults       []*fault
	windows      map[string]*window // PostLimit, per channel
	limited      int                // posts refused by PostLimit
	calls        []Call
	identifies   []Identify
	resumes      int
	ended        int       // sessions the client ended (close 1000/1001)
	invalidAt    time.Time // last op 9 sent; zero once a client identified
	violations   []string
	sess         *session
	conns        map[*conn]bool
	closed       bool
	wg           sync.WaitGroup // websocket handlers and writers
}

// New starts a fake Discord.
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = "test-token"
	}
	if opts.BotID == "" {
		opts.BotID = "100000000000000001"
	}
	if opts.BotName == "" {
		opts.BotName = "openear"
	}
	if opts.HeartbeatInterval == 0 {
		opts.HeartbeatInterval = 41250 * time.Millisecond
	}
	if opts.HeartbeatInterval < 2*time.Second {
		opts.HeartbeatInterval = 2 * time.Second
	}
	s := &Server{
		opts:         opts,
		guilds:       map[string]*guild{},
		channels:     map[string]*channel{},
		users:        map[string]*user{opts.BotID: {id: opts.BotID, name: opts.BotName, bot: true}},
		dms:          map[string]string{},
		interactions: map[string]*interaction{},
		commands:     map[string][]*discordgo.ApplicationCommand{},
		conns:        map[*conn]bool{},
		invited:      !opts.NotInvited,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v9/", s.serveREST)
	mux.HandleFunc("/gateway", s.serveGateway)
	mux.HandleFunc("/gateway/", s.serveGateway)
	mux.HandleFunc("/resume", s.serveResume)
	mux.HandleFunc("/resume/", s.serveResume)
	s.srv = httptest.NewServer(mux)
	s.wsURL = "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/gateway"
	s.resumeURL = "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/resume"
	return s
}

func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// URL is the fake's base URL (http://127.0.0.1:port).
func (s *Server) URL() string { return s.srv.URL }

// GatewayURL is the websocket URL GET /gateway hands out.
func (s *Server) GatewayURL() string { return s.wsURL }

// ResumeURL is the resume_gateway_url READY hands out: a RESUME is
// accepted only there.
func (s *Server) ResumeURL() string { return s.resumeURL }

// Options returns the options in effect (defaults filled in).
func (s *Server) Options() Options { return s.opts }

// Close closes every gateway connection, waits for the fake's goroutines
// and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.shut()
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.srv.Close()
}

// touch wakes WaitFor. Called with mu held.
func (s *Server) touch() { s.changes.Notify() }

// WaitFor waits until pred returns true, re-evaluating it after every
// change of the fake (a call, a message, a response, a connection). pred
// may call the Server's methods.
func (s *Server) WaitFor(ctx context.Context, pred func() bool) error {
	return s.changes.Wait(ctx, pred)
}

// newID returns a fresh snowflake for now, strictly increasing. Called
// with mu held.
func (s *Server) newID() string {
	ms := uint64(time.Now().UnixMilli() - 1420070400000)
	id := ms << 22
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return strconv.FormatUint(id, 10)
}

// AddGuild adds a guild (and dispatches GUILD_CREATE when a session is up).
func (s *Server) AddGuild(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.guilds[id] == nil {
		s.guilds[id] = &guild{id: id, members: map[string]*member{}, roles: map[string]bool{}}
	}
	s.dispatch("GUILD_CREATE", s.guildJSON(s.guilds[id]))
	s.touch()
}

// Invite adds the bot to every guild, as a server admin opening the
// invite URL does: a GUILD_CREATE for each is dispatched on the session.
// It matters only with Options.NotInvited.
func (s *Server) Invite() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.invited {
		return
	}
	s.invited = true
	for _, g := range s.sortedGuilds() {
		s.dispatch("GUILD_CREATE", s.guildJSON(g))
	}
	s.touch()
}

// outside reports whether a channel belongs to a guild the bot is not in.
// Called with mu held.
func (s *Server) outside(channelID string) bool {
	c := s.channels[channelID]
	return !s.invited && c != nil && c.guild != ""
}

func (s *Server) guildOf(id string) *guild {
	g := s.guilds[id]
	if g == nil {
		g = &guild{id: id, members: map[string]*member{}, roles: map[string]bool{}}
		s.guilds[id] = g
	}
	return g
}

// AddChannel adds a text channel to a guild (creating the guild if needed).
func (s *Server) AddChannel(guildID, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guildOf(guildID)
	s.channels[id] = &channel{id: id, guild: guildID, kind: discordgo.ChannelTypeGuildText}
	s.touch()
}

// AddThread adds a public thread under parent and dispatches THREAD_CREATE.
func (s *Server) AddThread(parent, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.channels[parent]
	g := ""
	if p != nil {
		g = p.guild
	}
	c := &channel{id: id, guild: g, parent: parent, kind: discordgo.ChannelTypeGuildPublicThread}
	s.channels[id] = c
	s.dispatch("THREAD_CREATE", s.channelJSON(c))
	s.touch()
}

// ArchiveThread archives a thread (as Discord does after its inactivity
// period) and dispatches THREAD_UPDATE. A message posted in it later
// unarchives it.
func (s *Server) ArchiveThread(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[id]
	if c == nil || c.parent == "" {
		panic("discordfake: ArchiveThread of unknown thread " + id)
	}
	c.archived, c.archivedAt = true, time.Now()
	s.dispatch("THREAD_UPDATE", s.channelJSON(c))
	s.touch()
}

// AddMember adds a user to a guild with roles; bot marks a bot account.
func (s *Server) AddMember(guildID, userID, name string, roles []string, bot bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guildOf(guildID)
	g.members[userID] = &member{user: userID, roles: append([]string(nil), roles...)}
	for _, r := range roles {
		g.roles[r] = true
	}
	s.users[userID] = &user{id: userID, name: name, bot: bot}
	s.touch()
}

// SetChannelName names a channel (as Discord shows it: "acme-support").
func (s *Server) SetChannelName(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.channels[id]; c != nil {
		c.name = name
	}
	s.touch()
}

// SetNick sets a member's nickname in a guild.
func (s *Server) SetNick(guildID, userID, nick string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.guildOf(guildID).members[userID]; m != nil {
		m.nick = nick
	}
	s.touch()
}

// SubmitModal submits the modal an interaction was answered with, as
// the user it was shown to, with the values of its text inputs (custom
// id -> value): INTERACTION_CREATE of type 5. It returns the new
// interaction's id.
func (s *Server) SubmitModal(interactionID string, values map[string]string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.interactions[interactionID]
	if in == nil || in.modal == "" || in.submitted {
		return "", fmt.Errorf("discordfake: interaction %s opened no modal", interactionID)
	}
	in.submitted = true
	rows := []map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		rows = append(rows, map[string]any{"type": int(discordgo.ActionsRowComponent), "components": []map[string]any{
			{"type": int(discordgo.TextInputComponent), "custom_id": k, "value": values[k]}}})
	}
	data := map[string]any{"custom_id": in.modal, "components": rows}
	return s.interact(in.guild, in.channel, in.user, discordgo.InteractionModalSubmit, data, nil), nil
}

func (s *Server) userOf(id string) *user {
	u := s.users[id]
	if u == nil {
		u = &user{id: id, name: "user" + id}
		s.users[id] = u
	}
	return u
}

// DMChannel returns the DM channel between the bot and userID, creating
// it if needed.
func (s *Server) DMChannel(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dmChannel(userID)
}

func (s *Server) dmChannel(userID string) string {
	if id, ok := s.dms[userID]; ok {
		return id
	}
	id := s.newID()
	s.channels[id] = &channel{id: id, kind: discordgo.ChannelTypeDM, recipient: userID}
	s.dms[userID] = id
	s.userOf(userID)
	return id
}

// Post stores a message by userID in channel (a reply to replyTo when set)
// and dispatches MESSAGE_CREATE. The channel must exist (AddChannel,
// AddThread or DMChannel).
func (s *Server) Post(channelID, userID, text, replyTo string) Message {
	return s.post(channelID, userID, text, replyTo, "", true)
}

// PostQuiet stores a message without dispatching it: a message the bot
// missed while it was away, for backfill tests.
func (s *Server) PostQuiet(channelID, userID, text, replyTo string) Message {
	return s.post(channelID, userID, text, replyTo, "", false)
}

// PostWebhook stores and dispatches a message sent through a webhook.
func (s *Server) PostWebhook(channelID, webhookID, text string) Message {
	return s.post(channelID, webhookID, text, "", webhookID, true)
}

func (s *Server) post(channelID, userID, text, replyTo, webhook string, live bool) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[channelID]
	if c == nil {
		panic("discordfake: Post to unknown channel " + channelID)
	}
	if c.archived {
		// A message in an archived thread unarchives it, as on Discord.
		c.archived, c.archivedAt = false, time.Now()
		s.dispatch("THREAD_UPDATE", s.channelJSON(c))
	}
	u := s.userOf(userID)
	m := &Message{ID: s.newID(), ChannelID: channelID, GuildID: c.guild, AuthorID: userID,
		Bot: u.bot || webhook != "", WebhookID: webhook, Content: text, ReplyTo: replyTo, At: time.Now()}
	c.msgs = append(c.msgs, m)
	if live {
		s.dispatch("MESSAGE_CREATE", s.messageJSON(m, true))
	}
	s.touch()
	return *m
}

// Edit changes a message's text and dispatches MESSAGE_UPDATE.
func (s *Server) Edit(channelID, msgID, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.message(channelID, msgID)
	if m == nil {
		panic("discordfake: Edit of unknown message " + msgID)
	}
	m.Content = text
	m.Edits++
	s.dispatch("MESSAGE_UPDATE", s.messageJSON(m, true))
	s.touch()
}

func (s *Server) message(channelID, msgID string) *Message {
	c := s.channels[channelID]
	if c == nil {
		return nil
	}
	for _, m := range c.msgs {
		if m.ID == msgID {
			return m
		}
	}
	return nil
}

// React adds userID's reaction emoji (a unicode emoji name such as "👀")
// to a message and dispatches MESSAGE_REACTION_ADD.
func (s *Server) React(channelID, msgID, userID, emoji string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.react(channelID, msgID, userID, emoji)
	s.touch()
}

func (s *Server) react(channelID, msgID, userID, emoji string) {
	c := s.channels[channelID]
	if m := s.message(channelID, msgID); m != nil {
		m.Reactions = append(m.Reactions, userID+":"+emoji)
	}
	d := map[string]any{
		"user_id": userID, "channel_id": channelID, "message_id": msgID,
		"emoji": map[string]any{"id": nil, "name": emoji},
	}
	if c != nil && c.guild != "" {
		d["guild_id"] = c.guild
		mj := s.memberJSON(c.guild, userID)
		mj["user"] = s.userJSON(userID)
		d["member"] = mj
	}
	s.dispatch("MESSAGE_REACTION_ADD", d)
}

// SlashCommand dispatches INTERACTION_CREATE (type 2) for a chat command
// run by userID in channel (guild "" for a DM). name is the command, with
// its subcommand after a space ("openear claim"); options are typed from
// the command the bot registered (USER options carry a user id, others are
// strings). It returns the interaction id.
func (s *Server) SlashCommand(guildID, channelID, userID, name string, options map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd, sub, _ := strings.Cut(name, " ")
	def := s.commandDef(guildID, cmd)
	opts := typedOptions(def, sub, options)
	if sub != "" {
		opts = []map[string]any{{"name": sub, "type": int(discordgo.ApplicationCommandOptionSubCommand), "options": opts}}
	}
	data := map[string]any{"id": s.newID(), "name": cmd, "type": int(discordgo.ChatApplicationCommand), "options": opts}
	return s.interact(guildID, channelID, userID, discordgo.InteractionApplicationCommand, data, nil)
}

// Click dispatches INTERACTION_CREATE (type 3) for a press by userID on
// the button customID of message msgID, and returns the interaction id.
func (s *Server) Click(channelID, msgID, userID, customID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[channelID]
	g := ""
	if c != nil {
		g = c.guild
	}
	data := map[string]any{"custom_id": customID, "component_type": int(discordgo.ButtonComponent)}
	msg := map[string]any{"id": msgID, "channel_id": channelID}
	if m := s.message(channelID, msgID); m != nil {
		msg = s.messageJSON(m, false)
	}
	return s.interact(g, channelID, userID, discordgo.InteractionMessageComponent, data, msg)
}

func (s *Server) interact(guildID, channelID, userID string, typ discordgo.InteractionType, data, msg map[string]any) string {
	in := &interaction{id: s.newID(), token: "itok-" + s.newID(), channel: channelID, guild: guildID, user: userID, created: time.Now()}
	s.interactions[in.id] = in
	d := map[string]any{
		"id": in.id, "application_id": s.opts.BotID, "type": int(typ), "data": data,
		"channel_id": channelID, "token": in.token, "version": 1, "locale": "en-US",
	}
	if msg != nil {
		d["message"] = msg
	}
	if guildID != "" {
		d["guild_id"] = guildID
		mj := s.memberJSON(guildID, userID)
		mj["user"] = s.userJSON(userID)
		d["member"] = mj
	} else {
		d["user"] = s.userJSON(userID)
	}
	s.dispatch("INTERACTION_CREATE", d)
	s.touch()
	return in.id
}

func (s *Server) commandDef(guildID, name string) *discordgo.ApplicationCommand {
	for _, scope := range []string{guildID, ""} {
		for _, c := range s.commands[scope] {
			if c.Name == name {
				return c
			}
		}
	}
	return nil
}

func typedOptions(def *discordgo.ApplicationCommand, sub string, options map[string]string) []map[string]any {
	var defs []*discordgo.ApplicationCommandOption
	if def != nil {
		defs = def.Options
		if sub != "" {
			defs = nil
			for _, o := range def.Options {
				if o.Name == sub {
					defs = o.Options
				}
			}
		}
	}
	names := make([]string, 0, len(options))
	for k := range options {
		names = append(names, k)
	}
	sort.Strings(names)
	out := []map[string]any{}
	for _, k := range names {
		typ := discordgo.ApplicationCommandOptionString
		for _, o := range defs {
			if o.Name == k {
				typ = o.Type
			}
		}
		var v any = options[k]
		switch typ {
		case discordgo.ApplicationCommandOptionInteger:
			n, _ := strconv.ParseInt(options[k], 10, 64)
			v = n
		case discordgo.ApplicationCommandOptionBoolean:
			v = options[k] == "true"
		}
		out = append(out, map[string]any{"name": k, "type": int(typ), "value": v})
	}
	return out
}

// FailNext makes the next n requests whose route ("METHOD /path" below
// /api/v9, e.g. "POST /channels/222/messages") starts with route fail with
// kind.
func (s *Server) FailNext(route string, n int, kind FaultKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{route: route, n: n, kind: kind})
}

// Calls returns the recorded REST calls whose route ("METHOD /path")
// starts with filter ("" for all).
func (s *Server) Calls(filter string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if strings.HasPrefix(c.Route(), filter) {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns the messages of a channel, oldest first.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[channelID]
	if c == nil {
		return nil
	}
	out := make([]Message, len(c.msgs))
	for i, m := range c.msgs {
		out[i] = *m
	}
	return out
}

// Responses returns the bot's responses to an interaction, in order.
func (s *Server) Responses(interactionID string) []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.interactions[interactionID]
	if in == nil {
		return nil
	}
	return append([]Response(nil), in.responses...)
}

// Commands returns the application commands registered for a guild ("" =
// global).
func (s *Server) Commands(guildID string) []*discordgo.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*discordgo.ApplicationCommand(nil), s.commands[guildID]...)
}

// Identifies returns the IDENTIFY payloads received, in order.
func (s *Server) Identifies() []Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Identify(nil), s.identifies...)
}

// Resumes counts the successful RESUMEs.
func (s *Server) Resumes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resumes
}

// Violations returns the gateway protocol mistakes the client made, in
// order: a RESUME elsewhere than at resume_gateway_url, an IDENTIFY
// sooner than 1 s after op 9. Each was also refused, as Discord would.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// SessionsEnded counts the sessions the client ended by closing with
// 1000 or 1001 (after which it can only IDENTIFY).
func (s *Server) SessionsEnded() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended
}

// Connected reports whether a client holds a live, identified or resumed
// gateway session.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sess != nil && s.sess.conn != nil && !s.sess.conn.closing
}
