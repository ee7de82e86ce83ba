// Package bot is the platform-free core of openear: it tags customer
// messages, routes them to an owner, follows each thread through its states,
// keeps SLA clocks and writes every outbound action to a durable outbox.
//
// bot knows no platform and no database. It declares the interfaces it
// consumes (Store, Platform, Clock); adapters and storage implement them and
// main wires them together.
package bot
