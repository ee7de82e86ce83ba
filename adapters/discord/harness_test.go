package discord_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
)

// goleak's default retries cover discordgo's read goroutine, which ends
// just after Session.Close returns (its connection is closed by then).
func TestMain(m *testing.M) { bottest.VerifyMain(m) }

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

// recorder is a bot.Handler and bot.Submitter that records events in the
// order they are submitted, keeps cursors like the core (a backfilled
// message leaves its place's cursor to MarkCursor) and answers commands:
// staff get "ok: <text>", others bot.ErrNotStaff. Handle blocks on text
// "stats slow" until release is closed. hook, when set, is called first
// for every event; an error fails it.
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
	return r.Submit(ctx, ev)()
}

func (r *recorder) Submit(ctx context.Context, ev bot.Event) func() (bot.Result, error) {
	res, err := r.record(ctx, ev)
	return func() (bot.Result, error) { return res, err }
}

func (r *recorder) record(ctx context.Context, ev bot.Event) (bot.Result, error) {
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
	place := cmp.Or(ev.Place, ev.Channel)
	if ev.Kind == bot.KindMessage && !ev.Backfill && bot.LaterID(ev.MessageID, r.cursors[place]) {
		r.cursors[place] = ev.MessageID
	}
	r.notifyLocked()
	switch {
	case ev.Kind != bot.KindCommand && ev.Kind != bot.KindButton:
		return bot.Result{}, nil
	case !ev.Staff:
		return bot.Result{}, bot.ErrNotStaff
	}
	return bot.Result{Reply: "ok: " + ev.Text}, nil
}

func (r *recorder) notifyLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *recorder) Cursor(_ context.Context, platform, place string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cursors[place], nil
}

func (r *recorder) MarkCursor(_ context.Context, platform, place, last string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if platform != bot.Discord || place == "" || last == "" {
		return fmt.Errorf("MarkCursor(%q, %q, %q)", platform, place, last)
	}
	if bot.LaterID(last, r.cursors[place]) {
		r.cursors[place] = last
		r.notifyLocked()
	}
	return nil
}

// Places lists the DM channels messages were recorded in, as the core
// remembers them.
func (r *recorder) Places(_ context.Context, platform string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.events {
		if ev.DM && ev.Kind == bot.KindMessage && !slices.Contains(out, ev.Channel) {
			out = append(out, ev.Channel)
		}
	}
	return out, nil
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

// gwClock is the gateway's clock in these tests: the fakes' Now and the
// adapters' wait after op 9, which advances it instead of sleeping, so
// that the fake still checks the wait was at least 1 s.
type gwClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *gwClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// After advances the clock by d and returns a channel that has fired.
func (c *gwClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.t = c.t.Add(d)
	now := c.t
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- now
	return ch
}

// testClock is shared by the fakes and adapters of the tests that do not
// test the wait itself (it only moves forward).
var testClock = &gwClock{t: time.Now()}

func newFake(t *testing.T, opts discordfake.Options) *discordfake.Server {
	t.Helper()
	opts.Token, opts.BotID = "tok", botID
	if opts.Now == nil {
		opts.Now = testClock.Now
	}
	fake := discordfake.New(opts)
	t.Cleanup(fake.Close) // runs last: after the adapter stopped
	t.Cleanup(func() {
		// Every test: the adapter followed the gateway protocol.
		if v := fake.Violations(); len(v) > 0 {
			t.Errorf("gateway protocol violations: %q", v)
		}
	})
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
	discord.SetGatewayTimers(a, testClock.After, nil)
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
