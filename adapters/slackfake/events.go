package slackfake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Paths of the app's HTTP endpoints, below AppURL.
const (
	EventsPath      = "/slack/events"
	CommandsPath    = "/slack/commands"
	InteractivePath = "/slack/interactive"
)

// Response is what the app answered to a slash command or a button press.
type Response struct {
	Transport string          // "socket" or "http"
	Status    int             // HTTP status (HTTP only)
	Body      []byte          // HTTP response body (HTTP only)
	Ack       json.RawMessage // the ack's payload (Socket Mode only)
}

// Sign computes Slack's v0 signature of body sent at ts.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%d:", ts)
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// Request is a raw HTTP request to the app, for tests of its verification.
type Request struct {
	Path        string // EventsPath, CommandsPath or InteractivePath
	ContentType string // default application/json for EventsPath, else form
	Body        []byte
	Time        time.Time // X-Slack-Request-Timestamp; zero = now
	Secret      string    // signs with this secret; "" = the right one
	Unsigned    bool      // no signature headers at all
	RetryNum    int       // X-Slack-Retry-Num when > 0
}

// Send posts a raw request to the app and returns its answer.
func (s *Server) Send(ctx context.Context, r Request) (status int, body []byte, err error) {
	s.mu.Lock()
	base := s.appURL
	s.mu.Unlock()
	if base == "" {
		return 0, nil, errors.New("slackfake: no AppURL")
	}
	ctype := r.ContentType
	if ctype == "" {
		ctype = "application/x-www-form-urlencoded"
		if r.Path == EventsPath {
			ctype = "application/json"
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+r.Path, bytes.NewReader(r.Body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	if !r.Unsigned {
		at := r.Time
		if at.IsZero() {
			at = time.Now()
		}
		secret := r.Secret
		if secret == "" {
			secret = s.opts.SigningSecret
		}
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(at.Unix(), 10))
		req.Header.Set("X-Slack-Signature", Sign(secret, at.Unix(), r.Body))
	}
	if r.RetryNum > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(r.RetryNum))
		req.Header.Set("X-Slack-Retry-Reason", "http_error")
	}
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}

// deliverHTTP posts e to the app, retrying a failed delivery at once up to
// MaxRetries times with X-Slack-Retry-Num, as Slack does (without its
// minutes of delay).
func (s *Server) deliverHTTP(ctx context.Context, e *envelope) Response {
	var last Response
	for n := 0; n <= s.opts.MaxRetries; n++ {
		status, body, err := s.Send(ctx, Request{Path: e.httpPath, ContentType: e.httpType, Body: e.httpBody, RetryNum: n})
		s.mu.Lock()
		s.delivered = append(s.delivered, Delivery{EventID: e.eventID, Type: e.typ, Transport: "http",
			Attempt: n, Status: status, At: time.Now()})
		s.notifyLocked()
		s.mu.Unlock()
		last = Response{Transport: "http", Status: status, Body: body}
		if err == nil && status/100 == 2 || e.typ != "events_api" || ctx.Err() != nil {
			break
		}
	}
	return last
}

// dispatch drops an event the app does not subscribe to, and delivers e
// over the socket (waiting for the ack's payload when e
// accepts a response) or, with no socket, over HTTP; with neither it queues
// e for the next socket.
func (s *Server) dispatch(ctx context.Context, e *envelope, async bool) (Response, error) {
	if e.unsubscribed {
		return Response{}, nil
	}
	s.mu.Lock()
	useHTTP := len(s.sockets) == 0 && s.appURL != "" && !s.closed
	if useHTTP && async {
		s.wg.Add(1)
	}
	if e.typ == "events_api" {
		s.httpSent[e.eventID] = httpEvent{path: e.httpPath, ctype: e.httpType, body: e.httpBody}
	}
	s.mu.Unlock()
	if useHTTP {
		if async {
			go func() {
				defer s.wg.Done()
				s.deliverHTTP(context.Background(), e)
			}()
			return Response{Transport: "http"}, nil
		}
		return s.deliverHTTP(ctx, e), nil
	}
	s.sendEnvelope(e, true)
	if !e.response {
		return Response{Transport: "socket"}, nil
	}
	select {
	case p := <-e.acked:
		return Response{Transport: "socket", Ack: p}, nil
	case <-ctx.Done():
		return Response{}, ctx.Err()
	}
}

type httpEvent struct {
	path, ctype string
	body        []byte
}

// Retry sends an Events API event again over HTTP with X-Slack-Retry-Num n.
func (s *Server) Retry(ctx context.Context, eventID string, n int) (int, error) {
	s.mu.Lock()
	h, ok := s.httpSent[eventID]
	s.mu.Unlock()
	if !ok {
		return 0, fmt.Errorf("slackfake: no event %s", eventID)
	}
	status, _, err := s.Send(ctx, Request{Path: h.path, ContentType: h.ctype, Body: h.body, RetryNum: n})
	return status, err
}

