package bot_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/l10n"
)

// koreanCarol: carol (oncall, who gets urgent threads) reads Korean; the
// default stays English. Urgent threads have a 1h SLA, pinged at 75%,
// 100% and 133%, escalated at 150%.
func koreanCarol(o *bot.Options) {
	o.People[2].Locale = "ko"
	o.People[2].Loc = seoul
	o.SLA.PerTag["urgent"] = time.Hour
	o.SLA.RemindAt = []float64{0.75, 1.0, 4.0 / 3}
}

func TestKoreanOwnerReadsKorean(t *testing.T) {
	r := newRig(t, koreanCarol)
	id, _ := r.customer("UCUST", "URGENT: production is down, nobody can log in")
	if got := r.thread(id).Owner; got != "carol" {
		t.Fatalf("owner %s, want carol", got)
	}
	ids := bot.FormatID(id)
	th := r.thread(id)
	tags := strings.Join(th.TagNames(), ", ")
	r.flush()
	if got := r.dms("UCAROL", bot.ForOwner); len(got) != 1 || !strings.HasPrefix(got[0], "📥 새 스레드가 배정됐어요: #"+ids) ||
		!strings.Contains(got[0], "11월 23일 (월) 오전 10:00까지 답변해 주세요") {
		t.Errorf("carol's note of the new thread: %q", got)
	}
	// The triage notice follows the default: English.
	notices := r.slack.Sent(bot.ForTriage)
	if len(notices) != 1 || notices[0].Notice.Lang != "en" || !strings.HasPrefix(notices[0].Text, "Thread #"+ids+" · waiting") {
		t.Fatalf("triage notice: %+v", notices)
	}

	r.advance(45 * time.Minute)
	want := "⏰ 리마인더: 스레드 #" + ids + " (" + tags + ") 답변 대기 중 — SLA(1시간) 마감까지 15분 남음 (11월 23일 (월) 오전 10:00)."
	if got := r.dms("UCAROL", bot.ForReminder); len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Fatalf("at 75%%: reminders %q, want %q", got, want)
	}
	r.advance(15 * time.Minute)
	if got := r.dms("UCAROL", bot.ForReminder); len(got) != 2 || !strings.Contains(got[1], "지금 SLA(1시간) 마감이에요") {
		t.Fatalf("at 100%%: reminders %q", got)
	}
	r.advance(20 * time.Minute)
	if got := r.dms("UCAROL", bot.ForReminder); len(got) != 3 || !strings.Contains(got[2], "SLA(1시간) 20분 초과 (마감 11월 23일 (월) 오전 10:00)") {
		t.Fatalf("at 133%%: reminders %q", got)
	}
	r.advance(10 * time.Minute)
	// The escalation: English in the triage channel, Korean to carol.
	var triage, carol []string
	for _, a := range r.slack.Sent(bot.ForEscalation) {
		switch {
		case a.Kind == bot.ActPost:
			triage = append(triage, a.Text)
		case a.To == "UCAROL":
			carol = append(carol, a.Text)
		}
	}
	if len(triage) != 1 || !strings.HasPrefix(triage[0], "🚨 Escalation: thread #"+ids+" ("+tags+") has waited 1h 30m") {
		t.Errorf("triage escalation %q", triage)
	}
	if len(carol) != 1 || !strings.HasPrefix(carol[0], "🚨 에스컬레이션: 스레드 #"+ids+" ("+tags+")에 1시간 30분째 답변이 없어요 (SLA 1시간, 담당 carol, 팀 oncall).") {
		t.Errorf("carol's escalation %q", carol)
	}
}

