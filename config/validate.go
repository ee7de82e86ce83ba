package config

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxRegex is the longest tags[].regex accepted, in bytes.
const maxRegex = 1024

var tagNameRE = regexp.MustCompile(`^[a-z0-9_-]+$`)

// Validate checks c as a whole and returns every problem found, joined with
// errors.Join; each is an [*Error] that names the key and, for a config from
// [Parse], the file and line. No message contains a secret value.
func (c Config) Validate() error {
	v := &validator{c: c, problems: problems{src: c.src, secrets: c.SecretValues()}}
	v.storage()
	v.http()
	v.locale("locale", v.c.Locale, false)
	v.slack()
	v.discord()
	v.people()
	v.teams()
	v.routing()
	v.tags()
	v.sla()
	v.businessHours()
	v.rest()
	return v.err()
}

type validator struct {
	problems
	c Config
}

func (v *validator) storage() {
	s := v.c.Storage
	if s.Postgres == "" {
		if s.Path == "" {
			v.at("storage.path", "must not be empty")
		}
		return
	}
	if !postgresURL(s.Postgres.Reveal()) {
		v.at("storage.postgres", "is not a PostgreSQL URL (write e.g. postgres://openear:PASSWORD@db.example.com:5432/openear?sslmode=verify-full)")
	}
	if d := s.Lease.D(); d < MinLease || d > MaxLease {
		v.at("storage.lease", "%s is not between %s and %s (a standby takes over about a lease after the leader dies)", d, MinLease, MaxLease)
	}
}

// postgresURL reports whether s looks like a PostgreSQL connection
// string: a postgres:// URL with a host, or key=value pairs. Connecting
// tells the rest.
func postgresURL(s string) bool {
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		return err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") && u.Host != ""
	}
	k, _, ok := strings.Cut(strings.TrimSpace(s), "=")
	return ok && k != "" && !strings.ContainsAny(k, " '")
}

func (v *validator) http() {
	h := v.c.HTTP
	host, port, err := net.SplitHostPort(h.Listen)
	if err != nil {
		v.at("http.listen", "%q is not host:port (write e.g. 127.0.0.1:8080)", h.Listen)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		v.at("http.listen", "%q has no valid port number", h.Listen)
	}
	if h.PublicURL != "" {
		u, err := url.Parse(h.PublicURL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil:
			v.at("http.public_url", "%q is not an http(s) URL such as https://openear.example.com", h.PublicURL)
		case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(h.PublicURL, "?") || strings.HasSuffix(h.PublicURL, "#"):
			v.at("http.public_url", "%q has a query or fragment; write only the address the dashboard is reached at", h.PublicURL)
		}
	}
	if h.Advertise != "" {
		u, err := url.Parse(h.Advertise)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.at("http.advertise", "%q is not an http(s) URL (write e.g. http://openear-1.internal:8080)", h.Advertise)
		}
	}
	if !loopback(host) && h.Token == "" {
		v.secret("http.token", "OPENEAR_HTTP_TOKEN",
			fmt.Sprintf("a dashboard token is required when http.listen (%q) is not a loopback address", h.Listen))
	}
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// secret reports a required secret that is empty, saying which
// environment variable was unset, or which to use.
func (v *validator) secret(key, envVar, why string) {
	if name, ok := v.src.envVar(key); ok {
		v.at(key, "is empty: environment variable %s is unset or empty (%s)", name, why)
		return
	}
	v.at(key, "is required (%s); set it to ${%s} and export %s", why, envVar, envVar)
}

func (s *source) envVar(key string) (string, bool) {
	if s == nil {
		return "", false
	}
	name, ok := s.envs[key]
	return name, ok
}

