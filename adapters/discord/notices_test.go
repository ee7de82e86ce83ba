package discord_test

// Notices under load through the real adapter and discordfake: digests of
// a burst with select menus, their edits, Discord's per-channel post
// limit with its 429 retry_after, and reminders that say the time left.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/bot"
)

// burst posts n customer messages from n members and waits until each is
// tracked; it returns the threads in order.
func (e *e2e) burst(n int, text string) []bot.Thread {
	e.t.Helper()
	var out []bot.Thread
	for i := range n {
		u := fmt.Sprintf("6%05d", i)
		e.fake.AddMember(guild, u, fmt.Sprintf("customer %d", i), nil, false)
		out = append(out, e.thread(e.fake.Post(watched, u, fmt.Sprintf("%s (%d)", text, i), "").ID))
	}
	return out
}

type menu struct {
	CustomID string `json:"custom_id"`
	Options  []struct {
		Value string `json:"value"`
	} `json:"options"`
}

// menus decodes a message's select menus by custom id.
func menus(t *testing.T, m discordfake.Message) map[string][]string {
	t.Helper()
	var rows []struct {
		Components []menu `json:"components"`
	}
	if err := json.Unmarshal(m.Components, &rows); err != nil {
		t.Fatalf("components %s: %v", m.Components, err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		for _, c := range r.Components {
			for _, o := range c.Options {
				out[c.CustomID] = append(out[c.CustomID], o.Value)
			}
		}
	}
	return out
}

func triageMsg(t *testing.T, e *e2e, id string) discordfake.Message {
	t.Helper()
	for _, m := range e.fake.Messages(triage) {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no triage message %s", id)
	return discordfake.Message{}
}

// A burst gets one digest in the triage channel: an embed listing each
// thread and select menus that act on each; a choice acts on its thread
// and the digest is edited to show it.
func TestDigestNoticeThroughDiscord(t *testing.T) {
	e := newE2E(t)
	threads := e.burst(6, "The upload is broken")
	e.flush()
	msgs := e.fake.Messages(triage)
	if len(msgs) != 1 || len(msgs[0].Embeds) != 1 {
		t.Fatalf("%d triage messages for a burst of 6, want one digest: %+v", len(msgs), msgs)
	}
	d := msgs[0]
	if !strings.Contains(d.Embeds[0].Title, "6 new threads in the last 0s: 6 defect") {
		t.Fatalf("digest title %q", d.Embeds[0].Title)
	}
	got := menus(t, d)
	for _, th := range threads {
		id := bot.FormatID(th.ID)
		if !strings.Contains(d.Embeds[0].Description, "**#"+id+"**") {
			t.Errorf("digest lacks thread #%s:\n%s", id, d.Embeds[0].Description)
		}
		for menu, v := range map[string]string{discord.SelectClaim: "claim " + id, discord.SelectSnooze: "snooze " + id + " 1h", discord.SelectResolve: "resolve " + id} {
			if !strings.Contains(strings.Join(got[menu], "|"), v) {
				t.Errorf("menu %s lacks %q: %v", menu, v, got[menu])
			}
		}
		if ref := e.thread(th.Root).NoticeRef; ref != triage+"/"+d.ID {
			t.Errorf("thread #%d notice ref %q, want the digest %s", th.ID, ref, d.ID)
		}
	}

	// alice resolves thread 3 from the menu.
	target := threads[2]
	if _, err := e.fake.Select(triage, d.ID, staffID, discord.SelectResolve, "resolve "+bot.FormatID(target.ID)); err != nil {
		t.Fatal(err)
	}
	e.poll("thread resolved", func() bool { return e.thread(target.Root).State == bot.Resolved })
	e.flush()
	d = triageMsg(t, e, d.ID)
	got = menus(t, d)
	if d.Edits == 0 || strings.Contains(strings.Join(got[discord.SelectResolve], "|"), "resolve "+bot.FormatID(target.ID)) ||
		!strings.Contains(d.Embeds[0].Description, fmt.Sprintf("**#%d** · resolved", target.ID)) || len(got[discord.SelectResolve]) != 5 {
		t.Fatalf("digest after resolving #%d (edits %d): %v\n%s", target.ID, d.Edits, got, d.Embeds[0].Description)
	}
	if n := len(e.fake.Messages(triage)); n != 1 {
		t.Fatalf("%d triage messages after the update, want the one digest", n)
	}
}

// With Discord's per-channel limit modelled in the fake (5 posts a
// window) and the adapter learning it from the X-RateLimit headers, a
// burst of 40 new threads is noticed in a few digests and no post is
// refused; an urgent post finds the reserved last post of a window.
func TestBurstWithinDiscordLimit(t *testing.T) {
	e := newE2EWith(t, discordfake.Options{PostLimit: discordfake.PostLimit{Count: 5, Window: 300 * time.Millisecond}}, nil)
	threads := e.burst(40, "Login fails with error 500")
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
		t.Fatalf("%d posts refused with 429: the adapter's pace is not Discord's", n)
	}
	noticed := map[string]bool{}
	for _, m := range e.fake.Messages(triage) {
		noticed[m.ID] = true
	}
	for _, th := range threads {
		ref := e.thread(th.Root).NoticeRef
		if _, id, _ := strings.Cut(ref, "/"); !noticed[id] {
			t.Fatalf("thread #%d has no notice (ref %q)", th.ID, ref)
		}
	}
	if n := len(noticed); n > 8 {
		t.Fatalf("%d triage messages for 40 threads: not coalesced", n)
	}
}

// A post past Discord's limit gets 429 with a JSON retry_after: the
// adapter asks the core to retry after it, and its pacer waits for the
// window to end; normal posts leave the window's last post to urgent ones.
func TestDiscordPostLimitAndReserve(t *testing.T) {
	fake := newFake(t, discordfake.Options{PostLimit: discordfake.PostLimit{Count: 3, Window: 2 * time.Second}})
	a := newAdapter(t, fake, newRecorder())
	ctx := context.Background()
	post := func(text string, why bot.Purpose) error {
		_, err := a.Send(ctx, bot.Action{Kind: bot.ActPost, Purpose: why, Channel: other, Text: text})
		return err
	}
	// A client that ignores the limit gets 429 and retry_after.
	raw := &http.Client{Transport: fake.Transport()}
	var last *http.Response
	for i := range 4 {
		req, _ := http.NewRequest("POST", "https://discord.com/api/v9/channels/"+watched+"/messages", strings.NewReader(`{"content":"x"}`))
		req.Header.Set("Authorization", "Bot tok")
		req.Header.Set("Content-Type", "application/json")
		resp, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if i < 3 && resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Limit") != "3" {
			t.Fatalf("post %d: %d %v", i, resp.StatusCode, resp.Header)
		}
		last = resp
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("fourth post in a window: %d %v", last.StatusCode, last.Header)
	}

	// The adapter: two normal posts, then the third (the last of the
	// window) only for an urgent one; a normal post waits for the window.
	if err := post("n1", bot.ForDigest); err != nil {
		t.Fatal(err)
	}
	if err := post("n2", bot.ForDigest); err != nil {
		t.Fatal(err)
	}
	readyCtx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	err := a.Ready(readyCtx, bot.Action{Kind: bot.ActPost, Channel: other})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Ready for a normal post with one post left: %v", err)
	}
	if err := a.Ready(ctx, bot.Action{Kind: bot.ActPost, Purpose: bot.ForEscalation, Channel: other}); err != nil {
		t.Fatal(err)
	}
	if err := post("urgent", bot.ForEscalation); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := post("n3", bot.ForDigest); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("a post in a full window went after %v", waited)
	}
	if n := fake.RateLimited(); n != 1 {
		t.Fatalf("%d posts refused; only the raw client's should be", n)
	}

	// A 429 (say from another client of the same bot) is a RetryError
	// with Discord's retry_after.
	fake.FailNext("POST /channels/"+other+"/messages", 1, discordfake.RateLimit)
	_, err = a.Send(ctx, bot.Action{Kind: bot.ActPost, Channel: other, Text: "limited"})
	if re, ok := isRetry(err); !ok || re.After != 50*time.Millisecond {
		t.Fatalf("429: %v", err)
	}
}