func TestKoreanCommandReplies(t *testing.T) {
	r := newRig(t, koreanCarol)
	id, _ := r.customer("UCUST", "How do I export invoices?")
	ids := bot.FormatID(id)
	steps := []struct{ user, cmd, want string }{
		{"UCAROL", "도움말", "담당 <번호>"},
		{"UCAROL", "help", "보류 <번호> <기간>"},
		{"UCAROL", "담당 " + ids, "#" + ids + " 스레드를 맡았어요."},
		{"UCAROL", "claim " + ids, "#" + ids + " 스레드는 이미 맡고 있어요."},
		{"UCAROL", "내꺼", "내가 맡은 진행 중 스레드 (1개):\n#" + ids + " 답변 대기 · slack · question"},
		{"UCAROL", "보류 " + ids + " 2시간", "#" + ids + " 스레드를 11월 23일 (월) 오전 11:00까지 보류했어요."},
		{"UCAROL", "보류 " + ids + " 두시간", "보류 " + ids + `: 기간으로 읽을 수 없어요: "두시간" (예: 30분, 2시간, 1일)`},
		{"UCAROL", "해결 " + ids, "#" + ids + " 스레드를 해결 처리했어요."},
		{"UCAROL", "보류 " + ids + " 1h", "#" + ids + " 스레드는 지금 해결 상태라 보류할 게 없어요."},
		{"UCAROL", "재개 " + ids, "#" + ids + " 스레드를 다시 열었어요."},
		{"UCAROL", "frobnicate", `모르는 명령이에요: "frobnicate". '도움말'을 입력해 보세요.`},
		{"UCAROL", "담당 999", "#999 스레드를 찾을 수 없어요."},
		{"UCAROL", "통계 7일", "첫 응답: p50 -, p90 - (답변 0건)"},
		// alice reads English, even when she types the Korean alias.
		{"UALICE", "해결 " + ids, "Thread #" + ids + " resolved."},
		// A customer is refused in the default language.
		{"UCUST", "해결 " + ids, "Sorry — only staff can do that."},
	}
	for _, s := range steps {
		if got := r.command(s.user, s.user != "UCUST", s.cmd); !strings.Contains(got, s.want) {
			t.Errorf("%s %q: reply %q, want it to contain %q", s.user, s.cmd, got, s.want)
		}
	}
}

// TestLocalesPerPlatform: a platform's locale sets its channels' language
// and that of its people without a locale of their own.
func TestLocalesPerPlatform(t *testing.T) {
	r := newRig(t, func(o *bot.Options) {
		o.Locales = map[string]string{bot.Discord: "ko"}
		o.Rules = []bot.Rule{{Person: "alice", Team: "support"}}
	})
	slackID, _ := r.customer("UCUST", "How do I export invoices?")
	res := r.handle(bot.Event{ID: "d1", Kind: bot.KindMessage, Platform: bot.Discord, Channel: "D1", MessageID: "5001",
		User: "777", Text: "환불은 어떻게 하나요?", At: r.clock.Now()})
	r.flush()
	if n := r.slack.Sent(bot.ForTriage); len(n) != 1 || n[0].Notice.Lang != "en" || !strings.HasPrefix(n[0].Text, "Thread #"+bot.FormatID(slackID)) {
		t.Errorf("slack notice %+v", n)
	}
	if n := r.disc.Sent(bot.ForTriage); len(n) != 1 || n[0].Notice.Lang != "ko" || !strings.HasPrefix(n[0].Text, "스레드 #"+bot.FormatID(res.ThreadID)+" · 답변 대기") {
		t.Errorf("discord notice %+v", n)
	}
	// alice has no locale: Korean on Discord, English on Slack.
	if got := r.dms("111", bot.ForOwner); len(got) != 1 || !strings.HasPrefix(got[0], "📥 새 스레드가 배정됐어요") {
		t.Errorf("alice on discord: %q", got)
	}
	if got := r.dms("UALICE", bot.ForOwner); len(got) != 1 || !strings.HasPrefix(got[0], "📥 New thread") {
		t.Errorf("alice on slack: %q", got)
	}
}

