package tag

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Korean is matched on syllables, not on words: a message's Hangul words
// are joined without the spaces between them (안 돼요 and 안돼요 both read
// 안돼요), and a keyword of two or more syllables matches anywhere in that
// run, so particles, endings and compounds around it do not matter (환불이,
// 환불을, 환불해 주세요, 환불받고 싶어요, 부분환불 all hold 환불). A one-
// syllable keyword (왜, 짱) must start a word; question endings (-나요, -까요)
// must end one. Matching is leftmost-longest without overlaps, so 안 좋아요
// reads as the complaint 안좋, not the praise 좋아요.

// nSyllables is the number of precomposed Hangul syllables, U+AC00..U+D7A3.
const nSyllables = 0xD7A3 - 0xAC00 + 1

// koIndex is the Korean index.
type koIndex struct {
	index   map[string]int32 // compact keyword -> entry
	entries []entry
	mask    []uint32 // by first syllable: bit L set when some keyword of L syllables starts with it; nil when empty
}

// addKO indexes a Korean keyword. An operator's one-word keyword is first
// stripped of its particles and endings (결제를 -> 결제) when two syllables
// or more are left.
func (b *builder) addKO(kw string, tg target, operator bool) error {
	if operator && !strings.Contains(kw, " ") {
		if st := koStem(kw); utf8.RuneCountInString(st) >= 2 {
			kw = st
		}
	}
	compact := strings.Join(strings.Fields(kw), "")
	n := 0
	for _, r := range compact {
		if !isSyllable(r) {
			return fmt.Errorf("mixes Hangul with other characters")
		}
		n++
	}
	if n > 31 {
		return fmt.Errorf("keyword longer than 31 syllables")
	}
	if n == 1 {
		tg.flags |= flagStart
	}
	ko := &b.t.ko[indexSet(operator)]
	if ko.mask == nil {
		ko.mask = make([]uint32, nSyllables)
	}
	e, ok := ko.index[compact]
	if !ok {
		ko.entries = append(ko.entries, entry{})
		e = int32(len(ko.entries) - 1)
		ko.index[compact] = e
		first, _ := utf8.DecodeRuneInString(compact)
		ko.mask[first-0xAC00] |= 1 << n
	}
	if tg.rule >= 0 {
		ko.entries[e].targets = append(ko.entries[e].targets, tg)
	}
	return nil
}

// syllableAt decodes the syllable at byte i of a buffer of syllables.
func syllableAt(b []byte, i int) rune {
	return rune(b[i]&0x0F)<<12 | rune(b[i+1]&0x3F)<<6 | rune(b[i+2]&0x3F)
}

// matchKO finds Korean keywords, leftmost longest, within each run of
// Hangul words that only spaces separate.
func (t *Tagger) matchKO(s *scratch, set int) {
	ko := &t.ko[set]
	if ko.mask == nil {
		return
	}
	n := len(s.koOrig)
	for si, seg := range s.koSeg {
		end := n
		if si+1 < len(s.koSeg) {
			end = int(s.koSeg[si+1])
		}
		for i := int(seg); i < end; {
			adv := 1
			m := ko.mask[syllableAt(s.ko, i*3)-0xAC00]
			for L := min(31, end-i); m != 0 && L >= 1; L-- {
				if m&(1<<L) == 0 {
					continue
				}
				e, ok := ko.index[string(s.ko[i*3:(i+L)*3])]
				if ok && t.koEmit(s, set, e, int(seg), i, i+L) {
					adv = L
					break
				}
			}
			i += adv
		}
	}
}

