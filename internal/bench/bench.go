package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/tag"
)

// Result is what openear bench prints. The JSON keys are fixed (issue
// 7): scripts compare runs by them.
type Result struct {
	RawPutsPerS      float64 `json:"raw_puts_per_s"`
	IngestEventsPerS float64 `json:"ingest_events_per_s"`
	IngestRatio      float64 `json:"ingest_ratio"`
	IngestP99Ms      float64 `json:"ingest_p99_ms"`
	DueScanIdleMs    float64 `json:"due_scan_idle_ms"`
	DueScan1000Ms    float64 `json:"due_scan_1000_ms"`
	MineP99Ms        float64 `json:"mine_p99_ms"`
	ColdStartMs      float64 `json:"cold_start_ms"`
	RSSMB            float64 `json:"rss_mb"`
	DBBytesPerThread float64 `json:"db_bytes_per_thread"`
	TaggerMsgsPerS   float64 `json:"tagger_msgs_per_s"`
	// ModelLoadMs is how long reading the embedded tag model takes (the
	// weights are not copied).
	ModelLoadMs float64 `json:"model_load_ms"`
	Threads     int     `json:"threads"`
	// Store is the engine measured: "bbolt" or "postgres".
	Store string `json:"store"`
	// TakeoverMs (PostgreSQL only) is how long after the leader's death
	// a standby leads: its lease taken over and its bot at work.
	TakeoverMs float64 `json:"takeover_ms,omitempty"`
}

// Options size a run. Tests shrink them.
type Options struct {
	Threads int           // threads stored before the store is measured
	Events  int           // events offered as fast as possible (ingest_events_per_s)
	Senders int           // concurrent Handle callers during that run
	Load    time.Duration // how long 2,000 events/s are offered (ingest_p99_ms)
	Rate    int           // events/s offered for ingest_p99_ms
	Measure time.Duration // how long raw puts and the tagger run
	Dir     string        // bbolt: the directory of the files
	// Store is "" for bbolt (files in Dir), or a PostgreSQL URL: the run
	// uses a new schema in that database and drops it after.
	Store string
	// Lease is the lease of the takeover measurement (PostgreSQL); 0
	// means 10s, openear's default.
	Lease    time.Duration
	Profile  string // when set, a directory for one CPU profile per measured step
	Progress io.Writer
}

// Print writes r as a table of keys, values and the targets of its
// store (docs/PERFORMANCE.md).
func Print(w io.Writer, r Result) {
	pg := r.Store == "postgres"
	target := func(bbolt, postgres string) string {
		if pg {
			return postgres
		}
		return bbolt
	}
	rows := []struct {
		key, value, target string
	}{
		{"store", r.Store, ""},
		{"raw_puts_per_s", fmt.Sprintf("%.0f", r.RawPutsPerS), "(reference)"},
		{"ingest_events_per_s", fmt.Sprintf("%.0f", r.IngestEventsPerS), target("≥ 50000", "≥ 5000")},
		{"ingest_ratio", fmt.Sprintf("%.3f", r.IngestRatio), ""},
		{"ingest_p99_ms", fmt.Sprintf("%.2f", r.IngestP99Ms), target("≤ 20 at 2000 events/s", "≤ 50 at 1000 events/s")},
		{"due_scan_idle_ms", fmt.Sprintf("%.3f", r.DueScanIdleMs), target("≤ 1", "≤ 2")},
		{"due_scan_1000_ms", fmt.Sprintf("%.2f", r.DueScan1000Ms), target("≤ 20", "≤ 100")},
		{"mine_p99_ms", fmt.Sprintf("%.2f", r.MineP99Ms), "≤ 20"},
		{"cold_start_ms", fmt.Sprintf("%.1f", r.ColdStartMs), "≤ 1000"},
		{"rss_mb", fmt.Sprintf("%.1f", r.RSSMB), "≤ 150"},
		{"db_bytes_per_thread", fmt.Sprintf("%.0f", r.DBBytesPerThread), target("≤ 1536", "")},
		{"tagger_msgs_per_s", fmt.Sprintf("%.0f", r.TaggerMsgsPerS), "≥ 50000 (rules and model, one core)"},
		{"model_load_ms", fmt.Sprintf("%.4f", r.ModelLoadMs), "≤ 50"},
		{"threads", strconv.Itoa(r.Threads), ""},
	}
	if pg {
		rows = append(rows, struct{ key, value, target string }{"takeover_ms", fmt.Sprintf("%.0f", r.TakeoverMs), "≤ 15000"})
	}
	fmt.Fprintf(w, "%-22s %14s  %s\n", "KEY", "VALUE", "TARGET")
	for _, row := range rows {
		fmt.Fprintf(w, "%-22s %14s  %s\n", row.key, row.value, row.target)
	}
}

