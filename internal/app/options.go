package app

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/config"
)

// TagRules are the operator's tag rules of a config.
func TagRules(cfg config.Config) []tag.Rule {
	rules := make([]tag.Rule, 0, len(cfg.Tags))
	for _, t := range cfg.Tags {
		rules = append(rules, tag.Rule{Name: t.Name, Keywords: t.Keywords, Regex: t.Regex})
	}
	return rules
}

// BotOptions turns a validated config into the core's plain options. The
// store, clock, logger and observer are left to the caller.
func BotOptions(cfg config.Config) (bot.Options, error) {
	var o bot.Options
	tagger, err := tag.New(TagRules(cfg))
	if err != nil {
		return o, fmt.Errorf("tags: %w", err)
	}
	o.Tagger = tagger
	for _, p := range cfg.People {
		person := bot.Person{Name: p.Name, IDs: map[string]string{}, Locale: p.Locale}
		if p.Slack != "" {
			person.IDs[bot.Slack] = p.Slack
		}
		if p.Discord != "" {
			person.IDs[bot.Discord] = p.Discord
		}
		if p.Timezone != "" {
			loc, err := time.LoadLocation(p.Timezone)
			if err != nil {
				return o, fmt.Errorf("people %s: timezone: %w", p.Name, err)
			}
			person.Loc = loc
		}
		o.People = append(o.People, person)
	}
	for _, t := range cfg.Teams {
		o.Teams = append(o.Teams, bot.Team{Name: t.Name, Members: t.Members, Strategy: t.Strategy})
	}
	for _, r := range cfg.Routing {
		o.Rules = append(o.Rules, bot.Rule{Tags: r.Match.Tags, Channels: r.Match.Channels, Platforms: r.Match.Platforms,
			Keywords: r.Match.Keywords, Team: r.Team, Person: r.Person})
	}
	o.SLA = bot.SLA{FirstReply: cfg.SLA.FirstReply.D(), NextReply: cfg.SLA.NextReply.D(),
		PerTag: map[string]time.Duration{}, RemindAt: cfg.SLA.RemindAt, EscalateAfter: cfg.SLA.EscalateAfter}
	for tag, d := range cfg.SLA.PerTag {
		o.SLA.PerTag[tag] = d.D()
	}
	if bh := cfg.BusinessHours; bh != nil {
		loc, err := bh.Location()
		if err != nil {
			return o, err
		}
		days, err := bh.Days()
		if err != nil {
			return o, err
		}
		hols, err := bh.HolidayDates()
		if err != nil {
			return o, err
		}
		h := &bot.Hours{Loc: loc, Holidays: map[string]bool{}}
		for d, spans := range days {
			for _, s := range spans {
				h.Week[d] = append(h.Week[d], bot.Span{Start: s.Start, End: s.End})
			}
		}
		for _, d := range hols {
			h.Holidays[d] = true
		}
		o.Hours = h
	}
	o.JoinWindow = cfg.Threads.JoinWindow.D()
	o.Triage = map[string]string{}
	o.Locale, o.Locales = cfg.Locale, map[string]string{}
	if cfg.Slack != nil && cfg.Slack.Enabled {
		o.Triage[bot.Slack] = cfg.Slack.TriageChannel
		o.Locales[bot.Slack] = cfg.Slack.Locale
	}
	if cfg.Discord != nil && cfg.Discord.Enabled {
		o.Triage[bot.Discord] = cfg.Discord.TriageChannel
		o.Locales[bot.Discord] = cfg.Discord.Locale
	}
	o.Incidents = bot.IncidentOptions{Enabled: cfg.Incidents.Enabled, MinCustomers: cfg.Incidents.MinCustomers, Window: cfg.Incidents.Window.D()}
	o.Ack = bot.AckOptions{Enabled: cfg.Ack.Enabled, Text: cfg.Ack.Text}
	o.CSAT = bot.CSATOptions{Enabled: cfg.CSAT.Enabled, Text: cfg.CSAT.Text, NotifyBelow: cfg.CSAT.NotifyBelow}
	o.Notices = bot.NoticeOptions{NoCoalesce: !cfg.Notices.Coalesce, CoalesceAfter: cfg.Notices.CoalesceAfter, FollowUp: cfg.Notices.FollowUp}
	if d := cfg.Digest; d.Enabled {
		at, err := time.Parse("15:04", d.At)
		if err != nil {
			return o, fmt.Errorf("digest.at: %q is not a time of day like 09:00", d.At)
		}
		o.Digest = bot.DigestOptions{Enabled: true, At: time.Duration(at.Hour())*time.Hour + time.Duration(at.Minute())*time.Minute,
			Channels: map[string]string{bot.Slack: d.SlackChannel, bot.Discord: d.DiscordChannel}}
		if d.Timezone != "" {
			if o.Digest.Loc, err = time.LoadLocation(d.Timezone); err != nil {
				return o, fmt.Errorf("digest.timezone: %w", err)
			}
		}
	}
	return o, nil
}

// NewLogger builds the process logger from the config; every secret of
// the config is scrubbed from every record.
func NewLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	ho := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, ho)
	if cfg.Log.Format == "json" {
		h = slog.NewJSONHandler(w, ho)
	}
	return slog.New(newRedactor(h, cfg.SecretValues()))
}
