package tag_test

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/openear/openear/bot/tag"
)

// tagCase is one customer message and the set of tags it must get
// (comma-separated, any order; "" for none).
type tagCase struct {
	text string
	want string
}

var enCases = []tagCase{
	// defects
	{"The checkout page crashes every time I click Pay", "defect"},
	{"checkout crashed again", "defect"},
	{"App keeps crashing on iOS 17 after the update", "defect"},
	{"getting a 500 when I upload a CSV", "defect"},
	{"Dashboard doesn't load since this morning", "defect"},
	{"the dashboard doesnt load", "defect"},
	{"Export is BROKEN", "defect"},
	{"Login not working for me", "defect"},
	{"I can't log in, it says Internal Server Error", "defect"},
	{"sync failed with error code 4012", "defect"},
	{"webhooks stopped working yesterday", "defect"},
	{"There's a bug in the date picker, it shows the wrong month", "defect"},
	{"page just shows a blank screen 🐛", "defect"},
	{"Requests time out after 30s", "defect"},
	{"we're seeing timeouts on the API", "defect"},
	{"the mobile app froze and I lost my data", "defect,urgent"},
	{"Invoice PDF is missing the VAT number", "defect"},
	{"I keep getting logged out of the app", "defect"},
	{"logged out again after the update", "defect"},
	{"I logged out and logged back in on the desktop app", ""}, // what the customer did, no defect
	// Misbehaviour said without bug, error or crash.
	{"Notifications are not showing up on Android", "defect"},
	{"The verification email never arrives", "defect"},
	{"I'm not receiving the reset code", "defect"},
	{"clicking Save does nothing", "defect"},
	{"nothing happens when I tap Pay", "defect"},
	{"my settings keep resetting to default", "defect"},
	{"the calendar is out of sync with Google", "defect"},
	{"duplicate entries in the contact list after every import", "defect"},
	{"the total shows the wrong amount", "defect"},
	{"the auto-save overwrote my changes", "defect"},
	{"the video won't play on Safari", "defect"},
	{"the last column is cut off when I print", "defect"},
	{"I reinstalled and it still freezes", "defect"},
	{"How do I delete my account", "question"}, // a request, not data wiped
	{"My order never arrived", ""},             // a delivery, not the product
	{"I stopped playing after the season ended", ""},
	// complaints, often with defects
	{"This is unacceptable. Third time this month the sync is broken.", "complaint,defect"},
	{"I want a refund, this product is useless", "complaint"},
	{"Still waiting for a reply, it's been 3 days", "complaint"},
	{"nobody answered my ticket from last week 😡", "complaint"},
	{"You charged me twice this month!!", "complaint"},
	{"Really disappointed with the new pricing", "complaint"},
	{"honestly the support has been terrible", "complaint"},
	{"so slow today, every page takes ages", "complaint"},
	{"not great tbh", "complaint"},
	{"Great, now it's broken again", "defect"},
	{"how many times do I have to report this??", "complaint,question"},
	{"We are paying customers and the app keeps crashing, this is ridiculous", "complaint,defect"},
	// questions
	{"How do I export my invoices?", "question"},
	{"how can i change the billing email", "question"},
	{"Is there a way to add more seats?", "question"},
	{"What's the difference between Pro and Team plans?", "question"},
	{"where can I find the API key", "question"},
	{"Does the Slack integration support private channels?", "question"},
	{"any update on this?", "question"},
	{"hey team, quick question about SSO", "question"},
	{"Can someone help me with the CSV import", "question"},
	{"When will the Android app be released", "question"},
	{"why is my account locked?", "question"},
	{"I'm not sure how to invite my teammates", "question"},
	{"Do you have an ETA for the fix?", "question"},
	{"Anyone else seeing this?", "question"},
	{"please help!!", "question"},
	// A handle typed as text is a mention: the clause starts after it.
	{"@united why was my flight cancelled", "question"},
	{"why was my flight cancelled @united", "question"},
	{"I hate to bother you but the export still isn't working", "defect"},
	{"We would like to request SSO support", "idea"},
	{"thanks for your help", "noise"},
	// praise
	{"Love the new dashboard, great work team!", "praise"},
	{"thank you so much for the fix 🙏", "praise"},
	{"Thanks for the quick response, you guys rock", "praise"},
	{"This app is awesome", "praise"},
	{"Kudos to the support team, super helpful", "praise"},
	{"The new editor works perfectly ❤️", "praise"},
	{"Amazing release, well done!", "praise"},
	{"I love the app but the checkout crashes", "praise,defect"},
	// ideas
	{"Feature request: dark mode please", "idea"},
	{"It would be great if you could add dark mode", "idea"},
	{"would be nice to have a CSV export for reports", "idea"},
	{"Could you add support for Google SSO?", "idea,question"},
	{"Suggestion: let us pin messages", "idea"},
	{"I wish there was a keyboard shortcut for this", "idea"},
	{"Any plans to support Okta?", "idea,question"},
	{"idea 💡 bulk edit for tags", "idea"},
	{"When will you support SSO?", "idea,question"},
	{"Can we get an API for this?", "idea,question"},
	{"You should really let us export to CSV", "idea"},
	{"Why is there no undo button?", "idea,question"},
	// urgent
	{"URGENT: production is down for all users", "urgent,defect"},
	{"Our site is down!!! Please fix ASAP", "urgent,defect"},
	{"payments failing in prod, we're losing money", "urgent,defect"},
	{"Production down and nobody is answering. This is unacceptable", "urgent,complaint,defect"},
	{"need this fixed immediately, it's blocking our launch", "urgent"},
	{"🚨 outage on our side, all customers affected", "urgent"},
	{"sev1: checkout API returning 503", "urgent,defect"},
	// A security incident, money leaving now, a whole operation stopped, today's deadline.
	{"I think our account has been hacked", "urgent"},
	{"I see unauthorized charges on my card", "urgent"},
	{"I sent the money to the wrong account", "urgent"},
	{"my card was stolen, please freeze my card", "urgent"},
	{"the invoice page shows another customer's details", "urgent"},
	{"none of our staff can clock in", "urgent"},
	{"customers can't check out", "urgent"},
	{"we need the corrected report by end of day", "urgent"},
	{"10 life hacks for your inbox", ""}, // not hacked
	{"calm down, read the docs first", ""},
	// noise and small talk
	{"thanks", "noise"},
	{"ok", "noise"},
	{"thank you!", "noise"},
	{"got it", "noise"},
	{"👍", "noise"},
	{"hi", "noise"},
	{"hello?", "noise"},
	{"Thanks so much!!", "noise"},
	{"ok great, thanks 👍", "noise"},
	{"cool, works now. thx", "noise"},
	{"Good morning team", "noise"},
	{"no worries, have a good weekend", "noise"},
	{":+1:", "noise"},
	{"<@U0BOT> :pray:", "noise"},
	{"", "noise"},
	{"   ", "noise"},
	{"...", "noise"},
	// nothing recognised: not noise, no tag
	{"I upgraded to v2 yesterday", ""},
	{"see attached https://example.com/screenshot.png?x=1", ""},
	{"Our account id is 88213", ""},
}

