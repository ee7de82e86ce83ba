package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/textfmt"
)

// step is one scripted happening at a simulated time after the start.
type step struct {
	at time.Duration
	do func(ctx context.Context) error
}

// script plays customers and staff on both platforms until ctx ends or
// the script is over. Some threads are answered in time, some late, some
// never: the summary shows SLAs both met and missed.
func (d *Demo) script(ctx context.Context, total time.Duration) error {
	m := time.Minute
	var (
		checkout, export, ko2fa, urgent, billing, payroll string // message ids of thread roots
	)
	steps := []step{
		{0, func(ctx context.Context) error {
			checkout = d.spost("C0ACME", "UACME1", "Our checkout page is broken — customers get an error 500 when they pay. Please help!", "")
			return nil
		}},
		{1 * m, func(ctx context.Context) error {
			d.dpost(DiscordSupport, DiscordKim, "결제 페이지에서 오류가 나요. 카드 결제가 안 됩니다 ㅠㅠ", "")
			return nil
		}},
		{2 * m, func(ctx context.Context) error {
			d.spost("C0GLOBEX", "UGLOBEX1", "Checkout fails for us too: error 500 on every payment since this morning", "")
			return nil
		}},
		{3 * m, func(ctx context.Context) error {
			d.dpost(DiscordSupport, DiscordSam, "checkout is broken, getting error 500 when paying with a card", "")
			return nil
		}},
		{4 * m, func(ctx context.Context) error {
			export = d.spost(d.dmChannel("UPARK"), "UPARK", "Hi! How do I export all invoices as CSV for our accountant?", "")
			return nil
		}},
		{5 * m, func(ctx context.Context) error {
			d.dpost(DiscordSupport, DiscordLee, "다크 모드 기능 추가해 주시면 좋겠어요. 밤에 쓰기 눈이 아파요", "")
			return nil
		}},
		{6 * m, func(ctx context.Context) error {
			// alice answers the first checkout report in its thread.
			d.spost("C0ACME", "U0ALICE", "Thanks for the report — we see it too and are on it.", checkout)
			return nil
		}},
		{7 * m, func(ctx context.Context) error {
			d.spost("C0GLOBEX", "UGLOBEX2", "Love the new reporting dashboard, great work team! 🎉", "")
			return nil
		}},
		{8 * m, func(ctx context.Context) error {
			d.spost("C0ACME", "UACME2", "thanks!", "")
			return nil
		}},
		{9 * m, func(ctx context.Context) error {
			ko2fa = d.dpost(DiscordSupport, DiscordChoi, "2단계 인증 초기화는 어떻게 하나요? 휴대폰을 바꿨어요", "")
			return nil
		}},
		{10 * m, func(ctx context.Context) error {
			urgent = d.spost("C0GLOBEX", "UGLOBEX3", "URGENT: data sync is down in production, nobody on our team can log in", "")
			return nil
		}},
		{11 * m, func(ctx context.Context) error {
			// An external Slack Connect user tries a staff command.
			return d.slash(ctx, "UACME1", "TACME", "C0ACME", "resolve 1")
		}},
		{12 * m, func(ctx context.Context) error {
			d.spost("C0ACME", "UACME2", "It would be nice to have a dark mode in the app", "")
			return nil
		}},
		{14 * m, func(ctx context.Context) error {
			// bob answers the Korean 2FA question on Discord, in a reply.
			d.dpost(DiscordSupport, DiscordBob, "설정 → 보안 → 2단계 인증에서 초기화할 수 있어요. 안 되면 알려 주세요!", ko2fa)
			return nil
		}},
		{16 * m, func(ctx context.Context) error {
			// choi says it worked; bob resolves it with the slash command.
			t, err := d.threadOf(ctx, bot.Discord, DiscordSupport, ko2fa)
			if err != nil {
				return err
			}
			d.disc.SlashCommand(DiscordGuild, DiscordTriage, DiscordBob, "openear resolve", map[string]string{"id": bot.FormatID(t.ID)})
			return nil
		}},
		{18 * m, func(ctx context.Context) error {
			// choi answers the question, in Korean, with 😀.
			return d.rateDiscord(ctx, ko2fa, DiscordChoi, 5)
		}},
		{15 * m, func(ctx context.Context) error {
			inc, err := d.firstIncident(ctx)
			if err != nil || inc == 0 {
				return err
			}
			return d.slash(ctx, "U0ALICE", "T0HOME", "C0TRIAGE", fmt.Sprintf("incident %d update We found the checkout bug; a fix is rolling out now.", inc))
		}},
		{17 * m, func(ctx context.Context) error {
			// minji claims the urgent thread with 👀, late.
			d.slack.React("C0GLOBEX", urgent, "U0MINJI", "eyes")
			return nil
		}},
		{18 * m, func(ctx context.Context) error {
			// minji reads openear in Korean and types its Korean commands.
			return d.slash(ctx, "U0MINJI", "T0HOME", "C0TRIAGE", "내꺼")
		}},
		{20 * m, func(ctx context.Context) error {
			d.spost("C0ACME", "UACME1", "Still seeing the error on some payments…", checkout)
			return nil
		}},
		{22 * m, func(ctx context.Context) error {
			d.spost("C0GLOBEX", "U0MINJI", "Sync is back; root cause was an expired certificate. Sorry!", urgent)
			return nil
		}},
		{23 * m, func(ctx context.Context) error {
			t, err := d.threadOf(ctx, bot.Slack, "C0GLOBEX", urgent)
			if err != nil {
				return err
			}
			return d.slash(ctx, "U0MINJI", "T0HOME", "C0TRIAGE", fmt.Sprintf("해결 %d", t.ID))
		}},
		{24 * m, func(ctx context.Context) error {
			d.spost("C0ACME", "U0ALICE", "The fix is fully rolled out now — could you try again?", checkout)
			return nil
		}},
		{26 * m, func(ctx context.Context) error {
			d.slack.React("C0ACME", checkout, "U0ALICE", "white_check_mark")
			return nil
		}},
		{28 * m, func(ctx context.Context) error {
			// Jin rates the help 🙂 and leaves a comment in the modal.
			return d.rateSlack(ctx, "C0ACME", checkout, "UACME1", "TACME", 4, "Quick fix once you found it, thank you!")
		}},
		{30 * m, func(ctx context.Context) error {
			billing = d.dpost(DiscordSupport, DiscordKim, "환불 요청합니다. 이번 달 결제가 두 번 되었어요", "")
			return nil
		}},
		{32 * m, func(ctx context.Context) error {
			// A mention command from Discord staff.
			t, err := d.threadOf(ctx, bot.Discord, DiscordSupport, billing)
			if err != nil {
				return err
			}
			// A double charge is billing, not a defect: the correction sticks.
			d.dpost(DiscordSupport, DiscordAlice, fmt.Sprintf("<@%s> untag %d defect", DiscordBot, t.ID), "")
			return nil
		}},
		{34 * m, func(ctx context.Context) error {
			payroll = d.spost("C0ACME", "UACME3", "The payroll export is missing the overtime hours for March", "")
			return nil
		}},
		{35 * m, func(ctx context.Context) error {
			// Payroll runs on a deadline: alice corrects the tags, and the
			// tagger learns from it.
			t, err := d.threadOf(ctx, bot.Slack, "C0ACME", payroll)
			if err != nil {
				return err
			}
			return d.slash(ctx, "U0ALICE", "T0HOME", "C0TRIAGE", fmt.Sprintf("tag %d urgent", t.ID))
		}},
		{40 * m, func(ctx context.Context) error {
			// Another customer, the same problem: tagged urgent as learned
			// from alice's correction, so it goes to oncall.
			d.spost("C0GLOBEX", "UGLOBEX1", "Our payroll export is missing the overtime hours as well", "")
			return nil
		}},
	}
	_ = export
	for _, s := range steps {
		if s.at >= total {
			break
		}
		if err := d.clock.sleepUntil(ctx, s.at); err != nil {
			return err
		}
		if err := s.do(ctx); err != nil {
			return fmt.Errorf("demo script at +%s: %w", s.at, err)
		}
	}
	return nil
}

