package bot

import (
	"context"
	"time"

	"github.com/openear/openear/bot/tag"
)

// Tag is one label on a customer message with its score and the reason it
// was given; it is tag.Tag, named here because threads and events carry
// it.
type Tag = tag.Tag

// Tagger tags customer messages. tag.Tagger (rules and the embedded model)
// is the implementation; tests may use their own.
//
// Tag must be safe for concurrent use and must not block: it runs on the
// ingest path before an event is queued. Every tag it returns carries a
// score in (0, 1] and a reason a person understands. A message of small
// talk only gets the single tag tag.Noise.
type Tagger interface {
	Tag(text string) []Tag
}

// Platform names used in events, actions, keys and the store.
const (
	Slack   = "slack"
	Discord = "discord"
)

// EventKind says what happened on a platform.
type EventKind string

const (
	// KindMessage is a new message in a watched channel, thread or DM.
	KindMessage EventKind = "message"
	// KindReaction is an emoji reaction added to a message.
	KindReaction EventKind = "reaction"
	// KindCommand is a staff command: a Slack slash command, a Discord
	// mention or a Discord application command. Text holds the command
	// line without the command name or the bot mention ("claim 42").
	KindCommand EventKind = "command"
	// KindButton is a press on a button of a triage notice. Text holds the
	// button's command line ("claim 42", "snooze 42 1h", "resolve 42").
	KindButton EventKind = "button"
	// KindNames carries names an adapter learned (Event.Names); see
	// Bot.LearnNames.
	KindNames EventKind = "names"
	// KindRating is a customer's answer to a thread's CSAT question
	// (Event.Rating); see csat.go.
	KindRating EventKind = "rating"
)

// Event is one inbound happening, already decoded by an adapter. Adapters
// decide who is staff (config ids, the Slack home team, Discord roles); the
// core trusts Event.Staff and never looks at platform details.
type Event struct {
	// ID identifies the delivery for dedupe: Slack's event_id, or a key
	// the adapter derives (e.g. "discord:msg:<id>"). Equal IDs are one
	// event however often they arrive. Empty means: do not dedupe.
	ID       string
	Kind     EventKind
	Platform string
	// Channel is the watched channel (for a Discord thread: its parent
	// channel) or the DM channel.
	Channel string
	// Place is where a message was posted when that is not Channel: a
	// Discord thread. Cursors are kept per place (Place, or Channel when
	// Place is empty), so that backfill can read each place from its own.
	Place string
	// ThreadKey is the platform's conversation root: Slack thread_ts, the
	// Discord thread id or the id of the message a reply refers to. Empty
	// when the platform gives no thread (a top-level message or a DM).
	ThreadKey string
	// MessageID is the message's own id (Slack ts, Discord snowflake). For
	// a reaction, the id of the message reacted to.
	MessageID string
	User      string // platform user id of the author / actor
	UserName  string // display name, when the adapter has it at hand
	// UserCompany is the author's company when the adapter has it at
	// hand: their Slack Connect workspace's name.
	UserCompany string
	// ChannelName is Channel's name without "#", when at hand.
	ChannelName string
	Staff       bool // the actor is staff
	DM          bool // a direct message to the bot
	Bot         bool // authored by a bot or webhook: never a customer or a reply
	Edit        bool // an edit of an earlier message: never a new message or a reply
	Text        string
	Reaction    string // KindReaction: emoji name as the platform names it ("eyes", "white_check_mark", "👀")
	Permalink   string // link to the message, for notices
	// At is when the platform says the event happened.
	At time.Time
	// Backfill marks a message read by backfill after downtime rather
	// than delivered live: its SLA clock starts at At (when it was sent),
	// not when openear read it.
	Backfill bool
	// Via says where a staff command came from when that is not the
	// platform itself: "web" for the dashboard. Timelines record it.
	Via string
	// Names are the names of a KindNames event.
	Names []Name
	// Rating is the answer of a KindRating event.
	Rating *Rating
}

