package web

import (
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/internal/l10n"
)

// The dashboard speaks the viewer's language: the one they chose with
// the switch on every page (remembered in the langCookie), else the
// signed-in staff member's (people[].locale, else their platform's),
// else Options.Locale. Every word of a page comes from the catalog of
// internal/l10n: templates call t (text) and th (text with markup in
// its values); Go code calls Localizer.T. What customers and staff wrote,
// names and the identifiers staff type (tag names in forms and URLs,
// command arguments) stay as they are; built-in tag names are shown
// translated (tagLabel). The JSON API never translates.

// langCookie remembers the language the viewer chose.
const langCookie = "openear_lang"

// langMaxAge is how long the choice is remembered: a year.
const langMaxAge = 365 * 24 * 60 * 60

// langOf picks the language of a request: see above. s is the viewer's
// session, nil when not signed in.
func (d *Dashboard) langOf(r *http.Request, s *bot.Session) *l10n.Localizer {
	if c, err := r.Cookie(langCookie); err == nil {
		if lang, ok := l10n.Normalize(c.Value); ok {
			return l10n.For(lang)
		}
	}
	if s != nil {
		if p := d.people[s.Person]; p != nil && p.Locale != "" {
			return l10n.For(p.Locale)
		}
		if lang := d.locales[s.Platform]; lang != "" {
			return l10n.For(lang)
		}
	}
	return l10n.For(d.locale)
}

// setLang remembers the language of the switch's form (lang) and goes
// back to the page it came from (return, a path of this site). An
// unknown language changes nothing. Like the sign-in, it must come from
// the dashboard's own page.
func (d *Dashboard) setLang(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		fail(w, r, http.StatusForbidden, viewerOf(r).l.T("web.err_cross_site", nil))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		fail(w, r, http.StatusBadRequest, viewerOf(r).l.T("web.err_bad_form", nil))
		return
	}
	if lang, ok := l10n.Normalize(r.PostForm.Get("lang")); ok {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: langMaxAge, HttpOnly: true,
			Secure: d.secure || r.TLS != nil, SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, localPath(r.PostForm.Get("return"), "/"), http.StatusSeeOther)
}

// langSwitch is the language switch of a page: a form that posts to
// /lang and comes back to Return.
type langSwitch struct {
	Return  string
	Choices []langChoice
}

type langChoice struct {
	Code    string // "en"
	Name    string // in its own language: "English", "한국어"
	Current bool
}

// switchOf is the switch of a page shown in language l that comes back
// to back.
func switchOf(l *l10n.Localizer, back string) langSwitch {
	s := langSwitch{Return: back}
	for _, lang := range l10n.Langs() {
		s.Choices = append(s.Choices, langChoice{Code: lang, Name: l10n.For(lang).T("web.language_name", nil), Current: lang == l.Lang()})
	}
	return s
}

// here is the page a request shows, to come back to after switching
// language: its path and query (without a note), or the list for what
// only a POST shows.
func here(r *http.Request) string {
	if r.Method != http.MethodGet {
		return "/"
	}
	q := r.URL.Query()
	q.Del("note")
	back := r.URL.Path
	if enc := q.Encode(); enc != "" {
		back += "?" + enc
	}
	return back
}

// args turns a template's name-value pairs into the arguments of a
// message.
func args(kv []any) (l10n.Args, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("arguments %v: want name-value pairs", kv)
	}
	a := l10n.Args{}
	for i := 0; i < len(kv); i += 2 {
		name, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("argument name %v: want a string", kv[i])
		}
		a[name] = kv[i+1]
	}
	return a, nil
}

// mark stands for the markup value i in the text of th; \x01 never
// reaches it from a value (th removes it).
func mark(i int) string { return "\x01" + strconv.Itoa(i) + "\x01" }

// textHTML renders message key with markup in some values: the text
// and the other values are escaped, the template.HTML values (which the
// template made) inserted as they are.
func textHTML(l *l10n.Localizer, key string, kv []any) (template.HTML, error) {
	a, err := args(kv)
	if err != nil {
		return "", err
	}
	var markup []string
	for name, v := range a {
		switch v := v.(type) {
		case template.HTML:
			a[name] = mark(len(markup))
			markup = append(markup, string(v))
		case string:
			a[name] = strings.ReplaceAll(v, "\x01", "")
		}
	}
	s := template.HTMLEscapeString(l.T(key, a))
	for i, m := range markup {
		s = strings.Replace(s, mark(i), m, 1)
	}
	return template.HTML(s), nil
}

