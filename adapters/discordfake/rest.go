package discordfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// apiError is Discord's error body.
type apiError struct {
	status  int
	Message string `json:"message"`
	Code    int    `json:"code"`
}

var (
	errUnauthorized  = &apiError{http.StatusUnauthorized, "401: Unauthorized", 0}
	errUnknownRoute  = &apiError{http.StatusNotFound, "404: Not Found", 0}
	errUnknownChan   = &apiError{http.StatusNotFound, "Unknown Channel", 10003}
	errUnknownMsg    = &apiError{http.StatusNotFound, "Unknown Message", 10008}
	errUnknownInter  = &apiError{http.StatusNotFound, "Unknown interaction", 10062}
	errUnknownMember = &apiError{http.StatusNotFound, "Unknown Member", 10007}
	errUnknownGuild  = &apiError{http.StatusNotFound, "Unknown Guild", 10004}
	errAcked         = &apiError{http.StatusBadRequest, "Interaction has already been acknowledged.", 40060}
	errEmpty         = &apiError{http.StatusBadRequest, "Cannot send an empty message", 50006}
	errTooLong       = &apiError{http.StatusBadRequest, "Invalid Form Body (content: Must be 2000 or fewer in length.)", 50035}
	errNotAuthor     = &apiError{http.StatusForbidden, "Cannot edit a message authored by another user", 50005}
	errMissingAccess = &apiError{http.StatusForbidden, "Missing Access", 50001}
	errServer        = &apiError{http.StatusInternalServerError, "500: Internal Server Error", 0}
)

// interactionTimeout is how long an interaction accepts its first response.
const interactionTimeout = 3 * time.Second

func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	body, _ := io.ReadAll(r.Body)
	call := Call{Method: r.Method, Path: path, Query: r.URL.RawQuery, Body: body}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	var status int
	var out any
	pr := s.takePost(r, path, now)
	if pr != nil && pr.limited {
		status, out = http.StatusTooManyRequests, pr.body(now)
	} else {
		status, out = s.route(r, call, body)
	}
	call.Status = status
	s.calls = append(s.calls, call)
	s.touch()

	if pr != nil {
		pr.header(w.Header(), now)
	} else if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
		w.Header().Set("X-RateLimit-Limit", "5")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset-After", "0.05")
		w.Header().Set("X-RateLimit-Scope", "user")
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}

