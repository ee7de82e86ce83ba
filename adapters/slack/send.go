package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/openear/openear/bot"
)

// retryBackoff is the wait asked for after a 5xx or a timeout.
const retryBackoff = 5 * time.Second

// permanentCodes are Slack API errors no retry will cure.
var permanentCodes = []string{
	"channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "not_authed",
	"account_inactive", "token_revoked", "user_not_found", "cannot_dm_bot",
	"missing_scope", "restricted_action", "msg_too_long", "invalid_blocks",
}

// Send delivers an action: a triage notice (posted, or edited when Ref is
// "channel/ts"), a DM, or a post (in a thread when ThreadKey is set). It
// is safe for concurrent use. Posts to one channel are paced (about one a
// second). Every text is escaped and sent with link_names=false and
// parse=none, so nothing from a customer can ping or inject a link.
//
// Errors: *bot.RetryError for rate limits (with Slack's Retry-After), 5xx
// and timeouts; an error wrapping bot.ErrPermanent for unknown channels,
// a channel the bot is not in, and rejected tokens.
func (a *Adapter) Send(ctx context.Context, act bot.Action) (bot.Receipt, error) {
	var (
		r   bot.Receipt
		err error
	)
	switch act.Kind {
	case bot.ActNotice:
		r, err = a.sendNotice(ctx, act)
	case bot.ActDM:
		r, err = a.sendDM(ctx, act)
	case bot.ActPost:
		r, err = a.post(ctx, act.Channel, textOptions(act.Text, act.ThreadKey)...)
	default:
		return bot.Receipt{}, fmt.Errorf("slack send %d: unknown action kind %q: %w", act.ID, act.Kind, bot.ErrPermanent)
	}
	if err != nil {
		return bot.Receipt{}, fmt.Errorf("slack send %s %d: %w", act.Kind, act.ID, a.classify(err))
	}
	return r, nil
}

func textOptions(text, threadTS string) []slack.MsgOption {
	opts := []slack.MsgOption{slack.MsgOptionText(escape(text), false)}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	return opts
}

// safeOptions are on every message: no @name linking, no parsing.
func safeOptions() []slack.MsgOption {
	return []slack.MsgOption{slack.MsgOptionLinkNames(false), slack.MsgOptionParse(false)}
}

// post paces and posts a message; the receipt's Ref is "channel/ts".
func (a *Adapter) post(ctx context.Context, channel string, opts ...slack.MsgOption) (bot.Receipt, error) {
	if channel == "" {
		return bot.Receipt{}, fmt.Errorf("no channel: %w", bot.ErrPermanent)
	}
	if err := a.pace.wait(ctx, channel); err != nil {
		return bot.Receipt{}, err
	}
	ch, ts, err := a.api.PostMessageContext(ctx, channel, append(opts, safeOptions()...)...)
	if err != nil {
		return bot.Receipt{}, err
	}
	if ch == "" {
		ch = channel
	}
	return bot.Receipt{Ref: ch + "/" + ts}, nil
}

func (a *Adapter) sendNotice(ctx context.Context, act bot.Action) (bot.Receipt, error) {
	channel := act.Channel
	if channel == "" {
		channel = a.cfg.TriageChannel
	}
	opts := []slack.MsgOption{slack.MsgOptionText(escape(act.Text), false), slack.MsgOptionDisableLinkUnfurl()}
	if act.Notice != nil {
		opts = append(opts, slack.MsgOptionBlocks(noticeBlocks(act.Notice)...))
	}
	if act.Ref == "" {
		return a.post(ctx, channel, opts...)
	}
	ch, ts, ok := strings.Cut(act.Ref, "/")
	if !ok || ch == "" || ts == "" {
		return bot.Receipt{}, fmt.Errorf("bad notice ref %q: %w", act.Ref, bot.ErrPermanent)
	}
	opts = append(opts, safeOptions()...)
	_, _, _, err := a.api.UpdateMessageContext(ctx, ch, ts, opts...)
	if isCode(err, "message_not_found", "cant_update_message", "edit_window_closed") {
		// The notice is gone (deleted by someone): post a fresh one.
		a.log.Info("slack: notice gone; posting a new one", "ref", act.Ref, "err", err)
		return a.post(ctx, ch, opts...)
	}
	if err != nil {
		return bot.Receipt{}, err
	}
	return bot.Receipt{Ref: act.Ref}, nil
}

func (a *Adapter) sendDM(ctx context.Context, act bot.Action) (bot.Receipt, error) {
	if act.To == "" {
		return bot.Receipt{}, fmt.Errorf("dm without a user: %w", bot.ErrPermanent)
	}
	a.mu.Lock()
	ch := a.dms[act.To]
	a.mu.Unlock()
	if ch == "" {
		c, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{act.To}})
		if err != nil {
			return bot.Receipt{}, fmt.Errorf("conversations.open %s: %w", act.To, err)
		}
		ch = c.ID
		a.mu.Lock()
		a.dms[act.To] = ch
		a.mu.Unlock()
	}
	return a.post(ctx, ch, textOptions(act.Text, "")...)
}

// classify maps a Slack error to the bot's retry contract.
func (a *Adapter) classify(err error) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &bot.RetryError{After: rl.RetryAfter, Err: err}
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) && sc.Retryable() {
		return &bot.RetryError{After: retryBackoff, Err: err}
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return &bot.RetryError{After: retryBackoff, Err: err}
	}
	if errors.Is(err, bot.ErrPermanent) {
		return err
	}
	if isCode(err, permanentCodes...) {
		if isCode(err, "invalid_auth", "not_authed", "account_inactive", "token_revoked") {
			a.log.Error("slack rejected the bot token: check SLACK_BOT_TOKEN", "err", err)
		}
		return fmt.Errorf("%w: %w", bot.ErrPermanent, err)
	}
	return err
}

// pacer spaces posts to one channel by at least gap.
type pacer struct {
	gap  time.Duration
	mu   sync.Mutex
	next map[string]time.Time
}

func newPacer(gap time.Duration) *pacer { return &pacer{gap: gap, next: map[string]time.Time{}} }

// wait blocks until a post to channel may go, or ctx ends.
func (p *pacer) wait(ctx context.Context, channel string) error {
	if p.gap <= 0 {
		return nil
	}
	p.mu.Lock()
	now := time.Now()
	at := p.next[channel]
	if at.Before(now) {
		at = now
	}
	p.next[channel] = at.Add(p.gap)
	if len(p.next) > 10000 {
		for ch, t := range p.next {
			if t.Before(now) {
				delete(p.next, ch)
			}
		}
	}
	p.mu.Unlock()
	d := at.Sub(now)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
