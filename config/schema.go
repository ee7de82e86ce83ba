package config

import "go.yaml.in/yaml/v3"

// This file is the schema: which keys each section has and how each value
// is decoded. Every key listed here is documented in doc.go.

func (d *decoder) config(n *yaml.Node, c *Config) {
	d.mapping(n, "", fields{
		"storage": d.section(fields{
			"path":     d.str(&c.Storage.Path),
			"postgres": d.secret(&c.Storage.Postgres, "OPENEAR_POSTGRES_URL"),
			"lease":    d.duration(&c.Storage.Lease),
		}),
		"http": d.section(fields{
			"listen":     d.str(&c.HTTP.Listen),
			"advertise":  d.str(&c.HTTP.Advertise),
			"token":      d.secret(&c.HTTP.Token, "OPENEAR_HTTP_TOKEN"),
			"public_url": d.str(&c.HTTP.PublicURL),
		}),
		"locale": d.str(&c.Locale),
		"slack": func(n *yaml.Node, path string) {
			c.Slack = &Slack{Enabled: true}
			d.slack(n, path, c.Slack)
		},
		"discord": func(n *yaml.Node, path string) {
			c.Discord = &Discord{Enabled: true}
			d.discord(n, path, c.Discord)
		},
		"people":  d.people(&c.People),
		"teams":   d.teams(&c.Teams),
		"routing": d.routing(&c.Routing),
		"tags":    d.tags(&c.Tags),
		"sla":     d.sla(&c.SLA),
		"business_hours": func(n *yaml.Node, path string) {
			c.BusinessHours = &BusinessHours{}
			d.businessHours(n, path, c.BusinessHours)
		},
		"threads": d.section(fields{
			"join_window": d.duration(&c.Threads.JoinWindow),
		}),
		"incidents": d.section(fields{
			"enabled":       d.boolean(&c.Incidents.Enabled),
			"min_customers": d.integer(&c.Incidents.MinCustomers),
			"window":        d.duration(&c.Incidents.Window),
		}),
		"digest": d.section(fields{
			"enabled":         d.boolean(&c.Digest.Enabled),
			"at":              d.str(&c.Digest.At),
			"timezone":        d.str(&c.Digest.Timezone),
			"slack_channel":   d.str(&c.Digest.SlackChannel),
			"discord_channel": d.str(&c.Digest.DiscordChannel),
		}),
		"ack": d.section(fields{
			"enabled": d.boolean(&c.Ack.Enabled),
			"text":    d.strMap(&c.Ack.Text),
		}),
		"csat": d.section(fields{
			"enabled":      d.boolean(&c.CSAT.Enabled),
			"notify_below": d.integer(&c.CSAT.NotifyBelow),
			"text":         d.strMap(&c.CSAT.Text),
		}),
		"notices": d.section(fields{
			"coalesce":       d.boolean(&c.Notices.Coalesce),
			"coalesce_after": d.integer(&c.Notices.CoalesceAfter),
			"follow_up":      d.boolean(&c.Notices.FollowUp),
		}),
		"log": d.section(fields{
			"level":  d.str(&c.Log.Level),
			"format": d.str(&c.Log.Format),
		}),
	})
}

// section decodes a mapping with the given keys.
func (d *decoder) section(fs fields) field {
	return func(n *yaml.Node, path string) { d.mapping(n, path, fs) }
}

func (d *decoder) slack(n *yaml.Node, path string, s *Slack) {
	d.mapping(n, path, fields{
		"enabled":        d.boolean(&s.Enabled),
		"bot_token":      d.secret(&s.BotToken, "SLACK_BOT_TOKEN"),
		"app_token":      d.secret(&s.AppToken, "SLACK_APP_TOKEN"),
		"signing_secret": d.secret(&s.SigningSecret, "SLACK_SIGNING_SECRET"),
		"api_url":        d.str(&s.APIURL),
		"triage_channel": d.str(&s.TriageChannel),
		"channels":       d.strs(&s.Channels),
		"dms":            d.boolean(&s.DMs),
		"staff":          d.strs(&s.Staff),
		"locale":         d.str(&s.Locale),
	})
}

