package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

// seoulHours is Mon–Fri 09:00–12:00 and 13:00–18:00 in Seoul, with
// Christmas 2026 (a Friday) off.
func seoulHours() *bot.Hours {
	h := &bot.Hours{Loc: seoul, Holidays: map[string]bool{"2026-12-25": true}}
	for d := time.Monday; d <= time.Friday; d++ {
		h.Week[d] = []bot.Span{{Start: 9 * time.Hour, End: 12 * time.Hour}, {Start: 13 * time.Hour, End: 18 * time.Hour}}
	}
	return h
}

func TestSLAMet(t *testing.T) {
	r := newRig(t, nil)
	id, first := r.customer("UCUST", "How do I export my data?")
	owner := r.thread(id).Owner
	r.advance(40 * time.Minute) // before the 75% ping
	r.handle(r.msg("UALICE", "Use Settings → Export", true, first.MessageID))
	r.advance(5 * time.Hour)
	th := r.thread(id)
	if th.Met != 1 || th.Missed != 0 || th.Breached {
		t.Fatalf("met=%d missed=%d breached=%v", th.Met, th.Missed, th.Breached)
	}
	ownerID := map[string]string{"alice": "UALICE", "bob": "UBOB"}[owner]
	if got := r.dms(ownerID, bot.ForReminder); len(got) != 0 {
		t.Fatalf("reminders sent for an SLA that was met: %q", got)
	}
}

func TestReminderAt75PercentThenEscalation(t *testing.T) {
	r := newRig(t, func(o *bot.Options) { o.Rules = []bot.Rule{{Person: "alice", Team: "support"}} })
	id, _ := r.customer("UCUST", "How do I change the billing address?") // question: 1h first reply
	r.advance(44 * time.Minute)
	if got := r.dms("UALICE", bot.ForReminder); len(got) != 0 {
		t.Fatalf("reminder before 75%%: %q", got)
	}
	r.advance(time.Minute) // 45m = 75%
	got := r.dms("UALICE", bot.ForReminder)
	if len(got) != 1 || !contains(got, "ends in 15m") {
		t.Fatalf("at 75%%: reminders %q, want one saying 15m are left", got)
	}
	r.advance(15 * time.Minute) // 100%: second ping, breach
	if got := r.dms("UALICE", bot.ForReminder); len(got) != 2 {
		t.Fatalf("at 100%%: %d reminders, want 2", len(got))
	}
	if th := r.thread(id); !th.Breached {
		t.Fatal("thread not marked breached at its deadline")
	}
	r.advance(29 * time.Minute)
	if n := len(r.slack.Sent(bot.ForEscalation)); n != 0 {
		t.Fatalf("escalated before 150%%: %d", n)
	}
	r.advance(time.Minute) // 90m = 150%
	var triage, bob int
	for _, a := range r.slack.Sent(bot.ForEscalation) {
		switch {
		case a.Kind == bot.ActPost && a.Channel == "CTRIAGE":
			triage++
		case a.Kind == bot.ActDM && a.To == "UBOB":
			bob++
		}
	}
	if triage != 1 || bob != 1 {
		t.Fatalf("escalation: %d triage posts, %d DMs to the team, want 1 and 1", triage, bob)
	}
	r.advance(24 * time.Hour)
	if n := len(r.slack.Sent(bot.ForEscalation)); n != 3 { // triage, alice, bob
		t.Fatalf("escalation repeated: %d actions", n)
	}
}