// route answers one REST call. Called with mu held.
func (s *Server) route(r *http.Request, call Call, body []byte) (int, any) {
	p := strings.Split(strings.Trim(call.Path, "/"), "/")
	tokenAuth := p[0] == "interactions" || (p[0] == "webhooks" && len(p) >= 3)
	if !tokenAuth && r.Header.Get("Authorization") != "Bot "+s.opts.Token {
		return fail(errUnauthorized)
	}
	if st, out, ok := s.fault(call.Route()); ok {
		return st, out
	}
	m, n := r.Method, len(p)
	switch {
	case m == "GET" && call.Path == "/gateway":
		return 200, map[string]any{"url": s.wsURL}
	case m == "GET" && call.Path == "/gateway/bot":
		return 200, map[string]any{"url": s.wsURL, "shards": 1, "session_start_limit": map[string]any{
			"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}}
	case m == "GET" && call.Path == "/users/@me":
		return 200, s.userJSON(s.opts.BotID)
	case m == "GET" && call.Path == "/users/@me/guilds":
		out := []map[string]any{}
		for _, g := range s.sortedGuilds() {
			if s.invited {
				out = append(out, map[string]any{"id": g.id, "name": "guild-" + g.id, "owner": false, "permissions": "0", "features": []string{}})
			}
		}
		return 200, out
	case m == "GET" && call.Path == "/oauth2/applications/@me":
		flags := 1 << 19 // GATEWAY_MESSAGE_CONTENT_LIMITED: the portal switch is on
		if s.opts.MessageContentDisabled {
			flags = 0
		}
		return 200, map[string]any{"id": s.opts.BotID, "name": s.opts.BotName, "description": "", "flags": flags,
			"bot_public": true, "bot_require_code_grant": false, "bot": s.userJSON(s.opts.BotID)}
	case (p[0] == "channels" && n >= 2 && s.outside(p[1])) || (p[0] == "guilds" && n >= 2 && !s.invited):
		return fail(errMissingAccess)
	case m == "POST" && call.Path == "/users/@me/channels":
		var req struct {
			RecipientID string `json:"recipient_id"`
		}
		_ = json.Unmarshal(body, &req)
		return 200, s.channelJSON(s.channels[s.dmChannel(req.RecipientID)])
	case p[0] == "channels" && n == 2 && m == "GET":
		c := s.channels[p[1]]
		if c == nil {
			return fail(errUnknownChan)
		}
		return 200, s.channelJSON(c)
	case p[0] == "channels" && n == 3 && p[2] == "messages" && m == "GET":
		return s.listMessages(p[1], r.URL.Query())
	case p[0] == "channels" && n == 3 && p[2] == "messages" && m == "POST":
		return s.createMessage(p[1], body)
	case p[0] == "channels" && n == 4 && p[2] == "messages" && m == "PATCH":
		return s.editMessage(p[1], p[3], body)
	case p[0] == "channels" && n == 7 && p[4] == "reactions" && p[6] == "@me" && m == "PUT":
		if s.message(p[1], p[3]) == nil {
			return fail(errUnknownMsg)
		}
		s.react(p[1], p[3], s.opts.BotID, p[5])
		return http.StatusNoContent, nil
	case p[0] == "guilds" && n == 4 && p[2] == "threads" && p[3] == "active" && m == "GET":
		return s.activeThreads(p[1])
	case p[0] == "channels" && n == 5 && p[2] == "threads" && p[3] == "archived" && p[4] == "public" && m == "GET":
		return s.archivedThreads(p[1], r.URL.Query())
	case p[0] == "guilds" && n == 4 && p[2] == "members" && m == "GET":
		g := s.guilds[p[1]]
		if g == nil || g.members[p[3]] == nil {
			return fail(errUnknownMember)
		}
		mj := s.memberJSON(p[1], p[3])
		mj["user"] = s.userJSON(p[3])
		return 200, mj
	case p[0] == "applications" && m == "PUT" && (n == 3 && p[2] == "commands" || n == 5 && p[2] == "guilds" && p[4] == "commands"):
		scope := ""
		if n == 5 {
			scope = p[3]
		}
		var cmds []*discordgo.ApplicationCommand
		if err := json.Unmarshal(body, &cmds); err != nil {
			return 400, &apiError{Message: "Invalid Form Body", Code: 50035}
		}
		for _, c := range cmds {
			c.ID, c.ApplicationID, c.GuildID = s.newID(), p[1], scope
		}
		s.commands[scope] = cmds
		return 200, cmds
	case p[0] == "interactions" && n == 4 && p[3] == "callback" && m == "POST":
		return s.callback(p[1], p[2], body)
	case p[0] == "webhooks" && n == 5 && p[3] == "messages" && p[4] == "@original" && m == "PATCH":
		return s.webhookMessage(p[2], "edit", body)
	case p[0] == "webhooks" && n == 3 && m == "POST":
		return s.webhookMessage(p[2], "followup", body)
	}
	return fail(errUnknownRoute)
}

func fail(e *apiError) (int, any) { return e.status, e }

// fault consumes an injected failure matching route. Called with mu held.
func (s *Server) fault(route string) (int, any, bool) {
	for i, f := range s.faults {
		if !strings.HasPrefix(route, f.route) {
			continue
		}
		f.n--
		if f.n <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		switch f.kind {
		case RateLimit:
			return http.StatusTooManyRequests, map[string]any{
				"message": "You are being rate limited.", "retry_after": 0.05, "global": false}, true
		case NotFound:
			st, out := fail(errUnknownChan)
			return st, out, true
		case Forbidden:
			st, out := fail(errMissingAccess)
			return st, out, true
		default:
			st, out := fail(errServer)
			return st, out, true
		}
	}
	return 0, nil, false
}

// later reports whether snowflake a is newer than b.
func later(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}

func (s *Server) listMessages(channelID string, q url.Values) (int, any) {
	c := s.channels[channelID]
	if c == nil {
		return fail(errUnknownChan)
	}
	limit := 50
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v > 0 {
		limit = min(v, 100)
	}
	var picked []*Message
	switch after, before := q.Get("after"), q.Get("before"); {
	case after != "":
		for _, m := range c.msgs { // oldest first: the limit messages just after
			if later(m.ID, after) && len(picked) < limit {
				picked = append(picked, m)
			}
		}
	default:
		for i := len(c.msgs) - 1; i >= 0 && len(picked) < limit; i-- {
			if before == "" || later(before, c.msgs[i].ID) {
				picked = append(picked, c.msgs[i])
			}
		}
	}
	sort.Slice(picked, func(i, j int) bool { return later(picked[i].ID, picked[j].ID) }) // newest first, as Discord
	out := make([]map[string]any, len(picked))
	for i, m := range picked {
		out[i] = s.messageJSON(m, false)
	}
	return 200, out
}

// activeThreads answers GET /guilds/{id}/threads/active: every active
// thread of the guild, in id order.
func (s *Server) activeThreads(guildID string) (int, any) {
	if s.guilds[guildID] == nil {
		return fail(errUnknownGuild)
	}
	threads := []map[string]any{}
	for _, c := range s.sortedChannels() {
		if c.guild == guildID && c.parent != "" && !c.archived {
			threads = append(threads, s.channelJSON(c))
		}
	}
	return 200, map[string]any{"threads": threads, "members": []any{}}
}

// archivedThreads answers GET /channels/{id}/threads/archived/public:
// the channel's archived threads archived before ?before (ISO 8601; now
// by default), latest archived first, at most ?limit (default 50).
func (s *Server) archivedThreads(channelID string, q url.Values) (int, any) {
	if s.channels[channelID] == nil {
		return fail(errUnknownChan)
	}
	before := time.Now().Add(time.Hour)
	if v := q.Get("before"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return 400, &apiError{Message: "Invalid Form Body (before)", Code: 50035}
		}
		before = t
	}
	limit := 50
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v >= 2 && v <= 100 {
		limit = v
	}
	var picked []*channel
	for _, c := range s.sortedChannels() {
		if c.parent == channelID && c.archived && c.archivedAt.Before(before) {
			picked = append(picked, c)
		}
	}
	sort.SliceStable(picked, func(i, j int) bool { return picked[i].archivedAt.After(picked[j].archivedAt) })
	more := len(picked) > limit
	if more {
		picked = picked[:limit]
	}
	threads := make([]map[string]any, len(picked))
	for i, c := range picked {
		threads[i] = s.channelJSON(c)
	}
	return 200, map[string]any{"threads": threads, "members": []any{}, "has_more": more}
}

func (s *Server) sortedChannels() []*channel {
	out := make([]*channel, 0, len(s.channels))
	for _, c := range s.channels {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return later(out[j].id, out[i].id) })
	return out
}

