// Package slack connects openear to a Slack workspace: it hears customer
// messages, reactions, slash commands and button presses over Socket Mode
// or the Events API, turns them into bot.Events, and delivers bot.Actions
// (triage notices with buttons, DMs, thread posts) as a bot.Platform.
//
// Who is staff: a user listed in Config.Staff, or a member of the home team
// (the workspace auth.test names). In a Slack Connect channel a message's
// team/user_team says where its author comes from; an event without a team
// (reactions) is looked up with users.info, cached, waiting at most 2 s.
//
// Deliveries are acknowledged (Socket Mode ack, HTTP 2xx) only after the
// handler committed the event, so a failed event is redelivered by Slack;
// the core dedupes by event id and by channel+ts.
//
// Posts follow Slack's limit on chat.postMessage, about one a second per
// channel with short bursts: each channel has a bucket of
// Config.PostBurst posts refilled at one per Config.PostInterval, and a
// post that is not urgent leaves one of them to urgent ones (escalations,
// incident alerts, reminders: bot.Action.Urgent), so an escalation is
// never stuck behind a queue of notices. After a 429 the channel waits for
// Slack's Retry-After. The adapter is a bot.Pacer (Ready: the core decides
// what to post when the post can go) and a bot.Digester: a digest notice
// carries up to 24 threads, a section and an actions block (Claim, Snooze
// 1h, Resolve) each, within Slack's 50 blocks; edits (chat.update) are not
// paced.
//
// Socket Mode events are handled in lanes (adapters/internal/lanes), one
// per channel: in order within a channel, concurrently across channels.
// A lane hands a channel's next event to the handler without waiting for
// the previous one's commit (bot.Submitter; the handler keeps the order
// of submission) and acknowledges each envelope once its own event is
// committed, so a burst, even in one channel, shares the core's group
// commits instead of paying one commit per event in turn. The backfill
// of a (re)connection is a barrier: it runs after the events received
// before it and before those received after it. Events API deliveries
// are HTTP requests, each handled as it comes, in the server's goroutine
// for it.
//
// Nothing slow is on the ack path: a customer's display name comes from
// the adapter's cache only; a name not yet cached is looked up
// (users.info) by one background goroutine of Run, for the customer's
// next message (the core then keeps it for the thread). The only Web API
// call an event may wait for is the team of a reaction's author not yet
// cached (to tell staff), bounded at 2 s.
//
// After downtime and after every Socket Mode reconnection, backfill
// visits every watched place from its cursor: the configured channels
// (conversations.history, and conversations.replies under parents up to
// Config.ThreadLookback older than the cursor) and, with DMs, every DM
// channel of the bot (conversations.list types=im, and the handler's
// Places). A place seen for the first time gets a cursor for now
// (Handler.MarkCursor), so any later downtime is covered; a DM channel
// that appears later is read from the start of the last complete pass.
// Backfilled messages are handed over pipelined, and the place's cursor
// is marked once every message before it is committed.
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
//   - Backfill finds new replies in threads whose parent is at most
//     Config.ThreadLookback older than the cursor. It reads the history of
//     every DM channel of the bot at each (re)connection: one
//     conversations.history call per DM channel.
//   - A customer's first message may reach the core without a name (not
//     cached yet): its triage notice shows the user id.
//   - Request signatures are checked by this package (same algorithm as
//     slack.NewSecretsVerifier) so the clock can be injected.
//   - Message edits, bot messages and the bot's own messages are skipped
//     here; the core never sees them.
package slack
