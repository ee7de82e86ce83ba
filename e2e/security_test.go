package e2e_test

import (
	"errors"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
)

// TestEmptySecretRefusesToStart: `openear run` with the signing secret
// unset (Events API mode) exits non-zero at once, naming the key and the
// variable.
func TestEmptySecretRefusesToStart(t *testing.T) {
	for _, v := range []string{"SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "DISCORD_BOT_TOKEN"} {
		t.Run(v, func(t *testing.T) {
			w := newWorld(t, worldOptions{Env: map[string]string{v: ""}})
			cmd := exec.Command(binary(t), "run", "-config", w.cfgPath)
			cmd.Env = w.environ()
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() == 0 {
				t.Fatalf("exit %v with %s empty: %s", err, v, out)
			}
			if !strings.Contains(string(out), v) {
				t.Fatalf("the message does not name %s: %s", v, out)
			}
		})
	}
}

// TestSecondInstanceExitsFast: a second openear on the same bbolt file
// exits within 2 s with a clear message; the first keeps running.
func TestSecondInstanceExitsFast(t *testing.T) {
	w := newWorld(t, worldOptions{Socket: true})
	w.start()
	cmd := exec.Command(binary(t), "run", "-config", w.cfgPath)
	cmd.Env = w.environ()
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err == nil {
		t.Fatalf("the second instance ran: %s", out)
	}
	if took > 2*time.Second {
		t.Errorf("the second instance took %s to exit", took)
	}
	msg := strings.ToLower(string(out))
	if !strings.Contains(string(out), w.dbPath) || !(strings.Contains(msg, "lock") || strings.Contains(msg, "in use") || strings.Contains(msg, "another")) {
		t.Errorf("unclear message: %s", out)
	}
	if ok, _ := w.exited(); ok {
		t.Fatal("the first instance died")
	}
	t.Logf("FIGURES second instance: exit after %s: %s", took.Round(time.Millisecond), strings.TrimSpace(string(out)))
	w.stop()
}

// TestNoSecretInLogs runs the binary with debug logging through a session
// with errors (a 429, an invalid_auth, a Discord 500, a stale and a forged
// request) and checks that no secret appears in its output.
func TestNoSecretInLogs(t *testing.T) {
	w := newWorld(t, worldOptions{LogLevel: "debug", Extra: "sla: {first_reply: 1s, remind_at: [1.0]}\n"})
	w.slack.FailNext("chat.postMessage", 1, slackfake.RateLimit)
	w.slack.FailNext("chat.postMessage", 1, slackfake.InvalidAuth)
	w.start()
	w.slack.AddUser("U0CUST", "TCUST", "cust", false)
	w.disc.AddMember(dGuild, "710000000000000001", "cust", nil, false)
	w.slack.Post(sCust1, "U0CUST", "The export is broken <!channel> <!here> <!subteam^S0STAFF> token xoxb-1234-5678-pastedByCustomer please help", "")
	w.disc.FailNext("POST /channels/"+dTriage+"/messages", 1, 1)
	w.disc.Post(dCust, "710000000000000001", "Is the API down? @everyone @here <@&"+dRole+">", "")
	ctx := waitCtx(t, 10*time.Second)
	for _, r := range []slackfake.Request{
		{Path: slackfake.EventsPath, Body: []byte(`{"type":"event_callback"}`), Time: time.Now().Add(-10 * time.Minute)},
		{Path: slackfake.EventsPath, Body: []byte(`{"type":"event_callback"}`), Secret: "wrong-secret"},
	} {
		if status, _, err := w.slack.Send(ctx, r); err == nil && status != http.StatusUnauthorized {
			t.Errorf("a bad request got %d", status)
		}
	}
	w.waitThreads("two threads", 20*time.Second, func(ths []bot.Thread) bool { return len(ths) == 2 })
	// Notices and reminders went out (and through the errors).
	if err := w.slack.WaitFor(ctx, func() bool { return len(w.slack.Messages(sTriage)) > 0 && len(w.slackDMs()) > 0 }); err != nil {
		t.Fatalf("no notice or reminder on Slack\n%s", w.lastLog())
	}
	if err := w.disc.WaitFor(ctx, func() bool { return len(w.disc.Messages(dTriage)) > 0 }); err != nil {
		t.Fatalf("no notice on Discord\n%s", w.lastLog())
	}
	// Customer text echoed in notices pings no one.
	for _, m := range w.slack.Messages(sTriage) {
		for _, bad := range []string{"<!channel>", "<!here>", "<!subteam"} {
			if strings.Contains(m.Text, bad) || strings.Contains(m.Blocks, bad) {
				t.Errorf("Slack notice carries %s: %s %s", bad, m.Text, m.Blocks)
			}
		}
	}
	for _, m := range w.disc.Messages(dTriage) {
		if m.AllowedMentions == nil || len(m.AllowedMentions.Parse) != 0 || len(m.AllowedMentions.Roles) != 0 {
			t.Errorf("Discord notice allowed_mentions %+v: %q", m.AllowedMentions, m.Content)
		}
	}
	w.stop()
	logs := w.allLogs()
	if !strings.Contains(logs, "level=DEBUG") {
		t.Fatal("no debug lines: the test proves nothing")
	}
	for _, s := range []string{slackBotToken, slackAppToken, slackSecret, discordToken, "xoxb-", "xapp-", "e2eDsc"} {
		if strings.Contains(logs, s) {
			i := strings.Index(logs, s)
			t.Errorf("secret %q in the logs: …%s…", s, logs[max(0, i-200):min(len(logs), i+100)])
		}
	}
	if testing.Verbose() {
		t.Log(logs)
	}
	t.Logf("FIGURES secrets: %d log bytes (%d lines) at debug level, 0 secrets", len(logs), strings.Count(logs, "\n"))
}