// MinThreads is the smallest store Run measures: the due scans need
// that many threads.
const MinThreads = dueRounds * 1000

// Run measures, in this order: raw puts of the engine, the tagger,
// filling the store with o.Threads threads (fsync off: setup, not
// measured), a cold start on it, mine, the due scans, the ingest
// throughput, the latency at a fixed load, the memory in use, and on
// PostgreSQL the takeover of a standby after the leader's death.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Threads < MinThreads || o.Events < 100 || o.Senders < 1 || o.Rate < 1 {
		return Result{}, fmt.Errorf("-threads must be at least %d, -events at least 100, -senders and -rate at least 1", MinThreads)
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	r := Result{Threads: o.Threads}
	logf := func(format string, args ...any) { fmt.Fprintf(o.Progress, "bench: "+format+"\n", args...) }
	eng, err := newEngine(ctx, o)
	if err != nil {
		return r, err
	}
	defer eng.close()
	r.Store = eng.name()
	if r.RawPutsPerS, err = eng.rawPuts(ctx, o.Measure); err != nil {
		return r, err
	}
	logf("raw puts: %.0f/s", r.RawPutsPerS)
	if r.ModelLoadMs, err = benchModelLoad(); err != nil {
		return r, err
	}
	logf("model load: %.3f ms", r.ModelLoadMs)
	r.TaggerMsgsPerS = benchTagger(o.Measure)
	logf("tagger: %.0f msgs/s", r.TaggerMsgsPerS)

	t0 := time.Now()
	fillStart := time.Now()
	if err := eng.fill(ctx, o.Threads, t0); err != nil {
		return r, err
	}
	size, err := eng.size(ctx)
	if err != nil {
		return r, err
	}
	r.DBBytesPerThread = float64(size) / float64(o.Threads)
	logf("filled %d threads in %s: %.0f bytes/thread", o.Threads, time.Since(fillStart).Round(time.Millisecond), r.DBBytesPerThread)

	runtime.GC()
	clock := &offsetClock{}
	start := time.Now()
	store, err := eng.open(ctx)
	if err != nil {
		return r, err
	}
	defer store.Close()
	b, err := newBenchBot(ctx, store, clock)
	if err != nil {
		return r, err
	}
	r.ColdStartMs = ms(time.Since(start))
	logf("cold start: %.1f ms", r.ColdStartMs)

	if err := o.profile("mine", func() (err error) {
		r.MineP99Ms, err = benchMine(ctx, b, 200)
		return err
	}); err != nil {
		return r, err
	}
	logf("mine p99: %.2f ms", r.MineP99Ms)
	if err := o.profile("due", func() (err error) {
		r.DueScanIdleMs, r.DueScan1000Ms, err = benchDue(ctx, b, clock, t0)
		return err
	}); err != nil {
		return r, err
	}
	logf("due scan: idle %.3f ms, 1000 due %.2f ms", r.DueScanIdleMs, r.DueScan1000Ms)

	gen := newEventGen(o.Threads)
	if err := o.profile("ingest", func() (err error) {
		r.IngestEventsPerS, err = benchIngest(ctx, b, gen, o.Events, o.Senders)
		return err
	}); err != nil {
		return r, err
	}
	r.IngestRatio = r.IngestEventsPerS / r.RawPutsPerS
	logf("ingest: %.0f events/s (%.3f of raw puts)", r.IngestEventsPerS, r.IngestRatio)
	if err := eng.settle(ctx); err != nil {
		return r, err
	}
	if err := o.profile("latency", func() (err error) {
		r.IngestP99Ms, err = benchLatency(ctx, b, gen, o.Rate, o.Load)
		return err
	}); err != nil {
		return r, err
	}
	logf("ingest p99 at %d events/s: %.2f ms", o.Rate, r.IngestP99Ms)
	r.RSSMB = rssMB()
	logf("rss: %.1f MB (anonymous %.1f MB, file pages (the bbolt map) %.1f MB)", r.RSSMB, statusMB("RssAnon:"), statusMB("RssFile:"))
	if tk, ok := eng.(takeoverer); ok {
		store.Close()
		if r.TakeoverMs, err = tk.takeover(ctx, logf); err != nil {
			return r, err
		}
		logf("takeover: %.0f ms", r.TakeoverMs)
	}
	return r, nil
}

