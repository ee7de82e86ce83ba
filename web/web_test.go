package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage/mem"
	"github.com/openear/openear/web"
)

var now = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)

// fixture fills a store with threads of both platforms and languages:
//
//	1 slack   waiting  en  question   alice  due in 12m   HTML in the text
//	2 discord waiting  ko  complaint  bob    overdue 5m   Korean, a script tag
//	3 slack   answered en  question   alice  answered after 10m
//	4 discord resolved en  praise     bob
//	5 slack   waiting  en  <script>   —      javascript: permalink, snoozed
func fixture(t *testing.T) *mem.Store {
	t.Helper()
	s := mem.New()
	t.Cleanup(func() { s.Close() })
	msg := func(text string) []bot.Message { return []bot.Message{{ID: "m", User: "U0CUST", Text: text, At: now}} }
	threads := []bot.Thread{
		{ID: 1, Platform: bot.Slack, Channel: "C0CUST", Customer: "U0CUST", CustName: "Ada", Lang: "en", State: bot.Waiting,
			Tags:  []bot.Tag{{Name: "question", Score: 0.8, Reason: `rule "question": words "how do i"`}},
			Owner: "alice", Team: "support", Created: now.Add(-48 * time.Minute), Deadline: now.Add(12 * time.Minute),
			Permalink: "https://example.slack.com/archives/C0CUST/p1", Messages: msg("How do I export <b>data</b>?\nThanks")},
		{ID: 2, Platform: bot.Discord, Channel: "222", Customer: "999", CustName: "민준", Lang: "ko", State: bot.Waiting,
			Tags:  []bot.Tag{{Name: "complaint", Score: 0.9, Reason: `rule "complaint": words "환불"`}},
			Owner: "bob", Team: "support", Created: now.Add(-65 * time.Minute), Deadline: now.Add(-5 * time.Minute),
			Messages: msg("환불이 안 돼요 <script>alert(1)</script>")},
		{ID: 3, Platform: bot.Slack, Channel: "C0CUST", Customer: "U0B", Lang: "en", State: bot.Answered,
			Tags: []bot.Tag{{Name: "question"}}, Owner: "alice", Team: "support", Met: 1,
			Created: now.Add(-3 * time.Hour), FirstReply: now.Add(-3*time.Hour + 10*time.Minute), Messages: msg("where is my invoice")},
		{ID: 4, Platform: bot.Discord, Channel: "222", Customer: "998", Lang: "en", State: bot.Resolved,
			Tags: []bot.Tag{{Name: "praise"}}, Owner: "bob", Team: "support", Missed: 1,
			Created: now.Add(-26 * time.Hour), FirstReply: now.Add(-24 * time.Hour), ResolvedAt: now.Add(-20 * time.Hour), Messages: msg("love it")},
		{ID: 5, Platform: bot.Slack, Channel: "C0OTHER", Customer: "U0C", Lang: "en", State: bot.Waiting,
			Tags:    []bot.Tag{{Name: "<script>", Reason: `"><img src=x onerror=alert(1)>`}},
			Created: now.Add(-10 * time.Minute), Deadline: now.Add(50 * time.Minute), SnoozeUntil: now.Add(time.Hour),
			Permalink: "javascript:alert(1)", Messages: msg("hello")},
	}
	if err := s.Apply(context.Background(), bot.Change{Threads: threads}); err != nil {
		t.Fatal(err)
	}
	return s
}

func newServer(t *testing.T, opts web.Options) *httptest.Server {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return now }
	}
	srv := httptest.NewServer(web.New(opts).Handler())
	t.Cleanup(srv.Close)
	return srv
}

type response struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, srv *httptest.Server, path string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(body)}
}

var rowID = regexp.MustCompile(`<tr data-id="(\d+)">`)

// rowIDs lists the thread ids of the table's rows, in order.
func rowIDs(page string) []string {
	var ids []string
	for _, m := range rowID.FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// rowOf returns the HTML of the table row of thread id.
func rowOf(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `<tr data-id="`+id+`">`)
	if i < 0 {
		t.Fatalf("no row for thread %s", id)
	}
	row, _, _ := strings.Cut(page[i:], "</tr>")
	return row
}