// newEnvelopeLocked wraps a payload. s.mu must be held.
func (s *Server) newEnvelopeLocked(typ string, payload any) *envelope {
	b, _ := json.Marshal(payload)
	return &envelope{id: s.nextIDLocked("env-"), typ: typ, payload: b, acked: make(chan json.RawMessage, 1)}
}

// callbackLocked wraps an inner event as Slack's event_callback. s.mu must be held.
func (s *Server) callbackLocked(inner obj, ext bool) *envelope {
	id := s.nextIDLocked("Ev")
	cb := obj{
		"token": "fake-verification-token", "team_id": s.opts.HomeTeam, "api_app_id": "A0OPENEAR",
		"event": inner, "type": "event_callback", "event_id": id, "event_time": time.Now().Unix(),
		"authorizations": []obj{{"enterprise_id": nil, "team_id": s.opts.HomeTeam,
			"user_id": s.opts.BotUserID, "is_bot": true, "is_enterprise_install": false}},
		"is_ext_shared_channel": ext,
		"event_context":         "4-eyJldCI6Im1lc3NhZ2UifQ",
	}
	e := s.newEnvelopeLocked("events_api", cb)
	e.eventID = id
	e.unsubscribed = !s.subscribedLocked(inner)
	e.httpPath, e.httpType, e.httpBody = EventsPath, "application/json", e.payload
	return e
}

func channelType(id string) string {
	switch {
	case strings.HasPrefix(id, "D"):
		return "im"
	case strings.HasPrefix(id, "G"):
		return "group"
	}
	return "channel"
}

// messageEventLocked renders m as a message event. s.mu must be held.
func (s *Server) messageEventLocked(m *Message) obj {
	ev := obj{"type": "message", "channel": m.Channel, "channel_type": channelType(m.Channel),
		"text": m.Text, "ts": m.TS, "event_ts": m.TS}
	if m.User != "" {
		ev["user"] = m.User
	}
	if m.Team != "" {
		ev["team"], ev["user_team"], ev["source_team"] = m.Team, m.Team, m.Team
	}
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		ev["thread_ts"] = m.ThreadTS
	}
	if m.Subtype != "" {
		ev["subtype"] = m.Subtype
	}
	if m.BotID != "" {
		ev["bot_id"] = m.BotID
		ev["app_id"] = "A0OPENEAR"
	} else if m.Subtype == "" {
		ev["client_msg_id"] = "cm-" + strings.ReplaceAll(m.TS, ".", "-")
	}
	if m.Blocks != "" {
		ev["blocks"] = json.RawMessage(m.Blocks)
	}
	return ev
}

// deliverMessage sends m's message event (async: it may run inside a Web
// API call of the app itself).
func (s *Server) deliverMessage(m *Message) string {
	s.mu.Lock()
	ext := s.extTeamLocked(m.Team)
	e := s.callbackLocked(s.messageEventLocked(m), ext)
	s.mu.Unlock()
	_, _ = s.dispatch(context.Background(), e, true)
	return e.eventID
}

func (s *Server) extTeamLocked(team string) bool { return team != "" && team != s.opts.HomeTeam }

// Post records a message of user in channel (a thread reply when threadTS
// is set) and delivers its event. It returns the message's ts.
func (s *Server) Post(channel, user, text, threadTS string) string {
	ts, _ := s.PostMessage(Message{Channel: channel, User: user, Text: text, ThreadTS: threadTS})
	return ts
}

// PostQuiet records a message without delivering any event: a message
// posted while the app was down.
func (s *Server) PostQuiet(channel, user, text, threadTS string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recordLocked(&Message{Channel: channel, User: user, Text: text, ThreadTS: threadTS}).TS
}

// PostMessage records m (TS and, when empty, Team are filled in) and
// delivers its event synchronously over HTTP, or as an envelope. It
// returns the ts and the event id.
func (s *Server) PostMessage(m Message) (ts, eventID string) {
	s.mu.Lock()
	rec := s.recordLocked(&m)
	ext := s.extTeamLocked(rec.Team)
	e := s.callbackLocked(s.messageEventLocked(rec), ext)
	s.mu.Unlock()
	_, _ = s.dispatch(context.Background(), e, false)
	return rec.TS, e.eventID
}

func (s *Server) recordLocked(m *Message) *Message {
	if m.At.IsZero() {
		m.At = time.Now()
	}
	if m.TS == "" {
		m.TS = s.nextTSLocked()
	}
	if m.Team == "" {
		m.Team = s.users[m.User].Team
	}
	if c := s.channelLocked(m.Channel); c.im && c.imUser == "" && m.User != s.opts.BotUserID {
		c.imUser = m.User // the DM is between the bot and its first other author
	}
	if m.ThreadTS != "" {
		if p := s.findLocked(m.Channel, m.ThreadTS); p != nil && p.ThreadTS == "" {
			p.ThreadTS = p.TS
		}
	}
	s.appendLocked(m)
	return m
}

