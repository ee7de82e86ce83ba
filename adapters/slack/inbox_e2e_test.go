package slack_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slack"
	"github.com/openear/openear/bot"
)

// TestE2ENames: a new customer's first notice shows their user id (no
// lookup on the ack path), then their name and company once Slack told
// them in the background: the notice is edited, and the thread keeps
// the names. An hour later a renamed customer is looked up again.
func TestE2ENames(t *testing.T) {
	var skew atomic.Int64
	e := newE2EWith(t, true, defaultFakeOptions(), func(e *e2e) {
		e.fake.AddTeam("TACME", "Acme Corp")
		e.adOpts = func(c *slack.Config) {
			c.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
		}
	})
	ts := e.fake.Post(e2eShared, e2eCust, "Where can I download last month's invoice?", "")
	e.waitFor("names", func() bool {
		th := e.thread(ts)
		return th.CustName == "jin" && th.CustCompany == "Acme Corp" && th.ChannelName == "shared-acme"
	})
	e.flush()
	notices := e.fake.Messages(e2eTriage)
	if len(notices) != 1 || !strings.Contains(notices[0].Blocks, "jin (Acme Corp)") {
		t.Fatalf("the notice does not show the name: %+v", notices)
	}
	if calls := e.fake.Calls("team.info"); len(calls) != 1 || calls[0].Form.Get("team") != "TACME" {
		t.Errorf("team.info calls %+v", calls)
	}
	dir, err := bot.ReadDirectory(context.Background(), e.db)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := dir.Channel(bot.Slack, e2eShared); !ok || c != "shared-acme" {
		t.Errorf("directory %v", dir)
	}

	// Renamed; an hour later the next message brings a lookup.
	e.fake.AddUser(e2eCust, "TACME", "Jin Park", false)
	skew.Store(int64(2 * time.Hour))
	e.fake.Post(e2eShared, e2eCust, "Found it, thanks!", ts)
	e.waitFor("the new name", func() bool { return e.thread(ts).CustName == "Jin Park" })
}

func csatE2E(t *testing.T, socket bool) *e2e {
	return newE2EWith(t, socket, defaultFakeOptions(), func(e *e2e) {
		e.botOpts = func(o *bot.Options) {
			o.CSAT = bot.CSATOptions{Enabled: true, Text: map[string]string{"en": "How did we do?", "ko": "상담은 만족스러우셨나요?"}}
		}
	})
}

func TestE2ECSATSocketMode(t *testing.T) { testCSAT(t, true) }
func TestE2ECSATEventsAPI(t *testing.T)  { testCSAT(t, false) }

