package slack

// Verify exposes the request signature check to the tests.
var Verify = verify

// CachedName is the display name the adapter holds for user, or "".
func (a *Adapter) CachedName(user string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.users[user].name
}
