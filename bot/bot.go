package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/openear/openear/bot/tag"
)

// Person is one staff member with their platform ids.
type Person struct {
	Name string
	IDs  map[string]string // platform -> user id
	Loc  *time.Location    // their time zone; nil = the business hours' zone
}

// Team is a group of people that threads are routed to.
type Team struct {
	Name     string
	Members  []string // person names
	Strategy string   // "round_robin" (default) or "least_loaded"
}

// Rule routes threads that match all of its non-empty conditions to a team
// or a person. Rules are tried in order; the first match wins.
type Rule struct {
	Tags      []string // any of these tags
	Channels  []string // any of these channels
	Platforms []string // any of these platforms
	Keywords  []string // any of these words in the text (case-insensitive)
	Team      string
	Person    string
}

// SLA says how long a customer may wait.
type SLA struct {
	FirstReply    time.Duration            // first staff reply to a new thread
	NextReply     time.Duration            // staff reply after the customer wrote again
	PerTag        map[string]time.Duration // first-reply SLA per tag; the shortest of a thread's tags wins
	RemindAt      []float64                // fractions of the SLA at which the owner is pinged
	EscalateAfter float64                  // fraction at which the team is told
}

// IncidentOptions configures incident detection.
type IncidentOptions struct {
	Enabled      bool
	MinCustomers int           // different customers reporting the same problem
	Window       time.Duration // within this long
}

// AckOptions configures the reply-time promise to customers.
type AckOptions struct {
	Enabled bool
	Text    map[string]string // language -> text with a {when} placeholder
}

// Observation is something the bot did, reported to Options.Observe (for
// the demo's log and for metrics). Thread and Action may be nil.
type Observation struct {
	What   string // "thread", "message", "reply", "resolve", "claim", "reminder", "escalation", "breach", "sent", "failed", "noise", "duplicate", "incident", "command", "refused"
	Thread *Thread
	Action *Action
	Detail string
	// Took is, for a reply, how long the customer waited (in business
	// hours when they are configured).
	Took time.Duration
}

// Options configures a Bot. The zero value of each field means its
// default.
type Options struct {
	Store  Store // required
	Clock  Clock // default SystemClock
	Logger *slog.Logger
	Tagger Tagger // default: tag.New(nil), the built-in rules

	People []Person
	Teams  []Team
	Rules  []Rule
	SLA    SLA
	Hours  *Hours // nil = always open

	// JoinWindow joins consecutive top-level messages of one customer in
	// one channel into one thread. Default 2 minutes.
	JoinWindow time.Duration
	// Triage maps a platform to its triage channel for notices.
	Triage    map[string]string
	Incidents IncidentOptions
	Ack       AckOptions
	Digest    DigestOptions
	// TickEvery is how often Run checks due threads; SendEvery how often it
	// retries the outbox when nothing wakes it. Defaults 1s.
	TickEvery time.Duration
	SendEvery time.Duration
	// SeenTTL is how long event ids are remembered for dedupe (≥ 1h).
	SeenTTL time.Duration
	Observe func(Observation)
}

// Bot is openear's core. Create it with New, give it platforms with
// AddPlatform, feed it events with Handle and run its clock and outbox
// sender with Run.
type Bot struct {
	store  Store
	clock  Clock
	log    *slog.Logger
	tagger Tagger
	opts   Options

	people map[string]*Person           // by name
	ids    map[string]map[string]string // platform -> user id -> person name
	teams  map[string]*Team

	in ingest // events waiting for the writer (ingest.go)

	// mu serializes every read-modify-write of state: the writer's
	// batches, Tick and the sender's bookkeeping. Network I/O never
	// happens under it.
	mu           sync.Mutex
	lastThread   uint64
	lastAction   uint64
	lastInc      uint64
	rr           map[string]uint64 // round-robin position per team (router.go)
	recent       []report          // recent problem reports, for incidents (incidents.go)
	recentLoaded bool              // recent was read from the store

	// started is when New ran; digestAt the next digest (under digestMu).
	started  time.Time
	digestMu sync.Mutex
	digestAt time.Time

	// flushMu makes Flush calls take turns: two at once would both read
	// the same pending action and deliver it twice.
	flushMu sync.Mutex

	pmu       sync.RWMutex
	platforms map[string]Platform
	wake      chan struct{}

	// fenced is closed, with fenceErr set, when the store refused a write
	// because another replica took over (ErrFenced): Run stops.
	fenced    chan struct{}
	fenceOnce sync.Once
	fenceErr  error
}