var koCases = []tagCase{
	// 결함
	{"결제가 안 돼요", "defect"},
	{"결제가 안돼요", "defect"},
	{"결제 오류가 납니다", "defect"},
	{"앱이 계속 튕겨요", "defect"},
	{"로그인이 안 됩니다", "defect"},
	{"업데이트 후에 앱이 작동하지 않아요", "defect"},
	{"버그 있는 것 같아요", "defect"},
	{"에러 메시지가 떠요: 500", "defect"},
	{"대시보드가 먹통이에요", "defect,urgent"},
	{"화면이 안 열려요", "defect"},
	{"사진 업로드가 실패합니다", "defect"},
	{"알림이 안와요 안 뜨네요", "defect"},
	{"동기화가 멈췄어요", "defect"},
	{"결제창이 흰 화면으로 나와요", "defect"},
	{"앱 실행하면 바로 꺼져요", "defect"},
	{"계속 무한 로딩이에요", "defect"},
	{"화면이 백지로 나와요", "defect"},
	{"게임 렉이 심해요", "defect"},
	{"장백지 주연 영화 봤어요", ""}, // 백지 and 렉이 only start a word: a name is no blank page
	{"데이터가 사라졌어요", "defect"},
	// 불만
	{"환불해 주세요", "complaint"},
	{"환불받고 싶어요", "complaint"},
	{"환불이 왜 아직 안 됐나요?", "complaint,question,defect"},
	{"답변이 없네요", "complaint"},
	{"벌써 몇 번째 문의인지 모르겠어요", "complaint,question"},
	{"서비스가 너무 불편해요", "complaint"},
	{"이번 업데이트 정말 실망입니다", "complaint"},
	{"진짜 짜증나네요 ㅡㅡ", "complaint"},
	{"답변 속도 ㅉㅉ", "complaint"}, // tsk-tsk, as ㅡㅡ
	{"ㅉㅉㅉ", "complaint"},
	{"이중 결제가 되었어요", "complaint,defect"},
	{"안 좋아요", "complaint"},
	{"고객센터 대응이 최악이에요", "complaint"},
	{"야이 기레기야 제목 똑바로 써라", "complaint"}, // name-calling is a complaint
	{"상담원 진짜 멍청하네", "complaint"},
	{"어휴 또 점검이래", "complaint"},
	{"앱이 너무 느려요", "complaint"},
	{"언제까지 기다려야 하나요", "complaint,question"},
	// 질문
	{"비밀번호는 어떻게 바꾸나요?", "question"},
	{"영수증 발급 가능한가요", "question"},
	{"팀원 초대는 어디서 하나요", "question"},
	{"요금제 변경하면 언제부터 적용되나요?", "question"},
	{"왜 제 계정이 잠겼죠?", "question"},
	{"API 키 발급 방법 알려주세요", "question"},
	{"혹시 SSO 지원되나요", "question"},
	{"CSV로 내보낼 수 있을까요", "question"},
	{"이거 무료 플랜에서도 쓸 수 있나요", "question"},
	{"문의드립니다. 세금계산서 관련입니다", "question"},
	{"궁금한 게 있어요", "question"},
	{"청구서 금액이 얼마인지 확인 부탁드립니다", "question"},
	// 칭찬
	{"새 대시보드 최고예요!", "praise"},
	{"빠른 답변 감사합니다", "praise"},
	{"버그 고쳐주셔서 감사합니다 👍", "praise,defect"},
	{"앱 정말 잘 쓰고 있어요", "praise"},
	{"이번 업데이트 대박이네요", "praise"},
	{"디자인 너무 깔끔하고 좋아요", "praise"},
	{"덕분에 업무가 훨씬 편해졌어요 감사합니다", "praise"},
	{"기능이 마음에 들어요", "praise"},
	{"정말 만족하면서 쓰고 있습니다", "praise"},
	{"개발팀 화이팅!", "praise"},
	{"다음 업데이트 기대돼요", "praise"},
	{"항상 응원합니다", "praise"},
	// 아이디어
	{"다크 모드 기능 추가해 주시면 좋겠어요", "idea"},
	{"엑셀 내보내기 있으면 좋겠습니다", "idea"},
	{"제안 하나 드려요: 태그 색상 변경", "idea"},
	{"알림 설정에 요일별 옵션이 있었으면 해요", "idea"},
	{"구글 캘린더 연동 기능 요청합니다", "idea"},
	{"검색 기능 개선해 주세요", "idea"},
	// 오류라는 말 없이 말하는 결함
	{"알림이 안 와요", "defect"},
	{"설정이 자꾸 초기화돼요", "defect"},
	{"로그인이 계속 풀려요", "defect"},
	{"결제는 됐는데 주문 내역이 없어요", "defect"},
	{"버튼 눌러도 아무 반응이 없어요", "defect"},
	{"합계 금액이 안 맞아요", "defect"},
	{"첨부파일이 자꾸 누락돼요", "defect"},
	{"인증번호 문자를 못 받고 있어요", "defect"},
	{"결제 화면에서 다음 단계로 안 넘어가요", "defect"},
	{"프로필 사진이 자꾸 예전 걸로 돌아가요", "defect"},
	{"인쇄하면 마지막 열이 잘려요", "defect"},
	{"재설치해도 똑같아요", "defect"},
	{"\"결제 실패\"라고 떠요", "defect"},
	{"밤에는 알림 안 오게 설정할 수 있으면 좋겠어요", "idea"}, // a wish, not a notice that fails
	{"택배가 아직 안 왔어요", ""},                   // a delivery, not the product
	{"심장마비로 쓰러졌다는 기사 봤어요", ""},
	{"다크 모드 지원해주세요", "idea"},
	{"카톡 알림 연동되면 진짜 편할 텐데요", "idea"},
	{"가족 계정 기능은 언제 나오나요?", "idea,question"},
	// 긴급
	{"급해요! 결제가 전부 안 돼요", "urgent,defect"},
	{"긴급: 서버 다운입니다", "urgent,defect"},
	{"지금 당장 확인 부탁드립니다", "urgent"},
	{"빨리 해결해 주세요 고객들이 난리예요", "urgent"},
	{"운영 서버 장애 발생했습니다 최대한 빨리 봐주세요", "urgent,defect"},
	{"모든 사용자가 로그인이 안 돼요 급합니다", "urgent,defect"},
	{"계정이 해킹당한 것 같아요", "urgent"},
	{"제 카드로 무단 결제가 됐어요", "urgent"},
	{"송금을 잘못 했어요 다른 계좌로 보냈어요", "urgent"},
	{"매장 결제 시스템이 마비됐어요", "urgent"},
	{"다른 고객 주문 내역이 제 화면에 보여요", "urgent"},
	{"직원들이 전부 로그인을 못 해요", "urgent"},
	{"마감이 오늘 자정이에요", "urgent"},
	{"해킹 방지 설정은 어디서 하나요?", "question"},
	{"큰일났어요 주문이 하나도 안 들어와요", "urgent"},
	{"살려주세요 내일 오픈인데 결제 연동이 안 돼요", "urgent,defect"},
	// 잡담
	{"감사합니다", "noise"},
	{"네", "noise"},
	{"알겠습니다", "noise"},
	{"ㅎㅎ", "noise"},
	{"ㅋㅋㅋㅋ", "noise"},
	{"넵넵 확인했습니다!", "noise"},
	{"네 감사합니다 ㅎㅎ", "noise"},
	{"확인해 주셔서 감사합니다", "noise"},
	{"안녕하세요~", "noise"},
	{"수고하셨습니다 🙏", "noise"},
	{"정말 감사합니다!!", "noise"},
	// 섞인 말 (mixed)
	{"checkout 페이지가 crash 나요", "defect"},
	{"로그인 버튼 눌러도 nothing happens, 급해요", "defect,urgent"},
	{"SSO 설정 how do I 하나요?", "question"},
	{"dashboard 너무 좋아요 love it", "praise"},
	{"결제 안돼요 ASAP 부탁드립니다", "defect,urgent"},
	// 아무 태그 없음
	{"어제 새 버전으로 업데이트했습니다", ""},
	{"저희 회사 계정 ID는 88213입니다", ""},
}

