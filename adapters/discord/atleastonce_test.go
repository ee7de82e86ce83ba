package discord_test

// At-least-once delivery from Discord to the real core and bbolt: gateway
// drops and reconnects during a steady stream, and an INVALID SESSION gap
// recovered by backfill, lose nothing and duplicate nothing.
// OPENEAR_SOAK=1 runs the 100-drop version.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discord"
	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/storage"
)

func soak() bool { return os.Getenv("OPENEAR_SOAK") == "1" }

// core is the real bot over a bbolt file, fed by a real adapter.
type core struct {
	db  *storage.DB
	bot *bot.Bot
	ad  *discord.Adapter
}

func newCore(t *testing.T, fake *discordfake.Server) *core {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "openear.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b, err := bot.New(context.Background(), bot.Options{Store: db,
		Clock:  bottest.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)),
		People: []bot.Person{{Name: "alice", IDs: map[string]string{bot.Discord: staffID}}},
		Rules:  []bot.Rule{{Person: "alice"}},
		Triage: map[string]string{bot.Discord: triage}})
	if err != nil {
		t.Fatal(err)
	}
	ad := newAdapter(t, fake, b)
	b.AddPlatform(ad)
	start(t, fake, ad)
	return &core{db: db, bot: b, ad: ad}
}

// assertOnceEach waits until every message id is stored and checks that
// the threads hold exactly as many messages as were posted.
func (c *core) assertOnceEach(t *testing.T, fake *discordfake.Server, ids []string) {
	t.Helper()
	ctx := context.Background()
	missing := func() []int {
		var out []int
		for i, id := range ids {
			if _, err := c.db.ThreadByKey(ctx, bot.Key(bot.Discord, watched, id)); err != nil {
				out = append(out, i)
			}
		}
		return out
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(missing()) > 0 {
		if time.Now().After(deadline) {
			m := missing()
			t.Fatalf("%d of %d messages never stored (first %d); adapter connected %v, fake connected %v, %d resumes, %d identifies",
				len(m), len(ids), m[0], c.ad.Connected(), fake.Connected(), fake.Resumes(), len(fake.Identifies()))
		}
		time.Sleep(5 * time.Millisecond)
	}
	msgs := 0
	c.db.Threads(ctx, func(th bot.Thread) bool { msgs += th.MsgCount; return true })
	if msgs != len(ids) {
		t.Fatalf("threads hold %d messages, %d were posted", msgs, len(ids))
	}
}

// TestAtLeastOnceGatewayDrops drops the gateway (alternately an abrupt
// close and an op 7 RECONNECT) during a steady stream: the client resumes,
// the fake replays what it missed: 0 lost, 0 duplicated. CI: 20;
// OPENEAR_SOAK=1: 100.
func TestAtLeastOnceGatewayDrops(t *testing.T) {
	t.Parallel()
	drops := 20
	if soak() {
		drops = 100
	}
	fake := newFake(t, discordfake.Options{})
	c := newCore(t, fake)
	start := time.Now()
	done := make(chan []string, 1)
	stop := make(chan struct{})
	go func() { // until the drops are done
		var ids []string
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- ids
				return
			default:
			}
			ids = append(ids, fake.Post(watched, customer, fmt.Sprintf("How do I export report %d?", i), "").ID)
			time.Sleep(20 * time.Millisecond)
		}
	}()
	ctx := context.Background()
	stored := func() int {
		n := 0
		c.db.Threads(ctx, func(th bot.Thread) bool { n += th.MsgCount; return true })
		return n
	}
	for i := range drops {
		before, resumes, idents := stored(), fake.Resumes(), len(fake.Identifies())
		bottest.Poll(t, "progress", func() bool { return stored() > before })
		if i%2 == 0 {
			fake.Drop()
		} else {
			fake.Reconnect()
		}
		waitFake(t, fake, "resumed", func() bool {
			return (fake.Resumes() > resumes || len(fake.Identifies()) > idents) && fake.Connected()
		})
	}
	close(stop)
	ids := <-done
	total := len(ids)
	c.assertOnceEach(t, fake, ids)
	t.Logf("FIGURES gateway drops: %d drops/reconnects, %d messages, 0 lost, 0 duplicated, %d resumes, %d identifies, %s",
		drops, total, fake.Resumes(), len(fake.Identifies()), time.Since(start).Round(time.Millisecond))
}

// TestAtLeastOnceInvalidSessionGap: 30 messages the gateway never
// delivered (an INVALID SESSION gap) are read back by backfill, once each.
func TestAtLeastOnceInvalidSessionGap(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Options{})
	c := newCore(t, fake)
	first := fake.Post(watched, customer, "How do I rotate my key?", "").ID
	c.assertOnceEach(t, fake, []string{first})
	ids := []string{first}
	for i := range 30 {
		ids = append(ids, fake.PostQuiet(watched, customer, fmt.Sprintf("Still waiting on report %d", i), "").ID)
	}
	fake.InvalidSession()
	c.assertOnceEach(t, fake, ids)
	// Live again, and a second invalid session takes nothing twice.
	ids = append(ids, fake.Post(watched, customer, "And the export?", "").ID)
	fake.InvalidSession()
	c.assertOnceEach(t, fake, ids)
}
