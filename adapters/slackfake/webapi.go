package slackfake

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

type obj = map[string]any

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusOK, obj{"ok": false, "error": code})
}

func tokenEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// serveAPI answers /api/<method>.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	form, _ := url.ParseQuery(r.URL.RawQuery)
	var jsonBody []byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		jsonBody = body
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) == nil {
			for k, v := range m {
				var str string
				if json.Unmarshal(v, &str) == nil {
					form.Set(k, str)
				} else {
					form.Set(k, string(v)) // an object (a view) as its JSON
				}
			}
		}
	} else if bf, err := url.ParseQuery(string(body)); err == nil {
		for k, v := range bf {
			form[k] = v
		}
	}
	token := form.Get("token")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && token == "" {
		token = bearer
	}
	form.Del("token")

	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: method, Form: form, JSON: jsonBody, At: time.Now()})
	s.notifyLocked()
	down := s.down
	var fault Fault
	if f := s.faults[method]; len(f) > 0 {
		fault, s.faults[method] = f[0], f[1:]
	}
	s.mu.Unlock()
	if d := s.opts.Latency; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}

	switch {
	case down:
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	case fault == RateLimit:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "ratelimited", http.StatusTooManyRequests)
		return
	case fault == ServerError:
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	case fault == InvalidAuth:
		fail(w, "invalid_auth")
		return
	}

	want, scopes := s.opts.BotToken, s.scopeHeader()
	if method == "apps.connections.open" {
		want, scopes = s.opts.AppToken, "connections:write"
	}
	if token == "" {
		fail(w, "not_authed")
		return
	}
	if !tokenEqual(token, want) {
		fail(w, "invalid_auth")
		return
	}
	w.Header().Set("X-OAuth-Scopes", scopes)
	if need := neededScope(method, form); need != "" {
		w.Header().Set("X-Accepted-OAuth-Scopes", need)
		s.mu.Lock()
		ok := s.grantedLocked(need)
		s.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusOK, obj{"ok": false, "error": "missing_scope", "needed": need, "provided": scopes})
			return
		}
	}
	h, ok := map[string]func(http.ResponseWriter, url.Values){
		"auth.test":             s.authTest,
		"apps.connections.open": s.connectionsOpen,
		"chat.postMessage":      s.chatPostMessage,
		"chat.postEphemeral":    s.chatPostEphemeral,
		"chat.update":           s.chatUpdate,
		"chat.getPermalink":     s.chatGetPermalink,
		"reactions.add":         s.reactionsAdd,
		"conversations.history": s.conversationsHistory,
		"conversations.replies": s.conversationsReplies,
		"conversations.info":    s.conversationsInfo,
		"conversations.list":    s.conversationsList,
		"conversations.open":    s.conversationsOpen,
		"users.info":            s.usersInfo,
		"team.info":             s.teamInfo,
		"views.open":            s.viewsOpen,
	}[method]
	if !ok {
		fail(w, "unknown_method")
		return
	}
	h(w, form)
}

func (s *Server) authTest(w http.ResponseWriter, _ url.Values) {
	writeJSON(w, http.StatusOK, obj{
		"ok": true, "url": "https://" + s.opts.Domain + ".slack.com/",
		"team": "Home", "user": "openear",
		"team_id": s.opts.HomeTeam, "user_id": s.opts.BotUserID, "bot_id": s.opts.BotID,
	})
}

func (s *Server) connectionsOpen(w http.ResponseWriter, _ url.Values) {
	u := "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/link?ticket=" + strconv.FormatInt(time.Now().UnixNano(), 10)
	writeJSON(w, http.StatusOK, obj{"ok": true, "url": u})
}

// postableLocked reports whether the bot may post in a channel. s.mu must be held.
func (s *Server) postableLocked(id string) bool {
	_, ok := s.channels[id]
	return ok
}

func (s *Server) chatPostMessage(w http.ResponseWriter, f url.Values) {
	ch := f.Get("channel")
	s.mu.Lock()
	if !s.postableLocked(ch) {
		s.mu.Unlock()
		fail(w, "channel_not_found")
		return
	}
	if code := checkMessage(f.Get("text"), f.Get("blocks")); code != "" {
		s.mu.Unlock()
		fail(w, code)
		return
	}
	if wait := s.takePostLocked(ch, time.Now()); wait > 0 {
		s.limited++
		s.mu.Unlock()
		rateLimited(w, wait)
		return
	}
	m := s.recordLocked(&Message{Channel: ch, ThreadTS: f.Get("thread_ts"),
		User: s.opts.BotUserID, Team: s.opts.HomeTeam, BotID: s.opts.BotID,
		Text: f.Get("text"), Blocks: f.Get("blocks")})
	s.mu.Unlock()
	// Slack echoes the bot's own messages as events; the app must skip them.
	s.deliverMessage(m)
	writeJSON(w, http.StatusOK, obj{"ok": true, "channel": ch, "ts": m.TS,
		"message": obj{"type": "message", "text": m.Text, "user": m.User, "bot_id": m.BotID, "ts": m.TS}})
}

