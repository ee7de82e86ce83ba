package config

import "time"

// Config is the whole config file. The zero value is not useful: start from
// [Default], or get one from [Parse] or [Load], which apply the defaults.
type Config struct {
	Storage       Storage        `yaml:"storage"`
	HTTP          HTTP           `yaml:"http"`
	Locale        string         `yaml:"locale"`            // staff's language: one of Locales (default "en")
	Slack         *Slack         `yaml:"slack,omitempty"`   // nil: section absent, Slack disabled
	Discord       *Discord       `yaml:"discord,omitempty"` // nil: section absent, Discord disabled
	People        []Person       `yaml:"people,omitempty"`
	Teams         []Team         `yaml:"teams,omitempty"`
	Routing       []Rule         `yaml:"routing,omitempty"`
	Tags          []TagRule      `yaml:"tags,omitempty"`
	SLA           SLA            `yaml:"sla"`
	BusinessHours *BusinessHours `yaml:"business_hours,omitempty"` // nil: always open
	Threads       Threads        `yaml:"threads"`
	Incidents     Incidents      `yaml:"incidents"`
	Digest        Digest         `yaml:"digest"`
	Ack           Ack            `yaml:"ack"`
	CSAT          CSAT           `yaml:"csat"`
	Notices       Notices        `yaml:"notices"`
	Log           Log            `yaml:"log"`

	// src remembers where each key came from, for Validate's messages.
	src *source
}

// Storage is the storage section. When Postgres is set, openear keeps
// its state in that PostgreSQL database and Path is ignored; several
// replicas may then share it, one the leader at a time (Lease).
type Storage struct {
	Path     string   `yaml:"path"`     // the bbolt file
	Postgres Secret   `yaml:"postgres"` // PostgreSQL URL (holds a password): ${OPENEAR_POSTGRES_URL}
	Lease    Duration `yaml:"lease"`    // how long a leader's lease lasts unrenewed (PostgreSQL only)
}

// Bounds of storage.lease: a standby takes over within about the lease
// and a few seconds after the leader dies.
const (
	MinLease = time.Second
	MaxLease = 10 * time.Second
)

// HTTP is the http section: the one listener for the Slack Events API, slash
// commands, interactivity, /healthz, /metrics and the dashboard.
type HTTP struct {
	Listen string `yaml:"listen"` // host:port
	Token  Secret `yaml:"token"`  // dashboard token; required when Listen is not loopback
	// PublicURL is the dashboard's address as staff's browsers reach it
	// ("https://openear.example.com", behind a proxy): the base of
	// sign-in links. Empty: http:// and the listen address.
	PublicURL string `yaml:"public_url"`
	// Advertise is the URL other replicas reach this one's listener at
	// (PostgreSQL replicas forward Slack commands to the leader there);
	// empty: derived from Listen and the machine's name.
	Advertise string `yaml:"advertise"`
}

// Slack is the slack section. When AppToken is set the bot uses Socket
// Mode; when it is empty, the Events API over HTTP.Listen.
type Slack struct {
	Enabled       bool     `yaml:"enabled"` // true unless `enabled: false`
	BotToken      Secret   `yaml:"bot_token"`
	AppToken      Secret   `yaml:"app_token"`
	SigningSecret Secret   `yaml:"signing_secret"`
	APIURL        string   `yaml:"api_url"`        // empty: Slack's own
	TriageChannel string   `yaml:"triage_channel"` // internal; never a customer channel
	Channels      []string `yaml:"channels"`       // customer channels to watch
	DMs           bool     `yaml:"dms"`            // watch direct messages to the bot
	Staff         []string `yaml:"staff"`          // staff user ids besides the home team
	Locale        string   `yaml:"locale"`         // its team's language, when not Config.Locale; "" = Config.Locale
}

// Discord is the discord section.
type Discord struct {
	Enabled       bool     `yaml:"enabled"` // true unless `enabled: false`
	Token         Secret   `yaml:"token"`
	APIURL        string   `yaml:"api_url"` // empty: Discord's own REST base
	TriageChannel string   `yaml:"triage_channel"`
	Channels      []string `yaml:"channels"`
	DMs           bool     `yaml:"dms"`
	StaffRoles    []string `yaml:"staff_roles"`
	Staff         []string `yaml:"staff"`
	Locale        string   `yaml:"locale"` // its team's language, when not Config.Locale; "" = Config.Locale
}

// Person is one member of staff with their ids on each platform.
type Person struct {
	Name     string `yaml:"name"`
	Slack    string `yaml:"slack,omitempty"`
	Discord  string `yaml:"discord,omitempty"`
	Timezone string `yaml:"timezone,omitempty"`
	Locale   string `yaml:"locale,omitempty"` // their language; "" = their platform's, else Config.Locale
}

// Locales are the languages openear speaks to staff, the values of the
// locale keys: English (the default) and Korean.
var Locales = []string{"en", "ko"}

// Team strategies.
const (
	RoundRobin  = "round_robin"
	LeastLoaded = "least_loaded"
)

// Team is a named group of people that threads can be routed to.
type Team struct {
	Name     string   `yaml:"name"`
	Members  []string `yaml:"members"`  // people names
	Strategy string   `yaml:"strategy"` // RoundRobin (default) or LeastLoaded
}

// Rule is one routing rule: the first rule whose Match matches picks the
// owner, a Team or a Person.
type Rule struct {
	Match  Match  `yaml:"match,omitempty"`
	Team   string `yaml:"team,omitempty"`
	Person string `yaml:"person,omitempty"`
}