// koEmit records the evidence of entry e at syllables [i, j) and reports
// whether any target's position rules allowed it.
func (t *Tagger) koEmit(s *scratch, set int, e int32, seg, i, j int) bool {
	ent := &t.ko[set].entries[e]
	if len(ent.targets) == 0 {
		return true // a stop word: consumed, tags nothing
	}
	startsWord := s.koFlag[i]&flagStart != 0
	endsWord := s.koFlag[j-1]&flagEnd != 0
	if !startsWord && crossesWord(s, i, j) {
		return false // 결제 안돼요 must not read as 제안
	}
	key := int32(set<<23) | e
	start, stop := s.koOrig[i], s.koOrig[j-1]+3
	// 안/못 as a word right before a praise word negates it.
	negated := startsWord && i > seg && s.koFlag[i-1] == flagStart|flagEnd &&
		(syllableAt(s.ko, (i-1)*3) == '안' || syllableAt(s.ko, (i-1)*3) == '못')
	any := false
	for _, tg := range ent.targets {
		// An ending must end a word and follow a stem: 있나요 is a question,
		// (오류가) 나요 is not.
		if tg.flags&flagStart != 0 && !startsWord || tg.flags&flagEnd != 0 && (!endsWord || startsWord) {
			continue
		}
		any = true
		if negated && tg.rule == rulePraise {
			if tg.flags&flagBooster == 0 {
				s.addEv(evidence{key: keyNegKO | key, rule: ruleComplaint, src: srcKO, w: 0.45,
					start: s.koOrig[i-1], end: stop})
			}
			continue
		}
		s.addEv(evidence{key: keyKO | key, rule: tg.rule, src: tg.src, flags: tg.flags &^ (flagStart | flagEnd),
			w: tg.w, start: start, end: stop})
	}
	return any
}

// crossesWord reports whether syllables [i, j) run past the end of a word.
func crossesWord(s *scratch, i, j int) bool {
	for k := i; k < j-1; k++ {
		if s.koFlag[k]&flagEnd != 0 {
			return true
		}
	}
	return false
}

// koYes reports whether w is only 네/넵/넹/예/응 repeated: 네네, 넵넵넵.
func koYes(w string) bool {
	for _, r := range w {
		switch r {
		case '네', '넵', '넹', '예', '응', '웅', '넴', '옙':
		default:
			return false
		}
	}
	return w != ""
}

// smallTalkKO are whole Korean words that are small talk.
const smallTalkKO = `네 넵 넹 예 응 웅 넴 옙 네네 넵넵 알겠습니다 알겠어요 알겠습니당 알았어요 알겠음 알겠네요 확인했습니다
	확인했어요 확인했습니당 확인 확인했음 확인했네요 감사합니다 감사해요 감사드립니다 감사드려요 감사합니당 감사해용
	고맙습니다 고마워요 고맙습니당 감사 땡큐 정말 너무 진짜 넘 매우 대단히 다시 한번 한 번 늘 항상 안녕하세요 안녕하세용
	안녕 수고하세요 수고하셨습니다 수고 많으셨습니다 수고많으셨습니다 좋아요 좋습니다 좋네요 오케이 굿 잘 부탁드립니다
	부탁드려요 부탁해요 여러분 담당자님 확인해 확인해주셔서 주셔서 답변 답변해 답장 연락 안내 안내해 설명 설명해 도움
	빠른 친절한 친절하게 넵! 그렇군요 그렇네요 아하 아 오 와 우와 네~ 좋은 하루 되세요 주말 보내세요 많이 진심으로`

