package demo

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// syncBuffer is a bytes.Buffer safe for the demo's concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runDemo starts the demo with a dashboard on a free port and returns its
// output, its base URL and a stop function. The demo's script runs at
// 12 simulated minutes per real second.
func runDemo(t *testing.T, duration time.Duration) (out *syncBuffer, base string, wait func() error, stop func()) {
	t.Helper()
	out = &syncBuffer{}
	d, err := New(Options{Speed: 720, Duration: duration, DB: filepath.Join(t.TempDir(), "demo.db"), HTTP: "127.0.0.1:0",
		KeepOpen: true, Stdout: out})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "dashboard: http://") {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("demo did not start:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	base = regexp.MustCompile(`dashboard: (http://[^/ ]+)`).FindStringSubmatch(out.String())[1]
	var once sync.Once
	var runErr error
	wait = func() error {
		once.Do(func() { runErr = <-done })
		return runErr
	}
	stop = func() {
		cancel()
		wait()
		d.Close()
	}
	return out, base, wait, stop
}

func waitOutput(t *testing.T, out *syncBuffer, sub string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), sub) {
		if time.Now().After(deadline) {
			t.Fatalf("demo output never showed %q:\n%s", sub, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo for a few seconds")
	}
	out, base, _, stop := runDemo(t, 5*time.Second) // an hour of simulated time
	defer stop()

	before := scrape(t, base+"/metrics")
	waitOutput(t, out, "══ Summary")
	waitOutput(t, out, "openear digest")
	waitOutput(t, out, "To act as alice, open within 10 minutes (once): "+base+"/login/")
	after := scrape(t, base+"/metrics")
	text := out.String()
	// A tag the model gave with its reason, and a later tag learned from
	// a staff correction; names, ratings; minji reads Korean: her
	// reminders and her command replies.
	for _, want := range []string{"slack/", "discord/", " ko ", " en ", "⏰", "🚨", "🔥 incident", "⛔ refused",
		"; model ", "🏷️  ", "learned urgent/en",
		"🪪 #1's customer is Jin Park (Acme Corp)", "#help-desk", "김민수", "⭐ #1 rated 🙂 4/5 by Jin Park (Acme Corp)", "💬 #1 rating comment",
		"rated 😀 5/5 by 최지우", "CSAT: 4.5 (2)",
		"✉️  to minji: ⏰ 리마인더: 스레드 #", "/openear 내꺼 → 내가 맡은 진행 중 스레드", "스레드를 해결 처리했어요.",
		"✉️  to alice: ⏰ Reminder: thread #"} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("the demo's output:\n%s", text)
	}
	summary := text[strings.Index(text, "══ Summary"):]
	for _, re := range []string{`By platform: discord [1-9]\d* · slack [1-9]`, `By language: en [1-9]\d* · ko [1-9]`, `Reminders: [1-9]\d* · escalations: [1-9]`} {
		if !regexp.MustCompile(re).MatchString(summary) {
			t.Errorf("summary does not match %s:\n%s", re, summary)
		}
	}
	m := regexp.MustCompile(`SLA met: (\d+)%`).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("no SLA met %% in the summary:\n%s", summary)
	}
	if pct, _ := strconv.Atoi(m[1]); pct >= 100 {
		t.Errorf("SLA met %d%%: some threads were left unanswered on purpose", pct)
	}
	// /metrics parses and moves as the demo runs.
	if after["openear_events_total"] <= before["openear_events_total"] || after["openear_reminders_total"] == 0 {
		t.Errorf("metrics did not move: before %v, after %v", before, after)
	}
}

// scrape parses /metrics with the Prometheus text parser and sums each
// family's samples.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	sums := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			switch {
			case m.Counter != nil:
				sums[name] += m.Counter.GetValue()
			case m.Gauge != nil:
				sums[name] += m.Gauge.GetValue()
			}
		}
	}
	return sums
}

// TestDashboardInBrowser loads the dashboard of a running demo in headless
// Chromium, finds the threads table and the three charts, and saves a
// screenshot (to $OPENEAR_SCREENSHOT, else the test's temp dir). CI
// installs Chromium; elsewhere the test is skipped without it.
func TestDashboardInBrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs chromium for the browser test (apt-get install chromium)")
		}
		t.Skip("chromium not installed")
	}
	out, base, _, stop := runDemo(t, 3*time.Second)
	defer stop()
	waitOutput(t, out, "══ Summary")

	browse := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		common := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
			"--user-data-dir=" + t.TempDir()}
		cmd := exec.CommandContext(ctx, chromium, append(common, args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
		}
		return stdout.String()
	}
	dom := browse("--dump-dom", base+"/?state=all")
	for _, want := range []string{`id="threads"`, `id="chart-frt"`, `id="chart-tags"`, `id="chart-sla"`, `id="chart-csat"`, "<svg", "결제",
		"Jin Park", "Acme Corp", "#acme-support", "김민수", "🙂 4", "😀 5"} {
		if !strings.Contains(dom, want) {
			t.Errorf("dashboard DOM lacks %s", want)
		}
	}
	if rows := strings.Count(dom, "<tr"); rows < 5 {
		t.Errorf("threads table has %d rows", rows)
	}
	shot := os.Getenv("OPENEAR_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(t.TempDir(), "dashboard.png")
	}
	shot, _ = filepath.Abs(shot)
	browse("--screenshot="+shot, "--window-size=1400,1700", base+"/?state=all")
	png, err := os.ReadFile(shot)
	if err != nil || len(png) < 10_000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot %s: %d bytes, %v", shot, len(png), err)
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))
}
