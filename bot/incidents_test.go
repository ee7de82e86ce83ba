package bot_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/openear/openear/bot"
)

// The incident alert lists every linked thread — the one that made the
// incident too — and shows the shared words as customers wrote them.
func TestIncidentAlertListsEveryThreadInCustomersWords(t *testing.T) {
	r := newRig(t, func(o *bot.Options) { o.Incidents = bot.IncidentOptions{Enabled: true} })
	var ids []uint64
	for i, text := range []string{
		"The checkout page crashes every time I pay, I was charged twice",
		"Checkout crashes every time I pay by card and charged me twice",
		"The checkout page crashes when I try to pay, charged twice now",
		"checkout page crashed again when paying, charged twice",
	} {
		id, _ := r.customer(fmt.Sprintf("UCUST%d", i), text)
		ids = append(ids, id)
		if i < 2 {
			continue
		}
		r.flush()
		alerts := r.slack.Sent(bot.ForIncident)
		if len(alerts) == 0 {
			t.Fatalf("no incident alert after %d customers", i+1)
		}
		alert := alerts[len(alerts)-1].Text
		if !strings.Contains(alert, fmt.Sprintf("%d customers report the same problem", i+1)) {
			t.Fatalf("alert after %d customers:\n%s", i+1, alert)
		}
		for _, id := range ids {
			if !strings.Contains(alert, fmt.Sprintf("• #%d ", id)) {
				t.Errorf("alert after %d customers lacks thread #%d:\n%s", i+1, id, alert)
			}
		}
		head, _, _ := strings.Cut(alert, "\n")
		_, list, _ := strings.Cut(head, " — ")
		words := strings.Split(list, ", ")
		for _, w := range []string{"checkout", "crashes", "page", "charged", "twice"} {
			if !slices.Contains(words, w) {
				t.Errorf("alert head lacks %q: %s", w, head)
			}
		}
		for _, stem := range []string{"pag", "charg", "twic", "crash"} {
			if slices.Contains(words, stem) {
				t.Errorf("alert head shows the stem %q: %s", stem, head)
			}
		}
	}
	if alerts := r.slack.Sent(bot.ForIncident); alerts[len(alerts)-1].Ref == "" {
		t.Fatal("the alert was posted again, not edited")
	}
}