// TestDefaultLocaleKorean: with the default Korean, notices, digests and
// replies to staff the config does not list are Korean.
func TestDefaultLocaleKorean(t *testing.T) {
	r := newRig(t, func(o *bot.Options) { o.Locale = "ko" })
	id, _ := r.customer("UCUST", "How do I export invoices?")
	r.flush()
	n := r.slack.Sent(bot.ForTriage)
	if len(n) != 1 || !strings.HasPrefix(n[0].Text, "스레드 #"+bot.FormatID(id)+" · 답변 대기 · UCUST (C1)") || !strings.Contains(n[0].Text, "까지 답변") {
		t.Errorf("notice %+v", n)
	}
	if got := r.command("UHOMESTAFF", true, "전체"); !strings.HasPrefix(got, "진행 중인 스레드 (1개):") {
		t.Errorf("open: %q", got)
	}
	digest, err := r.bot.Digest(r.ctx, monday9.Add(-time.Hour), r.clock.Now().Add(time.Second))
	if err != nil || !strings.HasPrefix(digest, "📰 openear 일일 요약 · 11월 23일 (월) 오전 8:00 – 11월 23일 (월) 오전 9:00") || !strings.Contains(digest, "새 스레드: 1개") {
		t.Errorf("digest %q, %v", digest, err)
	}
}

