package discord

import "time"

// SetLimiter replaces the REST limiter; call before Run or Send.
func SetLimiter(a *Adapter, l Limiter) { a.limiter = l }

// SetDeferAfter changes how long an interaction waits before a deferred
// response; call before Run.
func SetDeferAfter(a *Adapter, d time.Duration) { a.deferAfter = d }

// CommandText exposes commandText to table tests.
var CommandText = commandText

// MentionCommand exposes mentionCommand to table tests.
var MentionCommand = mentionCommand

// Escape exposes escape.
var Escape = escape