// funcs are the template functions of pages in the language of l.
func funcs(l *l10n.Localizer) template.FuncMap {
	return template.FuncMap{
		"link": link,
		"face": face,
		// t renders a message: {{t "web.search"}}, {{t "web.matching" "Count" .Matched}}.
		"t": func(key string, kv ...any) (string, error) {
			a, err := args(kv)
			return l.T(key, a), err
		},
		// th renders a message with markup in values: {{th "web.readonly" "Command" (code ...)}}.
		"th": func(key string, kv ...any) (template.HTML, error) { return textHTML(l, key, kv) },
		// code, bold, span and timeHTML make the markup values of th.
		"code": func(s string) template.HTML {
			return template.HTML("<code>" + template.HTMLEscapeString(s) + "</code>")
		},
		"bold": func(s string, id ...string) template.HTML {
			if len(id) > 0 {
				return template.HTML(`<b id="` + template.HTMLEscapeString(id[0]) + `">` + template.HTMLEscapeString(s) + "</b>")
			}
			return template.HTML("<b>" + template.HTMLEscapeString(s) + "</b>")
		},
		"span": func(s, title string) template.HTML {
			return template.HTML(`<span title="` + template.HTMLEscapeString(title) + `">` + template.HTMLEscapeString(s) + "</span>")
		},
		"timeHTML": func(t timeView) template.HTML {
			return template.HTML(fmt.Sprintf(`<time datetime="%s" data-offset="%d" data-local>%s</time>`,
				template.HTMLEscapeString(t.ISO), t.Offset, template.HTMLEscapeString(t.Text)))
		},
		"state":   func(s bot.State) string { return stateText(l, s) },
		"tagname": func(name string) string { return tagLabel(l, name) },
		"lang":    l.Lang,
	}
}

// tagKeys are the messages of the built-in tags' names. Other tags (the
// operator's) are shown as named in the config.
var tagKeys = map[string]string{
	tag.Complaint: "tagname.complaint",
	tag.Defect:    "tagname.defect",
	tag.Question:  "tagname.question",
	tag.Praise:    "tagname.praise",
	tag.Idea:      "tagname.idea",
	tag.Urgent:    "tagname.urgent",
	tag.Noise:     "tagname.noise",
}

// tagLabel is a tag's name as shown: a built-in tag's in the reader's
// language, any other as it is.
func tagLabel(l *l10n.Localizer, name string) string {
	if s, ok := fixed[l.Lang()].tags[name]; ok {
		return s
	}
	return name
}

// stateText is a thread's state in the reader's language.
func stateText(l *l10n.Localizer, s bot.State) string {
	if text, ok := fixed[l.Lang()].states[s]; ok {
		return text
	}
	return s.In(l)
}

// words are the texts every row of the list may show, rendered once per
// language: a page of 500 rows would otherwise ask the catalog for them
// thousands of times.
type words struct {
	tags   map[string]string    // built-in tag name -> shown
	states map[bot.State]string // state -> shown
}

var fixed = func() map[string]words {
	out := map[string]words{}
	for _, lang := range l10n.Langs() {
		l := l10n.For(lang)
		w := words{tags: map[string]string{}, states: map[bot.State]string{}}
		for name, key := range tagKeys {
			w.tags[name] = l.T(key, nil)
		}
		for _, s := range []bot.State{bot.Waiting, bot.Answered, bot.Resolved} {
			w.states[s] = s.In(l)
		}
		out[lang] = w
	}
	return out
}()

// dur formats a duration shortly, as the list and the charts show it:
// "90s", "15m", "1h30m", "3d" in English; "90초"… in Korean, by the
// same rounding.
func dur(l *l10n.Localizer, d time.Duration) string {
	if l.Lang() == l10n.English {
		return shortDur(d)
	}
	switch {
	case d <= 0:
		d = 0
	case d < time.Minute:
		d = d.Round(time.Second)
	case d < 48*time.Hour:
		d = d.Round(time.Minute)
	default:
		d = d.Round(24 * time.Hour)
	}
	return l.Duration(d)
}

// platformName names a platform as its makers do.
func platformName(platform string) string {
	switch platform {
	case bot.Slack:
		return "Slack"
	case bot.Discord:
		return "Discord"
	}
	return platform
}

