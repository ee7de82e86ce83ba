package demo

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/app"
	"github.com/openear/openear/storage"
)

// inboxConfig is the world of the browser test: the demo's fakes, its
// people, CSAT on, and no SLA that could fire while the browser works.
const inboxConfig = FakePlatforms + `
people:
  - {name: alice, slack: U0ALICE, discord: "800000000000000001", timezone: Asia/Seoul}
  - {name: bob, slack: U0BOB, discord: "800000000000000002", timezone: Asia/Seoul}
teams:
  - {name: support, members: [alice, bob]}
routing:
  - {team: support}
sla: {first_reply: 8h, next_reply: 8h}
csat: {enabled: true}
`

// chromium returns the path of headless Chromium, or skips the test
// (CI installs it and must not skip).
func chromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs chromium for the browser tests (apt-get install chromium)")
		}
		t.Skip("chromium not installed")
	}
	return path
}

// TestInboxInBrowser drives the dashboard in headless Chromium over the
// DevTools protocol: the list shows names, a thread page its
// conversation; staff sign in with the one-time link openear DMs them on
// the fake Slack, resolve a thread by clicking — the fake Slack gets the
// notice edit — and another tab's list shows the change without a
// reload. The list's language switch, clicked, turns the list and the
// thread page Korean, and the list stays Korean as it refreshes.
func TestInboxInBrowser(t *testing.T) {
	exe := chromium(t)
	sf, df := NewFakes()
	defer sf.Close()
	defer df.Close()
	dir := t.TempDir()
	cfg, err := Config(inboxConfig, sf, df, filepath.Join(dir, "openear.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(cfg.Storage.Path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.New(ctx, cfg, db, bot.SystemClock{}, app.NewLogger(cfg, io.Discard), app.Wiring{
		DiscordHTTP: &http.Client{Transport: df.Transport(), Timeout: 10 * time.Second}, Tick: 100 * time.Millisecond, SlackPace: -1})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, "127.0.0.1:0") }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("app: %v", err)
		}
	}()
	wait := func(what string, cond func() bool) {
		t.Helper()
		wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
		defer wcancel()
		for !cond() {
			select {
			case <-wctx.Done():
				t.Fatalf("waiting for %s", what)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	wait("the adapters", func() bool { return a.Addr() != nil && a.Slack.Connected() && a.Discord.Connected() })
	base := "http://" + a.Addr().String()

	root := sf.Post("C0ACME", "UACME1", "Our checkout page is broken: error 500 when we pay", "")
	df.Post(DiscordSupport, DiscordKim, "결제 페이지에서 오류가 나요", "")
	var th bot.Thread
	wait("the threads and names", func() bool {
		th, err = db.ThreadByKey(ctx, bot.Key(bot.Slack, "C0ACME", root))
		return err == nil && th.CustCompany == "Acme Corp"
	})
	id := bot.FormatID(th.ID)

	// The sign-in link, as the staff member gets it: a DM on Slack.
	if _, err := sf.SlashCommand(ctx, "U0ALICE", "T0HOME", "C0TRIAGE", "login"); err != nil {
		t.Fatal(err)
	}
	var link string
	wait("the sign-in DM", func() bool {
		for _, m := range sf.Messages("D0ALICE") {
			if l := regexp.MustCompile(`http://\S+/login/\S+`).FindString(m.Text); l != "" {
				link = l
			}
		}
		return link != ""
	})
	if !strings.HasPrefix(link, base+"/login/") {
		t.Fatalf("link %q is not on %s", link, base)
	}

	// One browser for the test, stopped with it (or after 2 minutes).
	bctx, bcancel := context.WithTimeout(ctx, 2*time.Minute)
	defer bcancel()
	actx, acancel := chromedp.NewExecAllocator(bctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(filepath.Join(dir, "chromium")))...)
	defer acancel()
	list, lcancel := chromedp.NewContext(actx)
	defer lcancel()
	do := func(c context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(c, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(c context.Context, sel string) string {
		t.Helper()
		s, err := chromedp.Run(c, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	eval := func(c context.Context, js string) bool {
		t.Helper()
		v, err := chromedp.Run(c, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	poll := func(js string) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(20*time.Second))
	}

	// The list, read-only: names, not ids.
	do(list, "open the list", chromedp.Navigate(base+"/?state=all"), chromedp.WaitVisible(chromedp.CSS(`#threads`)))
	rows := text(list, `#threads tbody`)
	for _, want := range []string{"Jin Park", "Acme Corp", "#acme-support", "김민수", "#help-desk"} {
		if !strings.Contains(rows, want) {
			t.Errorf("list lacks %q:\n%s", want, rows)
		}
	}
	// Open a thread from it.
	do(list, "open a thread", chromedp.Click(chromedp.CSS(`tr[data-id="`+id+`"] td a`)), chromedp.WaitVisible(chromedp.CSS(`#timeline`)))
	if conv := text(list, `main`); !strings.Contains(conv, "Our checkout page is broken") || !strings.Contains(conv, "Read-only") {
		t.Errorf("thread page:\n%s", conv)
	}
	// Back to the list, and to Korean by clicking the switch: the list
	// and the thread page speak Korean, and so does the list after it
	// refreshes itself (below).
	do(list, "back to the list", chromedp.Navigate(base+"/?state=all"), chromedp.WaitVisible(chromedp.CSS(`#threads`)))
	do(list, "switch to Korean", chromedp.Click(chromedp.CSS(`#lang-ko`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="ko"] #threads`)))
	for sel, wants := range map[string][]string{
		`header`:         {"답변 대기", "전체", "읽기 전용"},
		`form.filters`:   {"검색", "상태", "담당자", "정렬", "적용"},
		`#threads thead`: {"상태", "고객", "담당자", "첫 메시지"},
		`#threads tbody`: {"답변 대기", "Jin Park", "김민수"},
		`#chart-frt`:     {"첫 응답 시간"},
	} {
		got := text(list, sel)
		for _, want := range wants {
			if !strings.Contains(got, want) {
				t.Errorf("Korean list: %s lacks %q:\n%s", sel, want, got)
			}
		}
		for _, english := range []string{"waiting", "search", "owner", "Read-only", "First response"} {
			if strings.Contains(got, english) {
				t.Errorf("Korean list: %s still says %q:\n%s", sel, english, got)
			}
		}
	}
	do(list, "open a thread in Korean", chromedp.Click(chromedp.CSS(`tr[data-id="`+id+`"] td a`)), chromedp.WaitVisible(chromedp.CSS(`#timeline`)))
	if page := text(list, `main`); !strings.Contains(page, "타임라인") || !strings.Contains(page, "대화") ||
		!strings.Contains(page, "읽기 전용이에요") || !strings.Contains(page, "스레드 시작") || strings.Contains(page, "Timeline") {
		t.Errorf("Korean thread page:\n%s", page)
	}
	// Back to the list; mark the page, to see later that it never reloaded.
	do(list, "back to the list", chromedp.Navigate(base+"/?state=all"), chromedp.WaitVisible(chromedp.CSS(`html[lang="ko"] #threads`)))
	eval(list, `window.notReloaded = true`)

	// Another tab of the same browser: sign in and resolve.
	other, ocancel := chromedp.NewContext(list)
	defer ocancel()
	do(other, "sign in", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`#signin`)), chromedp.Click(chromedp.CSS(`#signin`)),
		chromedp.WaitVisible(chromedp.CSS(`#person`)))
	if who := text(other, `#person`); who != "alice" {
		t.Fatalf("signed in as %q", who)
	}
	updates := len(sf.Calls("chat.update"))
	do(other, "resolve by clicking", chromedp.Navigate(base+"/threads/"+id), chromedp.WaitVisible(chromedp.CSS(`#act-resolve`)),
		chromedp.Click(chromedp.CSS(`#act-resolve`)),
		poll(`document.querySelector("#live .state-resolved") !== null`))
	wait("the notice update on Slack", func() bool {
		for _, c := range sf.Calls("chat.update")[updates:] {
			if c.Form.Get("channel") == "C0TRIAGE" && strings.Contains(c.Form.Get("blocks"), "resolved") {
				return true
			}
		}
		return false
	})
	// The first tab's list shows it, by itself, still in Korean.
	do(list, "see the change on the list", poll(`document.querySelector('tr[data-id="`+id+`"] td.state').textContent === "해결"`))
	if !eval(list, `window.notReloaded === true`) {
		t.Error("the list reloaded to show the change")
	}
	after, err := db.Thread(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := after.Timeline[len(after.Timeline)-2]
	if after.State != bot.Resolved || last.By != "alice" || last.Via != "web" {
		t.Errorf("thread %s, timeline %+v", after.State, after.Timeline)
	}
	// The CSAT question went to the customer's thread.
	wait("the CSAT question", func() bool {
		for _, m := range sf.Messages("C0ACME") {
			if m.BotID != "" && m.ThreadTS == root && strings.Contains(m.Blocks, "csat "+id+" 5") {
				return true
			}
		}
		return false
	})
	if shot := os.Getenv("OPENEAR_INBOX_SCREENSHOT"); shot != "" {
		do(other, "the thread page again", chromedp.Navigate(base+"/threads/"+id), chromedp.WaitVisible(chromedp.CSS(`#timeline`)))
		png, err := chromedp.Run(other, chromedp.FullScreenshot(100))
		if err == nil {
			err = os.WriteFile(shot, png, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
