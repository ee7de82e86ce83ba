package bot

import "context"

// PruneWeb runs the clock loop's pruning of expired sign-in links and
// sessions.
func PruneWeb(b *Bot, ctx context.Context) (int, error) { return b.pruneWeb(ctx) }