// markKeys are the messages that say each timeline item.
var markKeys = map[string]string{
	bot.MarkCreated: "mark.created", bot.MarkRouted: "mark.routed", bot.MarkFirstReply: "mark.first_reply",
	bot.MarkReminder: "mark.reminder", bot.MarkEscalated: "mark.escalated", bot.MarkBreached: "mark.breached",
	bot.MarkSnoozed: "mark.snoozed", bot.MarkSnoozeOver: "mark.snooze_over", bot.MarkClaimed: "mark.claimed",
	bot.MarkAssigned: "mark.assigned", bot.MarkResolved: "mark.resolved", bot.MarkReopened: "mark.reopened",
	bot.MarkTagged: "mark.tagged", bot.MarkUntagged: "mark.untagged", bot.MarkIncident: "mark.incident",
	bot.MarkCSATAsked: "mark.csat_asked", bot.MarkCSAT: "mark.csat", bot.MarkCSATComment: "mark.csat_comment",
}

// markText says a timeline item; an unknown one (a newer version's) as
// stored.
func markText(l *l10n.Localizer, what string) string {
	if key, ok := markKeys[what]; ok {
		return l.T(key, nil)
	}
	return what
}

// The details the core stores on timeline items, in English (see
// bot/tracker.go and bot/router.go), that detail reads back.
var (
	spanPart    = regexp.MustCompile(`^(\d+)([dhms])$`)
	reminderPct = regexp.MustCompile(`^(\d+)% of SLA$`)
	routedOwner = regexp.MustCompile(`^(.+?)(?: \(team (.+)\))?: (.+)$`)
	routedRule  = regexp.MustCompile(`^routing rule (\d+)(?:, (round robin|least loaded))?$`)
	routedStick = regexp.MustCompile(`^the owner of the customer's open thread #(\d+)$`)
)

// detail renders the detail of a timeline item in the reader's language
// where it has a known form: a snooze's length, a reminder's share of
// the SLA, a routing's reason, a tag's name, an escalation's team.
// Names, customer text, a rating and whatever has another form are
// shown as stored.
func detail(l *l10n.Localizer, what, stored string) string {
	switch what {
	case bot.MarkSnoozed:
		if d, ok := parseSpan(stored); ok {
			return l.Duration(d)
		}
	case bot.MarkReminder:
		if m := reminderPct.FindStringSubmatch(stored); m != nil {
			return l.T("web.reminder_share", l10n.Args{"Percent": m[1]})
		}
	case bot.MarkRouted:
		return routedText(l, stored)
	case bot.MarkTagged, bot.MarkUntagged:
		return tagLabel(l, stored)
	case bot.MarkEscalated:
		if stored != "" {
			return l.T("web.team", l10n.Args{"Name": stored})
		}
	}
	return stored
}

// parseSpan reads a duration as l10n formats it in English: "45s",
// "5m 30s", "1h 20m", "2d 3h".
func parseSpan(s string) (time.Duration, bool) {
	units := map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second}
	var d time.Duration
	parts := strings.Fields(s)
	if len(parts) == 0 || len(parts) > 2 {
		return 0, false
	}
	for _, p := range parts {
		m := spanPart.FindStringSubmatch(p)
		if m == nil {
			return 0, false
		}
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 100000 {
			return 0, false
		}
		d += time.Duration(n) * units[m[2]]
	}
	return d, true
}

// routedText renders why a thread went to its owner: "alice (team
// support): routing rule 1, round robin".
func routedText(l *l10n.Localizer, stored string) string {
	why := func(s string) (string, bool) {
		switch {
		case s == "no routing rule matched":
			return l.T("web.routed_none", nil), true
		case routedStick.MatchString(s):
			return l.T("web.routed_sticky", l10n.Args{"ID": routedStick.FindStringSubmatch(s)[1]}), true
		case routedRule.MatchString(s):
			m := routedRule.FindStringSubmatch(s)
			switch m[2] {
			case "round robin":
				return l.T("web.routed_round_robin", l10n.Args{"N": m[1]}), true
			case "least loaded":
				return l.T("web.routed_least_loaded", l10n.Args{"N": m[1]}), true
			}
			return l.T("web.routed_rule", l10n.Args{"N": m[1]}), true
		}
		return "", false
	}
	if s, ok := why(stored); ok {
		return s
	}
	if m := routedOwner.FindStringSubmatch(stored); m != nil {
		if reason, ok := why(m[3]); ok {
			if m[2] != "" {
				return l.T("web.routed_to_team", l10n.Args{"Owner": m[1], "Team": m[2], "Why": reason})
			}
			return l.T("web.routed_to", l10n.Args{"Owner": m[1], "Why": reason})
		}
	}
	return stored
}
