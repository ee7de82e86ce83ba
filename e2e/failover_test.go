package e2e_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
)

// failoverSLA: urgent threads (routed to carol) are reminded after 1s
// and escalated after 1.5s, so that every round sees the new leader's
// clock at work; ordinary threads have an hour.
const failoverSLA = "sla: {first_reply: 1h, next_reply: 1h, per_tag: {urgent: 1s}, remind_at: [1.0], escalate_after: 1.5}\n"

// sent is one customer message posted to the fake Slack.
type sent struct {
	channel, ts, eventID string
	conv                 int // conversation index; -1 for a probe
}

// TestFailover runs two `openear run` replicas on one PostgreSQL
// database behind a load balancer (Slack's Events API reaches both in
// turn) with customer messages flowing, and SIGKILLs the leader in the
// middle of each round's messages, ten times in a row, restarting it as
// the new standby each time. After each takeover: every event Slack was
// told is received is tracked exactly once, thread ids are unique (no
// conversation shares a thread, none is split), and an urgent thread
// opened after the takeover is reminded and escalated by the new leader.
// At the end every thread got its triage notice and owner DM (nothing
// lost); what was delivered twice is counted and reported, with the
// takeover times.
func TestFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes many times")
	}
	const kills, convsN, lease = 10, 12, 2 * time.Second
	c := newCluster(t, 2, lease, failoverSLA)
	for _, r := range c.reps {
		c.spawn(r)
	}
	lead := c.waitLeader(60 * time.Second)
	c.waitStandby(c.other(lead), 30*time.Second)

	type conv struct{ channel, user, root string }
	convs := make([]*conv, convsN)
	for i := range convs {
		convs[i] = &conv{channel: []string{sCust1, sCust2}[i%2], user: fmt.Sprintf("U0F%03d", i)}
		c.slack.AddUser(convs[i].user, "TCUST", "cust"+strconv.Itoa(i), false)
	}
	var (
		mu     sync.Mutex
		posted []sent
	)
	post := func(channel, user, text, threadTS string, conv int) string {
		ts, ev := c.slack.PostMessage(slackfake.Message{Channel: channel, User: user, Text: text, ThreadTS: threadTS})
		mu.Lock()
		posted = append(posted, sent{channel, ts, ev, conv})
		mu.Unlock()
		return ts
	}
	// round posts message r of every conversation from four senders at
	// once and calls atHalf once half of them are posted.
	round := func(r int, atHalf func()) {
		var wg sync.WaitGroup
		var n atomic.Int64
		var once sync.Once
		for s := range 4 {
			wg.Go(func() {
				for i := s; i < convsN; i += 4 {
					cv := convs[i]
					text := fmt.Sprintf("Customer %d, message %d: how do I export report %d?", i, r, r)
					ts := post(cv.channel, cv.user, text, cv.root, i)
					if r == 0 {
						cv.root = ts
					}
					if n.Add(1) == convsN/2 {
						once.Do(atHalf)
					}
					time.Sleep(15 * time.Millisecond)
				}
			})
		}
		wg.Wait()
	}

	var takeovers []time.Duration
	var probes []uint64
	for k := range kills {
		var killedAt time.Time
		round(k, func() {
			c.signal(lead, syscall.SIGKILL)
			killedAt = time.Now()
		})
		old := lead
		lead = c.waitLeader(60 * time.Second)
		takeover := time.Since(killedAt)
		if lead == old {
			t.Fatalf("kill %d: the killed replica leads", k+1)
		}
		takeovers = append(takeovers, takeover)
		c.spawn(old) // back, as the new standby
		c.waitStandby(old, 30*time.Second)

		mu.Lock()
		sofar := slices.Clone(posted)
		mu.Unlock()
		acked := c.acked(sofar)
		c.waitTracked(fmt.Sprintf("kill %d", k+1), acked, 60*time.Second)

		// The new leader holds the Discord gateway.
		duser := fmt.Sprintf("71%016d", 900+k)
		c.disc.AddMember(dGuild, duser, "dcust", nil, false)
		dmsg := c.disc.Post(dCust, duser, fmt.Sprintf("Discord customer %d: where can I download my invoice?", k), "")
		mu.Lock()
		posted = append(posted, sent{channel: dCust, ts: dmsg.ID, conv: -1})
		mu.Unlock()
		c.waitThreadOf(bot.Discord, dCust, dmsg.ID, 30*time.Second)

		// The new leader's clock: an urgent thread is reminded and
		// escalated.
		user := fmt.Sprintf("U0PROBE%02d", k)
		c.slack.AddUser(user, "TCUST", "probe", false)
		ts := post(sCust1, user, fmt.Sprintf("URGENT: production is down for us (probe %d), please help asap", k), "", -1)
		id := c.waitThreadOf(bot.Slack, sCust1, ts, 30*time.Second)
		probes = append(probes, id)
		c.waitDM(fmt.Sprintf("Reminder: thread #%d ", id), 30*time.Second)
		c.waitDM(fmt.Sprintf("Escalation: thread #%d ", id), 30*time.Second)
		t.Logf("kill %d: %d messages posted, %d acknowledged, takeover %s", k+1, len(sofar), len(acked), takeover.Round(time.Millisecond))
	}
	round(kills, func() {}) // a last round with nobody killed

	// Nothing lost: every message (acknowledged or backfilled) tracked
	// once, every thread's notice and owner DM delivered.
	mu.Lock()
	all := slices.Clone(posted)
	mu.Unlock()
	ackedAll := c.acked(all)
	c.waitTracked("the end", all, 60*time.Second)
	ths := c.threadsByID()
	if len(ths) != convsN+2*kills {
		t.Errorf("%d threads, want %d conversations, %d probes and %d Discord customers", len(ths), convsN, kills, kills)
	}
	dup := c.waitDelivered(ths, 180*time.Second)
	remDup, escDup := 0, 0
	for _, id := range probes {
		remDup += c.countDM(fmt.Sprintf("Reminder: thread #%d ", id)) - 1
		escDup += c.countDM(fmt.Sprintf("Escalation: thread #%d ", id)) - 1
	}
	ok2xx, failed := 0, 0
	for _, d := range c.slack.Deliveries() {
		if d.Status/100 == 2 {
			ok2xx++
		} else {
			failed++
		}
	}
	slices.Sort(takeovers)
	var sum time.Duration
	for _, d := range takeovers {
		sum += d
	}
	t.Logf("FIGURES failover: %d SIGKILLs of the leader (lease %s); takeover min %s, median %s, max %s, mean %s; "+
		"%d Slack messages posted, %d acknowledged, %d Discord messages to the new leader's gateway; all %d tracked once; %d threads; "+
		"Events API deliveries (the customers' and the bot's own posts): %d answered 2xx, %d of them stored by a standby for the leader, %d failed (the leader killed; delivered again); "+
		"delivered twice: %d triage notices, %d owner DMs, %d reminders, %d escalations",
		kills, lease, takeovers[0].Round(time.Millisecond), takeovers[len(takeovers)/2].Round(time.Millisecond),
		takeovers[len(takeovers)-1].Round(time.Millisecond), (sum / time.Duration(len(takeovers))).Round(time.Millisecond),
		len(all)-kills, len(ackedAll), kills, len(all), len(ths), ok2xx, c.storedByStandby(), failed, dup.notices, dup.ownerDMs, remDup, escDup)
	for _, r := range c.reps {
		c.stop(r)
	}
	if logs := c.allLogs(); strings.Contains(logs, slackBotToken) || strings.Contains(logs, c.url) {
		t.Error("a secret appears in the replicas' logs")
	}
}

