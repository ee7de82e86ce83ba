package app

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"

	goslack "github.com/slack-go/slack"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage/postgres"
	"github.com/openear/openear/web"
)

// Slack's HTTP deliveries on replicas. Behind a load balancer any replica
// may receive them. The leader's Slack adapter handles them as a single
// openear does. A standby:
//
//   - stores a verified Events API delivery in the inbox (PostgreSQL,
//     durable) and answers 200; the leader handles the inbox within a
//     fraction of a second, in order, through its own adapter, and
//     deletes each delivery it handled. When the database cannot take it,
//     it answers 503 and Slack delivers it again. Nothing Slack was told
//     is received is lost, even while no replica leads.
//   - forwards a slash command or a button press to the leader's address
//     (from the lease), because its answer is shown to the person at once,
//     and answers 503 when there is no leader to forward to (Slack then
//     shows the person an error and they try again).
//
// An unsigned or forged request is refused (401) by every replica.

// forwardedHeader marks a request a standby forwarded, so that it is
// never forwarded again.
const forwardedHeader = "X-Openear-Forwarded"

// maxSlackBody is the largest Slack request body taken (as the adapter).
const maxSlackBody = 1 << 20

func (r *replica) serveSlack(w http.ResponseWriter, req *http.Request) {
	if t := r.term.Load(); t != nil && t.slack != nil {
		t.slack.HTTPHandler().ServeHTTP(w, req)
		return
	}
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxSlackBody))
	if err != nil {
		http.Error(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	if err := verifySlack(r.cfg.Slack.SigningSecret.Reveal(), req.Header, body); err != nil {
		r.log.Warn("slack: refused an unverified request", "path", req.URL.Path, "remote", req.RemoteAddr, "why", err)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	switch p := strings.TrimSuffix(req.URL.Path, "/"); {
	case strings.HasSuffix(p, "/events"):
		r.storeEvent(w, req, body)
	case strings.HasSuffix(p, "/commands"), strings.HasSuffix(p, "/interactive"):
		r.forward(w, req, body)
	default:
		http.NotFound(w, req)
	}
}

// verifySlack checks Slack's v0 signature with slack-go's verifier
// (timestamp within 5 minutes).
func verifySlack(secret string, h http.Header, body []byte) error {
	if secret == "" {
		return errors.New("no signing secret configured")
	}
	sv, err := goslack.NewSecretsVerifier(h, secret)
	if err != nil {
		return err
	}
	sv.Write(body)
	return sv.Ensure()
}

// storeEvent answers url_verification, and stores any other callback in
// the inbox for the leader.
func (r *replica) storeEvent(w http.ResponseWriter, req *http.Request, body []byte) {
	var cb struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
		EventID   string `json:"event_id"`
	}
	if err := json.Unmarshal(body, &cb); err != nil {
		http.Error(w, "malformed JSON", http.StatusBadRequest)
		return
	}
	if cb.Type == "url_verification" {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"challenge": cb.Challenge})
		return
	}
	if err := r.store.PutInbox(req.Context(), "slack", body); err != nil {
		r.log.Error("slack: could not store an event for the leader; Slack will retry", "event_id", cb.EventID, "err", err)
		http.Error(w, "event not stored", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// forward sends a command or a button press to the leader and relays its
// answer; 503 when there is none to reach.
func (r *replica) forward(w http.ResponseWriter, req *http.Request, body []byte) {
	l := r.lastLease.Load()
	if req.Header.Get(forwardedHeader) != "" || l == nil || !l.Live() || l.Addr == "" || l.Addr == r.advertised() {
		http.Error(w, "openear has no leader at the moment; try again in a few seconds", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(req.Context(), 2500*time.Millisecond) // Slack waits 3 s
	defer cancel()
	out, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(l.Addr, "/")+req.URL.Path, bytes.NewReader(body))
	if err != nil {
		http.Error(w, "bad leader address", http.StatusServiceUnavailable)
		return
	}
	for _, k := range []string{"Content-Type", "X-Slack-Signature", "X-Slack-Request-Timestamp"} {
		out.Header.Set(k, req.Header.Get(k))
	}
	out.Header.Set(forwardedHeader, r.holder)
	resp, err := http.DefaultClient.Do(out)
	if err != nil {
		r.log.Warn("slack: could not forward to the leader", "leader", l.Holder, "err", err)
		http.Error(w, "the leader did not answer; try again in a few seconds", http.StatusServiceUnavailable)
		return
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, io.LimitReader(resp.Body, maxSlackBody))
}

// inboxPoll is how often the leader looks at the inbox.
const inboxPoll = 200 * time.Millisecond

// drainInbox hands the deliveries standbys stored to the term's Slack
// adapter, oldest first, and deletes each one handled (a fenced write:
// an old leader cannot delete). A delivery the adapter could not commit
// stays for the next round; one it refuses as malformed is dropped.
func (r *replica) drainInbox(ctx context.Context, t *term) error {
	fenced := r.store.Fenced(t.token)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(inboxPoll):
		}
		if t.slack == nil {
			continue
		}
		items, err := r.store.Inbox(ctx, 100)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("could not read the inbox", "err", err)
			}
			continue
		}
		if err := r.handleInbox(ctx, t, fenced, items); err != nil {
			return err
		}
	}
}

