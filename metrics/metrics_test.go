package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/internal/version"
	"github.com/openear/openear/metrics"
	"github.com/openear/openear/storage/mem"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// scrape fetches /metrics through the handler and parses the text format.
func scrape(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain") // the text format, not protobuf
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// value returns the value of the series of a family whose labels include
// all of want, and whether it exists.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func mustValue(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string, want float64) {
	t.Helper()
	got, ok := value(fams, name, labels)
	if !ok {
		t.Errorf("%s%v: no such series", name, labels)
		return
	}
	if got != want {
		t.Errorf("%s%v = %v, want %v", name, labels, got, want)
	}
}

func TestCountersMove(t *testing.T) {
	m := metrics.New()
	before := scrape(t, m)
	mustValue(t, before, "openear_events_total", map[string]string{"kind": "thread"}, 0)
	mustValue(t, before, "openear_reminders_total", nil, 0)
	mustValue(t, before, "openear_first_response_seconds", nil, 0)

	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	first := &bot.Thread{ID: 1, Created: t0, FirstReply: t0.Add(10 * time.Minute), LastStaff: t0.Add(10 * time.Minute), Met: 1}
	later := &bot.Thread{ID: 1, Created: t0, FirstReply: t0.Add(10 * time.Minute), LastStaff: t0.Add(3 * time.Hour), Met: 2}
	slack := &bot.Action{Purpose: bot.ForOwner, Platform: bot.Slack}
	discord := &bot.Action{Purpose: bot.ForReminder, Platform: bot.Discord}
	for _, o := range []bot.Observation{
		{What: "thread", Thread: &bot.Thread{ID: 1}},
		{What: "thread", Thread: &bot.Thread{ID: 2}},
		{What: "message"},
		{What: "noise"},
		{What: "duplicate"},
		{What: "command"},
		{What: "refused"},
		{What: "reply", Thread: first},
		{What: "reply", Thread: later}, // not a first response
		{What: "reply"},                // no thread: counted as an event only
		{What: "sent", Action: slack},
		{What: "sent", Action: slack},
		{What: "failed", Action: discord},
		{What: "retry", Action: discord},
		{What: "reminder"},
		{What: "escalation"},
		{What: "breach"},
		{What: "incident"},
		{What: "incident-update"},
	} {
		m.Observe(o)
	}

	after := scrape(t, m)
	for kind, want := range map[string]float64{
		"thread": 2, "message": 1, "reply": 3, "noise": 1, "duplicate": 1, "command": 1,
		"refused": 1, "incident-update": 1, "claim": 0,
	} {
		mustValue(t, after, "openear_events_total", map[string]string{"kind": kind}, want)
	}
	mustValue(t, after, "openear_actions_sent_total", map[string]string{"purpose": "owner", "platform": "slack"}, 2)
	mustValue(t, after, "openear_actions_failed_total", map[string]string{"purpose": "reminder", "platform": "discord"}, 1)
	mustValue(t, after, "openear_action_retries_total", map[string]string{"purpose": "reminder", "platform": "discord"}, 1)
	mustValue(t, after, "openear_reminders_total", nil, 1)
	mustValue(t, after, "openear_escalations_total", nil, 1)
	mustValue(t, after, "openear_sla_breaches_total", nil, 1)
	mustValue(t, after, "openear_incidents_total", nil, 1)
	mustValue(t, after, "openear_first_response_seconds", nil, 1)

	h := after["openear_first_response_seconds"].GetMetric()[0].GetHistogram()
	if got := h.GetSampleSum(); got != 600 {
		t.Errorf("first_response_seconds sum = %v, want 600", got)
	}
	buckets := map[float64]uint64{}
	for _, b := range h.GetBucket() {
		buckets[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	if buckets[300] != 0 || buckets[900] != 1 || buckets[86400] != 1 {
		t.Errorf("buckets = %v, want the 10m answer in le=900 and above", buckets)
	}
}

func TestGaugeFuncs(t *testing.T) {
	m := metrics.New()
	fams := scrape(t, m)
	if _, ok := fams["openear_threads"]; ok {
		t.Error("openear_threads exported before SetThreadsByState")
	}

	var mu sync.Mutex
	depth, up := 3, true
	m.SetThreadsByState(func() map[bot.State]int { return map[bot.State]int{bot.Waiting: 4, bot.Resolved: 7} })
	m.SetOutboxDepth(func() int { mu.Lock(); defer mu.Unlock(); return depth })
	m.SetConnected(bot.Slack, func() bool { mu.Lock(); defer mu.Unlock(); return up })
	m.SetConnected(bot.Discord, func() bool { return false })

	fams = scrape(t, m)
	mustValue(t, fams, "openear_threads", map[string]string{"state": "waiting"}, 4)
	mustValue(t, fams, "openear_threads", map[string]string{"state": "answered"}, 0)
	mustValue(t, fams, "openear_threads", map[string]string{"state": "resolved"}, 7)
	mustValue(t, fams, "openear_outbox_depth", nil, 3)
	mustValue(t, fams, "openear_adapter_connected", map[string]string{"platform": "slack"}, 1)
	mustValue(t, fams, "openear_adapter_connected", map[string]string{"platform": "discord"}, 0)

	mu.Lock()
	depth, up = 0, false
	mu.Unlock()
	m.SetConnected(bot.Discord, nil)
	fams = scrape(t, m)
	mustValue(t, fams, "openear_outbox_depth", nil, 0)
	mustValue(t, fams, "openear_adapter_connected", map[string]string{"platform": "slack"}, 0)
	if _, ok := value(fams, "openear_adapter_connected", map[string]string{"platform": "discord"}); ok {
		t.Error("discord still exported after SetConnected(discord, nil)")
	}
}

// TestOwnRegistry: two Metrics do not share series or panic on duplicate
// registration, as they would on the global registry.
func TestOwnRegistry(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.Observe(bot.Observation{What: "thread"})
	mustValue(t, scrape(t, a), "openear_events_total", map[string]string{"kind": "thread"}, 1)
	mustValue(t, scrape(t, b), "openear_events_total", map[string]string{"kind": "thread"}, 0)
}

// TestObserveConcurrent runs under -race: Observe and the setters may be
// called from the bot's goroutines while a scrape runs.
func TestObserveConcurrent(t *testing.T) {
	m := metrics.New()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 100 {
				m.Observe(bot.Observation{What: "sent", Action: &bot.Action{Purpose: bot.ForTriage, Platform: bot.Slack}})
				m.SetOutboxDepth(func() int { return i })
			}
		})
	}
	wg.Go(func() { scrape(t, m) })
	wg.Wait()
	mustValue(t, scrape(t, m), "openear_actions_sent_total", map[string]string{"purpose": "triage", "platform": "slack"}, 800)
}

