// Package metrics exposes what the bot does as Prometheus metrics.
//
// A Metrics owns its own registry (never the global one), so several bots in
// one process, or several tests, do not share series. Counters move with
// Observe, which is plugged into bot.Options.Observe; gauges are functions
// read at scrape time (SetThreadsByState, SetOutboxDepth, SetConnected).
//
// Series, all prefixed openear_:
//
//	events_total{kind}                       every observation, by its What
//	threads{state}                           gauge func (SetThreadsByState)
//	actions_sent_total{purpose,platform}     "sent"
//	actions_failed_total{purpose,platform}   "failed" (dropped for good)
//	action_retries_total{purpose,platform}   "retry"
//	reminders_total                          "reminder"
//	escalations_total                        "escalation"
//	sla_breaches_total                       "breach"
//	incidents_total                          "incident"
//	first_response_seconds                   histogram, on a thread's first "reply"
//	outbox_depth                             gauge func (SetOutboxDepth)
//	adapter_connected{platform}              gauge func (SetConnected), 1 or 0
//	build_info{version,revision,modified,goversion}  always 1 (internal/version)
//
// # Caveats
//
// The gauge functions run on the scraping goroutine, once per scrape: they
// must be cheap and safe for concurrent use. A function that reads the whole
// store (counting threads by state) is acceptable for a small store only;
// prefer a count the caller keeps.
package metrics
