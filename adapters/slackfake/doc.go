// Package slackfake is an in-process Slack for tests and the demo: the Web
// API methods openear calls, Socket Mode over a real websocket, and the
// Events API, slash commands and interactivity delivered over signed HTTP.
//
// It speaks the wire formats slack-go v0.35 expects, so the real adapter
// runs against it unchanged: point slack.OptionAPIURL at URL()+"/api/".
//
// Customers and staff act through Post, React, Edit, SlashCommand and
// Press; each records the change in the channel's history and delivers the
// event Slack would send: as a Socket Mode envelope when a socket client is
// connected, else as a signed HTTP request to AppURL. Everything the bot
// does is recorded (Calls, Messages, Acks) and tests wait for conditions
// with WaitFor, never with sleeps; Methods lists the Web API methods the
// app called.
//
// The app's installation is modelled as Slack enforces it: Options.Scopes
// are the bot scopes granted (sent in X-OAuth-Scopes; a method needing
// another fails with missing_scope, an event needing another is not
// delivered, and the slash command exists only with "commands"), and
// Options.Events the bot events subscribed to.
//
// Options.PostLimit models Slack's limit on chat.postMessage per channel
// (SlackPostLimit: one post a second, bursts of 3): past it a post gets
// HTTP 429 with Retry-After in whole seconds. Posts and edits are checked
// as Slack checks them: text length, at most 50 blocks, unique block ids,
// unique action ids within a block, header, section and button lengths
// (invalid_blocks, msg_too_long).
//
// # Caveats
//
//   - PostLimit is off unless set: most tests post faster than Slack
//     allows on purpose.
//   - Message ts values come from the real clock, made strictly increasing.
//   - Events that find neither a socket nor an AppURL are queued and sent to
//     the next socket that connects, as Slack does after an outage.
//   - HTTP deliveries are synchronous: Post returns after the app answered
//     (and after the fake's immediate retries of a failed delivery).
//   - Only the fields openear reads are modelled; it is not slacktest.
package slackfake
