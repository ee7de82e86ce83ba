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
	"github.com/gorilla/websocket"
	"github.com/openear/openear/adapters/internal/lanes"
	"github.com/openear/openear/bot"
	"golang.org/x/time/rate"
)

// Config configures the adapter. Plain values: main fills them from the
// config file.
type Config struct {
	Token string // bot token, without "Bot "
	// APIURL replaces https://discord.com (scheme, host and an optional
	// path prefix; requests keep their /api/v9/… path). Empty: Discord.
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

	// Set before Run; tests change them through export_test.go.
	limiter    Limiter
	deferAfter time.Duration

	running   atomic.Bool
	connected atomic.Bool
	botID     atomic.Value // string, from READY
	appID     atomic.Value // string, from READY
	noGuild   atomic.Bool  // READY listed no server: not invited yet

	// lanes run the jobs of gateway events from discordgo's read loop:
	// one lane per channel, backfills as barriers. down signals a closed
	// connection.
	lanes  *lanes.Runner
	down   chan struct{}
	runCtx context.Context // set by Run before the session opens
	wg     sync.WaitGroup  // the interactions' goroutines

	mu    sync.Mutex
	chans map[string]chanInfo // channel id -> what it is
	dms   map[string]string   // user id -> DM channel id
	// members caches the roles of members fetched over REST.
	members map[string]memberRoles
}

type chanInfo struct {
	guild  string
	parent string // the parent channel of a thread; "" otherwise
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
		u, err := url.Parse(cfg.APIURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("discord: api_url %q: want an absolute URL", cfg.APIURL)
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
		deferAfter: deferAfter,
		lanes:      lanes.New(lanes.DefaultLimit),
		down:       make(chan struct{}, 1),
		chans:      map[string]chanInfo{},
		dms:        map[string]string{},
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
		limit: func(ctx context.Context) error { return a.limiter.Wait(ctx) }}}
	s.Identify.Intents = Intents
	s.ShouldRetryOnRateLimit = false // 429s come back as errors: the outbox waits, not discordgo
	s.MaxRestRetries = 0
	// Run reconnects itself: discordgo's own reconnect loop cannot be
	// stopped and may outlive Close.
	s.ShouldReconnectOnError = false
	s.ShouldReconnectVoiceOnSessionError = false
	s.SyncEvents = true // handlers only submit jobs, in the gateway's order
	s.StateEnabled = true
	s.LogLevel = -1 // silent: discordgo logs through the global log package, at debug with the token
	s.Debug = false

	s.AddHandler(a.onReady)
	s.AddHandler(func(*discordgo.Session, *discordgo.Connect) { a.connected.Store(true) })
	s.AddHandler(a.onDisconnect)
	s.AddHandler(a.onGuildCreate)
	s.AddHandler(a.onThreadCreate)
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) {
		a.enqueue(m.ChannelID, func(ctx context.Context) { a.message(ctx, m.Message, false) })
	})
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.MessageReactionAdd) {
		a.enqueue(r.ChannelID, func(ctx context.Context) { a.reaction(ctx, r) })
	})
	s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) {
		// Started after the earlier events of its channel, then on its
		// own: it must be answered within 3 s.
		a.enqueue(i.ChannelID, func(ctx context.Context) {
			a.wg.Add(1) // the job holds a count: no race with Wait
			go func() {
				defer a.wg.Done()
				a.interaction(ctx, i.Interaction)
			}()
		})
	})
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
// watched channels from the handler's cursors and feeds events to the
// handler until ctx is done; then it closes the connection and waits for
// its goroutines. It connects, and reconnects (resuming the session) when
// the connection drops, with backoff while Discord is unreachable. It
// returns nil when ctx ends, and ErrMessageContentIntent or
// ErrAuthentication when Discord refuses the bot. Run may be called once.
func (a *Adapter) Run(ctx context.Context) error {
	if !a.running.CompareAndSwap(false, true) {
		return errors.New("discord: Run called twice")
	}
	ctx, cancel := context.WithCancel(ctx)
	a.runCtx = ctx
	defer func() {
		cancel()
		_ = a.s.Close() // ends discordgo's read and heartbeat goroutines
		a.connected.Store(false)
		a.lanes.Close() // refuses later jobs, waits for the started ones
		a.wg.Wait()
	}()

	if err := a.open(ctx); err != nil || ctx.Err() != nil {
		return err
	}
	a.register(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-a.down:
		}
		if err := a.open(ctx); err != nil {
			return err
		}
	}
}

// open connects (resuming the session when it can), retrying with
// backoff while Discord is unreachable. It returns nil once connected or
// when ctx ends, and ErrMessageContentIntent or ErrAuthentication when
// Discord refuses the bot: retrying cannot help then.
func (a *Adapter) open(ctx context.Context) error {
	backoff := time.Second
	for {
		err := a.s.Open()
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			return nil
		}
		if err := openError(err); errors.Is(err, ErrMessageContentIntent) || errors.Is(err, ErrAuthentication) {
			return err
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

// openError explains the close codes that end the bot.
func openError(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4014:
			return ErrMessageContentIntent
		case 4004:
			return ErrAuthentication
		}
	}
	return fmt.Errorf("discord: open gateway: %w", err)
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
// run in order, those of different channels concurrently. It runs on
// discordgo's read loop and blocks while the lanes are full
// (back-pressure); once Run ended the job is dropped.
func (a *Adapter) enqueue(channel string, job func(context.Context)) {
	if ctx := a.runCtx; ctx != nil {
		_ = a.lanes.Submit(ctx, channel, job)
	}
}

func (a *Adapter) onReady(_ *discordgo.Session, r *discordgo.Ready) {
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

func (a *Adapter) onDisconnect(*discordgo.Session, *discordgo.Disconnect) {
	a.connected.Store(false)
	select {
	case a.down <- struct{}{}:
	default:
	}
}

func (a *Adapter) onGuildCreate(_ *discordgo.Session, g *discordgo.GuildCreate) {
	if a.noGuild.CompareAndSwap(true, false) {
		a.log.Info("discord: invited to a server", "guild", g.ID)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range g.Channels {
		a.chans[c.ID] = chanInfo{guild: g.ID}
	}
	for _, c := range g.Threads {
		a.chans[c.ID] = chanInfo{guild: g.ID, parent: c.ParentID}
	}
}

func (a *Adapter) onThreadCreate(_ *discordgo.Session, t *discordgo.ThreadCreate) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.chans[t.ID] = chanInfo{guild: t.GuildID, parent: t.ParentID}
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
	ci = chanInfo{guild: c.GuildID}
	if c.IsThread() {
		ci.parent = c.ParentID
	}
	a.mu.Lock()
	a.chans[id] = ci
	a.mu.Unlock()
	return ci, nil
}
