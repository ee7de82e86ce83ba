package slack

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/openear/openear/adapters/internal/lanes"
	"github.com/openear/openear/bot"
)

// runSocket runs Socket Mode until ctx ends. One goroutine drains the
// client's Events channel at once (a full channel stalls the websocket
// reader and with it the pings) into a queue; one worker takes the queue
// in order and submits each event to lanes, one lane per channel: the
// events of a channel are handed to the core in order, those of
// different channels concurrently. An events_api envelope is a pipelined
// job: the lane hands the next event over without waiting for this one's
// commit, so a burst in one channel shares the core's group commits, and
// each envelope is acknowledged once its own event is committed. Every
// (re)connection
// submits a backfill as a barrier: it runs after every event before it
// and before every event after it, so the gap is read in order with the
// live events. Run returns after the last job of the lanes.
func (a *Adapter) runSocket(ctx context.Context) error {
	opts := []socketmode.Option{socketmode.OptionLog(slogWriter{a.log})}
	if a.cfg.PingInterval > 0 {
		opts = append(opts, socketmode.OptionPingInterval(a.cfg.PingInterval))
	}
	client := socketmode.New(a.api, opts...)
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer a.connected.Store(false)

	q := newQueue()
	jobs := lanes.New(0)
	defer jobs.Close() // after the worker: it is the only one to submit
	var wg sync.WaitGroup
	defer wg.Wait()
	var runErr error
	wg.Go(func() {
		defer cancel()
		runErr = client.RunContext(ctx)
	})
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-client.Events:
				a.connection(ev)
				q.push(ev)
			}
		}
	})
	wg.Go(func() {
		for {
			evs, ok := q.pop(ctx)
			if !ok {
				return
			}
			for _, ev := range evs {
				a.socketEvent(ctx, client, jobs, ev)
			}
		}
	})
	wg.Wait()
	if runErr != nil && parent.Err() == nil {
		a.log.Error("slack socket mode stopped: check SLACK_APP_TOKEN", "err", runErr)
		return fmt.Errorf("slack socket mode: %w: %w", bot.ErrPermanent, runErr)
	}
	return nil
}

// connection tracks the connection state from the client's own events.
func (a *Adapter) connection(ev socketmode.Event) {
	switch ev.Type {
	case socketmode.EventTypeConnected:
		a.connected.Store(true)
		a.log.Info("slack socket mode connected")
	case socketmode.EventTypeConnecting, socketmode.EventTypeDisconnect:
		a.connected.Store(false)
	case socketmode.EventTypeConnectionError:
		a.connected.Store(false)
		if ce, ok := ev.Data.(*slack.ConnectionErrorEvent); ok {
			a.log.Warn("slack socket mode connection failed; retrying", "attempt", ce.Attempt, "backoff", ce.Backoff, "err", ce.ErrorObj)
		}
	case socketmode.EventTypeInvalidAuth:
		a.connected.Store(false)
		a.log.Error("slack rejected the app token: check SLACK_APP_TOKEN")
	}
}

// socketEvent submits one queued event to its lane (the backfill of a
// connection as a barrier). Submit blocks while the lanes are full and
// fails only when ctx ended: the event is dropped then, unacknowledged,
// and Slack delivers it again to the next connection.
func (a *Adapter) socketEvent(ctx context.Context, client *socketmode.Client, jobs *lanes.Runner, ev socketmode.Event) {
	switch ev.Type {
	case socketmode.EventTypeConnected:
		_ = jobs.Barrier(ctx, func(ctx context.Context) {
			if err := a.backfill(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("slack backfill failed", "err", err)
			}
		})
	case socketmode.EventTypeEventsAPI:
		if req := ev.Request; req != nil {
			_ = jobs.Pipeline(ctx, laneOf(req.Payload), a.socketCallback(client, req))
		}
	case socketmode.EventTypeErrorBadMessage:
		// slackevents could not parse it (often an event type it does not
		// know): read the envelope ourselves so it is acked, not redelivered.
		bad, ok := ev.Data.(*socketmode.ErrorBadMessage)
		if !ok {
			return
		}
		var req socketmode.Request
		if json.Unmarshal(bad.Message, &req) != nil || req.EnvelopeID == "" {
			a.log.Warn("slack: unreadable socket mode message", "err", bad.Cause)
			return
		}
		if req.Type == socketmode.RequestTypeInteractive {
			// slack-go could not decode a block of the message the
			// button is on; openear reads what it needs itself.
			a.socketInteraction(ctx, client, jobs, &req)
			return
		}
		if req.Type != socketmode.RequestTypeEventsAPI {
			a.log.Warn("slack: unreadable socket mode request", "type", req.Type, "err", bad.Cause)
			a.ack(ctx, client, req.EnvelopeID, nil)
			return
		}
		_ = jobs.Pipeline(ctx, laneOf(req.Payload), a.socketCallback(client, &req))
	case socketmode.EventTypeSlashCommand:
		cmd, ok := ev.Data.(slack.SlashCommand)
		if !ok || ev.Request == nil {
			return
		}
		envelope := ev.Request.EnvelopeID
		_ = jobs.Submit(ctx, cmd.ChannelID, func(ctx context.Context) {
			var payload any
			if text := a.command(ctx, cmd); text != "" {
				payload = ephemeral(text)
			}
			a.ack(ctx, client, envelope, payload)
		})
	case socketmode.EventTypeInteractive:
		if ev.Request != nil {
			a.socketInteraction(ctx, client, jobs, ev.Request)
		}
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		a.log.Debug("slack socket mode", "type", ev.Type, "data", fmt.Sprint(ev.Data))
	}
}

