package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
)

// restart replaces the rig's bot with a new one on the same store, as a
// restart of the process, or another replica taking over, does.
func (r *rig) restart(mod func(*bot.Options)) {
	r.t.Helper()
	o := defaultOptions()
	if mod != nil {
		mod(&o)
	}
	o.Store, o.Clock = r.store, r.clock
	b, err := bot.New(r.ctx, o)
	if err != nil {
		r.t.Fatal(err)
	}
	r.bot = b
	r.slack, r.disc = bottest.NewPlatform(bot.Slack), bottest.NewPlatform(bot.Discord)
	b.AddPlatform(r.slack)
	b.AddPlatform(r.disc)
}

// The round-robin position is stored: a new bot goes on with the next
// member instead of starting over.
func TestRoundRobinSurvivesRestart(t *testing.T) {
	r := newRig(t, nil)
	var owners []string
	for i := range 5 {
		if i == 1 || i == 4 {
			r.restart(nil)
		}
		id, _ := r.customer(fmt.Sprint("UC", i), "How do I export a report?")
		owners = append(owners, r.thread(id).Owner)
	}
	if want := []string{"alice", "bob", "alice", "bob", "alice"}; fmt.Sprint(owners) != fmt.Sprint(want) {
		t.Fatalf("owners %v, want %v", owners, want)
	}
	v, err := r.store.Entry(r.ctx, "route/rr/support")
	if err != nil || string(v) != "5" {
		t.Errorf("stored position %q, %v; want 5", v, err)
	}
}

func incidentOptions(o *bot.Options) {
	o.Incidents = bot.IncidentOptions{Enabled: true, MinCustomers: 3, Window: 15 * time.Minute}
}

// The window of recent problem reports is stored: an incident forming
// across a restart is found, and reports that left the window are
// deleted.
func TestIncidentWindowSurvivesRestart(t *testing.T) {
	r := newRig(t, incidentOptions)
	report := func(i int) uint64 {
		id, _ := r.customer(fmt.Sprint("UCUST", i), "The login page is broken, error 500 when I sign in")
		return id
	}
	old := report(0) // leaves the window before the others come
	r.clock.Advance(20 * time.Minute)
	report(1)
	r.restart(incidentOptions)
	report(2)
	if incs, _ := r.store.Incidents(r.ctx, true); len(incs) != 0 {
		t.Fatalf("incident after 2 customers in the window: %+v", incs)
	}
	r.restart(incidentOptions)
	third := report(3)
	incs, err := r.store.Incidents(r.ctx, true)
	if err != nil || len(incs) != 1 {
		t.Fatalf("incidents after 3 customers across restarts: %+v, %v", incs, err)
	}
	if got := r.thread(third).Incident; got != incs[0].ID {
		t.Errorf("the third report's thread is in incident %d, want %d", got, incs[0].ID)
	}
	if r.thread(old).Incident != 0 || len(incs[0].Customers) != 3 {
		t.Errorf("incident %+v includes the report that left the window", incs[0])
	}
	var keys []string
	r.store.Entries(r.ctx, "incident/recent/", func(k string, _ []byte) bool { keys = append(keys, k); return true })
	if len(keys) != 3 {
		t.Errorf("stored reports %v, want the 3 in the window", keys)
	}
	for _, k := range keys {
		if strings.HasSuffix(k, fmt.Sprintf("/%d", old)) {
			t.Errorf("report of thread %d left the window but is still stored: %s", old, k)
		}
	}
}

// fencedStore refuses every write, as a store shared by replicas does
// once another replica took the leadership over.
type fencedStore struct{ bot.Store }

func (fencedStore) Apply(context.Context, ...bot.Change) error {
	return fmt.Errorf("apply: lease token is 8, this replica's 7: %w", bot.ErrFenced)
}

// A fenced bot steps down: Handle fails (the delivery is not
// acknowledged and goes to the new leader) and Run returns at once with
// the fencing error.
func TestFencedBotStepsDown(t *testing.T) {
	r := newRig(t, nil)
	id, _ := r.customer("UCUST", "The export is broken") // a committed thread, its actions pending
	o := defaultOptions()
	o.Store, o.Clock = fencedStore{r.store}, r.clock
	o.TickEvery, o.SendEvery = time.Millisecond, time.Millisecond
	b, err := bot.New(r.ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	b.AddPlatform(bottest.NewPlatform(bot.Slack))
	if _, err := b.Handle(r.ctx, r.msg("UCUST", "still broken", false, "")); !errors.Is(err, bot.ErrFenced) {
		t.Fatalf("Handle on a fenced store: %v, want ErrFenced", err)
	}
	select {
	case <-b.Fenced():
	default:
		t.Fatal("Fenced not closed after a fenced write")
	}
	ctx, cancel := context.WithTimeout(r.ctx, time.Minute)
	defer cancel()
	if err := b.Run(ctx); !errors.Is(err, bot.ErrFenced) || ctx.Err() != nil {
		t.Fatalf("Run = %v (ctx %v), want it to return ErrFenced at once", err, ctx.Err())
	}
	if th := r.thread(id); th.MsgCount != 1 {
		t.Errorf("thread has %d messages: a fenced write was stored", th.MsgCount)
	}
}

// A bot whose store fences it only in the sender (it delivered, then
// could not record the delivery) stops as well.
func TestFencedInTheSenderStepsDown(t *testing.T) {
	r := newRig(t, nil)
	r.customer("UCUST", "The export is broken")
	o := defaultOptions()
	o.Store, o.Clock = fencedStore{r.store}, r.clock
	o.TickEvery, o.SendEvery = time.Hour, time.Millisecond
	b, err := bot.New(r.ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	p := bottest.NewPlatform(bot.Slack)
	b.AddPlatform(p)
	ctx, cancel := context.WithTimeout(r.ctx, time.Minute)
	defer cancel()
	if err := b.Run(ctx); !errors.Is(err, bot.ErrFenced) || ctx.Err() != nil {
		t.Fatalf("Run = %v (ctx %v), want ErrFenced", err, ctx.Err())
	}
	if len(p.Sent()) == 0 {
		t.Error("nothing was sent: the sender did not run into the fence")
	}
}
