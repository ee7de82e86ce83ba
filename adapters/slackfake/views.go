package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"
)

// Teams, modal views and their submissions.
//
// team.info answers for the home team and every team added with
// AddTeam (Slack tells an app the names of the workspaces it shares a
// channel with). views.open takes a trigger_id the fake handed out with
// a slash command or a button press, once, within 3 seconds, as Slack
// does, and checks the modal as Slack would refuse it; SubmitView then
// posts its view_submission as the user it was opened for.

// triggerTTL is how long a trigger_id may open a view.
const triggerTTL = 3 * time.Second

// trigger is a trigger_id handed out with an interaction.
type trigger struct {
	user string
	at   time.Time
	used bool
}

// View is a modal the app opened with views.open.
type View struct {
	ID         string
	User       string // whom it was opened for
	CallbackID string
	Metadata   string // private_metadata
	JSON       []byte // the view as the app sent it
	Submitted  bool
}

// AddTeam names a workspace (a Slack Connect partner) for team.info.
func (s *Server) AddTeam(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.teams == nil {
		s.teams = map[string]string{}
	}
	s.teams[id] = name
}

// Views returns the views opened, oldest first.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]View, len(s.views))
	for i, v := range s.views {
		out[i] = *v
	}
	return out
}

// triggerLocked hands out a trigger_id for an interaction of user.
// s.mu must be held.
func (s *Server) triggerLocked(user string) string {
	id := s.nextIDLocked("trig.")
	if s.triggers == nil {
		s.triggers = map[string]*trigger{}
	}
	s.triggers[id] = &trigger{user: user, at: time.Now()}
	return id
}

func (s *Server) teamInfo(w http.ResponseWriter, f url.Values) {
	id := f.Get("team")
	s.mu.Lock()
	name, ok := s.teams[id]
	if id == "" || id == s.opts.HomeTeam {
		id, name, ok = s.opts.HomeTeam, "Home", true
	}
	s.mu.Unlock()
	if !ok {
		fail(w, "team_not_found")
		return
	}
	writeJSON(w, http.StatusOK, obj{"ok": true, "team": obj{"id": id, "name": name, "domain": fmt.Sprintf("team-%s", id),
		"email_domain": "", "icon": obj{"image_default": true}}})
}

// modal is the part of a view openear sends that Slack checks.
type modal struct {
	Type   string   `json:"type"`
	Title  *textObj `json:"title"`
	Submit *textObj `json:"submit"`
	Close  *textObj `json:"close"`
	Blocks []struct {
		Type    string          `json:"type"`
		BlockID string          `json:"block_id"`
		Label   *textObj        `json:"label"`
		Element json.RawMessage `json:"element"`
	} `json:"blocks"`
	PrivateMetadata string `json:"private_metadata"`
	CallbackID      string `json:"callback_id"`
}

// checkModal returns why Slack would refuse a modal, or nil: its type,
// title and button texts (24 characters), at most 100 blocks, and a
// submit button when it has inputs.
func checkModal(m modal) error {
	short := func(t *textObj) bool {
		return t != nil && t.Type == "plain_text" && t.Text != "" && utf8.RuneCountInString(t.Text) <= 24
	}
	switch {
	case m.Type != "modal":
		return fmt.Errorf("type %q", m.Type)
	case !short(m.Title):
		return errors.New("title")
	case m.Close != nil && !short(m.Close):
		return errors.New("close")
	case len(m.Blocks) > 100:
		return errors.New("too many blocks")
	case len(m.PrivateMetadata) > 3000:
		return errors.New("private_metadata")
	}
	for i, b := range m.Blocks {
		if b.Type == "input" {
			if m.Submit == nil || !short(m.Submit) {
				return errors.New("an input without a submit button")
			}
			if b.Label == nil || b.Label.Type != "plain_text" || utf8.RuneCountInString(b.Label.Text) > 2000 || len(b.Element) == 0 {
				return fmt.Errorf("block %d: input", i)
			}
		}
	}
	return nil
}

func (s *Server) viewsOpen(w http.ResponseWriter, f url.Values) {
	var m modal
	raw := f.Get("view")
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		fail(w, "invalid_arguments")
		return
	}
	s.mu.Lock()
	tr := s.triggers[f.Get("trigger_id")]
	switch {
	case tr == nil:
		s.mu.Unlock()
		fail(w, "invalid_trigger_id")
		return
	case tr.used || time.Since(tr.at) > triggerTTL:
		s.mu.Unlock()
		fail(w, "expired_trigger_id")
		return
	}
	if err := checkModal(m); err != nil {
		s.mu.Unlock()
		fail(w, "invalid_arguments")
		return
	}
	tr.used = true
	v := &View{ID: s.nextIDLocked("V"), User: tr.user, CallbackID: m.CallbackID, Metadata: m.PrivateMetadata, JSON: []byte(raw)}
	s.views = append(s.views, v)
	s.notifyLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, obj{"ok": true, "view": obj{"id": v.ID, "type": "modal", "callback_id": v.CallbackID,
		"private_metadata": v.Metadata, "state": obj{"values": obj{}}, "hash": "h-" + v.ID}})
}

// SubmitView submits a view the app opened, as the user it was opened
// for, with the values of its inputs (block id -> action id -> value),
// and returns the app's answer.
func (s *Server) SubmitView(ctx context.Context, viewID string, values map[string]map[string]string) (Response, error) {
	s.mu.Lock()
	var v *View
	for _, x := range s.views {
		if x.ID == viewID {
			v = x
		}
	}
	if v == nil || v.Submitted {
		s.mu.Unlock()
		return Response{}, fmt.Errorf("slackfake: no open view %s", viewID)
	}
	v.Submitted = true
	state := obj{}
	for block, acts := range values {
		as := obj{}
		for act, val := range acts {
			as[act] = obj{"type": "plain_text_input", "value": val}
		}
		state[block] = as
	}
	u := s.users[v.User]
	payload := obj{
		"type": "view_submission", "token": "fake-verification-token", "api_app_id": "A0OPENEAR",
		"team": obj{"id": u.Team, "domain": s.opts.Domain},
		"user": obj{"id": v.User, "username": u.Name, "name": u.Name, "team_id": u.Team},
		"view": obj{"id": v.ID, "type": "modal", "callback_id": v.CallbackID, "private_metadata": v.Metadata,
			"hash": "h-" + v.ID, "state": obj{"values": state}},
		"trigger_id": s.triggerLocked(v.User),
	}
	e := s.newEnvelopeLocked("interactive", payload)
	body := url.Values{"payload": {string(e.payload)}}
	e.httpPath, e.httpType, e.httpBody = InteractivePath, "application/x-www-form-urlencoded", []byte(body.Encode())
	s.mu.Unlock()
	return s.dispatch(ctx, e, false)
}
