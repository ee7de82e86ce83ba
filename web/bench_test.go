package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage/mem"
	"github.com/openear/openear/web"
)

// BenchmarkListPage renders the list of MaxRows threads (each with tags,
// an owner and an SLA countdown) in each language: every label of a row
// goes through the catalog. Compare the languages as a ratio.
func BenchmarkListPage(b *testing.B) {
	s := mem.New()
	defer s.Close()
	var ts []bot.Thread
	for i := 1; i <= web.MaxRows; i++ {
		ts = append(ts, bot.Thread{ID: uint64(i), Platform: bot.Slack, Channel: "C1", Customer: fmt.Sprint("U", i), State: bot.Waiting,
			Tags: []bot.Tag{{Name: "defect", Reason: "rule defect/en"}, {Name: "billing", Reason: "rule billing"}}, Owner: "alice", Team: "support",
			Created: now.Add(-time.Hour), Deadline: now.Add(time.Duration(i) * time.Minute),
			Messages: []bot.Message{{ID: "m", User: fmt.Sprint("U", i), Text: "The export fails", At: now}}})
	}
	if err := s.Apply(context.Background(), bot.Change{Threads: ts}); err != nil {
		b.Fatal(err)
	}
	h := web.New(web.Options{Store: s, Now: func() time.Time { return now }}).Handler()
	for _, lang := range []string{"en", "ko"} {
		b.Run(lang, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest("GET", "/", nil)
				req.Header.Set("X-Openear-Partial", "1") // the table, as the live refresh asks for it
				req.AddCookie(&http.Cookie{Name: "openear_lang", Value: lang})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}