func (s *Server) chatPostEphemeral(w http.ResponseWriter, f url.Values) {
	ch := f.Get("channel")
	s.mu.Lock()
	if !s.postableLocked(ch) {
		s.mu.Unlock()
		fail(w, "channel_not_found")
		return
	}
	s.ephemeral = append(s.ephemeral, Ephemeral{Channel: ch, User: f.Get("user"), Text: f.Get("text"), Blocks: f.Get("blocks")})
	ts := s.nextTSLocked()
	s.notifyLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, obj{"ok": true, "message_ts": ts})
}

func (s *Server) chatUpdate(w http.ResponseWriter, f url.Values) {
	ch, ts := f.Get("channel"), f.Get("ts")
	s.mu.Lock()
	if !s.postableLocked(ch) {
		s.mu.Unlock()
		fail(w, "channel_not_found")
		return
	}
	m := s.findLocked(ch, ts)
	if m == nil {
		s.mu.Unlock()
		fail(w, "message_not_found")
		return
	}
	if code := checkMessage(f.Get("text"), f.Get("blocks")); code != "" {
		s.mu.Unlock()
		fail(w, code)
		return
	}
	m.Text, m.Blocks, m.Edited = f.Get("text"), f.Get("blocks"), true
	s.notifyLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, obj{"ok": true, "channel": ch, "ts": ts, "text": f.Get("text")})
}

func (s *Server) chatGetPermalink(w http.ResponseWriter, f url.Values) {
	ch, ts := f.Get("channel"), f.Get("message_ts")
	s.mu.Lock()
	m := s.findLocked(ch, ts)
	s.mu.Unlock()
	if m == nil {
		fail(w, "message_not_found")
		return
	}
	writeJSON(w, http.StatusOK, obj{"ok": true, "channel": ch, "permalink": s.Permalink(ch, ts, m.ThreadTS)})
}

func (s *Server) reactionsAdd(w http.ResponseWriter, f url.Values) {
	ch, ts := f.Get("channel"), f.Get("timestamp")
	s.mu.Lock()
	if s.findLocked(ch, ts) == nil {
		s.mu.Unlock()
		fail(w, "message_not_found")
		return
	}
	s.reactions = append(s.reactions, Reaction{Channel: ch, TS: ts, User: s.opts.BotUserID, Name: f.Get("name")})
	s.notifyLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, obj{"ok": true})
}

// msgJSON renders a history entry as conversations.* return it.
func (s *Server) msgJSONLocked(c *channel, m *Message) obj {
	o := obj{"type": "message", "ts": m.TS, "text": m.Text}
	if m.User != "" {
		o["user"] = m.User
	}
	if m.Team != "" {
		o["team"] = m.Team
		o["user_team"] = m.Team
	}
	if m.Subtype != "" {
		o["subtype"] = m.Subtype
	}
	if m.BotID != "" {
		o["bot_id"] = m.BotID
	}
	if m.ThreadTS != "" {
		o["thread_ts"] = m.ThreadTS
	}
	if m.ThreadTS == m.TS {
		n, latest := 0, ""
		for _, r := range c.msgs {
			if r.ThreadTS == m.TS && r.TS != m.TS {
				n++
				latest = r.TS
			}
		}
		o["reply_count"] = n
		o["latest_reply"] = latest
	}
	if m.Blocks != "" {
		o["blocks"] = json.RawMessage(m.Blocks)
	}
	return o
}

// window selects messages by oldest/latest/inclusive, as Slack does.
func window(f url.Values, ts string) bool {
	incl := f.Get("inclusive") == "1" || f.Get("inclusive") == "true"
	if o := f.Get("oldest"); o != "" && o != "0" {
		if tsLess(ts, o) || (!incl && ts == o) {
			return false
		}
	}
	if l := f.Get("latest"); l != "" {
		if tsLess(l, ts) || (!incl && ts == l) {
			return false
		}
	}
	return true
}