// Match is the condition of a routing rule. Every non-empty list must match
// (any of its items); an empty Match matches everything.
type Match struct {
	Tags      []string `yaml:"tags,omitempty"`
	Channels  []string `yaml:"channels,omitempty"`
	Platforms []string `yaml:"platforms,omitempty"` // "slack", "discord"
	Keywords  []string `yaml:"keywords,omitempty"`
}

// Empty reports whether m has no condition, so matches everything.
func (m Match) Empty() bool {
	return len(m.Tags) == 0 && len(m.Channels) == 0 && len(m.Platforms) == 0 && len(m.Keywords) == 0
}

// TagRule defines an operator tag, or overrides a built-in one: a message
// gets the tag when it contains any keyword or matches Regex.
type TagRule struct {
	Name     string   `yaml:"name"`
	Keywords []string `yaml:"keywords,omitempty"`
	Regex    string   `yaml:"regex,omitempty"`
}

// SLA is the sla section. RemindAt and EscalateAfter are fractions of the
// SLA that applies to a thread.
type SLA struct {
	FirstReply    Duration            `yaml:"first_reply"`
	NextReply     Duration            `yaml:"next_reply"`
	PerTag        map[string]Duration `yaml:"per_tag"`
	RemindAt      []float64           `yaml:"remind_at"`
	EscalateAfter float64             `yaml:"escalate_after"`
}

// BusinessHours is the business_hours section: SLA clocks run only inside
// these hours. Use [BusinessHours.Location], [BusinessHours.Days] and
// [BusinessHours.HolidayDates] rather than the raw fields.
type BusinessHours struct {
	Timezone string              `yaml:"timezone"`           // IANA name; empty means UTC
	Week     map[string][]string `yaml:"week"`               // "mon-fri": ["09:00-12:00", ...]
	Holidays []string            `yaml:"holidays,omitempty"` // YYYY-MM-DD
}

// Threads is the threads section.
type Threads struct {
	// JoinWindow: a customer message within this long of the previous one
	// in the same channel (outside any platform thread) joins its thread.
	JoinWindow Duration `yaml:"join_window"`
}

// Incidents is the incidents section: when MinCustomers distinct customers
// report a defect within Window, the bot calls it an incident.
type Incidents struct {
	Enabled      bool     `yaml:"enabled"`
	MinCustomers int      `yaml:"min_customers"`
	Window       Duration `yaml:"window"`
}

// Digest is the digest section: a daily summary posted At (HH:MM) in
// Timezone to the given channels.
type Digest struct {
	Enabled        bool   `yaml:"enabled"`
	At             string `yaml:"at"`
	Timezone       string `yaml:"timezone"` // empty means UTC
	SlackChannel   string `yaml:"slack_channel,omitempty"`
	DiscordChannel string `yaml:"discord_channel,omitempty"`
}

// Ack is the ack section: an automatic acknowledgement to the customer.
// Text is keyed by language ("en", "ko"); {when} in a text is replaced with
// when a reply can be expected.
type Ack struct {
	Enabled bool              `yaml:"enabled"`
	Text    map[string]string `yaml:"text"`
}

// CSAT is the csat section: once a thread is resolved, its customer is
// asked how the help was. Text is the question per language ("en",
// "ko"); a score below NotifyBelow (1–5) tells the owner and the triage
// channel.
type CSAT struct {
	Enabled     bool              `yaml:"enabled"`
	NotifyBelow int               `yaml:"notify_below"`
	Text        map[string]string `yaml:"text"`
}

// Notices is the notices section: triage notices under load. While more
// than CoalesceAfter new-thread notices wait in a triage channel (its
// platform's post limit), one digest notice stands for them, with each
// thread's buttons; FollowUp posts each thread's own notice afterwards.
type Notices struct {
	Coalesce      bool `yaml:"coalesce"`
	CoalesceAfter int  `yaml:"coalesce_after"`
	FollowUp      bool `yaml:"follow_up"`
}

// Log is the log section.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text, json
}

// Default returns the configuration used for every key the file leaves
// out. Slack, Discord and BusinessHours are nil: absent sections.
func Default() Config {
	return Config{
		Storage: Storage{Path: "openear.db", Lease: Duration(MaxLease)},
		HTTP:    HTTP{Listen: "127.0.0.1:8080"},
		Locale:  "en",
		SLA: SLA{
			FirstReply:    Duration(time.Hour),
			NextReply:     Duration(4 * time.Hour),
			PerTag:        map[string]Duration{},
			RemindAt:      []float64{0.75, 1.0},
			EscalateAfter: 1.5,
		},
		Threads:   Threads{JoinWindow: Duration(2 * time.Minute)},
		Incidents: Incidents{Enabled: true, MinCustomers: 3, Window: Duration(15 * time.Minute)},
		Digest:    Digest{At: "09:00"},
		Notices:   Notices{Coalesce: true, CoalesceAfter: 3},
		Ack: Ack{Text: map[string]string{
			"en": "Thanks for your message! Someone from our team will reply {when}.",
			"ko": "문의 감사합니다. 담당자가 {when} 답변드리겠습니다.",
		}},
		CSAT: CSAT{NotifyBelow: 3, Text: map[string]string{
			"en": "How did we do?",
			"ko": "상담은 만족스러우셨나요?",
		}},
		Log: Log{Level: "info", Format: "text"},
	}
}

// SecretValues returns every non-empty secret in c, so that a log handler
// can scrub them from anything it writes.
func (c Config) SecretValues() []string {
	all := []Secret{c.HTTP.Token, c.Storage.Postgres}
	if c.Slack != nil {
		all = append(all, c.Slack.BotToken, c.Slack.AppToken, c.Slack.SigningSecret)
	}
	if c.Discord != nil {
		all = append(all, c.Discord.Token)
	}
	var out []string
	for _, s := range all {
		if s != "" {
			out = append(out, s.Reveal())
		}
	}
	return out
}
