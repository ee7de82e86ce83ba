package slack_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/openear/openear/bot"
)

func TestBackfillFromCursor(t *testing.T) {
	e := setup(t, httpMode, nil, false)
	f := e.fake
	old := f.PostQuiet(custChan, carol, "seen long ago", "")
	seen := f.PostQuiet(custChan, carol, "seen before the outage", "")
	e.rec.setCursor(custChan, seen)
	// while down:
	f.SetAppURL("")
	var want []string
	want = append(want, f.PostQuiet(custChan, carol, "one", ""))
	want = append(want, f.PostQuiet(custChan, alice, "reply in old thread", old))
	want = append(want, f.PostQuiet(custChan, carol, "two", ""))
	want = append(want, f.PostQuiet(custChan, carol, "reply to one", want[0]))
	f.PostQuiet(custChan, "U0BOT", "", "") // own: skipped
	f.PostQuiet(otherChan, carol, "unwatched", "")
	f.SetAppURL(e.app.URL)

	e.run()
	got := e.waitEvents(len(want), func(ev bot.Event) bool { return ev.Kind == bot.KindMessage })
	var ids, tss []string
	for _, ev := range got {
		tss = append(tss, ev.MessageID)
		ids = append(ids, ev.ID)
	}
	if !slices.Equal(tss, want) {
		t.Fatalf("fed %v, want %v", tss, want)
	}
	if ids[1] != "slack:msg:"+custChan+":"+want[1] || got[1].ThreadKey != old || !got[1].Staff || got[3].ThreadKey != want[0] {
		t.Fatalf("events %+v", got)
	}
	// Marked as backfilled, with the time Slack gives them (their ts):
	// the core starts their clocks then, not now.
	for _, ev := range got {
		if !ev.Backfill || ev.At.IsZero() || !strings.HasPrefix(ev.MessageID, strconv.FormatInt(ev.At.Unix(), 10)+".") {
			t.Fatalf("backfilled event %s: backfill %v, at %v", ev.MessageID, ev.Backfill, ev.At)
		}
	}
	// Each message fed exactly once.
	e.rec.mu.Lock()
	n := len(e.rec.events)
	e.rec.mu.Unlock()
	if n != len(want) {
		t.Fatalf("%d events, want %d", n, len(want))
	}
	live := f.Post(custChan, carol, "live again", "")
	if ev := e.waitEvents(1, byMsg(live)); ev[0].Backfill {
		t.Fatal("a live message is marked as backfilled")
	}
}

func TestBackfillEmptyCursorStartsNow(t *testing.T) {
	e := setup(t, httpMode, nil, false)
	e.fake.PostQuiet(custChan, carol, "history before install", "")
	e.run()
	live := e.fake.Post(custChan, carol, "live", "")
	got := e.waitEvents(1, func(ev bot.Event) bool { return ev.Kind == bot.KindMessage })
	if len(got) != 1 || got[0].MessageID != live {
		t.Fatalf("events %+v", got)
	}
	if n := len(e.fake.Calls("conversations.history")); n != 0 {
		t.Fatalf("history read %d times on first run", n)
	}
}
