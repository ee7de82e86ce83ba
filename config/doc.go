// Package config reads, defaults and validates the openear config file.
//
// It only parses and validates; it imports nothing else of openear, and
// the rest of openear is built from plain values taken out of a Config.
//
//	c, err := config.Load("openear.yaml") // Parse with os.Getenv, then Validate
//
// [Parse] decodes YAML over [Default], so every key may be left out.
// It walks the YAML node tree itself, so that every problem names its key
// path and line, as "openear.yaml:12: slack.bot_tokn: unknown key (did you
// mean bot_token?)". [Config.Validate] checks the config as a whole (tokens
// of enabled platforms, references between people, teams and routing,
// time zones, hours, SLA fractions, …) and returns every problem joined
// with errors.Join, each an [*Error] with the file, line and key.
//
// # Environment and secrets
//
// After parsing, every ${VAR} in a scalar value is replaced with the
// variable's value; a missing variable gives "". Only ${VAR} expands: $VAR
// does not, there is no escape, and an expanded value is never expanded
// again nor parsed as YAML. In a flow mapping ({...}) quote the value:
// path: "${DIR}/openear.db".
//
// Secrets (http.token, storage.postgres, slack.bot_token, slack.app_token,
// slack.signing_secret, discord.token) must be written as ${VAR}: a
// literal value is an error. They are of type [Secret], which prints as
// "[redacted]" through fmt, log/slog, JSON and YAML; [Secret.Reveal] gives
// the value, and [Config.SecretValues] lists them all for a log handler to
// scrub. No error message contains a secret; a value read from the
// environment is shown as the ${VAR} that was written (parse errors always,
// validation errors for values of 8 bytes or more).
//
// # Keys
//
// Durations are Go durations ("90s", "15m", "1h30m"). A section left out
// takes its defaults; slack, discord and business_hours left out are nil
// (platform disabled, always open). The key names and meanings in the
// contract of DESIGN.md never change; keys may be added.
//
//	storage.path                 bbolt file (default "openear.db"); ignored when storage.postgres is set
//	storage.postgres             ${VAR}: a PostgreSQL URL; set: state in PostgreSQL, replicas possible
//	storage.lease                leader lease on PostgreSQL, 1s to 10s (default 10s)
//	http.listen                  host:port of the one HTTP listener (default "127.0.0.1:8080")
//	http.token                   dashboard token, ${VAR}; required when listen is not loopback
//	http.public_url              the dashboard's address as browsers reach it (behind a proxy:
//	                             "https://openear.example.com"): the base of sign-in links;
//	                             an http(s) URL without query; empty: http:// and listen
//	http.advertise               URL other replicas reach this one at (PostgreSQL replicas; default from listen)
//	locale                       staff's language: en (default) or ko
//	slack.enabled                default true when the section is present
//	slack.bot_token              ${VAR}; required when enabled
//	slack.app_token              ${VAR}; set: Socket Mode; empty: Events API over http.listen
//	slack.signing_secret         ${VAR}; required when app_token is empty
//	slack.api_url                empty: Slack's own; set for GovSlack, proxies and tests. A bare
//	                             host ("http://127.0.0.1:9000") means its /api/, as on slack.com;
//	                             another path ("https://proxy/slack") is kept as the base
//	slack.triage_channel         internal channel for notices; never one of channels
//	slack.channels[]             customer channels to watch
//	slack.dms                    watch direct messages to the bot (default false)
//	slack.staff[]                staff user ids besides members of the home team
//	slack.locale                 language of the Slack channel posts and of Slack staff without their own (default: locale)
//	discord.enabled              default true when the section is present
//	discord.token                ${VAR}; required when enabled
//	discord.api_url              empty: Discord's own REST base; a bare host ("http://127.0.0.1:8081")
//	                             or with Discord's API path ("…/api/v10/"): the same (openear
//	                             speaks /api/v9 itself); another path is a proxy's prefix
//	discord.triage_channel       internal channel for notices; never one of channels
//	discord.channels[]           customer channels to watch
//	discord.dms                  watch direct messages to the bot (default false)
//	discord.staff_roles[]        role ids whose members are staff
//	discord.staff[]              staff user ids
//	discord.locale               language of the Discord channel posts and of Discord staff without their own (default: locale)
//	people[].name                unique; what teams and routing refer to
//	people[].slack               Slack user id
//	people[].discord             Discord user id (one of slack, discord is required)
//	people[].timezone            IANA time zone
//	people[].locale              their language in DMs, reminders and command replies (default: their platform's, else locale)
//	teams[].name                 unique
//	teams[].members[]            people names
//	teams[].strategy             round_robin (default) or least_loaded
//	routing[].match.tags[]       first matching rule wins; every non-empty list must match
//	routing[].match.channels[]   channel ids
//	routing[].match.platforms[]  slack, discord
//	routing[].match.keywords[]   words in the message
//	routing[].team               owner: a team, or
//	routing[].person             owner: a person; only the last rule may have no match
//	tags[].name                  lowercase [a-z0-9_-]; a built-in name overrides it
//	tags[].keywords[]            any keyword tags the message
//	tags[].regex                 Go regexp, at most 1 KiB
//	sla.first_reply              time to the first staff reply (default 1h)
//	sla.next_reply               time to the next reply after the customer writes again (default 4h)
//	sla.per_tag                  tag: duration, overrides first_reply for that tag (default {})
//	sla.remind_at[]              fractions of the SLA at which the owner is pinged (default [0.75, 1.0])
//	sla.escalate_after           fraction at which the team / triage channel is told (default 1.5)
//	business_hours.timezone      IANA time zone (empty: UTC)
//	business_hours.week          days: spans, e.g. mon-fri: ["09:00-12:00", "13:00-18:00"]
//	business_hours.holidays[]    YYYY-MM-DD
//	threads.join_window          a message this soon after the last joins its thread (default 2m)
//	incidents.enabled            group many customers reporting a defect (default true)
//	incidents.min_customers      distinct customers that make an incident (default 3)
//	incidents.window             within this long (default 15m)
//	digest.enabled               post a daily digest (default false)
//	digest.at                    HH:MM (default "09:00")
//	digest.timezone              IANA time zone of at (empty: UTC)
//	digest.slack_channel         where to post it on Slack
//	digest.discord_channel       where to post it on Discord
//	notices.coalesce             one digest notice for a burst of new threads (default true)
//	notices.coalesce_after       more new-thread notices than this waiting in a channel make a digest (default 3)
//	notices.follow_up            post each digested thread's own notice later (default false)
//	ack.enabled                  acknowledge customer messages automatically (default false)
//	ack.text                     language (en, ko): text; {when} becomes the expected reply time
//	csat.enabled                 ask the customer to rate a resolved thread, once (default false)
//	csat.notify_below            a score (1–5) below this tells the owner and triage (default 3)
//	csat.text                    language (en, ko): the question (defaults "How did we do?",
//	                             "상담은 만족스러우셨나요?")
//	log.level                    debug, info (default), warn, error
//	log.format                   text (default), json
//
// Languages: staff read openear in their own language. Channel posts
// (triage notices, escalations, incident alerts, digests) are in the
// platform's locale, else locale; what is said to one person (DMs,
// reminders, command replies) in their people[].locale, else the locale of
// the platform they are reached on, else locale. Values are en and ko
// (see [Locales]), lowercase, without a region.
//
// Week keys are day names (mon … sun, or monday … sunday), ranges
// ("mon-fri", "sat-sun", which may wrap: "fri-mon") and comma lists
// ("mon,wed,fri"); a day may be named by one key only, and a day named by
// none is closed. Spans are "HH:MM-HH:MM", the end may be "24:00", and a
// day's spans are listed in order without overlap. See
// [BusinessHours.Days].
//
// # Caveats
//
// YAML anchors and aliases work; merge keys (<<) do not. Only the first
// YAML document of the file is read. Booleans also accept yes/no/on/off.
// A null value (key with nothing after it) keeps the default.
package config
