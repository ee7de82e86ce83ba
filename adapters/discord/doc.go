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
// Run owns every goroutine: discordgo's read and heartbeat loops, a worker
// that hands gateway events to the handler in order, and one goroutine per
// interaction. Run reconnects itself (discordgo's own reconnect loop is
// off: it cannot be stopped and may outlive Close). After every READY (the
// start, or a new session after an invalid one) the watched channels are
// backfilled from the handler's cursors.
//
// # Caveats
//
//   - Backfill covers the watched channels only: messages posted in their
//     threads or in DMs while no session was up are not fetched.
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
