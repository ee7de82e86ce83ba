package slack_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
)

// TestSocketBurstKeepsChannelOrder: a burst delivered at once — 300
// messages in one channel and 90 in another: conversations of a
// question, a staff answer in its thread and the customer's follow-up —
// is handled in each channel's arrival order by the real core, although
// a lane hands the next event over before the previous one is
// committed: the core saw each channel's messages in the order they were
// posted, every thread ends waiting (the follow-up came after the
// answer) with its messages in order, and every envelope is
// acknowledged.
func TestSocketBurstKeepsChannelOrder(t *testing.T) {
	var mu sync.Mutex
	seen := map[string][]string{} // channel -> message ts, in the order the core handled them
	e := newE2EWith(t, true, defaultFakeOptions(), func(e *e2e) {
		e.fake.AddChannel(e2eQuiet, "second")
		e.channels = []string{e2eShared, e2eQuiet}
		e.observe = func(o bot.Observation) {
			switch o.What {
			case "thread", "message", "reply", "waiting":
				mu.Lock()
				m := o.Thread.Messages[len(o.Thread.Messages)-1]
				seen[o.Thread.Channel] = append(seen[o.Thread.Channel], m.ID)
				mu.Unlock()
			}
		}
	})
	type conv struct{ ch, user, root string }
	var convs []conv
	posted := map[string][]string{}
	post := func(ch, user, text, root string) string {
		ts := e.fake.Post(ch, user, text, root)
		posted[ch] = append(posted[ch], ts)
		return ts
	}
	for i := range 130 { // 100 conversations in one channel, 30 in the other
		ch := e2eShared
		if i%13 >= 10 {
			ch = e2eQuiet
		}
		u := fmt.Sprintf("U0B%04d", i)
		e.fake.AddUser(u, "TACME", u, false)
		convs = append(convs, conv{ch, u, post(ch, u, fmt.Sprintf("Report %d does not export, what is wrong?", i), "")})
	}
	for _, c := range convs {
		post(c.ch, e2eAlice, "It is fixed now, please try again", c.root)
	}
	for _, c := range convs {
		post(c.ch, c.user, "Still failing for me", c.root)
	}
	total := len(posted[e2eShared]) + len(posted[e2eQuiet])
	e.waitFor("every envelope acked", func() bool { return len(e.fake.Acks()) >= total })
	for _, c := range convs {
		th := bottest.WaitThread(t, e.db, bot.Key(bot.Slack, c.ch, c.root))
		if th.State != bot.Waiting || th.MsgCount != 3 {
			t.Fatalf("thread of %s/%s: %s with %d messages; want waiting with 3 (question, answer, follow-up in order)", c.ch, c.root, th.State, th.MsgCount)
		}
		for i := 1; i < len(th.Messages); i++ {
			if !bot.LaterID(th.Messages[i].ID, th.Messages[i-1].ID) {
				t.Fatalf("thread of %s/%s: messages out of order %+v", c.ch, c.root, th.Messages)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, ch := range []string{e2eShared, e2eQuiet} {
		got := seen[ch]
		if len(got) != len(posted[ch]) {
			t.Fatalf("%s: the core saw %d messages, %d were posted", ch, len(got), len(posted[ch]))
		}
		for i := range got {
			if got[i] != posted[ch][i] {
				t.Fatalf("%s: message %d handled was %s, posted %s: the channel lost its order", ch, i, got[i], posted[ch][i])
			}
		}
	}
}