// profile runs one measured step, under a CPU profile written to
// o.Profile/step.pprof when o.Profile is set.
func (o Options) profile(step string, fn func() error) error {
	if o.Profile == "" {
		return fn()
	}
	f, err := os.Create(filepath.Join(o.Profile, step+".pprof"))
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	err = fn()
	pprof.StopCPUProfile()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// offsetClock is the system clock moved forward by an offset, so a due
// scan can look at the future without waiting for it.
type offsetClock struct{ off atomic.Int64 }

func (c *offsetClock) Now() time.Time { return time.Now().Add(time.Duration(c.off.Load())) }

// benchPeople are the staff of the bench: one round-robin team of eight.
const benchPeople = 8

func newBenchBot(ctx context.Context, store bot.Store, clock bot.Clock) (*bot.Bot, error) {
	var people []bot.Person
	var members []string
	for i := range benchPeople {
		name := fmt.Sprintf("p%d", i)
		people = append(people, bot.Person{Name: name, IDs: map[string]string{bot.Slack: benchStaffID(i)}})
		members = append(members, name)
	}
	return bot.New(ctx, bot.Options{
		Store: store, Clock: clock, People: people,
		Teams:  []bot.Team{{Name: "support", Members: members, Strategy: "round_robin"}},
		Rules:  []bot.Rule{{Team: "support"}},
		Triage: map[string]string{bot.Slack: "C0TRIAGE"},
		Ack: bot.AckOptions{Enabled: true, Text: map[string]string{
			"en": "Thanks, we got your message and will reply {when}.",
			"ko": "문의 감사합니다. {when} 답변드리겠습니다."}},
	})
}

func benchStaffID(i int) string { return fmt.Sprintf("US%05d", i) }

// benchTexts are customer messages, English and Korean, short and long.
var benchTexts = []string{
	"Hi, the checkout page keeps failing with error 500 since this morning. Can someone look at it? We have a launch today.",
	"결제가 계속 실패해요. 카드 결제 누르면 오류가 나고 환불도 안 됩니다. 확인 부탁드려요.",
	"Love the new dashboard, great work team!",
	"How do I export my invoices as CSV? I looked in settings but could not find it.",
	"It would be nice to have a dark mode and keyboard shortcuts for the editor.",
	"URGENT: production is down for all our users, nothing loads at all!!",
	"로그인이 안 돼요. 비밀번호를 바꿨는데도 계속 오류가 나요.",
	"Thanks!",
	"We were charged twice this month, please refund the second invoice. This is the third time this happens and it is really frustrating.",
	"새 기능 정말 좋아요. 다크 모드도 추가해 주시면 좋겠습니다.",
	"Is there an API to create users in bulk? We want to onboard 300 people next week.",
	"The mobile app crashes when I open a shared file on Android 14.",
}

// benchModelLoad is the median of 20 loads of the embedded tag model.
func benchModelLoad() (float64, error) {
	var ds []time.Duration
	for range 20 {
		start := time.Now()
		if _, err := tag.LoadEmbeddedModel(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	return ms(ds[len(ds)/2]), nil
}

// benchTagger tags the mixed messages on one goroutine for at least d:
// rules and the embedded model, as the bot tags.
func benchTagger(d time.Duration) float64 {
	tg, err := tag.New(nil)
	if err != nil {
		return 0
	}
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		for _, text := range benchTexts {
			tg.Tag(text)
		}
		n += len(benchTexts)
	}
	return float64(n) / time.Since(start).Seconds()
}

// benchThread is thread id as Handle writes it after a customer message
// and a staff reply: two messages, the real tagger's tags, four keys.
// The first dueRounds×1,000 threads and every hundredth after them still
// wait; the first come due in groups of 1,000, one group a minute from 10
// minutes after t0 (threads 1–1,000 in the first second after 10 minutes,
// 1,001–2,000 after 11, …), the others hours later.
// All others are resolved.
func benchThread(id uint64, t0 time.Time) bot.Thread {
	i := int(id)
	ch := fmt.Sprintf("C%07d", i%20)
	cust := fmt.Sprintf("U%08d", i%100_003)
	root := fmt.Sprintf("%d.%06d", 1_600_000_000+i/1000, i%1000)
	reply := fmt.Sprintf("%d.%06d", 1_600_000_000+i/1000, i%1000+1000)
	text := benchTexts[i%len(benchTexts)]
	at := t0.Add(-time.Duration(1_000_000-i%1_000_000) * time.Minute)
	owner := fmt.Sprintf("p%d", i%benchPeople)
	t := bot.Thread{
		ID: id, Platform: bot.Slack, Channel: ch, Root: root, Customer: cust, CustName: "Customer " + cust[5:],
		Permalink: "https://example.slack.com/archives/" + ch + "/p" + strings.ReplaceAll(root, ".", ""),
		Lang:      tag.Language(text),
		Keys: []string{bot.Key(bot.Slack, ch, root), bot.CustomerKey(bot.Slack, ch, cust),
			bot.OwnerOfKey(bot.Slack, cust), bot.ChannelKey(bot.Slack, ch), bot.Key(bot.Slack, ch, reply)},
		State: bot.Resolved, Tags: benchTagger1.Tag(text), Owner: owner, Team: "support",
		Created: at, LastCust: at, LastStaff: at.Add(20 * time.Minute), FirstReply: at.Add(20 * time.Minute),
		ResolvedAt: at.Add(30 * time.Minute), MsgCount: 2, Met: 1,
		Messages: []bot.Message{
			{ID: root, User: cust, Text: text, At: at},
			{ID: reply, User: benchStaffID(i % benchPeople), Staff: true, Text: "Thanks for telling us — we are on it and will update you here.", At: at.Add(20 * time.Minute)},
		},
		NoticeRef: "C0TRIAGE/" + reply,
	}
	if i <= dueRounds*1000 || i%100 == 0 {
		j := i
		t.State, t.ResolvedAt, t.Met, t.Messages, t.MsgCount = bot.Waiting, time.Time{}, 0, t.Messages[:1], 1
		t.LastStaff, t.FirstReply = time.Time{}, time.Time{}
		t.SLAKind, t.SLA, t.WaitFrom = "first_reply", 4*time.Hour, t0
		t.Deadline = t0.Add(4 * time.Hour)
		t.Due = t0.Add(3*time.Hour + time.Duration(j)*time.Microsecond)
		if j <= dueRounds*1000 {
			t.Due = t0.Add(10*time.Minute + time.Duration((j-1)/1000)*time.Minute + time.Duration(j%1000)*time.Millisecond)
		}
	}
	return t
}

var benchTagger1, _ = tag.New(nil)

// benchMine answers mine for one person count times and returns the p99.
func benchMine(ctx context.Context, b *bot.Bot, count int) (float64, error) {
	lat := make([]time.Duration, 0, count)
	for range count {
		start := time.Now()
		res, err := b.Handle(ctx, bot.Event{Kind: bot.KindCommand, Platform: bot.Slack, Channel: "C0TRIAGE",
			User: benchStaffID(0), Staff: true, Text: "mine", At: time.Now()})
		if err != nil {
			return 0, err
		}
		if !strings.HasPrefix(res.Reply, "Your open threads") {
			return 0, fmt.Errorf("mine answered %q", res.Reply)
		}
		lat = append(lat, time.Since(start))
	}
	return ms(percentile(lat, 99)), nil
}

// dueRounds is how many ticks with 1,000 threads due benchDue times.
const dueRounds = 5

// benchDue times one reminder tick with nothing due (the median of 21) and
// one with 1,000 threads due: the median of dueRounds such ticks, each
// with the clock moved to the next group of 1,000 filled threads (a
// single tick on this shared machine varies up to 2×).
func benchDue(ctx context.Context, b *bot.Bot, clock *offsetClock, t0 time.Time) (idle, due1000 float64, err error) {
	var lat []time.Duration
	for range 21 {
		start := time.Now()
		n, err := b.Tick(ctx)
		if err != nil {
			return 0, 0, err
		}
		if n != 0 {
			return 0, 0, fmt.Errorf("idle tick handled %d threads", n)
		}
		lat = append(lat, time.Since(start))
	}
	idle = ms(percentile(lat, 50))
	defer clock.off.Store(0)
	lat = lat[:0]
	for round := range dueRounds {
		// Half a minute after the group's due times: the group is due,
		// the next one not yet.
		at := t0.Add(10*time.Minute + time.Duration(round)*time.Minute + 30*time.Second)
		clock.off.Store(int64(time.Until(at)))
		start := time.Now()
		n, err := b.Tick(ctx)
		if err != nil {
			return 0, 0, err
		}
		lat = append(lat, time.Since(start))
		if n != 1000 {
			return 0, 0, fmt.Errorf("tick %d handled %d due threads, want 1000", round+1, n)
		}
	}
	return idle, ms(percentile(lat, 50)), nil
}

// eventGen makes Slack-shaped Events API bodies: new customers opening
// threads, customers writing again in their thread, staff replying, and
// now and then a redelivery of an earlier event.
type eventGen struct {
	mu    sync.Mutex
	n     int
	roots []string // thread roots opened so far, by channel index
}

func newEventGen(stored int) *eventGen { return &eventGen{n: stored} }

func (g *eventGen) next() []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	i := g.n
	if i%50 == 0 && len(g.roots) > 0 {
		// A redelivery (Slack retries): the same event id again.
		return g.body(i-7, i-7, "", fmt.Sprintf("U%08d", i-7), benchTexts[(i-7)%len(benchTexts)])
	}
	ts := fmt.Sprintf("%d.%06d", 1_700_000_000+i/1000, i%1000)
	switch {
	case i%10 == 3 && len(g.roots) > 10:
		root := g.roots[len(g.roots)-10]
		return g.body(i, i, root, benchStaffID(i%benchPeople), "We are looking into it, sorry for the trouble.")
	case i%10 == 6 && len(g.roots) > 10:
		root := g.roots[len(g.roots)-5]
		return g.body(i, i, root, "", "Any news? This still blocks us.")
	}
	g.roots = append(g.roots, ts)
	return g.body(i, i, "", fmt.Sprintf("U%08d", i), benchTexts[i%len(benchTexts)])
}

// body renders one event_callback; an empty user means the thread's
// customer (the root's number).
func (g *eventGen) body(evn, tsn int, threadTS, user, text string) []byte {
	ts := fmt.Sprintf("%d.%06d", 1_700_000_000+tsn/1000, tsn%1000)
	if user == "" {
		sec, frac, _ := strings.Cut(threadTS, ".")
		s, _ := strconv.Atoi(sec)
		f, _ := strconv.Atoi(frac)
		user = fmt.Sprintf("U%08d", (s-1_700_000_000)*1000+f)
	}
	ev := map[string]any{"type": "message", "channel": "C0CUSTOMER1", "channel_type": "channel", "user": user,
		"team": "T0CUSTOMER", "text": text, "ts": ts}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	raw, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T0HOME",
		"event_id": fmt.Sprintf("Ev%010d", evn), "event_time": 1_700_000_000 + tsn/1000, "event": ev})
	return raw
}

