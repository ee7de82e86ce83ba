package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/config"
)

// Finding is one line of `openear check` about a platform: what it needs,
// or (Problem) what stands in the way.
type Finding struct {
	Platform string // "slack" or "discord"
	Text     string
	Problem  bool
}

func (f Finding) String() string { return f.Platform + ": " + f.Text }

// slackConfig is the part of the adapter's config check needs.
func slackConfig(s *config.Slack) slack.Config {
	return slack.Config{BotToken: s.BotToken.Reveal(), AppToken: s.AppToken.Reveal(), SigningSecret: s.SigningSecret.Reveal(),
		APIURL: s.APIURL, TriageChannel: s.TriageChannel, Channels: s.Channels, DMs: s.DMs, Staff: s.Staff}
}

func discordConfig(d *config.Discord) discord.Config {
	return discord.Config{Token: d.Token.Reveal(), APIURL: d.APIURL, TriageChannel: d.TriageChannel,
		Channels: d.Channels, DMs: d.DMs, StaffRoles: d.StaffRoles, Staff: d.Staff}
}

// Needs says, without asking anyone, what the enabled platforms need for
// cfg: the Slack app (its manifest, bot scopes and events) and the
// Discord bot (gateway intents, channel permissions, the invite URL).
func Needs(cfg config.Config) []Finding {
	var out []Finding
	if s := cfg.Slack; s != nil && s.Enabled {
		sc := slackConfig(s)
		how := "Socket Mode (slack.app_token is set): create the app from deploy/slack-manifest.yaml"
		if sc.AppToken == "" {
			how = "Events API (no slack.app_token): create the app from deploy/slack-manifest-events-api.yaml, its URLs pointing at http.listen"
		}
		out = append(out,
			Finding{Platform: "slack", Text: how},
			Finding{Platform: "slack", Text: "bot scopes: " + strings.Join(slack.Scopes(sc), ", ")},
			Finding{Platform: "slack", Text: "bot events: " + strings.Join(slack.Events(sc), ", ")})
		if sc.APIURL != "" {
			if base, err := slack.APIBase(sc.APIURL); err == nil {
				out = append(out, Finding{Platform: "slack", Text: "Web API at " + base + " (slack.api_url)"})
			}
		}
	}
	if d := cfg.Discord; d != nil && d.Enabled {
		var intents, perms []string
		for _, n := range discord.NeededIntents() {
			intents = append(intents, n.Name)
		}
		for _, n := range discord.NeededPermissions() {
			perms = append(perms, n.Name)
		}
		out = append(out,
			Finding{Platform: "discord", Text: "gateway intents: " + strings.Join(intents, ", ") +
				" (Message Content is privileged: switch it on under Developer Portal → Bot → Privileged Gateway Intents)"},
			Finding{Platform: "discord", Text: fmt.Sprintf("channel permissions: %s (%d)", strings.Join(perms, ", "), discord.Permissions)},
			Finding{Platform: "discord", Text: "invite URL: " + discord.InviteURL("")})
		if d.APIURL != "" {
			if base, err := discord.APIBase(d.APIURL); err == nil {
				out = append(out, Finding{Platform: "discord", Text: "REST API at " + base.String() + "/api/v9/… (discord.api_url)"})
			}
		}
	}
	return out
}

// CheckManifest compares a Slack app manifest with what cfg needs.
func CheckManifest(cfg config.Config, data []byte) ([]Finding, error) {
	if cfg.Slack == nil || !cfg.Slack.Enabled {
		return nil, fmt.Errorf("a Slack manifest, but slack is not enabled in the config")
	}
	m, err := slack.ParseManifest(data)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, p := range slack.CheckManifest(m, slackConfig(cfg.Slack)) {
		out = append(out, Finding{Platform: "slack", Text: "manifest: " + p, Problem: true})
	}
	if len(out) == 0 {
		out = append(out, Finding{Platform: "slack", Text: "manifest: has what the config needs"})
	}
	return out, nil
}

// Online asks Slack and Discord, with the config's tokens, what they
// know of the bot: whether the tokens are accepted, which Slack scopes
// the bot token lacks, whether the Discord bot is in a server, has the
// Message Content intent and sees every configured channel. It sends no
// message and opens no connection (Slack's apps.connections.open only
// hands out a URL). Secrets never appear in the findings.
func Online(ctx context.Context, cfg config.Config) []Finding {
	var out []Finding
	if s := cfg.Slack; s != nil && s.Enabled {
		out = append(out, slackOnline(ctx, slackConfig(s))...)
	}
	if d := cfg.Discord; d != nil && d.Enabled {
		out = append(out, discordOnline(ctx, discordConfig(d))...)
	}
	r := newRedactor(nil, cfg.SecretValues())
	for i := range out {
		out[i].Text = r.scrub(out[i].Text)
	}
	return out
}

func slackOnline(ctx context.Context, sc slack.Config) []Finding {
	tok, err := slack.CheckToken(ctx, sc)
	if err != nil {
		return []Finding{{Platform: "slack", Text: err.Error() + ": check SLACK_BOT_TOKEN / SLACK_APP_TOKEN and slack.api_url", Problem: true}}
	}
	out := []Finding{{Platform: "slack", Text: fmt.Sprintf("the bot token is the bot user %s of team %s (%s)", tok.User, tok.Team, tok.URL)}}
	switch {
	case tok.Granted == nil:
		out = append(out, Finding{Platform: "slack", Text: "Slack did not say which scopes the token has (no X-OAuth-Scopes); not checked"})
	case len(tok.Missing) > 0:
		out = append(out, Finding{Platform: "slack", Problem: true, Text: "the bot token lacks the scopes " + strings.Join(tok.Missing, ", ") +
			": add them to the app (deploy/slack-manifest.yaml has them) and reinstall it"})
	default:
		out = append(out, Finding{Platform: "slack", Text: "the bot token has every scope openear needs"})
	}
	if sc.AppToken != "" {
		out = append(out, Finding{Platform: "slack", Text: "the app token opens Socket Mode connections"})
	}
	return out
}

func discordOnline(ctx context.Context, dc discord.Config) []Finding {
	st, err := discord.CheckToken(ctx, dc)
	if err != nil {
		return []Finding{{Platform: "discord", Text: err.Error() + ": check DISCORD_BOT_TOKEN and discord.api_url", Problem: true}}
	}
	out := []Finding{{Platform: "discord", Text: fmt.Sprintf("the token is the bot %s (%s), in %d server(s)", st.User, st.UserID, st.Guilds)}}
	if st.Guilds == 0 {
		out = append(out, Finding{Platform: "discord", Problem: true, Text: "the bot is in no server yet: invite it with " + discord.InviteURL(st.AppID)})
	}
	if !st.MessageContent {
		out = append(out, Finding{Platform: "discord", Problem: true,
			Text: "the Message Content intent is off: switch it on under Developer Portal → Bot → Privileged Gateway Intents"})
	}
	for _, ch := range st.Unreachable {
		if st.Guilds == 0 {
			break // said above
		}
		out = append(out, Finding{Platform: "discord", Problem: true, Text: "the bot cannot see channel " + ch + ": invite it, or give it View Channels there"})
	}
	return out
}
