package slack_test

// Slow and failing Slack: the outbox keeps actions through 429s, 5xx and
// an outage of many (fake-clock) minutes and sends them later; a slow Web
// API never delays Socket Mode acks past Slack's 3 seconds.

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
)

func outbox(t *testing.T, e *e2e) []bot.Action {
	t.Helper()
	acts, err := e.db.Outbox(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return acts
}

// TestOutboxKeepsActionsWhileSlackFails: 429 (Retry-After), 500 and an
// outage of 30 minutes: the triage notice stays in the outbox and is
// posted exactly once when Slack answers again. The clock is fake; Flush
// steps the sender.
func TestOutboxKeepsActionsWhileSlackFails(t *testing.T) {
	e := newE2E(t, false)
	ts := e.fake.Post(e2eShared, e2eCust, "Where do I find my invoices?", "")
	e.thread(ts)
	e.waitFor("the customer's name", func() bool { return e.thread(ts).CustName != "" })

	// The new thread queued the notice and alice's DM; the sender serves
	// them concurrently, so each failure is scripted for both calls.
	// The notice is the newest of the thread's pending notices: the
	// customer's name, looked up meanwhile, queues a newer version that
	// supersedes the first.
	notice := func() bot.Action {
		t.Helper()
		var last *bot.Action
		for _, a := range outbox(t, e) {
			if a.Purpose == bot.ForTriage {
				last = &a
			}
		}
		if last == nil {
			t.Fatal("the notice left the outbox")
		}
		return *last
	}
	// 429 with Retry-After: 1 → not before a second has passed.
	e.fake.FailNext("chat.postMessage", 2, slackfake.RateLimit)
	e.flush()
	if a := notice(); a.Attempts != 1 || !a.NotBefore.After(e.clock.Now()) {
		t.Fatalf("after a 429 the notice is %+v", a)
	}
	// 500, then Slack down for 30 minutes.
	e.clock.Advance(time.Second)
	e.fake.FailNext("chat.postMessage", 2, slackfake.ServerError)
	e.flush()
	e.fake.SetDown(true)
	for range 30 {
		e.clock.Advance(time.Minute)
		e.flush()
	}
	if a := notice(); a.Attempts < 3 {
		t.Fatalf("while Slack is down the notice is %+v", a)
	}
	if n := len(e.fake.Messages(e2eTriage)); n != 0 {
		t.Fatalf("%d notices posted while failing", n)
	}
	e.fake.SetDown(false)
	e.clock.Advance(5 * time.Minute) // the longest backoff
	e.flush()
	if n := len(e.fake.Messages(e2eTriage)); n != 1 {
		t.Fatalf("%d notices after Slack came back, want 1", n)
	}
	if acts := outbox(t, e); len(acts) != 0 {
		t.Fatalf("outbox not empty: %+v", acts)
	}
}

// slowProxy forwards to the fake, holding every Web API call for delay
// while slow is set.
func slowProxy(t *testing.T, fake *slackfake.Server, delay time.Duration) (*httptest.Server, *atomic.Bool) {
	t.Helper()
	u, _ := url.Parse(fake.URL())
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	var slow atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slow.Load() {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &slow
}

// TestSlowWebAPIDoesNotDelayAcks: every Web API call takes 5 s while the
// sender works through the outbox; customer messages arriving meanwhile
// are still acknowledged within Slack's 3 s.
func TestSlowWebAPIDoesNotDelayAcks(t *testing.T) {
	var proxy *httptest.Server
	var slow *atomic.Bool
	e := newE2EWith(t, true, slackfake.Options{PingInterval: 200 * time.Millisecond}, func(e *e2e) {
		proxy, slow = slowProxy(t, e.fake, 5*time.Second)
		e.apiURL = proxy.URL + "/api/"
	})
	e.thread(e.fake.Post(e2eShared, e2eCust, "First question: how do I export?", ""))
	slow.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { e.bot.Flush(ctx) }) // the sender, stuck on the slow API
	defer func() { cancel(); wg.Wait() }()

	var posted []string
	for i := range 5 {
		u := fmt.Sprintf("U0S%03d", i)
		e.fake.AddUser(u, "TACME", u, false)
		posted = append(posted, e.fake.Post(e2eShared, u, fmt.Sprintf("Slow-time question %d: where is my invoice?", i), ""))
	}
	for _, ts := range posted {
		e.thread(ts)
	}
	acked := map[string]time.Time{}
	for _, a := range e.fake.Acks() {
		acked[a.EnvelopeID] = a.At
	}
	worst := time.Duration(0)
	n := 0
	for _, d := range e.fake.Deliveries() {
		if d.Transport != "socket" || d.Type != "events_api" {
			continue
		}
		at, ok := acked[d.EnvelopeID]
		if !ok {
			e.waitFor("ack of "+d.EnvelopeID, func() bool { return e.fake.Acked(d.EnvelopeID) })
			continue
		}
		n++
		worst = max(worst, at.Sub(d.At))
	}
	// An ack that waited for a Web API call would take at least the
	// proxy's 5 s; the bound is the cause, not the machine's speed (the
	// figure below is what Slack's 3-second rule is about).
	if worst >= 5*time.Second {
		t.Fatalf("an envelope waited %s for its ack: it waited for the slow Web API", worst)
	}
	t.Logf("FIGURES slow Web API (5 s a call): %d envelopes, slowest ack %s", n, worst.Round(time.Millisecond))
}
