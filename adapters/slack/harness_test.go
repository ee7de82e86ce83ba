package slack_test

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
)

func TestMain(m *testing.M) { bottest.VerifyMain(m) }

const (
	custChan   = "C0CUST"
	triageChan = "C0TRIAGE"
	otherChan  = "C0OTHER"
	alice      = "U0ALICE" // home team: staff
	carol      = "U0CAROL" // Slack Connect customer
	bob        = "U0BOB"   // partner team, listed as staff in the config
	custTeam   = "T0CUST"
)

// recorder is a scripted bot.Handler and bot.Submitter, like the core:
// it records events in the order they are submitted, fails the next n
// on request, keeps cursors as the core does (a failed event moves none),
// and answers commands and buttons with reply (non-staff get
// ErrNotStaff). hook, when set, is called first on every event, in lane
// order (it may hold the lane); gate, when set, holds every wait, as a
// slow commit would.
type recorder struct {
	mu     sync.Mutex
	events []bot.Event
	fail   int
	gate   chan struct{} // when set, waits for it
	// hook, when set, is called first for every event; an error fails it.
	hook    func(context.Context, bot.Event) error
	cursors map[string]string
	places  []string // returned by Places
	reply   string
}

func newRecorder() *recorder { return &recorder{cursors: map[string]string{}, reply: "done"} }

func (r *recorder) Handle(ctx context.Context, ev bot.Event) (bot.Result, error) {
	return r.Submit(ctx, ev)()
}

func (r *recorder) Submit(ctx context.Context, ev bot.Event) func() (bot.Result, error) {
	res, err := r.record(ctx, ev)
	r.mu.Lock()
	gate := r.gate
	r.mu.Unlock()
	return func() (bot.Result, error) {
		if gate != nil {
			select {
			case <-gate:
			case <-ctx.Done():
				return bot.Result{}, ctx.Err()
			}
		}
		return res, err
	}
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
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	if r.fail > 0 {
		r.fail--
		return bot.Result{}, errors.New("scripted failure")
	}
	switch ev.Kind {
	case bot.KindMessage:
		place := cmp.Or(ev.Place, ev.Channel)
		if !ev.Backfill && bot.LaterID(ev.MessageID, r.cursors[place]) {
			r.cursors[place] = ev.MessageID
		}
	case bot.KindCommand, bot.KindButton:
		if !ev.Staff {
			return bot.Result{}, bot.ErrNotStaff
		}
		return bot.Result{Reply: r.reply + ": " + ev.Text}, nil
	}
	return bot.Result{}, nil
}

func (r *recorder) Cursor(_ context.Context, platform, place string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if platform != bot.Slack {
		return "", errors.New("wrong platform " + platform)
	}
	return r.cursors[place], nil
}

func (r *recorder) MarkCursor(_ context.Context, platform, place, last string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if platform != bot.Slack || place == "" || last == "" {
		return fmt.Errorf("MarkCursor(%q, %q, %q)", platform, place, last)
	}
	if bot.LaterID(last, r.cursors[place]) {
		r.cursors[place] = last
	}
	return nil
}

func (r *recorder) Places(_ context.Context, platform string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.places), nil
}

func (r *recorder) setCursor(ch, ts string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cursors[ch] = ts
}

func (r *recorder) setHook(hook func(context.Context, bot.Event) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hook = hook
}

func (r *recorder) setFail(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = n
}

func (r *recorder) all() []bot.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Event(nil), r.events...)
}

// find returns the events for which pred holds.
func (r *recorder) find(pred func(bot.Event) bool) []bot.Event {
	var out []bot.Event
	for _, ev := range r.all() {
		if pred(ev) {
			out = append(out, ev)
		}
	}
	return out
}

func byMsg(ts string) func(bot.Event) bool {
	return func(ev bot.Event) bool { return ev.Kind == bot.KindMessage && ev.MessageID == ts }
}

// logBuf is a goroutine-safe log sink, checked for leaked secrets.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type env struct {
	t       *testing.T
	fake    *slackfake.Server
	ad      *slack.Adapter
	rec     *recorder
	ctx     context.Context
	logs    *logBuf
	app     *httptest.Server // HTTP mode only
	done    chan error       // Run's result, once started
	mode    mode
	started bool
}

// run starts Run and waits until the adapter is connected.
func (e *env) run() {
	e.t.Helper()
	e.started = true
	go func() { e.done <- e.ad.Run(e.ctx) }()
	e.waitFor("connected", func() bool { return e.ad.Connected() && (e.mode == httpMode || e.fake.Sockets() == 1) })
}

type mode int

const (
	socketMode mode = iota
	httpMode
)

const (
	botToken = "xoxb-test-secret-token"
	appToken = "xapp-test-secret-token"
	secret   = "test-signing-secret"
)

// setup starts a fake Slack and an adapter against it; cfg may adjust the
// config; run says whether to start Run (and wait until connected).
func setup(t *testing.T, m mode, cfg func(*slack.Config), run bool) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	fake := slackfake.New(slackfake.Options{BotToken: botToken, AppToken: appToken, SigningSecret: secret,
		AckTimeout: 300 * time.Millisecond, PingInterval: 100 * time.Millisecond})
	for _, ch := range []string{custChan, triageChan, otherChan} {
		fake.AddChannel(ch, strings.ToLower(ch))
	}
	fake.AddUser(alice, "T0HOME", "alice", false)
	fake.AddUser(carol, custTeam, "carol", false)
	fake.AddUser(bob, "T0PARTNER", "bob", false)
	e := &env{t: t, fake: fake, rec: newRecorder(), ctx: ctx, logs: &logBuf{}, mode: m, done: make(chan error, 1)}
	c := slack.Config{
		BotToken: botToken, SigningSecret: secret, APIURL: fake.URL() + "/api/",
		TriageChannel: triageChan, Channels: []string{custChan}, DMs: true, Staff: []string{bob},
		Logger:       slog.New(slog.NewTextHandler(io.MultiWriter(e.logs), &slog.HandlerOptions{Level: slog.LevelDebug})),
		PostInterval: -1, PingInterval: 2 * time.Second,
	}
	if m == socketMode {
		c.AppToken = appToken
	}
	if cfg != nil {
		cfg(&c)
	}
	ad, err := slack.New(c, e.rec)
	if err != nil {
		t.Fatal(err)
	}
	e.ad = ad
	if m == httpMode {
		mux := http.NewServeMux()
		mux.Handle("/slack/", ad.HTTPHandler())
		e.app = httptest.NewServer(mux)
		fake.SetAppURL(e.app.URL)
	}
	t.Cleanup(func() {
		cancel()
		if e.started {
			if err := <-e.done; err != nil {
				t.Errorf("Run: %v", err)
			}
		}
		if e.app != nil {
			e.app.Close()
		}
		fake.Close()
		for _, s := range []string{botToken, appToken, secret} {
			if strings.Contains(e.logs.String(), s) {
				t.Errorf("a secret was logged: %q", s)
			}
		}
	})
	if run {
		e.run()
	}
	return e
}

// waitFor polls cond on every change of the fake (and every 50 ms).
func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 5*time.Second)
	defer cancel()
	if err := e.fake.WaitFor(ctx, cond); err != nil {
		e.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// waitEvents waits until n events match pred and returns them.
func (e *env) waitEvents(n int, pred func(bot.Event) bool) []bot.Event {
	e.t.Helper()
	var got []bot.Event
	e.waitFor("events", func() bool {
		got = e.rec.find(pred)
		return len(got) >= n
	})
	return got
}