// Result is what handling an event produced for the caller, synchronously.
type Result struct {
	// Reply answers a command or a button: shown only to the actor
	// (ephemeral on Slack, an ephemeral interaction response or a reply on
	// Discord). Empty for other events.
	Reply string
	// Duplicate is true when the event id was already processed.
	Duplicate bool
	// ThreadID is the thread the event touched, if any.
	ThreadID uint64
	// Prompt, when set, offers the actor to write more (a CSAT comment).
	Prompt *Prompt
}

// Handler is what adapters feed. Handle is safe for concurrent use; it
// returns only after the event's effects are durably committed, so an
// adapter acknowledges a delivery after Handle returns nil and leaves it
// unacknowledged (for the platform to redeliver) when it returns an error.
// Handling the same event id twice has one effect. All methods are safe
// for concurrent use.
type Handler interface {
	Handle(ctx context.Context, ev Event) (Result, error)
	// Cursor returns the newest message id seen in a place — a watched
	// channel, a DM channel, a Discord thread — ("" if none), for backfill
	// after downtime. Handle advances it for live message events, in the
	// same commit (the place is Event.Place, or Event.Channel); for the
	// messages of a backfill (Event.Backfill), which may be committed out
	// of order when one fails, the adapter marks it with MarkCursor once
	// every message up to it is committed.
	Cursor(ctx context.Context, platform, place string) (string, error)
	// MarkCursor records last as a place's cursor unless the place has
	// a newer one: how an adapter marks a place it watches for the first
	// time (its newest message id, or an id for now), so that a later
	// backfill starts there. Idempotent; it returns once durable.
	MarkCursor(ctx context.Context, platform, place, last string) error
	// Places returns the DM channels of a platform in which a message was
	// handled (the places no platform API lists for a bot), so that
	// backfill can visit them.
	Places(ctx context.Context, platform string) ([]string, error)
}

// NopHandler handles nothing and remembers nothing: the Handler of an
// adapter built only to ask its platform questions (openear check
// -online).
type NopHandler struct{}

func (NopHandler) Handle(context.Context, Event) (Result, error)            { return Result{}, nil }
func (NopHandler) Cursor(context.Context, string, string) (string, error)   { return "", nil }
func (NopHandler) MarkCursor(context.Context, string, string, string) error { return nil }
func (NopHandler) Places(context.Context, string) ([]string, error)         { return nil, nil }

// Submitter is an optional capability of a Handler, found by type
// assertion: handling in two halves, so that an adapter can submit a
// channel's next event without waiting for the previous one's commit.
// Bot implements it.
type Submitter interface {
	// Submit queues ev behind every event submitted (or handed to Handle)
	// before it returned, and returns at once: events submitted one after
	// the other are handled in that order. wait blocks until ev is
	// committed (or failed) and returns what Handle would have. wait must
	// be called exactly once, and soon, from a goroutine that may block
	// (it may do the writing of a whole batch): until it is called, the
	// events queued after ev may not be handled.
	Submit(ctx context.Context, ev Event) (wait func() (Result, error))
}

// ActionKind says what an outbound action does.
type ActionKind string

const (
	// ActNotice posts (Ref empty) or edits (Ref set) the triage notice of
	// a thread in Channel. Notice carries the structured content.
	ActNotice ActionKind = "notice"
	// ActDM sends Text as a direct message to the platform user To.
	ActDM ActionKind = "dm"
	// ActPost posts Text in Channel, in the thread ThreadKey when set.
	ActPost ActionKind = "post"
)

// Purpose says why an action exists; used in metrics and the demo log.
type Purpose string

const (
	ForTriage     Purpose = "triage"     // triage notice (new or updated)
	ForOwner      Purpose = "owner"      // owner told of a new thread
	ForAssigned   Purpose = "assigned"   // a person told a thread was assigned to them
	ForReminder   Purpose = "reminder"   // reminder ping to the owner
	ForEscalation Purpose = "escalation" // escalation to the team / triage channel
	ForAck        Purpose = "ack"        // reply-time promise to the customer
	ForIncident   Purpose = "incident"   // incident alert or update
	ForDigest     Purpose = "digest"     // daily digest
)

