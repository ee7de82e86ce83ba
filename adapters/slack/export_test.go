package slack

// Verify exposes the request signature check to the tests.
var Verify = verify

// CachedName is the display name the adapter holds for user, or "".
func (a *Adapter) CachedName(user string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.users[user].name
}

// WebAPI is the table of the Web API methods the adapter calls and the
// scopes each needs.
var WebAPI = webAPI

// EventTypes returns the inner event types of the bot events the adapter
// subscribes to.
func EventTypes() []string {
	var out []string
	for _, e := range botEvents {
		out = append(out, e.typ)
	}
	return out
}
