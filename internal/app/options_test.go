package app

import (
	"maps"
	"slices"
	"testing"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/config"
	"github.com/openear/openear/internal/l10n"
)

// The notices section reaches the bot: coalescing on by default, off when
// the config says so, with its threshold and follow-up.
func TestNoticeOptions(t *testing.T) {
	for _, c := range []struct {
		in   config.Notices
		want bot.NoticeOptions
	}{
		{config.Default().Notices, bot.NoticeOptions{CoalesceAfter: 3}},
		{config.Notices{Coalesce: false, CoalesceAfter: 3}, bot.NoticeOptions{NoCoalesce: true, CoalesceAfter: 3}},
		{config.Notices{Coalesce: true, CoalesceAfter: 10, FollowUp: true}, bot.NoticeOptions{CoalesceAfter: 10, FollowUp: true}},
	} {
		cfg := config.Default()
		cfg.Notices = c.in
		o, err := BotOptions(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if o.Notices != c.want {
			t.Errorf("notices %+v: bot options %+v, want %+v", c.in, o.Notices, c.want)
		}
	}
}

// The config accepts exactly the languages of the catalog (config imports
// nothing of ours, so it lists them itself).
func TestConfigLocalesAreTheCatalogs(t *testing.T) {
	if !slices.Equal(config.Locales, l10n.Langs()) {
		t.Errorf("config.Locales %v, l10n.Langs() %v", config.Locales, l10n.Langs())
	}
}

// The locale keys reach the bot: the default, each enabled platform's and
// each person's.
func TestLocaleOptions(t *testing.T) {
	cfg := config.Default()
	cfg.Locale = "ko"
	cfg.Slack = &config.Slack{Enabled: true, TriageChannel: "C0TRIAGE"}
	cfg.Discord = &config.Discord{Enabled: true, TriageChannel: "111", Locale: "en"}
	cfg.People = []config.Person{{Name: "minji", Slack: "U0MINJI", Locale: "ko"}, {Name: "sam", Discord: "222"}}
	o, err := BotOptions(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{bot.Slack: "", bot.Discord: "en"}; o.Locale != "ko" || !maps.Equal(o.Locales, want) {
		t.Errorf("locale %q, locales %v", o.Locale, o.Locales)
	}
	if o.People[0].Locale != "ko" || o.People[1].Locale != "" {
		t.Errorf("people's locales %q, %q", o.People[0].Locale, o.People[1].Locale)
	}
}
