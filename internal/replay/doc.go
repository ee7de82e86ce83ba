// Package replay is the engine of `openear replay`: it feeds stored
// history through a fresh bot with other rules, over an in-memory store,
// sending nothing, and reports what would change (tags, owners, SLA
// breaches, load per person).
package replay
