package discord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/adapters/discordfake"
	"github.com/openear/openear/bot"
)

// koreanAlice: alice reads Korean, in Seoul; the default stays English.
func koreanAlice(o *bot.Options) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	o.People[0].Locale, o.People[0].Loc = "ko", seoul
}

func buttonLabels(m discordfake.Message) []string {
	var out []string
	for _, b := range m.Buttons {
		out = append(out, b.Label)
	}
	return out
}

// A person with locale ko gets Korean DMs, reminders (with the right time
// left, in their zone) and command replies, Korean aliases work by
// mention and slash command, and the triage notice follows the default:
// English.
func TestE2EKoreanPerson(t *testing.T) {
	e := newE2EWith(t, discordfake.Options{}, koreanAlice)
	root := e.fake.Post(watched, customer, "How do I change my billing email?", "").ID
	th := e.thread(root)
	id := bot.FormatID(th.ID)
	e.flush()

	notices := e.fake.Messages(triage)
	if len(notices) != 1 || len(notices[0].Embeds) != 1 || notices[0].Embeds[0].Title != "Thread #"+id+" · waiting" ||
		strings.Join(buttonLabels(notices[0]), ",") != "Claim,Snooze 1h,Resolve" {
		t.Fatalf("triage notice: %+v", notices)
	}
	dm := e.fake.DMChannel(staffID)
	if ms := e.fake.Messages(dm); len(ms) != 1 || !strings.HasPrefix(ms[0].Content, "📥 새 스레드가 배정됐어요: #"+id) {
		t.Fatalf("alice's note of the new thread: %+v", ms)
	}

	// 45 minutes into a 1h SLA: 15 minutes left, due 11:00 UTC = 20:00 KST.
	e.advance(45 * time.Minute)
	want := "⏰ 리마인더: 스레드 #" + id + " (" + strings.Join(th.TagNames(), ", ") + ") 답변 대기 중 — SLA(1시간) 마감까지 15분 남음 (11월 23일 (월) 오후 8:00)."
	if ms := e.fake.Messages(dm); len(ms) != 2 || !strings.HasPrefix(ms[1].Content, want) {
		t.Fatalf("alice's reminder: %+v, want %q", ms, want)
	}

	// A Korean alias by mention: the reply, in the channel, is Korean.
	cmd := e.fake.Post(triage, staffID, "<@"+botID+"> 보류 "+id+" 2시간", "")
	var reply string
	waitFake(t, e.fake, "the mention's reply", func() bool {
		for _, m := range e.fake.Messages(triage) {
			if m.ReplyTo == cmd.ID {
				reply = m.Content
				return true
			}
		}
		return false
	})
	if reply != "#"+id+" 스레드를 11월 23일 (월) 오후 9:45까지 보류했어요." {
		t.Errorf("reply to 보류: %q", reply)
	}
	e.poll("snoozed", func() bool { return e.thread(root).SnoozeUntil.Equal(e.clock.Now().Add(2 * time.Hour)) })

	// The slash command's reply is Korean too.
	iid := e.fake.SlashCommand(guild, triage, staffID, "openear resolve", map[string]string{"id": id})
	waitFake(t, e.fake, "the slash command's answer", func() bool {
		rs := e.fake.Responses(iid)
		return len(rs) > 0 && strings.Contains(rs[len(rs)-1].Content, "#"+id+" 스레드를 해결 처리했어요.")
	})
	// mate has no locale: English, even for a Korean alias.
	cmd = e.fake.Post(triage, roleMate, "<@"+botID+"> 재개 "+id, "")
	waitFake(t, e.fake, "mate's reply", func() bool {
		for _, m := range e.fake.Messages(triage) {
			if m.ReplyTo == cmd.ID {
				reply = m.Content
				return true
			}
		}
		return false
	})
	if reply != "Thread #"+id+" reopened." {
		t.Errorf("reply to 재개: %q", reply)
	}
}

// With discord's locale ko, the triage notice is Korean: its embed, its
// buttons (whose custom ids stay command lines).
func TestE2EKoreanTriageNotice(t *testing.T) {
	e := newE2EWith(t, discordfake.Options{}, func(o *bot.Options) { o.Locales = map[string]string{bot.Discord: "ko"} })
	root := e.fake.Post(watched, customer, "The app crashes with an error when I upload a photo", "").ID
	id := bot.FormatID(e.thread(root).ID)
	e.flush()
	notices := e.fake.Messages(triage)
	if len(notices) != 1 || len(notices[0].Embeds) != 1 || notices[0].Embeds[0].Title != "스레드 #"+id+" · 답변 대기" {
		t.Fatalf("triage notice: %+v", notices)
	}
	if got := strings.Join(buttonLabels(notices[0]), ","); got != "담당하기,1시간 보류,해결" {
		t.Errorf("buttons %s", got)
	}
	var fields []string
	for _, f := range notices[0].Embeds[0].Fields {
		fields = append(fields, f.Name)
	}
	if got := strings.Join(fields, ","); !strings.HasPrefix(got, "고객,채널,담당,기한,태그: defect") {
		t.Errorf("fields %s", got)
	}
	// A Korean button is still the command line.
	e.fake.Click(triage, strings.Split(notices[0].ID, "/")[0], roleMate, notices[0].Buttons[0].CustomID)
	e.poll("claimed by the button", func() bool { return e.thread(root).Owner == "mate" })
}
