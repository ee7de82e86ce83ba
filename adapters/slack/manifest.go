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
	c := &manifestCheck{m: m, cfg: cfg, all: cfg}
	c.all.DMs = true // what openear may use with some config
	c.app()
	c.scopes()
	c.events()
	c.command()
	c.transport()
	return c.problems
}

// manifestCheck collects the problems of a manifest, one part at a time.
type manifestCheck struct {
	m        Manifest
	cfg, all Config
	problems []string
}

func (c *manifestCheck) add(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func (c *manifestCheck) app() {
	if c.m.DisplayInformation.Name == "" {
		c.add("display_information.name is missing (Slack requires it)")
	}
	if c.m.Features.BotUser == nil || c.m.Features.BotUser.DisplayName == "" {
		c.add("features.bot_user.display_name is missing: without a bot user there is no bot token")
	}
	if home := c.m.Features.AppHome; c.cfg.DMs && (!home.MessagesTabEnabled || home.MessagesTabReadOnlyEnabled) {
		c.add("features.app_home: slack.dms needs messages_tab_enabled: true and messages_tab_read_only_enabled: false, or nobody can write to the bot")
	}
	if !c.m.Settings.Interactivity.IsEnabled {
		c.add("settings.interactivity.is_enabled must be true: the triage notices have buttons")
	}
}

func (c *manifestCheck) scopes() {
	bot := c.m.OAuthConfig.Scopes.Bot
	for _, s := range Scopes(c.cfg) {
		if !slices.Contains(bot, s) {
			c.add("oauth_config.scopes.bot lacks %s, which openear needs (%s)", s, whyScope(s))
		}
	}
	for _, s := range bot {
		if !slices.Contains(Scopes(c.all), s) {
			c.add("oauth_config.scopes.bot has %s, which openear does not use", s)
		}
	}
	if user := c.m.OAuthConfig.Scopes.User; len(user) > 0 {
		c.add("oauth_config.scopes.user has %s: openear uses no user token", strings.Join(user, ", "))
	}
}

func (c *manifestCheck) events() {
	subs := c.m.Settings.EventSubscriptions
	for _, e := range Events(c.cfg) {
		if !slices.Contains(subs.BotEvents, e) {
			c.add("settings.event_subscriptions.bot_events lacks %s, which openear handles", e)
		}
	}
	for _, e := range subs.BotEvents {
		if !slices.Contains(Events(c.all), e) {
			c.add("settings.event_subscriptions.bot_events has %s, which openear ignores", e)
		}
	}
	if len(subs.UserEvents) > 0 {
		c.add("settings.event_subscriptions.user_events has %s: openear uses no user events", strings.Join(subs.UserEvents, ", "))
	}
}

// slashCommand returns the manifest's /openear, or nil.
func (c *manifestCheck) slashCommand() *SlashCommand {
	for i, cmd := range c.m.Features.SlashCommands {
		if cmd.Command == "/openear" {
			return &c.m.Features.SlashCommands[i]
		}
	}
	return nil
}

func (c *manifestCheck) command() {
	switch cmd := c.slashCommand(); {
	case cmd == nil:
		c.add("features.slash_commands lacks /openear")
	case cmd.Description == "":
		c.add("features.slash_commands: /openear needs a description (Slack requires it)")
	case !cmd.ShouldEscape:
		c.add("features.slash_commands: /openear needs should_escape: true, so that `assign <id> @user` names a user id")
	}
}

// transport: Socket Mode with an app token; else the Events API, whose
// request URLs must reach openear's HTTP paths.
func (c *manifestCheck) transport() {
	socket := c.cfg.AppToken != ""
	switch {
	case c.m.Settings.SocketModeEnabled == socket:
	case socket:
		c.add("settings.socket_mode_enabled must be true: the config has slack.app_token (Socket Mode)")
	default:
		c.add("settings.socket_mode_enabled must be false: the config has no slack.app_token (Events API)")
	}
	if socket {
		return
	}
	c.requestURL("settings.event_subscriptions.request_url", c.m.Settings.EventSubscriptions.RequestURL, "/slack/events")
	c.requestURL("settings.interactivity.request_url", c.m.Settings.Interactivity.RequestURL, "/slack/interactive")
	if cmd := c.slashCommand(); cmd != nil {
		c.requestURL("features.slash_commands /openear url", cmd.URL, "/slack/commands")
	}
}

func (c *manifestCheck) requestURL(key, u, path string) {
	p, err := url.Parse(u)
	switch {
	case u == "":
		c.add("%s is missing: the Events API needs it (https://<your host>%s)", key, path)
	case err != nil || p.Scheme != "https" || p.Host == "":
		c.add("%s %q is not an https URL", key, u)
	case !strings.HasSuffix(strings.TrimSuffix(p.Path, "/"), path):
		c.add("%s %q does not end in %s, where openear serves it", key, u, path)
	}
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