func TestBusinessHoursPauseOverWeekendAndHoliday(t *testing.T) {
	r := newRig(t, func(o *bot.Options) { o.Hours = seoulHours() })
	// Thursday 24 Dec 17:30: 30 min of Thursday, Friday is Christmas, then
	// the weekend: the 1h SLA ends Monday 28 Dec 09:30.
	r.clock.Set(time.Date(2026, 12, 24, 17, 30, 0, 0, seoul))
	id, _ := r.customer("UCUST", "How do I add a teammate to our workspace?")
	th := r.thread(id)
	want := time.Date(2026, 12, 28, 9, 30, 0, 0, seoul)
	if !th.Deadline.Equal(want) {
		t.Fatalf("deadline %s, want %s", th.Deadline.In(seoul), want)
	}
	// 75% = 45 min of open time: Monday 09:15.
	if want := time.Date(2026, 12, 28, 9, 15, 0, 0, seoul); !th.Due.Equal(want) {
		t.Fatalf("first reminder due %s, want %s", th.Due.In(seoul), want)
	}
	r.advance(3 * 24 * time.Hour) // Sunday 17:30: nothing yet
	if n := len(r.slack.Sent(bot.ForReminder)) + len(r.disc.Sent(bot.ForReminder)); n != 0 {
		t.Fatalf("%d reminders during the holiday and weekend", n)
	}
	r.clock.Set(time.Date(2026, 12, 28, 9, 15, 0, 0, seoul))
	r.advance(0)
	if n := len(r.slack.Sent(bot.ForReminder)); n != 1 {
		t.Fatalf("Monday 09:15: %d reminders, want 1", n)
	}
}

func TestSplitShiftPausesAtLunch(t *testing.T) {
	r := newRig(t, func(o *bot.Options) { o.Hours = seoulHours() })
	r.clock.Set(time.Date(2026, 11, 23, 11, 30, 0, 0, seoul)) // Monday 11:30
	id, _ := r.customer("UCUST", "Where can I download last month's invoice?")
	// 30 min before lunch, 30 after: deadline 13:30.
	if got, want := r.thread(id).Deadline, time.Date(2026, 11, 23, 13, 30, 0, 0, seoul); !got.Equal(want) {
		t.Fatalf("deadline %s, want %s", got.In(seoul), want)
	}
}

func TestSnoozeMovesDueTime(t *testing.T) {
	r := newRig(t, func(o *bot.Options) { o.Rules = []bot.Rule{{Person: "alice"}} })
	id, _ := r.customer("UCUST", "Can you add dark mode? It would be nice")
	reply := r.command("UALICE", true, "snooze "+bot.FormatID(id)+" 2h")
	if th := r.thread(id); th.SnoozeUntil.IsZero() || !th.Due.Equal(monday9.Add(2*time.Hour)) {
		t.Fatalf("snooze: reply %q, thread due %s", reply, th.Due)
	}
	r.advance(119 * time.Minute)
	if n := len(r.dms("UALICE", bot.ForReminder)); n != 0 {
		t.Fatalf("%d reminders while snoozed", n)
	}
	r.advance(time.Minute)
	got := r.dms("UALICE", bot.ForReminder)
	if len(got) != 1 || !contains(got, "Snooze over") {
		t.Fatalf("end of snooze: %q", got)
	}
	if th := r.thread(id); !th.SnoozeUntil.IsZero() || th.Due.IsZero() {
		t.Fatalf("after snooze: snooze %s due %s", th.SnoozeUntil, th.Due)
	}
}

func TestNextReplySLAAfterCustomerWritesBack(t *testing.T) {
	r := newRig(t, func(o *bot.Options) { o.Rules = []bot.Rule{{Person: "bob"}} })
	id, first := r.customer("UCUST", "How do I reset 2FA?")
	r.advance(10 * time.Minute)
	r.handle(r.msg("UBOB", "Sent you a reset link", true, first.MessageID))
	r.advance(time.Hour)
	r.handle(r.msg("UCUST", "The link does not work, it shows an error", false, first.MessageID))
	th := r.thread(id)
	if th.SLA != 4*time.Hour || !th.Deadline.Equal(r.clock.Now().Add(4*time.Hour)) {
		t.Fatalf("next reply: SLA %s deadline %s", th.SLA, th.Deadline)
	}
	r.advance(3 * time.Hour) // 75% of 4h
	if got := r.dms("UBOB", bot.ForReminder); len(got) != 1 {
		t.Fatalf("next-reply reminders %q, want 1", got)
	}
}

