package discord_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/bot"
	"go.uber.org/goleak"
)

// goleak's default retries cover discordgo's read goroutine, which ends
// just after Session.Close returns (its connection is closed by then).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The scripted community.
const (
	botID    = "900"
	guild    = "1"
	triage   = "111"
	watched  = "222"
	other    = "555"
	thread   = "777"
	customer = "42"
	roleMate = "43"  // staff by role
	staffID  = "444" // staff by id
	role     = "333"
	otherBot = "99"
)

// recorder is a bot.Handler that records events, keeps message cursors
// like the core and answers commands: staff get "ok: <text>", others
// bot.ErrNotStaff. Handle blocks on text "stats slow" until release is
// closed. hook, when set, is called first by every Handle; an error fails
// it.
type recorder struct {
	mu      sync.Mutex
	events  []bot.Event
	cursors map[string]string
	changed chan struct{}
	release chan struct{}
	hook    func(context.Context, bot.Event) error
}

func newRecorder() *recorder {
	return &recorder{cursors: map[string]string{}, changed: make(chan struct{}), release: make(chan struct{})}
}

func (r *recorder) Handle(ctx context.Context, ev bot.Event) (bot.Result, error) {
	r.mu.Lock()
	hook := r.hook
	r.mu.Unlock()
	if hook != nil {
		if err := hook(ctx, ev); err != nil {
			return bot.Result{}, err
		}
	}
	if ev.Text == "stats slow" {
		select {
		case <-r.release:
		case <-ctx.Done():
			return bot.Result{}, ctx.Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	if ev.Kind == bot.KindMessage && bot.LaterID(ev.MessageID, r.cursors[ev.Channel]) {
		r.cursors[ev.Channel] = ev.MessageID
	}
	close(r.changed)
	r.changed = make(chan struct{})
	switch {
	case ev.Kind != bot.KindCommand && ev.Kind != bot.KindButton:
		return bot.Result{}, nil
	case !ev.Staff:
		return bot.Result{}, bot.ErrNotStaff
	}
	return bot.Result{Reply: "ok: " + ev.Text}, nil
}

func (r *recorder) Cursor(_ context.Context, platform, channel string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cursors[channel], nil
}

func (r *recorder) setHook(hook func(context.Context, bot.Event) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hook = hook
}

func (r *recorder) Events() []bot.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Event(nil), r.events...)
}

// wait waits until pred holds for the recorded events.
func (r *recorder) wait(t *testing.T, what string, pred func([]bot.Event) bool) []bot.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		r.mu.Lock()
		ch := r.changed
		evs := append([]bot.Event(nil), r.events...)
		r.mu.Unlock()
		if pred(evs) {
			return evs
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s; events: %+v", what, evs)
		}
	}
}

// waitEvent waits for the event with id and returns it.
func (r *recorder) waitEvent(t *testing.T, id string) bot.Event {
	t.Helper()
	evs := r.wait(t, id, func(evs []bot.Event) bool { return count(evs, id) > 0 })
	for _, ev := range evs {
		if ev.ID == id {
			return ev
		}
	}
	panic("unreachable")
}

func count(evs []bot.Event, id string) int {
	n := 0
	for _, ev := range evs {
		if ev.ID == id {
			n++
		}
	}
	return n
}

func newFake(t *testing.T, opts discordfake.Options) *discordfake.Server {
	t.Helper()
	opts.Token, opts.BotID = "tok", botID
	fake := discordfake.New(opts)
	t.Cleanup(fake.Close) // runs last: after the adapter stopped
	fake.AddChannel(guild, triage)
	fake.AddChannel(guild, watched)
	fake.AddChannel(guild, other)
	fake.AddThread(watched, thread)
	fake.AddMember(guild, customer, "cust", nil, false)
	fake.AddMember(guild, roleMate, "mate", []string{role}, false)
	fake.AddMember(guild, staffID, "alice", nil, false)
	fake.AddMember(guild, otherBot, "otherbot", nil, true)
	return fake
}

func config(fake *discordfake.Server) discord.Config {
	return discord.Config{
		Token: "tok", TriageChannel: triage, Channels: []string{watched}, DMs: true,
		StaffRoles: []string{role}, Staff: []string{staffID},
		HTTPClient: &http.Client{Transport: fake.Transport()},
	}
}

func newAdapter(t *testing.T, fake *discordfake.Server, h bot.Handler) *discord.Adapter {
	t.Helper()
	a, err := discord.New(config(fake), h)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// start runs a until the test ends and waits for it to be connected with
// its command registered.
func start(t *testing.T, fake *discordfake.Server, a *discord.Adapter) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if a.Connected() {
			t.Error("still connected after Run returned")
		}
	})
	waitFake(t, fake, "connected", func() bool {
		return fake.Connected() && a.Connected() && len(fake.Commands("")) == 1
	})
}

func waitFake(t *testing.T, fake *discordfake.Server, what string, pred func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, pred); err != nil {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// setup: a fake, a recorder and a running adapter.
func setup(t *testing.T) (*discordfake.Server, *recorder, *discord.Adapter) {
	t.Helper()
	fake := newFake(t, discordfake.Options{})
	rec := newRecorder()
	a := newAdapter(t, fake, rec)
	start(t, fake, a)
	return fake, rec, a
}

func isRetry(err error) (*bot.RetryError, bool) {
	var re *bot.RetryError
	return re, errors.As(err, &re)
}