// page cuts list by cursor (an offset) and limit (default 100).
func page(list []obj, f url.Values) ([]obj, string) {
	limit, _ := strconv.Atoi(f.Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	off, _ := strconv.Atoi(f.Get("cursor"))
	if off > len(list) {
		off = len(list)
	}
	end := min(off+limit, len(list))
	next := ""
	if end < len(list) {
		next = strconv.Itoa(end)
	}
	return list[off:end], next
}

func pageJSON(msgs []obj, next string) obj {
	if msgs == nil {
		msgs = []obj{}
	}
	return obj{"ok": true, "messages": msgs, "has_more": next != "",
		"response_metadata": obj{"next_cursor": next}}
}

func (s *Server) conversationsHistory(w http.ResponseWriter, f url.Values) {
	s.mu.Lock()
	c := s.channels[f.Get("channel")]
	if c == nil {
		s.mu.Unlock()
		fail(w, "channel_not_found")
		return
	}
	var list []obj
	for i := len(c.msgs) - 1; i >= 0; i-- { // newest first
		m := c.msgs[i]
		top := m.ThreadTS == "" || m.ThreadTS == m.TS || m.Subtype == "thread_broadcast"
		if top && window(f, m.TS) {
			list = append(list, s.msgJSONLocked(c, m))
		}
	}
	s.mu.Unlock()
	msgs, next := page(list, f)
	writeJSON(w, http.StatusOK, pageJSON(msgs, next))
}

func (s *Server) conversationsReplies(w http.ResponseWriter, f url.Values) {
	s.mu.Lock()
	c := s.channels[f.Get("channel")]
	if c == nil {
		s.mu.Unlock()
		fail(w, "channel_not_found")
		return
	}
	root := f.Get("ts")
	var list []obj
	for _, m := range c.msgs { // parent first, then replies oldest first
		if m.TS == root {
			list = append([]obj{s.msgJSONLocked(c, m)}, list...)
		} else if m.ThreadTS == root && window(f, m.TS) {
			list = append(list, s.msgJSONLocked(c, m))
		}
	}
	s.mu.Unlock()
	if len(list) == 0 {
		fail(w, "thread_not_found")
		return
	}
	msgs, next := page(list, f)
	writeJSON(w, http.StatusOK, pageJSON(msgs, next))
}

func (s *Server) conversationsInfo(w http.ResponseWriter, f url.Values) {
	s.mu.Lock()
	c := s.channels[f.Get("channel")]
	s.mu.Unlock()
	if c == nil {
		fail(w, "channel_not_found")
		return
	}
	ch := obj{"id": c.id, "name": c.name, "is_channel": !c.im, "is_im": c.im, "is_member": true}
	if c.im {
		ch["user"] = c.imUser
	}
	writeJSON(w, http.StatusOK, obj{"ok": true, "channel": ch})
}

// conversationsList lists channels by types (public_channel by default;
// im for the bot's DM channels), sorted by id, paged by cursor and limit
// like conversations.history.
func (s *Server) conversationsList(w http.ResponseWriter, f url.Values) {
	types := map[string]bool{}
	for _, t := range strings.Split(f.Get("types"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			types[t] = true
		}
	}
	if len(types) == 0 {
		types["public_channel"] = true
	}
	s.mu.Lock()
	ids := make([]string, 0, len(s.channels))
	for id := range s.channels {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var list []obj
	for _, id := range ids {
		c := s.channels[id]
		switch {
		case c.im && types["im"]:
			list = append(list, obj{"id": c.id, "created": 1700000000, "is_im": true, "is_org_shared": false,
				"user": c.imUser, "is_user_deleted": false, "priority": 0})
		case !c.im && (types["public_channel"] || types["private_channel"]):
			list = append(list, obj{"id": c.id, "name": c.name, "is_channel": true, "is_im": false,
				"is_member": true, "is_archived": false, "created": 1700000000})
		}
	}
	s.mu.Unlock()
	page, next := page(list, f)
	if page == nil {
		page = []obj{}
	}
	writeJSON(w, http.StatusOK, obj{"ok": true, "channels": page, "response_metadata": obj{"next_cursor": next}})
}

func (s *Server) conversationsOpen(w http.ResponseWriter, f url.Values) {
	user := f.Get("users")
	s.mu.Lock()
	if _, ok := s.users[user]; !ok || strings.Contains(user, ",") {
		s.mu.Unlock()
		fail(w, "user_not_found")
		return
	}
	id := "D" + strings.TrimPrefix(user, "U")
	c := s.channelLocked(id)
	c.im, c.imUser = true, user
	s.notifyLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, obj{"ok": true, "channel": obj{"id": id}})
}

func (s *Server) usersInfo(w http.ResponseWriter, f url.Values) {
	s.mu.Lock()
	u, ok := s.users[f.Get("user")]
	s.mu.Unlock()
	if !ok {
		fail(w, "user_not_found")
		return
	}
	writeJSON(w, http.StatusOK, obj{"ok": true, "user": obj{
		"id": u.ID, "team_id": u.Team, "name": u.Name, "real_name": u.Name, "is_bot": u.IsBot,
		"profile": obj{"display_name": u.Name, "real_name": u.Name, "team": u.Team},
	}})
}