// slackCallback is the part of an Events API body the bench decodes,
// as the Slack adapter does.
type slackCallback struct {
	Type    string `json:"type"`
	EventID string `json:"event_id"`
	Event   struct {
		Type        string `json:"type"`
		Channel     string `json:"channel"`
		ChannelType string `json:"channel_type"`
		User        string `json:"user"`
		Text        string `json:"text"`
		TS          string `json:"ts"`
		ThreadTS    string `json:"thread_ts"`
	} `json:"event"`
}

// handleRaw decodes one body into an event as the Slack adapter would
// (staff are the bench people) and handles it.
func handleRaw(ctx context.Context, b *bot.Bot, raw []byte) error {
	var cb slackCallback
	if err := json.Unmarshal(raw, &cb); err != nil {
		return err
	}
	m := cb.Event
	ev := bot.Event{ID: cb.EventID, Kind: bot.KindMessage, Platform: bot.Slack, Channel: m.Channel,
		MessageID: m.TS, User: m.User, Staff: strings.HasPrefix(m.User, "US"), Text: m.Text, At: time.Now(),
		Permalink: "https://example.slack.com/archives/" + m.Channel + "/p" + strings.ReplaceAll(m.TS, ".", "")}
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		ev.ThreadKey = m.ThreadTS
	}
	_, err := b.Handle(ctx, ev)
	return err
}

