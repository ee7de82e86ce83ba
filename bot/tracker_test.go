package bot_test

import (
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/tag"
)

func TestThreadLifecycle(t *testing.T) {
	r := newRig(t, nil)
	id, first := r.customer("UCUST", "The export button is broken, nothing downloads")
	if id == 0 {
		t.Fatal("no thread opened")
	}
	th := r.thread(id)
	if th.State != bot.Waiting || th.Owner == "" || th.Team != "support" {
		t.Fatalf("new thread = %+v", th)
	}
	if !th.HasTag(tag.Defect) {
		t.Errorf("tags = %v, want defect", th.TagNames())
	}
	for _, g := range th.Tags {
		if g.Reason == "" {
			t.Errorf("tag %s has no reason", g.Name)
		}
	}
	r.flush()
	if n := len(r.slack.Sent(bot.ForTriage)); n != 1 {
		t.Fatalf("triage notices = %d, want 1", n)
	}

	// A bot message and an edit in the thread never count as a reply.
	bm := r.msg("UBOT", "auto reply", true, first.MessageID)
	bm.Bot = true
	r.handle(bm)
	ed := r.msg("UALICE", "edited", true, first.MessageID)
	ed.Edit = true
	r.handle(ed)
	if th := r.thread(id); th.State != bot.Waiting {
		t.Fatalf("after bot message and edit: state %s, want waiting", th.State)
	}

	// Staff replies in the thread: answered, first response recorded.
	r.clock.Advance(20 * time.Minute)
	r.handle(r.msg("UALICE", "Looking into it now", true, first.MessageID))
	th = r.thread(id)
	if th.State != bot.Answered || th.FirstResponse() != 20*time.Minute || th.Met != 1 {
		t.Fatalf("after reply: state %s, first response %s, met %d", th.State, th.FirstResponse(), th.Met)
	}
	if !th.Due.IsZero() {
		t.Errorf("answered thread still due at %s", th.Due)
	}

	// The customer writes back: waiting again on the next-reply SLA.
	r.clock.Advance(time.Hour)
	r.handle(r.msg("UCUST", "Still broken after the update", false, first.MessageID))
	th = r.thread(id)
	if th.State != bot.Waiting || th.SLAKind != "next_reply" || th.SLA != 4*time.Hour {
		t.Fatalf("after customer wrote back: %s %s %s", th.State, th.SLAKind, th.SLA)
	}
	if th.FirstResponse() != 20*time.Minute {
		t.Errorf("first response changed to %s", th.FirstResponse())
	}

	// "thanks" after an answer starts no clock.
	r.handle(r.msg("UALICE", "Fixed now, sorry!", true, first.MessageID))
	r.handle(r.msg("UCUST", "thanks!", false, first.MessageID))
	if th := r.thread(id); th.State != bot.Answered {
		t.Fatalf("thanks reopened the wait: %s", th.State)
	}

	// Resolve, then the customer writes again: reopened.
	if reply := r.command("UALICE", true, "resolve "+bot.FormatID(id)); reply == "" {
		t.Fatal("no reply to resolve")
	}
	if th := r.thread(id); th.State != bot.Resolved {
		t.Fatalf("state %s, want resolved", th.State)
	}
	r.handle(r.msg("UCUST", "It broke again, the export fails", false, first.MessageID))
	th = r.thread(id)
	if th.State != bot.Waiting || th.Reopened != 1 {
		t.Fatalf("after writing to a resolved thread: %s reopened=%d", th.State, th.Reopened)
	}
}

func TestDuplicateDeliveries(t *testing.T) {
	r := newRig(t, nil)
	ev := r.msg("UCUST", "The dashboard shows an error 500", false, "")
	res1 := r.handle(ev)
	res2 := r.handle(ev)
	if !res2.Duplicate {
		t.Error("same event id twice: second not reported as duplicate")
	}
	// The same message by backfill, under another id: still one effect.
	ev.ID = "slack:msg:C1:" + ev.MessageID
	r.handle(ev)
	th := r.thread(res1.ThreadID)
	if th.MsgCount != 1 {
		t.Fatalf("message counted %d times", th.MsgCount)
	}
	if _, err := r.store.Thread(r.ctx, res1.ThreadID+1); err == nil {
		t.Fatal("a second thread was opened for a duplicate")
	}
}

