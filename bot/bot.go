package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/openear/openear/bot/tag"
)

// Person is one staff member with their platform ids.
type Person struct {
	Name string
	IDs  map[string]string // platform -> user id
	Loc  *time.Location    // their time zone; nil = the business hours' zone
	// Locale is the language of what is said to them alone (DMs,
	// reminders, command replies): "en" or "ko" (see internal/l10n); ""
	// = their platform's, else Options.Locale.
	Locale string
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

// NoticeOptions configures triage notices under load (see the sender in
// outbox.go). The zero value coalesces, after 3 waiting notices.
type NoticeOptions struct {
	// NoCoalesce gives every new thread a notice of its own and every
	// new-thread note to an owner a DM of its own, however many wait.
	NoCoalesce bool
	// CoalesceAfter: when more than this many new-thread notices wait in
	// a triage channel (or notes for one owner), one digest notice (one
	// DM) stands for them. Default 3.
	CoalesceAfter int
	// FollowUp posts each thread's own notice after a digest stood for
	// it, once nothing else waits in the channel; the thread's updates
	// then edit its own notice.
	FollowUp bool
}

// AckOptions configures the reply-time promise to customers.
type AckOptions struct {
	Enabled bool
	Text    map[string]string // language -> text with a {when} placeholder
}

// Observation is something the bot did, reported to Options.Observe (for
// the demo's log and for metrics). Thread and Action may be nil.
type Observation struct {
	What   string // "thread", "message", "reply", "resolve", "claim", "reminder", "escalation", "breach", "sent", "failed", "noise", "duplicate", "incident", "command", "refused", "named", "csat", "csat-comment", "login-link", "login"
	Thread *Thread
	Action *Action
	// Platform and Channel say where it happened when no Thread does
	// (noise: the channel, or "dm" for any direct message).
	Platform, Channel string
	Detail            string
	// Took is, for a reply, how long the customer waited (in business
	// hours when they are configured).
	Took time.Duration

	learn *tag.Correction // a committed staff correction for the tagger to learn
}

// Options configures a Bot. The zero value of each field means its
// default.
type Options struct {
	Store  Store // required
	Clock  Clock // default SystemClock
	Logger *slog.Logger
	// Tagger tags customer messages; default tag.New(nil): the built-in
	// rules and the embedded model. A Tagger that is a Learner learns the
	// staff corrections kept in the store: the bot tags with its
	// Unlearned copy taught every stored correction (learn.go).
	Tagger Tagger

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
	CSAT      CSATOptions
	Web       WebOptions
	Digest    DigestOptions
	Notices   NoticeOptions
	// Locale is the language staff read (see internal/l10n): "en" (the
	// default, also for "") or "ko". Locales overrides it per platform,
	// for the posts in that platform's channels and for its people
	// without a Locale of their own.
	Locale  string
	Locales map[string]string
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
	unclaimed    map[string]Name   // names told before their thread began (names.go)

	// started is when New ran; digestAt the next digest (under digestMu).
	started  time.Time
	digestMu sync.Mutex
	digestAt time.Time

	// send holds the outbox sender's lanes (outbox.go); flushMu makes
	// Flush calls take turns.
	send    *sender
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
	if opts.Notices.CoalesceAfter <= 0 {
		opts.Notices.CoalesceAfter = 3
	}
	if opts.CSAT.NotifyBelow <= 0 {
		opts.CSAT.NotifyBelow = 3
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
	b.send = newSender(b)
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
	if err := b.relearn(ctx); err != nil {
		return nil, fmt.Errorf("bot: %w", err)
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
func (b *Bot) Cursor(ctx context.Context, platform, place string) (string, error) {
	return b.store.Cursor(ctx, platform, place)
}

// MarkCursor implements Handler: one commit of the cursor alone (the
// store never moves a cursor back).
func (b *Bot) MarkCursor(ctx context.Context, platform, place, last string) error {
	if platform == "" || place == "" || last == "" {
		return fmt.Errorf("mark cursor %s/%s: empty platform, place or id", platform, place)
	}
	err := b.store.Apply(ctx, Change{Cursors: []Cursor{{Platform: platform, Channel: place, Last: last}}})
	if err != nil {
		return fmt.Errorf("mark cursor %s/%s: %w", platform, place, err)
	}
	return nil
}

// Places implements Handler: the DM channels recorded under the entries
// "place/<platform>/".
func (b *Bot) Places(ctx context.Context, platform string) ([]string, error) {
	prefix := placePrefix(platform)
	var out []string
	err := b.store.Entries(ctx, prefix, func(key string, _ []byte) bool {
		out = append(out, strings.TrimPrefix(key, prefix))
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("places %s: %w", platform, err)
	}
	return out, nil
}

// placePrefix is the prefix of a platform's place entries.
func placePrefix(platform string) string { return "place/" + platform + "/" }

// Now is the bot's clock.
func (b *Bot) Now() time.Time { return b.clock.Now() }

// Store returns the bot's store (read-only use: dashboards, exports).
func (b *Bot) Store() Store { return b.store }

// observe reports what a committed change did, and teaches the tagger
// the corrections it holds.
func (b *Bot) observe(o Observation) {
	if o.learn != nil {
		b.learn(*o.learn)
	}
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

// clockLoop runs Tick every TickEvery, and sooner when a thread comes
// due before the next tick: an escalation goes out at its due time, not
// up to a tick later.
func (b *Bot) clockLoop(ctx context.Context) {
	tick := time.NewTimer(b.opts.TickEvery)
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
		tick.Reset(b.untilDue(ctx))
		if now := b.clock.Now(); now.Sub(lastPrune) > time.Hour {
			lastPrune = now
			if err := b.checkFence(b.Prune(ctx)); err != nil && ctx.Err() == nil {
				b.log.Error("prune", "err", err)
			}
			if n, err := b.pruneWeb(ctx); b.checkFence(err) != nil {
				b.log.Error("prune sign-in links and sessions", "err", err)
			} else if n > 0 {
				b.log.Debug("pruned expired sign-in links and sessions", "count", n)
			}
		}
	}
}

// sendLoop runs the outbox sender: it gives new actions to their lanes
// whenever something was queued, when a waiting lane may go again, and
// every SendEvery, and waits for its lanes when ctx ends.
func (b *Bot) sendLoop(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	report := func(err error) {
		if ctx.Err() == nil {
			b.log.Error("outbox delivery failed", "err", err)
		}
	}
	t := time.NewTimer(b.opts.SendEvery)
	defer t.Stop()
	for {
		next, err := b.send.dispatch(ctx, func(f func()) { wg.Go(f) }, report)
		if err != nil && ctx.Err() == nil {
			b.log.Error("outbox flush failed", "err", err)
		}
		wait := b.opts.SendEvery
		if !next.IsZero() {
			wait = min(wait, max(next.Sub(b.clock.Now()), 10*time.Millisecond))
		}
		t.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-b.wake:
		}
	}
}

// untilDue is how long the clock loop may sleep: TickEvery, or less when
// a thread comes due sooner.
func (b *Bot) untilDue(ctx context.Context) time.Duration {
	now := b.clock.Now()
	due, err := b.store.Due(ctx, now.Add(b.opts.TickEvery), 1)
	if err != nil || len(due) == 0 {
		return b.opts.TickEvery
	}
	return min(b.opts.TickEvery, max(due[0].Due.Sub(now), 50*time.Millisecond))
}

func (b *Bot) kick() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}