type messageBody struct {
	Content          *string                           `json:"content"`
	Embeds           *[]*discordgo.MessageEmbed        `json:"embeds"`
	Components       json.RawMessage                   `json:"components"`
	AllowedMentions  *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	MessageReference *discordgo.MessageReference       `json:"message_reference"`
	Flags            int                               `json:"flags"`
}

func (s *Server) createMessage(channelID string, raw []byte) (int, any) {
	c := s.channels[channelID]
	if c == nil {
		return fail(errUnknownChan)
	}
	var b messageBody
	if err := json.Unmarshal(raw, &b); err != nil {
		return 400, &apiError{Message: "Invalid Form Body", Code: 50035}
	}
	m := &Message{ID: s.newID(), ChannelID: channelID, GuildID: c.guild, AuthorID: s.opts.BotID, Bot: true, At: time.Now()}
	if e := applyBody(m, b); e != nil {
		return fail(e)
	}
	if ref := b.MessageReference; ref != nil {
		if s.message(channelID, ref.MessageID) == nil && (ref.FailIfNotExists == nil || *ref.FailIfNotExists) {
			return 400, &apiError{Message: "Invalid Form Body (message_reference: Unknown message)", Code: 50035}
		}
		m.ReplyTo = ref.MessageID
	}
	if m.Content == "" && len(m.Embeds) == 0 {
		return fail(errEmpty)
	}
	c.msgs = append(c.msgs, m)
	s.dispatch("MESSAGE_CREATE", s.messageJSON(m, true))
	return 200, s.messageJSON(m, false)
}

