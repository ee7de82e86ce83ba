package bot_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

var linkRE = regexp.MustCompile(`https://openear\.example\.com/login/([A-Za-z0-9_-]+)`)

func webRig(t *testing.T) *rig {
	t.Helper()
	var r *rig
	r = newRig(t, func(o *bot.Options) {
		o.Web = bot.WebOptions{URL: func() string { return "https://openear.example.com/" }, Clock: clockOf(&r)}
	})
	return r
}

// clockOf lets the options name the rig's clock before the rig exists.
type lazyClock struct{ r **rig }

func (c lazyClock) Now() time.Time { return (*c.r).clock.Now() }

func clockOf(r **rig) bot.Clock { return lazyClock{r} }

// linkFor runs login as user and returns the token of the link DMed.
func linkFor(t *testing.T, r *rig, user string) string {
	t.Helper()
	if reply := r.command(user, true, "login"); !strings.Contains(reply, "direct message") {
		t.Fatalf("login reply %q", reply)
	}
	r.flush()
	dms := r.slack.Sent(bot.ForLogin)
	last := dms[len(dms)-1]
	m := linkRE.FindStringSubmatch(last.Text)
	if last.Kind != bot.ActDM || last.To != user || m == nil {
		t.Fatalf("login DM %+v", last)
	}
	return m[1]
}

func TestLogin(t *testing.T) {
	r := webRig(t)
	token := linkFor(t, r, "UALICE")
	if who, err := r.bot.LoginInfo(r.ctx, token); err != nil || who != "alice" {
		t.Fatalf("LoginInfo: %q, %v", who, err)
	}
	sec, s, err := r.bot.Login(r.ctx, token)
	if err != nil || s.Person != "alice" || s.Platform != bot.Slack || s.User != "UALICE" || s.CSRF == "" || sec == "" {
		t.Fatalf("Login: %+v, %v", s, err)
	}
	if _, _, err := r.bot.Login(r.ctx, token); !errors.Is(err, bot.ErrLinkInvalid) {
		t.Errorf("reused link: %v", err)
	}
	got, err := r.bot.Session(r.ctx, sec)
	if err != nil || got.Person != s.Person || got.CSRF != s.CSRF || !got.Expires.Equal(s.Expires) {
		t.Fatalf("Session: %+v, %v", got, err)
	}
	if !s.CheckCSRF(s.CSRF) || s.CheckCSRF("") || s.CheckCSRF(s.CSRF+"x") {
		t.Error("CheckCSRF")
	}
	if _, err := r.bot.Session(r.ctx, sec+"x"); !errors.Is(err, bot.ErrNoSession) {
		t.Errorf("forged secret: %v", err)
	}
	// Nothing usable is stored: neither the token nor the secret.
	err = r.store.Entries(r.ctx, "", func(key string, v []byte) bool {
		if strings.Contains(key+string(v), token) || strings.Contains(key+string(v), sec) {
			t.Errorf("entry %s holds a secret", key)
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(bot.SessionTTL)
	if _, err := r.bot.Session(r.ctx, sec); !errors.Is(err, bot.ErrNoSession) {
		t.Errorf("session after 12h: %v", err)
	}
	if err := r.bot.Logout(r.ctx, sec); err != nil {
		t.Fatal(err)
	}
}

func TestLoginExpiredAndRefused(t *testing.T) {
	r := webRig(t)
	token := linkFor(t, r, "UBOB")
	r.clock.Advance(bot.LoginTTL)
	if _, err := r.bot.LoginInfo(r.ctx, token); !errors.Is(err, bot.ErrLinkExpired) {
		t.Errorf("LoginInfo of an expired link: %v", err)
	}
	if _, _, err := r.bot.Login(r.ctx, token); !errors.Is(err, bot.ErrLinkExpired) {
		t.Errorf("expired link: %v", err)
	}
	if _, _, err := r.bot.Login(r.ctx, "made-up"); !errors.Is(err, bot.ErrLinkInvalid) {
		t.Errorf("made-up link: %v", err)
	}
	// A customer asking for a link is refused; no link, no DM.
	before := len(r.slack.Sent(bot.ForLogin))
	if reply := r.command("UCUST", false, "login"); !strings.Contains(reply, bot.ErrNotStaff.Error()) {
		t.Errorf("non-staff login: %q", reply)
	}
	r.flush()
	if n := len(r.slack.Sent(bot.ForLogin)); n != before {
		t.Errorf("a DM went to a non-staff user")
	}
	n := 0
	r.store.Entries(r.ctx, "login/", func(string, []byte) bool { n++; return true })
	if n != 0 {
		t.Errorf("%d login entries, want none (the expired one is deleted when used)", n)
	}
}

func TestLoginWithoutURL(t *testing.T) {
	r := newRig(t, nil)
	if reply := r.command("UALICE", true, "login"); !strings.Contains(reply, "http.public_url") {
		t.Errorf("reply %q", reply)
	}
}

func TestAct(t *testing.T) {
	r := webRig(t)
	id, _ := r.customer("UCUST", "the app crashes when I upload a photo")
	sec, s, err := r.bot.Login(r.ctx, linkFor(t, r, "UBOB"))
	if err != nil || sec == "" {
		t.Fatal(err)
	}
	res, err := r.bot.Act(r.ctx, s, fmt.Sprintf("resolve %d", id))
	if err != nil || !strings.Contains(res.Reply, "resolved") {
		t.Fatalf("Act: %+v, %v", res, err)
	}
	th := r.thread(id)
	last := th.Timeline[len(th.Timeline)-1]
	if th.State != bot.Resolved || last.What != bot.MarkResolved || last.By != "bob" || last.Via != "web" {
		t.Errorf("thread %s, timeline %+v", th.State, last)
	}
	r.flush()
	if n := r.slack.Sent(bot.ForTriage); n[len(n)-1].Notice.State != bot.Resolved {
		t.Errorf("the notice was not updated")
	}
	for _, line := range []string{"login", "incident 1 resolve", "stats", "resolve"} {
		res, err := r.bot.Act(r.ctx, s, line)
		if err != nil || res.ThreadID != 0 || res.Reply == "" {
			t.Errorf("Act(%q): %+v, %v", line, res, err)
		}
	}
}

func TestPruneWeb(t *testing.T) {
	r := webRig(t)
	linkFor(t, r, "UALICE")
	if _, _, err := r.bot.Login(r.ctx, linkFor(t, r, "UBOB")); err != nil {
		t.Fatal(err)
	}
	count := func(prefix string) int {
		n := 0
		r.store.Entries(r.ctx, prefix, func(string, []byte) bool { n++; return true })
		return n
	}
	if count("login/") != 1 || count("session/") != 1 {
		t.Fatalf("entries before: %d links, %d sessions", count("login/"), count("session/"))
	}
	r.clock.Advance(bot.SessionTTL + time.Hour)
	bot.PruneWeb(r.bot, r.ctx)
	if count("login/") != 0 || count("session/") != 0 {
		t.Errorf("entries after: %d links, %d sessions", count("login/"), count("session/"))
	}
}