// testCSAT: resolve → the question in the customer's language with five
// buttons → another user's press is refused → the customer's press is
// stored, a modal takes their comment → stats show it.
func testCSAT(t *testing.T, socket bool) {
	e := csatE2E(t, socket)
	ctx := context.Background()
	ts := e.fake.Post(e2eShared, e2eCust, "결제가 두 번 되었어요. 환불 부탁드립니다", "")
	th := e.thread(ts)
	id := bot.FormatID(th.ID)
	if _, err := e.fake.SlashCommand(ctx, e2eAlice, "T0HOME", e2eTriage, "resolve "+id); err != nil {
		t.Fatal(err)
	}
	e.flush()
	var q *struct{ ts, blocks, text string }
	for _, m := range e.fake.Messages(e2eShared) {
		if m.BotID != "" && m.ThreadTS == ts {
			q = &struct{ ts, blocks, text string }{m.TS, m.Blocks, m.Text}
		}
	}
	if q == nil || q.text != "상담은 만족스러우셨나요?" {
		t.Fatalf("no question in the thread: %+v", e.fake.Messages(e2eShared))
	}
	for n := 1; n <= 5; n++ {
		if !strings.Contains(q.blocks, fmt.Sprintf(`"value":"csat %s %d"`, id, n)) {
			t.Errorf("question lacks the %d button: %s", n, q.blocks)
		}
	}
	// mei (another company) presses a button: refused, nothing stored.
	if _, err := e.fake.Press(ctx, e2eCust2, "TGLOBEX", slack.ActionCSAT+"1", "csat "+id+" 1", e2eShared, q.ts); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the refusal", func() bool {
		for _, m := range e.fake.Ephemerals() {
			if m.User == e2eCust2 && strings.Contains(m.Text, "문의하신 분만") {
				return true
			}
		}
		return false
	})
	if got := e.thread(ts).CSAT; got.Score != 0 || len(e.fake.Views()) != 0 {
		t.Fatalf("another user's press: %+v", got)
	}
	// jin presses 😐 then 🙂: the answer is replaced; a modal opens each time.
	for _, n := range []int{3, 4} {
		if _, err := e.fake.Press(ctx, e2eCust, "TACME", fmt.Sprintf("%s%d", slack.ActionCSAT, n), fmt.Sprintf("csat %s %d", id, n), e2eShared, q.ts); err != nil {
			t.Fatal(err)
		}
		e.waitFor("the score", func() bool { return e.thread(ts).CSAT.Score == n })
	}
	e.waitFor("the comment modal", func() bool { return len(e.fake.Views()) == 2 })
	v := e.fake.Views()[1]
	if v.User != e2eCust || v.CallbackID != slack.CSATView || v.Metadata != "csat "+id || !strings.Contains(string(v.JSON), "더 하실 말씀이 있나요?") {
		t.Fatalf("modal %+v %s", v, v.JSON)
	}
	if _, err := e.fake.SubmitView(ctx, v.ID, map[string]map[string]string{"comment": {"comment": "빠르게 처리해 주셔서 감사해요"}}); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the comment", func() bool { return e.thread(ts).CSAT.Comment == "빠르게 처리해 주셔서 감사해요" })
	resp, err := e.fake.SlashCommand(ctx, e2eAlice, "T0HOME", e2eTriage, "stats")
	if err != nil {
		t.Fatal(err)
	}
	if body := string(resp.Ack) + string(resp.Body); !strings.Contains(body, "CSAT: 4.0 (1)") || !strings.Contains(body, "CSAT by person: alice 4.0 (1)") {
		t.Errorf("stats lack the rating: %s", body)
	}
}

// TestE2ELogin: /openear login DMs staff a link (without a preview);
// a customer gets no link.
func TestE2ELogin(t *testing.T) {
	e := newE2EWith(t, true, defaultFakeOptions(), func(e *e2e) {
		e.botOpts = func(o *bot.Options) {
			o.Web = bot.WebOptions{URL: func() string { return "https://openear.example.com" }}
		}
	})
	ctx := context.Background()
	resp, err := e.fake.SlashCommand(ctx, e2eAlice, "T0HOME", e2eTriage, "login")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(resp.Ack), "direct message") {
		t.Errorf("reply %s", resp.Ack)
	}
	e.flush()
	dm := e.fake.Messages("D0ALICE")
	if len(dm) != 1 || !strings.Contains(dm[0].Text, "https://openear.example.com/login/") {
		t.Fatalf("DM %+v", dm)
	}
	for _, c := range e.fake.Calls("chat.postMessage") {
		if c.Form.Get("channel") == "D0ALICE" && (c.Form.Get("unfurl_links") != "false" || c.Form.Get("unfurl_media") != "false") {
			t.Errorf("the link may be previewed: %v", c.Form)
		}
	}
	resp, err = e.fake.SlashCommand(ctx, e2eCust, "TACME", e2eShared, "login")
	if err != nil {
		t.Fatal(err)
	}
	e.flush()
	if !strings.Contains(string(resp.Ack), "only staff") || len(e.fake.Messages("D0JIN")) != 0 {
		t.Errorf("a customer asked for a link: %s", resp.Ack)
	}
}