// Edit changes a message's text and delivers the message_changed event.
func (s *Server) Edit(channel, ts, text string) (eventID string, err error) {
	s.mu.Lock()
	m := s.findLocked(channel, ts)
	if m == nil {
		s.mu.Unlock()
		return "", fmt.Errorf("slackfake: no message %s in %s", ts, channel)
	}
	prev := s.messageEventLocked(m)
	m.Text, m.Edited = text, true
	now := s.nextTSLocked()
	cur := s.messageEventLocked(m)
	cur["edited"] = obj{"user": m.User, "ts": now}
	ev := obj{"type": "message", "subtype": "message_changed", "hidden": true,
		"channel": channel, "channel_type": channelType(channel), "ts": now, "event_ts": now,
		"message": cur, "previous_message": prev}
	e := s.callbackLocked(ev, s.extTeamLocked(m.Team))
	s.notifyLocked()
	s.mu.Unlock()
	_, _ = s.dispatch(context.Background(), e, false)
	return e.eventID, nil
}

// React adds a reaction of user to a message and delivers reaction_added.
func (s *Server) React(channel, ts, user, emoji string) (eventID string) {
	s.mu.Lock()
	itemUser := ""
	if m := s.findLocked(channel, ts); m != nil {
		itemUser = m.User
	}
	s.reactions = append(s.reactions, Reaction{Channel: channel, TS: ts, User: user, Name: emoji})
	now := s.nextTSLocked()
	ev := obj{"type": "reaction_added", "user": user, "reaction": emoji, "item_user": itemUser,
		"item": obj{"type": "message", "channel": channel, "ts": ts}, "event_ts": now}
	e := s.callbackLocked(ev, false)
	s.notifyLocked()
	s.mu.Unlock()
	_, _ = s.dispatch(context.Background(), e, false)
	return e.eventID
}

// SlashCommand runs "/openear text" as user of team in channel and returns
// the app's answer (the ack payload in Socket Mode, the HTTP response
// otherwise). It waits for the answer until ctx ends.
func (s *Server) SlashCommand(ctx context.Context, user, team, channel, text string) (Response, error) {
	s.mu.Lock()
	if !s.grantedLocked("commands") {
		s.mu.Unlock()
		return Response{}, errors.New("slackfake: /openear is not installed: the app lacks the commands scope")
	}
	u := s.users[user]
	f := url.Values{
		"token": {"fake-verification-token"}, "team_id": {team}, "team_domain": {s.opts.Domain},
		"channel_id": {channel}, "channel_name": {s.channelLocked(channel).name},
		"user_id": {user}, "user_name": {u.Name}, "command": {"/openear"}, "text": {text},
		"api_app_id": {"A0OPENEAR"}, "is_enterprise_install": {"false"},
		"response_url": {"https://hooks.slack.com/commands/" + team + "/1/fake"},
		"trigger_id":   {s.triggerLocked(user)},
	}
	payload := obj{}
	for k := range f {
		payload[k] = f.Get(k)
	}
	e := s.newEnvelopeLocked("slash_commands", payload)
	e.response = true
	e.httpPath, e.httpType, e.httpBody = CommandsPath, "application/x-www-form-urlencoded", []byte(f.Encode())
	s.mu.Unlock()
	return s.dispatch(ctx, e, false)
}

// Press presses a button (block_actions) of the message ts in channel as
// user of team, and returns the app's answer.
func (s *Server) Press(ctx context.Context, user, team, actionID, value, channel, ts string) (Response, error) {
	s.mu.Lock()
	u := s.users[user]
	msg := obj{"type": "message", "ts": ts}
	if m := s.findLocked(channel, ts); m != nil {
		msg = s.msgJSONLocked(s.channels[channel], m)
	}
	now := s.nextTSLocked()
	payload := obj{
		"type": "block_actions", "token": "fake-verification-token", "api_app_id": "A0OPENEAR",
		"user":      obj{"id": user, "username": u.Name, "name": u.Name, "team_id": team},
		"team":      obj{"id": team, "domain": s.opts.Domain},
		"channel":   obj{"id": channel, "name": s.channelLocked(channel).name},
		"container": obj{"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false},
		"message":   msg, "trigger_id": s.triggerLocked(user),
		"response_url": "https://hooks.slack.com/actions/" + team + "/1/fake",
		"actions": []obj{{"action_id": actionID, "block_id": "openear", "type": "button",
			"text": obj{"type": "plain_text", "text": actionID}, "value": value, "action_ts": now}},
	}
	e := s.newEnvelopeLocked("interactive", payload)
	body := url.Values{"payload": {string(e.payload)}}
	e.httpPath, e.httpType, e.httpBody = InteractivePath, "application/x-www-form-urlencoded", []byte(body.Encode())
	s.mu.Unlock()
	return s.dispatch(ctx, e, false)
}

// SendEnvelope sends a Socket Mode envelope of any type with any payload
// (which must be valid JSON) to the connected app, for tests of odd input.
// It returns the envelope id; the fake redelivers it until it is acked,
// like any envelope.
func (s *Server) SendEnvelope(typ string, payload json.RawMessage) string {
	s.mu.Lock()
	e := &envelope{id: s.nextIDLocked("env-"), typ: typ, payload: payload, acked: make(chan json.RawMessage, 1)}
	s.mu.Unlock()
	s.sendEnvelope(e, true)
	return e.id
}
