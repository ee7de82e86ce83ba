package slackfake

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
)

// AllScopes are the bot scopes the fake knows: what an app installed
// with Options.Scopes nil has. Slack has many more; these are the ones the
// methods and events the fake serves need.
var AllScopes = []string{
	"channels:history", "channels:read", "chat:write", "commands",
	"groups:history", "groups:read", "im:history", "im:read", "im:write",
	"mpim:history", "reactions:read", "reactions:write", "team:read", "users:read",
}

// neededScope is the bot scope Slack requires for a call of method with
// form f, "" when the method needs none. For the conversations.* methods
// it depends on the kind of conversation: a public channel (C…) needs
// channels:*, a private one (G…) groups:*, a DM (D…) im:*.
func neededScope(method string, f url.Values) string {
	switch method {
	case "chat.postMessage", "chat.postEphemeral", "chat.update":
		return "chat:write"
	case "reactions.add":
		return "reactions:write"
	case "conversations.history", "conversations.replies":
		return convScope(f.Get("channel"), "history")
	case "conversations.info":
		return convScope(f.Get("channel"), "read")
	case "conversations.open":
		return "im:write"
	case "conversations.list":
		// Slack wants the read scope of every type asked for; the fake
		// checks the first type's (openear asks for one type at a time).
		typ, _, _ := strings.Cut(cmp.Or(f.Get("types"), "public_channel"), ",")
		switch strings.TrimSpace(typ) {
		case "im":
			return "im:read"
		case "private_channel":
			return "groups:read"
		case "mpim":
			return "mpim:read"
		}
		return "channels:read"
	case "users.info":
		return "users:read"
	case "team.info":
		return "team:read"
	}
	// auth.test and chat.getPermalink need no scope; apps.connections.open
	// takes the app-level token (connections:write), not a bot scope.
	return ""
}

// convScope is the scope of kind ("history", "read") for a conversation.
func convScope(channel, kind string) string {
	switch channelType(channel) {
	case "im":
		return "im:" + kind
	case "group":
		return "groups:" + kind
	}
	return "channels:" + kind
}

// subscription is the bot event an inner event is delivered under:
// message.channels, message.groups, message.im, message.mpim for message
// events, by their channel_type; the event type itself otherwise.
func subscription(inner obj) string {
	typ, _ := inner["type"].(string)
	if typ != "message" {
		return typ
	}
	switch ct, _ := inner["channel_type"].(string); ct {
	case "im":
		return "message.im"
	case "group":
		return "message.groups"
	case "mpim":
		return "message.mpim"
	}
	return "message.channels"
}

// eventScope is the scope an app must hold to receive a bot event.
func eventScope(event string) string {
	switch event {
	case "message.channels":
		return "channels:history"
	case "message.groups":
		return "groups:history"
	case "message.im":
		return "im:history"
	case "message.mpim":
		return "mpim:history"
	case "reaction_added", "reaction_removed":
		return "reactions:read"
	}
	return ""
}

// grantedLocked reports whether the app holds scope ("" is always held).
// s.mu must be held.
func (s *Server) grantedLocked(scope string) bool {
	return scope == "" || s.opts.Scopes == nil || slices.Contains(s.opts.Scopes, scope)
}

// subscribedLocked reports whether Slack would deliver an inner event to
// the app: it subscribes to the event and holds the event's scope. s.mu
// must be held.
func (s *Server) subscribedLocked(inner obj) bool {
	ev := subscription(inner)
	if s.opts.Events != nil && !slices.Contains(s.opts.Events, ev) {
		return false
	}
	return s.grantedLocked(eventScope(ev))
}

// scopeHeader is the X-OAuth-Scopes value: the granted scopes, comma
// separated, as Slack sends it on every Web API response.
func (s *Server) scopeHeader() string {
	if s.opts.Scopes == nil {
		return strings.Join(AllScopes, ",")
	}
	return strings.Join(s.opts.Scopes, ",")
}

// Methods returns the Web API methods the fake was asked for, each once,
// sorted: what the app under test calls.
func (s *Server) Methods() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.calls {
		out = append(out, c.Method)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
