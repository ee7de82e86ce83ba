package slack_test

// Nothing missed while down, in every watched place: the first start
// marks a cursor for each (so a place that stays quiet until an outage is
// covered), channels added to the config later too, and DM channels —
// known ones and those opened while openear was down — are backfilled.
// The real core and bbolt, in Socket Mode and over the Events API.

import (
	"context"
	"fmt"
	"testing"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
)

const (
	e2eQuiet = "C0QUIET" // a watched channel where nobody writes at first
	e2eLater = "C0LATER" // a channel added to the config later
)

// waitCursor waits until a place has a cursor: the first connection's
// backfill has marked it.
func (e *e2e) waitCursor(place string) {
	e.t.Helper()
	bottest.Poll(e.t, "a cursor for "+place, func() bool {
		c, err := e.db.Cursor(context.Background(), bot.Slack, place)
		return err == nil && c != ""
	})
}

// messagesIn counts the tracked messages of a channel.
func (e *e2e) messagesIn(ch string) int {
	e.t.Helper()
	n := 0
	if err := e.db.Threads(context.Background(), func(th bot.Thread) bool {
		if th.Channel == ch {
			n += th.MsgCount
		}
		return true
	}); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestE2EFirstStartCursors(t *testing.T) {
	for _, socket := range []bool{true, false} {
		t.Run(fmt.Sprintf("socket=%v", socket), func(t *testing.T) {
			e := newE2EWith(t, socket, defaultFakeOptions(), func(e *e2e) {
				e.fake.AddChannel(e2eQuiet, "quiet")
				e.fake.AddChannel(e2eLater, "later")
				e.fake.PostQuiet(e2eQuiet, e2eCust2, "Before openear was installed: is the API down?", "")
				e.channels = []string{e2eShared, e2eQuiet}
			})
			// Fresh start: a customer writes in A; B stays quiet.
			e.thread(e.fake.Post(e2eShared, e2eCust, "How do I rotate my API key?", ""))
			e.waitCursor(e2eQuiet)
			e.stop()
			// While openear is down a customer writes in B.
			missed := e.fake.PostQuiet(e2eQuiet, e2eCust, "Our exports fail since this morning", "")
			e.start()
			bottest.WaitThread(t, e.db, bot.Key(bot.Slack, e2eQuiet, missed))

			// A channel added to the config later: its past is not
			// fetched, but from its first connection on it is covered.
			e.fake.PostQuiet(e2eLater, e2eCust2, "Long before openear watched this channel", "")
			e.stop()
			e.channels = []string{e2eShared, e2eQuiet, e2eLater}
			e.start()
			e.waitCursor(e2eLater)
			e.stop()
			late := e.fake.PostQuiet(e2eLater, e2eCust2, "Invoices are wrong after the upgrade", "")
			e.start()
			bottest.WaitThread(t, e.db, bot.Key(bot.Slack, e2eLater, late))

			// Once each, however often it starts again.
			e.stop()
			e.start()
			if a, b, c := e.messagesIn(e2eShared), e.messagesIn(e2eQuiet), e.messagesIn(e2eLater); a != 1 || b != 1 || c != 1 {
				t.Fatalf("messages tracked: %d in A, %d in B, %d in the later channel; want 1 each (the history before each first start not at all)", a, b, c)
			}
		})
	}
}

func TestE2EBackfillDMs(t *testing.T) {
	for _, socket := range []bool{true, false} {
		t.Run(fmt.Sprintf("socket=%v", socket), func(t *testing.T) {
			const (
				dmJin   = "D0JIN"   // a DM openear has seen a message in
				dmQuiet = "D0QUIET" // a DM that exists but is quiet at the first start
				dmNew   = "D0MEI"   // a DM opened while openear is down
				quiet   = "U0QUIET"
			)
			e := newE2EWith(t, socket, defaultFakeOptions(), func(e *e2e) {
				e.fake.AddUser(quiet, "TACME", "quiet", false)
				e.fake.AddChannel(dmJin, "")
				e.fake.AddChannel(dmQuiet, "")
				e.fake.PostQuiet(dmQuiet, quiet, "An old question nobody tracked", "")
			})
			e.fake.Post(dmJin, e2eCust, "Hello, is anyone there? My card was charged twice", "")
			bottest.Poll(t, "the DM tracked", func() bool { return e.messagesIn(dmJin) == 1 })
			e.waitCursor(dmQuiet)
			e.waitCursor("*") // the pass is over: a DM new since is read from its start
			e.stop()
			// While openear is down, customers write in each kind of place.
			var missed []string
			missed = append(missed, e.fake.PostQuiet(dmJin, e2eCust, "Still waiting for the refund", ""))
			missed = append(missed, e.fake.PostQuiet(dmQuiet, quiet, "The app crashes when I log in", ""))
			e.fake.AddChannel(dmNew, "")
			missed = append(missed, e.fake.PostQuiet(dmNew, e2eCust2, "Where do I find my invoices?", ""))
			missed = append(missed, e.fake.PostQuiet(e2eShared, e2eCust, "The dashboard is blank", ""))
			e.start()
			for i, ch := range []string{dmJin, dmQuiet, dmNew, e2eShared} {
				bottest.WaitThread(t, e.db, bot.Key(bot.Slack, ch, missed[i]))
			}
			e.stop()
			e.start()
			for ch, want := range map[string]int{dmJin: 2, dmQuiet: 1, dmNew: 1, e2eShared: 1} {
				if got := e.messagesIn(ch); got != want {
					t.Errorf("%d messages tracked in %s, want %d", got, ch, want)
				}
			}
		})
	}
}
