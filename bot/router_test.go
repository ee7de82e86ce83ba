package bot_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

func TestRoutingFirstMatchWins(t *testing.T) {
	r := newRig(t, func(o *bot.Options) {
		o.Rules = []bot.Rule{
			{Keywords: []string{"invoice"}, Person: "carol"},
			{Channels: []string{"CVIP"}, Person: "bob"},
			{Platforms: []string{bot.Discord}, Person: "alice"},
			{Team: "support"},
		}
	})
	tests := []struct {
		platform, channel, text, want string
	}{
		{bot.Slack, "C1", "Where is my INVOICE for May?", "carol"},
		{bot.Slack, "CVIP", "Where is my invoice?", "carol"}, // first match wins
		{bot.Slack, "CVIP", "The API returns an error", "bob"},
		{bot.Discord, "D9", "The API returns an error", "alice"},
	}
	for i, tt := range tests {
		ev := bot.Event{ID: fmt.Sprint("R", i), Kind: bot.KindMessage, Platform: tt.platform, Channel: tt.channel,
			MessageID: fmt.Sprint(100 + i), User: fmt.Sprint("cust", i), Text: tt.text}
		id := r.handle(ev).ThreadID
		if got := r.thread(id).Owner; got != tt.want {
			t.Errorf("%s %s %q: owner %q, want %q", tt.platform, tt.channel, tt.text, got, tt.want)
		}
	}
}

func TestRoundRobin(t *testing.T) {
	r := newRig(t, nil)
	var owners []string
	for i := range 4 {
		id, _ := r.customer(fmt.Sprint("UC", i), "How do I export a report?")
		owners = append(owners, r.thread(id).Owner)
	}
	want := []string{"alice", "bob", "alice", "bob"}
	if fmt.Sprint(owners) != fmt.Sprint(want) {
		t.Fatalf("owners %v, want %v", owners, want)
	}
}

func TestLeastLoaded(t *testing.T) {
	r := newRig(t, func(o *bot.Options) {
		o.Teams = []bot.Team{{Name: "support", Members: []string{"alice", "bob"}, Strategy: "least_loaded"}}
		o.Rules = []bot.Rule{{Team: "support"}}
	})
	// alice gets two threads by hand; the next two go to bob.
	for i := range 2 {
		id, _ := r.customer(fmt.Sprint("UA", i), "How do I invite a user?")
		r.command("UALICE", true, "claim "+bot.FormatID(id))
	}
	for i := range 2 {
		id, _ := r.customer(fmt.Sprint("UB", i), "How do I remove a user?")
		if got := r.thread(id).Owner; got != "bob" {
			t.Fatalf("thread %d went to %s, want bob (least loaded)", i, got)
		}
	}
}

func TestSkipPeopleOutsideWorkingHours(t *testing.T) {
	r := newRig(t, func(o *bot.Options) {
		h := &bot.Hours{Loc: seoul}
		for d := time.Monday; d <= time.Friday; d++ {
			h.Week[d] = []bot.Span{{Start: 9 * time.Hour, End: 18 * time.Hour}}
		}
		o.Hours = h
		// bob works from New York: Monday 09:00 Seoul is Sunday evening there.
		o.People[1].Loc = mustLoc("America/New_York")
	})
	for i := range 3 {
		id, _ := r.customer(fmt.Sprint("UC", i), "How do I export a report?")
		if got := r.thread(id).Owner; got != "alice" {
			t.Fatalf("thread %d: owner %s, want alice (bob is off)", i, got)
		}
	}
	// When nobody works, someone still gets it.
	r.clock.Set(time.Date(2026, 11, 28, 12, 0, 0, 0, seoul)) // Saturday
	id, _ := r.customer("UWEEKEND", "How do I export a report?")
	if r.thread(id).Owner == "" {
		t.Fatal("nobody working: thread left without an owner")
	}
}

func TestStickyOwner(t *testing.T) {
	r := newRig(t, nil)
	id1, _ := r.customer("UCUST", "How do I export a report?")
	first := r.thread(id1).Owner
	r.clock.Advance(10 * time.Minute)
	ev := r.msg("UCUST", "Another thing: the billing page is broken", false, "")
	ev.Channel = "C2"
	id2 := r.handle(ev).ThreadID
	if id2 == id1 {
		t.Fatal("message in another channel joined the thread")
	}
	if got := r.thread(id2).Owner; got != first {
		t.Fatalf("second thread owner %s, want the same owner %s", got, first)
	}
}
