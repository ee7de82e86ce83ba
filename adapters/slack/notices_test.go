package slack_test

// Notices under load through the real adapter and slackfake: digests of a
// burst, their buttons and their edits, Slack's per-channel post limit,
// and reminders that say the time left.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
)

// burst posts n customer messages from n customers (Slack Connect) and
// waits until each is tracked; it returns the threads in order.
func (e *e2e) burst(n int, text string) []bot.Thread {
	e.t.Helper()
	var out []bot.Thread
	for i := range n {
		u := fmt.Sprintf("U0B%03d", i)
		e.fake.AddUser(u, "TACME", fmt.Sprintf("customer %d", i), false)
		ts := e.fake.Post(e2eShared, u, fmt.Sprintf("%s (%d)", text, i), "")
		out = append(out, e.thread(ts))
	}
	return out
}

func triageMessage(t *testing.T, e *e2e, ref string) slackfake.Message {
	t.Helper()
	_, ts, _ := strings.Cut(ref, "/")
	for _, m := range e.fake.Messages(e2eTriage) {
		if m.TS == ts {
			return m
		}
	}
	t.Fatalf("no triage message %s", ref)
	return slackfake.Message{}
}

// A burst of new threads gets one digest notice in the triage channel,
// with each thread's buttons; a press acts on its thread and the digest
// is edited to show it.
func TestDigestNoticeThroughSlack(t *testing.T) {
	e := newE2E(t, false)
	threads := e.burst(6, "The export is broken")
	e.flush()
	msgs := e.fake.Messages(e2eTriage)
	if len(msgs) != 1 {
		t.Fatalf("%d triage messages for a burst of 6, want one digest", len(msgs))
	}
	d := msgs[0]
	blocks := blockText(t, d.Blocks)
	if !strings.Contains(blocks, "6 new threads") || !strings.Contains(d.Text, "6 new threads in the last 0s: 6 defect") {
		t.Fatalf("digest:\n%s\n%s", d.Text, blocks)
	}
	for _, th := range threads {
		id := bot.FormatID(th.ID)
		for _, v := range []string{"value=claim " + id, "value=snooze " + id + " 1h", "value=resolve " + id} {
			if !strings.Contains(blocks, v) {
				t.Errorf("digest lacks %q", v)
			}
		}
		if ref := e.thread(th.Root).NoticeRef; ref != e2eTriage+"/"+d.TS {
			t.Errorf("thread #%d notice ref %q, want the digest %s", th.ID, ref, d.TS)
		}
	}

	// Bob resolves thread 3 from the digest's button.
	target := threads[2]
	resp, err := e.fake.Press(context.Background(), e2eBob, "T0HOME", slack.ActionResolve, "resolve "+bot.FormatID(target.ID), e2eTriage, d.TS)
	if err != nil || resp.Status >= 300 {
		t.Fatalf("press: %v %+v", err, resp)
	}
	e.waitFor("thread resolved", func() bool { return e.thread(target.Root).State == bot.Resolved })
	e.flush()
	d = triageMessage(t, e, e2eTriage+"/"+d.TS)
	blocks = blockText(t, d.Blocks)
	if !d.Edited || strings.Contains(blocks, "value=resolve "+bot.FormatID(target.ID)) || !strings.Contains(blocks, fmt.Sprintf("#%d* · resolved", target.ID)) {
		t.Fatalf("digest after resolving #%d (edited %v):\n%s", target.ID, d.Edited, blocks)
	}
	if !strings.Contains(blocks, "value=resolve "+bot.FormatID(threads[3].ID)) {
		t.Fatal("the other threads lost their buttons")
	}
	if n := len(e.fake.Messages(e2eTriage)); n != 1 {
		t.Fatalf("%d triage messages after the update, want the one digest", n)
	}
}

// With Slack's per-channel limit modelled in the fake (a bucket of 3,
// one post per interval) and the adapter pacing the same, a burst of 30
// new threads is noticed in a few digests without a single 429.
func TestBurstWithinSlackLimit(t *testing.T) {
	const every = 150 * time.Millisecond
	e := newE2EWith(t, false, slackfake.Options{PingInterval: 200 * time.Millisecond,
		PostLimit: slackfake.PostLimit{Every: every, Burst: 3}}, func(e *e2e) {
		e.adOpts = func(c *slack.Config) { c.PostInterval, c.PostBurst = every, 3 }
	})
	threads := e.burst(30, "Checkout fails with error 500")
	for {
		n, err := e.bot.Flush(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if n := e.fake.RateLimited(); n != 0 {
		t.Fatalf("%d posts refused with 429: the adapter's pace is not Slack's", n)
	}
	noticed := map[string]bool{}
	for _, m := range e.fake.Messages(e2eTriage) {
		noticed[m.TS] = true
	}
	for _, th := range threads {
		ref := e.thread(th.Root).NoticeRef
		if _, ts, _ := strings.Cut(ref, "/"); !noticed[ts] {
			t.Fatalf("thread #%d has no notice (ref %q)", th.ID, ref)
		}
	}
	if n := len(noticed); n > 8 {
		t.Fatalf("%d triage messages for 30 threads: not coalesced", n)
	}
}

// Reminders through Slack say how long is left, at, or past the SLA.
func TestReminderTextsThroughSlack(t *testing.T) {
	e := newE2EWith(t, false, slackfake.Options{PingInterval: 200 * time.Millisecond}, func(e *e2e) {
		e.botOpts = func(o *bot.Options) {
			o.SLA = bot.SLA{FirstReply: 40 * time.Second, RemindAt: []float64{0.5, 1.0, 1.5}, EscalateAfter: 2}
		}
	})
	th := e.thread(e.fake.Post(e2eShared, e2eCust, "How do I invite a teammate?", ""))
	e.flush()
	for _, c := range []struct {
		after time.Duration
		want  string
	}{
		{20 * time.Second, "its 40s SLA ends in 20s"},
		{20 * time.Second, "its 40s SLA ends now"},
		{20 * time.Second, "is past its 40s SLA by 20s"},
	} {
		e.advance(c.after)
		var last string
		for _, cl := range e.fake.Calls("chat.postMessage") {
			if txt := cl.Form.Get("text"); strings.Contains(txt, fmt.Sprintf("Reminder: thread #%d ", th.ID)) {
				last = txt
			}
		}
		if !strings.Contains(last, c.want) {
			t.Fatalf("reminder %q, want %q", last, c.want)
		}
	}
}
