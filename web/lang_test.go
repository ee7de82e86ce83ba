package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/web"
)

// scene fills an inbox with threads that show every part of the pages:
// conversations, a snooze, tag corrections, reminders, an escalation and
// a missed SLA, a resolved and rated thread, an incident. It returns the
// ids of the threads.
func scene(t *testing.T, in *inbox) []uint64 {
	t.Helper()
	c := in.customerAs("UKIM", "김민수", "", "결제 페이지에서 오류가 나요")
	bottest.Advance(t, in.bot, in.clock, 50*time.Minute) // a reminder at 75% of the SLA
	bottest.Advance(t, in.bot, in.clock, 15*time.Minute) // another at its end, and missed
	bottest.Advance(t, in.bot, in.clock, 30*time.Minute) // escalated
	a := in.customer("The export to CSV fails with an error")
	in.seq++
	if _, err := in.bot.Handle(in.ctx, bot.Event{ID: "reply-a", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C0ACME",
		ThreadKey: fmt.Sprintf("1773154800.%06d", in.seq-1), MessageID: "1773155400.000099", User: "UBOB", Staff: true,
		Text: "Looking into it", At: in.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	in.clock.Advance(5 * time.Minute)
	in.seq++
	if _, err := in.bot.Handle(in.ctx, bot.Event{ID: "again-a", Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C0ACME",
		ThreadKey: fmt.Sprintf("1773154800.%06d", in.seq-2), MessageID: "1773155700.000100", User: "UJIN",
		Text: "still broken", At: in.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	// praise: a tag the tagger does not give this message itself (the
	// learned model may well call it urgent), so that the correction is
	// one and shows on the timeline.
	for _, cmd := range []string{"snooze %d 2h", "tag %d praise", "tag %d billing", "claim %d"} {
		if reply := in.command("UBOB", true, fmt.Sprintf(cmd, a)); reply == "" {
			t.Fatalf("%s: no reply", cmd)
		}
	}
	b := in.customerAs("UMEI", "mei", "Globex", "Dark mode would be lovely")
	in.command("UBOB", true, fmt.Sprintf("resolve %d", b))
	in.seq++
	if _, err := in.bot.Handle(in.ctx, bot.Event{ID: "rate-b", Kind: bot.KindRating, Platform: bot.Slack, Channel: "C0ACME",
		User: "UMEI", Rating: &bot.Rating{Thread: b, Score: 4, Comment: "고마워요, great"}}); err != nil {
		t.Fatal(err)
	}
	d := in.customerAs("UCUST0", "Lee", "Initech", "The checkout page crashes every time I pay, I was charged twice")
	e := in.customerAs("UCUST1", "Sam", "Umbrella", "Checkout crashes every time I pay by card and charged me twice")
	bottest.Flush(t, in.bot)
	if th, err := in.store.Thread(in.ctx, d); err != nil || th.Incident == 0 {
		t.Fatalf("thread %d is in no incident: %v", d, err)
	}
	return []uint64{a, b, c, d, e}
}

// incidents makes the scene's two similar reports an incident.
func incidents(bo *bot.Options, _ *web.Options) {
	bo.Incidents = bot.IncidentOptions{Enabled: true, MinCustomers: 2}
}

// builtin reports whether a tag is one of the tagger's own.
func builtin(name string) bool {
	return slices.Contains([]string{tag.Complaint, tag.Defect, tag.Question, tag.Praise, tag.Idea, tag.Urgent, tag.Noise}, name)
}

// dataOf lists what the store holds that pages show as it is — names,
// ids, what customers and staff wrote, the tagger's reasons, an
// operator's tag — longest first, so that a test can take it out of a
// page and see the page's own words.
func dataOf(t *testing.T, in *inbox) []string {
	t.Helper()
	var out []string
	add := func(ss ...string) {
		for _, s := range ss {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	err := in.store.Threads(in.ctx, func(th bot.Thread) bool {
		add(th.Customer, th.CustName, th.CustCompany, th.CustomerLabel(), th.Channel, th.ChannelName, th.Owner, th.Team)
		for _, m := range th.Messages {
			add(m.Text, m.User, strings.Join(strings.Fields(m.Text), " "))
		}
		for _, g := range th.Tags {
			add(g.Reason)
			if !builtin(g.Name) {
				add(g.Name)
			}
		}
		for _, c := range th.Corrections {
			add(c.By)
			if !builtin(c.Tag) {
				add(c.Tag)
			}
		}
		for _, it := range th.Timeline {
			add(it.By)
			switch it.What { // details shown as stored: names, a rating, customer text
			case bot.MarkAssigned, bot.MarkIncident, bot.MarkCSAT, bot.MarkCSATComment:
				add(it.Detail)
			}
		}
		if th.Incident != 0 {
			if inc, err := in.store.Incident(in.ctx, th.Incident); err == nil {
				add(strings.Join(inc.Terms, ", "))
			}
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	add("alice", "bob", "UALICE", "UBOB", "8001")
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

var (
	hidden    = regexp.MustCompile(`(?s)<style.*?</style>|<script.*?</script>|<!--.*?-->`)
	shownAttr = regexp.MustCompile(`\s(?:title|placeholder|aria-label|alt)="([^"]*)"`)
	anyTag    = regexp.MustCompile(`(?s)<[^>]*>`)
	latinWord = regexp.MustCompile(`[A-Za-z]{2,}`)
	hangul    = regexp.MustCompile(`\p{Hangul}+`)
	// englishSpan is a duration as English writes it: "5m", "1h30m".
	englishSpan = regexp.MustCompile(`\b\d+[dhms](\d+[dhms])?\b`)
)

// visible is the text a reader sees of a page: its text and the
// attributes shown on hover or read aloud.
func visible(page string) string {
	page = hidden.ReplaceAllString(page, " ")
	var b strings.Builder
	for _, m := range shownAttr.FindAllStringSubmatch(page, -1) {
		b.WriteString(html.UnescapeString(m[1]) + "\n")
	}
	b.WriteString(html.UnescapeString(anyTag.ReplaceAllString(page, "\n")))
	return b.String()
}

// ownWords is what a page says itself: its visible text without the
// data.
func ownWords(page string, data []string) string {
	text := visible(page)
	for _, d := range data {
		text = strings.ReplaceAll(text, d, " ")
	}
	return text
}

// wordsEverywhere are the words a Korean page shows in Latin letters:
// names of products and of time zones, the term SLA as Korean support
// teams say it, DM, and the English switch.
var wordsEverywhere = []string{"openear", "Slack", "Discord", "SLA", "DM", "English", "UTC", "KST"}

// checkKorean fails when a Korean page shows a word in Latin letters
// that is neither data nor allowed: a label that did not come from the
// Korean catalog.
func checkKorean(t *testing.T, what, page string, data []string, allowed ...string) {
	t.Helper()
	if !strings.Contains(page, `<html lang="ko">`) && strings.Contains(page, "<html") {
		t.Errorf("%s: not <html lang=\"ko\">", what)
	}
	var left []string
	for _, w := range latinWord.FindAllString(ownWords(page, data), -1) {
		if !slices.Contains(wordsEverywhere, w) && !slices.Contains(allowed, w) && !slices.Contains(left, w) {
			left = append(left, w)
		}
	}
	if len(left) > 0 {
		t.Errorf("%s in Korean shows English words %q:\n%s", what, left, ownWords(page, data))
	}
	if d := englishSpan.FindAllString(ownWords(page, data), -1); len(d) > 0 {
		t.Errorf("%s in Korean shows durations in English %q", what, d)
	}
	if !hangul.MatchString(ownWords(page, data)) {
		t.Errorf("%s in Korean has no Korean of its own:\n%s", what, page)
	}
}

// checkEnglish fails when an English page shows Korean of its own.
func checkEnglish(t *testing.T, what, page string, data []string) {
	t.Helper()
	if !strings.Contains(page, `<html lang="en">`) && strings.Contains(page, "<html") {
		t.Errorf("%s: not <html lang=\"en\">", what)
	}
	text := strings.ReplaceAll(ownWords(page, data), "한국어", "") // the switch names Korean in Korean
	if k := hangul.FindAllString(text, -1); len(k) > 0 {
		t.Errorf("%s in English shows Korean %q:\n%s", what, k, text)
	}
}

// browserIn is a browser (see inbox.browser) that chose lang.
func (in *inbox) browserIn(lang string) *http.Client {
	c := in.browser()
	u, _ := url.Parse(in.srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "openear_lang", Value: lang, Path: "/"}})
	return c
}

// TestEveryPageInBothLanguages renders every page — the list, its live
// part, each thread's page and live part, the sign-in pages, the charts
// and the error pages the browser sees — in Korean and in English, for a
// staff member signed in and for a read-only viewer: the Korean pages
// show no English word of their own and the English pages no Korean.
func TestEveryPageInBothLanguages(t *testing.T) {
	in := newInbox(t, "", incidents)
	ids := scene(t, in)
	data := dataOf(t, in)
	link := in.link("UALICE")
	staff, csrf := in.signIn(in.link("UALICE"))

	type page struct {
		method, path string
		form         url.Values
		header       []string
		status       int
		allowed      []string // Latin words the Korean page may show: identifiers it quotes
	}
	pages := []page{
		{path: "/?state=all", status: 200},
		{path: "/?state=all", header: []string{"X-Openear-Partial", "1"}, status: 200},
		{path: "/?state=all&sort=age&limit=2", status: 200},
		{path: "/?sort=owner&platform=discord", status: 200},
		{path: "/chart/frt.svg", status: 200},
		{path: "/chart/tags.svg", status: 200},
		{path: "/chart/sla.svg", status: 200},
		{path: "/chart/csat.svg", status: 200},
		{path: link, status: 200},
		{path: "/login/not-a-link", status: 200},
		{path: "/nope", status: 404},
		{method: "DELETE", path: "/", status: 405},
		{path: "/?state=closed", status: 400, allowed: []string{"state", "closed"}},
		{path: "/?q=" + strings.Repeat("x", 201), status: 400},
		{path: "/threads/999", status: 404},
		{path: "/threads/abc", status: 400, allowed: []string{"abc"}},
		{path: "/chart/sla.svg?since=forever", status: 400, allowed: []string{"since", "forever"}},
		{method: "POST", path: fmt.Sprintf("/threads/%d/act", ids[0]), form: url.Values{"csrf": {"wrong"}, "verb": {"resolve"}},
			status: 403, allowed: []string{"CSRF"}},
		{method: "POST", path: fmt.Sprintf("/threads/%d/act", ids[0]), form: url.Values{"csrf": {csrf}, "verb": {"fly"}},
			status: 400, allowed: []string{"fly"}},
		{method: "POST", path: fmt.Sprintf("/threads/%d/act", ids[0]), form: url.Values{"csrf": {csrf}, "verb": {"snooze"}, "arg": {"a b"}},
			status: 400, allowed: []string{"snooze"}},
		{method: "POST", path: "/login", form: url.Values{"token": {"used-or-never-made"}}, status: 403},
	}
	for _, id := range ids {
		pages = append(pages, page{path: fmt.Sprintf("/threads/%d", id), status: 200},
			page{path: fmt.Sprintf("/threads/%d", id), header: []string{"X-Openear-Partial", "1"}, status: 200})
	}
	for _, lang := range []string{"ko", "en"} {
		for _, who := range []string{"staff", "reader"} {
			for _, p := range pages {
				c := in.browserIn(lang)
				if who == "staff" {
					c = staff
					u, _ := url.Parse(in.srv.URL)
					c.Jar.SetCookies(u, []*http.Cookie{{Name: "openear_lang", Value: lang, Path: "/"}})
				}
				what := fmt.Sprintf("%s %s %s (%s%v)", lang, cmpOr(p.method, "GET"), p.path, who, p.header)
				r := in.do(c, cmpOr(p.method, "GET"), p.path, p.form, p.header...)
				status := p.status
				if who == "reader" && strings.HasSuffix(p.path, "/act") {
					status = 403 // not signed in
				}
				if r.status != status {
					t.Errorf("%s: status %d, want %d\n%s", what, r.status, status, r.body)
					continue
				}
				if lang == "ko" {
					checkKorean(t, what, r.body, data, p.allowed...)
				} else {
					checkEnglish(t, what, r.body, data)
				}
			}
		}
	}

	// The Korean pages say what the core stored in English in Korean:
	// the snooze's length, the reminder's share of the SLA, the routing
	// rule, the escalation's team, a built-in tag; and dates as Koreans
	// write them, in alice's zone.
	u, _ := url.Parse(in.srv.URL)
	staff.Jar.SetCookies(u, []*http.Cookie{{Name: "openear_lang", Value: "ko", Path: "/"}})
	read := func(path string) string { return flat(visible(in.do(staff, "GET", path, nil).body)) }
	for path, wants := range map[string][]string{
		fmt.Sprintf("/threads/%d", ids[0]): {"보류 2시간", "태그 추가 칭찬", "자동 배정 alice (support 팀): 배정 규칙 1번",
			"상태 답변 대기", "다음 응답 4시간 이내 · 기한 3월 11일 (수)", "(보류 중)", "담당 · bob"},
		fmt.Sprintf("/threads/%d", ids[1]): {"만족도 응답 🙂 4/5", "고객에게 만족도 조사 요청", "해결 · bob"},
		fmt.Sprintf("/threads/%d", ids[2]): {"담당자에게 리마인더 SLA 75% 경과 시점", "에스컬레이션 support 팀", "SLA 초과",
			"3월 11일 (수) 오전 12:50"},
		fmt.Sprintf("/threads/%d", ids[3]): {"장애 #1 (진행 중)"},
		"/?state=all": {"칭찬", "태그별 하루 스레드 수 (최근 14일)", "첫 응답 시간 (최근 7일)", "support 팀", "alice 님", "3/10",
			"전체 5", "답변 대기 4", "해결 1", "조건에 맞는 스레드는 5개예요."},
	} {
		page := read(path)
		for _, want := range wants {
			if !strings.Contains(page, want) {
				t.Errorf("Korean %s lacks %q:\n%s", path, want, page)
			}
		}
	}
}

// flat is text on one line, its spaces single.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestLangSwitch: the switch is a form that sets the cookie and goes
// back to the page (its token kept); an unknown language, a foreign
// return address and a cross-site post change nothing; the choice holds
// for the page, its live part and its charts, never for the JSON API.
func TestLangSwitch(t *testing.T) {
	in := newInbox(t, "read-token-0123456789")
	id := in.customer("The invoice PDF is empty")
	c := in.browser()
	back := fmt.Sprintf("/threads/%d?token=read-token-0123456789", id)

	page := in.do(c, "GET", back, nil)
	if !strings.Contains(page.body, `<html lang="en">`) || !strings.Contains(page.body, `<form class="langs" method="post" action="/lang"`) ||
		!strings.Contains(page.body, `<input type="hidden" name="return" value="`+html.EscapeString(back)+`">`) ||
		!strings.Contains(page.body, `<button type="submit" name="lang" value="ko" id="lang-ko" lang="ko">한국어</button>`) {
		t.Fatalf("no switch back to %s on the page:\n%s", back, page.body)
	}
	r := in.do(c, "POST", "/lang", url.Values{"lang": {"ko"}, "return": {back}})
	cookie := r.header.Get("Set-Cookie")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != back {
		t.Fatalf("POST /lang: %d to %q", r.status, r.header.Get("Location"))
	}
	for _, want := range []string{"openear_lang=ko", "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=31536000"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("cookie %q lacks %s", cookie, want)
		}
	}
	page = in.do(c, "GET", back, nil)
	if !strings.Contains(page.body, `<html lang="ko">`) || !strings.Contains(page.body, "타임라인") ||
		!strings.Contains(page.body, `id="lang-ko" lang="ko" disabled aria-current="true">한국어</button>`) {
		t.Errorf("after the switch:\n%s", page.body)
	}
	// The live parts the script refreshes stay Korean.
	if p := in.do(c, "GET", back, nil, "X-Openear-Partial", "1"); !strings.Contains(p.body, "타임라인") {
		t.Errorf("live part of the thread: %s", p.body)
	}
	if p := in.do(c, "GET", "/?token=read-token-0123456789", nil, "X-Openear-Partial", "1"); !strings.Contains(p.body, "조건에 맞는 스레드는 1개예요.") {
		t.Errorf("live part of the list: %s", p.body)
	}
	if svg := in.do(c, "GET", "/chart/frt.svg?token=read-token-0123456789", nil); !strings.Contains(svg.body, "첫 응답 시간 (최근 7일)") {
		t.Errorf("chart: %s", svg.body)
	}
	// The JSON API is the same whoever asks.
	auth := []string{"Authorization", "Bearer read-token-0123456789"}
	for _, path := range []string{"/api/threads", fmt.Sprintf("/api/threads/%d", id), "/api/stats", "/api/threads?state=closed", "/api/threads/x"} {
		ko, en := in.do(c, "GET", path, nil, auth...), in.do(in.browser(), "GET", path, nil, auth...)
		if ko.body != en.body || ko.status != en.status || hangul.MatchString(strings.ReplaceAll(ko.body, "한국어", "")) {
			t.Errorf("%s differs with a Korean viewer: %d %s / %d %s", path, ko.status, ko.body, en.status, en.body)
		}
	}
	if r := in.do(c, "GET", "/api/threads", nil); r.status != 401 || hangul.MatchString(r.body) {
		t.Errorf("the API's refusal: %d %s", r.status, r.body)
	}
	if r := in.do(c, "GET", "/", nil); r.status != 401 || !strings.Contains(r.body, "접근 토큰") {
		t.Errorf("the page's refusal: %d %s", r.status, r.body)
	}

	// What changes nothing.
	for name, tc := range map[string]struct {
		form   url.Values
		header []string
		status int
		to     string
	}{
		"unknown language": {url.Values{"lang": {"fr"}, "return": {back}}, nil, http.StatusSeeOther, back},
		"no language":      {url.Values{"return": {"/"}}, nil, http.StatusSeeOther, "/"},
		"markup":           {url.Values{"lang": {`"><script>`}, "return": {"/"}}, nil, http.StatusSeeOther, "/"},
		"foreign return":   {url.Values{"lang": {"ko"}, "return": {"//evil.example/x"}}, nil, http.StatusSeeOther, "/"},
		"cross-site":       {url.Values{"lang": {"en"}, "return": {"/"}}, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden, ""},
	} {
		r := in.do(c, "POST", "/lang", tc.form, tc.header...)
		if r.status != tc.status || r.header.Get("Location") != tc.to {
			t.Errorf("%s: %d to %q, want %d to %q", name, r.status, r.header.Get("Location"), tc.status, tc.to)
		}
		if name != "foreign return" && r.header.Get("Set-Cookie") != "" {
			t.Errorf("%s: set %q", name, r.header.Get("Set-Cookie"))
		}
	}
	if r := in.do(c, "GET", "/lang", nil); r.status != http.StatusMethodNotAllowed || !strings.Contains(r.body, "처리할 수 없는 요청") {
		t.Errorf("GET /lang: %d %s", r.status, r.body)
	}
	// A cookie the dashboard did not set is ignored.
	forged := in.browserIn("<script>")
	if r := in.do(forged, "GET", back, nil); r.status != 200 || !strings.Contains(r.body, `<html lang="en">`) {
		t.Errorf("forged cookie: %d", r.status)
	}
	// Back to English.
	in.do(c, "POST", "/lang", url.Values{"lang": {"en"}, "return": {back}})
	if page := in.do(c, "GET", back, nil); !strings.Contains(page.body, `<html lang="en">`) || !strings.Contains(page.body, "Timeline") {
		t.Errorf("back to English:\n%s", page.body)
	}
}

// TestDefaultLang: without a choice, a page speaks the config's locale,
// or the signed-in person's, or that of the platform they signed in
// from; a choice beats them all.
func TestDefaultLang(t *testing.T) {
	langOf := func(in *inbox, c *http.Client) string {
		t.Helper()
		m := regexp.MustCompile(`<html lang="(\w+)">`).FindStringSubmatch(in.do(c, "GET", "/", nil).body)
		if m == nil {
			t.Fatal("no <html lang>")
		}
		return m[1]
	}
	in := newInbox(t, "", func(_ *bot.Options, wo *web.Options) { wo.Locale = "ko" })
	if got := langOf(in, in.browser()); got != "ko" {
		t.Errorf("config locale ko: page in %s", got)
	}
	if got := langOf(in, in.browserIn("en")); got != "en" {
		t.Errorf("config locale ko, choice en: page in %s", got)
	}

	in = newInbox(t, "", func(bo *bot.Options, wo *web.Options) {
		bo.People[0].Locale = "ko" // alice; the dashboard shares the slice
		wo.Locales = map[string]string{bot.Slack: "en"}
	})
	if got := langOf(in, in.browser()); got != "en" {
		t.Errorf("nobody signed in: page in %s", got)
	}
	alice, _ := in.signIn(in.link("UALICE"))
	if got := langOf(in, alice); got != "ko" {
		t.Errorf("alice (locale ko) signed in: page in %s", got)
	}
	u, _ := url.Parse(in.srv.URL)
	alice.Jar.SetCookies(u, []*http.Cookie{{Name: "openear_lang", Value: "en", Path: "/"}})
	if got := langOf(in, alice); got != "en" {
		t.Errorf("alice chose en: page in %s", got)
	}

	in = newInbox(t, "", func(_ *bot.Options, wo *web.Options) { wo.Locales = map[string]string{bot.Slack: "ko"} })
	bob, _ := in.signIn(in.link("UBOB"))
	if got := langOf(in, bob); got != "ko" {
		t.Errorf("bob signed in from Slack (locale ko): page in %s", got)
	}
}

// TestFetchErrorsArePlain: the script shows an action's refusal in its
// note, so it gets the text alone, in the page's language.
func TestFetchErrorsArePlain(t *testing.T) {
	in := newInbox(t, "")
	id := in.customer("The invoice PDF is empty")
	c, csrf := in.signIn(in.link("UALICE"))
	u, _ := url.Parse(in.srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "openear_lang", Value: "ko", Path: "/"}})
	path := fmt.Sprintf("/threads/%d/act", id)
	r := in.do(c, "POST", path, url.Values{"csrf": {csrf}, "verb": {"snooze"}, "arg": {"soon"}}, "X-Openear-Fetch", "1")
	if r.status != 200 || !strings.Contains(r.body, "기간으로 읽을 수 없어요") {
		t.Errorf("a bad duration from the script: %d %s", r.status, r.body)
	}
	r = in.do(c, "POST", path, url.Values{"csrf": {"x"}, "verb": {"resolve"}}, "X-Openear-Fetch", "1")
	if r.status != 403 || strings.Contains(r.body, "<") || !strings.Contains(r.body, "새로고침") {
		t.Errorf("a wrong CSRF token from the script: %d %s", r.status, r.body)
	}
	r = in.do(c, "POST", path, url.Values{"csrf": {csrf}, "verb": {"snooze"}, "arg": {"soon"}, "return": {"/"}})
	if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || !strings.Contains(loc, url.QueryEscape("기간으로 읽을 수 없어요")) {
		t.Errorf("a bad duration from a form: %d %s", r.status, loc)
	}
}
