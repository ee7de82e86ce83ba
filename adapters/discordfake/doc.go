// Package discordfake is an in-process Discord for tests and the demo: the
// REST API (under /api/v9/) and the gateway websocket, served by an
// httptest.Server and spoken to by an unmodified discordgo session.
//
// A session is pointed at the fake per session, never through discordgo's
// global Endpoint* variables, so tests may run in parallel:
//
//	fake := discordfake.New(discordfake.Options{Token: "tok", BotID: "900"})
//	defer fake.Close()
//	s, _ := discordgo.New("Bot tok")
//	s.Client = &http.Client{Transport: fake.Transport()}
//
// GET /api/v9/gateway answers with the fake's own ws:// URL, so the
// websocket dial needs no rewriting.
//
// The fake scripts a community: guilds, channels, threads, members with
// roles; customers post (Post), react (React), run slash commands
// (SlashCommand) and press buttons (Click). It records every REST call
// (Calls), the messages the bot posted with the allowed_mentions it set
// (Messages) and the interaction responses (Responses), and it injects
// faults (FailNext) and gateway events (Reconnect, InvalidSession, Drop,
// CloseWith). A bot not yet invited to any guild (Options.NotInvited)
// gets a READY without guilds and neither hears nor reads them until
// Invite.
//
// # Gateway model
//
// One bot, one gateway session at a time. IDENTIFY starts a new session
// (READY, then a GUILD_CREATE per guild); every dispatch of the session is
// kept with its sequence number, so RESUME replays what the client missed,
// like Discord. While no session exists (before IDENTIFY, after
// InvalidSession) dispatches are lost, like Discord: the client must
// backfill over REST.
//
// # Caveats
//
// Only what openear uses is implemented; unknown routes answer 404. Options
// of slash commands are typed from the commands the bot registered (a USER
// option carries a user id); anything else is a string. Rate limits are
// only those injected with FailNext.
package discordfake
