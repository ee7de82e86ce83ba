package slack

// Verify exposes the request signature check to the tests.
var Verify = verify

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
