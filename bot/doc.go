// Package bot is the platform-free core of openear: it tags customer
// messages, routes them to an owner, follows each thread through its states,
// keeps SLA clocks and writes every outbound action to a durable outbox.
//
// bot knows no platform and no database. It declares the interfaces it
// consumes (Store, Platform, Clock); adapters and storage implement them and
// main wires them together.
//
// # A tour
//
//	event.go      Event (inbound), Action (outbound), Handler, Platform, Clock,
//	              Tagger (the interface; package tag is the tagger)
//	thread.go     Thread and its states; platform keys (Key, CustomerKey, …)
//	store.go      the Store contract and Change, the unit of one transaction
//	errors.go     sentinel errors and RetryError
//	bot.go        Options, New, Run (clock loop and sender)
//	ingest.go     Handle: group commit by one writer over an overlay
//	tracker.go    messages, replies, reactions: the thread state machine
//	router.go     routing rules, teams, round robin, least loaded, hours
//	reminders.go  SLA clocks, reminders, escalation, snooze, Tick
//	hours.go      business hours: Add and Between in open time
//	outbox.go     the sender: lanes, priorities, digests, retries, Flush
//	notice.go     triage notices, owner notes, Digest
//	messages.go   the sentences of notices, reminders and incidents
//	locale.go     who reads which language: channelL, personL, State.In
//	commands.go   ParseCommand: one language for Slack and Discord, with
//	              its Korean aliases
//	commandexec.go running commands, buttons and tag corrections
//	learn.go      Learner: tag corrections kept as examples, learned, counted
//	incidents.go  many customers, one problem
//	stats.go      Stats, ComputeStats; digest.go the daily digest
//	promise.go    Promise: "Monday morning" / "월요일 오전"
//	names.go      names adapters learn (LearnNames), the directory of names
//	csat.go       asking customers to rate resolved threads; csatstats.go CSAT in stats
//	web.go        the dashboard's sign-in links, sessions and actions (Act)
//
// # Life of a customer message
//
// An adapter turns a platform delivery into an Event and calls Handle.
// Handle tags the text, queues the event, and one caller at a time (the
// writer) takes the queue: for each event it dedupes (event id, then the
// message's key), finds or opens the thread (platform thread, or the
// customer's recent run of messages), routes a new thread to an owner,
// starts or stops its SLA clock, and queues the actions the change causes
// (notice, owner note, promise). All of a batch is committed with one
// Store.Apply; Handle returns after that, and only then does the adapter
// acknowledge the delivery. Run's sender delivers queued actions through
// the Platforms; Run's clock loop calls Tick, which reads only the threads
// that came due (the store's due index) and turns each into a reminder or
// an escalation, written in the same transaction.
//
// # Languages
//
// Every text staff read comes from the catalogs of internal/l10n (English
// and Korean), rendered when it is queued in its reader's language: a
// channel post in its platform's (Options.Locales, else Options.Locale), a
// DM or a command reply in the person's (Person.Locale, else their
// platform's). Customer text, tag names and people's names are never
// translated.
//
// Tests drive all of this with a fake Clock (bottest.Clock), an in-memory
// Store (storage/mem) or a real bbolt file, and call Tick and Flush
// directly: no test waits for time to pass.
package bot
