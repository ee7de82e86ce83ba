// Package discord is openear's Discord adapter: it reads the gateway
// (through discordgo) and turns customer messages, mentions of the bot,
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
// Run owns every goroutine: discordgo's read and heartbeat loops, the
// lanes (adapters/internal/lanes) that hand gateway events to the handler,
// and one goroutine per interaction. There is one lane per channel id (a
// thread is a channel of its own): the events of a channel are handled in
// order, those of different channels concurrently, so that a burst shares
// the core's group commits. When 1,024 events are pending the read loop
// waits. Run reconnects itself (discordgo's own reconnect loop is off: it
// cannot be stopped and may outlive Close). After every READY (the start,
// or a new session after an invalid one) the watched channels are
// backfilled from the handler's cursors; the backfill is a barrier, after
// every event received before the READY and before every one after it.
//
// # Caveats
//
//   - Backfill covers the watched channels only: messages posted in their
//     threads or in DMs while no session was up are not fetched.
//   - A thread is a lane of its own, apart from its parent channel: a
//     reply in a thread is not ordered with the parent channel's messages
//     received just before it (each channel and each thread is in order).
//   - A message starting with the bot's mention is a command, never a
//     customer message, even from a customer (who gets the refusal).
//   - A gateway close code 4014 (Message Content intent off) or 4004 (bad
//     token) is recognised when it answers an IDENTIFY or RESUME sent by
//     Run; discordgo gives no way to see a close code on a live connection.
//   - The post pacer knows a channel's bucket only after Discord answered
//     a post there; until then posts go unpaced. A window that ends while
//     posts are in flight may let one post too many through: it gets a
//     429 and is retried after retry_after.
//   - discordgo's Close sleeps one second: stopping Run takes about a
//     second, and so does a reconnect after op 7.
//   - discordgo logs through the global log package and may print the
//     token at debug level; its logging is switched off.
package discord