// Action is one outbound message, written to the outbox in the same
// transaction as the state change that caused it and delivered later by
// the sender through a Platform. Delivery is at least once.
type Action struct {
	ID        uint64 // outbox sequence, assigned by the bot; delivery order
	Kind      ActionKind
	Purpose   Purpose
	Platform  string
	Channel   string
	ThreadKey string // ActPost: reply inside this platform thread
	To        string // ActDM: platform user id
	Ref       string // ActNotice: id of the notice message to edit ("" = post new)
	Text      string // plain text; always set (fallback for rich rendering)
	Notice    *Notice
	ThreadID  uint64 // the thread this action is about, 0 if none
	Incident  uint64 // the incident this action is about, 0 if none
	Created   time.Time
	NotBefore time.Time // not sent before this instant (backoff)
	Attempts  int
	LastError string
}

// Notice is the structured content of a triage notice, rendered by each
// adapter in its own way (Slack blocks with buttons, Discord embeds).
type Notice struct {
	ThreadID  uint64
	State     State
	Customer  string // customer display name or id
	Channel   string // customer channel (id)
	Excerpt   string // customer text, capped; adapters must escape it
	Tags      []Tag
	Owner     string // person name
	OwnerID   string // owner's platform user id, for a mention
	Due       time.Time
	Permalink string
	Buttons   bool   // offer Claim / Snooze 1h / Resolve
	Note      string // in Lang
	// Lang is the language of the notice's labels and buttons: its
	// platform's (see Options.Locales), set by the core before each
	// delivery; adapters render with l10n.For(Lang). "" is English.
	Lang string
}

// Receipt is what a platform returns for a delivered action.
type Receipt struct {
	// Ref identifies the posted message as "channel/id" (Slack ts or
	// Discord message id), so a notice can be edited later and a reaction
	// on it leads back to its thread.
	Ref string
}

// Platform delivers actions to one messenger. Send may be called
// concurrently for different channels. Sending the same action twice may
// post twice (delivery is at least once); adapters should make an edit
// (Ref set) idempotent.
//
// Errors: a *RetryError asks the sender to wait before the next attempt
// (rate limits, 5xx, timeouts); an error wrapping ErrPermanent means the
// action can never succeed (unknown channel, not allowed) and is dropped
// after being logged; any other error is retried with backoff.
type Platform interface {
	Name() string
	Send(ctx context.Context, a Action) (Receipt, error)
}

// Digester is an optional capability of a Platform, found by type
// assertion: one triage message that stands for the notices of several
// new threads, each with its buttons (see Digest). Without it every
// thread gets a notice of its own, however many wait.
type Digester interface {
	// DigestSize is the most threads one digest message carries with
	// their buttons, within the platform's limits on a message.
	DigestSize() int
	// SendDigest posts d in channel when ref is "", or edits the digest
	// message ref (the Receipt.Ref of an earlier SendDigest) to show d.
	// Its errors are those of Send. Safe for concurrent use.
	SendDigest(ctx context.Context, channel, ref string, d *Digest) (Receipt, error)
}

// Pacer is an optional capability of a Platform that paces its posts to
// a channel (a platform's per-channel rate limit), found by type
// assertion. The sender asks Ready before it decides what to post next
// to a destination, so that what it posts — a digest of everything queued
// by then — is decided when the post can go, not when it began to wait.
type Pacer interface {
	// Ready blocks until a post like a (its channel or DM recipient, and
	// whether it is Urgent) would go without waiting, or ctx ends
	// (returning ctx.Err()). It reserves nothing: Send still paces. Safe
	// for concurrent use.
	Ready(ctx context.Context, a Action) error
}

// Clock tells the time. Tests use a fake clock; the demo a fast one.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real time.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }
