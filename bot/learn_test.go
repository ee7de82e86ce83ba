package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/bot/tag"
	"github.com/openear/openear/storage"
)

// unrelated are customer messages that share no distinctive words with
// the corrected ones below: corrections must not change their tags.
var unrelated = []string{
	"How do I export my invoices?",
	"The checkout page crashes every time I click Pay",
	"Love the new dashboard, great work team!",
	"It would be great if you could add dark mode",
	"URGENT: production is down for all users",
	"I want a refund, this product is useless",
	"Is there a way to add more seats?",
	"결제가 안 돼요",
	"비밀번호는 어떻게 바꾸나요?",
	"새 대시보드 최고예요!",
	"다크 모드 기능 추가해 주시면 좋겠어요",
	"환불해 주세요",
	"I upgraded to v2 yesterday",
	"Our account id is 88213",
}

func names(tags []bot.Tag) []string {
	var n []string
	for _, g := range tags {
		n = append(n, g.Name)
	}
	slices.Sort(n)
	return n
}

func sortedTagNames(t bot.Thread) []string {
	n := t.TagNames()
	slices.Sort(n)
	return n
}

// openDB opens a bbolt store in dir.
func openDB(t *testing.T, dir string) *storage.DB {
	t.Helper()
	db, err := storage.Open(filepath.Join(dir, "openear.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func newBot(t *testing.T, store bot.Store, clock *bottest.Clock) *bot.Bot {
	t.Helper()
	o := defaultOptions()
	o.Store, o.Clock = store, clock
	b, err := bot.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// post sends one top-level customer message from its own customer and
// returns its thread.
func post(t *testing.T, b *bot.Bot, store bot.Store, n *int, text string) bot.Thread {
	t.Helper()
	*n++
	id := fmt.Sprintf("1700000000.%06d", *n)
	res, err := b.Handle(context.Background(), bot.Event{ID: "ev" + id, Kind: bot.KindMessage, Platform: bot.Slack,
		Channel: "C1", MessageID: id, User: fmt.Sprintf("UC%d", *n), Text: text, At: b.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if res.ThreadID == 0 {
		return bot.Thread{}
	}
	th, err := store.Thread(context.Background(), res.ThreadID)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func command(t *testing.T, b *bot.Bot, n *int, text string) string {
	t.Helper()
	*n++
	res, err := b.Handle(context.Background(), bot.Event{ID: fmt.Sprintf("cmd%d", *n), Kind: bot.KindCommand,
		Platform: bot.Slack, User: "UALICE", Staff: true, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return res.Reply
}

// A staff correction is kept in the store as an example, in the same
// change; later messages like the corrected one get the correction, other
// messages keep their tags; a restart rebuilds what was learned; stats
// and the corrections' list say what happened.
func TestCorrectionsTeachTheTagger(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir)
	clock := bottest.NewClock(monday9)
	b := newBot(t, db, clock)
	base, err := tag.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	const (
		corrected = "The loyalty stamps from the Gangnam branch never show up in my wallet"
		similar   = "My loyalty stamps from the Hongdae branch never show up in the wallet"
		koCorr    = "강남점 멤버십 스탬프가 지갑에 적립이 안 돼요"
		koSimilar = "홍대점인데 멤버십 스탬프가 지갑에 적립이 안 돼요"
	)
	for _, text := range []string{similar, koSimilar} {
		if hasName(base.Tag(text), "billing") || hasName(base.Tag(text), tag.Urgent) {
			t.Fatalf("precondition: %q is tagged %v before any correction", text, base.Tag(text))
		}
	}
	n := 0
	th := post(t, b, db, &n, corrected)
	ko := post(t, b, db, &n, koCorr)
	if reply := command(t, b, &n, "tag "+bot.FormatID(th.ID)+" billing"); !strings.Contains(reply, "billing") {
		t.Fatalf("tag command: %q", reply)
	}
	command(t, b, &n, "tag "+bot.FormatID(ko.ID)+" urgent")
	clock.Advance(time.Minute)
	cs, bad, err := bot.TagCorrections(context.Background(), db)
	if err != nil || bad != 0 || len(cs) != 2 || cs[0].Text != corrected || cs[0].Tag != "billing" || !cs[0].Add ||
		cs[1].Tag != "urgent" || cs[1].By != "alice" {
		t.Fatalf("stored corrections = %+v, %d bad, %v", cs, bad, err)
	}

	check := func(b *bot.Bot, when string) {
		t.Helper()
		got := post(t, b, db, &n, similar)
		if !got.HasTag("billing") {
			t.Errorf("%s: %q tagged %v, want billing learned from the correction", when, similar, got.TagNames())
		} else if r := reasonOfTag(got.Tags, "billing"); !strings.HasPrefix(r, "learned billing/en") {
			t.Errorf("%s: billing reason %q", when, r)
		}
		got = post(t, b, db, &n, koSimilar)
		if !got.HasTag(tag.Urgent) || !strings.HasPrefix(reasonOfTag(got.Tags, tag.Urgent), "learned urgent/ko") {
			t.Errorf("%s: %q tagged %v, want urgent learned from the correction", when, koSimilar, got.Tags)
		}
		for _, text := range unrelated {
			got := post(t, b, db, &n, text)
			if want := names(base.Tag(text)); got.ID != 0 && !slices.Equal(sortedTagNames(got), want) {
				t.Errorf("%s: unrelated %q tagged %v, before the corrections %v", when, text, sortedTagNames(got), want)
			}
		}
	}
	check(b, "after the corrections")

	st, err := b.Stats(context.Background(), monday9.Add(-time.Hour), clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if st.CorrectionsByTag["billing"] == nil || st.CorrectionsByTag["billing"].Added != 1 || st.Learned < 2 {
		t.Errorf("stats: corrections by tag %v, learned changes %d (want billing +1, at least 2 changes)", st.CorrectionsByTag, st.Learned)
	}
	if txt := st.Text(); !strings.Contains(txt, "billing +1") || !strings.Contains(txt, "urgent +1") {
		t.Errorf("stats text lacks the corrections per tag:\n%s", txt)
	}

	// A restart: a new bot on the reopened file learns the same.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openDB(t, dir)
	defer db.Close()
	check(newBot(t, db, clock), "after a restart")
}

func hasName(tags []bot.Tag, name string) bool {
	return slices.ContainsFunc(tags, func(g bot.Tag) bool { return g.Name == name })
}

func reasonOfTag(tags []bot.Tag, name string) string {
	for _, g := range tags {
		if g.Name == name {
			return g.Reason
		}
	}
	return ""
}

// A tagger that does not learn still gets the corrections stored.
func TestCorrectionsStoredWithoutLearner(t *testing.T) {
	r := newRig(t, func(o *bot.Options) { o.Tagger = fixedTagger{} })
	id, _ := r.customer("UCUST", "anything")
	r.command("UALICE", true, "tag "+bot.FormatID(id)+" idea")
	cs, _, err := bot.TagCorrections(r.ctx, r.store)
	if err != nil || len(cs) != 1 || cs[0].Text != "anything" || cs[0].Tag != "idea" {
		t.Fatalf("corrections = %+v, %v", cs, err)
	}
}

type fixedTagger struct{}

func (fixedTagger) Tag(string) []bot.Tag {
	return []bot.Tag{{Name: "question", Score: 1, Reason: "fixed"}}
}