// handleInbox replays stored deliveries in order, until one is not
// handled (it is tried again next round). It returns only a fencing
// error.
func (r *replica) handleInbox(ctx context.Context, t *term, fenced *postgres.Store, items []postgres.Delivery) error {
	for _, d := range items {
		status := r.replay(ctx, t, d.Body)
		switch {
		case status >= 200 && status < 300:
		case status == http.StatusBadRequest:
			r.log.Error("slack: dropped a stored delivery the adapter refuses", "inbox", d.ID, "status", status)
		default:
			r.log.Warn("slack: a stored delivery was not handled; retrying", "inbox", d.ID, "status", status)
			return nil
		}
		if err := fenced.DeleteInbox(ctx, d.ID); err != nil {
			if errors.Is(err, bot.ErrFenced) {
				return err
			}
			if ctx.Err() == nil {
				r.log.Warn("could not delete a handled delivery; it will be handled again (once: its event id)", "inbox", d.ID, "err", err)
			}
			return nil
		}
	}
	return nil
}

// replay passes a stored Events API body to the term's Slack adapter as
// an HTTP delivery signed now with the signing secret, and returns the
// status it answered.
func (r *replica) replay(ctx context.Context, t *term, body []byte) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/slack/events", bytes.NewReader(body))
	if err != nil {
		return http.StatusInternalServerError
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(r.cfg.Slack.SigningSecret.Reveal()))
	fmt.Fprintf(mac, "v0:%s:", ts)
	mac.Write(body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	rec := &statusRecorder{header: http.Header{}}
	t.slack.HTTPHandler().ServeHTTP(rec, req)
	if rec.status == 0 {
		return http.StatusOK
	}
	return rec.status
}

// statusRecorder is the http.ResponseWriter of a replayed delivery: it
// keeps the status and drops the body.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header         { return s.header }
func (s *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}

// healthz reports the replica's role. A leader answers as a single
// openear does (200 when its adapters are connected); a standby answers
// 200 when it can read the lease, naming the leader.
func (r *replica) healthz(w http.ResponseWriter, req *http.Request) {
	if t := r.term.Load(); t != nil {
		st, ok := adapterStates(t.slack, t.discord)
		writeHealth(w, ok, map[string]any{"ok": ok, "role": "leader", "token": t.token, "holder": r.holder, "adapters": st})
		return
	}
	ctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
	defer cancel()
	l, err := r.store.Leader(ctx)
	if err != nil {
		writeHealth(w, false, map[string]any{"ok": false, "role": "standby", "holder": r.holder, "error": "database unreachable"})
		return
	}
	body := map[string]any{"ok": true, "role": "standby", "holder": r.holder, "token": l.Token}
	if l.Live() {
		body["leader"] = l.Holder
		body["leader_expires_in"] = l.Expires.Sub(l.Now).Round(time.Millisecond).String()
	}
	writeHealth(w, true, body)
}