func TestReopenAfterResolveRestartsClock(t *testing.T) {
	r := newRig(t, func(o *bot.Options) { o.Rules = []bot.Rule{{Person: "alice"}} })
	id, first := r.customer("UCUST", "The mobile app crashes on start")
	r.command("UALICE", true, "resolve "+bot.FormatID(id))
	r.advance(10 * time.Hour)
	if n := len(r.dms("UALICE", bot.ForReminder)); n != 0 {
		t.Fatalf("reminders for a resolved thread: %d", n)
	}
	r.handle(r.msg("UCUST", "It crashes again after the update", false, first.MessageID))
	r.advance(3 * time.Hour)
	if th := r.thread(id); th.State != bot.Waiting || len(r.dms("UALICE", bot.ForReminder)) != 1 {
		t.Fatalf("reopened thread: state %s, reminders %d", th.State, len(r.dms("UALICE", bot.ForReminder)))
	}
}

func TestUrgentTagShortensSLA(t *testing.T) {
	r := newRig(t, nil)
	id, _ := r.customer("UCUST", "URGENT: production is down, nobody can log in")
	th := r.thread(id)
	if th.SLA != 15*time.Minute || th.Team != "oncall" || th.Owner != "carol" {
		t.Fatalf("urgent: SLA %s team %s owner %s", th.SLA, th.Team, th.Owner)
	}
}

func TestTickTouchesOnlyDueThreads(t *testing.T) {
	r := newRig(t, nil)
	var ids []uint64
	for i := range 50 {
		id, _ := r.customer("UCUST"+bot.FormatID(uint64(i)), "How do I export invoices?")
		ids = append(ids, id)
		r.clock.Advance(3 * time.Minute)
	}
	if _, err := r.bot.Tick(r.ctx); err != nil {
		t.Fatal(err)
	}
	// 150 minutes passed: threads younger than 45 minutes are not due.
	for i, id := range ids {
		age := time.Duration(50-i) * 3 * time.Minute
		th := r.thread(id)
		if due := age >= 45*time.Minute; due != (th.Stage > 0) {
			t.Errorf("thread aged %s: stage %d", age, th.Stage)
		}
	}
}

// Each reminder says truly how long is left or how long the thread is
// overdue, at every remind_at fraction below, at and above 1.0: a 40s
// SLA reminded at 20s has 20s left, not "past its SLA by 0s".
func TestReminderSaysTimeLeftAtEveryFraction(t *testing.T) {
	r := newRig(t, func(o *bot.Options) {
		o.Rules = []bot.Rule{{Person: "alice", Team: "support"}}
		o.SLA = bot.SLA{FirstReply: 40 * time.Second, RemindAt: []float64{0.25, 0.5, 0.999, 1.0, 1.25, 1.4}, EscalateAfter: 2}
	})
	id, _ := r.customer("UCUST", "How do I change the billing address?")
	for _, c := range []struct {
		at   time.Duration
		want string
	}{
		{10 * time.Second, "its 40s SLA ends in 30s (Mon 09:00 KST)"},
		{20 * time.Second, "its 40s SLA ends in 20s (Mon 09:00 KST)"},
		{39*time.Second + 960*time.Millisecond, "its 40s SLA ends now (Mon 09:00 KST)"}, // 40 ms left
		{40 * time.Second, "its 40s SLA ends now (Mon 09:00 KST)"},
		{50 * time.Second, "is past its 40s SLA by 10s (it was due Mon 09:00 KST)"},
		{56 * time.Second, "is past its 40s SLA by 16s (it was due Mon 09:00 KST)"},
	} {
		r.clock.Set(monday9.Add(c.at))
		r.advance(0)
		got := r.dms("UALICE", bot.ForReminder)
		if len(got) == 0 || !strings.Contains(got[len(got)-1], c.want) || !strings.Contains(got[len(got)-1], fmt.Sprintf("Reminder: thread #%d ", id)) {
			t.Fatalf("at %s: reminders %q, want the last to say %q", c.at, got, c.want)
		}
	}
	if n := len(r.dms("UALICE", bot.ForReminder)); n != 6 {
		t.Fatalf("%d reminders, want 6", n)
	}
}

