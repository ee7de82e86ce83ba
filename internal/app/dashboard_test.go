package app

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/config"
	"github.com/openear/openear/storage/mem"
)

// The dashboard speaks the config's locale, and a person's own when they
// are signed in (see web): here, the default reaches it.
func TestDashboardLocale(t *testing.T) {
	for _, lang := range []string{"ko", "en"} {
		cfg := config.Default()
		cfg.Locale = lang
		store := mem.New()
		a, err := New(t.Context(), cfg, store, bot.SystemClock{}, slog.New(slog.DiscardHandler), Wiring{})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		a.Mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `<html lang="`+lang+`">`) {
			t.Errorf("locale %s: %d, page not in %s", lang, rec.Code, lang)
		}
		store.Close()
	}
}