// specsKO are the built-in Korean rules.
var specsKO = []spec{
	{ruleComplaint, 0.65, 0, []string{"불만", "실망", "짜증", "화나", "화가 나", "화납", "최악", "너무하", "답답",
		"어이없", "어이가 없", "황당", "어처구니", "엉망", "형편없", "불편", "장난하", "장난해",
		"만족스럽지 않", "만족하지 않", "만족 못", "불만족", "{이중|중복|두 번|두번} {결제|청구}", "결제가 두 번",
		"{답변|답|연락|응답|회신|답장}{이|도|} 없", "무시", "몇 번째", "몇번째", "몇 번이나", "몇번이나"}},
	{ruleComplaint, 0.5, 0, []string{"환불", "해지", "탈퇴", "안 좋", "사기", "손해", "돈만", "기다리고 있", "기다렸",
		"기다려도", "느려", "느립", "느리", "너무 느", "아직도", "언제까지", "별로", "잘못 청구"}},
	// Insults, profanity and plain disgust, as comments and reviews use them.
	{ruleComplaint, 0.65, 0, []string{"씨발", "시발", "씨바", "병신", "개새끼", "새끼들", "지랄", "좆같", "좆 같", "닥쳐",
		"쓰레기", "역겹", "역겨워", "역겨운", "한심", "극혐", "거지같", "거지 같", "개판", "노답", "엉터리", "불친절",
		"무례", "싸가지", "돈 아깝", "돈아깝", "비추", "재미없", "노잼", "맛없"}},
	{ruleComplaint, 0.5, 0, []string{"후회", "싫어요", "싫네요", "싫다", "지겹", "지겨워", "형편 없", "허접", "조잡", "불쾌"}},
	// Name-calling and sneers of a comment section: aimed at a company,
	// they are a complaint too.
	{ruleComplaint, 0.5, 0, []string{"새끼야", "이새끼", "이 새끼", "저 새끼", "이새기", "새기들", "기레기", "관종", "듣보", "꼴값", "꼴보기 싫",
		"못생", "찐따", "한남충", "김치녀", "된장녀", "틀딱", "급식충", "맘충", "미친놈", "미친년", "미친 놈", "또라이", "돌아이", "정신병자",
		"정신 나간", "무뇌", "븅신", "빙신", "등신", "멍청", "열폭", "깝치", "토 나와", "토나와", "토 나오", "토나오", "쯧쯧", "에휴", "어휴"}},
	{ruleQuestion, 0.4, 0, []string{"언제까지", "왜 아직", "이해가 안"}},
	{ruleComplaint, 0.5, 0, []string{"왜 아직"}},

	{ruleDefect, 0.7, 0, []string{"버그", "오류", "에러", "크래시", "크래쉬", "먹통", "강제 종료", "강제종료",
		"{작동|동작|실행}{하지 않|이 안|을 안|안|도 안|이 되지 않|되지 않|불가}", "{열리지|열리질} 않",
		"튕겨", "튕기", "튕김", "튕깁", "튕겼", "무한 로딩", "로딩이 안", "로그인이 안", "로그인 안", "서버 다운", "서버가 다운"}},
	{ruleDefect, 0.55, 0, []string{"안 {돼|되|됨|됩|됐|됬|대요}", "안 {열려|열리|열립|열림|떠|뜨|뜹|뜸|나와|나오|나옵|보여|보이|보입|눌려|눌리|눌립|먹혀|먹히|먹힘}",
		"팅겨", "팅기", "팅김", "실패", "멈춰", "멈춤", "멈췄", "멈춥", "깨져", "깨짐", "깨졌", "깨집", "깨진",
		"{하얀|흰|빈|검은|까만} 화면", "^백지", "로딩만", "장애", "다운됐", "다운되", "다운됨", "다운돼", "서비스 중단"}},
	// How customers say a part misbehaves without 오류 or 버그: a code or
	// a notice never comes, settings reset, a login drops, money leaves
	// but the order does not, something is duplicated, wiped, left out,
	// does not react, or cannot be done.
	{ruleDefect, 0.55, 0, []string{
		"{알림|푸시|문자|인증번호|인증 번호|인증코드|인증 코드|메일|이메일|메시지|메세지|카톡|링크}{이|가|도|은|는|} 안 {와|옵|왔|옴|온다|오네|오고|오는데|오더|오던|가요|감|갑|갔|가네|가고|가는데|떠|뜨네|뜸|뜨고|울려|울리네|울림|울리고}",
		"{알림|푸시|문자|인증번호|인증 번호|인증코드|인증 코드|메일|이메일|메시지|메세지}{을|를|이|가|도|} 못 받",
		"{알림|푸시|문자|인증번호|메일|이메일|메시지|메세지}{이|가|도|} 오지 {않아|않습|않네|않고|않음}",
		"초기화{돼|되|됐|됨|됩}", "리셋{돼|되|됐|됨|됩}", "로그아웃{돼|되|됐|됨|됩|이 돼|이 되|이 됐}",
		"로그인{이|} {풀려|풀리|풀림|풀렸|풀립}", "로그인{이|} {계속|자꾸|또|매번} 풀",
		"{돈|금액|요금|돈만|금액만}{은|이|} {빠져나갔|빠져 나갔|나갔는데|출금}", "{결제|출금|이체|승인}{는|은|가|만|} {됐는데|되었는데|됐으나|완료됐는데|완료되었는데}",
		"중복{돼요|됐어|되었|됩니다|돼서|되네|됨|돼 있|되어 있}", "중복으로 {들어|생성|등록|표시|저장|발송|전송|나와|나오|와요|왔|떠|찍혀}", "{두 번|두번|두 개|두개}씩",
		"누락{돼요|됐어|되었|됩니다|돼서|되네|됨|돼 있|되어 있|이 돼|이 됐|이 있}", "지워{졌어|졌습|졌네|져 있|져버|져서|버렸|버림}", "삭제{됐어|되었어|돼 버|되어 버|돼버|되어버|됐네|됐습}", "{날라갔|날라감}",
		"안 {바뀌|바뀝|바껴|바뀜|바꿔져|바꿔지|켜져|켜지|켜짐|켜집|켜졌}", "하나도 안 남",
		"{화면|페이지|단계|결제창|로딩}{이|가|에서|} {안 넘어|넘어가지 않|넘어가질 않}", "다음{으로| 단계로| 화면으로| 페이지로} {안|못} 넘어",
		"{타임아웃|시간 초과|응답 없음|응답없음|무반응|오작동|데드락|메모리 누수|블루스크린|무한 재부팅|무한재부팅|무한 루프}",
		"{접속|로그인|연결|실행|설치|업데이트|동기화|업로드|다운로드|재생|전송|결제|저장|인증} 불가",
		"연결 없음", "{반응이|반응도|아무 반응|아무반응|아무런 반응} 없", "{눌러도|클릭해도|터치해도|눌러봐도|눌렀는데} {아무|반응|그대로|안 돼|안 되|안 됨|안 눌|안 먹}",
		"{연결할|접속할|로그인할|불러올|저장할|실행할|설치할|업로드할|다운로드할|결제할} 수 없",
		"{불러오지|저장되지|전송되지|실행되지|설치되지|켜지지|동기화되지|로드되지} {않아|않습|않네|않고|않음|않는데|못해|못하|못합}",
		"{합계|총액|금액|잔액|수량|날짜|시간|재고|포인트|계산}{이|가|도|} {안 맞|틀|다르게|엉망}", "{다르게|엉뚱하게|이상하게} {나와|나옵|나오|표시|떠|뜨|뜹|보여|보이|찍혀|찍히|계산|들어가|적용|청구}",
		"{소리|음성}{가|도|} 안 나", "싱크{가|} 안 맞", "무음으로", "{인식|스캔}{이|을|} {안|못}",
		"{배터리가|배터리} {너무 빨리|금방|빨리} 닳", "{다|전부|모두} 비어",
		"{영어|일본어|중국어|외국어}로 {나와|나옵|나오|떠|뜨|표시|바뀌}", "{저절로|혼자|갑자기|자꾸|계속} 종료",
		"{예전|이전|옛날|원래|기본|처음}{ 걸로| 것으로| 버전으로| 값으로| 설정으로| 사진으로|으로|로} {돌아가|돌아와|돌아갑|돌아옵|되돌아}",
		"{이미지|사진|그림|글자|글씨|텍스트|내용|열|행|표|버튼|화면}{이|가|도|} {잘려|잘리|잘림|밀려|겹쳐|겹치|짤려|짤리|짤림}",
		// A system message quoted, and a fix tried that did not help.
		"{라고|이라고|다고|라는|이라는|다는} {떠요|뜹니다|뜨네요|뜨고|떠서|뜨면서|떴어요|떠있|문구가|메시지가|메세지가|창이|팝업이|에러가|오류가|화면이|표시돼|표시되|나와요|나옵니다|나오고|나와서}",
		"{재설치|재부팅|재시작|다시 설치|삭제 후 설치|지웠다 깔|껐다 켜|껐다가 켜|캐시 삭제|로그아웃 후|다시 로그인}{해도|해봐도|했는데도|했는데|도 해봤는데|해 봐도|봐도|도} {똑같|그대로|안 돼|안 되|안 됨|마찬가지|여전히|계속|증상}"}},
	{ruleDefect, 0.4, 0, []string{"이상해", "이상하", "이상합", "이상한", "문제가 있", "문제가 생", "문제가 발생",
		"꺼져", "꺼짐", "꺼졌", "꺼집", "사라졌", "사라져", "사라짐", "없어졌", "날아갔", "버벅", "끊겨", "끊기", "끊김",
		"잘못", "틀려", "틀린", "틀렸", "^렉이", "렉 걸", "중복 결제", "이중 결제", "결제가 두 번"}},

	{ruleQuestion, 0.55, 0, []string{"어떻게", "어떡", "궁금", "-나요", "-까요", "-인가요", "-는가요", "-한가요", "-은가요",
		"-된가요", "-건가요", "-던가요", "-습니까", "-입니까", "-됩니까", "-합니까", "뭔가요", "뭐죠", "뭔지"}},
	{ruleQuestion, 0.5, 0, []string{"언제", "왜", "문의", "질문", "-을까", "-할까", "-될까", "가능한지", "가능할지", "가능한가",
		"가능할까", "가능하나", "어디", "무엇", "얼마", "알려 {주세요|주실|주시|줄|줘}", "방법이 {있|없}"}},
	{ruleQuestion, 0.4, 0, []string{"어느", "뭐", "뭔", "누가", "몇", "방법"}},

	{rulePraise, 0.6, 0, []string{"최고", "훌륭", "대박", "멋져", "멋지", "멋집", "멋있", "감동", "칭찬",
		"빠른 {답변|대응|처리|해결|응답|조치|지원}", "빠르게 {해결|처리|대응}",
		"{해결해|수정해|처리해|고쳐|조치해|반영해} 주셔서", "잘 {쓰고|사용하고|쓰는|이용하고} 있",
		"{마음|맘}에 {들|듭|든}", "기대 이상", "만족"}},
	{rulePraise, 0.45, 0, []string{"짱", "완벽", "편리", "편해", "편하", "편합", "유용", "덕분", "사랑", "신속", "추천",
		"도움이 {많이|됐|되었|돼|되네|큽}", "도움 {됐|되었|많이}", "예뻐", "예쁘", "이뻐", "깔끔", "빠르네", "빨라요", "빨라졌",
		"응원{합|해요|할게|하겠|합니다}", "화이팅", "파이팅", "잘생", "기대{돼요|됩니다|되네요|된다|할게요}"}},
	{rulePraise, 0.4, flagWeak, []string{"좋아요", "좋네요", "좋습니다", "좋았", "좋더라", "좋다", "굿"}},
	{rulePraise, 0.2, flagBooster, []string{"감사", "고맙", "고마워", "땡큐"}},

	{ruleIdea, 0.65, 0, []string{"기능 추가", "기능 요청", "추가해 주", "추가해 줬", "추가 요청", "^제안", "^건의", "아이디어"}},
	{ruleIdea, 0.5, 0, []string{"추가되면", "추가하면", "추가됐으면", "추가되었으면", "추가 예정", "지원 계획", "지원해 주시면",
		"지원되면", "지원하면", "로드맵", "개선", "있으면 좋을", "좋을 것 같", "생기면"}},
	{ruleIdea, 0.6, 0, []string{"수 있게 해 {주세요|주시면|주실|주셨으면|줬으면|달라}", "수 있게 해주", "수 있도록 해 주",
		"기능{이|도|을|} {필요|원합|원해|있으면|있었으면|만들어|넣어|생기면|생겼으면}", "만들어 {주세요|주시면|주실}",
		"넣어 {주세요|주시면|주실}", "넣어주세요", "지원 요청", "제공해 {주세요|주시면|주실}", "계획{은|이|} {있나|있으신|없나|있을까}",
		"생각은 없", "좋을 듯", "좋을듯", "유용할 것 같", "했으면 해요", "했으면 합니다",
		"지원{해 주세요|해주세요|해 줬으면|해줬으면|해 주실|해주실|도 해 주|도 해주|좀 해 주|좀 해주}",
		"{되면|생기면|나오면} {진짜|정말|너무|훨씬|참|완전} {좋|편할|편하|편리|유용}", "{되면|생기면|나오면} {좋|편할|편하|편리|유용}",
		"{편할|유용할|편리할} 텐데", "기능{은|도|} 언제 {나오|추가|생기|지원|출시}", "버전{은|도|} 언제 {나오|출시}"}},
	{ruleIdea, 0.45, flagWeak, []string{"좋겠", "했으면", "있었으면", "됐으면", "되었으면"}},

	{ruleUrgent, 0.7, 0, []string{"긴급", "급해", "급합", "시급", "당장", "최대한 빨리", "지금 바로", "서버 다운", "서버가 다운"}},
	{ruleUrgent, 0.5, 0, []string{"급한", "급하", "빨리", "즉시", "서둘러", "장애", "다운됐", "다운되", "다운됨", "다운돼",
		"{모든|전체} {사용자|고객|유저}", "빠른 {답변|처리|확인|대응|해결|조치} {부탁|바랍|요청}", "손실", "매출", "오늘까지", "운영 {서버|환경}", "서비스 중단"}},
	{ruleUrgent, 0.6, 0, []string{"오늘 {안에|중으로|중에|안으로}", "{한 시간|한시간|삼십 분} {안에|뒤|후에|전}", "분 {안에|뒤|후에|전}인데", "최우선",
		"폭주", "영업이 {멈|중단}", "일을 못 하",
		"일을 못하", "아무도 {못|로그인|접속}", "바로 {답변|확인|처리|연락} {부탁|좀|주세요}"}},
	{ruleUrgent, 0.3, 0, []string{"먹통", "빠르게"}},
	// Security incidents, money leaving now, a whole operation stopped and
	// deadlines of today, as customers say them without 급해요.
	{ruleUrgent, 0.6, 0, []string{"해킹{당|됐|되었|돼|되어|된 것|된 거|피해}", "해킹 {당|피해}", "털렸", "털린 것", "{정보|개인정보|데이터|키|비밀번호|자료|고객 정보|카드 정보|주소|번호|전화번호}{가|이|} 유출", "유출{됐|되었|된 것|된 거|돼|되어|사고}", "{명의|계정|카드|아이디|개인정보} 도용", "도용{당|됐|되었|돼}", "무단 {결제|접속|로그인|사용|출금|이체|인출}", "보안 사고", "{피싱|스미싱} {당|피해}",
		"다른 {사람|고객|사용자|회원|분}{의|} {정보|개인정보|주문|카드|결제|계정|주소|이름|내역|전화번호}",
		"{돈|결제|요금|금액|출금}{이|가|은|} 계속 {빠져|나가|결제|청구|출금|빠지}", "계속 {결제되고|결제돼|결제가 돼|청구되고|출금되고|빠져나가}",
		"잘못 {이체|송금|입금|보냈|결제}", "{송금|이체|입금}{을|를|} 잘못", "착오 {송금|이체}", "{다른|엉뚱한} 계좌로 {잘못|보냈|보내 버|이체됐|송금됐|입금됐}",
		"{카드|폰|휴대폰|핸드폰}{을|를|이|가|} {잃어버|도난|분실|도둑}", "카드 {정지|분실|도난|막아|막아주|잠가}",
		"{모든|전체} {매장|지점|직원|가맹점|점포|매장에서|지점에서}", "{전 직원|전직원}{이|들이|} {못|아무것도|일을|업무|로그인|접속}",
		"{직원|고객|손님|사용자|유저|회원|학생|환자|기사}{들이|들|} {전부|모두|다|아무도} {못|로그인|접속|결제|주문|이용}",
		"{업무|시스템|서비스|결제|전산|매장|운영|영업|물류|배송|공장|회사}{가|이|} {마비|올스톱}", "마비{됐|되었|돼|되어|상태}", "{장사|영업|주문|결제|판매|배달|출근|근무|수업|진료|예약|발권|탑승|출고|배송}{를|을|가|이|도|} {못 하|못하|못 받|못받|할 수 없|받을 수 없|중단|멈}",
		"아무것도 못 하고 있", "손님들{이|} {기다|줄|결제를|주문을}",
		"{마감|제출|기한|납품|오픈|런칭|출시|발표|시험|방송|행사|배포}{이|은|이라|인데|까지|} {오늘|내일 아침|이따|곧|코앞|몇 시간|한 시간|삼십 분|자정}",
		"마감 {직전|임박|코앞|전인데|이라서}", "{자정|오늘 밤|오늘밤|퇴근 전|점심 전|오전 중}까지",
		"응급 상황", "라이브 중", "생방송 중", "방송 직전",
		// Idioms of alarm: a big trouble, an emergency, save me, every second counts.
		"큰일 {났|났어|났습|났네|이에요|입니다|이네요|이에여}", "큰일났", "비상{이에요|입니다|이네요|사태|상황}", "초비상",
		"살려 {주세요|줘요|주십시오}", "살려주세요", "{한시|일분일초}가 {급|바쁜}", "발을 동동", "발 동동", "얼른 {좀|해결|처리|확인|봐|고쳐|복구}"}},

	// Stop words: consumed, tagging nothing.
	{-1, 0, 0, []string{"다운로드", "좋은 아침", "안녕"}},
}