func TestParseKoreanCommands(t *testing.T) {
	tests := []struct {
		in   string
		want bot.Command
	}{
		{"내꺼", bot.Command{Verb: "mine"}},
		{"/openear 내꺼", bot.Command{Verb: "mine"}},
		{"내것", bot.Command{Verb: "mine"}},
		{"전체", bot.Command{Verb: "open"}},
		{"도움말", bot.Command{Verb: "help"}},
		{"담당 12", bot.Command{Verb: "claim", ID: "12"}},
		{"담당 #12", bot.Command{Verb: "claim", ID: "12"}},
		{"담당 12번", bot.Command{Verb: "claim", ID: "12"}},
		{"배정 12 민지", bot.Command{Verb: "assign", ID: "12", User: "민지"}},
		{"배정 12 <@U123>", bot.Command{Verb: "assign", ID: "12", User: "U123"}},
		{"해결 12", bot.Command{Verb: "resolve", ID: "12"}},
		{"재개 12", bot.Command{Verb: "reopen", ID: "12"}},
		{"보류 12 2h", bot.Command{Verb: "snooze", ID: "12", Duration: 2 * time.Hour}},
		{"보류 12 2시간", bot.Command{Verb: "snooze", ID: "12", Duration: 2 * time.Hour}},
		{"보류 12 30분", bot.Command{Verb: "snooze", ID: "12", Duration: 30 * time.Minute}},
		{"보류 12 1일", bot.Command{Verb: "snooze", ID: "12", Duration: cmdDay}},
		{"보류 12 1주", bot.Command{Verb: "snooze", ID: "12", Duration: 7 * cmdDay}},
		{"보류 12 1시간 30분", bot.Command{Verb: "snooze", ID: "12", Duration: 90 * time.Minute}},
		{"보류 12 1시간반", bot.Command{Verb: "snooze", ID: "12", Duration: 90 * time.Minute}},
		{"보류 12 1일12시간", bot.Command{Verb: "snooze", ID: "12", Duration: 36 * time.Hour}},
		{"보류 12 90초", bot.Command{Verb: "snooze", ID: "12", Duration: 90 * time.Second}},
		{"snooze 12 1h 30m", bot.Command{Verb: "snooze", ID: "12", Duration: 90 * time.Minute}},
		{"snooze 12 2시간", bot.Command{Verb: "snooze", ID: "12", Duration: 2 * time.Hour}},
		{"태그 12 billing", bot.Command{Verb: "tag", ID: "12", Tag: "billing"}},
		{"태그삭제 12 billing", bot.Command{Verb: "untag", ID: "12", Tag: "billing"}},
		{"통계", bot.Command{Verb: "stats", Duration: 7 * cmdDay}},
		{"통계 30일", bot.Command{Verb: "stats", Duration: 30 * cmdDay}},
		{"장애 7", bot.Command{Verb: "incident", ID: "7", Sub: "show"}},
		{"장애 7 보기", bot.Command{Verb: "incident", ID: "7", Sub: "show"}},
		{"장애 7 해결", bot.Command{Verb: "incident", ID: "7", Sub: "resolve"}},
		{"장애 7 공지 결제 오류를 고쳤어요", bot.Command{Verb: "incident", ID: "7", Sub: "update", Text: "결제 오류를 고쳤어요"}},
		{"incident 7 공지 fixed", bot.Command{Verb: "incident", ID: "7", Sub: "update", Text: "fixed"}},
	}
	for _, tt := range tests {
		got, err := bot.ParseCommand(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		if again, err := bot.ParseCommand(got.String()); err != nil || again != got {
			t.Errorf("ParseCommand(%q) = %+v, %v after String", got.String(), again, err)
		}
	}
}

// TestKoreanCommandErrors: a mistake names the command as typed, in
// English by Error and in Korean by In.
func TestKoreanCommandErrors(t *testing.T) {
	ko := l10n.For("ko")
	tests := []struct{ in, en, ko string }{
		{"담당", "담당: missing thread id", "담당: 스레드 번호를 적어 주세요"},
		{"담당 12 13", `담당 12: unexpected "13"`, `담당 12: 필요 없는 말이 붙어 있어요: "13"`},
		{"보류 12", "보류 12: missing duration (try 30m, 2h, 1d)", "보류 12: 기간을 적어 주세요 (예: 30분, 2시간, 1일)"},
		{"보류 12 두시간", `보류 12: "두시간" is not a duration (try 30m, 2h, 1d)`, `보류 12: 기간으로 읽을 수 없어요: "두시간" (예: 30분, 2시간, 1일)`},
		{"보류 12 2시", `보류 12: "2시" is not a duration (try 30m, 2h, 1d)`, `보류 12: 기간으로 읽을 수 없어요: "2시" (예: 30분, 2시간, 1일)`},
		{"보류 12 31일", `보류 12: "31일" is longer than 30 days`, `보류 12: 너무 길어요: "31일" (최대 30일)`},
		{"통계 1년", `통계: "1년" is not a duration (try 7d, 30d)`, `통계: 기간으로 읽을 수 없어요: "1년" (예: 7일, 30일)`},
		{"장애 7 닫기", `장애 7: unknown action "닫기" (try update, resolve, show)`, `장애 7: 모르는 동작이에요: "닫기" (공지, 해결, 보기 중 하나를 적어 주세요)`},
		{"장애 7 공지", "장애 7 공지: missing text", "장애 7 공지: 올릴 내용을 적어 주세요"},
		{"태그 12 환불", `태그 12: "환불" is not a tag name`, `태그 12: 태그 이름이 아니에요: "환불" (영문 소문자, 숫자, -, _만 쓸 수 있어요)`},
		{"배정 12", "배정 12: missing user (try @alice or alice)", "배정 12: 누구에게 맡길지 적어 주세요 (예: @alice 또는 alice)"},
		{"뭐해", `unknown command "뭐해": try "help"`, `모르는 명령이에요: "뭐해". '도움말'을 입력해 보세요.`},
	}
	for _, tt := range tests {
		_, err := bot.ParseCommand(tt.in)
		ce, ok := errors.AsType[*bot.CommandError](err)
		if !ok {
			t.Errorf("ParseCommand(%q) error %v is not a *CommandError", tt.in, err)
			continue
		}
		if got := err.Error(); got != tt.en {
			t.Errorf("ParseCommand(%q) error = %q, want %q", tt.in, got, tt.en)
		}
		if got := ce.In(ko); got != tt.ko {
			t.Errorf("ParseCommand(%q) in Korean = %q, want %q", tt.in, got, tt.ko)
		}
		if errors.Is(err, bot.ErrUnknownCommand) != (tt.in == "뭐해") {
			t.Errorf("ParseCommand(%q): errors.Is ErrUnknownCommand = %v", tt.in, errors.Is(err, bot.ErrUnknownCommand))
		}
	}
}

// TestCommandHelpKorean: the Korean help lists every verb by its Korean
// alias, each line's syntax parses once filled in, and the English help
// names the aliases.
func TestCommandHelpKorean(t *testing.T) {
	fill := strings.NewReplacer("<번호>", "42", "<@사람|이름>", "민지", "<기간>", "2시간",
		"<태그>", "billing", "[기간]", "30일", "<내용>", "다 고쳤어요")
	verbs := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(bot.CommandHelpIn(l10n.For("ko")), "\n"), "\n") {
		syntax, _, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("help line %q: no description", line)
		}
		filled := fill.Replace(syntax)
		if strings.ContainsAny(filled, "<>[]") {
			t.Errorf("help line %q: a placeholder the test does not fill", line)
		}
		c, err := bot.ParseCommand(filled)
		if err != nil {
			t.Errorf("help line %q does not parse: %v", line, err)
		}
		verbs[c.Verb] = true
	}
	for _, v := range strings.Fields("help mine open claim assign snooze resolve reopen tag untag stats incident") {
		if !verbs[v] {
			t.Errorf("Korean help does not list %q", v)
		}
	}
	en := bot.CommandHelp()
	for _, alias := range []string{"도움말", "내꺼", "전체", "담당", "배정", "보류", "해결", "재개", "태그", "태그삭제", "통계", "장애"} {
		if !strings.Contains(en, "(also: "+alias) {
			t.Errorf("English help does not name the alias %q", alias)
		}
	}
}

