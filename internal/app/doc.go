// Package app wires a validated config into a running openear: the core
// (bot.New with the options the config gives), the Slack and Discord
// adapters it enables, and one HTTP mux with Slack's endpoints, /healthz,
// /metrics and the dashboard (whose sign-in links start at
// http.public_url, else at the address Run listens on). `openear run`, the demo and the end-to-end
// tests all start openear through New and Run, so they run the same code.
//
//	app.go      App, New, Run: the wiring and the HTTP endpoints
//	options.go  BotOptions, TagRules, NewLogger: config -> core options
//	redact.go   the log handler that scrubs every secret of the config
//	check.go    Needs, Online, CheckManifest: what `openear check` says of the platforms
package app
