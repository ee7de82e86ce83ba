package discord_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/discordfake"
)

// logBuf is a goroutine-safe log sink.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestInviteURLWhenInNoServer: a bot nobody has invited yet starts, says
// so with the invite URL (its application id, the permissions it needs),
// hears nothing of the server, and works once invited.
func TestInviteURLWhenInNoServer(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Options{NotInvited: true})
	rec := newRecorder()
	logs := &logBuf{}
	cfg := config(fake)
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	a, err := discord.New(cfg, rec)
	if err != nil {
		t.Fatal(err)
	}
	start(t, fake, a)
	want := "https://discord.com/oauth2/authorize?client_id=" + botID + "&scope=bot+applications.commands&permissions=274877991936"
	if l := logs.String(); !strings.Contains(l, "the bot is in no server yet") || !strings.Contains(l, want) {
		t.Fatalf("no invite URL in the log:\n%s", l)
	}
	before := fake.Post(watched, customer, "before the invite", "")
	fake.Invite()
	after := fake.Post(watched, customer, "after the invite", "")
	rec.waitEvent(t, "discord:msg:"+after.ID)
	if count(rec.Events(), "discord:msg:"+before.ID) != 0 {
		t.Error("a message of a server the bot was not in reached it")
	}
	if l := logs.String(); !strings.Contains(l, "invited to a server") {
		t.Errorf("the invite was not logged:\n%s", l)
	}
}

// TestNoInviteURLWhenInvited: a bot already in a server prints no invite.
func TestNoInviteURLWhenInvited(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Options{})
	logs := &logBuf{}
	cfg := config(fake)
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	a, err := discord.New(cfg, newRecorder())
	if err != nil {
		t.Fatal(err)
	}
	start(t, fake, a)
	if l := logs.String(); strings.Contains(l, "invite") {
		t.Fatalf("invited bot logged an invite:\n%s", l)
	}
}

// TestNeeds: the invite URL's permissions are the channel permissions
// the adapter needs, named with every intent for `openear check`.
func TestNeeds(t *testing.T) {
	perms := int64(discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
		discordgo.PermissionSendMessagesInThreads | discordgo.PermissionEmbedLinks | discordgo.PermissionReadMessageHistory)
	if discord.Permissions != perms || perms != 274877991936 {
		t.Fatalf("Permissions = %d, want %d", discord.Permissions, perms)
	}
	if got := discord.InviteURL(""); !strings.Contains(got, "client_id=APP_ID&") {
		t.Fatalf("InviteURL() = %s", got)
	}
	var names []string
	for _, n := range discord.NeededIntents() {
		names = append(names, "intent "+n.Name)
	}
	for _, n := range discord.NeededPermissions() {
		names = append(names, "permission "+n.Name)
	}
	want := []string{"intent Guilds", "intent Guild Messages", "intent Direct Messages", "intent Message Content",
		"intent Guild Message Reactions", "permission View Channels", "permission Send Messages",
		"permission Send Messages in Threads", "permission Embed Links", "permission Read Message History"}
	if !slices.Equal(names, want) {
		t.Errorf("needs %q, want %q", names, want)
	}
}

// TestCheckToken: what `openear check -online` learns over REST alone.
func TestCheckToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := newFake(t, discordfake.Options{})
	st, err := discord.CheckToken(ctx, config(fake))
	if err != nil {
		t.Fatal(err)
	}
	if st.UserID != botID || st.AppID != botID || st.Guilds != 1 || !st.MessageContent || len(st.Unreachable) != 0 {
		t.Fatalf("status = %+v", st)
	}
	if n := len(fake.Calls("GET /gateway")); n != 0 {
		t.Fatalf("the gateway was asked for %d times", n)
	}

	lone := newFake(t, discordfake.Options{NotInvited: true, MessageContentDisabled: true})
	cfg := config(lone)
	cfg.Channels = append(cfg.Channels, "999")
	st, err = discord.CheckToken(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{triage + " (Missing Access)", watched + " (Missing Access)", "999 (Unknown Channel)"}
	if st.Guilds != 0 || st.MessageContent || !slices.Equal(st.Unreachable, want) {
		t.Fatalf("status = %+v", st)
	}

	bad := config(fake)
	bad.Token = "wrong"
	if _, err := discord.CheckToken(ctx, bad); err == nil || !strings.Contains(err.Error(), "/users/@me") {
		t.Fatalf("wrong token: %v", err)
	}
}
