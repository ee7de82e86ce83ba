package app

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRedactorScrubsSecrets(t *testing.T) {
	secret := "s3cr3t-signing-value"
	var buf bytes.Buffer
	log := slog.New(newRedactor(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}), []string{secret}))
	log.Debug("token xoxb-1234567890-abcdefghij in a message", "err", errors.New("auth failed for "+secret))
	log.With("app", "xapp-1-A0123456789-abcdef").Info("hello", slog.Group("g", "discord", "MTA5ODc2NTQzMjEwOTg3NjU0.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789"))
	log.Info("formatted", "v", fmt.Sprintf("%v", struct{ S string }{secret}))
	out := buf.String()
	for _, leak := range []string{secret, "xoxb-1234567890", "xapp-1-A0123456789", "MTA5ODc2NTQzMjEwOTg3NjU0"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q:\n%s", leak, out)
		}
	}
	if strings.Count(out, "[redacted]") < 5 {
		t.Errorf("expected redactions:\n%s", out)
	}
}
