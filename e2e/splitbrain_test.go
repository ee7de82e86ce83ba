package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
)

// TestSplitBrain stops the leader (SIGSTOP) for longer than its lease:
// the standby takes over. A delivery reaches the paused leader directly
// meanwhile (a balancer that did not notice). When the old leader is
// continued it must not write — its lease token is no longer the
// lease's, so the database refuses its commits — and it must step down
// to standby. The delivery is then either stored for the new leader (200)
// or refused (5xx, Slack delivers it again); either way it is tracked
// exactly once, by the new leader.
func TestSplitBrain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	const lease = 2 * time.Second
	c := newCluster(t, 2, lease, failoverSLA)
	for _, r := range c.reps {
		c.spawn(r)
	}
	old := c.waitLeader(60 * time.Second)
	c.waitStandby(c.other(old), 30*time.Second)
	before, err := c.store.Leader(c.ctx(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []sent
	postMsg := func(user, text string) sent {
		c.slack.AddUser(user, "TCUST", user, false)
		ts, ev := c.slack.PostMessage(slackfake.Message{Channel: sCust1, User: user, Text: text})
		m := sent{sCust1, ts, ev, len(msgs)}
		msgs = append(msgs, m)
		return m
	}
	first := postMsg("U0SB1", "How do I export my invoices?")
	c.waitThreadOf(bot.Slack, sCust1, first.ts, 20*time.Second)

	c.signal(old, syscall.SIGSTOP)
	stoppedAt := time.Now()
	lead := c.waitLeader(60 * time.Second)
	takeover := time.Since(stoppedAt)
	if lead == old {
		t.Fatal("the stopped replica still leads")
	}
	after, _ := c.store.Leader(c.ctx(5 * time.Second))
	if after.Token != before.Token+1 {
		t.Errorf("lease token %d after the takeover, %d before", after.Token, before.Token)
	}
	// A customer writes; the delivery goes to the paused old leader (the
	// message is recorded in the fake Slack without its event, which this
	// test sends itself).
	c.slack.AddUser("U0SB2", "TCUST", "sb2", false)
	direct := c.slack.PostQuiet(sCust1, "U0SB2", "URGENT: our checkout is down, please help asap", "")
	msgs = append(msgs, sent{sCust1, direct, "EvSplitBrain1", len(msgs)})
	body, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T0HOME", "api_app_id": "A0OPENEAR",
		"event_id": "EvSplitBrain1", "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "message", "channel": sCust1, "channel_type": "channel", "user": "U0SB2",
			"team": "TCUST", "user_team": "TCUST", "text": "URGENT: our checkout is down, please help asap", "ts": direct}})
	status := make(chan int, 1)
	go func() { status <- sendEvent(old.addr, body) }() // waits: the process is stopped

	c.signal(old, syscall.SIGCONT)
	c.waitStandby(old, 30*time.Second)
	got := <-status
	switch {
	case got/100 == 2:
		// The stepped-down replica stored it in the inbox for the leader.
	case got/100 == 5:
		// Its fenced commit was refused: Slack delivers it again.
		if again := sendEvent(lead.addr, body); again/100 != 2 {
			t.Fatalf("redelivery to the new leader: %d", again)
		}
	default:
		t.Fatalf("the old leader answered %d to a delivery it got while paused", got)
	}
	c.waitTracked("after the split brain", msgs, 30*time.Second)
	id := c.waitThreadOf(bot.Slack, sCust1, direct, 10*time.Second)
	c.waitDM(fmt.Sprintf("Reminder: thread #%d ", id), 30*time.Second)
	if l, _ := c.store.Leader(c.ctx(5 * time.Second)); l.Token != after.Token || !l.Live() {
		t.Errorf("lease %+v changed hands after the takeover (token %d): the old leader did not stay down", l, after.Token)
	}
	logs := c.log(old)
	if !strings.Contains(logs, "stepped down") {
		t.Errorf("the old leader's log does not say it stepped down:\n%s", logs)
	}
	fenced := strings.Contains(logs, "fenced")
	t.Logf("FIGURES split brain: lease %s, takeover %s after SIGSTOP; the old leader answered %d to the delivery it got while paused; "+
		"its writes refused by the fence: %v; it stepped down to standby; the delivery tracked once", lease,
		takeover.Round(time.Millisecond), got, fenced)
	for _, r := range c.reps {
		c.stop(r)
	}
}

// sendEvent posts a signed Events API body to a replica directly.
func sendEvent(addr string, body []byte) int {
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+slackfake.EventsPath, bytes.NewReader(body))
	now := time.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now, 10))
	req.Header.Set("X-Slack-Signature", slackfake.Sign(slackSecret, now, body))
	resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