// The fake refuses components Discord refuses.
func TestDiscordComponentsChecked(t *testing.T) {
	fake := newFake(t, discordfake.Options{})
	s, _ := discordgo.New("Bot tok")
	s.Client = &http.Client{Transport: fake.Transport()}
	row := func(cs ...discordgo.MessageComponent) discordgo.MessageComponent {
		return discordgo.ActionsRow{Components: cs}
	}
	btn := func(id string) discordgo.MessageComponent {
		return discordgo.Button{Label: "b", Style: discordgo.PrimaryButton, CustomID: id}
	}
	sel := func(id string, n int) discordgo.MessageComponent {
		opts := make([]discordgo.SelectMenuOption, n)
		for i := range opts {
			opts[i] = discordgo.SelectMenuOption{Label: fmt.Sprint(i), Value: fmt.Sprint(i), Description: "d"}
		}
		return discordgo.SelectMenu{CustomID: id, Options: opts}
	}
	six := []discordgo.MessageComponent{}
	for i := range 6 {
		six = append(six, row(btn(fmt.Sprint("b", i))))
	}
	for _, c := range []struct {
		name string
		cs   []discordgo.MessageComponent
		ok   bool
	}{
		{"five rows", six[:5], true},
		{"six rows", six, false},
		{"six buttons in a row", []discordgo.MessageComponent{row(btn("1"), btn("2"), btn("3"), btn("4"), btn("5"), btn("6"))}, false},
		{"custom_id twice", []discordgo.MessageComponent{row(btn("x")), row(btn("x"))}, false},
		{"select of 25", []discordgo.MessageComponent{row(sel("s", 25))}, true},
		{"select of 26", []discordgo.MessageComponent{row(sel("s", 26))}, false},
		{"select beside a button", []discordgo.MessageComponent{row(sel("s", 2), btn("x"))}, false},
	} {
		_, err := s.ChannelMessageSendComplex(other, &discordgo.MessageSend{Content: "x", Components: c.cs})
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// Reminders through Discord say how long is left, at, or past the SLA.
func TestReminderTextsThroughDiscord(t *testing.T) {
	e := newE2EWith(t, discordfake.Options{}, func(o *bot.Options) {
		o.SLA = bot.SLA{FirstReply: 40 * time.Second, RemindAt: []float64{0.5, 1.0, 1.5}, EscalateAfter: 2}
	})
	th := e.thread(e.fake.Post(watched, customer, "How do I invite a teammate?", "").ID)
	e.flush()
	dm := e.fake.DMChannel(staffID)
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
		for _, m := range e.fake.Messages(dm) {
			if strings.Contains(m.Content, fmt.Sprintf("Reminder: thread #%d ", th.ID)) {
				last = m.Content
			}
		}
		if !strings.Contains(last, c.want) {
			t.Fatalf("reminder %q, want %q", last, c.want)
		}
	}
}