// TestWithBot wires Observe into a real Bot: a customer message and a staff
// reply 20 minutes later move the thread, reply and first-response series.
func TestWithBot(t *testing.T) {
	ctx := context.Background()
	m := metrics.New()
	store := mem.New()
	defer store.Close()
	clock := bottest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	b, err := bot.New(ctx, bot.Options{Store: store, Clock: clock, Observe: m.Observe})
	if err != nil {
		t.Fatal(err)
	}
	m.SetThreadsByState(func() map[bot.State]int {
		counts := map[bot.State]int{}
		if err := store.Threads(ctx, func(th bot.Thread) bool { counts[th.State]++; return true }); err != nil {
			t.Error(err)
		}
		return counts
	})
	handle := func(ev bot.Event) {
		t.Helper()
		ev.Platform, ev.Channel, ev.At = bot.Slack, "C0CUST", clock.Now()
		if _, err := b.Handle(ctx, ev); err != nil && !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
	}
	handle(bot.Event{ID: "e1", Kind: bot.KindMessage, MessageID: "100.1", User: "U0CUST", Text: "The export is broken since this morning, can you help?"})
	handle(bot.Event{ID: "e1", Kind: bot.KindMessage, MessageID: "100.1", User: "U0CUST", Text: "The export is broken since this morning, can you help?"})
	clock.Advance(20 * time.Minute)
	handle(bot.Event{ID: "e2", Kind: bot.KindMessage, ThreadKey: "100.1", MessageID: "100.2", User: "U0ALICE", Staff: true, Text: "Looking at it now."})

	fams := scrape(t, m)
	mustValue(t, fams, "openear_events_total", map[string]string{"kind": "thread"}, 1)
	mustValue(t, fams, "openear_events_total", map[string]string{"kind": "duplicate"}, 1)
	mustValue(t, fams, "openear_events_total", map[string]string{"kind": "reply"}, 1)
	mustValue(t, fams, "openear_first_response_seconds", nil, 1)
	mustValue(t, fams, "openear_threads", map[string]string{"state": "answered"}, 1)
	mustValue(t, fams, "openear_threads", map[string]string{"state": "waiting"}, 0)
}

// TestBuildInfo: openear_build_info is 1 with the binary's version labels.
func TestBuildInfo(t *testing.T) {
	info := version.Get()
	fams := scrape(t, metrics.New())
	v, ok := value(fams, "openear_build_info", map[string]string{"version": info.Version, "goversion": info.GoVersion,
		"revision": info.Revision, "modified": strconv.FormatBool(info.Modified)})
	if !ok || v != 1 {
		t.Fatalf("openear_build_info = %v, %v; families: %v", v, ok, fams["openear_build_info"])
	}
}

func TestCSAT(t *testing.T) {
	m := metrics.New()
	th := &bot.Thread{ID: 1}
	for _, score := range []string{"4", "2", "9", ""} {
		m.Observe(bot.Observation{What: "csat", Thread: th, Detail: score})
	}
	m.SetCSAT(func() bot.CSATStats {
		return bot.CSATStats{Asked: 3,
			All:      bot.CSATLine{Answers: 2, Scores: [5]int{0, 1, 0, 1, 0}},
			ByPerson: map[string]*bot.CSATLine{"alice": {Answers: 1, Scores: [5]int{0, 0, 0, 1, 0}}},
			ByTeam:   map[string]*bot.CSATLine{"support": {Answers: 2, Scores: [5]int{0, 1, 0, 1, 0}}},
			ByTag:    map[string]*bot.CSATLine{"billing": {Answers: 0}},
		}
	})
	fams := scrape(t, m)
	for labels, want := range map[string]float64{"4": 1, "2": 1, "1": 0} {
		if v, ok := value(fams, "openear_csat_answers_total", map[string]string{"score": labels}); !ok || v != want {
			t.Errorf("answers_total{score=%s} = %v, %v; want %v", labels, v, ok, want)
		}
	}
	for _, c := range []struct {
		name, group, who string
		want             float64
	}{
		{"openear_csat_answers", "all", "", 2}, {"openear_csat_score", "all", "", 3},
		{"openear_csat_score", "person", "alice", 4}, {"openear_csat_answers", "team", "support", 2},
		{"openear_csat_answers", "tag", "billing", 0},
	} {
		if v, ok := value(fams, c.name, map[string]string{"group": c.group, "name": c.who}); !ok || v != c.want {
			t.Errorf("%s{%s,%s} = %v, %v; want %v", c.name, c.group, c.who, v, ok, c.want)
		}
	}
	if _, ok := value(fams, "openear_csat_score", map[string]string{"group": "tag", "name": "billing"}); ok {
		t.Error("a mean score of no answers")
	}
}