// New creates a Bot, continuing the numbering found in the store.
func New(ctx context.Context, opts Options) (*Bot, error) {
	if opts.Store == nil {
		return nil, errors.New("bot: no store")
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Tagger == nil {
		t, err := tag.New(nil)
		if err != nil {
			return nil, err
		}
		opts.Tagger = t
	}
	if opts.JoinWindow <= 0 {
		opts.JoinWindow = 2 * time.Minute
	}
	if opts.SLA.FirstReply <= 0 {
		opts.SLA.FirstReply = time.Hour
	}
	if opts.SLA.NextReply <= 0 {
		opts.SLA.NextReply = 4 * time.Hour
	}
	if len(opts.SLA.RemindAt) == 0 {
		opts.SLA.RemindAt = []float64{0.75, 1.0}
	}
	if opts.SLA.EscalateAfter <= 0 {
		opts.SLA.EscalateAfter = 1.5
	}
	if opts.Incidents.MinCustomers <= 0 {
		opts.Incidents.MinCustomers = 3
	}
	if opts.Incidents.Window <= 0 {
		opts.Incidents.Window = 15 * time.Minute
	}
	if opts.TickEvery <= 0 {
		opts.TickEvery = time.Second
	}
	if opts.SendEvery <= 0 {
		opts.SendEvery = time.Second
	}
	if opts.SeenTTL < time.Hour {
		opts.SeenTTL = 24 * time.Hour
	}
	b := &Bot{
		started:   opts.Clock.Now(),
		store:     opts.Store,
		clock:     opts.Clock,
		log:       opts.Logger,
		tagger:    opts.Tagger,
		opts:      opts,
		people:    map[string]*Person{},
		ids:       map[string]map[string]string{},
		teams:     map[string]*Team{},
		rr:        map[string]uint64{},
		platforms: map[string]Platform{},
		wake:      make(chan struct{}, 1),
		fenced:    make(chan struct{}),
	}
	for i := range opts.People {
		p := &opts.People[i]
		b.people[p.Name] = p
		for platform, id := range p.IDs {
			if b.ids[platform] == nil {
				b.ids[platform] = map[string]string{}
			}
			b.ids[platform][id] = p.Name
		}
	}
	for i := range opts.Teams {
		b.teams[opts.Teams[i].Name] = &opts.Teams[i]
	}
	var err error
	b.lastThread, b.lastAction, b.lastInc, err = b.store.LastIDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("bot: read last ids: %w", err)
	}
	return b, nil
}

// AddPlatform registers a platform that actions are delivered through.
func (b *Bot) AddPlatform(p Platform) {
	b.pmu.Lock()
	defer b.pmu.Unlock()
	b.platforms[p.Name()] = p
}

func (b *Bot) platform(name string) Platform {
	b.pmu.RLock()
	defer b.pmu.RUnlock()
	return b.platforms[name]
}

// Cursor implements Handler.
func (b *Bot) Cursor(ctx context.Context, platform, channel string) (string, error) {
	return b.store.Cursor(ctx, platform, channel)
}

// Now is the bot's clock.
func (b *Bot) Now() time.Time { return b.clock.Now() }

// Store returns the bot's store (read-only use: dashboards, exports).
func (b *Bot) Store() Store { return b.store }

func (b *Bot) observe(o Observation) {
	if b.opts.Observe != nil {
		b.opts.Observe(o)
	}
}

// Run runs the clock loop (reminders, escalations, snoozes), the outbox
// sender and the pruning of old event ids until ctx ends, and returns
// nil then. When the store refuses a write with ErrFenced (another
// replica is the leader now), Run stops at once and returns that error:
// this replica must step down.
func (b *Bot) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { b.clockLoop(ctx) })
	wg.Go(func() { b.sendLoop(ctx) })
	select {
	case <-ctx.Done():
	case <-b.fenced:
	}
	cancel()
	wg.Wait()
	select {
	case <-b.fenced:
		return b.fenceErr
	default:
		return nil
	}
}

// Fenced is closed when the store refused a write of this bot because
// another replica took the leadership over.
func (b *Bot) Fenced() <-chan struct{} { return b.fenced }

// apply is the bot's only way to write: Store.Apply, noting a fencing
// error.
func (b *Bot) apply(ctx context.Context, changes ...Change) error {
	return b.checkFence(b.store.Apply(ctx, changes...))
}

// checkFence stops the bot when err says another replica is the leader,
// and returns err.
func (b *Bot) checkFence(err error) error {
	if errors.Is(err, ErrFenced) {
		b.fenceOnce.Do(func() {
			b.fenceErr = fmt.Errorf("bot: stepping down: %w", err)
			b.log.Warn("another replica took over: stepping down", "err", err)
			close(b.fenced)
		})
	}
	return err
}

func (b *Bot) clockLoop(ctx context.Context) {
	tick := time.NewTicker(b.opts.TickEvery)
	defer tick.Stop()
	lastPrune := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if _, err := b.Tick(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("clock tick failed", "err", err)
		}
		if now := b.clock.Now(); now.Sub(lastPrune) > time.Hour {
			lastPrune = now
			if n, err := b.store.PruneSeen(ctx, now.Add(-b.opts.SeenTTL)); b.checkFence(err) != nil {
				b.log.Error("prune seen event ids", "err", err)
			} else if n > 0 {
				b.log.Debug("pruned seen event ids", "count", n)
			}
		}
	}
}

func (b *Bot) sendLoop(ctx context.Context) {
	tick := time.NewTicker(b.opts.SendEvery)
	defer tick.Stop()
	for {
		if _, err := b.Flush(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("outbox flush failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-b.wake:
		}
	}
}

func (b *Bot) kick() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}
