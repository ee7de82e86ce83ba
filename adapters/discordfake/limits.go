package discordfake

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// PostLimit is a limit on new messages in one channel (POST
// /channels/{id}/messages): Count per Window, the window starting with
// the first post after the last one ended. The zero value means no limit.
type PostLimit struct {
	Count  int
	Window time.Duration
}

// DiscordPostLimit is Discord's limit on posts to one channel as the fake
// models it: about 5 per 5 s.
var DiscordPostLimit = PostLimit{Count: 5, Window: 5 * time.Second}

type window struct {
	start time.Time
	used  int
}

// postRate is the limit's state after one post, for its headers.
type postRate struct {
	limit     int
	remaining int
	reset     time.Time
	limited   bool
}

// takePost counts a post to channelID against the limit, or nil when the
// request is not a post or there is no limit. Called with mu held.
func (s *Server) takePost(r *http.Request, path string, now time.Time) *postRate {
	l := s.opts.PostLimit
	p := strings.Split(strings.Trim(path, "/"), "/")
	if l.Count <= 0 || l.Window <= 0 || r.Method != http.MethodPost || len(p) != 3 || p[0] != "channels" || p[2] != "messages" ||
		s.channels[p[1]] == nil || r.Header.Get("Authorization") != "Bot "+s.opts.Token {
		return nil
	}
	if s.windows == nil {
		s.windows = map[string]*window{}
	}
	w := s.windows[p[1]]
	if w == nil || !now.Before(w.start.Add(l.Window)) {
		w = &window{start: now}
		s.windows[p[1]] = w
	}
	pr := &postRate{limit: l.Count, reset: w.start.Add(l.Window)}
	if w.used >= l.Count {
		pr.limited = true
		s.limited++
		return pr
	}
	w.used++
	pr.remaining = l.Count - w.used
	return pr
}

