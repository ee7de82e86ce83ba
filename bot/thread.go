package bot

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// State is where a thread stands. See DESIGN.md for the state machine.
type State string

const (
	// Waiting: the customer waits for staff (first reply or next reply).
	Waiting State = "waiting"
	// Answered: staff replied after the customer's last message.
	Answered State = "answered"
	// Resolved: closed by staff. A new customer message reopens it.
	Resolved State = "resolved"
)

// Open reports whether a thread in state s still needs attention from its
// owner (it counts towards their load).
func (s State) Open() bool { return s == Waiting || s == Answered }

// MaxMessages is how many messages a thread keeps (the newest), and
// MaxText the bytes kept of each message text. Older messages and longer
// texts are cut; the counts stay exact.
const (
	MaxMessages = 20
	MaxText     = 4000
)

// Message is one stored message of a thread.
type Message struct {
	ID    string    `json:"id"`
	User  string    `json:"user"`
	Staff bool      `json:"staff,omitempty"`
	Text  string    `json:"text"`
	At    time.Time `json:"at"`
}

// Thread is one customer conversation and everything openear knows of it.
// It is a plain value: the store keeps a copy.
type Thread struct {
	ID       uint64 `json:"id"`
	Platform string `json:"platform"`
	Channel  string `json:"channel"`
	Root     string `json:"root"` // platform thread root (Slack ts, Discord message or thread id)
	DM       bool   `json:"dm,omitempty"`
	Customer string `json:"customer"` // platform user id of the customer who opened it
	CustName string `json:"customer_name,omitempty"`
	// CustCompany is the customer's company: the name of their Slack
	// Connect workspace; "" when unknown or on Discord.
	CustCompany string `json:"customer_company,omitempty"`
	// ChannelName is the channel's name without "#" ("acme-support"),
	// as the platform names it; "" for a DM or while unknown.
	ChannelName string `json:"channel_name,omitempty"`
	Permalink   string `json:"permalink,omitempty"`
	Lang        string `json:"lang,omitempty"` // "en" or "ko", of the first message

	// Keys are the platform keys that lead to this thread (see Key): the
	// ones it was opened with and those of its newest messages. The store
	// indexes every key ever listed and never deletes one; a key maps to
	// the thread that added it last.
	Keys []string `json:"keys"`

	State State `json:"state"`
	Tags  []Tag `json:"tags"`
	// Corrected is set when staff changed the tags: later messages never
	// overwrite them.
	Corrected   bool         `json:"corrected,omitempty"`
	Corrections []Correction `json:"corrections,omitempty"`
	Owner       string       `json:"owner,omitempty"` // person name
	Team        string       `json:"team,omitempty"`
	Incident    uint64       `json:"incident,omitempty"`

	Created     time.Time `json:"created"`
	LastCust    time.Time `json:"last_customer"` // last customer message
	LastStaff   time.Time `json:"last_staff,omitzero"`
	FirstReply  time.Time `json:"first_reply,omitzero"` // first staff reply
	ResolvedAt  time.Time `json:"resolved_at,omitzero"`
	Reopened    int       `json:"reopened,omitempty"`
	Messages    []Message `json:"messages,omitempty"`
	MsgCount    int       `json:"message_count"`
	SnoozeUntil time.Time `json:"snooze_until,omitzero"`

	// SLA clock of the current wait.
	SLAKind  string        `json:"sla_kind,omitempty"` // "first_reply" or "next_reply"
	SLA      time.Duration `json:"sla,omitempty"`      // its length in open (business) time
	WaitFrom time.Time     `json:"wait_from,omitzero"` // when the current wait began
	Deadline time.Time     `json:"deadline,omitzero"`  // when the SLA is breached
	Stage    int           `json:"stage,omitempty"`    // reminders already sent in this wait
	Breached bool          `json:"breached,omitempty"` // some wait of this thread missed its SLA
	// Met counts waits answered within their SLA, Missed those answered late or not yet.
	Met    int `json:"sla_met,omitempty"`
	Missed int `json:"sla_missed,omitempty"`

	// Due is when the clock loop must look at this thread next (a
	// reminder, an escalation, the end of a snooze); zero for none. The
	// store keeps an index on it.
	Due time.Time `json:"due,omitzero"`

	// NoticeRef is the triage notice's message ref, once it was posted.
	NoticeRef string `json:"notice_ref,omitempty"`

	// Timeline is what happened to the thread, oldest first: at most
	// MaxTimeline items (the first two, then the newest).
	Timeline []TimelineItem `json:"timeline,omitempty"`
	// CSAT is the customer's rating of the help they got, once asked.
	CSAT CSAT `json:"csat,omitzero"`
}

// FirstResponse is the time from the first customer message to the first
// staff reply, or 0 when staff has not replied yet.
func (t *Thread) FirstResponse() time.Duration {
	if t.FirstReply.IsZero() {
		return 0
	}
	return t.FirstReply.Sub(t.Created)
}

