package discord

import (
	"context"
	"encoding/json"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/openear/openear/bot"
)

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

// DecodeMessage decodes a MESSAGE_CREATE payload as discordgo does and
// turns it into an event, for the fuzz target.
func DecodeMessage(ctx context.Context, a *Adapter, raw []byte) (bot.Event, bool, error) {
	var m discordgo.Message
	if err := json.Unmarshal(raw, &m); err != nil {
		return bot.Event{}, false, err
	}
	ev, ok := a.messageEvent(ctx, &m)
	return ev, ok, nil
}

// DecodeInteraction decodes an INTERACTION_CREATE payload and turns it
// into an event, for the fuzz target.
func DecodeInteraction(a *Adapter, raw []byte) (bot.Event, bool, error) {
	var i discordgo.Interaction
	if err := json.Unmarshal(raw, &i); err != nil {
		return bot.Event{}, false, err
	}
	ev, ok := a.interactionEvent(&i)
	return ev, ok, nil
}

// SetGatewayTimers replaces how the gateway waits after op 9 INVALID
// SESSION before it identifies again: after instead of time.After, and
// jitter (nil: the random 1–5 s) for the length of the wait. Call before
// Run.
func SetGatewayTimers(a *Adapter, after func(time.Duration) <-chan time.Time, jitter func() time.Duration) {
	a.gw.after = after
	if jitter != nil {
		a.gw.jitter = jitter
	}
}

// GatewayJitter draws the wait after op 9 as the gateway does.
func GatewayJitter(a *Adapter) time.Duration { return a.gw.jitter() }
