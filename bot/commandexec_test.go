package bot_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
)

func TestNonStaffChangesNothing(t *testing.T) {
	r := newRig(t, nil)
	id, first := r.customer("UCUST", "The export is broken")
	before := r.thread(id)
	ids := bot.FormatID(id)
	for _, cmd := range []string{"claim " + ids, "resolve " + ids, "snooze " + ids + " 2h", "tag " + ids + " praise", "assign " + ids + " <@UEVIL>", "mine", "open", "stats"} {
		reply := r.command("UEXTERNAL", false, cmd)
		if !strings.Contains(reply, "only staff") {
			t.Errorf("%q by a customer: reply %q", cmd, reply)
		}
	}
	// Reactions and buttons from a customer change nothing either.
	r.handle(bot.Event{ID: "re1", Kind: bot.KindReaction, Platform: bot.Slack, Channel: "C1", MessageID: first.MessageID, User: "UEXTERNAL", Reaction: "white_check_mark"})
	r.handle(bot.Event{ID: "bt1", Kind: bot.KindButton, Platform: bot.Slack, User: "UEXTERNAL", Text: "resolve " + ids})
	if after := r.thread(id); !reflect.DeepEqual(before, after) {
		t.Fatalf("thread changed by a non-staff user:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestReactionsClaimAndResolve(t *testing.T) {
	r := newRig(t, nil)
	id, first := r.customer("UCUST", "The export is broken")
	r.handle(bot.Event{ID: "re1", Kind: bot.KindReaction, Platform: bot.Slack, Channel: "C1", MessageID: first.MessageID, User: "UCAROL", Staff: true, Reaction: "eyes"})
	if got := r.thread(id).Owner; got != "carol" {
		t.Fatalf("👀: owner %s, want carol", got)
	}
	r.handle(bot.Event{ID: "re2", Kind: bot.KindReaction, Platform: bot.Slack, Channel: "C1", MessageID: first.MessageID, User: "UCAROL", Staff: true, Reaction: "white_check_mark"})
	if got := r.thread(id).State; got != bot.Resolved {
		t.Fatalf("✅: state %s", got)
	}
}

func TestCommands(t *testing.T) {
	r := newRig(t, nil)
	id, _ := r.customer("UCUST", "How do I export invoices?")
	ids := bot.FormatID(id)
	steps := []struct {
		cmd, want string
		check     func(bot.Thread) bool
	}{
		{"help", "claim", nil},
		{"frobnicate 1", "unknown command", nil},
		{"claim 999", "No thread #999", nil},
		{"claim " + ids, "yours now", func(t bot.Thread) bool { return t.Owner == "carol" }},
		{"claim " + ids, "already yours", nil},
		{"assign " + ids + " <@UBOB>", "assigned to bob", func(t bot.Thread) bool { return t.Owner == "bob" }},
		{"mine", "none", nil},
		{"open", "#" + ids, nil},
		{"tag " + ids + " billing", "billing", func(t bot.Thread) bool { return t.HasTag("billing") && t.Corrected }},
		{"untag " + ids + " question", "billing", func(t bot.Thread) bool { return !t.HasTag("question") }},
		{"snooze " + ids + " 1h", "snoozed until", func(t bot.Thread) bool { return !t.SnoozeUntil.IsZero() }},
		{"resolve " + ids, "resolved", func(t bot.Thread) bool { return t.State == bot.Resolved }},
		{"resolve " + ids, "already resolved", nil},
		{"reopen " + ids, "reopened", func(t bot.Thread) bool { return t.State == bot.Waiting }},
		{"stats 7d", "SLA met", nil},
	}
	for _, s := range steps {
		reply := r.command("UCAROL", true, s.cmd)
		if !strings.Contains(reply, s.want) {
			t.Errorf("%q: reply %q, want it to contain %q", s.cmd, reply, s.want)
		}
		if s.check != nil && !s.check(r.thread(id)) {
			t.Errorf("%q: thread is %+v", s.cmd, r.thread(id))
		}
	}
	// bob is told of the assignment.
	r.flush()
	if got := r.dms("UBOB", bot.ForAssigned); !contains(got, "assigned thread #"+ids) {
		t.Errorf("bob's DMs %q", got)
	}
}

func TestTagCorrectionSticks(t *testing.T) {
	r := newRig(t, nil)
	id, first := r.customer("UCUST", "Love the new dashboard!")
	r.command("UALICE", true, "untag "+bot.FormatID(id)+" praise")
	r.command("UALICE", true, "tag "+bot.FormatID(id)+" idea")
	r.handle(r.msg("UCUST", "Really great work, love it, awesome", false, first.MessageID))
	th := r.thread(id)
	if th.HasTag("praise") || !th.HasTag("idea") || len(th.Corrections) != 2 {
		t.Fatalf("tags after correction and a new message: %v, corrections %d", th.TagNames(), len(th.Corrections))
	}
	st, err := r.bot.Stats(r.ctx, monday9.Add(-time.Hour), r.clock.Now().Add(time.Second))
	if err != nil || st.Corrections != 2 {
		t.Fatalf("stats corrections = %d, %v", st.Corrections, err)
	}
}

func TestOutboxRetriesAndDrops(t *testing.T) {
	r := newRig(t, nil)
	// Both actions of a new thread (the notice, the owner's DM) are rate
	// limited; which gets which failure does not matter: both wait 30s.
	limited := &bot.RetryError{After: 30 * time.Second, Err: errors.New("ratelimited")}
	r.slack.Fail(limited, limited)
	r.customer("UCUST", "The export is broken")
	r.flush()
	if n := len(r.slack.Sent()); n != 0 {
		t.Fatalf("%d actions delivered while the platform failed", n)
	}
	pending, _ := r.store.Outbox(r.ctx, 10)
	if len(pending) != 2 || pending[0].Attempts != 1 {
		t.Fatalf("failed actions: %+v", pending)
	}
	r.clock.Advance(29 * time.Second)
	r.flush()
	if got := len(r.slack.Sent()); got != 0 {
		t.Fatalf("rate-limited actions sent before their Retry-After: %d", got)
	}
	r.clock.Advance(time.Minute)
	r.flush()
	if got := len(r.slack.Sent(bot.ForTriage)); got != 1 {
		t.Fatalf("notice not sent after Retry-After: %d", got)
	}
	if pending, _ := r.store.Outbox(r.ctx, 10); len(pending) != 0 {
		t.Fatalf("%d actions still pending", len(pending))
	}

	// A permanent failure drops the action.
	r.slack.Fail(bot.ErrPermanent)
	r.customer("UCUST2", "The import is broken")
	r.flush()
	r.clock.Advance(time.Hour)
	r.flush()
	if pending, _ := r.store.Outbox(r.ctx, 10); len(pending) != 0 {
		t.Fatalf("%d actions still pending after a permanent failure", len(pending))
	}
}

func TestNoticeIsEditedAfterItWasPosted(t *testing.T) {
	r := newRig(t, nil)
	id, _ := r.customer("UCUST", "The export is broken")
	r.flush()
	r.command("UCAROL", true, "claim "+bot.FormatID(id))
	r.flush()
	notices := r.slack.Sent(bot.ForTriage)
	if len(notices) != 2 || notices[0].Ref != "" || notices[1].Ref == "" {
		t.Fatalf("notices %+v: want a post, then an edit of it", notices)
	}
	if notices[0].Channel != "CTRIAGE" || notices[0].Notice == nil || len(notices[0].Notice.Tags) == 0 {
		t.Fatalf("notice %+v", notices[0])
	}
}

func TestReactionOnTriageNotice(t *testing.T) {
	r := newRig(t, nil)
	id, _ := r.customer("UCUST", "The export is broken")
	r.flush()
	ch, ts, _ := strings.Cut(r.thread(id).NoticeRef, "/")
	r.handle(bot.Event{ID: "rn", Kind: bot.KindReaction, Platform: bot.Slack, Channel: ch, MessageID: ts, User: "UBOB", Staff: true, Reaction: "white_check_mark"})
	if got := r.thread(id).State; got != bot.Resolved {
		t.Fatalf("✅ on the triage notice: state %s", got)
	}
}

// After a crash (a new Bot on the same store), the actions a committed
// change queued are delivered; none is lost and numbering goes on.
func TestOutboxSurvivesRestart(t *testing.T) {
	r := newRig(t, nil)
	id, _ := r.customer("UCUST", "The export is broken")
	pending, err := r.store.Outbox(r.ctx, 100)
	if err != nil || len(pending) == 0 {
		t.Fatalf("outbox after a new thread: %d, %v", len(pending), err)
	}
	o := defaultOptions()
	o.Store, o.Clock = r.store, r.clock
	b2, err := bot.New(r.ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	p := bottest.NewPlatform(bot.Slack)
	b2.AddPlatform(p)
	if n, err := b2.Flush(r.ctx); err != nil || n != len(pending) {
		t.Fatalf("flush after restart delivered %d of %d: %v", n, len(pending), err)
	}
	if left, _ := r.store.Outbox(r.ctx, 100); len(left) != 0 {
		t.Fatalf("%d actions left", len(left))
	}
	res, err := b2.Handle(r.ctx, bot.Event{ID: "after-restart", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C9", MessageID: "9.1", User: "UNEW", Text: "The import is broken too"})
	if err != nil || res.ThreadID <= id {
		t.Fatalf("thread after restart #%d (before: #%d), %v", res.ThreadID, id, err)
	}
}

// A slow triage channel does not hold up the owner's DMs.
func TestSlowChannelDoesNotHoldUpOthers(t *testing.T) {
	r := newRig(t, nil)
	release := r.slack.Hold("CTRIAGE")
	defer release()
	r.customer("UCUST", "The export is broken")
	done := make(chan error, 1)
	go func() {
		_, err := r.bot.Flush(r.ctx)
		done <- err
	}()
	bottest.Poll(t, "the owner's DM while the triage channel is held", func() bool {
		return len(r.slack.Sent(bot.ForOwner)) == 1
	})
	if n := len(r.slack.Sent(bot.ForTriage)); n != 0 {
		t.Fatalf("%d notices went through a held channel", n)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(r.slack.Sent(bot.ForTriage)); n != 1 {
		t.Fatalf("%d notices after release", n)
	}
}

// plainStore hides the optional capabilities of the store it wraps.
type plainStore struct{ bot.Store }

// TestMinePages lists the oldest 20 of a person's open threads and the
// count, the same with a store that pages (bot.OpenPager) and one that
// does not.
func TestMinePages(t *testing.T) {
	var replies []string
	for _, hide := range []bool{false, true} {
		onlyAlice := func(o *bot.Options) {
			o.Teams = []bot.Team{{Name: "support", Members: []string{"alice"}}}
			o.Rules = []bot.Rule{{Team: "support"}}
		}
		r := newRig(t, onlyAlice)
		if hide {
			o := defaultOptions()
			onlyAlice(&o)
			o.Store, o.Clock = plainStore{r.store}, r.clock
			b, err := bot.New(r.ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			r.bot = b
		}
		var ids []uint64
		for i := range 25 {
			id, _ := r.customer(fmt.Sprintf("UCUST%02d", i), fmt.Sprintf("How do I export invoice %d?", i))
			ids = append(ids, id)
		}
		r.command("UALICE", true, "resolve "+bot.FormatID(ids[3]))
		reply := r.command("UALICE", true, "mine")
		lines := strings.Split(reply, "\n")
		if lines[0] != "Your open threads (24):" || len(lines) != 22 || lines[21] != "… and 4 more" {
			t.Fatalf("mine (store hides paging %v):\n%s", hide, reply)
		}
		if !strings.HasPrefix(lines[1], "#"+bot.FormatID(ids[0])+" ") || !strings.HasPrefix(lines[4], "#"+bot.FormatID(ids[4])+" ") {
			t.Errorf("mine does not list the oldest first, without the resolved one:\n%s", reply)
		}
		replies = append(replies, reply)
	}
	if replies[0] != replies[1] {
		t.Errorf("mine differs with a paging store:\n%s\nand without:\n%s", replies[0], replies[1])
	}
}
