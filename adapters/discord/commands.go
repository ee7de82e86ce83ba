package discord

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// commandName is the application command openear registers.
const commandName = "openear"

type option struct {
	name, desc string
	user       bool // a USER option: its value becomes a <@id> mention
	required   bool
}

type subcommand struct {
	name, desc string
	opts       []option
}

var (
	optID = option{"id", "Thread number, e.g. 42", false, true}
	// subcommands are the /openear subcommands; each maps to the command
	// line "<name> <option values in this order>", the language shared
	// with mentions and Slack.
	subcommands = []subcommand{
		{"help", "What openear can do", nil},
		{"mine", "Your open threads", nil},
		{"open", "All open threads", nil},
		{"claim", "Take a thread", []option{optID}},
		{"assign", "Give a thread to someone", []option{optID, {"user", "The new owner", true, true}}},
		{"snooze", "Snooze a thread", []option{optID, {"duration", "How long, e.g. 1h (default 1h)", false, false}}},
		{"resolve", "Close a thread", []option{optID}},
		{"reopen", "Open a resolved thread again", []option{optID}},
		{"tag", "Add a tag to a thread (a correction that sticks)", []option{optID, {"tag", "Tag name", false, true}}},
		{"untag", "Remove a tag from a thread (a correction that sticks)", []option{optID, {"tag", "Tag name", false, true}}},
		{"stats", "Reply-time statistics", []option{{"period", "e.g. 30d (default 7d)", false, false}}},
		{"incident", "Incidents", []option{
			{"id", "Incident number", false, true},
			{"action", "update, resolve or show (default show)", false, false},
			{"text", "The update to post into every linked thread", false, false},
		}},
		{"login", "A one-time sign-in link for the dashboard, by DM", nil},
	}
)

// applicationCommands is the /openear command as registered with Discord.
func applicationCommands() []*discordgo.ApplicationCommand {
	cmd := &discordgo.ApplicationCommand{Name: commandName, Description: "Customer threads: claim, assign, snooze, resolve…",
		Type: discordgo.ChatApplicationCommand}
	for _, sc := range subcommands {
		sub := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: sc.name, Description: sc.desc}
		for _, o := range sc.opts {
			typ := discordgo.ApplicationCommandOptionString
			if o.user {
				typ = discordgo.ApplicationCommandOptionUser
			}
			sub.Options = append(sub.Options, &discordgo.ApplicationCommandOption{Type: typ, Name: o.name, Description: o.desc, Required: o.required})
		}
		cmd.Options = append(cmd.Options, sub)
	}
	return []*discordgo.ApplicationCommand{cmd}
}

// commandText turns an /openear invocation into its command line ("claim
// 42", "assign 42 <@7>"): the subcommand, then the values of its options
// in their declared order, whatever order Discord sent them in.
func commandText(d discordgo.ApplicationCommandInteractionData) (string, bool) {
	if d.Name != commandName || len(d.Options) != 1 || d.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand {
		return "", false
	}
	got := d.Options[0]
	for _, sc := range subcommands {
		if sc.name != got.Name {
			continue
		}
		words := []string{sc.name}
		for _, o := range sc.opts {
			for _, v := range got.Options {
				if v.Name != o.name || v.Value == nil {
					continue
				}
				s := strings.TrimSpace(fmt.Sprint(v.Value))
				if o.user || v.Type == discordgo.ApplicationCommandOptionUser {
					s = "<@" + s + ">"
				}
				if s != "" {
					words = append(words, s)
				}
			}
		}
		return strings.Join(words, " "), true
	}
	return "", false
}

// mentionCommand returns the command line of a message that starts with
// a mention of the bot ("<@ID> claim 42" or "<@!ID> claim 42").
func mentionCommand(content, botID string) (string, bool) {
	if botID == "" {
		return "", false
	}
	c := strings.TrimSpace(content)
	for _, p := range []string{"<@" + botID + ">", "<@!" + botID + ">"} {
		if rest, ok := strings.CutPrefix(c, p); ok {
			return strings.TrimSpace(rest), true
		}
	}
	return "", false
}
