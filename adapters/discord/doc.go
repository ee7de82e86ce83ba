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
// A bot nobody has invited yet gets a READY without servers: Run logs the
// invite URL (InviteURL: the application id and Permissions, the channel
// permissions the adapter needs) and, once the invite arrives, that it
// joined. NeededIntents and NeededPermissions name what the adapter asks
// for; CheckToken asks Discord over REST, without the gateway, for
// `openear check -online`.
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
//   - discordgo's Close sleeps one second: stopping Run takes about a
//     second, and so does a reconnect after op 7.
//   - discordgo logs through the global log package and may print the
//     token at debug level; its logging is switched off.
package discord