func TestJoinWindow(t *testing.T) {
	r := newRig(t, nil)
	id1, _ := r.customer("UCUST", "Hi, our invoices page is broken")
	r.clock.Advance(90 * time.Second)
	id2, _ := r.customer("UCUST", "It shows an error when I open it")
	if id1 != id2 {
		t.Fatalf("messages 90s apart opened threads %d and %d, want one", id1, id2)
	}
	r.clock.Advance(3 * time.Minute)
	id3, _ := r.customer("UCUST", "Also, how do I change my billing email?")
	if id3 == id1 {
		t.Fatal("message after the join window joined the old thread")
	}
	// Another customer never joins.
	id4, _ := r.customer("UOTHER", "The invoices page is broken for us too")
	if id4 == id3 || id4 == id1 {
		t.Fatal("another customer's message joined a thread")
	}
}

func TestJoinWindowConfigurable(t *testing.T) {
	r := newRig(t, func(o *bot.Options) { o.JoinWindow = 10 * time.Minute })
	id1, _ := r.customer("UCUST", "The login page is broken")
	r.clock.Advance(8 * time.Minute)
	if id2, _ := r.customer("UCUST", "Still failing with an error"); id2 != id1 {
		t.Fatal("8 minutes apart with a 10-minute window: want one thread")
	}
}

func TestDMIsOneConversation(t *testing.T) {
	r := newRig(t, nil)
	ev := r.msg("UCUST", "I can't log in, it says error", false, "")
	ev.DM, ev.Channel = true, "D1"
	id := r.handle(ev).ThreadID
	r.clock.Advance(30 * time.Minute)
	ev2 := r.msg("UCUST", "hello? still can't log in", false, "")
	ev2.DM, ev2.Channel = true, "D1"
	if got := r.handle(ev2).ThreadID; got != id {
		t.Fatalf("DM 30 min later opened thread %d, want %d", got, id)
	}
}

func TestNoiseStartsNothing(t *testing.T) {
	r := newRig(t, nil)
	for _, text := range []string{"thanks", "ok", "감사합니다", "👍"} {
		if id, _ := r.customer("UNOISE", text); id != 0 {
			t.Errorf("%q opened thread %d", text, id)
		}
	}
	r.flush()
	if n := len(r.slack.Sent()); n != 0 {
		t.Errorf("noise caused %d actions", n)
	}
}

func TestTopLevelStaffMessageAnswersNewestThread(t *testing.T) {
	r := newRig(t, nil)
	id, _ := r.customer("UCUST", "How do I rotate my API key?")
	r.clock.Advance(5 * time.Minute)
	r.handle(r.msg("UBOB", "Settings → API → Rotate.", true, ""))
	if th := r.thread(id); th.State != bot.Answered {
		t.Fatalf("state %s, want answered", th.State)
	}
}

func TestCustomerCannotAnswerOwnThread(t *testing.T) {
	r := newRig(t, nil)
	id, first := r.customer("UCUST", "Why was I charged twice?")
	r.handle(r.msg("UCUST2", "same question here, why?", false, first.MessageID))
	if th := r.thread(id); th.State != bot.Waiting {
		t.Fatalf("a customer message answered the thread: %s", th.State)
	}
}

func TestStoredTextIsCapped(t *testing.T) {
	r := newRig(t, nil)
	long := make([]byte, 3*bot.MaxText)
	for i := range long {
		long[i] = 'a'
	}
	id, _ := r.customer("UCUST", "error: "+string(long))
	th := r.thread(id)
	if n := len(th.Messages[0].Text); n > bot.MaxText {
		t.Fatalf("stored %d bytes, cap is %d", n, bot.MaxText)
	}
}

// A long conversation: thousands of messages in one thread keep its
// record small, every message still counts once, and a redelivered old
// message is still a duplicate.
func TestLongThreadStaysSmall(t *testing.T) {
	r := newRig(t, nil)
	first := r.msg("UCUST", "The export is broken", false, "")
	id := r.handle(first).ThreadID
	var evs []bot.Event
	for range 500 {
		ev := r.msg("UCUST", "still broken, error again", false, first.MessageID)
		evs = append(evs, ev)
		r.handle(ev)
	}
	th := r.thread(id)
	if th.MsgCount != 501 || len(th.Messages) != bot.MaxMessages || len(th.Keys) > 5+2*bot.MaxMessages {
		t.Fatalf("messages %d (kept %d), keys %d", th.MsgCount, len(th.Messages), len(th.Keys))
	}
	old := evs[3]
	old.ID = "backfill:" + old.MessageID
	if res := r.handle(old); !res.Duplicate {
		t.Fatal("an old message delivered again was not a duplicate")
	}
	if got := r.thread(id).MsgCount; got != 501 {
		t.Fatalf("message count %d after a redelivery", got)
	}
}
