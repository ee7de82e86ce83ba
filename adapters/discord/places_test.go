package discord_test

// Nothing missed while down, in every watched place: the first start
// marks a cursor for each (a channel that stays quiet until an outage is
// covered), channels added to the config later too, and threads of the
// watched channels (active, new, archived meanwhile) and known DM
// channels are backfilled. The real core and bbolt against discordfake.

import (
	"context"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/storage/postgres/pgtest"
)

const (
	quietChan = "666" // watched; nobody writes there at first
	laterChan = "667" // added to the config later
	customer2 = "45"
)

var monday = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// waitCursor waits until a place has a cursor: the first connection's
// backfill marked it.
func (e *e2e) waitCursor(place string) {
	e.t.Helper()
	e.poll("a cursor for "+place, func() bool {
		c, err := e.db.Cursor(context.Background(), bot.Discord, place)
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
	e := &e2e{t: t, fake: newFake(t, discordfake.Options{}), open: pgtest.Engines()[0].New(t),
		clock: bottest.NewClock(monday), channels: []string{watched, quietChan}}
	e.fake.AddMember(guild, customer2, "cust2", nil, false)
	e.fake.AddChannel(guild, quietChan)
	e.fake.AddChannel(guild, laterChan)
	e.fake.PostQuiet(quietChan, customer2, "Before openear was installed: is the API down?", "")
	e.start()
	t.Cleanup(e.stop)
	// Fresh start: a customer writes in A; B stays quiet.
	e.thread(e.fake.Post(watched, customer, "How do I add a teammate?", "").ID)
	e.waitCursor(quietChan)
	e.stop()
	// While openear is down a customer writes in B.
	missed := e.fake.PostQuiet(quietChan, customer, "Our exports fail since this morning", "")
	e.start()
	bottest.WaitThread(t, e.db, bot.Key(bot.Discord, quietChan, missed.ID))

	// A channel added to the config later: its past is not fetched, but
	// from its first connection on it is covered.
	e.fake.PostQuiet(laterChan, customer, "Long before openear watched this channel", "")
	e.stop()
	e.channels = []string{watched, quietChan, laterChan}
	e.start()
	e.waitCursor(laterChan)
	e.stop()
	late := e.fake.PostQuiet(laterChan, customer, "Invoices are wrong after the upgrade", "")
	e.start()
	bottest.WaitThread(t, e.db, bot.Key(bot.Discord, laterChan, late.ID))

	e.stop()
	e.start()
	if a, b, c := e.messagesIn(watched), e.messagesIn(quietChan), e.messagesIn(laterChan); a != 1 || b != 1 || c != 1 {
		t.Fatalf("messages tracked: %d in A, %d in B, %d in the later channel; want 1 each (the history before each first start not at all)", a, b, c)
	}
}

func TestE2EBackfillThreadsAndDMs(t *testing.T) {
	const (
		quietThread = "778" // exists at the first start, quiet until the outage
		newThread   = "779" // created while openear is down
		oldThread   = "780" // gets a message while down, then is archived
	)
	e := &e2e{t: t, fake: newFake(t, discordfake.Options{}), open: pgtest.Engines()[0].New(t), clock: bottest.NewClock(monday)}
	e.fake.AddMember(guild, customer2, "cust2", nil, false)
	e.fake.AddThread(watched, quietThread)
	e.fake.AddThread(watched, oldThread)
	e.fake.PostQuiet(quietThread, customer, "An old question nobody tracked", "")
	e.start()
	t.Cleanup(e.stop)
	dm := e.fake.DMChannel(customer)
	seen := []bot.Thread{
		e.thread(e.fake.Post(thread, customer, "The app crashes on login", "").ID),
		e.thread(e.fake.Post(oldThread, customer, "My invoice is wrong", "").ID),
	}
	dmFirst := e.fake.Post(dm, customer, "Hello? My card was charged twice", "")
	bottest.WaitThread(t, e.db, bot.Key(bot.Discord, dm, dmFirst.ID))
	e.waitCursor(quietThread)
	e.stop()

	// While openear is down, customers write in each kind of place.
	missed := map[string]string{ // message id -> the channel its thread is keyed by
		e.fake.PostQuiet(thread, customer, "Still crashing", "").ID:                    watched,
		e.fake.PostQuiet(quietThread, customer, "Login fails since the update", "").ID: watched,
		e.fake.PostQuiet(dm, customer, "Still waiting for the refund", "").ID:          dm,
		e.fake.PostQuiet(watched, customer2, "Is the API down?", "").ID:                watched,
	}
	e.fake.AddThread(watched, newThread) // its THREAD_CREATE is lost: no session
	missed[e.fake.PostQuiet(newThread, customer, "Where do I find my invoices?", "").ID] = watched
	missed[e.fake.PostQuiet(oldThread, customer, "Any news about the invoice?", "").ID] = watched
	e.fake.ArchiveThread(oldThread)
	e.start()
	for id, ch := range missed {
		bottest.WaitThread(t, e.db, bot.Key(bot.Discord, ch, id))
	}
	e.stop()
	e.start()
	threads, msgs := e.tracked()
	if threads != 6 || msgs != 9 {
		t.Fatalf("%d threads with %d messages; want 6 with 9 (3 live, 6 missed, each once)", threads, msgs)
	}
	for _, th := range seen {
		got, err := e.db.Thread(context.Background(), th.ID)
		if err != nil || got.MsgCount != 2 {
			t.Errorf("thread %d: %d messages, %v; want the missed one joined", th.ID, got.MsgCount, err)
		}
	}
}
