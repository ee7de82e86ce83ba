package app

import (
	"testing"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/config"
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
