package web

import (
	"html/template"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/l10n"
)

// TestDetail: a timeline detail of a known form reads in Korean; any
// other, and every one in English, as stored.
func TestDetail(t *testing.T) {
	ko, en := l10n.For("ko"), l10n.For("en")
	for _, tt := range []struct {
		what, stored, ko string
	}{
		{bot.MarkSnoozed, "2h", "2시간"},
		{bot.MarkSnoozed, "1h 59m", "1시간 59분"},
		{bot.MarkSnoozed, "2d 3h", "2일 3시간"},
		{bot.MarkSnoozed, "45s", "45초"},
		{bot.MarkSnoozed, "soon", "soon"},
		{bot.MarkSnoozed, "1h 2m 3s", "1h 2m 3s"},
		{bot.MarkReminder, "75% of SLA", "SLA 75% 경과 시점"},
		{bot.MarkReminder, "most of it", "most of it"},
		{bot.MarkRouted, "no routing rule matched", "맞는 배정 규칙 없음"},
		{bot.MarkRouted, "alice: routing rule 2", "alice: 배정 규칙 2번"},
		{bot.MarkRouted, "alice (team support): routing rule 1, round robin", "alice (support 팀): 배정 규칙 1번, 돌아가며 배정"},
		{bot.MarkRouted, "bob (team tier 2): routing rule 3, least loaded", "bob (tier 2 팀): 배정 규칙 3번, 맡은 일이 가장 적은 사람에게 배정"},
		{bot.MarkRouted, "alice (team support): the owner of the customer's open thread #12", "alice (support 팀): 고객의 진행 중인 스레드 #12 담당자"},
		{bot.MarkRouted, "alice: a reason of a newer version", "alice: a reason of a newer version"},
		{bot.MarkTagged, "urgent", "긴급"},
		{bot.MarkUntagged, "billing", "billing"},
		{bot.MarkEscalated, "support", "support 팀"},
		{bot.MarkEscalated, "", ""},
		{bot.MarkAssigned, "bob", "bob"},
		{bot.MarkCSAT, "🙂 4/5", "🙂 4/5"},
		{"a_newer_mark", "x", "x"},
	} {
		if got := detail(ko, tt.what, tt.stored); got != tt.ko {
			t.Errorf("ko %s %q = %q, want %q", tt.what, tt.stored, got, tt.ko)
		}
		want := tt.stored
		switch {
		case tt.what == bot.MarkEscalated && tt.stored != "":
			want = "team " + tt.stored
		case tt.what == bot.MarkReminder && tt.stored == "75% of SLA":
			want = "at 75% of the SLA"
		}
		if got := detail(en, tt.what, tt.stored); got != want {
			t.Errorf("en %s %q = %q, want %q", tt.what, tt.stored, got, want)
		}
	}
	if got := markText(ko, "a_newer_mark"); got != "a_newer_mark" {
		t.Errorf("unknown mark: %q", got)
	}
}

// TestTextHTML: th escapes the catalog's text and the plain values, and
// inserts only the markup the template made.
func TestTextHTML(t *testing.T) {
	en := l10n.For("en")
	got, err := textHTML(en, "web.signin_as", []any{"Person", `<b>"x"</b>` + "\x01" + "0" + "\x01"})
	if err != nil || got != "Sign in as &lt;b&gt;&#34;x&#34;&lt;/b&gt;0" {
		t.Errorf("plain value: %q, %v", got, err)
	}
	got, err = textHTML(en, "web.signed_in_as", []any{"Person", template.HTML(`<b id="person">alice</b>`)})
	if err != nil || got != `signed in as <b id="person">alice</b>` {
		t.Errorf("markup value: %q, %v", got, err)
	}
	if _, err := textHTML(en, "web.signin_as", []any{"Person"}); err == nil {
		t.Error("odd arguments: no error")
	}
}

// TestDur: English keeps its short form; Korean reads the same rounding
// in its words.
func TestDur(t *testing.T) {
	ko, en := l10n.For("ko"), l10n.For("en")
	for d, want := range map[time.Duration][2]string{
		0:                                     {"0s", "0초"},
		90 * time.Second:                      {"2m", "2분"},
		65 * time.Minute:                      {"1h5m", "1시간 5분"},
		24 * time.Hour:                        {"24h", "24시간"},
		50*time.Hour + 10*time.Minute:         {"2d", "2일"},
		7 * 24 * time.Hour:                    {"7d", "7일"},
		-3 * time.Minute:                      {"0s", "0초"},
		44*time.Second + 600*time.Microsecond: {"44s", "44초"},
	} {
		if got := dur(en, d); got != want[0] {
			t.Errorf("en %s = %q, want %q", d, got, want[0])
		}
		if got := dur(ko, d); got != want[1] {
			t.Errorf("ko %s = %q, want %q", d, got, want[1])
		}
	}
}
