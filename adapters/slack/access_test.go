package slack_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
)

// TestAccessNonStaffEveryPath: an external (Slack Connect) customer runs
// every staff command, presses every notice button and uses every staff
// reaction: each is refused and the thread does not change.
func TestAccessNonStaffEveryPath(t *testing.T) {
	e := newE2E(t, true)
	ctx := context.Background()
	ts := e.fake.Post(e2eShared, e2eCust, "The billing page is broken", "")
	th := e.thread(ts)
	id := bot.FormatID(th.ID)
	e.flush()
	notice := e.fake.Messages(e2eTriage)[0]
	for _, cmd := range []string{"mine", "open", "claim " + id, "assign " + id + " <@" + e2eCust + ">", "snooze " + id + " 2h",
		"resolve " + id, "reopen " + id, "tag " + id + " billing", "untag " + id + " defect", "stats 7d",
		"incident 1 update hi", "incident 1 resolve"} {
		resp, err := e.fake.SlashCommand(ctx, e2eCust, "TACME", e2eShared, cmd)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(resp.Ack) + string(resp.Body); !strings.Contains(got, "only staff") {
			t.Errorf("/openear %s by a customer: %s", cmd, got)
		}
	}
	for _, b := range []struct{ action, value string }{{"claim", "claim " + id}, {"snooze", "snooze " + id + " 1h"}, {"resolve", "resolve " + id}} {
		if _, err := e.fake.Press(ctx, e2eCust, "TACME", b.action, b.value, e2eTriage, notice.TS); err != nil {
			t.Fatal(err)
		}
	}
	e.fake.React(e2eShared, ts, e2eCust, "eyes")
	e.fake.React(e2eShared, ts, e2eCust, "white_check_mark")
	e.fake.React(e2eTriage, notice.TS, e2eCust, "white_check_mark")
	// A staff message after them proves they were all processed.
	e.fake.Post(e2eShared, e2eAlice, "Looking into it", ts)
	e.waitFor("staff reply", func() bool { return e.thread(ts).State == bot.Answered })
	got := e.thread(ts)
	if got.Owner != th.Owner || !got.SnoozeUntil.IsZero() || got.Tags == nil || got.HasTag("billing") || got.ResolvedAt != (th.ResolvedAt) {
		t.Fatalf("a customer changed the thread: %+v", got)
	}
}

// TestResponseURLNeverCalledOffSlack: a signed slash command whose
// response_url points elsewhere is answered in the HTTP response; the URL
// is never called.
func TestResponseURLNeverCalledOffSlack(t *testing.T) {
	var hits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer evil.Close()
	e := newE2E(t, false)
	form := url.Values{"team_id": {"T0HOME"}, "user_id": {e2eAlice}, "channel_id": {e2eShared}, "command": {"/openear"},
		"text": {"help"}, "response_url": {evil.URL + "/commands/T0/1/x"}, "trigger_id": {"1.2.3"}}
	for _, u := range []string{e2eAlice, e2eCust} {
		form.Set("user_id", u)
		status, body, err := e.fake.Send(context.Background(), slackfake.Request{Path: slackfake.CommandsPath, Body: []byte(form.Encode())})
		if err != nil || status != 200 {
			t.Fatalf("command: %d %v %s", status, err, body)
		}
	}
	e.flush()
	if n := hits.Load(); n != 0 {
		t.Fatalf("response_url off hooks.slack.com called %d times", n)
	}
}

// TestStoredTextCapped: a 100 KB customer message (multi-byte runes) is
// stored cut to bot.MaxText bytes of valid UTF-8.
func TestStoredTextCapped(t *testing.T) {
	e := newE2E(t, true)
	ts := e.fake.Post(e2eShared, e2eCust, strings.Repeat("환불 요청 ", 10_000), "")
	th := e.thread(ts)
	m := th.Messages[len(th.Messages)-1]
	if len(m.Text) > bot.MaxText || len(m.Text) < bot.MaxText-4 || !utf8.ValidString(m.Text) {
		t.Fatalf("stored text: %d bytes (max %d), valid UTF-8 %v", len(m.Text), bot.MaxText, utf8.ValidString(m.Text))
	}
}