// benchIngest offers count events from senders concurrent deliveries as
// fast as the bot takes them and returns events/s.
func benchIngest(ctx context.Context, b *bot.Bot, gen *eventGen, count, senders int) (float64, error) {
	bodies := make([][]byte, count)
	for i := range bodies {
		bodies[i] = gen.next()
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	start := time.Now()
	for range senders {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				if err := handleRaw(ctx, b, bodies[i]); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return 0, fmt.Errorf("ingest: %w", err)
	}
	return float64(count) / took.Seconds(), nil
}

// benchLatency offers rate events/s for d, each in its own goroutine (as
// deliveries arrive), and returns the p99 of accepted → committed.
func benchLatency(ctx context.Context, b *bot.Bot, gen *eventGen, rate int, d time.Duration) (float64, error) {
	const tick = time.Millisecond
	perTick := max(rate/int(time.Second/tick), 1)
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	t := time.NewTicker(tick)
	defer t.Stop()
	for end := time.Now().Add(d); time.Now().Before(end); {
		<-t.C
		for range perTick {
			raw := gen.next()
			wg.Go(func() {
				start := time.Now()
				err := handleRaw(ctx, b, raw)
				took := time.Since(start)
				mu.Lock()
				defer mu.Unlock()
				lat = append(lat, took)
				if err != nil && firstErr == nil {
					firstErr = err
				}
			})
		}
	}
	wg.Wait()
	if firstErr != nil {
		return 0, fmt.Errorf("latency run: %w", firstErr)
	}
	return ms(percentile(lat, 99)), nil
}

// percentile sorts lat and returns its p-th percentile (50: the median).
func percentile(lat []time.Duration, p int) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	return lat[min(len(lat)-1, len(lat)*p/100)]
}

// rssMB is the resident memory of this process after a garbage
// collection, in MiB: Go heap and runtime plus the pages of the bbolt map
// touched so far.
func rssMB() float64 {
	runtime.GC()
	debug.FreeOSMemory()
	return statusMB("VmRSS:")
}

// statusMB reads a kB field of /proc/self/status in MiB (0 elsewhere).
func statusMB(field string) float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(raw)) {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
