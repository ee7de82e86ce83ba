package e2e_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
)

// soak reports whether the long versions run (OPENEAR_SOAK=1).
func soak() bool { return os.Getenv("OPENEAR_SOAK") == "1" }

// seed is OPENEAR_SEED, or the time; tests log it so a failure replays.
func seed(t *testing.T) uint64 {
	s := uint64(time.Now().UnixNano())
	if v := os.Getenv("OPENEAR_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("OPENEAR_SEED: %v", err)
		}
		s = n
	}
	t.Logf("seed %d (rerun with OPENEAR_SEED=%d)", s, s)
	return s
}

// posted is one customer message the fakes recorded (and so delivered or
// offered for backfill).
type posted struct {
	platform, channel, id string
	conv                  int
}

// conversation is one customer's thread: a root and replies to it.
type conversation struct {
	platform, channel, user string
	urgent                  bool
	root                    string
}

// TestCrashSafety runs the real binary, streams customer messages on both
// platforms into it and SIGKILLs it at random moments, restarting it on
// the same bbolt file each time. Afterwards: every message is in exactly
// one thread (no loss, no duplicate), no thread is duplicated, the file's
// pages check clean, and every reminder that came due was sent at least
// once. CI: 300 messages, 5 kills; OPENEAR_SOAK=1: 5,000 messages, 20 kills.
func TestCrashSafety(t *testing.T) {
	total, kills, pace := 300, 5, 12*time.Millisecond
	if soak() {
		total, kills, pace = 5000, 20, 4*time.Millisecond
	}
	if testing.Short() {
		t.Skip("starts a child process many times")
	}
	rng := rand.New(rand.NewPCG(seed(t), 6))
	w := newWorld(t, worldOptions{Socket: true, Extra: `
sla: {first_reply: 1h, next_reply: 1h, per_tag: {urgent: 3s}, remind_at: [1.0], escalate_after: 2.0}
incidents: {enabled: false}
`})

	// Conversations of 20 messages (a thread keeps its newest 20), each
	// from its own customer; every fifth is urgent (an SLA of 3 s).
	convs := make([]*conversation, total/bot.MaxMessages)
	for i := range convs {
		c := &conversation{urgent: i%5 == 0}
		if i%2 == 0 {
			c.platform, c.channel, c.user = bot.Slack, []string{sCust1, sCust2}[(i/2)%2], fmt.Sprintf("U0C%05d", i)
			w.slack.AddUser(c.user, "TCUST", "cust"+strconv.Itoa(i), false)
		} else {
			c.platform, c.channel, c.user = bot.Discord, dCust, fmt.Sprintf("71%016d", i)
			w.disc.AddMember(dGuild, c.user, "cust"+strconv.Itoa(i), nil, false)
		}
		convs[i] = c
	}

	w.start()
	started := time.Now()
	var (
		mu   sync.Mutex
		msgs []posted
		n    atomic.Int64
		done = make(chan struct{})
	)
	go func() { // the customers
		defer close(done)
		for g := 0; g < len(convs); g += 10 {
			group := convs[g:min(g+10, len(convs))]
			for j := range bot.MaxMessages {
				for k, c := range group {
					text := fmt.Sprintf("Question from customer %d, part %d: how do I export report %d?", g+k, j, j)
					if j == 0 && c.urgent {
						text = fmt.Sprintf("URGENT: customer %d is blocked, please help asap", g+k)
					}
					var id string
					if c.platform == bot.Slack {
						id = w.slack.Post(c.channel, c.user, text, c.root)
					} else {
						id = w.disc.Post(c.channel, c.user, text, c.root).ID
					}
					if j == 0 {
						c.root = id
					}
					mu.Lock()
					msgs = append(msgs, posted{c.platform, c.channel, id, g + k})
					mu.Unlock()
					n.Add(1)
					time.Sleep(pace)
				}
			}
		}
	}()

	// Before the first kill every customer channel has a cursor: a
	// channel without one starts from "now" (documented).
	w.waitThreads("a thread in every channel", 30*time.Second, func(ths []bot.Thread) bool {
		seen := map[string]bool{}
		for _, th := range ths {
			seen[th.Channel] = true
		}
		return seen[sCust1] && seen[sCust2] && seen[dCust]
	})
	targets := make([]int64, kills)
	for i := range targets {
		targets[i] = int64(total/10 + rng.IntN(total*8/10))
	}
	slices.Sort(targets)
	for i, target := range targets {
		acks := len(w.slack.Acks())
		want := acks + 1 + rng.IntN(8)
		deadline := time.Now().Add(10 * time.Second)
		for (n.Load() < target || len(w.slack.Acks()) < want) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		w.kill()
		t.Logf("kill %d at %d/%d messages posted, %d acks", i+1, n.Load(), total, len(w.slack.Acks()))
		w.start()
	}
	<-done
	streamed := time.Since(started)

	// Everything arrives: as many messages as were posted, once each.
	ths := w.waitThreads("every message stored", 120*time.Second, func(ths []bot.Thread) bool {
		sum := 0
		for _, th := range ths {
			sum += th.MsgCount
		}
		return len(ths) == len(convs) && sum == total
	})
	converged := time.Since(started)

	// Every reminder that came due was sent (and how often).
	var urgent []uint64
	for _, th := range ths {
		if th.HasTag("urgent") {
			urgent = append(urgent, th.ID)
		}
	}
	wantUrgent := 0
	for _, c := range convs {
		if c.urgent {
			wantUrgent++
		}
	}
	if len(urgent) != wantUrgent {
		t.Errorf("%d threads tagged urgent, want %d", len(urgent), wantUrgent)
	}
	reminders := func() map[uint64]int {
		got := map[uint64]int{}
		var texts []string
		for _, m := range w.slackDMs() {
			texts = append(texts, m.Text)
		}
		for _, m := range w.disc.Messages(w.disc.DMChannel(dAlice)) {
			texts = append(texts, m.Content)
		}
		for _, s := range texts {
			for _, id := range urgent {
				if strings.Contains(s, fmt.Sprintf("Reminder: thread #%d ", id)) {
					got[id]++
				}
			}
		}
		return got
	}
	// Slack paces posts to about one a second per channel, and the outbox
	// goes in order: the triage notices of every Slack thread come first.
	ctx := waitCtx(t, 120*time.Second+time.Duration(len(convs))*time.Second)
	for {
		got := reminders()
		if len(got) == len(urgent) {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("reminders sent for %d of %d due threads\n%s", len(got), len(urgent), w.lastLog())
		}
		time.Sleep(100 * time.Millisecond)
	}
	remindersAt := time.Since(started)
	w.stop()
	dup := 0
	for _, k := range reminders() {
		dup += k - 1
	}

	// The file: pages clean, each message in exactly one thread.
	db, err := storage.Open(w.dbPath, storage.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	bg := context.Background()
	byID := map[uint64]bot.Thread{}
	roots := map[string]uint64{}
	sum := 0
	err = db.Threads(bg, func(th bot.Thread) bool {
		byID[th.ID] = th
		sum += th.MsgCount
		if other, ok := roots[bot.Key(th.Platform, th.Channel, th.Root)]; ok {
			t.Errorf("threads %d and %d share the root %s", other, th.ID, th.Root)
		}
		roots[bot.Key(th.Platform, th.Channel, th.Root)] = th.ID
		ids := map[string]bool{}
		for _, m := range th.Messages {
			if ids[m.ID] {
				t.Errorf("thread %d holds message %s twice", th.ID, m.ID)
			}
			ids[m.ID] = true
		}
		if th.MsgCount != bot.MaxMessages || len(th.Messages) != bot.MaxMessages {
			t.Errorf("thread %d: %d messages counted, %d kept; want %d", th.ID, th.MsgCount, len(th.Messages), bot.MaxMessages)
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(byID) != len(convs) || sum != total {
		t.Fatalf("%d threads holding %d messages; want %d threads, %d messages", len(byID), sum, len(convs), total)
	}
	convThread := map[int]uint64{}
	for _, m := range msgs {
		th, err := db.ThreadByKey(bg, bot.Key(m.platform, m.channel, m.id))
		if err != nil {
			t.Errorf("message %s/%s/%s of conversation %d: %v", m.platform, m.channel, m.id, m.conv, err)
			continue
		}
		if !slices.ContainsFunc(th.Messages, func(x bot.Message) bool { return x.ID == m.id }) {
			t.Errorf("message %s leads to thread %d, which does not hold it", m.id, th.ID)
		}
		if prev, ok := convThread[m.conv]; ok && prev != th.ID {
			t.Errorf("conversation %d split over threads %d and %d", m.conv, prev, th.ID)
		}
		convThread[m.conv] = th.ID
	}
	t.Logf("FIGURES crash: %d messages (%d threads) on 2 platforms, %d SIGKILLs; streamed in %s, all stored %s after start; "+
		"%d due reminders sent (all by %s), %d duplicate reminders; %d starts; Check clean",
		total, len(convs), kills, streamed.Round(time.Millisecond), converged.Round(time.Millisecond),
		len(urgent), remindersAt.Round(time.Second), dup, w.starts)
}