// header sets Discord's rate-limit headers of a post.
func (pr *postRate) header(h http.Header, now time.Time) {
	after := max(pr.reset.Sub(now), 0)
	h.Set("X-RateLimit-Limit", strconv.Itoa(pr.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(pr.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(pr.reset.UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(after.Seconds(), 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", "channel-messages")
	if pr.limited {
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(after.Seconds()))))
		h.Set("X-RateLimit-Scope", "user")
	}
}

// body is Discord's 429 body.
func (pr *postRate) body(now time.Time) map[string]any {
	return map[string]any{"message": "You are being rate limited.",
		"retry_after": math.Round(max(pr.reset.Sub(now), 0).Seconds()*1000) / 1000, "global": false}
}

// RateLimited returns how many posts the fake refused with 429 because of
// PostLimit.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited
}

// Discord's limits on a message's components and embeds.
const (
	maxRows          = 5
	maxRowButtons    = 5
	maxCustomID      = 100
	maxButtonLabel   = 80
	maxSelectOptions = 25
	maxOptionText    = 100
	maxPlaceholder   = 150
	maxEmbeds        = 10
	maxEmbedTitle    = 256
	maxEmbedDesc     = 4096
	maxEmbedFields   = 25
	maxFieldName     = 256
	maxFieldValue    = 1024
	maxEmbedTotal    = 6000
)

type rawComponent struct {
	Type     int    `json:"type"`
	CustomID string `json:"custom_id"`
	Label    string `json:"label"`
	URL      string `json:"url"`
	Style    int    `json:"style"`
	// Select menus.
	Placeholder string `json:"placeholder"`
	Options     []struct {
		Label       string `json:"label"`
		Value       string `json:"value"`
		Description string `json:"description"`
	} `json:"options"`
	Components []rawComponent `json:"components"`
}

// checkComponents checks what Discord checks of message components: at
// most 5 action rows; in a row up to 5 buttons or one select menu; custom
// ids present, at most 100 characters and unique in the message; labels,
// options and placeholders within their lengths; 1 to 25 options with
// distinct values.
func checkComponents(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var rows []rawComponent
	if err := json.Unmarshal(raw, &rows); err != nil {
		return err
	}
	if len(rows) > maxRows {
		return fmt.Errorf("%d action rows", len(rows))
	}
	ids := map[string]bool{}
	for i, row := range rows {
		if row.Type != int(discordgo.ActionsRowComponent) || len(row.Components) == 0 {
			return fmt.Errorf("row %d: not an action row", i)
		}
		selects, buttons := 0, 0
		for _, c := range row.Components {
			if c.Type != int(discordgo.ButtonComponent) || c.Style != int(discordgo.LinkButton) {
				if c.CustomID == "" || utf8.RuneCountInString(c.CustomID) > maxCustomID || ids[c.CustomID] {
					return fmt.Errorf("row %d: custom_id %q", i, c.CustomID)
				}
				ids[c.CustomID] = true
			}
			switch c.Type {
			case int(discordgo.ButtonComponent):
				buttons++
				if utf8.RuneCountInString(c.Label) > maxButtonLabel {
					return fmt.Errorf("row %d: button label", i)
				}
			case int(discordgo.SelectMenuComponent):
				selects++
				if err := checkSelect(c); err != nil {
					return fmt.Errorf("row %d: %w", i, err)
				}
			default:
				return fmt.Errorf("row %d: component type %d", i, c.Type)
			}
		}
		if buttons > maxRowButtons || selects > 1 || selects == 1 && buttons > 0 {
			return fmt.Errorf("row %d: %d buttons, %d select menus", i, buttons, selects)
		}
	}
	return nil
}

func checkSelect(c rawComponent) error {
	if len(c.Options) == 0 || len(c.Options) > maxSelectOptions {
		return fmt.Errorf("select with %d options", len(c.Options))
	}
	if utf8.RuneCountInString(c.Placeholder) > maxPlaceholder {
		return fmt.Errorf("select placeholder")
	}
	values := map[string]bool{}
	for _, o := range c.Options {
		if o.Label == "" || o.Value == "" || values[o.Value] || utf8.RuneCountInString(o.Label) > maxOptionText ||
			utf8.RuneCountInString(o.Value) > maxOptionText || utf8.RuneCountInString(o.Description) > maxOptionText {
			return fmt.Errorf("select option %q", o.Value)
		}
		values[o.Value] = true
	}
	return nil
}

// checkEmbeds checks Discord's limits on embeds: at most 10, each title,
// description, field name and value within its length, at most 25 fields,
// and 6,000 characters in all.
func checkEmbeds(es []*discordgo.MessageEmbed) error {
	if len(es) > maxEmbeds {
		return fmt.Errorf("%d embeds", len(es))
	}
	total := 0
	n := func(s string) int { c := utf8.RuneCountInString(s); total += c; return c }
	for i, e := range es {
		if e == nil {
			continue
		}
		if n(e.Title) > maxEmbedTitle || n(e.Description) > maxEmbedDesc || len(e.Fields) > maxEmbedFields {
			return fmt.Errorf("embed %d", i)
		}
		for _, f := range e.Fields {
			if f == nil || n(f.Name) > maxFieldName || n(f.Value) > maxFieldValue {
				return fmt.Errorf("embed %d: field", i)
			}
		}
		if e.Footer != nil {
			n(e.Footer.Text)
		}
	}
	if total > maxEmbedTotal {
		return fmt.Errorf("embeds of %d characters", total)
	}
	return nil
}

// Select dispatches INTERACTION_CREATE (type 3) for a choice by userID of
// value in the select menu customID of message msgID, and returns the
// interaction id. The message must have that menu with that option, as in
// Discord, where only offered options can be chosen.
func (s *Server) Select(channelID, msgID, userID, customID, value string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.message(channelID, msgID)
	if m == nil {
		return "", fmt.Errorf("discordfake: no message %s in %s", msgID, channelID)
	}
	var rows []rawComponent
	_ = json.Unmarshal(m.Components, &rows)
	found := false
	for _, r := range rows {
		for _, c := range r.Components {
			if c.Type != int(discordgo.SelectMenuComponent) || c.CustomID != customID {
				continue
			}
			for _, o := range c.Options {
				found = found || o.Value == value
			}
		}
	}
	if !found {
		return "", fmt.Errorf("discordfake: message %s has no select menu %q with option %q", msgID, customID, value)
	}
	c := s.channels[channelID]
	data := map[string]any{"custom_id": customID, "component_type": int(discordgo.SelectMenuComponent), "values": []string{value}}
	return s.interact(c.guild, channelID, userID, discordgo.InteractionMessageComponent, data, s.messageJSON(m, false)), nil
}
