package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/storage/mem"
	"github.com/openear/openear/web"
)

// inbox is a real bot (memory store, fake clock, a recording Slack)
// behind the dashboard.
type inbox struct {
	t     *testing.T
	ctx   context.Context
	store *mem.Store
	clock *bottest.Clock
	bot   *bot.Bot
	slack *bottest.Platform
	srv   *httptest.Server
	seq   int
}

var seoulLoc = func() *time.Location {
	l, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return l
}()

// newInbox starts the bot and the dashboard; setup may change their
// options (the people are in both).
func newInbox(t *testing.T, token string, setup ...func(*bot.Options, *web.Options)) *inbox {
	t.Helper()
	in := &inbox{t: t, ctx: context.Background(), store: mem.New(), clock: bottest.NewClock(now)}
	t.Cleanup(func() { in.store.Close() })
	people := []bot.Person{
		{Name: "alice", IDs: map[string]string{bot.Slack: "UALICE", bot.Discord: "8001"}, Loc: seoulLoc},
		{Name: "bob", IDs: map[string]string{bot.Slack: "UBOB"}},
	}
	bo := bot.Options{Store: in.store, Clock: in.clock, People: people,
		Teams:  []bot.Team{{Name: "support", Members: []string{"alice", "bob"}}},
		Rules:  []bot.Rule{{Person: "alice", Team: "support"}},
		Triage: map[string]string{bot.Slack: "CTRIAGE"},
		CSAT:   bot.CSATOptions{Enabled: true},
		Web:    bot.WebOptions{URL: func() string { return "https://openear.example.com" }, Clock: in.clock}}
	wo := web.Options{Store: in.store, Now: in.clock.Now, Token: token, People: people}
	for _, f := range setup {
		f(&bo, &wo)
	}
	b, err := bot.New(in.ctx, bo)
	if err != nil {
		t.Fatal(err)
	}
	in.bot = b
	in.slack = bottest.NewPlatform(bot.Slack)
	b.AddPlatform(in.slack)
	wo.Stats, wo.Inbox = b.Stats, b
	in.srv = httptest.NewServer(web.New(wo).Handler())
	t.Cleanup(in.srv.Close)
	return in
}

// customer opens a thread of customer jin and returns its id.
func (in *inbox) customer(text string) uint64 {
	in.t.Helper()
	return in.customerAs("UJIN", "jin", "Acme Corp", text)
}

func (in *inbox) customerAs(user, name, company, text string) uint64 {
	in.t.Helper()
	in.seq++
	res, err := in.bot.Handle(in.ctx, bot.Event{ID: fmt.Sprint("ev", in.seq), Kind: bot.KindMessage, Platform: bot.Slack,
		Channel: "C0ACME", MessageID: fmt.Sprintf("1773154800.%06d", in.seq), User: user, UserName: name,
		UserCompany: company, ChannelName: "acme-support", Text: text, At: in.clock.Now(),
		Permalink: "https://acme.slack.com/archives/C0ACME/p1773154800000001"})
	if err != nil {
		in.t.Fatal(err)
	}
	return res.ThreadID
}

// command runs a Slack command as user.
func (in *inbox) command(user string, staff bool, text string) string {
	in.t.Helper()
	in.seq++
	res, err := in.bot.Handle(in.ctx, bot.Event{ID: fmt.Sprint("cmd", in.seq), Kind: bot.KindCommand, Platform: bot.Slack,
		User: user, Staff: staff, Text: text})
	if err != nil {
		in.t.Fatal(err)
	}
	return res.Reply
}

var signInLink = regexp.MustCompile(`https://openear\.example\.com(/login/[A-Za-z0-9_-]+)`)

