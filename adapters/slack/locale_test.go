package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
)

// koreanAlice: alice reads Korean, in Seoul; the default stays English.
func koreanAlice(o *bot.Options) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	o.People[0].Locale, o.People[0].Loc = "ko", seoul
}

// dms returns the texts of the bot's messages in its DM with a user
// (the fake's DM channel with U0X is D0X).
func (e *e2e) dms(user string) []string {
	var out []string
	for _, m := range e.fake.Messages("D" + strings.TrimPrefix(user, "U")) {
		out = append(out, m.Text)
	}
	return out
}

// A person with locale ko gets Korean DMs, reminders (with the right time
// left, in their zone) and command replies, Korean aliases work, and the
// triage notice follows the default: English.
func TestE2EKoreanPerson(t *testing.T) {
	e := newE2EWith(t, true, defaultFakeOptions(), func(e *e2e) { e.botOpts = koreanAlice })
	ts := e.fake.Post(e2eShared, e2eCust, "How do I export all invoices as CSV?", "")
	th := e.thread(ts)
	id := bot.FormatID(th.ID)
	e.flush()

	notices := e.fake.Messages(e2eTriage)
	if len(notices) != 1 || !strings.HasPrefix(notices[0].Text, "Thread #"+id+" · waiting") {
		t.Fatalf("triage notice: %+v", notices)
	}
	for _, want := range []string{`"text":"Claim"`, `"text":"Snooze 1h"`, "*From*", "*Owner*"} {
		if !strings.Contains(notices[0].Blocks, want) {
			t.Errorf("notice blocks lack %s: %s", want, notices[0].Blocks)
		}
	}
	if got := e.dms(e2eAlice); len(got) != 1 || !strings.HasPrefix(got[0], "📥 새 스레드가 배정됐어요: #"+id) ||
		!strings.Contains(got[0], "11월 23일 (월) 오후 8:00까지 답변해 주세요") {
		t.Fatalf("alice's note of the new thread: %q", got)
	}

	// 45 minutes into a 1h SLA: 15 minutes left, due 11:00 UTC = 20:00 KST.
	e.advance(45 * time.Minute)
	want := "⏰ 리마인더: 스레드 #" + id + " (question) 답변 대기 중 — SLA(1시간) 마감까지 15분 남음 (11월 23일 (월) 오후 8:00)."
	if got := e.dms(e2eAlice); len(got) != 2 || !strings.HasPrefix(got[1], want) {
		t.Fatalf("alice's reminder: %q, want %q", got, want)
	}

	ctx := context.Background()
	ask := func(user, text string) string {
		t.Helper()
		resp, err := e.fake.SlashCommand(ctx, user, "T0HOME", e2eShared, text)
		if err != nil {
			t.Fatal(err)
		}
		return string(resp.Ack) + string(resp.Body)
	}
	if got := ask(e2eAlice, "내꺼"); !strings.Contains(got, "내가 맡은 진행 중 스레드 (1개)") || !strings.Contains(got, "15분 남음") {
		t.Errorf("/openear 내꺼: %s", got)
	}
	if got := ask(e2eAlice, "보류 "+id+" 2시간"); !strings.Contains(got, "#"+id+" 스레드를 11월 23일 (월) 오후 9:45까지 보류했어요.") {
		t.Errorf("/openear 보류: %s", got)
	}
	if th := e.thread(ts); !th.SnoozeUntil.Equal(e.clock.Now().Add(2 * time.Hour)) {
		t.Errorf("snoozed until %s", th.SnoozeUntil)
	}
	// bob reads English, whichever language he types.
	if got := ask(e2eBob, "해결 "+id); !strings.Contains(got, "Thread #"+id+" resolved.") {
		t.Errorf("bob's /openear 해결: %s", got)
	}
	e.waitFor("resolved", func() bool { return e.thread(ts).State == bot.Resolved })
}

// With locale ko as the default, the triage notice is Korean: its labels,
// its buttons (whose values stay command lines) and its plain text.
func TestE2EKoreanTriageNotice(t *testing.T) {
	e := newE2EWith(t, true, defaultFakeOptions(), func(e *e2e) { e.botOpts = func(o *bot.Options) { o.Locale = "ko" } })
	ts := e.fake.Post(e2eShared, e2eCust, "The CSV export is broken: error 500 every time", "")
	id := bot.FormatID(e.thread(ts).ID)
	e.flush()
	notices := e.fake.Messages(e2eTriage)
	if len(notices) != 1 || !strings.HasPrefix(notices[0].Text, "스레드 #"+id+" · 답변 대기") {
		t.Fatalf("triage notice: %+v", notices)
	}
	for _, want := range []string{`"text":"담당하기"`, `"text":"1시간 보류"`, `"text":"해결"`, "*고객*", "*담당*", "*태그*",
		`"value":"claim ` + id + `"`, `"value":"snooze ` + id + ` 1h"`} {
		if !strings.Contains(notices[0].Blocks, want) {
			t.Errorf("notice blocks lack %s: %s", want, notices[0].Blocks)
		}
	}
	// The Korean button still works: its value is the command line.
	if _, err := e.fake.Press(context.Background(), e2eBob, "T0HOME", "claim", "claim "+id, e2eTriage, notices[0].TS); err != nil {
		t.Fatal(err)
	}
	e.waitFor("claimed by the button", func() bool { return e.thread(ts).Owner == "bob" })
	var ephemeral []slackfake.Ephemeral
	e.waitFor("the button's answer", func() bool { ephemeral = e.fake.Ephemerals(); return len(ephemeral) > 0 })
	if !strings.Contains(ephemeral[len(ephemeral)-1].Text, "#"+id+" 스레드를 맡았어요.") {
		t.Errorf("button answer: %+v", ephemeral)
	}
}