func (v *validator) slack() {
	s := v.c.Slack
	if s == nil || !s.Enabled {
		return
	}
	if s.BotToken == "" {
		v.secret("slack.bot_token", "SLACK_BOT_TOKEN", "slack is enabled")
	}
	if s.AppToken == "" && s.SigningSecret == "" {
		v.secret("slack.signing_secret", "SLACK_SIGNING_SECRET", "app_token is empty, so Slack uses the Events API, whose requests are signed")
	}
	v.platform("slack", s.APIURL, s.TriageChannel, s.Channels)
	v.nonEmpty("slack.staff", s.Staff)
	v.locale("slack.locale", s.Locale, true)
}

func (v *validator) discord() {
	d := v.c.Discord
	if d == nil || !d.Enabled {
		return
	}
	if d.Token == "" {
		v.secret("discord.token", "DISCORD_BOT_TOKEN", "discord is enabled")
	}
	v.platform("discord", d.APIURL, d.TriageChannel, d.Channels)
	v.nonEmpty("discord.staff_roles", d.StaffRoles)
	v.nonEmpty("discord.staff", d.Staff)
	v.locale("discord.locale", d.Locale, true)
}

// locale checks a language key: one of Locales, or "" where that means
// "as the default" (inherit).
func (v *validator) locale(key, lang string, inherit bool) {
	if (lang == "" && inherit) || slices.Contains(Locales, lang) {
		return
	}
	if low := strings.ToLower(lang); low != lang && slices.Contains(Locales, low) {
		v.at(key, "%q: write it in lowercase, %q", lang, low)
		return
	}
	if primary, _, ok := strings.Cut(strings.ReplaceAll(lang, "_", "-"), "-"); ok && slices.Contains(Locales, strings.ToLower(primary)) {
		v.at(key, "%q: write the language alone, %q", lang, strings.ToLower(primary))
		return
	}
	v.at(key, "%q is not a language openear speaks (%s)", lang, strings.Join(Locales, " or "))
}

// platform checks what Slack and Discord have in common.
func (v *validator) platform(name, apiURL, triage string, channels []string) {
	if apiURL != "" {
		u, err := url.Parse(apiURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.at(name+".api_url", "%q is not an http(s) URL", apiURL)
		}
	}
	v.nonEmpty(name+".channels", channels)
	if triage != "" {
		if i := slices.Index(channels, triage); i >= 0 {
			v.at(name+".triage_channel", "%q is also in %s.channels[%d]; the triage channel is internal and never a customer channel", triage, name, i)
		}
	}
}

// nonEmpty reports empty items of a list.
func (v *validator) nonEmpty(key string, list []string) {
	for i, s := range list {
		if strings.TrimSpace(s) == "" {
			v.at(fmt.Sprintf("%s[%d]", key, i), "must not be empty")
		}
	}
}

func (v *validator) timezone(key, name string) {
	if _, err := time.LoadLocation(name); err != nil {
		v.at(key, "unknown time zone %q (write an IANA name, e.g. Asia/Seoul)", name)
	}
}

func (v *validator) people() {
	seen := map[string]int{}
	for i, p := range v.c.People {
		key := fmt.Sprintf("people[%d]", i)
		v.uniqueName(seen, "people", i, p.Name)
		if p.Slack == "" && p.Discord == "" {
			v.at(key, "%q has neither a slack nor a discord id", p.Name)
		}
		if p.Timezone != "" {
			v.timezone(key+".timezone", p.Timezone)
		}
		v.locale(key+".locale", p.Locale, true)
	}
}

// uniqueName checks the name of list[i]: required, and not the name of
// an earlier entry (seen maps names to their index).
func (v *validator) uniqueName(seen map[string]int, list string, i int, name string) {
	key := fmt.Sprintf("%s[%d].name", list, i)
	switch j, dup := seen[name]; {
	case name == "":
		v.at(key, "is required")
	case dup:
		v.at(key, "%q is already the name of %s[%d]", name, list, j)
	default:
		seen[name] = i
	}
}

func (v *validator) person(name string) bool {
	return slices.ContainsFunc(v.c.People, func(p Person) bool { return p.Name == name })
}

