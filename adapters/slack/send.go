package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/openear/openear/bot"
)

var (
	_ bot.Digester = (*Adapter)(nil)
	_ bot.Pacer    = (*Adapter)(nil)
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
// is safe for concurrent use. Posts to one channel are paced as Slack
// limits them (see pacer); edits are not. Every text is escaped and sent
// with link_names=false and parse=none, so nothing from a customer can
// ping or inject a link.
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
		opts := textOptions(act.Text, act.ThreadKey)
		if act.Purpose == bot.ForCSAT && act.ThreadID != 0 && act.Channel != a.cfg.TriageChannel {
			opts = append(opts, slack.MsgOptionBlocks(csatBlocks(act.ThreadID, act.Text)...))
		}
		r, err = a.post(ctx, act.Channel, act.Urgent(), opts...)
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
// After a 429 the channel waits for Slack's Retry-After.
func (a *Adapter) post(ctx context.Context, channel string, urgent bool, opts ...slack.MsgOption) (bot.Receipt, error) {
	if channel == "" {
		return bot.Receipt{}, fmt.Errorf("no channel: %w", bot.ErrPermanent)
	}
	if err := a.pace.wait(ctx, channel, urgent); err != nil {
		return bot.Receipt{}, err
	}
	ch, ts, err := a.api.PostMessageContext(ctx, channel, append(opts, safeOptions()...)...)
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		a.pace.hold(channel, rl.RetryAfter)
	}
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
	return a.postOrUpdate(ctx, channel, act.Ref, act.Urgent(), opts)
}

// postOrUpdate posts a message in channel, or edits the message ref
// ("channel/ts"); an edit of a message that is gone posts a new one.
func (a *Adapter) postOrUpdate(ctx context.Context, channel, ref string, urgent bool, opts []slack.MsgOption) (bot.Receipt, error) {
	if ref == "" {
		return a.post(ctx, channel, urgent, opts...)
	}
	ch, ts, ok := strings.Cut(ref, "/")
	if !ok || ch == "" || ts == "" {
		return bot.Receipt{}, fmt.Errorf("bad notice ref %q: %w", ref, bot.ErrPermanent)
	}
	opts = append(opts, safeOptions()...)
	_, _, _, err := a.api.UpdateMessageContext(ctx, ch, ts, opts...)
	if isCode(err, "message_not_found", "cant_update_message", "edit_window_closed") {
		// The notice is gone (deleted by someone): post a fresh one.
		a.log.Info("slack: notice gone; posting a new one", "ref", ref, "err", err)
		return a.post(ctx, ch, urgent, opts...)
	}
	if err != nil {
		return bot.Receipt{}, err
	}
	return bot.Receipt{Ref: ref}, nil
}

// DigestSize is how many threads one digest message carries: a header, a
// title and two blocks a thread (its line, its buttons) stay within
// Slack's 50 blocks.
func (a *Adapter) DigestSize() int { return digestSize }

// SendDigest implements bot.Digester: it posts a digest notice in channel
// (ref "") or edits the digest message ref. Errors as for Send.
func (a *Adapter) SendDigest(ctx context.Context, channel, ref string, d *bot.Digest) (bot.Receipt, error) {
	if channel == "" {
		channel = a.cfg.TriageChannel
	}
	opts := []slack.MsgOption{slack.MsgOptionText(clip(escape(d.Text()), maxText), false), slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionBlocks(digestBlocks(d)...)}
	r, err := a.postOrUpdate(ctx, channel, ref, false, opts)
	if err != nil {
		return bot.Receipt{}, fmt.Errorf("slack send digest of %d threads: %w", len(d.Notices), a.classify(err))
	}
	return r, nil
}

// Ready implements bot.Pacer: it waits until a post like act would go
// without waiting for the channel's pace. A DM to a person whose DM
// channel is not known yet does not wait.
func (a *Adapter) Ready(ctx context.Context, act bot.Action) error {
	channel := act.Channel
	switch {
	case act.Kind == bot.ActDM:
		a.mu.Lock()
		channel = a.dms[act.To]
		a.mu.Unlock()
	case act.Kind == bot.ActNotice && channel == "":
		channel = a.cfg.TriageChannel
	}
	if channel == "" {
		return nil
	}
	return a.pace.ready(ctx, channel, act.Urgent())
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
	opts := textOptions(act.Text, "")
	if act.Purpose == bot.ForLogin {
		// No preview: the link is for its reader only.
		opts = append(opts, slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl())
	}
	return a.post(ctx, ch, act.Urgent(), opts...)
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