// With business hours the time left and overdue is open time: a
// reminder read at closing time counts what is left of tomorrow
// morning's clock, not the night.
func TestReminderCountsBusinessHours(t *testing.T) {
	r := newRig(t, func(o *bot.Options) {
		o.Hours = seoulHours()
		o.Rules = []bot.Rule{{Person: "alice", Team: "support"}}
		o.SLA = bot.SLA{FirstReply: time.Hour, RemindAt: []float64{0.5, 1.0, 1.25}, EscalateAfter: 2}
	})
	r.clock.Set(time.Date(2026, 11, 23, 17, 25, 0, 0, seoul)) // Monday 17:25: 35m today, 25m tomorrow
	r.customer("UCUST", "Where can I download last month's invoice?")
	// The 50% reminder is due at 17:55; the bot only looks at 18:30.
	r.clock.Set(time.Date(2026, 11, 23, 18, 30, 0, 0, seoul))
	r.advance(0)
	last := func() string {
		got := r.dms("UALICE", bot.ForReminder)
		if len(got) == 0 {
			t.Fatal("no reminder")
		}
		return got[len(got)-1]
	}
	if got := last(); !strings.Contains(got, "its 1h SLA ends in 25m of business hours (Tue 09:25 KST)") {
		t.Fatalf("after closing: %q", got)
	}
	r.clock.Set(time.Date(2026, 11, 24, 9, 25, 0, 0, seoul))
	r.advance(0)
	if got := last(); !strings.Contains(got, "its 1h SLA ends now (Tue 09:25 KST)") {
		t.Fatalf("at the deadline: %q", got)
	}
	// 1.25: 15m of open time past the deadline; the lunch break does
	// not count either way.
	r.clock.Set(time.Date(2026, 11, 24, 13, 5, 0, 0, seoul))
	r.advance(0)
	if got := last(); !strings.Contains(got, "is past its 1h SLA by 2h 40m of business hours (it was due Tue 09:25 KST)") {
		t.Fatalf("overdue: %q", got)
	}
}

// A reminder shows the deadline in the owner's time zone.
func TestReminderInOwnersZone(t *testing.T) {
	ny := mustLoc("America/New_York")
	r := newRig(t, func(o *bot.Options) {
		o.People[0].Loc = ny
		o.Rules = []bot.Rule{{Person: "alice", Team: "support"}}
	})
	r.customer("UCUST", "How do I change the billing address?")
	r.advance(45 * time.Minute)
	if got := r.dms("UALICE", bot.ForReminder); len(got) != 1 || !strings.Contains(got[0], "ends in 15m (Sun 20:00 EST)") {
		t.Fatalf("reminder %q, want the deadline in New York time", got)
	}
}

// The thread lists of mine and open say the time left and overdue as
// truly as the reminders: 8 s left is not "0s", in English and Korean.
func TestListsSayTimeLeft(t *testing.T) {
	r := newRig(t, func(o *bot.Options) {
		o.Rules = []bot.Rule{{Person: "alice", Team: "support"}}
		o.SLA = bot.SLA{FirstReply: 40 * time.Second, RemindAt: []float64{1.0}, EscalateAfter: 2}
		o.People = append(o.People, bot.Person{Name: "bob", IDs: map[string]string{bot.Slack: "UBOB"}, Locale: "ko"})
	})
	r.customer("UCUST", "How do I change the billing address?")
	for _, c := range []struct {
		at       time.Duration
		user, en string
	}{
		{32 * time.Second, "UALICE", "due in 8s"},
		{32 * time.Second, "UBOB", "8초 남음"},
		{95 * time.Second, "UALICE", "overdue by 55s"},
		{95 * time.Second, "UBOB", "55초 초과"},
		{21 * time.Minute, "UALICE", "overdue by 20m"},
	} {
		r.clock.Set(monday9.Add(c.at))
		if got := r.command(c.user, true, "open"); !strings.Contains(got, c.en) {
			t.Errorf("open by %s at %s: %q, want %q", c.user, c.at, got, c.en)
		}
	}
}
