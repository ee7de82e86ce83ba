package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// maxBody is the largest request body accepted; larger ones get 413.
const maxBody = 1 << 20

// maxSkew is how far a request's timestamp may be from now, either way.
const maxSkew = 5 * time.Minute

// Verification failures. The secret never appears in them.
var (
	errUnsigned  = errors.New("missing X-Slack-Signature or X-Slack-Request-Timestamp")
	errStale     = errors.New("request timestamp more than 5 minutes from now")
	errSignature = errors.New("signature does not match")
)

// verify checks Slack's v0 signature of body: HMAC-SHA256 of
// "v0:<ts>:<body>" with the signing secret, ts within 5 minutes of now.
// It is slack.NewSecretsVerifier with an injectable clock.
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	sig, sts := h.Get("X-Slack-Signature"), h.Get("X-Slack-Request-Timestamp")
	if sig == "" || sts == "" {
		return errUnsigned
	}
	ts, err := strconv.ParseInt(sts, 10, 64)
	if err != nil {
		return errStale
	}
	if d := now.Sub(time.Unix(ts, 0)); d > maxSkew || d < -maxSkew {
		return errStale
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil {
		return errSignature
	}
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%s:", sts)
	m.Write(body)
	if !hmac.Equal(m.Sum(nil), got) {
		return errSignature
	}
	return nil
}

// HTTPHandler serves Slack's HTTP deliveries: the Events API (path ending
// in /events), slash commands (/commands) and interactivity
// (/interactive). Every request must carry a valid signature. Events are
// answered 200 once the handler committed them and 500 when it failed, so
// Slack delivers them again; retries are processed like first deliveries.
func (a *Adapter) HTTPHandler() http.Handler { return http.HandlerFunc(a.serveHTTP) }

func (a *Adapter) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength > maxBody {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if a.cfg.SigningSecret == "" {
		a.log.Warn("slack: refused an HTTP request: no signing secret configured", "path", r.URL.Path)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if err := verify(a.cfg.SigningSecret, r.Header, body, a.now()); err != nil {
		a.log.Warn("slack: refused an unverified request", "path", r.URL.Path, "remote", r.RemoteAddr, "why", err)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	switch p := strings.TrimSuffix(r.URL.Path, "/"); {
	case strings.HasSuffix(p, "/events"):
		a.serveEvents(w, r, body)
	case strings.HasSuffix(p, "/commands"):
		a.serveCommand(w, r, body)
	case strings.HasSuffix(p, "/interactive"):
		a.serveInteractive(w, r, body)
	default:
		http.NotFound(w, r)
	}
}

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	var cb callback
	if err := json.Unmarshal(body, &cb); err != nil {
		http.Error(w, "malformed JSON", http.StatusBadRequest)
		return
	}
	if cb.Type == "url_verification" {
		writeJSON(w, map[string]string{"challenge": cb.Challenge})
		return
	}
	if err := a.startEvent(r.Context(), cb)(); err != nil {
		if errors.Is(err, errMalformed) {
			http.Error(w, "malformed event", http.StatusBadRequest)
			return
		}
		a.log.Error("slack: event not handled; Slack will retry", "event_id", cb.EventID,
			"retry", r.Header.Get("X-Slack-Retry-Num"), "err", err)
		http.Error(w, "event not handled", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	cmd := slack.SlashCommand{
		TeamID: form.Get("team_id"), ChannelID: form.Get("channel_id"),
		UserID: form.Get("user_id"), UserName: form.Get("user_name"),
		Command: form.Get("command"), Text: form.Get("text"), TriggerID: form.Get("trigger_id"),
	}
	text := a.command(r.Context(), cmd)
	if text == "" {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, ephemeral(text))
}

func (a *Adapter) serveInteractive(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	in, err := parseInteraction([]byte(form.Get("payload")))
	if err != nil {
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	a.handleInteraction(r.Context(), in)
	w.WriteHeader(http.StatusOK)
}

// ephemeralMsg is a slash command's answer, shown only to the actor.
type ephemeralMsg struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
}

func ephemeral(text string) ephemeralMsg {
	return ephemeralMsg{ResponseType: "ephemeral", Text: escape(text)}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