// wantTags is the tags a table case names, sorted. A reported defect is
// a complaint too (TestDefectIsComplaint), so a case that names defect and
// neither complaint nor praise wants complaint as well: the tables name
// what the rules match.
func wantTags(s string) []string {
	if s == "" {
		return nil
	}
	w := strings.Split(s, ",")
	if slices.Contains(w, "defect") && !slices.Contains(w, "complaint") && !slices.Contains(w, "praise") {
		w = append(w, "complaint")
	}
	slices.Sort(w)
	return w
}

func tagNames(tags []tag.Tag) []string {
	var n []string
	for _, t := range tags {
		n = append(n, t.Name)
	}
	slices.Sort(n)
	return n
}

// checkTags asserts what holds for every result of Tag.
func checkTags(t *testing.T, text string, tags []tag.Tag) {
	t.Helper()
	for i, g := range tags {
		if g.Reason == "" {
			t.Errorf("%q: tag %s has an empty reason", text, g.Name)
		}
		if !(g.Score > 0 && g.Score <= 1) || math.IsNaN(g.Score) {
			t.Errorf("%q: tag %s score %v not in (0,1]", text, g.Name, g.Score)
		}
		if g.Name == tag.Noise && len(tags) != 1 {
			t.Errorf("%q: noise combined with other tags: %v", text, tags)
		}
		if i > 0 {
			p := tags[i-1]
			if p.Score < g.Score || p.Score == g.Score && p.Name > g.Name {
				t.Errorf("%q: tags not sorted by score then name: %v", text, tags)
			}
			if p.Name == g.Name {
				t.Errorf("%q: tag %s twice", text, g.Name)
			}
		}
	}
}