func (d *decoder) discord(n *yaml.Node, path string, s *Discord) {
	d.mapping(n, path, fields{
		"enabled":        d.boolean(&s.Enabled),
		"token":          d.secret(&s.Token, "DISCORD_BOT_TOKEN"),
		"api_url":        d.str(&s.APIURL),
		"triage_channel": d.str(&s.TriageChannel),
		"channels":       d.strs(&s.Channels),
		"dms":            d.boolean(&s.DMs),
		"staff_roles":    d.strs(&s.StaffRoles),
		"staff":          d.strs(&s.Staff),
		"locale":         d.str(&s.Locale),
	})
}

func (d *decoder) people(dst *[]Person) field {
	return func(n *yaml.Node, path string) {
		d.list(n, path, func(n *yaml.Node, path string) {
			var p Person
			d.mapping(n, path, fields{
				"name":     d.str(&p.Name),
				"slack":    d.str(&p.Slack),
				"discord":  d.str(&p.Discord),
				"timezone": d.str(&p.Timezone),
				"locale":   d.str(&p.Locale),
			})
			*dst = append(*dst, p)
		})
	}
}

func (d *decoder) teams(dst *[]Team) field {
	return func(n *yaml.Node, path string) {
		d.list(n, path, func(n *yaml.Node, path string) {
			t := Team{Strategy: RoundRobin}
			d.mapping(n, path, fields{
				"name":     d.str(&t.Name),
				"members":  d.strs(&t.Members),
				"strategy": d.str(&t.Strategy),
			})
			*dst = append(*dst, t)
		})
	}
}

func (d *decoder) routing(dst *[]Rule) field {
	return func(n *yaml.Node, path string) {
		d.list(n, path, func(n *yaml.Node, path string) {
			var r Rule
			d.mapping(n, path, fields{
				"match": d.section(fields{
					"tags":      d.strs(&r.Match.Tags),
					"channels":  d.strs(&r.Match.Channels),
					"platforms": d.strs(&r.Match.Platforms),
					"keywords":  d.strs(&r.Match.Keywords),
				}),
				"team":   d.str(&r.Team),
				"person": d.str(&r.Person),
			})
			*dst = append(*dst, r)
		})
	}
}

func (d *decoder) tags(dst *[]TagRule) field {
	return func(n *yaml.Node, path string) {
		d.list(n, path, func(n *yaml.Node, path string) {
			var t TagRule
			d.mapping(n, path, fields{
				"name":     d.str(&t.Name),
				"keywords": d.strs(&t.Keywords),
				"regex":    d.str(&t.Regex),
			})
			*dst = append(*dst, t)
		})
	}
}

func (d *decoder) sla(s *SLA) field {
	return d.section(fields{
		"first_reply": d.duration(&s.FirstReply),
		"next_reply":  d.duration(&s.NextReply),
		"per_tag": func(n *yaml.Node, path string) {
			d.dict(n, path, func(tag string, v *yaml.Node, p string) {
				var t Duration
				if d.durationValue(v, p, &t) {
					s.PerTag[tag] = t
				}
			})
		},
		"remind_at":      d.floats(&s.RemindAt),
		"escalate_after": d.float(&s.EscalateAfter),
	})
}

func (d *decoder) businessHours(n *yaml.Node, path string, b *BusinessHours) {
	d.mapping(n, path, fields{
		"timezone": d.str(&b.Timezone),
		"week": func(n *yaml.Node, path string) {
			d.dict(n, path, func(days string, v *yaml.Node, p string) {
				if b.Week == nil {
					b.Week = map[string][]string{}
				}
				var spans []string
				d.strs(&spans)(v, p)
				b.Week[days] = spans
			})
		},
		"holidays": d.strs(&b.Holidays),
	})
}

// strMap decodes a mapping of strings over the defaults already in *dst.
func (d *decoder) strMap(dst *map[string]string) field {
	return func(n *yaml.Node, path string) {
		d.dict(n, path, func(key string, v *yaml.Node, p string) {
			if s, _, ok := d.scalar(v, p); ok {
				if *dst == nil {
					*dst = map[string]string{}
				}
				(*dst)[key] = s
			}
		})
	}
}
