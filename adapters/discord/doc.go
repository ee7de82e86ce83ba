// Package discord is openear's Discord adapter: it reads the gateway
// (its own client, gateway.go) and turns customer messages, mentions of the bot,
// /openear application commands, button presses and 👀 / ✅ reactions
// into bot.Events; as a bot.Platform it posts and edits triage notices
// (embeds with buttons), DMs and replies over REST.
//
// What is watched: messages in the configured channels and in their
// threads (Event.Channel is the parent channel, ThreadKey the thread id),
// replies (ThreadKey is the message replied to) and, when DMs is set,
// direct messages. Bots, webhooks, the bot itself, system messages and
// edits are skipped. Staff are the configured user ids and the members of
// the configured roles.
//
// Event ids are "discord:msg:<message id>", "discord:int:<interaction id>"
// and "discord:react:<message id>:<user id>:<emoji>", so that a message
// seen both live and in a backfill is handled once.
//
// New messages follow Discord's per-channel limit (about 5 posts per 5 s):
// the adapter learns each channel's bucket from the X-RateLimit headers
// of its posts and waits for the window to end when it is full; a post
// that is not urgent leaves the window's last post to urgent ones
// (escalations, incident alerts, reminders: bot.Action.Urgent). A 429 is
// a bot.RetryError with Discord's retry_after. The adapter is a bot.Pacer
// (Ready) and a bot.Digester: a digest notice is an embed listing up to
// 25 threads and three select menus (Claim, Snooze 1h, Resolve) offering
// the open ones — Discord allows 5 action rows of 5 buttons, so buttons
// per thread would fit 5 threads; a select option's value is the command
// line, handled like a button's custom id. Edits are not paced.
//
// # The gateway: openear's own client, discordgo for REST
//
// discordgo does every REST call; the gateway is spoken by gateway.go, a
// small client of its own (gorilla/websocket, as discordgo uses), because
// discordgo's cannot follow the protocol where it matters and has no
// option to: it RESUMEs at the URL of GET /gateway, never at READY's
// resume_gateway_url; after op 9 it IDENTIFYs again at once; and when
// the server closes the connection it answers with close 1000, which
// ends the session on Discord's side. gateway.go RESUMEs at
// resume_gateway_url (the gateway URL again if that cannot be dialled);
// after op 9 it waits a random 1–5 s before IDENTIFY (the wait and its
// randomness are injectable: tests advance a clock the fake checks);
// it closes with 4000 when it means to resume (op 7, a heartbeat never
// acknowledged, an answer to the server's close) and with 1000 only when
// Run stops. Its events are decoded into discordgo's types. discordfake
// refuses each of these mistakes, so the tests catch them.
//
// Run owns every goroutine: the gateway's reader and heartbeat, the lanes
// (adapters/internal/lanes) that hand gateway events to the handler, and
// one goroutine per interaction. There is one lane per channel id (a
// thread is a channel of its own): the events of a channel are handed to
// the handler in order, those of different channels concurrently, and a
// lane hands its next message over without waiting for the previous
// one's commit (bot.Submitter), so that a burst, even in one channel,
// shares the core's group commits. A message the handler fails on is
// offered again (3 attempts), after the failed messages before it. When
// 1,024 events are pending the read loop waits. After every READY (the
// start, or a new session after an invalid one) the watched places are
// backfilled; the backfill is a barrier, after every event received
// before the READY and before every one after it.
//
// # Backfill: what is read where
//
//   - Each configured channel, after its cursor (GET
//     /channels/{id}/messages?after=, 100 a page, oldest first). A channel
//     without a cursor (the first start, or added to the config later)
//     gets one for now, and nothing before it is read.
//   - The threads of the watched channels: the active ones (GET
//     /guilds/{id}/threads/active) and the public ones archived since the
//     last complete pass (GET /channels/{id}/threads/archived/public),
//     each after its own cursor. A thread without one (new since the last
//     pass) is read from the start of that pass.
//   - The DM channels the handler has seen a message in (Handler.Places;
//     Discord gives a bot no list of its DMs), after their cursors.
//
// Backfilled messages of a page are handed to the handler without
// waiting for each commit, then waited for in order; the place's cursor
// is marked (MarkCursor) up to the last message before any failure.
//
// What is looked up on the way of an event: nothing for a live message in
// a configured channel or a DM (the author's name and roles come with
// it); a thread's parent channel once (GET /channels/{id}, cached) when
// no GUILD_CREATE or THREAD_CREATE told it. A backfilled message carries
// no member: its author's roles are fetched (GET
// /guilds/{id}/members/{user}, cached a minute) when staff roles are
// configured.
//
// A bot nobody has invited yet gets a READY without servers: Run logs the
// invite URL (InviteURL: the application id and Permissions, the channel
// permissions the adapter needs) and, once the invite arrives, that it
// joined. NeededIntents and NeededPermissions name what the adapter asks
// for; CheckToken asks Discord over REST, without the gateway, for
// `openear check -online`.
//
// # Caveats
//
//   - A customer who opens a DM with the bot for the first time while
//     openear is down is not seen: Discord lists no DM channels to a bot.
//     Private threads archived while openear was down are not read (it
//     takes Manage Threads).
//   - A thread is a lane of its own, apart from its parent channel: a
//     reply in a thread is not ordered with the parent channel's messages
//     received just before it (each channel and each thread is in order).
//   - A message the handler failed on and that is offered again may be
//     handled after messages of its channel received after it.
//   - A message starting with the bot's mention is a command, never a
//     customer message, even from a customer (who gets the refusal).
//   - The post pacer knows a channel's bucket only after Discord answered
//     a post there; until then posts go unpaced. A window that ends while
//     posts are in flight may let one post too many through: it gets a
//     429 and is retried after retry_after.
//   - discordgo logs through the global log package and may print the
//     token at debug level; its logging is switched off.
package discord