func runCases(t *testing.T, tg *tag.Tagger, cases []tagCase) {
	t.Helper()
	for _, c := range cases {
		tags := tg.Tag(c.text)
		checkTags(t, c.text, tags)
		if got, want := tagNames(tags), wantTags(c.want); !slices.Equal(got, want) {
			t.Errorf("Tag(%q) = %v, want %v\n\t%v", c.text, got, want, tags)
		}
	}
}

// The tables below pin the keyword rules (tag.RulesOnly): what each rule
// matches and says. The rules and the model together have their own
// tables in model_test.go, which only require and forbid tags, since a
// retrained model may move a score.
func rulesOnly(rules []tag.Rule) (*tag.Tagger, error) {
	return tag.Build(tag.Config{Rules: rules, Use: tag.RulesOnly})
}

func TestTagEnglish(t *testing.T) {
	tg, err := rulesOnly(nil)
	if err != nil {
		t.Fatal(err)
	}
	runCases(t, tg, enCases)
}

func TestTagKorean(t *testing.T) {
	tg, err := rulesOnly(nil)
	if err != nil {
		t.Fatal(err)
	}
	runCases(t, tg, koCases)
}

func TestTagCaseCount(t *testing.T) {
	if n := len(enCases) + len(koCases); n < 150 {
		t.Errorf("only %d table cases, want at least 150", n)
	}
}

