package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/config"
	"github.com/openear/openear/internal/app"
	"github.com/openear/openear/storage"
)

// fillStore writes a few threads through the real bot into a bbolt file
// and returns its path.
func fillStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "openear.db")
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clock := bottest.NewClock(time.Now().Add(-2 * time.Hour))
	ctx := context.Background()
	b, err := bot.New(ctx, bot.Options{Store: db, Clock: clock,
		People: []bot.Person{{Name: "alice", IDs: map[string]string{bot.Slack: "UALICE"}}},
		Teams:  []bot.Team{{Name: "support", Members: []string{"alice"}}},
		Rules:  []bot.Rule{{Team: "support"}}})
	if err != nil {
		t.Fatal(err)
	}
	msgs := []struct {
		user, text, thread string
		staff              bool
	}{
		{"UC1", "The checkout page is broken, error 500", "", false},
		{"UC2", "결제가 안 돼요. 환불해 주세요", "", false},
		{"UC3", "It would be nice to have a dark mode", "", false},
		{"UALICE", "Fixed, sorry about that!", "1700000000.000001", true},
	}
	for i, m := range msgs {
		clock.Advance(10 * time.Minute)
		_, err := b.Handle(ctx, bot.Event{ID: fmt.Sprint("E", i), Kind: bot.KindMessage, Platform: bot.Slack, Channel: "C1",
			MessageID: fmt.Sprintf("1700000000.%06d", i+1), ThreadKey: m.thread, User: m.user, Staff: m.staff, Text: m.text})
		if err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestThreadsAndExport(t *testing.T) {
	path := fillStore(t)
	code, out, errs := run(t, "", "threads", "-db", path)
	if code != 0 || strings.Count(out, "\n") != 4 || !strings.Contains(out, "결제가") {
		t.Fatalf("threads: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = run(t, "", "threads", "-db", path, "-state", "answered", "-json")
	var th bot.Thread
	if code != 0 || json.Unmarshal([]byte(strings.TrimSpace(out)), &th) != nil || th.ID != 1 || th.State != bot.Answered {
		t.Fatalf("threads -state answered -json: exit %d: %s", code, out)
	}
	code, out, _ = run(t, "", "export", "-db", path, "-format", "csv")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) != 4 || recs[0][0] != "id" {
		t.Fatalf("export csv: exit %d, %v, %d records", code, err, len(recs))
	}
	code, out, _ = run(t, "", "export", "-db", path, "-format", "json")
	if code != 0 || strings.Count(out, "\n") != 3 {
		t.Fatalf("export json: exit %d: %s", code, out)
	}
	if code, _, errs := run(t, "", "export", "-db", path, "-format", "xml"); code == 0 || !strings.Contains(errs, "csv or json") {
		t.Fatalf("export -format xml: exit %d: %s", code, errs)
	}
}

func TestStoreLockedByAnotherOpenear(t *testing.T) {
	path := fillStore(t)
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	code, _, errs := run(t, "", "threads", "-db", path)
	if code == 0 || !strings.Contains(errs, "locked") {
		t.Fatalf("second opener: exit %d, %q", code, errs)
	}
}

func TestDigestCommand(t *testing.T) {
	path := fillStore(t)
	code, out, errs := run(t, "", "digest", "-db", path, "-since", "7d")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"New threads: 3", "Ideas", "dark mode", "First response"} {
		if !strings.Contains(out, want) {
			t.Errorf("digest lacks %q:\n%s", want, out)
		}
	}
}

func TestReplayShowsWhatWouldChange(t *testing.T) {
	path := fillStore(t)
	cfg := filepath.Join(t.TempDir(), "new.yaml")
	writeFile(t, cfg, `
people:
  - {name: bob, slack: UBOB}
teams:
  - {name: billing, members: [bob]}
routing:
  - {match: {tags: [billing]}, team: billing}
tags:
  - {name: billing, keywords: [refund, 환불, checkout]}
sla:
  first_reply: 5m
`)
	code, out, errs := run(t, "", "replay", "-config", cfg, "-db", path, "-since", "7d")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Replayed 3 threads", "+billing", "alice → bob", "SLA breaches"} {
		if !strings.Contains(out, want) {
			t.Errorf("replay lacks %q:\n%s", want, out)
		}
	}
}

// TestCommandsWhileTheBotRuns: while `openear run` holds the bbolt file,
// threads, export and digest read the same threads from its HTTP API
// (http.listen, with http.token) and say so; a wrong token is refused.
func TestCommandsWhileTheBotRuns(t *testing.T) {
	path := fillStore(t)
	want := map[string]string{}
	for name, args := range map[string][]string{
		"threads": {"threads", "-state", "open", "-json"},
		"export":  {"export", "-format", "csv"},
		"digest":  {"digest", "-since", "7d"},
	} {
		code, out, errs := run(t, "", append(args, "-db", path)...)
		if code != 0 {
			t.Fatalf("%s from the file: exit %d: %s", name, code, errs)
		}
		want[name] = out
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfgPath := filepath.Join(t.TempDir(), "openear.yaml")
	writeFile(t, cfgPath, fmt.Sprintf("storage: {path: %q}\nhttp:\n  listen: %q\n  token: ${OPENEAR_HTTP_TOKEN}\n", path, addr))
	t.Setenv("OPENEAR_HTTP_TOKEN", "a-token-for-the-cli-0123456789")
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The bot's clock stands just after fillStore's last message, before
	// any reminder is due, so nothing changes while the commands read.
	clock := bottest.NewClock(time.Now().Add(-2*time.Hour + 45*time.Minute))
	a, err := app.New(t.Context(), cfg, db, clock, slog.New(slog.DiscardHandler), app.Wiring{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, addr) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	bottest.Poll(t, "the dashboard listening", func() bool { return a.Addr() != nil })

	for name, args := range map[string][]string{
		"threads": {"threads", "-state", "open", "-json"},
		"export":  {"export", "-format", "csv"},
		"digest":  {"digest", "-since", "7d"},
	} {
		code, out, errs := run(t, "", append(args, "-config", cfgPath)...)
		if code != 0 || !strings.Contains(errs, "reading from its HTTP API at http://"+addr) {
			t.Errorf("%s while the bot runs: exit %d: %s", name, code, errs)
			continue
		}
		if name == "digest" { // the bot's clock ends the period: compare what does not depend on it
			for _, line := range []string{"New threads: 3 (", "First response: p50 30m0s", "💡 Ideas:", "dark mode"} {
				if !strings.Contains(out, line) || !strings.Contains(want[name], line) {
					t.Errorf("digest while the bot runs lacks %q:\n%s\nfrom the file:\n%s", line, out, want[name])
				}
			}
			continue
		}
		if out != want[name] {
			t.Errorf("%s while the bot runs:\n%s\nwant (as from the file):\n%s", name, out, want[name])
		}
	}
	if code, _, errs := run(t, "", "threads", "-db", path); code == 0 || !strings.Contains(errs, "give -config instead of -db") {
		t.Errorf("threads -db while the bot runs: exit %d: %s", code, errs)
	}
	t.Setenv("OPENEAR_HTTP_TOKEN", "not-the-token-0123456789")
	if code, _, errs := run(t, "", "threads", "-config", cfgPath); code == 0 || !strings.Contains(errs, "http.token") {
		t.Errorf("threads with a wrong token: exit %d: %s", code, errs)
	}
}