func TestParseDurationKorean(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * cmdDay, "7일": 7 * cmdDay, "36시간": 36 * time.Hour, "1주 2일": 9 * cmdDay} {
		if got, err := bot.ParseDuration(in, 365*cmdDay); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := bot.ParseDuration("400일", 365*cmdDay); err == nil || err.Error() != `"400일" is longer than 365 days` {
		t.Errorf("ParseDuration(400일): %v", err)
	}
}

// An incident alert is in each platform's language; the incident command
// answers in the actor's.
func TestIncidentInKorean(t *testing.T) {
	r := newRig(t, func(o *bot.Options) {
		koreanCarol(o)
		o.Incidents = bot.IncidentOptions{Enabled: true}
		o.Locales = map[string]string{bot.Slack: "ko"}
	})
	for i, text := range []string{
		"The checkout page crashes every time I pay, I was charged twice",
		"Checkout crashes every time I pay by card and charged me twice",
		"The checkout page crashes when I try to pay, charged twice now",
	} {
		r.customer("UCUST"+bot.FormatID(uint64(i)), text)
	}
	r.flush()
	ko, en := r.slack.Sent(bot.ForIncident), r.disc.Sent(bot.ForIncident)
	if len(ko) == 0 || !strings.HasPrefix(ko[len(ko)-1].Text, "🔥 장애 #1 (진행 중): 고객 3명이 같은 문제를 겪고 있어요 — ") ||
		!strings.Contains(ko[len(ko)-1].Text, "\n담당: ") {
		t.Fatalf("slack's alert: %+v", ko)
	}
	if len(en) == 0 || !strings.HasPrefix(en[len(en)-1].Text, "🔥 Incident #1 (OPEN): 3 customers report the same problem — ") {
		t.Fatalf("discord's alert: %+v", en)
	}
	if got := r.command("UCAROL", true, "장애 1 공지 결제 오류를 고치고 있어요"); got != "#1 장애에 연결된 스레드 3개에 업데이트를 올렸어요." {
		t.Errorf("update: %q", got)
	}
	if got := r.command("UCAROL", true, "장애 1"); !strings.Contains(got, "\n업데이트: 결제 오류를 고치고 있어요") {
		t.Errorf("show: %q", got)
	}
	if got := r.command("UCAROL", true, "장애 1 해결"); got != "#1 장애를 해결 처리했어요. 연결된 스레드 3개도 함께 해결했어요." {
		t.Errorf("resolve: %q", got)
	}
	// alice has no locale of her own: on Slack she reads Slack's.
	if got := r.command("UALICE", true, "incident 1 resolve"); got != "#1 장애는 이미 해결됐어요." {
		t.Errorf("resolve again: %q", got)
	}
	r.flush()
	var last string
	for _, a := range r.slack.Sent(bot.ForIncident) {
		if a.Kind == bot.ActNotice { // not the updates posted to the customers' threads
			last = a.Text
		}
	}
	if !strings.HasPrefix(last, "🔥 장애 #1 (해결)") {
		t.Errorf("resolved alert: %q", last)
	}
}