func TestNilTaggerUsesBuiltins(t *testing.T) {
	var tg *tag.Tagger
	def, err := tag.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"the app crashes", "환불해 주세요", "thanks"} {
		if got, want := tg.Tag(text), def.Tag(text); !slices.Equal(tagNames(got), tagNames(want)) || !hasTag(got, tag.Defect) && text == "the app crashes" {
			t.Errorf("nil Tagger: Tag(%q) = %v, want %v (with defect)", text, got, want)
		}
	}
}

// Korean keywords match with any particle or ending attached, and with
// or without spaces.
func TestTagKoreanParticles(t *testing.T) {
	tg, err := rulesOnly([]tag.Rule{{Name: "billing", Keywords: []string{"환불", "결제를"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{
		"환불이 필요해요", "환불을 요청합니다", "환불은 언제 되나요", "환불도 안 되나요", "환불해 주세요",
		"환불받고 싶어요", "부분환불 가능한가요", "환불까지 얼마나 걸려요", "환불부터 해주세요",
		"결제가 두 번 됐어요", "결제를 취소하고 싶어요", "결제는 어떻게", "결제에서 막혀요", "카드결제로 했어요",
		"결제하려고 하는데", "결제했는데요",
	} {
		tags := tg.Tag(text)
		checkTags(t, text, tags)
		var billing *tag.Tag
		for i := range tags {
			if tags[i].Name == "billing" {
				billing = &tags[i]
			}
		}
		if billing == nil {
			t.Errorf("Tag(%q) = %v, want billing", text, tags)
			continue
		}
		if !strings.HasPrefix(billing.Reason, "operator rule billing: matched ") {
			t.Errorf("Tag(%q) billing reason = %q", text, billing.Reason)
		}
	}
	for _, c := range []struct{ text, found string }{
		{"안 돼요", `"안 돼"`}, {"안돼요", `"안돼"`}, {"안 됩니다", `"안 됩"`}, {"작동하지 않아요", `"작동하지 않"`},
		{"작동 안 해요", `"작동 안"`}, {"튕겨요", `"튕겨"`}, {"먹통이에요", `"먹통"`},
	} {
		tags := tg.Tag(c.text)
		if !hasTag(tags, tag.Defect) || !strings.Contains(reasonOf(tags, tag.Defect), c.found) {
			t.Errorf("Tag(%q) = %v, want defect matching %s", c.text, tags, c.found)
		}
	}
}

func hasTag(tags []tag.Tag, name string) bool { return reasonOf(tags, name) != "" }

func reasonOf(tags []tag.Tag, name string) string {
	for _, g := range tags {
		if g.Name == name {
			return g.Reason
		}
	}
	return ""
}

func TestTagReasons(t *testing.T) {
	tg, _ := rulesOnly([]tag.Rule{{Name: "billing", Keywords: []string{"invoice", "refund", "환불", "결제"}}})
	for _, c := range []struct{ text, tag, reason string }{
		{"The app is NOT WORKING and I want a refund", tag.Complaint, `rule complaint/en: matched "refund"`},
		{"The app is NOT WORKING and I want a refund", tag.Defect, `rule defect/en: matched "is NOT WORKING"`},
		{"The app is NOT WORKING and I want a refund", "billing", `operator rule billing: matched "refund"`},
		{"환불해 주세요", "billing", `operator rule billing: matched "환불"`},
		{"App Crashed, then CRASHES again", tag.Defect, `rule defect/en: matched "Crashed", "CRASHES"`},
		{"결제 오류 and it crashed", tag.Defect, `rule defect/en: matched "crashed"; rule defect/ko: matched "오류"`},
		{"hello?", tag.Noise, `rule noise: only small talk "hello"`},
		{"", tag.Noise, `rule noise: empty message`},
		{"왜 안 돼요?", tag.Question, `rule question/ko: matched "왜", "?"`},
	} {
		if got := reasonOf(tg.Tag(c.text), c.tag); got != c.reason {
			t.Errorf("Tag(%q) %s reason = %q, want %q", c.text, c.tag, got, c.reason)
		}
	}
}

func TestTagScores(t *testing.T) {
	tg, _ := rulesOnly(nil)
	one := tg.Tag("it crashed")
	two := tg.Tag("it crashed with an error, totally broken")
	if one[0].Score >= two[0].Score {
		t.Errorf("more evidence should score higher: %v vs %v", one, two)
	}
	if s := two[0].Score; s > 1 {
		t.Errorf("score %v > 1", s)
	}
	// The same word repeated is one piece of evidence.
	if a, b := tg.Tag("crash")[0].Score, tg.Tag("crash crash crash crashes")[0].Score; a != b {
		t.Errorf("repeated word changed the score: %v vs %v", a, b)
	}
}

func TestTagJSON(t *testing.T) {
	b, err := json.Marshal(tag.Tag{Name: "defect", Score: 0.7, Reason: "r"})
	if err != nil || string(b) != `{"name":"defect","score":0.7,"reason":"r"}` {
		t.Errorf("json = %s, %v", b, err)
	}
}

func TestIsNoise(t *testing.T) {
	for _, c := range []struct {
		tags []tag.Tag
		want bool
	}{
		{nil, false},
		{[]tag.Tag{{Name: tag.Noise, Score: 1, Reason: "x"}}, true},
		{[]tag.Tag{{Name: tag.Defect, Score: 1, Reason: "x"}}, false},
		{[]tag.Tag{{Name: tag.Noise, Score: 1, Reason: "x"}, {Name: tag.Defect, Score: 1, Reason: "x"}}, false},
	} {
		if got := tag.IsNoise(c.tags); got != c.want {
			t.Errorf("IsNoise(%v) = %v", c.tags, got)
		}
	}
	tg, _ := tag.New(nil)
	if !tag.IsNoise(tg.Tag("thanks!")) || tag.IsNoise(tg.Tag("thanks, but it still crashes")) {
		t.Error("IsNoise on Tag results")
	}
}

func TestLanguage(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"", "en"}, {"hello there", "en"}, {"결제가 안 돼요", "ko"}, {"checkout 페이지가 계속 안 열려요", "ko"}, {"checkout 페이지가 crash 나요", "en"},
		{"the checkout page 오류", "en"}, {"ㅋㅋㅋ", "en"}, {"500 에러", "ko"},
		{"<https://example.com/very/long/link|링크> 확인 부탁드립니다", "ko"},
	} {
		if got := tag.Language(c.text); got != c.want {
			t.Errorf("Language(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestOperatorRules(t *testing.T) {
	tg, err := rulesOnly([]tag.Rule{
		{Name: "billing", Keywords: []string{"invoice", "refund", "환불", "결제"}},
		{Name: "security", Keywords: []string{"2FA", "data breach"}, Regex: `CVE-\d{4}-\d+`},
		{Name: tag.Urgent, Keywords: []string{"chargeback", "법적 조치"}},
		{Name: "order", Regex: `\bORD-[0-9]{5}\b`},
		{Name: "partner", Keywords: []string{"카카오 pay", "🦄"}},
		{Name: tag.Noise, Keywords: []string{"lgtm", "ㅇㅋ", "수고링"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text, want, reason string
	}{
		{"Where is my invoice?", "billing,question", `operator rule billing: matched "invoice"`},
		{"Invoices for March are wrong", "billing,defect", `operator rule billing: matched "Invoices"`},
		{"환불 요청합니다", "billing,complaint", `operator rule billing: matched "환불"`},
		{"결제가 두 번 됐어요", "billing,complaint,defect", `operator rule billing: matched "결제"`},
		{"Is 2fa supported?", "security,question", `operator rule security: matched "2fa"`},
		{"we had a DATA BREACH", "security,urgent", `operator rule security: matched "DATA BREACH"`},
		{"Are you affected by cve-2024-3094", "security,question", `operator rule security: matched "cve-2024-3094" (regex)`},
		{"We will file a chargeback", "urgent", `operator rule urgent: matched "chargeback"`},
		{"법적 조치를 취하겠습니다", "urgent", `operator rule urgent: matched "법적 조치"`},
		{"order ord-12345 never arrived", "order", `operator rule order: matched "ord-12345" (regex)`},
		{"카카오Pay 결제 문의", "partner,billing,question", `operator rule partner: matched "카카오Pay"`},
		{"🦄 tier customer here", "partner", `operator rule partner: matched "🦄"`},
		{"lgtm", "noise", ``},
		{"ㅇㅋ 수고링", "noise", ``},
	} {
		tags := tg.Tag(c.text)
		checkTags(t, c.text, tags)
		if got, want := tagNames(tags), wantTags(c.want); !slices.Equal(got, want) {
			t.Errorf("Tag(%q) = %v, want %v", c.text, tags, want)
		}
		if c.reason != "" && !strings.Contains(strings.Join(reasons(tags), "\n"), c.reason) {
			t.Errorf("Tag(%q) reasons %q lack %q", c.text, reasons(tags), c.reason)
		}
	}
	// Extending a built-in keeps its own evidence and reason.
	r := reasonOf(tg.Tag("URGENT: chargeback incoming"), tag.Urgent)
	if r != `rule urgent/en: matched "URGENT"; operator rule urgent: matched "chargeback"` {
		t.Errorf("extended urgent reason = %q", r)
	}
}

func reasons(tags []tag.Tag) []string {
	var r []string
	for _, g := range tags {
		r = append(r, g.Reason)
	}
	return r
}

func TestOperatorRuleErrors(t *testing.T) {
	long := "(" + strings.Repeat("a", 1100) + ")"
	for _, c := range []struct {
		rule tag.Rule
		want string // in the error
	}{
		{tag.Rule{Name: "", Keywords: []string{"x"}}, "empty name"},
		{tag.Rule{Name: "bad name", Keywords: []string{"x"}}, `"bad name"`},
		{tag.Rule{Name: "empty"}, `tag rule "empty": no keywords and no regex`},
		{tag.Rule{Name: "blank", Keywords: []string{"ok", "  "}}, `tag rule "blank": keyword 2`},
		{tag.Rule{Name: "punct", Keywords: []string{"!!!"}}, `tag rule "punct": keyword 1`},
		{tag.Rule{Name: "badre", Regex: `inv-(\d+`}, `tag rule "badre": regex`},
		{tag.Rule{Name: "longre", Regex: long}, `tag rule "longre": regex is 1102 bytes`},
		{tag.Rule{Name: "bigre", Regex: `(\w{100}){100}`}, `tag rule "bigre": regex`},
		{tag.Rule{Name: "emptyre", Regex: `x*`}, `tag rule "emptyre": regex "x*" matches an empty message`},
		{tag.Rule{Name: tag.Noise, Regex: `ok`}, `tag rule "noise"`},
	} {
		_, err := tag.New([]tag.Rule{c.rule})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) error = %v, want it to contain %q", c.rule, err, c.want)
		}
	}
	_, err := tag.New([]tag.Rule{{Name: "a", Keywords: []string{"x"}}, {Name: "a", Keywords: []string{"y"}}})
	if err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("duplicate rule: error = %v", err)
	}
	// A 1 KiB regex is still accepted.
	ok := strings.Repeat("a", 1024)
	if _, err := tag.New([]tag.Rule{{Name: "edge", Regex: ok}}); err != nil {
		t.Errorf("1024-byte regex: %v", err)
	}
}

func TestTagConcurrent(t *testing.T) {
	tg, _ := tag.New([]tag.Rule{{Name: "billing", Keywords: []string{"invoice", "환불"}, Regex: `INV-\d+`}})
	all := append(slices.Clone(enCases), koCases...)
	want := make([][]string, len(all))
	for i, c := range all {
		want[i] = tagNames(tg.Tag(c.text))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range all {
				i := (k + g*17) % len(all)
				if got := tagNames(tg.Tag(all[i].text)); !slices.Equal(got, want[i]) {
					t.Errorf("concurrent Tag(%q) = %v, want %v", all[i].text, got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestTagAllocations(t *testing.T) {
	tg, _ := tag.New(nil)
	msg := "The checkout page crashes every time, please fix ASAP"
	n := len(tg.Tag(msg))
	allocs := testing.AllocsPerRun(200, func() { tg.Tag(msg) })
	// The result slice and one reason per tag; the scan and the model
	// allocate nothing once their pooled memory has grown. Under the race
	// detector sync.Pool drops items at random, so the scan reallocates.
	limit := float64(1 + n)
	if poolDropsItems() {
		limit = 32 // a fresh scratch grows its dozen buffers
	}
	if allocs > limit {
		t.Errorf("Tag allocates %v times per message, want at most %v", allocs, limit)
	}
}

// poolDropsItems reports whether sync.Pool is dropping items on purpose,
// as it does under the race detector.
func poolDropsItems() bool {
	var p sync.Pool
	for range 100 {
		x := new(int)
		p.Put(x)
		if p.Get() != x {
			return true
		}
	}
	return false
}

func FuzzTag(f *testing.F) {
	for _, s := range []string{"", "checkout crashed again", "결제가 안 돼요", "환불받고 싶어요 ㅠㅠ", "hello?",
		"<@U1> :+1: <https://x.y|z>", "\xff\xfe 안\xed\x9f돼", "not great", "🚨🚨 prod down ASAP"} {
		f.Add(s)
	}
	tg, err := tag.New([]tag.Rule{
		{Name: "billing", Keywords: []string{"invoice", "환불", "결제를", "카카오 pay"}, Regex: `INV-\d+`},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tags := tg.Tag(text)
		checkTags(t, text, tags)
		for _, g := range tags {
			if !utf8.ValidString(g.Reason) {
				t.Errorf("reason is not valid UTF-8: %q", g.Reason)
			}
		}
		if l := tag.Language(text); l != "en" && l != "ko" {
			t.Errorf("Language = %q", l)
		}
		terms := tag.Terms(text)
		if !slices.IsSorted(terms) || len(slices.Compact(slices.Clone(terms))) != len(terms) {
			t.Errorf("Terms(%q) = %q: not sorted and unique", text, terms)
		}
	})
}

var benchMessages = []string{
	"The checkout page crashes every time I click Pay",
	"결제가 안 돼요 급해요",
	"How do I export my invoices?",
	"환불받고 싶어요. 벌써 몇 번째 문의인지 모르겠네요",
	"thanks 👍",
	"다크 모드 기능 추가해 주시면 좋겠어요",
	"Love the new dashboard, great work team!",
	"로그인이 안 됩니다. 어떻게 해야 하나요?",
	"URGENT: production is down for all users",
	"네 알겠습니다 ㅎㅎ",
	"It would be great if you could add SSO with Okta",
	"checkout 페이지가 crash 나요, ASAP 부탁드립니다",
}

func BenchmarkTagger(b *testing.B) {
	tg, err := tag.New([]tag.Rule{{Name: "billing", Keywords: []string{"invoice", "refund", "환불", "결제"}}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		tg.Tag(benchMessages[n%len(benchMessages)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}

// A huge message costs linear time and yields short reasons.
func TestTagHugeMessage(t *testing.T) {
	tg, _ := tag.New(nil)
	for _, text := range []string{
		strings.Repeat("Crash error BUG broken, not great ", 5000),
		strings.Repeat("결제가 안 돼요 ", 10000),
		strings.Repeat("<:a", 30000),
	} {
		tags := tg.Tag(text)
		checkTags(t, text[:40], tags)
		for _, g := range tags {
			if len(g.Reason) > 600 {
				t.Errorf("reason of %d bytes: %.80q…", len(g.Reason), g.Reason)
			}
		}
	}
}

// A reported defect is a complaint too: routing, SLAs and counts by
// complaint include it, and the reason says why. Thanks for a fixed bug
// (praise) is not a complaint.
func TestDefectIsComplaint(t *testing.T) {
	for _, use := range []tag.Use{tag.RulesOnly, tag.RulesAndModel} {
		tg, err := tag.Build(tag.Config{Use: use})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ text, reason string }{
			{"Export is BROKEN", `reported defect: rule defect/en: matched "BROKEN"`},
			{"결제 오류가 납니다", `reported defect: rule defect/ko: matched "오류"`},
		} {
			tags := tg.Tag(c.text)
			if use == tag.RulesAndModel {
				c.reason = "" // the model may give complaint itself, with its own reason
			}
			if !hasTag(tags, tag.Defect) || !hasTag(tags, tag.Complaint) || !strings.HasPrefix(reasonOf(tags, tag.Complaint), c.reason) {
				t.Errorf("%v: Tag(%q) = %v, want defect and complaint with reason %q…", use, c.text, tags, c.reason)
			}
		}
		for _, text := range []string{"버그 고쳐주셔서 감사합니다 👍", "Thanks for fixing the export bug so fast, great work"} {
			if tags := tg.Tag(text); !hasTag(tags, tag.Defect) || hasTag(tags, tag.Complaint) {
				t.Errorf("%v: Tag(%q) = %v, want defect and not complaint", use, text, tags)
			}
		}
	}
}
