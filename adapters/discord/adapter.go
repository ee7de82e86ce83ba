package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/openear/openear/adapters/internal/lanes"
	"github.com/openear/openear/bot"
	"golang.org/x/time/rate"
)

// Config configures the adapter. Plain values: main fills them from the
// config file.
type Config struct {
	Token string // bot token, without "Bot "
	// APIURL replaces https://discord.com: a bare host
	// ("http://127.0.0.1:8081"), or with Discord's own API path
	// ("…/api/v10/", "…/api"), or under a proxy's path prefix; see
	// APIBase. Empty: Discord.
	APIURL        string
	TriageChannel string   // internal channel of the triage notices
	Channels      []string // customer channels to watch (and their threads)
	DMs           bool     // watch direct messages to the bot
	StaffRoles    []string // role ids whose members are staff
	Staff         []string // user ids of staff
	Logger        *slog.Logger
	// HTTPClient carries REST calls (tests: a fake's transport). Nil:
	// a client with a 20 s timeout.
	HTTPClient *http.Client
}

// Intents are the gateway intents the adapter asks for. MessageContent is
// privileged: it must be switched on in the Developer Portal.
const Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages |
	discordgo.IntentMessageContent | discordgo.IntentsGuildMessageReactions

// Errors Run returns when Discord refuses the bot for good.
var (
	// ErrMessageContentIntent: the gateway closed with 4014.
	ErrMessageContentIntent = errors.New("discord: the Message Content intent is not enabled for this bot (Developer Portal → Bot → Privileged Gateway Intents)")
	// ErrAuthentication: the gateway closed with 4004.
	ErrAuthentication = errors.New("discord: authentication failed: check the bot token")
	// ErrGatewayRefused: the gateway closed with 4010–4013 (invalid
	// shard, sharding required, invalid API version, invalid intents).
	ErrGatewayRefused = errors.New("discord: the gateway refused the bot")
)

const (
	// requestsPerSecond is Discord's global REST limit.
	requestsPerSecond = 50
	// deferAfter is how long an interaction waits for the handler before
	// it is answered with a deferred response (Discord allows 3 s).
	deferAfter = 2 * time.Second
)

// Adapter connects openear to Discord: the gateway in, REST out. It is a
// bot.Platform.
type Adapter struct {
	cfg        Config
	h          bot.Handler
	log        *slog.Logger
	s          *discordgo.Session
	watched    map[string]bool
	staff      map[string]bool
	staffRoles map[string]bool

	// pace paces new messages per channel (pace.go).
	pace *pacer

	// Set before Run; tests change them through export_test.go.
	limiter    Limiter
	deferAfter time.Duration

	running   atomic.Bool
	connected atomic.Bool
	botID     atomic.Value // string, from READY
	appID     atomic.Value // string, from READY
	noGuild   atomic.Bool  // READY listed no server: not invited yet

	gw *gateway // the gateway connection and session; Run's
	// lanes run the jobs of gateway events from the gateway's read loop:
	// one lane per channel, backfills as barriers.
	lanes  *lanes.Runner
	runCtx context.Context // set by Run before the session opens
	wg     sync.WaitGroup  // the interactions' goroutines

	mu    sync.Mutex
	chans map[string]chanInfo // channel id -> what it is
	dms   map[string]string   // user id -> DM channel id
	// names queues the names to tell the handler (names.go); told is
	// what it was last told of each user and channel; looking holds the
	// channels whose name is being looked up.
	names   chan bot.Name
	told    map[string]bot.Name
	looking map[string]bool
	// members caches the roles of members fetched over REST.
	members map[string]memberRoles
}

type chanInfo struct {
	guild  string
	parent string // the parent channel of a thread; "" otherwise
	name   string // as Discord names it ("acme-support")
}

var _ bot.Platform = (*Adapter)(nil)