// acked returns the messages whose event the fake Slack saw acknowledged
// (a 2xx answer to one of its deliveries).
func (c *cluster) acked(msgs []sent) []sent {
	ok := map[string]bool{}
	for _, d := range c.slack.Deliveries() {
		if d.Status/100 == 2 {
			ok[d.EventID] = true
		}
	}
	var out []sent
	for _, m := range msgs {
		if ok[m.eventID] {
			out = append(out, m)
		}
	}
	return out
}

// threadsByID reads every stored thread.
func (c *cluster) threadsByID() map[uint64]bot.Thread {
	out := map[uint64]bot.Thread{}
	err := c.store.Threads(c.ctx(time.Minute), func(th bot.Thread) bool { out[th.ID] = th; return true })
	if err != nil {
		c.t.Fatal(err)
	}
	return out
}

// trackedOnce reports what is wrong, or "": each message in exactly one
// thread, once; each conversation in one thread; no thread holding two
// conversations; no two threads with one root.
func (c *cluster) trackedOnce(msgs []sent) string {
	ths := c.threadsByID()
	where := map[string][]uint64{} // message ts -> threads holding it
	roots := map[string]uint64{}
	for _, th := range ths {
		key := th.Channel + "/" + th.Root
		if other, ok := roots[key]; ok {
			return fmt.Sprintf("threads %d and %d share the root %s", other, th.ID, key)
		}
		roots[key] = th.ID
		for _, m := range th.Messages {
			where[th.Channel+"/"+m.ID] = append(where[th.Channel+"/"+m.ID], th.ID)
		}
	}
	convThread := map[int]uint64{}
	threadConv := map[uint64]int{}
	for _, m := range msgs {
		in := where[m.channel+"/"+m.ts]
		if len(in) != 1 {
			return fmt.Sprintf("message %s/%s (event %s) is in %d threads %v", m.channel, m.ts, m.eventID, len(in), in)
		}
		th := ths[in[0]]
		if n := countMsg(th, m.ts); n != 1 {
			return fmt.Sprintf("thread %d holds message %s %d times", th.ID, m.ts, n)
		}
		if m.conv < 0 {
			continue
		}
		if prev, ok := convThread[m.conv]; ok && prev != th.ID {
			return fmt.Sprintf("conversation %d split over threads %d and %d", m.conv, prev, th.ID)
		}
		if prev, ok := threadConv[th.ID]; ok && prev != m.conv {
			return fmt.Sprintf("thread %d holds conversations %d and %d: an id was used twice", th.ID, prev, m.conv)
		}
		convThread[m.conv], threadConv[th.ID] = th.ID, m.conv
	}
	return ""
}

