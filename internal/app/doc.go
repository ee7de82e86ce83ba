// Package app wires a validated config into a running openear: the core
// (bot.New with the options the config gives), the Slack and Discord
// adapters it enables, and one HTTP mux with Slack's endpoints, /healthz,
// /metrics and the dashboard (whose sign-in links start at
// http.public_url, else at the address Run listens on). `openear run`, the demo and the end-to-end
// tests all start openear through New and Run, so they run the same code.
// On a PostgreSQL store the App is one replica of several: it leads while
// it holds the lease (replica.go).
//
//	app.go      App, New, Run: the wiring and the HTTP endpoints
//	replica.go  replicas: the lease, terms of leadership, stepping down
//	standby.go  Slack's HTTP deliveries on a standby (the inbox, forwarding), /healthz of a replica
//	options.go  BotOptions, TagRules, NewLogger: config -> core options
//	redact.go   the log handler that scrubs every secret of the config
//	check.go    Needs, Online, CheckManifest: what `openear check` says of the platforms
package app