// socketInteraction acks an interactive envelope and handles its button
// press in the lane of its channel. The ack comes first: Slack does not
// redeliver interactions, and the reply goes by chat.postEphemeral anyway.
// An unreadable payload is acked and dropped with a warning.
func (a *Adapter) socketInteraction(ctx context.Context, client *socketmode.Client, jobs *lanes.Runner, req *socketmode.Request) {
	in, err := parseInteraction(req.Payload)
	envelope := req.EnvelopeID
	if err != nil {
		a.log.Warn("slack: unreadable interaction", "err", err)
		a.ack(ctx, client, envelope, nil)
		return
	}
	_ = jobs.Submit(ctx, in.channel(), func(ctx context.Context) {
		a.ack(ctx, client, envelope, nil)
		a.handleInteraction(ctx, in)
	})
}

// laneOf is the lane of an events_api payload: the channel of its event
// (event.channel of a message, event.item.channel of a reaction), or ""
// (one shared lane) when it names none.
func laneOf(payload []byte) string {
	var p struct {
		Event struct {
			Channel string `json:"channel"`
			Item    struct {
				Channel string `json:"channel"`
			} `json:"item"`
		} `json:"event"`
	}
	// A field of another type (channel_created's channel is an object)
	// fails the decoding but leaves the fields already read.
	_ = json.Unmarshal(payload, &p)
	return cmp.Or(p.Event.Channel, p.Event.Item.Channel)
}

// socketCallback is the pipelined job of an events_api envelope: it
// submits the event in lane order, and its finish waits for the commit
// and acks the envelope — only once the event is durable (or is not for
// openear, or never will be: malformed). Unacknowledged, Slack delivers
// it again.
func (a *Adapter) socketCallback(client *socketmode.Client, req *socketmode.Request) func(context.Context) lanes.Finish {
	return func(ctx context.Context) lanes.Finish {
		wait := a.startCallback(ctx, req.Payload)
		return func(<-chan struct{}) {
			if err := wait(); err != nil && !errors.Is(err, errMalformed) {
				a.log.Error("slack: event not handled; not acked, Slack will redeliver",
					"envelope", req.EnvelopeID, "retry_attempt", req.RetryAttempt, "err", err)
				return
			}
			a.ack(ctx, client, req.EnvelopeID, nil)
		}
	}
}

func (a *Adapter) ack(ctx context.Context, client *socketmode.Client, envelopeID string, payload any) {
	if err := client.AckCtx(ctx, envelopeID, payload); err != nil && ctx.Err() == nil {
		a.log.Warn("slack: ack failed", "envelope", envelopeID, "err", err)
	}
}

// queue is an unbounded FIFO of socket events, so the drain never blocks.
type queue struct {
	mu    sync.Mutex
	items []socketmode.Event
	ready chan struct{} // holds a token while items is not empty
}

func newQueue() *queue { return &queue{ready: make(chan struct{}, 1)} }

func (q *queue) push(ev socketmode.Event) {
	q.mu.Lock()
	q.items = append(q.items, ev)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// pop waits for events and takes them all; false when ctx ended.
func (q *queue) pop(ctx context.Context) ([]socketmode.Event, bool) {
	select {
	case <-ctx.Done():
		return nil, false
	case <-q.ready:
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	evs := q.items
	q.items = nil
	return evs, true
}

// slogWriter routes slack-go's socketmode log lines to slog at debug level.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Output(_ int, s string) error {
	w.l.Debug("slack-go: " + strings.TrimSpace(s))
	return nil
}
