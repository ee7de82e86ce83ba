// Package replay is the engine of `openear replay`: it feeds stored
// history through a fresh bot with other rules, over an in-memory store,
// sending nothing, and reports what would change (tags, owners, SLA
// breaches, load per person), and which threads the tagger tags otherwise
// because of what it learned from the stored staff corrections.
package replay
