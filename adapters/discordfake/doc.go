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
// websocket dial needs no rewriting; READY's resume_gateway_url is
// another path of the fake (ResumeURL).
//
// The fake scripts a community: guilds, channels, threads, members with
// roles; customers post (Post), react (React), run slash commands
// (SlashCommand), press buttons (Click) and choose in select menus
// (Select). It records every REST call
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
// The fake enforces what Discord asks of a client, refusing each mistake
// as Discord would and recording it (Violations), so that a client's
// tests catch them:
//
//   - a RESUME must go to READY's resume_gateway_url: one at the gateway
//     URL gets op 9 and the session is lost;
//   - after op 9 the client must wait (Discord: a random 1–5 s) before it
//     IDENTIFYs: one sooner than 1 s, by Options.Now, is closed with 4008;
//   - a client that closes with 1000 or 1001 ends its session (also when
//     answering the server's close frame, e.g. CloseWith(4000)): a
//     RESUME after it gets op 9. A client that means to resume closes
//     with another code.
//
// Threads: AddThread, ArchiveThread (a message posted in an archived
// thread unarchives it); GET /guilds/{id}/threads/active and GET
// /channels/{id}/threads/archived/public answer as Discord's do.
//
// # Caveats
//
// Only what openear uses is implemented; unknown routes answer 404. Options
// of slash commands are typed from the commands the bot registered (a USER
// option carries a user id); anything else is a string. Rate limits are
// those injected with FailNext and, when Options.PostLimit is set, the
// per-channel limit on new messages (DiscordPostLimit: 5 per 5 s, a window
// starting with the first post after the last window ended; X-RateLimit
// headers on every post, 429 with a JSON retry_after past it); the global
// limit is not modelled. Posts and edits are checked as Discord checks
// them: at most 5 action rows, 5 buttons or one select menu a row, unique
// custom ids of at most 100 characters, 1 to 25 select options, embed
// lengths (400, code 50035).
package discordfake