func countMsg(th bot.Thread, ts string) int {
	n := 0
	for _, m := range th.Messages {
		if m.ID == ts {
			n++
		}
	}
	return n
}

// waitTracked waits until every message of msgs is tracked once.
func (c *cluster) waitTracked(when string, msgs []sent, timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		problem := c.trackedOnce(msgs)
		if problem == "" {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: %s\n%s", when, problem, c.log(c.reps[0])+c.log(c.reps[1]))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitThreadOf waits for the thread a message opened and returns its id.
func (c *cluster) waitThreadOf(platform, channel, ts string, timeout time.Duration) uint64 {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		th, err := c.store.ThreadByKey(c.ctx(5*time.Second), bot.Key(platform, channel, ts))
		if err == nil {
			return th.ID
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("no thread for %s/%s after %s: %v", channel, ts, timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// countDM counts the Slack DMs that contain s.
func (c *cluster) countDM(s string) int {
	n := 0
	for _, m := range slackDMs(c.slack) {
		if strings.Contains(m.Text, s) {
			n++
		}
	}
	return n
}

func (c *cluster) waitDM(s string, timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for c.countDM(s) == 0 {
		if time.Now().After(deadline) {
			var b strings.Builder
			for _, r := range c.reps {
				fmt.Fprintf(&b, "--- %s: %v\n%s\n", r.name, c.health(r), c.log(r))
			}
			c.t.Fatalf("no DM %q after %s\n%s", s, timeout, b.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// duplicates counts what was delivered more than once.
type duplicates struct{ notices, ownerDMs int }

var (
	noticeID = regexp.MustCompile(`Thread #(\d+) ·`)
	ownerID  = regexp.MustCompile(`New thread #(\d+) for you`)
)

// waitDelivered waits until every Slack thread has its triage notice and its
// owner's DM (Slack paces posts at one a second per channel, so the
// outbox takes a while), and counts those delivered twice.
func (c *cluster) waitDelivered(ths map[uint64]bot.Thread, timeout time.Duration) duplicates {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		notices, dms := map[uint64]int{}, map[uint64]int{}
		for _, m := range c.slack.Messages(sTriage) {
			if g := noticeID.FindStringSubmatch(m.Text); g != nil {
				id, _ := strconv.ParseUint(g[1], 10, 64)
				notices[id]++
			}
		}
		for _, m := range slackDMs(c.slack) {
			if g := ownerID.FindStringSubmatch(m.Text); g != nil {
				id, _ := strconv.ParseUint(g[1], 10, 64)
				dms[id]++
			}
		}
		var missing []string
		for id, th := range ths {
			if th.Platform != bot.Slack {
				continue
			}
			if notices[id] == 0 {
				missing = append(missing, fmt.Sprintf("notice of #%d", id))
			}
			if dms[id] == 0 {
				missing = append(missing, fmt.Sprintf("owner DM of #%d", id))
			}
		}
		if len(missing) == 0 {
			var d duplicates
			for id, th := range ths {
				if th.Platform != bot.Slack {
					continue
				}
				d.notices += notices[id] - 1
				d.ownerDMs += dms[id] - 1
			}
			return d
		}
		if time.Now().After(deadline) {
			sort.Strings(missing)
			c.t.Fatalf("after %s still missing (lost?): %v", timeout, missing)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// storedByStandby counts the Events API deliveries standbys stored in
// the inbox for the leader: the inbox's id sequence (the leader deletes
// what it handled).
func (c *cluster) storedByStandby() int64 {
	conn, err := pgx.Connect(c.ctx(10*time.Second), c.url)
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int64
	if err := conn.QueryRow(c.ctx(10*time.Second), `SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM inbox_id_seq`).Scan(&n); err != nil {
		c.t.Fatal(err)
	}
	return n
}
