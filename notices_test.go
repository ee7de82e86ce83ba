package main

// The incident alert through the real wiring, both real adapters and the
// fakes (issue #13 point 3): it lists every linked thread and shows the
// words the customers wrote.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/adapters/slackfake"
	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/demo"
)

func TestIncidentAlertListsEveryThread(t *testing.T) {
	r := startRig(t, insightRules, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	a := r.thread(bot.Slack, "C0ACME", r.sf.Post("C0ACME", "UACME1", "The checkout page crashes every time I pay…", ""))
	g := r.thread(bot.Slack, "C0GLOBEX", r.sf.Post("C0GLOBEX", "UGLOBEX1", "Checkout crashes every time I pay by card…", ""))
	d := r.thread(bot.Discord, demo.DiscordSupport, r.df.Post(demo.DiscordSupport, demo.DiscordSam, "The checkout page crashes when I try to pay", "").ID)
	ids := []uint64{a.ID, g.ID, d.ID}

	alert := func(n int) (slackText, discordMsg string) {
		t.Helper()
		head := fmt.Sprintf("%d customers report the same problem", n)
		r.waitFor(fmt.Sprintf("the alert of %d customers on both platforms", n), func() bool {
			slackText, discordMsg = "", ""
			for _, m := range r.sf.Messages("C0TRIAGE") {
				if strings.Contains(m.Text, head) {
					slackText = m.Text
				}
			}
			for _, m := range r.df.Messages(demo.DiscordTriage) {
				if s := discordText(m); strings.Contains(s, head) {
					discordMsg = s
				}
			}
			return slackText != "" && discordMsg != ""
		})
		return slackText, discordMsg
	}
	check := func(text string) {
		t.Helper()
		for _, id := range ids {
			if !strings.Contains(text, fmt.Sprintf("• #%d ", id)) {
				t.Errorf("the alert lacks thread #%d:\n%s", id, text)
			}
		}
		var head string
		for _, l := range strings.Split(text, "\n") {
			if strings.Contains(l, "report the same problem") {
				head = l
			}
		}
		_, words, _ := strings.Cut(head, " — ")
		list := strings.Split(words, ", ")
		for _, w := range []string{"checkout", "crashes", "pay"} {
			if !containsWord(list, w) {
				t.Errorf("the alert's words %q lack %q", list, w)
			}
		}
		for _, stem := range []string{"pag", "crash"} {
			if containsWord(list, stem) {
				t.Errorf("the alert shows the stem %q: %s", stem, head)
			}
		}
	}
	s, dc := alert(3)
	check(s)
	check(dc)

	// A fourth customer: the alert is edited and lists all four.
	a2 := r.thread(bot.Slack, "C0ACME", r.sf.Post("C0ACME", "UACME2", "checkout page crashed again when I paid", ""))
	ids = append(ids, a2.ID)
	s, dc = alert(4)
	check(s)
	check(dc)
	if n := len(slackMatching(r.sf.Messages("C0TRIAGE"), func(m slackfake.Message) bool { return strings.Contains(m.Text, "Incident #") })); n != 1 {
		t.Fatalf("%d incident alerts in Slack's triage channel, want one, edited", n)
	}
}

func containsWord(list []string, w string) bool {
	for _, x := range list {
		if x == w {
			return true
		}
	}
	return false
}
