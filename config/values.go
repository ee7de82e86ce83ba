package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// Duration is a time.Duration written in the file as a Go duration string
// ("90s", "1h30m").
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String returns d in Go duration syntax.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes d in Go duration syntax, so d marshals as "1h0m0s" in
// YAML and JSON.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration", b)
	}
	*d = Duration(v)
	return nil
}

const redacted = "[redacted]"

// Secret is a value that must never be printed or logged: every way of
// formatting it (fmt, log/slog, JSON, YAML) gives "[redacted]", or "" when
// it is empty. Only Reveal returns the value.
type Secret string

// Reveal returns the secret value itself.
func (s Secret) Reveal() string { return string(s) }

// String returns "[redacted]", or "" when s is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString is String, so %#v does not print the value either.
func (s Secret) GoString() string { return s.String() }

// Format is String for every verb, %x and %d included.
func (s Secret) Format(f fmt.State, verb rune) { fmt.Fprint(f, s.String()) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes String as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalYAML writes String, so a dumped config shows no secret.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// Span is a stretch of a day, as offsets from local midnight; End may be 24h.
type Span struct{ Start, End time.Duration }

// String formats s as "09:00-18:00".
func (s Span) String() string { return clock(s.Start) + "-" + clock(s.End) }

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}
