package config_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/openear/openear/config"
)

func TestSecretNeverPrints(t *testing.T) {
	const value = "xoxb-very-secret"
	s := config.Secret(value)
	if s.Reveal() != value {
		t.Errorf("Reveal() = %q", s.Reveal())
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "token", s)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "token", s)
	js, err := json.Marshal(struct{ T config.Secret }{s})
	if err != nil {
		t.Fatal(err)
	}
	ym, err := yaml.Marshal(struct{ T config.Secret }{s})
	if err != nil {
		t.Fatal(err)
	}
	slack := &config.Slack{BotToken: s}
	outputs := map[string]string{
		"String": s.String(), "GoString": s.GoString(),
		"%v": fmt.Sprintf("%v", s), "%s": fmt.Sprintf("%s", s), "%q": fmt.Sprintf("%q", s),
		"%x": fmt.Sprintf("%x", s), "%d": fmt.Sprintf("%d", s), "%#v": fmt.Sprintf("%#v", s),
		"%+v struct": fmt.Sprintf("%+v", *slack), "%#v struct": fmt.Sprintf("%#v", *slack),
		"slog": logged.String(), "json": string(js), "yaml": string(ym),
	}
	for name, out := range outputs {
		if strings.Contains(out, value) || strings.Contains(out, fmt.Sprintf("%x", value)) {
			t.Errorf("%s shows the secret: %s", name, out)
		}
		if !strings.Contains(out, "[redacted]") {
			t.Errorf("%s = %q, want [redacted]", name, out)
		}
	}
	var empty config.Secret
	if empty.String() != "" || fmt.Sprint(empty) != "" {
		t.Errorf("empty secret prints %q", empty.String())
	}
	if v := empty.LogValue(); v.String() != "" {
		t.Errorf("empty LogValue = %q", v)
	}
}

func TestDuration(t *testing.T) {
	d := config.Duration(90 * time.Minute)
	if d.D() != 90*time.Minute || d.String() != "1h30m0s" {
		t.Errorf("D() = %v, String() = %q", d.D(), d)
	}
	js, _ := json.Marshal(d)
	if string(js) != `"1h30m0s"` {
		t.Errorf("json = %s", js)
	}
	var back config.Duration
	if err := json.Unmarshal([]byte(`"90s"`), &back); err != nil || back.D() != 90*time.Second {
		t.Errorf("unmarshal = %v, %v", back, err)
	}
	if err := back.UnmarshalText([]byte("1hour")); err == nil {
		t.Error("UnmarshalText(1hour) succeeded")
	}
}

