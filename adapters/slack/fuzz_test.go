package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
)

// FuzzVerify: the signature check never panics, accepts a correct
// signature of a fresh timestamp and refuses any other body under it.
func FuzzVerify(f *testing.F) {
	f.Add("8f742231b10e8888abcd99yyyzzz85a5", int64(1531420618), []byte("token=xyzz0WbapA4vBCDEFasx0q6G&command=%2Fwebhook-collect"), "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")
	f.Add("s", int64(0), []byte{}, "")
	f.Add("secret", int64(-1), []byte("{}"), "v0=zz")
	f.Add("secret", int64(1<<62), []byte("\xff"), "v1=00")
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, secret string, ts int64, body []byte, sig string) {
		h := http.Header{}
		h.Set("X-Slack-Signature", sig)
		h.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		if slack.Verify(secret, h, body, now) == nil && sig != slackfake.Sign(secret, ts, body) {
			t.Fatalf("accepted a wrong signature %q", sig)
		}
		h.Set("X-Slack-Signature", slackfake.Sign(secret, now.Unix(), body))
		h.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now.Unix(), 10))
		if err := slack.Verify(secret, h, body, now); err != nil {
			t.Fatalf("refused a good signature: %v", err)
		}
		if slack.Verify(secret, h, append(bytes.Clone(body), 'x'), now) == nil {
			t.Fatal("accepted a changed body")
		}
	})
}

// eventsHandler is an adapter (not running) for the Events API over a
// fake, feeding a recorder.
func eventsHandler(tb testing.TB) (http.Handler, *recorder, *logBuf) {
	return eventsHandlerAt(tb, nil)
}

// eventsHandlerAt is eventsHandler with the adapter's clock (nil: the
// system clock).
func eventsHandlerAt(tb testing.TB, now func() time.Time) (http.Handler, *recorder, *logBuf) {
	fake := newFake(tb, slackfake.Options{BotToken: botToken, SigningSecret: secret})
	tb.Cleanup(fake.Close)
	fake.AddChannel(custChan, "cust")
	fake.AddUser(alice, "T0HOME", "alice", false)
	fake.AddUser(carol, custTeam, "carol", false)
	rec, logs := newRecorder(), &logBuf{}
	ad, err := slack.New(slack.Config{BotToken: botToken, SigningSecret: secret, APIURL: fake.URL() + "/api/",
		TriageChannel: triageChan, Channels: []string{custChan}, DMs: true, Now: now,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}, rec)
	if err != nil {
		tb.Fatal(err)
	}
	return ad.HTTPHandler(), rec, logs
}

func signedEvent(body []byte, at time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, slackfake.EventsPath, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(at.Unix(), 10))
	r.Header.Set("X-Slack-Signature", slackfake.Sign(secret, at.Unix(), body))
	return r
}

const okMessage = `{"type":"event_callback","event_id":"Ev1","team_id":"T0HOME","event":{"type":"message","channel":"C0CUST","channel_type":"channel","user":"U0CAROL","team":"T0CUST","text":"hello","ts":"1800000000.000100"}}`

// FuzzEventsAPI: any signed Events API body is answered 200 (handled or
// ignored) or 400 (malformed), never a panic or a 500 (a user Slack does
// not know is a customer, not an error).
func FuzzEventsAPI(f *testing.F) {
	h, _, _ := eventsHandler(f)
	for _, s := range []string{okMessage,
		`{"type":"url_verification","challenge":"abc"}`,
		`{"type":"event_callback","event":{"type":"reaction_added","user":"U0ALICE","reaction":"eyes","item":{"type":"message","channel":"C0CUST","ts":"1.2"}}}`,
		`{"type":"event_callback","event":{"type":"message","subtype":"message_changed","channel":"C0CUST","message":{"text":"x"}}}`,
		`{"type":"event_callback","event":{"type":"app_mention"}}`,
		`{"type":"event_callback","event":null}`, `{}`, `[]`, `null`, "\xff\xfe"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signedEvent(body, time.Now()))
		if w.Code != 200 && w.Code != 400 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
	})
}

// TestOddPayloads: payloads Slack may send (or an attacker may sign with
// a leaked secret) get a 4xx or are skipped with a log line; never a
// panic, never a 5xx that would make Slack retry forever.
func TestOddPayloads(t *testing.T) {
	h, rec, logs := eventsHandler(t)
	huge := strings.Repeat("ü", 600_000) // 1.2 MB of text
	tenMB := bytes.Repeat([]byte("a"), 10<<20)
	cases := []struct {
		name   string
		body   []byte
		status int
		log    string // a log line that says why it was skipped
	}{
		{"unknown event type", []byte(`{"type":"event_callback","event_id":"Ev2","event":{"type":"team_join","user":{}}}`), 200, "ignoring event"},
		{"unknown outer type", []byte(`{"type":"app_rate_limited"}`), 200, "ignoring outer event"},
		{"missing event", []byte(`{"type":"event_callback","event_id":"Ev3"}`), 400, ""},
		{"message without channel", []byte(`{"type":"event_callback","event_id":"Ev4","event":{"type":"message","user":"U0CAROL","text":"x","ts":"1.1"}}`), 200, "skipping message"},
		{"message without ts", []byte(`{"type":"event_callback","event_id":"Ev5","event":{"type":"message","channel":"C0CUST","user":"U0CAROL","team":"T0CUST","text":"x"}}`), 200, "skipping message"},
		{"wrong field types", []byte(`{"type":"event_callback","event":{"type":"message","channel":7,"ts":[]}}`), 400, ""},
		{"invalid UTF-8 text", []byte("{\"type\":\"event_callback\",\"event_id\":\"Ev6\",\"event\":{\"type\":\"message\",\"channel\":\"C0CUST\",\"user\":\"U0CAROL\",\"team\":\"T0CUST\",\"text\":\"\xff\xfe\xfd\",\"ts\":\"1800000000.000200\"}}"), 200, ""},
		{"huge text", []byte(`{"type":"event_callback","event":{"type":"message","channel":"C0CUST","user":"U0CAROL","text":"` + huge + `","ts":"1800000000.000300"}}`), 413, ""},
		{"10 MB body", tenMB, 413, ""},
		{"not JSON", []byte("<xml/>"), 400, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, signedEvent(c.body, time.Now()))
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %s", w.Code, c.status, w.Body)
			}
			if c.log != "" && !strings.Contains(logs.String(), c.log) {
				t.Fatalf("no log line %q", c.log)
			}
		})
	}
	for _, ev := range rec.all() {
		if ev.Channel == "" || ev.MessageID == "" {
			t.Errorf("an odd payload reached the core: %+v", ev)
		}
	}
}

