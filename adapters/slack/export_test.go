package slack

// Verify exposes the request signature check to the tests.
var Verify = verify