func TestDays(t *testing.T) {
	h := func(s string) time.Duration {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	b := &config.BusinessHours{
		Timezone: "Asia/Seoul",
		Week: map[string][]string{
			"mon-fri":     {"09:00-12:00", "13:00-18:00"},
			"sat":         {"10:00-24:00"},
			"sunday":      {},
			"MON-FRI,sat": nil, // never reached: conflicts
		},
	}
	if _, err := b.Days(); err == nil {
		t.Error("Days accepted a day set twice")
	}
	delete(b.Week, "MON-FRI,sat")
	days, err := b.Days()
	if err != nil {
		t.Fatal(err)
	}
	weekday := []config.Span{{h("9h"), h("12h")}, {h("13h"), h("18h")}}
	want := [7][]config.Span{
		time.Sunday: {}, time.Monday: weekday, time.Tuesday: weekday, time.Wednesday: weekday,
		time.Thursday: weekday, time.Friday: weekday, time.Saturday: {{h("10h"), h("24h")}},
	}
	if !reflect.DeepEqual(days, want) {
		t.Errorf("Days() = %v, want %v", days, want)
	}
	if got := days[time.Monday][1].String(); got != "13:00-18:00" {
		t.Errorf("Span.String() = %q", got)
	}
	loc, err := b.Location()
	if err != nil || loc.String() != "Asia/Seoul" {
		t.Errorf("Location() = %v, %v", loc, err)
	}
}

func TestDayKeys(t *testing.T) {
	for key, want := range map[string][]time.Weekday{
		"mon":         {time.Monday},
		"Tuesday":     {time.Tuesday},
		"mon-fri":     {time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		"sat-sun":     {time.Saturday, time.Sunday},
		"fri-mon":     {time.Friday, time.Saturday, time.Sunday, time.Monday},
		"mon,wed,fri": {time.Monday, time.Wednesday, time.Friday},
		"mon-tue,sat": {time.Monday, time.Tuesday, time.Saturday},
	} {
		b := &config.BusinessHours{Week: map[string][]string{key: {"09:00-10:00"}}}
		days, err := b.Days()
		if err != nil {
			t.Errorf("%q: %v", key, err)
			continue
		}
		var got []time.Weekday
		for d := time.Sunday; d <= time.Saturday; d++ {
			if len(days[d]) > 0 {
				got = append(got, d)
			}
		}
		for _, w := range want {
			if len(days[w]) == 0 {
				t.Errorf("%q: %v closed; open days %v", key, w, got)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%q: open days %v, want %v", key, got, want)
		}
	}
	for _, key := range []string{"", "mo", "mon-", "mon-fri-sat", "mon,mon", "mon-fri,wed", "mon,,tue", "-"} {
		b := &config.BusinessHours{Week: map[string][]string{key: {"09:00-10:00"}}}
		if _, err := b.Days(); err == nil {
			t.Errorf("Days accepted week key %q", key)
		}
	}
	for _, span := range []string{"9:00-10:00", "09:00", "09:60-10:00", "24:00-24:00", "10:00-09:00", "09:00-09:00", "+9:00-10:00", "09:00-24:01", "25:00-26:00"} {
		b := &config.BusinessHours{Week: map[string][]string{"mon": {span}}}
		if _, err := b.Days(); err == nil {
			t.Errorf("Days accepted span %q", span)
		}
	}
}

func TestNilBusinessHoursIsAlwaysOpen(t *testing.T) {
	var b *config.BusinessHours
	days, err := b.Days()
	if err != nil {
		t.Fatal(err)
	}
	for d, spans := range days {
		if len(spans) != 1 || spans[0] != (config.Span{Start: 0, End: 24 * time.Hour}) {
			t.Errorf("%v: %v", time.Weekday(d), spans)
		}
	}
	if loc, err := b.Location(); err != nil || loc != time.UTC {
		t.Errorf("Location() = %v, %v", loc, err)
	}
}

func TestHolidayDates(t *testing.T) {
	b := &config.BusinessHours{Holidays: []string{"2026-12-25", " 2027-01-01 "}}
	got, err := b.HolidayDates()
	if err != nil || !reflect.DeepEqual(got, []string{"2026-12-25", "2027-01-01"}) {
		t.Errorf("HolidayDates() = %q, %v", got, err)
	}
	b.Holidays = append(b.Holidays, "2026-02-30")
	if _, err := b.HolidayDates(); err == nil || !strings.Contains(err.Error(), "business_hours.holidays[2]") {
		t.Errorf("HolidayDates() error = %v", err)
	}
	b.Timezone = "No/Where"
	if _, err := b.Location(); err == nil {
		t.Error("Location() accepted No/Where")
	}
}

func ExampleParse() {
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}
	c, err := config.Parse("openear.yaml", []byte(`
slack:
  bot_token: ${SLACK_BOT_TOKEN}
  app_token: ${SLACK_APP_TOKEN}
  channels: [C0CUSTOMER1]
sla:
  first_reply: 30m
`), func(k string) string { return env[k] })
	if err == nil {
		err = c.Validate()
	}
	fmt.Println(err, c.SLA.FirstReply, c.SLA.NextReply, c.Slack.BotToken)

	_, err = config.Parse("openear.yaml", []byte("slack:\n  bot_tokn: ${SLACK_BOT_TOKEN}\n"), nil)
	fmt.Println(err)
	// Output:
	// <nil> 30m0s 4h0m0s [redacted]
	// openear.yaml:2: slack.bot_tokn: unknown key (did you mean bot_token?)
}