// New builds an adapter; nothing touches the network before Run or Send.
func New(cfg Config, h bot.Handler) (*Adapter, error) {
	if cfg.Token == "" {
		return nil, errors.New("discord: empty bot token")
	}
	if h == nil {
		return nil, errors.New("discord: nil handler")
	}
	var api *url.URL
	if cfg.APIURL != "" {
		u, err := APIBase(cfg.APIURL)
		if err != nil {
			return nil, err
		}
		api = u
	}
	s, err := discordgo.New("Bot " + cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	a := &Adapter{
		cfg: cfg, h: h, log: cfg.Logger, s: s,
		watched: set(cfg.Channels), staff: set(cfg.Staff), staffRoles: set(cfg.StaffRoles),
		limiter:    rate.NewLimiter(requestsPerSecond, 1),
		pace:       newPacer(),
		deferAfter: deferAfter,
		lanes:      lanes.New(lanes.DefaultLimit),
		chans:      map[string]chanInfo{},
		dms:        map[string]string{},
		names:      make(chan bot.Name, 1024),
		told:       map[string]bot.Name{},
		looking:    map[string]bool{},
		members:    map[string]memberRoles{},
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.botID.Store("")
	a.appID.Store("")

	base := http.RoundTripper(http.DefaultTransport)
	timeout := 20 * time.Second
	if c := cfg.HTTPClient; c != nil {
		if c.Transport != nil {
			base = c.Transport
		}
		timeout = c.Timeout
	}
	s.Client = &http.Client{Timeout: timeout, Transport: &transport{base: base, api: api,
		limit: func(ctx context.Context) error { return a.limiter.Wait(ctx) }, posted: a.pace.observe}}
	s.ShouldRetryOnRateLimit = false // 429s come back as errors: the outbox waits, not discordgo
	s.MaxRestRetries = 0
	s.StateEnabled = false // discordgo does REST only; the gateway is gateway.go's
	s.LogLevel = -1        // silent: discordgo logs through the global log package, at debug with the token
	s.Debug = false
	a.gw = newGateway(a)
	// MESSAGE_UPDATE (edits) is deliberately not handled.
	return a, nil
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		if x != "" {
			m[x] = true
		}
	}
	return m
}

// Name returns "discord".
func (a *Adapter) Name() string { return bot.Discord }

// Connected reports whether the gateway connection is up.
func (a *Adapter) Connected() bool { return a.connected.Load() }

// Run opens the gateway, registers the /openear command, backfills the
// watched places from the handler's cursors and feeds events to the
// handler until ctx is done; then it closes the connection and waits for
// its goroutines. It connects, and reconnects (resuming the session at
// READY's resume_gateway_url) when the connection drops, with backoff
// while Discord is unreachable. It returns nil when ctx ends, and
// ErrMessageContentIntent, ErrAuthentication or an error wrapping
// ErrGatewayRefused when Discord refuses the bot. Run may be called once.
func (a *Adapter) Run(ctx context.Context) error {
	if !a.running.CompareAndSwap(false, true) {
		return errors.New("discord: Run called twice")
	}
	ctx, cancel := context.WithCancel(ctx)
	a.runCtx = ctx
	defer func() {
		cancel()
		a.connected.Store(false)
		a.lanes.Close() // refuses later jobs, waits for the started ones
		a.wg.Wait()
	}()
	a.wg.Go(func() { a.tellNames(ctx) })
	var registered bool
	backoff := time.Second
	for {
		up := false
		err := a.gw.connect(ctx, func() {
			up = true
			a.connected.Store(true)
			if !registered {
				registered = true
				a.wg.Go(func() { a.register(ctx) })
			}
		})
		a.connected.Store(false)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrGatewayRefused), errors.Is(err, ErrAuthentication), errors.Is(err, ErrMessageContentIntent):
			a.log.Error("discord: the gateway refused the bot", "err", err)
			return err
		case up:
			backoff = time.Second // it worked: reconnect at once
			continue
		}
		a.log.Warn("discord: connecting failed", "err", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, time.Minute)
	}
}

// register bulk-overwrites the global /openear command. A failure leaves
// mentions working, so it is only logged.
func (a *Adapter) register(ctx context.Context) {
	app := a.appID.Load().(string)
	if app == "" {
		app = a.botID.Load().(string)
	}
	if _, err := a.s.ApplicationCommandBulkOverwrite(app, "", applicationCommands(), discordgo.WithContext(ctx)); err != nil {
		a.log.Warn("discord: registering /openear failed; mentions still work", "err", err)
	}
}