// TestAccessSignatures: forged, stale (±301 s), unsigned and replayed
// requests are refused with 401 on every endpoint and reach nothing. (A
// replay within the 5 minutes carries the same event_id: the core's
// dedupe gives it one effect, see TestE2ERetriesHaveOneEffect.) The
// adapter's clock stands still, so the ±301 s edges hold however slowly
// the test runs.
func TestAccessSignatures(t *testing.T) {
	now := time.Now()
	h, rec, _ := eventsHandlerAt(t, func() time.Time { return now })
	body := []byte(okMessage)
	for _, path := range []string{slackfake.EventsPath, slackfake.CommandsPath, slackfake.InteractivePath} {
		reqs := map[string]*http.Request{}
		mk := func(name string, at time.Time, sig string, set bool) {
			r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
			if set {
				r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(at.Unix(), 10))
				r.Header.Set("X-Slack-Signature", sig)
			}
			reqs[name] = r
		}
		mk("forged", now, slackfake.Sign("not-the-secret", now.Unix(), body), true)
		mk("stale -301s", now.Add(-301*time.Second), slackfake.Sign(secret, now.Add(-301*time.Second).Unix(), body), true)
		mk("future +301s", now.Add(301*time.Second), slackfake.Sign(secret, now.Add(301*time.Second).Unix(), body), true)
		mk("unsigned", now, "", false)
		mk("signature only", now, slackfake.Sign(secret, now.Unix(), body), false)
		mk("other body", now, slackfake.Sign(secret, now.Unix(), []byte(`{"type":"event_callback"}`)), true)
		// A request captured 301 s ago and replayed now.
		old := now.Add(-301 * time.Second)
		mk("replayed", old, slackfake.Sign(secret, old.Unix(), body), true)
		for name, r := range reqs {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusUnauthorized {
				t.Errorf("%s %s: status %d, want 401", path, name, w.Code)
			}
		}
	}
	if evs := rec.all(); len(evs) != 0 {
		t.Fatalf("refused requests reached the handler: %+v", evs)
	}
	// The same request, fresh, is accepted: the refusals are not by accident.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedEvent(body, now))
	if w.Code != 200 || len(rec.all()) != 1 {
		t.Fatalf("a good request: %d, %d events", w.Code, len(rec.all()))
	}
}

// TestOddSocketEnvelopes: envelopes Slack might send that openear does not
// expect — unknown types, payloads of the wrong shape, missing fields, a
// huge text, a lone surrogate — are each acknowledged (never stuck), and
// the adapter goes on handling real messages. (Whether an ack beat the
// fake's 3-second redelivery depends on the machine: not asserted.)
func TestOddSocketEnvelopes(t *testing.T) {
	e := newE2E(t, true)
	huge := strings.Repeat("é", 50_000) // 100 KB: more than Slack's 40,000-character limit
	odd := []struct{ typ, payload string }{
		{"weird_type", `{"a":1}`},
		{"events_api", `"not an object"`},
		{"events_api", `{}`},
		{"events_api", `{"type":"event_callback","event_id":"EvOdd1","event":{"type":"message"}}`},
		{"events_api", `{"type":"event_callback","event_id":"EvOdd2","event":{"type":"message","channel":"C0SHARED","user":"U0JIN","text":"` + huge + `","ts":"1795000000.000001"}}`},
		{"events_api", `{"type":"event_callback","event_id":"EvOdd3","event":{"type":"message","channel":"C0SHARED","user":"U0JIN","text":"bad \udc00 surrogate","ts":"1795000000.000002"}}`},
		{"events_api", `{"type":"event_callback","event_id":"EvOdd4","event":{"type":"no_such_event"}}`},
		{"slash_commands", `{"command":"/openear"}`},
		{"interactive", `{"type":"no_such_interaction"}`},
		{"interactive", `[]`},
	}
	var ids []string
	for _, o := range odd {
		ids = append(ids, e.fake.SendEnvelope(o.typ, json.RawMessage(o.payload)))
	}
	e.waitFor("every odd envelope acked", func() bool {
		for _, id := range ids {
			if !e.fake.Acked(id) {
				return false
			}
		}
		return true
	})
	// Still working.
	ts := e.fake.Post(e2eShared, e2eCust, "Is the export broken?", "")
	e.thread(ts)
	// The huge message was stored capped, as any message.
	th, err := e.db.ThreadByKey(context.Background(), bot.Key(bot.Slack, e2eShared, "1795000000.000001"))
	if err == nil && len(th.Messages[0].Text) > bot.MaxText {
		t.Fatalf("stored %d bytes of a huge text", len(th.Messages[0].Text))
	}
}
