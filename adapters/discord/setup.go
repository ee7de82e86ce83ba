package discord

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/openear/openear/bot"
)

// A need is a gateway intent or a channel permission the adapter needs,
// with what for.
type need struct {
	bit  int64
	name string // as the Developer Portal and Discord's docs name it
	why  string
}

// intents are the gateway intents of Intents, named.
var intents = []need{
	{int64(discordgo.IntentsGuilds), "Guilds", "channels and threads of the server"},
	{int64(discordgo.IntentsGuildMessages), "Guild Messages", "customer messages in the watched channels"},
	{int64(discordgo.IntentsDirectMessages), "Direct Messages", "direct messages to the bot"},
	{int64(discordgo.IntentMessageContent), "Message Content", "the text of those messages; privileged: switch it on under Developer Portal → Bot → Privileged Gateway Intents"},
	{int64(discordgo.IntentsGuildMessageReactions), "Guild Message Reactions", "👀 claims and ✅ resolves"},
}

// permissions are what the bot does in the watched and triage channels.
var permissions = []need{
	{discordgo.PermissionViewChannel, "View Channels", "see the watched and triage channels"},
	{discordgo.PermissionSendMessages, "Send Messages", "triage notices, replies, reminders"},
	{discordgo.PermissionSendMessagesInThreads, "Send Messages in Threads", "answers in customer threads"},
	{discordgo.PermissionEmbedLinks, "Embed Links", "triage notices are embeds"},
	{discordgo.PermissionReadMessageHistory, "Read Message History", "backfill after downtime"},
}

// Permissions is the permissions integer of the invite URL: every
// channel permission the adapter needs.
var Permissions = sum(permissions)

func sum(ns []need) int64 {
	var p int64
	for _, n := range ns {
		p |= n.bit
	}
	return p
}

func init() {
	if sum(intents) != int64(Intents) {
		panic("discord: the intents table does not match Intents")
	}
}

// Need is a gateway intent or channel permission the adapter needs.
type Need struct {
	Name string // as the Developer Portal names it
	Why  string // what openear does with it
}

// NeededIntents are the gateway intents the adapter identifies with
// (Intents), named, with what each is for.
func NeededIntents() []Need { return named(intents) }

// NeededPermissions are the channel permissions of Permissions, named,
// with what each is for.
func NeededPermissions() []Need { return named(permissions) }

func named(ns []need) []Need {
	out := make([]Need, len(ns))
	for i, n := range ns {
		out[i] = Need{Name: n.name, Why: n.why}
	}
	return out
}

// InviteURL is the URL that adds the bot, with its slash command and
// Permissions, to a server; appID is the application id (Developer
// Portal → General Information; "APP_ID" when not known).
func InviteURL(appID string) string {
	if appID == "" {
		appID = "APP_ID"
	}
	return "https://discord.com/oauth2/authorize?client_id=" + url.QueryEscape(appID) +
		"&scope=bot+applications.commands&permissions=" + strconv.FormatInt(Permissions, 10)
}

// Application flags that say the Message Content intent is switched on
// (the second for bots in fewer than 100 servers).
const (
	flagMessageContent        = 1 << 18
	flagMessageContentLimited = 1 << 19
)

// Status is what Discord says about the bot (CheckToken).
type Status struct {
	User, UserID, AppID string
	Guilds              int  // servers the bot is in
	MessageContent      bool // the privileged intent is switched on
	// Unreachable are the configured channels the bot cannot see, each
	// with Discord's answer.
	Unreachable []string
}

// CheckToken asks Discord over REST, without opening the gateway or
// sending anything, who the token's bot is (GET /users/@me), whether its
// Message Content intent is switched on (GET /oauth2/applications/@me),
// how many servers it is in (GET /users/@me/guilds) and whether it can see
// every configured channel (GET /channels/{id}). `openear check -online`
// uses it. A rejected token is an error.
func CheckToken(ctx context.Context, cfg Config) (Status, error) {
	a, err := New(cfg, bot.NopHandler{})
	if err != nil {
		return Status{}, err
	}
	var st Status
	u, err := a.s.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return st, fmt.Errorf("discord GET /users/@me: %w", err)
	}
	st.User, st.UserID = u.Username, u.ID
	app, err := a.s.Application("@me")
	if err != nil {
		return st, fmt.Errorf("discord GET /oauth2/applications/@me: %w", err)
	}
	st.AppID = app.ID
	st.MessageContent = app.Flags&(flagMessageContent|flagMessageContentLimited) != 0
	guilds, err := a.s.UserGuilds(200, "", "", false, discordgo.WithContext(ctx))
	if err != nil {
		return st, fmt.Errorf("discord GET /users/@me/guilds: %w", err)
	}
	st.Guilds = len(guilds)
	for _, id := range append([]string{cfg.TriageChannel}, cfg.Channels...) {
		if id == "" {
			continue
		}
		if _, err := a.s.Channel(id, discordgo.WithContext(ctx)); err != nil {
			var re *discordgo.RESTError
			msg := err.Error()
			if errors.As(err, &re) && re.Message != nil {
				msg = re.Message.Message
			}
			st.Unreachable = append(st.Unreachable, id+" ("+strings.TrimSpace(msg)+")")
		}
	}
	return st, nil
}