func (v *validator) team(name string) bool {
	return slices.ContainsFunc(v.c.Teams, func(t Team) bool { return t.Name == name })
}

func (v *validator) teams() {
	seen := map[string]int{}
	for i, t := range v.c.Teams {
		key := fmt.Sprintf("teams[%d]", i)
		v.uniqueName(seen, "teams", i, t.Name)
		if len(t.Members) == 0 {
			v.at(key+".members", "a team needs at least one member")
		}
		for j, m := range t.Members {
			if !v.person(m) {
				v.at(fmt.Sprintf("%s.members[%d]", key, j), "%q is not in people", m)
			}
		}
		if t.Strategy != RoundRobin && t.Strategy != LeastLoaded {
			v.at(key+".strategy", "%q is not %s or %s", t.Strategy, RoundRobin, LeastLoaded)
		}
	}
}

func (v *validator) routing() {
	for i, r := range v.c.Routing {
		key := fmt.Sprintf("routing[%d]", i)
		switch {
		case r.Team == "" && r.Person == "":
			v.at(key, "a rule needs a team or a person")
		case r.Team != "" && r.Person != "":
			v.at(key, "a rule has a team or a person, not both")
		case r.Team != "" && !v.team(r.Team):
			v.at(key+".team", "%q is not in teams", r.Team)
		case r.Person != "" && !v.person(r.Person):
			v.at(key+".person", "%q is not in people", r.Person)
		}
		if r.Match.Empty() && i < len(v.c.Routing)-1 {
			v.at(key, "only the last rule may have no match: the rules after it would never be used")
		}
		for j, tag := range r.Match.Tags {
			v.tagName(fmt.Sprintf("%s.match.tags[%d]", key, j), tag)
		}
		for j, p := range r.Match.Platforms {
			if p != "slack" && p != "discord" {
				v.at(fmt.Sprintf("%s.match.platforms[%d]", key, j), "%q is not slack or discord", p)
			}
		}
		v.nonEmpty(key+".match.channels", r.Match.Channels)
		v.nonEmpty(key+".match.keywords", r.Match.Keywords)
	}
}

func (v *validator) tagName(key, name string) {
	if !tagNameRE.MatchString(name) {
		v.at(key, "%q is not a tag name (lowercase letters, digits, _ and -)", name)
	}
}

func (v *validator) tags() {
	seen := map[string]int{}
	for i, t := range v.c.Tags {
		key := fmt.Sprintf("tags[%d]", i)
		v.tagName(key+".name", t.Name)
		if j, dup := seen[t.Name]; dup {
			v.at(key+".name", "%q is already defined by tags[%d]", t.Name, j)
		}
		seen[t.Name] = i
		if len(t.Keywords) == 0 && t.Regex == "" {
			v.at(key, "a tag needs keywords or a regex")
		}
		v.nonEmpty(key+".keywords", t.Keywords)
		if len(t.Regex) > maxRegex {
			v.at(key+".regex", "is %d bytes; at most %d are allowed", len(t.Regex), maxRegex)
		} else if _, err := regexp.Compile(t.Regex); err != nil {
			v.at(key+".regex", "does not compile: %v", err)
		}
	}
}

func (v *validator) sla() {
	s := v.c.SLA
	if s.FirstReply <= 0 {
		v.at("sla.first_reply", "must be more than 0")
	}
	if s.NextReply <= 0 {
		v.at("sla.next_reply", "must be more than 0")
	}
	for _, tag := range slices.Sorted(maps.Keys(s.PerTag)) {
		key := "sla.per_tag." + tag
		v.tagName(key, tag)
		if s.PerTag[tag] <= 0 {
			v.at(key, "must be more than 0")
		}
	}
	if s.EscalateAfter <= 0 {
		v.at("sla.escalate_after", "must be more than 0")
	}
	for i, f := range s.RemindAt {
		key := fmt.Sprintf("sla.remind_at[%d]", i)
		switch {
		case f <= 0 || (s.EscalateAfter > 0 && f > s.EscalateAfter):
			v.at(key, "%g is not in (0, escalate_after=%g]", f, s.EscalateAfter)
		case i > 0 && f <= s.RemindAt[i-1]:
			v.at(key, "%g is not after %g; list reminders in ascending order", f, s.RemindAt[i-1])
		}
	}
}

