package slackfake

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// PostLimit is a limit on chat.postMessage in one channel, as a bucket of
// Burst posts refilled at one per Every: a channel that was quiet takes
// Burst posts at once, then one per Every. The zero value means no limit.
type PostLimit struct {
	Every time.Duration
	Burst int
}

// SlackPostLimit is Slack's limit on posts to one channel as the fake
// models it: "1 message per second per channel, short bursts allowed".
var SlackPostLimit = PostLimit{Every: time.Second, Burst: 3}

type postBucket struct {
	tokens float64
	at     time.Time
}

// takePostLocked counts a post to channel against the limit: zero when it
// may go, else how long until it could. s.mu must be held.
func (s *Server) takePostLocked(channel string, now time.Time) time.Duration {
	l := s.opts.PostLimit
	if l.Every <= 0 || l.Burst <= 0 {
		return 0
	}
	if s.buckets == nil {
		s.buckets = map[string]*postBucket{}
	}
	b := s.buckets[channel]
	if b == nil {
		b = &postBucket{tokens: float64(l.Burst), at: now}
		s.buckets[channel] = b
	}
	b.tokens = min(float64(l.Burst), b.tokens+float64(now.Sub(b.at))/float64(l.Every))
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(l.Every))
}

// rateLimited answers 429 as Slack does: Retry-After in whole seconds.
func rateLimited(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	writeJSON(w, http.StatusTooManyRequests, obj{"ok": false, "error": "ratelimited"})
}

// RateLimited returns how many calls the fake answered with 429 because
// of PostLimit.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited
}

// Slack's limits on a message.
const (
	maxTextLen       = 40000
	maxBlocks        = 50
	maxSectionText   = 3000
	maxHeaderText    = 150
	maxActions       = 25
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxBlockOrActID  = 255
	errInvalidBlocks = "invalid_blocks"
)

// checkMessage returns the error code Slack gives for text and blocks
// that break its limits, or "".
func checkMessage(text, blocks string) string {
	if utf8.RuneCountInString(text) > maxTextLen {
		return "msg_too_long"
	}
	if blocks == "" {
		return ""
	}
	if err := checkBlocks([]byte(blocks)); err != nil {
		return errInvalidBlocks
	}
	return ""
}

type textObj struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type element struct {
	Type     string   `json:"type"`
	ActionID string   `json:"action_id"`
	Text     *textObj `json:"text"`
	Value    string   `json:"value"`
}

type block struct {
	Type     string    `json:"type"`
	BlockID  string    `json:"block_id"`
	Text     *textObj  `json:"text"`
	Elements []element `json:"elements"`
}

// checkBlocks checks what Slack checks of the blocks openear sends: at
// most 50, block ids unique in the message, action ids unique in their
// block, at most 25 elements an actions block, and the lengths of texts,
// ids and values.
func checkBlocks(raw []byte) error {
	var bs []block
	if err := json.Unmarshal(raw, &bs); err != nil {
		return err
	}
	if len(bs) > maxBlocks {
		return fmt.Errorf("%d blocks", len(bs))
	}
	ids := map[string]bool{}
	for i, b := range bs {
		if b.BlockID != "" {
			if ids[b.BlockID] || len(b.BlockID) > maxBlockOrActID {
				return fmt.Errorf("block %d: block_id %q", i, b.BlockID)
			}
			ids[b.BlockID] = true
		}
		switch b.Type {
		case "header":
			if b.Text == nil || b.Text.Type != "plain_text" || utf8.RuneCountInString(b.Text.Text) > maxHeaderText {
				return fmt.Errorf("block %d: header", i)
			}
		case "section":
			if b.Text == nil || utf8.RuneCountInString(b.Text.Text) > maxSectionText {
				return fmt.Errorf("block %d: section text", i)
			}
		case "actions":
			if len(b.Elements) == 0 || len(b.Elements) > maxActions {
				return fmt.Errorf("block %d: %d elements", i, len(b.Elements))
			}
			acts := map[string]bool{}
			for _, e := range b.Elements {
				if e.ActionID != "" && (acts[e.ActionID] || len(e.ActionID) > maxBlockOrActID) {
					return fmt.Errorf("block %d: action_id %q", i, e.ActionID)
				}
				acts[e.ActionID] = true
				if e.Type == "button" && (e.Text == nil || utf8.RuneCountInString(e.Text.Text) > maxButtonText || len(e.Value) > maxButtonValue) {
					return fmt.Errorf("block %d: button", i)
				}
			}
		}
	}
	return nil
}
