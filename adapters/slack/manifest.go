package slack

import (
	"bytes"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Manifest is the part of a Slack app manifest (the YAML or JSON pasted
// into "Create New App → From a manifest") that openear depends on.
// deploy/slack-manifest.yaml (Socket Mode) and
// deploy/slack-manifest-events-api.yaml (Events API) are openear's.
type Manifest struct {
	Metadata struct {
		MajorVersion int `yaml:"major_version"`
		MinorVersion int `yaml:"minor_version"`
	} `yaml:"_metadata"`
	DisplayInformation struct {
		Name            string `yaml:"name"`
		Description     string `yaml:"description"`
		LongDescription string `yaml:"long_description"`
		BackgroundColor string `yaml:"background_color"`
	} `yaml:"display_information"`
	Features struct {
		AppHome struct {
			HomeTabEnabled             bool `yaml:"home_tab_enabled"`
			MessagesTabEnabled         bool `yaml:"messages_tab_enabled"`
			MessagesTabReadOnlyEnabled bool `yaml:"messages_tab_read_only_enabled"`
		} `yaml:"app_home"`
		BotUser *struct {
			DisplayName  string `yaml:"display_name"`
			AlwaysOnline bool   `yaml:"always_online"`
		} `yaml:"bot_user"`
		SlashCommands []SlashCommand `yaml:"slash_commands"`
	} `yaml:"features"`
	OAuthConfig struct {
		RedirectURLs []string `yaml:"redirect_urls"`
		Scopes       struct {
			Bot  []string `yaml:"bot"`
			User []string `yaml:"user"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		EventSubscriptions struct {
			RequestURL string   `yaml:"request_url"`
			BotEvents  []string `yaml:"bot_events"`
			UserEvents []string `yaml:"user_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			IsEnabled             bool   `yaml:"is_enabled"`
			RequestURL            string `yaml:"request_url"`
			MessageMenuOptionsURL string `yaml:"message_menu_options_url"`
		} `yaml:"interactivity"`
		OrgDeployEnabled     bool `yaml:"org_deploy_enabled"`
		SocketModeEnabled    bool `yaml:"socket_mode_enabled"`
		TokenRotationEnabled bool `yaml:"token_rotation_enabled"`
	} `yaml:"settings"`
}

// SlashCommand is a slash command of a Manifest.
type SlashCommand struct {
	Command      string `yaml:"command"`
	URL          string `yaml:"url"` // Events API only
	Description  string `yaml:"description"`
	UsageHint    string `yaml:"usage_hint"`
	ShouldEscape bool   `yaml:"should_escape"`
}

// ParseManifest reads a manifest in YAML (or JSON, a subset of YAML).
// Keys this type does not know are an error: in a manifest of openear's
// they are typos that Slack would reject or ignore.
func ParseManifest(data []byte) (Manifest, error) {
	var m Manifest
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("slack manifest: %w", err)
	}
	return m, nil
}

// CheckManifest returns what an app created from m lacks for an adapter
// with cfg (the scopes and events of Scopes and Events, the /openear
// command, interactivity), and what m asks for that openear never uses (a
// scope nobody needs is a permission a workspace admin grants for
// nothing), one problem a line; none when m fits. Socket Mode
// (cfg.AppToken set) needs socket_mode_enabled; the Events API needs it
// off and https request URLs ending in openear's paths. The DM scope and
// event are needed only when cfg.DMs, and never count as unused.
func CheckManifest(m Manifest, cfg Config) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	all := cfg
	all.DMs = true // what openear may use with some config

	if m.DisplayInformation.Name == "" {
		add("display_information.name is missing (Slack requires it)")
	}
	if m.Features.BotUser == nil || m.Features.BotUser.DisplayName == "" {
		add("features.bot_user.display_name is missing: without a bot user there is no bot token")
	}
	for _, s := range Scopes(cfg) {
		if !slices.Contains(m.OAuthConfig.Scopes.Bot, s) {
			add("oauth_config.scopes.bot lacks %s, which openear needs (%s)", s, whyScope(s))
		}
	}
	for _, s := range m.OAuthConfig.Scopes.Bot {
		if !slices.Contains(Scopes(all), s) {
			add("oauth_config.scopes.bot has %s, which openear does not use", s)
		}
	}
	if len(m.OAuthConfig.Scopes.User) > 0 {
		add("oauth_config.scopes.user has %s: openear uses no user token", strings.Join(m.OAuthConfig.Scopes.User, ", "))
	}
	subs := m.Settings.EventSubscriptions
	for _, e := range Events(cfg) {
		if !slices.Contains(subs.BotEvents, e) {
			add("settings.event_subscriptions.bot_events lacks %s, which openear handles", e)
		}
	}
	for _, e := range subs.BotEvents {
		if !slices.Contains(Events(all), e) {
			add("settings.event_subscriptions.bot_events has %s, which openear ignores", e)
		}
	}
	if len(subs.UserEvents) > 0 {
		add("settings.event_subscriptions.user_events has %s: openear uses no user events", strings.Join(subs.UserEvents, ", "))
	}
	if home := m.Features.AppHome; cfg.DMs && (!home.MessagesTabEnabled || home.MessagesTabReadOnlyEnabled) {
		add("features.app_home: slack.dms needs messages_tab_enabled: true and messages_tab_read_only_enabled: false, or nobody can write to the bot")
	}
	var cmd *SlashCommand
	for i, c := range m.Features.SlashCommands {
		if c.Command == "/openear" {
			cmd = &m.Features.SlashCommands[i]
		}
	}
	switch {
	case cmd == nil:
		add("features.slash_commands lacks /openear")
	case cmd.Description == "":
		add("features.slash_commands: /openear needs a description (Slack requires it)")
	case !cmd.ShouldEscape:
		add("features.slash_commands: /openear needs should_escape: true, so that `assign <id> @user` names a user id")
	}
	if !m.Settings.Interactivity.IsEnabled {
		add("settings.interactivity.is_enabled must be true: the triage notices have buttons")
	}
	socket := cfg.AppToken != ""
	if m.Settings.SocketModeEnabled != socket {
		if socket {
			add("settings.socket_mode_enabled must be true: the config has slack.app_token (Socket Mode)")
		} else {
			add("settings.socket_mode_enabled must be false: the config has no slack.app_token (Events API)")
		}
	}
	if !socket {
		checkURL := func(key, u, path string) {
			p, err := url.Parse(u)
			switch {
			case u == "":
				add("%s is missing: the Events API needs it (https://<your host>%s)", key, path)
			case err != nil || p.Scheme != "https" || p.Host == "":
				add("%s %q is not an https URL", key, u)
			case !strings.HasSuffix(strings.TrimSuffix(p.Path, "/"), path):
				add("%s %q does not end in %s, where openear serves it", key, u, path)
			}
		}
		checkURL("settings.event_subscriptions.request_url", subs.RequestURL, "/slack/events")
		checkURL("settings.interactivity.request_url", m.Settings.Interactivity.RequestURL, "/slack/interactive")
		if cmd != nil {
			checkURL("features.slash_commands /openear url", cmd.URL, "/slack/commands")
		}
	}
	return problems
}

// whyScope says what needs a scope: Web API methods, events, the command.
func whyScope(scope string) string {
	var why []string
	for _, m := range slices.Sorted(maps.Keys(webAPI)) {
		if slices.Contains(webAPI[m], scope) {
			why = append(why, m)
		}
	}
	for _, e := range botEvents {
		if e.scope == scope {
			why = append(why, "event "+e.name)
		}
	}
	if scope == commandScope {
		why = append(why, "/openear")
	}
	return strings.Join(why, ", ")
}
