package bot_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

// whats lists the What of a thread's timeline.
func whats(t bot.Thread) []string {
	var out []string
	for _, it := range t.Timeline {
		out = append(out, it.What)
	}
	return out
}

func TestTimeline(t *testing.T) {
	r := newRig(t, nil)
	id, first := r.customer("UCUST", "The export button does nothing, how do I get my data?")
	r.advance(50 * time.Minute) // a reminder at 75%
	r.handle(r.msg("UALICE", "Looking into it", true, first.MessageID))
	r.command("UBOB", true, fmt.Sprintf("assign %d carol", id))
	r.command("UCAROL", true, fmt.Sprintf("resolve %d", id))
	r.handle(r.msg("UCUST", "it broke again", false, first.MessageID))
	r.handle(bot.Event{ID: "web-1", Kind: bot.KindCommand, Platform: bot.Slack, User: "UALICE", Staff: true,
		Text: fmt.Sprintf("snooze %d 1h", id), Via: "web"})

	th := r.thread(id)
	want := []string{bot.MarkCreated, bot.MarkRouted, bot.MarkReminder, bot.MarkFirstReply, bot.MarkAssigned,
		bot.MarkResolved, bot.MarkReopened, bot.MarkSnoozed}
	if got := whats(th); !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	tl := th.Timeline
	if tl[0].By != "UCUST" || tl[0].Via != bot.Slack {
		t.Errorf("created: %+v", tl[0])
	}
	if !strings.Contains(tl[1].Detail, "alice (team support)") || !strings.Contains(tl[1].Detail, "routing rule 2") {
		t.Errorf("routed: %+v", tl[1])
	}
	if tl[3].By != "alice" {
		t.Errorf("first reply: %+v", tl[3])
	}
	if tl[4].By != "bob" || tl[4].Detail != "carol" {
		t.Errorf("assigned: %+v", tl[4])
	}
	if tl[5].By != "carol" || tl[6].By != "UCUST" {
		t.Errorf("resolved, reopened: %+v %+v", tl[5], tl[6])
	}
	if tl[7].By != "alice" || tl[7].Via != "web" || tl[7].Detail != "1h" {
		t.Errorf("snoozed: %+v", tl[7])
	}
	// A second staff reply is not a first reply.
	r.handle(r.msg("UCAROL", "fixed now", true, first.MessageID))
	n := 0
	for _, w := range whats(r.thread(id)) {
		if w == bot.MarkFirstReply {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d first replies", n)
	}
}

func TestTimelineBounded(t *testing.T) {
	r := newRig(t, nil)
	id, _ := r.customer("UCUST", "where is my invoice?")
	for i := range bot.MaxTimeline {
		r.command("UALICE", true, fmt.Sprintf("snooze %d %dm", id, i+1))
	}
	th := r.thread(id)
	if len(th.Timeline) != bot.MaxTimeline {
		t.Fatalf("%d items, want %d", len(th.Timeline), bot.MaxTimeline)
	}
	if th.Timeline[0].What != bot.MarkCreated || th.Timeline[1].What != bot.MarkRouted {
		t.Errorf("first two items %v", whats(th)[:2])
	}
	if last := th.Timeline[len(th.Timeline)-1]; last.Detail != fmt.Sprintf("%dm", bot.MaxTimeline) {
		t.Errorf("newest item %+v", last)
	}
}

func TestNames(t *testing.T) {
	r := newRig(t, nil)
	ev := r.msg("UCUST", "my invoice is wrong", false, "")
	id := r.handle(ev).ThreadID
	r.flush()
	notices := r.slack.Sent(bot.ForTriage)
	if len(notices) != 1 || notices[0].Notice.Customer != "UCUST" {
		t.Fatalf("first notice %+v", notices)
	}
	// The adapter's background lookup brings the names.
	err := r.bot.LearnNames(r.ctx, bot.Slack, []bot.Name{
		{Kind: bot.NameUser, ID: "UCUST", Name: "jin", Company: "Acme Corp"},
		{Kind: bot.NameChannel, ID: "C1", Name: "acme-support"},
		{Kind: bot.NameUser, ID: "UOTHER", Name: "nobody's customer"},
	})
	if err != nil {
		t.Fatal(err)
	}
	th := r.thread(id)
	if th.CustName != "jin" || th.CustCompany != "Acme Corp" || th.ChannelName != "acme-support" {
		t.Fatalf("thread names %q %q %q", th.CustName, th.CustCompany, th.ChannelName)
	}
	r.flush()
	notices = r.slack.Sent(bot.ForTriage)
	if len(notices) != 2 || notices[1].Ref == "" || notices[1].Notice.Customer != "jin (Acme Corp)" {
		t.Fatalf("the notice was not edited with the name: %+v", notices)
	}
	dir, err := bot.ReadDirectory(r.ctx, r.store)
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := dir.User(bot.Slack, "UOTHER"); !ok || n.Name != "nobody's customer" {
		t.Errorf("directory %v", dir)
	}
	if c, ok := dir.Channel(bot.Slack, "C1"); !ok || c != "acme-support" {
		t.Errorf("directory %v", dir)
	}
	// The same names again change nothing and edit no notice.
	if err := r.bot.LearnNames(r.ctx, bot.Slack, []bot.Name{{Kind: bot.NameUser, ID: "UCUST", Name: "jin", Company: "Acme Corp"}}); err != nil {
		t.Fatal(err)
	}
	r.flush()
	if n := len(r.slack.Sent(bot.ForTriage)); n != 2 {
		t.Errorf("%d notices after learning the same names", n)
	}
	// A new display name comes by LearnNames; a later message that still
	// carries the adapter's older cached name does not undo it (the
	// adapter's lookup may tell the core before its message gets there).
	if err := r.bot.LearnNames(r.ctx, bot.Slack, []bot.Name{{Kind: bot.NameUser, ID: "UCUST", Name: "Jin Park", Company: "Acme Corp"}}); err != nil {
		t.Fatal(err)
	}
	ev2 := r.msg("UCUST", "also the tax id", false, ev.MessageID)
	ev2.UserName, ev2.UserCompany, ev2.ChannelName = "jin", "Acme Corp", "old-name"
	r.handle(ev2)
	if th := r.thread(id); th.CustName != "Jin Park" || th.ChannelName != "acme-support" {
		t.Errorf("names after a message with older ones: %q %q", th.CustName, th.ChannelName)
	}

	// Names told before their customer's first message: the thread it
	// begins has them though the message came without.
	other := r.handle(r.msg("UOTHER", "the export is broken again", false, "")).ThreadID
	if th := r.thread(other); th.CustName != "nobody's customer" {
		t.Errorf("a thread begun after its customer's name was told: %q", th.CustName)
	}
}

func csatRig(t *testing.T) *rig {
	return newRig(t, func(o *bot.Options) {
		o.CSAT = bot.CSATOptions{Enabled: true, Text: map[string]string{"en": "How did we do?", "ko": "상담은 만족스러우셨나요?"}, NotifyBelow: 3}
	})
}

func rate(r *rig, user string, thread uint64, score int, comment string) bot.Result {
	r.seq++
	return r.handle(bot.Event{ID: fmt.Sprintf("Rate%d", r.seq), Kind: bot.KindRating, Platform: bot.Slack, Channel: "C1",
		User: user, Rating: &bot.Rating{Thread: thread, Score: score, Comment: comment}})
}

func TestCSAT(t *testing.T) {
	r := csatRig(t)
	id, _ := r.customer("UCUST", "환불은 언제 되나요? 결제가 두 번 됐어요")
	r.command("UALICE", true, fmt.Sprintf("resolve %d", id))
	r.flush()
	asks := r.slack.Sent(bot.ForCSAT)
	if len(asks) != 1 || asks[0].Text != "상담은 만족스러우셨나요?" || asks[0].Channel != "C1" || asks[0].ThreadKey == "" || asks[0].ThreadID != id {
		t.Fatalf("question %+v", asks)
	}
	// Someone else's click is refused and changes nothing.
	if res := rate(r, "UMALLORY", id, 1, ""); res.Prompt != nil || !strings.Contains(res.Reply, "문의하신 분만") {
		t.Errorf("another user's answer: %+v", res)
	}
	if th := r.thread(id); th.CSAT.Score != 0 {
		t.Fatalf("stored another user's score: %+v", th.CSAT)
	}
	res := rate(r, "UCUST", id, 5, "")
	if res.Prompt == nil || res.Prompt.Value != bot.RatingValue(id, 0) || !strings.Contains(res.Reply, "감사") {
		t.Fatalf("answer %+v", res)
	}
	// A change replaces the answer; a low one tells the owner and triage.
	rate(r, "UCUST", id, 2, "")
	rate(r, "UCUST", id, 0, "  환불이 너무 늦어요  ")
	th := r.thread(id)
	if th.CSAT.Score != 2 || th.CSAT.Comment != "환불이 너무 늦어요" {
		t.Fatalf("csat %+v", th.CSAT)
	}
	r.flush()
	low := r.slack.Sent(bot.ForCSAT)[1:]
	var toOwner, toTriage int
	for _, a := range low {
		switch {
		case a.Kind == bot.ActDM && a.To == "UALICE":
			toOwner++
		case a.Kind == bot.ActPost && a.Channel == "CTRIAGE":
			toTriage++
		}
	}
	// The score, then its comment: each told once to both.
	if toOwner != 2 || toTriage != 2 || !strings.Contains(low[len(low)-1].Text, "환불이 너무 늦어요") {
		t.Errorf("low score notes: %+v", low)
	}
	// Reopened and resolved again: asked once only.
	r.command("UALICE", true, fmt.Sprintf("reopen %d", id))
	r.command("UALICE", true, fmt.Sprintf("resolve %d", id))
	r.flush()
	if n := len(r.slack.Sent(bot.ForCSAT)); n != 1+len(low) {
		t.Errorf("asked again: %d csat actions", n)
	}
	st, err := r.bot.Stats(r.ctx, monday9.Add(-time.Hour), r.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if st.CSAT.Asked != 1 || st.CSAT.All.Answers != 1 || st.CSAT.ByPerson["alice"].Scores[1] != 1 || st.CSAT.ByTeam["support"].Average() != 2 {
		t.Errorf("stats %+v", st.CSAT)
	}
	text := st.Text()
	if !strings.Contains(text, "CSAT: 2.0 (1)") || !strings.Contains(text, "CSAT by person: alice 2.0 (1)") {
		t.Errorf("stats text lacks CSAT:\n%s", text)
	}
	whatsTL := whats(r.thread(id))
	for _, w := range []string{bot.MarkCSATAsked, bot.MarkCSAT, bot.MarkCSATComment} {
		if !slices.Contains(whatsTL, w) {
			t.Errorf("timeline lacks %s: %v", w, whatsTL)
		}
	}
}

func TestCSATDisabledAndUnasked(t *testing.T) {
	r := newRig(t, nil)
	id, _ := r.customer("UCUST", "how do I reset my password?")
	r.command("UALICE", true, fmt.Sprintf("resolve %d", id))
	r.flush()
	if n := len(r.slack.Sent(bot.ForCSAT)); n != 0 {
		t.Fatalf("asked with csat off: %d", n)
	}
	// An answer to a question never asked (a forged button) is refused.
	if res := rate(r, "UCUST", id, 5, ""); res.Prompt != nil {
		t.Errorf("answer without a question: %+v", res)
	}
	if th := r.thread(id); th.CSAT != (bot.CSAT{}) {
		t.Errorf("csat %+v", th.CSAT)
	}
}

func TestParseRating(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bot.Rating
		ok   bool
	}{
		{"csat 42 4", bot.Rating{Thread: 42, Score: 4}, true},
		{"csat 42", bot.Rating{Thread: 42}, true},
		{bot.RatingValue(7, 1), bot.Rating{Thread: 7, Score: 1}, true},
		{"csat 42 6", bot.Rating{}, false},
		{"csat 42 0", bot.Rating{}, false},
		{"csat 42 04", bot.Rating{}, false},
		{"csat #42 4", bot.Rating{}, false},
		{"csat 0 4", bot.Rating{}, false},
		{"csat x 4", bot.Rating{}, false},
		{"resolve 42", bot.Rating{}, false},
		{"csat 42 4 5", bot.Rating{}, false},
	} {
		got, ok := bot.ParseRating(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseRating(%q) = %+v, %v", c.in, got, ok)
		}
	}
}

// The owner's DM of a new thread is rendered when it is sent: a name the
// adapter's lookup told meanwhile is in it, not the user id.
func TestOwnerDMHasNamesToldBeforeItIsSent(t *testing.T) {
	r := newRig(t, func(o *bot.Options) { o.Rules = []bot.Rule{{Person: "alice", Team: "support"}} })
	id := r.handle(r.msg("UCUST", "my invoice is wrong", false, "")).ThreadID
	if err := r.bot.LearnNames(r.ctx, bot.Slack, []bot.Name{{Kind: bot.NameUser, ID: "UCUST", Name: "jin", Company: "Acme Corp"}}); err != nil {
		t.Fatal(err)
	}
	r.flush()
	got := r.dms("UALICE", bot.ForOwner)
	if len(got) != 1 || !strings.Contains(got[0], fmt.Sprintf("#%d", id)) || !strings.Contains(got[0], "from jin (Acme Corp)") {
		t.Fatalf("alice's DMs %q, want thread #%d from jin (Acme Corp)", got, id)
	}
}