// enqueue submits a job to the lane of a channel: the jobs of a channel
// run in order, those of different channels concurrently. It runs on the
// gateway's read loop and blocks while the lanes are full
// (back-pressure); once Run ended the job is dropped.
func (a *Adapter) enqueue(channel string, job func(context.Context)) {
	if ctx := a.runCtx; ctx != nil {
		_ = a.lanes.Submit(ctx, channel, job)
	}
}

// pipeline submits a pipelined job (see lanes.Pipeline) to the lane of a
// channel, like enqueue.
func (a *Adapter) pipeline(channel string, start func(context.Context) lanes.Finish) {
	if ctx := a.runCtx; ctx != nil {
		_ = a.lanes.Pipeline(ctx, channel, start)
	}
}

func (a *Adapter) onReady(r *discordgo.Ready) {
	if r.User != nil {
		a.botID.Store(r.User.ID)
	}
	if r.Application != nil && r.Application.ID != "" {
		a.appID.Store(r.Application.ID)
	}
	a.noGuild.Store(len(r.Guilds) == 0)
	if len(r.Guilds) == 0 {
		app := a.appID.Load().(string)
		if app == "" {
			app = a.botID.Load().(string)
		}
		a.log.Warn("discord: the bot is in no server yet; open this URL to invite it (it starts working once invited)",
			"invite_url", InviteURL(app))
	}
	// A fresh session (start, or after an invalid session): whatever was
	// posted while no session delivered it is fetched over REST.
	// A barrier: after every event before the READY, before every one
	// after it.
	if ctx := a.runCtx; ctx != nil {
		_ = a.lanes.Barrier(ctx, a.backfill)
	}
}

func (a *Adapter) onMessage(m *discordgo.Message) {
	a.pipeline(m.ChannelID, func(ctx context.Context) lanes.Finish { return a.startMessage(ctx, m) })
}

func (a *Adapter) onReaction(r *discordgo.MessageReactionAdd) {
	a.pipeline(r.ChannelID, func(ctx context.Context) lanes.Finish { return a.startReaction(ctx, r) })
}

func (a *Adapter) onInteraction(i *discordgo.Interaction) {
	// Started after the earlier events of its channel, then on its own:
	// it must be answered within 3 s.
	a.enqueue(i.ChannelID, func(ctx context.Context) {
		a.wg.Add(1) // the job holds a count: no race with Wait
		go func() {
			defer a.wg.Done()
			a.interaction(ctx, i)
		}()
	})
}

func (a *Adapter) onGuildCreate(g *discordgo.Guild) {
	if a.noGuild.CompareAndSwap(true, false) {
		a.log.Info("discord: invited to a server", "guild", g.ID)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range g.Channels {
		a.chans[c.ID] = chanInfo{guild: g.ID, name: c.Name}
		if a.watched[c.ID] && c.Name != "" {
			a.noteNameLocked(bot.Name{Kind: bot.NameChannel, ID: c.ID, Name: c.Name})
		}
	}
	for _, c := range g.Threads {
		a.chans[c.ID] = chanInfo{guild: g.ID, parent: c.ParentID, name: c.Name}
	}
}

func (a *Adapter) onThread(t *discordgo.Channel) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.chans[t.ID] = chanInfo{guild: t.GuildID, parent: t.ParentID, name: t.Name}
}

// channelInfo says which guild a channel is in and, for a thread, its
// parent; from the gateway's GUILD_CREATE / THREAD_CREATE or one REST call.
func (a *Adapter) channelInfo(ctx context.Context, id string) (chanInfo, error) {
	a.mu.Lock()
	ci, ok := a.chans[id]
	a.mu.Unlock()
	if ok {
		return ci, nil
	}
	c, err := a.s.Channel(id, discordgo.WithContext(ctx))
	if err != nil {
		return chanInfo{}, err
	}
	ci = chanInfo{guild: c.GuildID, name: c.Name}
	if c.IsThread() {
		ci.parent = c.ParentID
	}
	a.mu.Lock()
	a.chans[id] = ci
	a.mu.Unlock()
	return ci, nil
}