// The dashboard on a replica. Every replica serves it; reading needs only
// the store, but signing in and acting change state, which only the
// leader may write (its writes are fenced). So a standby forwards what
// needs the Inbox (web.NeedsInbox: posted forms, sign-in links, pages of
// a signed-in viewer) to the leader it last saw in the lease, and serves
// the rest itself; with no live leader, such a request gets 503. The
// leader's Inbox and statistics are its term's bot.

// termInbox is the dashboard's Inbox on a replica: the current term's
// bot. A standby forwards the requests that need it, so it is asked
// only while this replica leads (or in the moment a term ends).
type termInbox struct{ r *replica }

// errStandby answers what only the leader can do, in the moment a term
// ended under a request.
var errStandby = errors.New("this openear is a standby now; try again: the leader answers")

func (i termInbox) bot() (*bot.Bot, error) {
	if t := i.r.term.Load(); t != nil {
		return t.bot, nil
	}
	return nil, errStandby
}

func (i termInbox) LoginInfo(ctx context.Context, token string) (string, error) {
	b, err := i.bot()
	if err != nil {
		return "", err
	}
	return b.LoginInfo(ctx, token)
}

func (i termInbox) Login(ctx context.Context, token string) (string, bot.Session, error) {
	b, err := i.bot()
	if err != nil {
		return "", bot.Session{}, err
	}
	return b.Login(ctx, token)
}

func (i termInbox) Session(ctx context.Context, secret string) (bot.Session, error) {
	b, err := i.bot()
	if err != nil {
		return bot.Session{}, err
	}
	return b.Session(ctx, secret)
}

func (i termInbox) Logout(ctx context.Context, secret string) error {
	b, err := i.bot()
	if err != nil {
		return err
	}
	return b.Logout(ctx, secret)
}

func (i termInbox) Act(ctx context.Context, s bot.Session, line string) (bot.Result, error) {
	b, err := i.bot()
	if err != nil {
		return bot.Result{}, err
	}
	return b.Act(ctx, s, line)
}

// stats are the leader's statistics while this replica leads, else the
// store's (without what only a running bot knows: the messages its
// learning from corrections changed).
func (r *replica) stats(ctx context.Context, since, until time.Time) (bot.Stats, error) {
	if t := r.term.Load(); t != nil {
		return t.bot.Stats(ctx, since, until)
	}
	var ts []bot.Thread
	err := r.store.Threads(ctx, func(t bot.Thread) bool {
		if !t.Created.Before(since) && !t.Created.After(until) {
			ts = append(ts, t)
		}
		return true
	})
	if err != nil {
		return bot.Stats{}, err
	}
	st := bot.ComputeStats(ts, since, until)
	if st.Noise, err = bot.NoiseCounts(ctx, r.store, since, until); err != nil {
		return bot.Stats{}, err
	}
	return st, nil
}

// dashboardFront sends a standby's requests that need the Inbox to the
// leader, and serves the rest (and everything while leading) with next.
func (r *replica) dashboardFront(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.term.Load() != nil || !web.NeedsInbox(req) {
			next.ServeHTTP(w, req)
			return
		}
		l := r.lastLease.Load()
		if req.Header.Get(forwardedHeader) != "" || l == nil || !l.Live() || l.Addr == "" || l.Addr == r.advertised() {
			http.Error(w, "openear has no leader at the moment to sign you in or act; reading works, try again in a few seconds", http.StatusServiceUnavailable)
			return
		}
		target, err := url.Parse(strings.TrimSuffix(l.Addr, "/"))
		if err != nil {
			http.Error(w, "bad leader address", http.StatusServiceUnavailable)
			return
		}
		proxy := &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(target)
				pr.Out.Host = pr.In.Host // the leader's pages and cookies are for the address the browser used
				pr.Out.Header.Set(forwardedHeader, r.holder)
			},
			ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
				r.log.Warn("dashboard: could not forward to the leader", "leader", l.Holder, "err", err)
				http.Error(w, "the leader did not answer; try again in a few seconds", http.StatusServiceUnavailable)
			},
		}
		proxy.ServeHTTP(w, req)
	})
}
