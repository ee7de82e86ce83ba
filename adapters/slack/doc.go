// Package slack connects openear to a Slack workspace: it hears customer
// messages, reactions, slash commands and button presses over Socket Mode
// or the Events API, turns them into bot.Events, and delivers bot.Actions
// (triage notices with buttons, DMs, thread posts) as a bot.Platform.
//
// Who is staff: a user listed in Config.Staff, or a member of the home team
// (the workspace auth.test names). In a Slack Connect channel a message's
// team/user_team says where its author comes from; an event without a team
// (reactions) is looked up with users.info, cached.
//
// Deliveries are acknowledged (Socket Mode ack, HTTP 2xx) only after the
// handler committed the event, so a failed event is redelivered by Slack;
// the core dedupes by event id and by channel+ts. After downtime and after
// every Socket Mode reconnection, backfill reads conversations.history from
// each watched channel's cursor.
//
// Socket Mode events are handled in lanes (adapters/internal/lanes), one
// per channel: in order within a channel, concurrently across channels, so
// that a burst shares the core's group commits instead of paying one fsync
// per event. The backfill of a (re)connection is a barrier: it runs after
// the events received before it and before those received after it.
// Events API deliveries are HTTP requests, each handled as it comes, in
// the server's goroutine for it.
//
// What the adapter needs from Slack is declared in scopes.go: every Web
// API method it calls with its bot scopes, the bot events it handles, the
// slash command. Scopes and Events derive from it; CheckManifest compares
// an app manifest with it (deploy/slack-manifest*.yaml are checked in the
// tests, and the tests fail when a method is called that the table lacks);
// at start Run warns of each needed scope that auth.test's X-OAuth-Scopes
// lacks, and CheckToken asks the same for `openear check -online`.
//
// # Caveats
//
//   - Slash commands and button presses are answered even when the handler
//     fails (with a generic reply): Slack does not redeliver them.
//   - Backfill covers watched channels, not DMs (their ids are not known in
//     advance), and finds new replies in threads whose parent is at most
//     Config.ThreadLookback older than the cursor.
//   - Request signatures are checked by this package (same algorithm as
//     slack.NewSecretsVerifier) so the clock can be injected.
//   - Message edits, bot messages and the bot's own messages are skipped
//     here; the core never sees them.
package slack