// spost posts to the Slack fake as a user and returns the message ts.
func (d *Demo) spost(channel, user, text, threadTS string) string {
	return d.slack.Post(channel, user, text, threadTS)
}

// dmChannel is the Slack DM channel between a user and the bot.
func (d *Demo) dmChannel(user string) string { return "D" + user }

func (d *Demo) slash(ctx context.Context, user, team, channel, text string) error {
	resp, err := d.slack.SlashCommand(ctx, user, team, channel, text)
	if err != nil {
		return err
	}
	raw := resp.Ack
	if len(raw) == 0 {
		raw = resp.Body
	}
	var answer struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(raw, &answer)
	d.printf("   /openear %s → %s", text, textfmt.OneLine(answer.Text, 90))
	return nil
}

func (d *Demo) firstIncident(ctx context.Context) (uint64, error) {
	incs, err := d.db.Incidents(ctx, true)
	if err != nil || len(incs) == 0 {
		return 0, err
	}
	return incs[0].ID, nil
}

func (d *Demo) dpost(channel, user, text, replyTo string) string {
	return d.disc.Post(channel, user, text, replyTo).ID
}

// question waits for the CSAT question openear posted in a thread and
// returns its message id.
func (d *Demo) question(ctx context.Context, find func() string) (string, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		if id := find(); id != "" {
			return id, nil
		}
		if time.Now().After(deadline) {
			return "", errors.New("no CSAT question was posted")
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// rateSlack presses a score on the CSAT question of a Slack thread as
// its customer, and writes a comment in the modal that opens.
func (d *Demo) rateSlack(ctx context.Context, channel, root, user, team string, score int, comment string) error {
	t, err := d.threadOf(ctx, bot.Slack, channel, root)
	if err != nil {
		return err
	}
	ts, err := d.question(ctx, func() string {
		for _, m := range d.slack.Messages(channel) {
			if m.BotID != "" && m.ThreadTS == root && strings.Contains(m.Blocks, bot.RatingValue(t.ID, 1)) {
				return m.TS
			}
		}
		return ""
	})
	if err != nil {
		return err
	}
	views := len(d.slack.Views())
	if _, err := d.slack.Press(ctx, user, team, fmt.Sprintf("csat_%d", score), bot.RatingValue(t.ID, score), channel, ts); err != nil {
		return err
	}
	if comment == "" {
		return nil
	}
	id, err := d.question(ctx, func() string {
		if vs := d.slack.Views(); len(vs) > views {
			return vs[len(vs)-1].ID
		}
		return ""
	})
	if err != nil {
		return err
	}
	_, err = d.slack.SubmitView(ctx, id, map[string]map[string]string{"comment": {"comment": comment}})
	return err
}

// rateDiscord clicks a score on the CSAT question of a Discord thread as
// its customer.
func (d *Demo) rateDiscord(ctx context.Context, root, user string, score int) error {
	t, err := d.threadOf(ctx, bot.Discord, DiscordSupport, root)
	if err != nil {
		return err
	}
	id, err := d.question(ctx, func() string {
		for _, m := range d.disc.Messages(DiscordSupport) {
			if m.Bot && m.ReplyTo == root && len(m.Buttons) == 5 {
				return m.ID
			}
		}
		return ""
	})
	if err != nil {
		return err
	}
	d.disc.Click(DiscordSupport, id, user, bot.RatingValue(t.ID, score))
	return nil
}