// link asks for a sign-in link as a staff member and returns its path,
// as the DM carries it.
func (in *inbox) link(user string) string {
	in.t.Helper()
	in.command(user, true, "login")
	bottest.Flush(in.t, in.bot)
	dms := in.slack.Sent(bot.ForLogin)
	m := signInLink.FindStringSubmatch(dms[len(dms)-1].Text)
	if m == nil {
		in.t.Fatalf("no link in %q", dms[len(dms)-1].Text)
	}
	return m[1]
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects.
func (in *inbox) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (in *inbox) do(c *http.Client, method, path string, form url.Values, header ...string) response {
	in.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, in.srv.URL+path, body)
	if err != nil {
		in.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

// signIn opens the link's page, presses its button and returns the
// browser and the session's CSRF token as the page shows it.
func (in *inbox) signIn(path string) (*http.Client, string) {
	in.t.Helper()
	c := in.browser()
	page := in.do(c, "GET", path, nil)
	if page.status != 200 || !strings.Contains(page.body, `id="signin"`) {
		in.t.Fatalf("GET %s: %d %s", path, page.status, page.body)
	}
	r := in.do(c, "POST", "/login", url.Values{"token": {strings.TrimPrefix(path, "/login/")}}, "Sec-Fetch-Site", "same-origin")
	if r.status != http.StatusSeeOther {
		in.t.Fatalf("POST /login: %d %s", r.status, r.body)
	}
	list := in.do(c, "GET", "/", nil)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(list.body)
	if m == nil {
		in.t.Fatalf("no CSRF token on the page of a signed-in viewer:\n%s", list.body)
	}
	return c, m[1]
}

func (in *inbox) sessions() int {
	n := 0
	in.store.Entries(in.ctx, "session/", func(string, []byte) bool { n++; return true })
	return n
}

func TestSignInAndAct(t *testing.T) {
	in := newInbox(t, "")
	id := in.customer("The export to CSV fails with an error")
	link := in.link("UALICE")

	c := in.browser()
	// The link's page signs nobody in by itself (a preview may GET it).
	if r := in.do(c, "GET", link, nil); !strings.Contains(r.body, "Sign in as alice") || r.header.Get("Set-Cookie") != "" || in.sessions() != 0 {
		t.Fatalf("link page: %d, cookie %q, %d sessions\n%s", r.status, r.header.Get("Set-Cookie"), in.sessions(), r.body)
	}
	r := in.do(c, "POST", "/login", url.Values{"token": {strings.TrimPrefix(link, "/login/")}})
	cookie := r.header.Get("Set-Cookie")
	for _, want := range []string{"openear_session=", "HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("a Secure cookie over plain HTTP would never come back: %q", cookie)
	}
	page := in.do(c, "GET", "/", nil)
	if !strings.Contains(page.body, `signed in as <b id="person">alice</b>`) || !strings.Contains(page.body, `value="resolve"`) {
		t.Fatalf("list of a signed-in viewer:\n%s", page.body)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page.body)[1]

	// A form post comes back to the page, with the reply.
	r = in.do(c, "POST", fmt.Sprintf("/threads/%d/act", id), url.Values{"csrf": {csrf}, "verb": {"assign"}, "arg": {"bob"},
		"return": {"/?state=all"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/?state=all&note=") {
		t.Fatalf("assign: %d %v", r.status, r.header)
	}
	// The script's post gets JSON.
	r = in.do(c, "POST", fmt.Sprintf("/threads/%d/act", id), url.Values{"csrf": {csrf}, "verb": {"resolve"}}, "X-Openear-Fetch", "1")
	if r.status != 200 || !strings.Contains(r.body, "resolved") {
		t.Fatalf("resolve: %d %s", r.status, r.body)
	}
	th, err := in.store.Thread(in.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	last := th.Timeline[len(th.Timeline)-2] // then the CSAT question
	if th.State != bot.Resolved || th.Owner != "bob" || last.What != bot.MarkResolved || last.By != "alice" || last.Via != "web" {
		t.Fatalf("thread %s owner %s, timeline %+v", th.State, th.Owner, th.Timeline)
	}
	bottest.Flush(t, in.bot)
	notices := in.slack.Sent(bot.ForTriage)
	if n := notices[len(notices)-1]; n.Ref == "" || n.Notice.State != bot.Resolved {
		t.Errorf("the triage notice was not edited: %+v", n)
	}
	// The thread page shows it, with the timeline and who did what.
	tp := in.do(c, "GET", fmt.Sprintf("/threads/%d", id), nil)
	for _, want := range []string{"resolved", "jin", "Acme Corp", "#acme-support", `title="C0ACME"`, "The export to CSV fails",
		`data-what="assigned"`, "assigned <b>bob</b> by alice (dashboard)", `data-what="csat_asked"`, `value="reopen"`,
		`href="https://acme.slack.com/archives/C0ACME/p1773154800000001"`} {
		if !strings.Contains(tp.body, want) {
			t.Errorf("thread page lacks %q", want)
		}
	}
	// Sign out: the cookie no longer works.
	if r := in.do(c, "POST", "/logout", url.Values{"csrf": {csrf}}); r.status != http.StatusSeeOther || in.sessions() != 0 {
		t.Errorf("logout: %d, %d sessions", r.status, in.sessions())
	}
}

func TestThreadPage(t *testing.T) {
	in := newInbox(t, "")
	id := in.customer("환불 요청합니다. 결제가 두 번 되었어요 <b>urgent</b>")
	in.clock.Advance(10 * time.Minute)
	in.seq++
	if _, err := in.bot.Handle(in.ctx, bot.Event{ID: "staff-reply", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C0ACME",
		ThreadKey: "1773154800.000001", MessageID: "1773155400.000009", User: "UBOB", Staff: true, Text: "확인해 볼게요", At: in.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	in.clock.Advance(5 * time.Minute)
	if _, err := in.bot.Handle(in.ctx, bot.Event{ID: "cust-again", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C0ACME",
		ThreadKey: "1773154800.000001", MessageID: "1773155700.000010", User: "UJIN", Text: "still broken", At: in.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	c, _ := in.signIn(in.link("UALICE"))
	r := in.do(c, "GET", fmt.Sprintf("/threads/%d", id), nil)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for _, want := range []string{
		"환불 요청합니다. 결제가 두 번 되었어요 &lt;b&gt;urgent&lt;/b&gt;", // escaped
		"<b>bob</b> (staff)", "확인해 볼게요", `data-what="created"`, `data-what="routed"`, `data-what="first_reply"`,
		`title="Discord 8001 · Slack UALICE"`, "team support", `lang="ko"`, "still broken", "next reply within",
		`href="https://acme.slack.com/archives/C0ACME/p1773155400000009?thread_ts=1773154800.000001&amp;cid=C0ACME"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("thread page lacks %q", want)
		}
	}
	// The due time reads in alice's zone (Seoul), for the script to
	// show in the browser's.
	if !regexp.MustCompile(`due <time datetime="2026-03-10T19:15:00Z" data-offset="32400" data-local>Wed Mar 11 04:15 KST</time>`).MatchString(r.body) {
		t.Errorf("due time not in the viewer's zone:\n%s", r.body)
	}
	// The live part alone, for the script.
	p := in.do(c, "GET", fmt.Sprintf("/threads/%d", id), nil, "X-Openear-Partial", "1")
	if strings.Contains(p.body, "<html") || !strings.Contains(p.body, `id="timeline"`) {
		t.Errorf("partial thread page:\n%s", p.body)
	}
	for path, want := range map[string]int{"/threads/999": 404, "/threads/x": 400, "/threads/%2342": 400, "/api/threads/999": 404} {
		if r := in.do(c, "GET", path, nil); r.status != want {
			t.Errorf("GET %s: %d, want %d", path, r.status, want)
		}
	}
	js := in.do(c, "GET", fmt.Sprintf("/api/threads/%d", id), nil)
	if js.status != 200 || !strings.Contains(js.body, `"customer_company":"Acme Corp"`) || !strings.Contains(js.body, `"timeline":[`) {
		t.Errorf("/api/threads/%d: %s", id, js.body)
	}
}

// TestRefused: every way to act without the right to is refused, and
// nothing changes: no session, no thread change, no action queued.
func TestRefused(t *testing.T) {
	in := newInbox(t, "read-token-0123456789")
	id := in.customer("I cannot log in since this morning")
	state := func() string {
		th, err := in.store.Thread(in.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		acts, err := in.store.Outbox(in.ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s/%s/%d/%d/%d", th.State, th.Owner, len(th.Timeline), len(acts), in.sessions())
	}
	actForm := func(csrf string) url.Values { return url.Values{"csrf": {csrf}, "verb": {"resolve"}} }
	actPath := fmt.Sprintf("/threads/%d/act", id)

	link := in.link("UALICE")
	signedIn, csrf := in.signIn(link)
	before := state()
	unchanged := func(what string) {
		t.Helper()
		if got := state(); got != before {
			t.Errorf("%s changed the state: %s, was %s", what, got, before)
		}
	}

	// A used link.
	r := in.do(in.browser(), "POST", "/login", url.Values{"token": {strings.TrimPrefix(link, "/login/")}})
	if r.status != 403 || r.header.Get("Set-Cookie") != "" || !strings.Contains(r.body, "not valid or was used already") {
		t.Errorf("reused link: %d %q %s", r.status, r.header.Get("Set-Cookie"), r.body)
	}
	if g := in.do(in.browser(), "GET", link, nil); !strings.Contains(g.body, "was used already") {
		t.Errorf("page of a used link: %s", g.body)
	}
	unchanged("a used link")
	// An expired link.
	expired := in.link("UBOB")
	before = state()
	in.clock.Advance(bot.LoginTTL)
	r = in.do(in.browser(), "POST", "/login", url.Values{"token": {strings.TrimPrefix(expired, "/login/")}})
	if r.status != 403 || r.header.Get("Set-Cookie") != "" || !strings.Contains(r.body, "expired") {
		t.Errorf("expired link: %d %q", r.status, r.header.Get("Set-Cookie"))
	}
	unchanged("an expired link")
	// A cross-site sign-in (a page elsewhere posting someone's link).
	fresh := in.link("UBOB")
	before = state()
	r = in.do(in.browser(), "POST", "/login", url.Values{"token": {strings.TrimPrefix(fresh, "/login/")}}, "Sec-Fetch-Site", "cross-site")
	if r.status != 403 || r.header.Get("Set-Cookie") != "" {
		t.Errorf("cross-site sign-in: %d", r.status)
	}
	r = in.do(in.browser(), "POST", "/login", url.Values{"token": {strings.TrimPrefix(fresh, "/login/")}}, "Origin", "https://evil.example")
	if r.status != 403 {
		t.Errorf("sign-in from another origin: %d", r.status)
	}
	// A missing and a wrong CSRF token.
	for name, form := range map[string]url.Values{"missing": {"verb": {"resolve"}}, "wrong": actForm(csrf + "x"), "empty": actForm("")} {
		if r := in.do(signedIn, "POST", actPath, form); r.status != 403 {
			t.Errorf("%s CSRF token: %d", name, r.status)
		}
	}
	// A forged cookie, with and without a CSRF token that was real.
	forged := in.browser()
	u, _ := url.Parse(in.srv.URL)
	forged.Jar.SetCookies(u, []*http.Cookie{{Name: "openear_session", Value: "Zm9yZ2VkLXNlc3Npb24tc2VjcmV0LTAxMjM0NTY3ODk"}})
	if r := in.do(forged, "POST", actPath, actForm(csrf)); r.status != 403 {
		t.Errorf("forged cookie: %d", r.status)
	}
	if r := in.do(forged, "GET", "/", nil); r.status != 401 {
		t.Errorf("forged cookie reads: %d", r.status)
	}
	// The dashboard token reads, but does not act.
	if r := in.do(in.browser(), "GET", "/", nil, "Authorization", "Bearer read-token-0123456789"); r.status != 200 || strings.Contains(r.body, `name="csrf"`) {
		t.Errorf("token read: %d", r.status)
	}
	if r := in.do(in.browser(), "POST", actPath, actForm(csrf), "Authorization", "Bearer read-token-0123456789"); r.status != 403 {
		t.Errorf("token act: %d", r.status)
	}
	// A made-up verb, even signed in with the right token.
	if r := in.do(signedIn, "POST", actPath, url.Values{"csrf": {csrf}, "verb": {"login"}}); r.status != 400 {
		t.Errorf("verb login: %d", r.status)
	}
	if r := in.do(signedIn, "POST", "/threads/abc/act", actForm(csrf)); r.status != 400 {
		t.Errorf("bad id: %d", r.status)
	}
	// A customer asking for a link: refused, no link, no DM.
	if reply := in.command("UJIN", false, "login"); !strings.Contains(reply, bot.ErrNotStaff.Error()) {
		t.Errorf("customer login: %q", reply)
	}
	if got := state(); got != before {
		t.Errorf("state changed: %s, was %s", got, before)
	}
	// And the signed-in staff member still can.
	if r := in.do(signedIn, "POST", actPath, actForm(csrf)); r.status != http.StatusSeeOther {
		t.Errorf("the real session: %d %s", r.status, r.body)
	}
}

func TestSecureCookie(t *testing.T) {
	in := newInbox(t, "")
	link := in.link("UALICE")
	h := web.New(web.Options{Store: in.store, Inbox: in.bot, SecureCookie: true}).Handler()
	req := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"token": {strings.TrimPrefix(link, "/login/")}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if c := rec.Header().Get("Set-Cookie"); rec.Code != http.StatusSeeOther || !strings.Contains(c, "Secure") {
		t.Errorf("behind a TLS proxy: %d %q", rec.Code, c)
	}
}

func TestListSearchSortLive(t *testing.T) {
	in := newInbox(t, "")
	a := in.customer("The invoice PDF is empty")
	in.clock.Advance(time.Minute)
	b := in.customerAs("UMEI", "mei", "Globex", "Dark mode would be lovely")
	in.command("UBOB", true, fmt.Sprintf("claim %d", b))
	in.command("UBOB", true, fmt.Sprintf("tag %d billing", a))
	c := in.browser()
	ids := func(path string) string { return strings.Join(rowIDs(in.do(c, "GET", path, nil).body), ",") }
	for path, want := range map[string]string{
		"/?q=INVOICE":        fmt.Sprint(a),
		"/?q=globex":         fmt.Sprint(b),
		"/?q=UJIN":           fmt.Sprint(a),
		"/?q=billing":        fmt.Sprint(a),
		"/?q=nothing+at+all": "",
		"/?sort=age":         fmt.Sprintf("%d,%d", a, b),
		"/?sort=due":         fmt.Sprintf("%d,%d", a, b),
		"/?sort=owner":       fmt.Sprintf("%d,%d", a, b), // alice, then bob
	} {
		if got := ids(path); got != want {
			t.Errorf("%s: rows %s, want %s", path, got, want)
		}
	}
	in.command("UALICE", true, fmt.Sprintf("assign %d carol", a))
	if got := ids("/?sort=owner"); got != fmt.Sprintf("%d,%d", b, a) {
		t.Errorf("sort by owner after reassigning: %s", got)
	}
	if r := in.do(c, "GET", "/?sort=random", nil); r.status != 400 {
		t.Errorf("bad sort: %d", r.status)
	}
	p := in.do(c, "GET", "/?state=all", nil, "X-Openear-Partial", "1")
	if strings.Contains(p.body, "<html") || !strings.Contains(p.body, `<table id="threads">`) {
		t.Errorf("partial list:\n%s", p.body)
	}
	js := in.do(c, "GET", "/static/app.js", nil)
	if js.status != 200 || !strings.Contains(js.header.Get("Content-Type"), "javascript") || !strings.Contains(js.body, "X-Openear-Partial") {
		t.Errorf("script: %d %s", js.status, js.header.Get("Content-Type"))
	}
	if csp := js.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline'; s") {
		t.Errorf("CSP %q", csp)
	}
}