func (v *validator) businessHours() {
	b := v.c.BusinessHours
	if b == nil {
		return
	}
	if _, err := b.Location(); err != nil {
		v.timezone("business_hours.timezone", b.Timezone)
	}
	if len(b.Week) == 0 {
		v.at("business_hours.week", "no open hours; remove business_hours to be always open")
	}
	b.week(func(key string, err error) { v.at("business_hours."+key, "%v", err) })
	for i, h := range b.Holidays {
		if _, err := parseDate(h); err != nil {
			v.at(fmt.Sprintf("business_hours.holidays[%d]", i), "%v", err)
		}
	}
}

// rest checks the small sections: threads, incidents, digest, notices, ack,
// log.
func (v *validator) rest() {
	c := v.c
	if c.Threads.JoinWindow < 0 {
		v.at("threads.join_window", "must not be negative")
	}
	if c.Incidents.Enabled {
		if c.Incidents.MinCustomers < 1 {
			v.at("incidents.min_customers", "must be at least 1")
		}
		if c.Incidents.Window <= 0 {
			v.at("incidents.window", "must be more than 0")
		}
	}
	v.digest()
	if c.Notices.CoalesceAfter < 1 {
		v.at("notices.coalesce_after", "must be at least 1")
	}
	if c.Notices.FollowUp && !c.Notices.Coalesce {
		v.at("notices.follow_up", "has no effect while notices.coalesce is false")
	}
	for _, lang := range slices.Sorted(maps.Keys(c.Ack.Text)) {
		if lang != "en" && lang != "ko" {
			v.at("ack.text."+lang, "unknown language (en, ko)")
		} else if c.Ack.Enabled && strings.TrimSpace(c.Ack.Text[lang]) == "" {
			v.at("ack.text."+lang, "must not be empty while ack is enabled")
		}
	}
	v.csat()
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		v.at("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		v.at("log.format", "%q is not text or json", c.Log.Format)
	}
}

func (v *validator) digest() {
	d := v.c.Digest
	if _, err := parseClock(d.At, false); err != nil {
		v.at("digest.at", "%v", err)
	}
	if d.Timezone != "" {
		v.timezone("digest.timezone", d.Timezone)
	}
	if !d.Enabled {
		return
	}
	if d.SlackChannel == "" && d.DiscordChannel == "" {
		v.at("digest", "enabled, but neither slack_channel nor discord_channel is set")
	}
	if d.SlackChannel != "" && (v.c.Slack == nil || !v.c.Slack.Enabled) {
		v.at("digest.slack_channel", "slack is not enabled")
	}
	if d.DiscordChannel != "" && (v.c.Discord == nil || !v.c.Discord.Enabled) {
		v.at("digest.discord_channel", "discord is not enabled")
	}
}

func (v *validator) csat() {
	c := v.c.CSAT
	if c.NotifyBelow < 1 || c.NotifyBelow > 6 {
		v.at("csat.notify_below", "%d is not a score from 1 to 6 (scores are 1–5; a score below it tells the owner and triage, so 1 tells nobody and 6 tells of every answer)", c.NotifyBelow)
	}
	for _, lang := range slices.Sorted(maps.Keys(c.Text)) {
		if lang != "en" && lang != "ko" {
			v.at("csat.text."+lang, "unknown language (en, ko)")
		} else if c.Enabled && strings.TrimSpace(c.Text[lang]) == "" {
			v.at("csat.text."+lang, "must not be empty while csat is enabled")
		}
	}
}