func TestPage(t *testing.T) {
	srv := newServer(t, web.Options{Store: fixture(t)})
	r := get(t, srv, "/")
	if r.status != 200 {
		t.Fatalf("GET /: %d %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	// Open threads only, waiting first by deadline, then the others.
	if got, want := rowIDs(r.body), []string{"2", "1", "5", "3"}; !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	for _, want := range []string{
		`<table id="threads">`, `id="chart-frt"`, `id="chart-tags"`, `id="chart-sla"`, `<svg`,
		`<b>3</b> waiting`, `<b>1</b> answered`, `<b>1</b> resolved`, `<b>5</b> threads`,
		`http-equiv="refresh"`,
		"환불이 안 돼요 &lt;script&gt;alert(1)&lt;/script&gt;", // Korean as UTF-8, markup escaped
		"민준",
		"How do I export &lt;b&gt;data&lt;/b&gt;? Thanks",
		`title="rule &#34;complaint&#34;: words &#34;환불&#34;"`,
		`href="https://example.slack.com/archives/C0CUST/p1"`,
		"4 matching threads",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if row := rowOf(t, r.body, "5"); strings.Contains(row, "javascript") || strings.Contains(row, "target=") {
		t.Errorf("row 5 links to a javascript: permalink:\n%s", row)
	}
	for _, bad := range []string{"<script>", "<b>data", "javascript:", "ZgotmplZ", "<img src=x"} {
		if strings.Contains(r.body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for id, sla := range map[string]string{"1": "due in 12m", "2": "overdue by 5m", "3": "—", "5": "due in 50m (snoozed)"} {
		if row := rowOf(t, r.body, id); !strings.Contains(row, sla) {
			t.Errorf("row %s lacks %q:\n%s", id, sla, row)
		}
	}
	if row := rowOf(t, r.body, "2"); !strings.Contains(row, `class="overdue"`) || !strings.Contains(row, `lang="ko"`) || !strings.Contains(row, "1h5m") {
		t.Errorf("row 2 not overdue, not Korean or wrong age:\n%s", row)
	}
}

func TestPageFilters(t *testing.T) {
	srv := newServer(t, web.Options{Store: fixture(t)})
	for query, want := range map[string][]string{
		"?state=all":                        {"2", "1", "5", "4", "3"},
		"?state=resolved":                   {"4"},
		"?state=waiting&platform=slack":     {"1", "5"},
		"?platform=discord":                 {"2"},
		"?platform=discord&state=all":       {"2", "4"},
		"?tag=question":                     {"1", "3"},
		"?tag=%3Cscript%3E":                 {"5"},
		"?owner=alice":                      {"1", "3"},
		"?owner=nobody":                     nil,
		"?state=open&platform=&tag=&owner=": {"2", "1", "5", "3"},
	} {
		r := get(t, srv, "/"+query)
		if r.status != 200 {
			t.Errorf("%s: %d %s", query, r.status, r.body)
			continue
		}
		if got := rowIDs(r.body); !slices.Equal(got, want) {
			t.Errorf("%s: rows %v, want %v", query, got, want)
		}
	}
	r := get(t, srv, "/?platform=discord&tag=complaint")
	for _, want := range []string{`<option value="discord" selected>Discord</option>`, `<option value="complaint" selected>complaint</option>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("form does not keep the filter: no %q", want)
		}
	}
	for _, query := range []string{"?state=closed", "?platform=irc", "?limit=0", "?limit=x"} {
		if r := get(t, srv, "/"+query); r.status != 400 {
			t.Errorf("%s: status %d, want 400", query, r.status)
		}
	}
}

func TestPageCap(t *testing.T) {
	s := mem.New()
	defer s.Close()
	var ts []bot.Thread
	for i := 1; i <= web.MaxRows+10; i++ {
		ts = append(ts, bot.Thread{ID: uint64(i), Platform: bot.Slack, Channel: "C", Customer: "U", State: bot.Answered, Created: now})
	}
	if err := s.Apply(context.Background(), bot.Change{Threads: ts}); err != nil {
		t.Fatal(err)
	}
	r := get(t, newServer(t, web.Options{Store: s}), "/")
	ids := rowIDs(r.body)
	if len(ids) != web.MaxRows || ids[0] != fmt.Sprint(web.MaxRows+10) {
		t.Errorf("%d rows starting at %v, want %d newest first", len(ids), ids[:1], web.MaxRows)
	}
	if !strings.Contains(r.body, "capped at 500") || !strings.Contains(r.body, "of 510 matching") {
		t.Error("the page does not say the table was cut")
	}
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
	return v
}

func TestAPIThreads(t *testing.T) {
	srv := newServer(t, web.Options{Store: fixture(t)})
	ids := func(ts []bot.Thread) []uint64 {
		var out []uint64
		for _, th := range ts {
			out = append(out, th.ID)
		}
		return out
	}
	for query, want := range map[string][]uint64{
		"":                            {5, 3, 2, 1},
		"?state=all":                  {5, 4, 3, 2, 1},
		"?state=all&limit=2":          {5, 4},
		"?platform=discord&state=all": {4, 2},
		"?tag=question&owner=alice":   {3, 1},
		"?owner=carol":                nil,
	} {
		r := get(t, srv, "/api/threads"+query)
		if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %s %s", query, r.status, r.header.Get("Content-Type"), r.body)
			continue
		}
		if got := ids(decode[[]bot.Thread](t, r)); !slices.Equal(got, want) {
			t.Errorf("%s: ids %v, want %v", query, got, want)
		}
	}
	if r := get(t, srv, "/api/threads?owner=carol"); strings.TrimSpace(r.body) != "[]" {
		t.Errorf("no match: %q, want []", r.body)
	}
	th := decode[[]bot.Thread](t, get(t, srv, "/api/threads?platform=discord"))
	if len(th) != 1 || th[0].Messages[0].Text != "환불이 안 돼요 <script>alert(1)</script>" || th[0].Tags[0].Name != "complaint" {
		t.Errorf("thread 2 does not round-trip: %+v", th)
	}
	for _, query := range []string{"?state=bogus", "?platform=irc", "?limit=0", "?limit=-3", "?limit=ten", "?before=x", "?before=0",
		"?owner=" + strings.Repeat("x", 300)} {
		r := get(t, srv, "/api/threads"+query)
		e := decode[map[string]string](t, r)
		if r.status != 400 || e["error"] == "" || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %q, want 400 with a JSON error", query, r.status, r.body)
		}
	}
}

// TestAPIThreadsPages: a limit above the maximum is clamped and says so,
// and a client walks every page through the Link header.
func TestAPIThreadsPages(t *testing.T) {
	s := mem.New()
	defer s.Close()
	var ts []bot.Thread
	for i := 1; i <= web.MaxRows+20; i++ {
		ts = append(ts, bot.Thread{ID: uint64(i), Platform: bot.Slack, Channel: "C", Customer: "U", State: bot.Waiting, Created: now})
	}
	if err := s.Apply(t.Context(), bot.Change{Threads: ts}); err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, web.Options{Store: s})
	r := get(t, srv, "/api/threads?limit=100000")
	if r.status != 200 || r.header.Get("X-Openear-Limit") != "500" || r.header.Get("X-Openear-Limit-Clamped") != "100000" {
		t.Fatalf("clamped limit: %d, headers %v", r.status, r.header)
	}
	if n := len(decode[[]bot.Thread](t, r)); n != web.MaxRows {
		t.Errorf("%d threads, want %d", n, web.MaxRows)
	}
	if r := get(t, srv, "/api/threads?limit=7"); r.header.Get("X-Openear-Limit-Clamped") != "" || r.header.Get("X-Openear-Limit") != "7" {
		t.Errorf("limit 7: headers %v", r.header)
	}

	next := regexp.MustCompile(`^<([^>]+)>; rel="next"$`)
	var seen []uint64
	path := "/api/threads?state=open&limit=200"
	for pages := 0; path != ""; pages++ {
		if pages > 10 {
			t.Fatal("more pages than threads")
		}
		r := get(t, srv, path)
		for _, th := range decode[[]bot.Thread](t, r) {
			seen = append(seen, th.ID)
		}
		path = ""
		if m := next.FindStringSubmatch(r.header.Get("Link")); m != nil {
			path = m[1]
		}
	}
	if len(seen) != len(ts) || seen[0] != uint64(len(ts)) || seen[len(seen)-1] != 1 || !slices.IsSortedFunc(seen, func(a, b uint64) int { return int(b) - int(a) }) {
		t.Errorf("paged ids: %d of %d, newest first %v … %v", len(seen), len(ts), seen[:1], seen[len(seen)-1:])
	}
}

func TestAPIDigest(t *testing.T) {
	srv := newServer(t, web.Options{Store: fixture(t), Now: func() time.Time { return now }})
	d := decode[struct {
		Since, Until time.Time
		Text         string
	}](t, get(t, srv, "/api/digest?since=7d"))
	if !d.Until.Equal(now) || !d.Since.Equal(now.Add(-7*24*time.Hour)) || !strings.Contains(d.Text, "openear digest") || !strings.Contains(d.Text, "New threads: 5") {
		t.Errorf("digest: %+v", d)
	}
	if r := get(t, srv, "/api/digest?since=forever"); r.status != 400 {
		t.Errorf("bad since: %d", r.status)
	}
}

type statsBody struct {
	Threads       int                  `json:"threads"`
	ByState       map[string]int       `json:"by_state"`
	ByPlatform    map[string]int       `json:"by_platform"`
	SLA           bot.Ratio            `json:"sla"`
	SLAMetPercent *float64             `json:"sla_met_percent"`
	FirstResponse bot.Latency          `json:"first_response"`
	ByTag         map[string]*bot.Line `json:"by_tag"`
}

func TestAPIStats(t *testing.T) {
	srv := newServer(t, web.Options{Store: fixture(t)})
	st := decode[statsBody](t, get(t, srv, "/api/stats?since=7d"))
	// Met: thread 3; missed: thread 4, and thread 2 waits past its deadline.
	if st.Threads != 5 || st.ByPlatform["discord"] != 2 || st.SLA != (bot.Ratio{Met: 1, Missed: 2}) {
		t.Errorf("stats %+v", st)
	}
	if st.SLAMetPercent == nil || fmt.Sprintf("%.1f", *st.SLAMetPercent) != "33.3" {
		t.Errorf("sla_met_percent %v, want 33.3", st.SLAMetPercent)
	}
	if st.FirstResponse.Count != 2 || st.ByTag["complaint"] == nil {
		t.Errorf("first response %+v, by tag %v", st.FirstResponse, st.ByTag)
	}
	// 1h ago: only threads 1, 2 and 5; 2 missed, nothing met.
	st = decode[statsBody](t, get(t, srv, "/api/stats?since=70m"))
	if st.Threads != 3 || *st.SLAMetPercent != 0 {
		t.Errorf("since=70m: %+v", st)
	}
	for _, q := range []string{"?since=", "?since=1w", "?since=-1h", "?since=0d", "?since=9999999999999999d"} {
		r := get(t, srv, "/api/stats"+q)
		if q == "?since=" {
			if r.status != 200 {
				t.Errorf("%s: %d, want the default period", q, r.status)
			}
			continue
		}
		if r.status != 400 || decode[map[string]string](t, r)["error"] == "" {
			t.Errorf("%s: %d %q, want 400 with a JSON error", q, r.status, r.body)
		}
	}
}

func TestAPIStatsUsesOptionsStats(t *testing.T) {
	var since, until time.Time
	srv := newServer(t, web.Options{Store: mem.New(), Stats: func(_ context.Context, s, u time.Time) (bot.Stats, error) {
		since, until = s, u
		return bot.Stats{Threads: 42}, nil
	}})
	st := decode[statsBody](t, get(t, srv, "/api/stats?since=36h"))
	if st.Threads != 42 || st.SLAMetPercent != nil || !until.Equal(now) || !since.Equal(now.Add(-36*time.Hour)) {
		t.Errorf("stats %+v over [%v, %v)", st, since, until)
	}

	failing := newServer(t, web.Options{Store: mem.New(), Stats: func(context.Context, time.Time, time.Time) (bot.Stats, error) {
		return bot.Stats{}, errors.New("store closed")
	}})
	r := get(t, failing, "/api/stats")
	if r.status != 500 || decode[map[string]string](t, r)["error"] != "store closed" {
		t.Errorf("failing stats: %d %q", r.status, r.body)
	}
	if r := get(t, failing, "/"); r.status != 500 {
		t.Errorf("page with failing stats: %d", r.status)
	}
}

func TestChartEndpoints(t *testing.T) {
	srv := newServer(t, web.Options{Store: fixture(t)})
	for path, wantBars := range map[string]int{
		"/chart/frt.svg":  len(web.FRTBuckets) + 1,
		"/chart/tags.svg": 4, // question today (1 and 3 → one cell), complaint, <script> today; praise yesterday
		"/chart/sla.svg":  3, // team support, person alice, person bob; person none is n/a
	} {
		r := get(t, srv, path)
		if r.status != 200 || r.header.Get("Content-Type") != "image/svg+xml" {
			t.Errorf("%s: %d %s", path, r.status, r.header.Get("Content-Type"))
			continue
		}
		if got := walkSVG(t, []byte(r.body)); got != wantBars {
			t.Errorf("%s: %d bars, want %d\n%s", path, got, wantBars, r.body)
		}
	}
	if r := get(t, srv, "/chart/frt.svg?since=nope"); r.status != 400 {
		t.Errorf("bad since: %d", r.status)
	}
	empty := newServer(t, web.Options{Store: mem.New()})
	for _, path := range []string{"/chart/frt.svg", "/chart/tags.svg", "/chart/sla.svg"} {
		if r := get(t, empty, path); !strings.Contains(r.body, "no data") {
			t.Errorf("%s on an empty store: %s", path, r.body)
		}
	}
	if r := get(t, empty, "/"); r.status != 200 || !strings.Contains(r.body, "No thread matches") {
		t.Errorf("empty page: %d", r.status)
	}
}

func TestRoutes(t *testing.T) {
	srv := newServer(t, web.Options{Store: fixture(t)})
	if r := get(t, srv, "/nope"); r.status != 404 {
		t.Errorf("GET /nope: %d", r.status)
	}
	resp, err := srv.Client().Post(srv.URL+"/api/threads", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/threads: %d", resp.StatusCode)
	}
}

func TestToken(t *testing.T) {
	srv := newServer(t, web.Options{Store: fixture(t), Token: "s3cret"})
	for _, path := range []string{"/", "/api/threads", "/api/stats", "/chart/frt.svg", "/chart/tags.svg", "/chart/sla.svg"} {
		if r := get(t, srv, path); r.status != 401 {
			t.Errorf("%s without token: %d", path, r.status)
		}
		if r := get(t, srv, path, "Authorization", "Bearer wrong"); r.status != 401 {
			t.Errorf("%s with a wrong token: %d", path, r.status)
		}
		if r := get(t, srv, path, "Authorization", "Bearer s3cret"); r.status != 200 {
			t.Errorf("%s with the token: %d", path, r.status)
		}
	}
	// A token given in the URL stays in the filter form.
	r := get(t, srv, "/?token=s3cret&state=all")
	if r.status != 200 || !strings.Contains(r.body, `<input type="hidden" name="token" value="s3cret">`) {
		t.Errorf("?token=: %d; form keeps token: %v", r.status, strings.Contains(r.body, `name="token"`))
	}
	if r.header.Get("Referrer-Policy") != "no-referrer" {
		t.Error("a token in the URL could leak through Referer")
	}
	// Given as a header, it is not written into the page.
	if r := get(t, srv, "/", "Authorization", "Bearer s3cret"); strings.Contains(r.body, "s3cret") {
		t.Error("the page shows a header token")
	}
}
