package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/version"
)

// FirstResponseBuckets are the upper bounds of the first_response_seconds
// histogram: one minute to one day.
var FirstResponseBuckets = []time.Duration{
	time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 24 * time.Hour,
}

// knownKinds are created at zero so that rate() works from the first scrape.
var knownKinds = []string{
	"thread", "message", "reply", "resolve", "claim", "reminder", "escalation",
	"breach", "sent", "failed", "retry", "noise", "duplicate", "incident",
	"command", "refused", "csat", "login",
}

// Metrics collects the bot's metrics in its own registry. Its methods are
// safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	events      *prometheus.CounterVec
	sent        *prometheus.CounterVec
	failed      *prometheus.CounterVec
	retries     *prometheus.CounterVec
	reminders   prometheus.Counter
	escalations prometheus.Counter
	breaches    prometheus.Counter
	incidents   prometheus.Counter
	noise       *prometheus.CounterVec
	csat        *prometheus.CounterVec
	frt         prometheus.Histogram

	gauges *gauges
}

// New returns a Metrics with every series registered in a fresh registry,
// together with the Go runtime and process collectors.
func New() *Metrics {
	actionLabels := []string{"purpose", "platform"}
	buckets := make([]float64, len(FirstResponseBuckets))
	for i, b := range FirstResponseBuckets {
		buckets[i] = b.Seconds()
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "openear_events_total", Help: "What the bot did, by kind (threads opened, messages, replies, noise, duplicates, commands…).",
		}, []string{"kind"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "openear_actions_sent_total", Help: "Outbound actions delivered.",
		}, actionLabels),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "openear_actions_failed_total", Help: "Outbound actions dropped after a permanent error.",
		}, actionLabels),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "openear_action_retries_total", Help: "Outbound action attempts that failed and will be retried.",
		}, actionLabels),
		reminders: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "openear_reminders_total", Help: "Reminders sent to thread owners.",
		}),
		escalations: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "openear_escalations_total", Help: "Threads escalated to their team or the triage channel.",
		}),
		breaches: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "openear_sla_breaches_total", Help: "Waits that passed their SLA deadline.",
		}),
		incidents: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "openear_incidents_total", Help: "Incidents opened (several customers reporting one problem).",
		}),
		noise: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "openear_noise_total", Help: "Customer messages taken for small talk (no thread, no clock), by platform and channel; direct messages as channel \"dm\".",
		}, []string{"platform", "channel"}),
		csat: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "openear_csat_answers_total", Help: "Customers' ratings of resolved threads, by score (1–5); a changed answer counts again.",
		}, []string{"score"}),
		frt: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "openear_first_response_seconds", Help: "Time from a thread's first customer message to its first staff reply.",
			Buckets: buckets,
		}),
		gauges: newGauges(),
	}
	for _, k := range knownKinds {
		m.events.WithLabelValues(k)
	}
	for score := 1; score <= 5; score++ {
		m.csat.WithLabelValues(strconv.Itoa(score))
	}
	info := version.Get()
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "openear_build_info", Help: "Always 1; the labels say which openear runs (module version, VCS revision, Go version).",
		ConstLabels: prometheus.Labels{"version": info.Version, "revision": info.Revision,
			"modified": strconv.FormatBool(info.Modified), "goversion": info.GoVersion},
	})
	build.Set(1)
	m.reg.MustRegister(m.events, m.sent, m.failed, m.retries, m.reminders, m.escalations,
		m.breaches, m.incidents, m.noise, m.csat, m.frt, m.gauges, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry, to add the caller's own collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Observe counts an observation. It is cheap and safe for concurrent use;
// plug it into bot.Options.Observe.
func (m *Metrics) Observe(o bot.Observation) {
	kind := o.What
	if kind == "" {
		kind = "unknown"
	}
	m.events.WithLabelValues(kind).Inc()
	switch o.What {
	case "sent", "failed", "retry":
		if o.Action == nil {
			return
		}
		vec := m.sent
		switch o.What {
		case "failed":
			vec = m.failed
		case "retry":
			vec = m.retries
		}
		vec.WithLabelValues(string(o.Action.Purpose), o.Action.Platform).Inc()
	case "reminder":
		m.reminders.Inc()
	case "escalation":
		m.escalations.Inc()
	case "breach":
		m.breaches.Inc()
	case "incident":
		m.incidents.Inc()
	case "noise":
		m.noise.WithLabelValues(o.Platform, o.Channel).Inc()
	case "csat":
		if n, err := strconv.Atoi(o.Detail); err == nil && n >= 1 && n <= 5 {
			m.csat.WithLabelValues(o.Detail).Inc()
		}
	case "reply":
		if fr, ok := firstResponse(o.Thread); ok {
			m.frt.Observe(fr.Seconds())
		}
	}
}

// firstResponse returns the thread's first-response time when the reply
// just observed is its first staff reply. The bot sets FirstReply and
// LastStaff to the same instant on the first reply; later replies move
// LastStaff only.
func firstResponse(t *bot.Thread) (time.Duration, bool) {
	if t == nil {
		return 0, false
	}
	fr := t.FirstResponse()
	return fr, fr > 0 && t.FirstReply.Equal(t.LastStaff)
}

// SetThreadsByState sets the function read at scrape time for
// openear_threads{state}. Waiting, answered and resolved are always
// exported (0 when absent from the map).
func (m *Metrics) SetThreadsByState(f func() map[bot.State]int) {
	m.gauges.mu.Lock()
	defer m.gauges.mu.Unlock()
	m.gauges.threads = f
}

// SetOutboxDepth sets the function read at scrape time for
// openear_outbox_depth.
func (m *Metrics) SetOutboxDepth(f func() int) {
	m.gauges.mu.Lock()
	defer m.gauges.mu.Unlock()
	m.gauges.outbox = f
}

// SetConnected sets the function read at scrape time for
// openear_adapter_connected{platform}. A nil f removes the platform.
func (m *Metrics) SetConnected(platform string, f func() bool) {
	m.gauges.mu.Lock()
	defer m.gauges.mu.Unlock()
	if f == nil {
		delete(m.gauges.connected, platform)
		return
	}
	m.gauges.connected[platform] = f
}

// SetCSAT sets the function read at scrape time for
// openear_csat_answers{group,name} and openear_csat_score{group,name}:
// the answers and the mean score over all (group "all"), per person,
// team and tag, of the period the function summarises.
func (m *Metrics) SetCSAT(f func() bot.CSATStats) {
	m.gauges.mu.Lock()
	defer m.gauges.mu.Unlock()
	m.gauges.csat = f
}

// gauges is a collector for the gauge functions: their label values are
// only known at scrape time.
type gauges struct {
	threadsDesc, outboxDesc, connectedDesc *prometheus.Desc
	csatAnswers, csatScore                 *prometheus.Desc

	mu        sync.Mutex
	threads   func() map[bot.State]int
	outbox    func() int
	connected map[string]func() bool
	csat      func() bot.CSATStats
}

func newGauges() *gauges {
	return &gauges{
		threadsDesc:   prometheus.NewDesc("openear_threads", "Threads by state.", []string{"state"}, nil),
		outboxDesc:    prometheus.NewDesc("openear_outbox_depth", "Actions waiting in the outbox.", nil, nil),
		connectedDesc: prometheus.NewDesc("openear_adapter_connected", "1 when the platform adapter is connected.", []string{"platform"}, nil),
		csatAnswers:   prometheus.NewDesc("openear_csat_answers", "CSAT answers of the threads of the last 30 days, by group (all, person, team, tag) and name.", []string{"group", "name"}, nil),
		csatScore:     prometheus.NewDesc("openear_csat_score", "Mean CSAT score (1–5) of the threads of the last 30 days, by group (all, person, team, tag) and name.", []string{"group", "name"}, nil),
		connected:     map[string]func() bool{},
	}
}

func (g *gauges) Describe(ch chan<- *prometheus.Desc) {
	ch <- g.threadsDesc
	ch <- g.outboxDesc
	ch <- g.connectedDesc
	ch <- g.csatAnswers
	ch <- g.csatScore
}

// Collect calls the gauge functions outside the lock, so a slow function
// does not block the setters.
func (g *gauges) Collect(ch chan<- prometheus.Metric) {
	g.mu.Lock()
	threads, outbox, csat := g.threads, g.outbox, g.csat
	connected := make(map[string]func() bool, len(g.connected))
	for p, f := range g.connected {
		connected[p] = f
	}
	g.mu.Unlock()

	if threads != nil {
		counts := map[bot.State]int{bot.Waiting: 0, bot.Answered: 0, bot.Resolved: 0}
		for s, n := range threads() {
			counts[s] += n
		}
		for s, n := range counts {
			ch <- prometheus.MustNewConstMetric(g.threadsDesc, prometheus.GaugeValue, float64(n), string(s))
		}
	}
	if outbox != nil {
		ch <- prometheus.MustNewConstMetric(g.outboxDesc, prometheus.GaugeValue, float64(outbox()))
	}
	for p, f := range connected {
		v := 0.0
		if f() {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(g.connectedDesc, prometheus.GaugeValue, v, p)
	}
	if csat != nil {
		cs := csat()
		line := func(group, name string, l bot.CSATLine) {
			ch <- prometheus.MustNewConstMetric(g.csatAnswers, prometheus.GaugeValue, float64(l.Answers), group, name)
			if l.Answers > 0 {
				ch <- prometheus.MustNewConstMetric(g.csatScore, prometheus.GaugeValue, l.Average(), group, name)
			}
		}
		line("all", "", cs.All)
		for _, sec := range []struct {
			group string
			lines map[string]*bot.CSATLine
		}{{"person", cs.ByPerson}, {"team", cs.ByTeam}, {"tag", cs.ByTag}} {
			for name, l := range sec.lines {
				line(sec.group, name, *l)
			}
		}
	}
}
