// Package demo is `openear demo`: the real bot, with both real adapters,
// against the in-process fakes (adapters/slackfake, adapters/discordfake)
// on a bbolt file, with scripted customers and staff and a fast clock.
//
//	demo.go   Demo, New, Run: the wiring, the live log and the summary
//	fakes.go  NewFakes, Config, FakePlatforms: the fakes' world (people,
//	          channels, the Discord guild) and a config pointed at it, also
//	          used by the end-to-end tests of the root package
//	script.go the scripted customers and staff
//	clock.go  the fast clock: a simulated minute per real second
package demo