// FirstText is the text of the oldest message the thread keeps, or "".
func (t *Thread) FirstText() string {
	if len(t.Messages) == 0 {
		return ""
	}
	return t.Messages[0].Text
}

// HasTag reports whether the thread carries the named tag.
func (t *Thread) HasTag(name string) bool {
	for _, g := range t.Tags {
		if g.Name == name {
			return true
		}
	}
	return false
}

// TagNames lists the thread's tag names.
func (t *Thread) TagNames() []string {
	names := make([]string, len(t.Tags))
	for i, g := range t.Tags {
		names[i] = g.Name
	}
	return names
}

// Key builds a platform key: "slack/C123/1712345678.000100".
func Key(platform, channel, id string) string {
	return platform + "/" + channel + "/" + id
}

// CustomerKey leads to the newest thread a customer opened in a channel;
// used to join consecutive messages and to keep the same owner.
func CustomerKey(platform, channel, user string) string {
	return "cust/" + platform + "/" + channel + "/" + user
}

// OwnerOfKey leads to the newest thread of a customer on a platform, in any
// channel (sticky owner).
func OwnerOfKey(platform, user string) string {
	return "who/" + platform + "/" + user
}

// ChannelKey leads to the newest thread in a channel; a top-level staff
// message answers it.
func ChannelKey(platform, channel string) string {
	return "chan/" + platform + "/" + channel
}

// FormatID formats a thread id as users type it.
func FormatID(id uint64) string { return strconv.FormatUint(id, 10) }

// ParseID parses "42" or "#42".
func ParseID(s string) (uint64, bool) {
	n, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 10, 64)
	return n, err == nil && n > 0
}

// LaterID reports whether message id a is newer than b. Slack ts
// ("1712345678.000100") and Discord snowflakes are both decimal: compare
// the integer parts by length, then text.
func LaterID(a, b string) bool {
	ai, af, _ := strings.Cut(a, ".")
	bi, bf, _ := strings.Cut(b, ".")
	if len(ai) != len(bi) {
		return len(ai) > len(bi)
	}
	if ai != bi {
		return ai > bi
	}
	return af > bf
}

// Correction is a staff change of a thread's tags, kept so rules can be
// improved.
type Correction struct {
	By    string    `json:"by"`
	Tag   string    `json:"tag"`
	Added bool      `json:"added"`
	At    time.Time `json:"at"`
}

// MaxTimeline bounds Thread.Timeline: the first two items (created,
// routed) and the newest others are kept.
const MaxTimeline = 50

// TimelineItem is one thing that happened to a thread.
type TimelineItem struct {
	At   time.Time `json:"at"`
	What string    `json:"what"` // one of the Mark… constants
	// By is who did it: a person name ("alice"), "platform:id" for staff
	// the config does not list, the customer's name, or "" for openear
	// itself (reminders, escalations).
	By string `json:"by,omitempty"`
	// Via is where it was done: "slack", "discord" or "web"; "" for
	// openear itself.
	Via    string `json:"via,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// What a timeline item records.
const (
	MarkCreated     = "created"
	MarkRouted      = "routed"
	MarkFirstReply  = "first_reply"
	MarkReminder    = "reminder"
	MarkEscalated   = "escalated"
	MarkBreached    = "breached"
	MarkSnoozed     = "snoozed"
	MarkSnoozeOver  = "snooze_over"
	MarkClaimed     = "claimed"
	MarkAssigned    = "assigned"
	MarkResolved    = "resolved"
	MarkReopened    = "reopened"
	MarkTagged      = "tagged"
	MarkUntagged    = "untagged"
	MarkIncident    = "incident"
	MarkCSATAsked   = "csat_asked"
	MarkCSAT        = "csat"
	MarkCSATComment = "csat_comment"
)

// mark appends an item to the timeline, dropping the oldest past the
// first two when it is full.
func (t *Thread) mark(it TimelineItem) {
	t.Timeline = append(t.Timeline, it)
	if len(t.Timeline) > MaxTimeline {
		t.Timeline = slices.Delete(t.Timeline, 2, len(t.Timeline)-(MaxTimeline-2))
	}
}

// CSAT is a customer's rating of a resolved thread. A thread is asked
// once; the customer may answer again, and the new answer replaces the
// old one.
type CSAT struct {
	Asked   time.Time `json:"asked,omitzero"`    // when the question was queued
	Score   int       `json:"score,omitempty"`   // 1 (bad) to 5 (great); 0: no answer yet
	Comment string    `json:"comment,omitempty"` // the optional comment, at most MaxCSATComment bytes
	At      time.Time `json:"answered,omitzero"` // when the latest answer came
}

// MaxCSATComment is how many bytes of a CSAT comment are kept (1,000
// Korean characters).
const MaxCSATComment = 4000

// CustomerLabel is how staff read the customer of a thread: "jin (Acme
// Corp)", "jin", or the user id while no name is known.
func (t *Thread) CustomerLabel() string {
	name := t.CustName
	if name == "" {
		name = t.Customer
	}
	if t.CustCompany != "" {
		return name + " (" + t.CustCompany + ")"
	}
	return name
}