func (s *Server) editMessage(channelID, msgID string, raw []byte) (int, any) {
	if s.channels[channelID] == nil {
		return fail(errUnknownChan)
	}
	m := s.message(channelID, msgID)
	if m == nil {
		return fail(errUnknownMsg)
	}
	if m.AuthorID != s.opts.BotID {
		return fail(errNotAuthor)
	}
	var b messageBody
	if err := json.Unmarshal(raw, &b); err != nil {
		return 400, &apiError{Message: "Invalid Form Body", Code: 50035}
	}
	if e := applyBody(m, b); e != nil {
		return fail(e)
	}
	m.Edits++
	s.dispatch("MESSAGE_UPDATE", s.messageJSON(m, true))
	return 200, s.messageJSON(m, false)
}

// applyBody sets the fields present in b on m, or changes nothing and
// returns what Discord would refuse.
func applyBody(m *Message, b messageBody) *apiError {
	if b.Embeds != nil {
		if err := checkEmbeds(*b.Embeds); err != nil {
			return &apiError{http.StatusBadRequest, "Invalid Form Body (embeds: " + err.Error() + ")", 50035}
		}
	}
	if err := checkComponents(b.Components); err != nil {
		return &apiError{http.StatusBadRequest, "Invalid Form Body (components: " + err.Error() + ")", 50035}
	}
	if b.Content != nil && len([]rune(*b.Content)) > 2000 {
		return errTooLong
	}
	if b.Content != nil {
		m.Content = *b.Content
	}
	if b.Embeds != nil {
		m.Embeds = *b.Embeds
	}
	if len(b.Components) > 0 && string(b.Components) != "null" {
		m.Components = append(json.RawMessage(nil), b.Components...)
		m.Buttons = buttons(b.Components)
	}
	if b.AllowedMentions != nil {
		m.AllowedMentions = b.AllowedMentions
	}
	if b.Flags != 0 {
		m.Flags = b.Flags
	}
	return nil
}

func buttons(raw json.RawMessage) []Button {
	var rows []struct {
		Components []struct {
			Type int `json:"type"`
			Button
		} `json:"components"`
	}
	_ = json.Unmarshal(raw, &rows)
	var out []Button
	for _, r := range rows {
		for _, c := range r.Components {
			if c.Type == int(discordgo.ButtonComponent) {
				out = append(out, c.Button)
			}
		}
	}
	return out
}

type responseBody struct {
	Content *string                    `json:"content"`
	Flags   int                        `json:"flags"`
	Embeds  *[]*discordgo.MessageEmbed `json:"embeds"`
}

func (r responseBody) response(kind string, typ int) Response {
	out := Response{Kind: kind, Type: typ, Flags: r.Flags, At: time.Now()}
	if r.Content != nil {
		out.Content = *r.Content
	}
	if r.Embeds != nil {
		out.Embeds = *r.Embeds
	}
	return out
}

func (s *Server) callback(id, token string, raw []byte) (int, any) {
	in := s.interactions[id]
	if in == nil || in.token != token {
		return fail(errUnknownInter)
	}
	if in.acked {
		return fail(errAcked)
	}
	if time.Since(in.created) > interactionTimeout {
		return fail(errUnknownInter)
	}
	var b struct {
		Type int          `json:"type"`
		Data responseBody `json:"data"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return 400, &apiError{Message: "Invalid Form Body", Code: 50035}
	}
	if b.Type == int(discordgo.InteractionResponseModal) {
		var m modalBody
		if err := json.Unmarshal(raw, &struct {
			Data *modalBody `json:"data"`
		}{&m}); err != nil {
			return 400, &apiError{Message: "Invalid Form Body", Code: 50035}
		}
		if err := checkModal(m); err != nil {
			return 400, &apiError{Message: "Invalid Form Body (data: " + err.Error() + ")", Code: 50035}
		}
		if in.modal != "" || in.submitted {
			// A modal cannot answer the submission of a modal.
			return 400, &apiError{Message: "Interaction cannot respond with a modal", Code: 50035}
		}
		in.modal = m.CustomID
		r := b.Data.response("modal", b.Type)
		r.CustomID, r.Title = m.CustomID, m.Title
		in.acked = true
		in.responses = append(in.responses, r)
		return http.StatusNoContent, nil
	}
	in.acked = true
	in.responses = append(in.responses, b.Data.response("callback", b.Type))
	return http.StatusNoContent, nil
}

func (s *Server) webhookMessage(token, kind string, raw []byte) (int, any) {
	var in *interaction
	for _, x := range s.interactions {
		if x.token == token {
			in = x
		}
	}
	if in == nil || !in.acked {
		return fail(errUnknownInter)
	}
	var b responseBody
	if err := json.Unmarshal(raw, &b); err != nil {
		return 400, &apiError{Message: "Invalid Form Body", Code: 50035}
	}
	in.responses = append(in.responses, b.response(kind, 0))
	m := &Message{ID: s.newID(), ChannelID: in.channel, AuthorID: s.opts.BotID, Bot: true}
	if b.Content != nil {
		m.Content = *b.Content
	}
	return 200, s.messageJSON(m, false)
}

func (s *Server) sortedGuilds() []*guild {
	out := make([]*guild, 0, len(s.guilds))
	for _, g := range s.guilds {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func (s *Server) userJSON(id string) map[string]any {
	u := s.userOf(id)
	return map[string]any{"id": u.id, "username": u.name, "global_name": u.name, "discriminator": "0", "bot": u.bot}
}

// memberJSON is a guild member without its user (as in MESSAGE_CREATE).
func (s *Server) memberJSON(guildID, userID string) map[string]any {
	roles := []string{}
	if g := s.guilds[guildID]; g != nil && g.members[userID] != nil {
		roles = append(roles, g.members[userID].roles...)
	}
	d := map[string]any{"roles": roles, "joined_at": "2024-01-01T00:00:00Z", "deaf": false, "mute": false}
	if g := s.guilds[guildID]; g != nil && g.members[userID] != nil && g.members[userID].nick != "" {
		d["nick"] = g.members[userID].nick
	}
	return d
}

func (s *Server) channelJSON(c *channel) map[string]any {
	name := c.name
	if name == "" {
		name = "ch-" + c.id
	}
	d := map[string]any{"id": c.id, "type": int(c.kind), "name": name}
	if c.guild != "" {
		d["guild_id"] = c.guild
	}
	if c.parent != "" {
		d["parent_id"] = c.parent
		at := c.archivedAt
		if at.IsZero() {
			at, _ = discordgo.SnowflakeTimestamp(c.id)
		}
		d["thread_metadata"] = map[string]any{"archived": c.archived, "auto_archive_duration": 1440,
			"archive_timestamp": at.UTC().Format(time.RFC3339Nano), "locked": false}
	}
	if n := len(c.msgs); n > 0 {
		d["last_message_id"] = c.msgs[n-1].ID
	}
	if c.recipient != "" {
		d["recipients"] = []any{s.userJSON(c.recipient)}
	}
	return d
}

func (s *Server) guildJSON(g *guild) map[string]any {
	roles := []map[string]any{{"id": g.id, "name": "@everyone"}}
	var roleIDs []string
	for r := range g.roles {
		roleIDs = append(roleIDs, r)
	}
	sort.Strings(roleIDs)
	for _, r := range roleIDs {
		roles = append(roles, map[string]any{"id": r, "name": "role-" + r})
	}
	members, channels, threads := []any{}, []any{}, []any{}
	var uids []string
	for u := range g.members {
		uids = append(uids, u)
	}
	sort.Strings(uids)
	for _, u := range uids {
		mj := s.memberJSON(g.id, u)
		mj["user"] = s.userJSON(u)
		members = append(members, mj)
	}
	var cids []string
	for id, c := range s.channels {
		if c.guild == g.id {
			cids = append(cids, id)
		}
	}
	sort.Strings(cids)
	for _, id := range cids {
		c := s.channels[id]
		if c.parent != "" {
			if !c.archived { // GUILD_CREATE lists the active threads
				threads = append(threads, s.channelJSON(c))
			}
		} else {
			channels = append(channels, s.channelJSON(c))
		}
	}
	return map[string]any{"id": g.id, "name": "guild-" + g.id, "unavailable": false, "roles": roles,
		"members": members, "channels": channels, "threads": threads, "member_count": len(members)}
}

// messageJSON renders a message; live adds guild_id and member, as in a
// gateway MESSAGE_CREATE (REST message objects carry neither).
func (s *Server) messageJSON(m *Message, live bool) map[string]any {
	author := s.userJSON(m.AuthorID)
	if m.WebhookID != "" {
		author = map[string]any{"id": m.WebhookID, "username": "webhook", "bot": true}
	}
	ts := discordgo.SnowflakeTimestamp
	at, _ := ts(m.ID)
	d := map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "author": author, "content": m.Content,
		"timestamp": at.UTC().Format(time.RFC3339Nano), "type": 0, "tts": false,
		"mentions": []any{}, "mention_roles": []any{}, "attachments": []any{}, "embeds": []any{},
	}
	if m.Edits > 0 {
		d["edited_timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
	}
	if len(m.Embeds) > 0 {
		d["embeds"] = m.Embeds
	}
	if len(m.Components) > 0 {
		d["components"] = m.Components
	}
	if m.WebhookID != "" {
		d["webhook_id"] = m.WebhookID
	}
	if m.ReplyTo != "" {
		d["type"] = int(discordgo.MessageTypeReply)
		d["message_reference"] = map[string]any{"message_id": m.ReplyTo, "channel_id": m.ChannelID, "guild_id": m.GuildID}
	}
	if live && m.GuildID != "" {
		d["guild_id"] = m.GuildID
		if m.WebhookID == "" {
			d["member"] = s.memberJSON(m.GuildID, m.AuthorID)
		}
	}
	return d
}

// Transport returns an http.RoundTripper that sends requests for Discord's
// hosts (discord.com, discordapp.com, *.discord.gg and their subdomains) to
// the fake, and refuses any other host but the fake's own: a test using it
// cannot reach the network.
func (s *Server) Transport() http.RoundTripper {
	u, _ := url.Parse(s.srv.URL)
	return &rewriter{target: u, base: s.srv.Client().Transport}
}

type rewriter struct {
	target *url.URL
	base   http.RoundTripper
}

func (t *rewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	host := r.URL.Hostname()
	switch {
	case r.URL.Host == t.target.Host:
	case isDiscordHost(host):
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = t.target.Scheme, t.target.Host, ""
	default:
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("discordfake: refusing to reach %s (not Discord, not the fake)", r.URL.Host)
	}
	return t.base.RoundTrip(r)
}

func isDiscordHost(h string) bool {
	for _, d := range []string{"discord.com", "discordapp.com", "discord.gg"} {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

// modalBody is the data of a modal response (type 9).
type modalBody struct {
	CustomID   string `json:"custom_id"`
	Title      string `json:"title"`
	Components []struct {
		Type       int `json:"type"`
		Components []struct {
			Type      int    `json:"type"`
			CustomID  string `json:"custom_id"`
			Label     string `json:"label"`
			Style     int    `json:"style"`
			MaxLength int    `json:"max_length"`
		} `json:"components"`
	} `json:"components"`
}

// checkModal returns what Discord refuses in a modal: a custom id of 1
// to 100 characters, a title of 1 to 45, 1 to 5 action rows of one text
// input each, labels of 1 to 45 characters, styles 1 or 2, max_length
// at most 4000.
func checkModal(m modalBody) error {
	runes := func(s string) int { return len([]rune(s)) }
	switch {
	case m.CustomID == "" || runes(m.CustomID) > 100:
		return fmt.Errorf("custom_id %q", m.CustomID)
	case m.Title == "" || runes(m.Title) > 45:
		return fmt.Errorf("title %q", m.Title)
	case len(m.Components) == 0 || len(m.Components) > 5:
		return fmt.Errorf("%d rows", len(m.Components))
	}
	for i, row := range m.Components {
		if row.Type != int(discordgo.ActionsRowComponent) || len(row.Components) != 1 {
			return fmt.Errorf("row %d", i)
		}
		t := row.Components[0]
		if t.Type != int(discordgo.TextInputComponent) || t.CustomID == "" || t.Label == "" || runes(t.Label) > 45 ||
			(t.Style != 1 && t.Style != 2) || t.MaxLength > 4000 {
			return fmt.Errorf("row %d: text input", i)
		}
	}
	return nil
}
