package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
	"github.com/openear/openear/internal/migrate"
	"github.com/openear/openear/storage"
	"github.com/openear/openear/storage/postgres"
	"github.com/openear/openear/storage/postgres/pgtest"
)

// fillRich writes, through the real bot, threads in every state, a
// notice posted (its ref key), an incident, round-robin positions,
// pending actions, seen ids and cursors into a bbolt file, and then keys
// no thread lists any more and a key an older thread took back.
func fillRich(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rich.db")
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clock := bottest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	ctx := context.Background()
	b, err := bot.New(ctx, bot.Options{Store: db, Clock: clock,
		People: []bot.Person{{Name: "alice", IDs: map[string]string{bot.Slack: "UALICE"}}, {Name: "bob", IDs: map[string]string{bot.Slack: "UBOB"}}},
		Teams:  []bot.Team{{Name: "support", Members: []string{"alice", "bob"}}},
		Rules:  []bot.Rule{{Team: "support"}}, Triage: map[string]string{bot.Slack: "CTRIAGE"},
		Incidents: bot.IncidentOptions{Enabled: true, MinCustomers: 3, Window: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	p := bottest.NewPlatform(bot.Slack)
	b.AddPlatform(p)
	n := 0
	handle := func(ev bot.Event) bot.Result {
		t.Helper()
		n++
		clock.Advance(time.Minute)
		ev.ID, ev.Platform, ev.At = fmt.Sprint("Ev", n), bot.Slack, clock.Now()
		if ev.Kind == "" {
			ev.Kind = bot.KindMessage
		}
		if ev.Channel == "" {
			ev.Channel = "C1"
		}
		if ev.MessageID == "" && ev.Kind == bot.KindMessage {
			ev.MessageID = fmt.Sprintf("1700000000.%06d", n)
		}
		res, err := b.Handle(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := handle(bot.Event{User: "UC1", Text: "The login page is broken, error 500 when I sign in"})
	handle(bot.Event{User: "UC2", Text: "Login is broken for us too: error 500 on the login page"})
	handle(bot.Event{User: "UC3", Text: "We get error 500 on login, it is broken"})
	handle(bot.Event{User: "UC4", Text: "결제가 안 돼요. 환불해 주세요"})
	handle(bot.Event{User: "UALICE", Staff: true, Text: "Looking into it", ThreadKey: "1700000000.000001"})
	handle(bot.Event{Kind: bot.KindCommand, User: "UBOB", Staff: true, Text: "resolve " + bot.FormatID(first.ThreadID)})
	if _, err := b.Flush(ctx); err != nil { // notices posted: their refs become keys
		t.Fatal(err)
	}
	handle(bot.Event{User: "UC5", Text: "How do I export my invoices?"}) // its actions stay pending
	clock.Advance(2 * time.Hour)
	if _, err := b.Tick(ctx); err != nil { // reminders and escalations
		t.Fatal(err)
	}
	// A key no thread lists, and a key an older thread took back.
	th1, _ := db.Thread(ctx, 1)
	th2, _ := db.Thread(ctx, 2)
	th1.Keys = append(th1.Keys, "slack/C1/dropped-later", "shared/key")
	th2.Keys = append(th2.Keys, "shared/key")
	if err := db.Apply(ctx, bot.Change{Threads: []bot.Thread{th1}}, bot.Change{Threads: []bot.Thread{th2}}); err != nil {
		t.Fatal(err)
	}
	th1.Keys = th1.Keys[:len(th1.Keys)-2]
	th1b := th1
	th1b.Keys = append(append([]string{}, th1.Keys...), "shared/key")
	th2.Keys = th2.Keys[:len(th2.Keys)-1]
	if err := db.Apply(ctx, bot.Change{Threads: []bot.Thread{th1}}, bot.Change{Threads: []bot.Thread{th2}}, bot.Change{Threads: []bot.Thread{th1b}},
		bot.Change{Entries: []bot.Entry{{Key: "test/empty", Value: []byte{}}, {Key: "test/bytes", Value: []byte{0, 1, 0xff}}}}); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMigrateRoundTrip: bbolt -> PostgreSQL -> bbolt gives the same
// exports, the same checksum of every record, and the same answers to
// the lookups the bot makes.
func TestMigrateRoundTrip(t *testing.T) {
	url := pgtest.URL(t)
	t.Setenv("OPENEAR_TEST_MIGRATE_URL", url)
	src := fillRich(t)
	back := filepath.Join(t.TempDir(), "back.db")

	code, out, errs := run(t, "", "migrate", "-from", src, "-to", "env:OPENEAR_TEST_MIGRATE_URL")
	if code != 0 {
		t.Fatalf("migrate to PostgreSQL: exit %d\n%s", code, errs)
	}
	var there migrate.Summary
	if err := json.Unmarshal([]byte(out), &there); err != nil || there.Threads < 5 || there.Incidents != 1 || there.Outbox == 0 ||
		there.Entries < 3 || there.Seen == 0 || there.Cursors == 0 {
		t.Fatalf("summary %s: %v", out, err)
	}
	if strings.Contains(errs, url) {
		t.Errorf("migrate printed the URL: %s", errs)
	}
	code, out, errs = run(t, "", "migrate", "-from", url, "-to", back)
	if code != 0 {
		t.Fatalf("migrate back to bbolt: exit %d\n%s", code, errs)
	}
	var again migrate.Summary
	json.Unmarshal([]byte(out), &again)
	if again != there {
		t.Errorf("summaries differ:\n there %+v\n back  %+v", there, again)
	}
	for _, format := range []string{"json", "csv"} {
		_, a, _ := run(t, "", "export", "-db", src, "-format", format)
		_, p, _ := run(t, "", "export", "-db", url, "-format", format)
		_, b, _ := run(t, "", "export", "-db", back, "-format", format)
		if a == "" || a != b || a != p {
			t.Errorf("export -format %s differs between the source, PostgreSQL and the copy back", format)
		}
	}
	ctx := context.Background()
	orig, _ := storage.Open(src, storage.Options{})
	defer orig.Close()
	pg, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	for _, k := range []string{"slack/C1/dropped-later", "shared/key", "slack/C1/1700000000.000001"} {
		want, err := orig.ThreadByKey(ctx, k)
		if err != nil {
			t.Fatalf("source %s: %v", k, err)
		}
		if got, err := pg.ThreadByKey(ctx, k); err != nil || got.ID != want.ID {
			t.Errorf("key %s leads to %d (%v) on PostgreSQL, %d in the source", k, got.ID, err, want.ID)
		}
	}
	if v, err := pg.Entry(ctx, "route/rr/support"); err != nil || len(v) == 0 {
		t.Errorf("round-robin position not copied: %q, %v", v, err)
	}
}

func TestMigrateRefusesNonEmptyTarget(t *testing.T) {
	src := fillRich(t)
	other := fillRich(t)
	code, _, errs := run(t, "", "migrate", "-from", src, "-to", other)
	if code == 0 || !strings.Contains(errs, "not empty") {
		t.Fatalf("migrate into a non-empty file: exit %d: %s", code, errs)
	}
	url := pgtest.URL(t)
	if code, _, errs := run(t, "", "migrate", "-from", src, "-to", url); code != 0 {
		t.Fatalf("first migrate: %s", errs)
	}
	code, _, errs = run(t, "", "migrate", "-from", other, "-to", url)
	if code == 0 || !strings.Contains(errs, "not empty") {
		t.Fatalf("migrate into a non-empty database: exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, "", "migrate", "-from", src); code != 2 || !strings.Contains(errs, "-to") {
		t.Errorf("migrate without -to: exit %d: %s", code, errs)
	}
}

// TestMigrateRefusesALiveCluster: a database that replicas still use is
// no source.
func TestMigrateRefusesALiveCluster(t *testing.T) {
	url := pgtest.URL(t)
	pg, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if _, ok, err := pg.Acquire(context.Background(), "host/42", "", time.Minute); !ok || err != nil {
		t.Fatal(ok, err)
	}
	code, _, errs := run(t, "", "migrate", "-from", url, "-to", filepath.Join(t.TempDir(), "x.db"))
	if code == 0 || !strings.Contains(errs, "host/42 leads") {
		t.Fatalf("migrate from a led database: exit %d: %s", code, errs)
	}
}

func TestStoreCommandsOnPostgres(t *testing.T) {
	url := pgtest.URL(t)
	if code, _, errs := run(t, "", "migrate", "-q", "-from", fillStore(t), "-to", url); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := run(t, "", "threads", "-db", url)
	if code != 0 || strings.Count(out, "\n") != 4 || !strings.Contains(out, "결제가") {
		t.Fatalf("threads on PostgreSQL: exit %d\n%s%s", code, out, errs)
	}
	if code, out, _ := run(t, "", "digest", "-db", url, "-since", "1d"); code != 0 || !strings.Contains(out, "New threads: 3") {
		t.Errorf("digest on PostgreSQL: exit %d\n%s", code, out)
	}
	setExampleEnv(t)
	t.Setenv("OPENEAR_POSTGRES_URL", url)
	if code, out, errs := run(t, "", "check", "-config", "testdata/openear.yaml"); code != 0 || !strings.Contains(out, "PostgreSQL") {
		t.Errorf("check with storage.postgres: exit %d: %s%s", code, out, errs)
	}
	if code, out, _ := run(t, "", "export", "-config", "testdata/openear.yaml", "-format", "json"); code != 0 || strings.Count(out, "\n") != 3 {
		t.Errorf("export through the config's storage.postgres: exit %d\n%s", code, out)
	}
	t.Setenv("OPENEAR_POSTGRES_URL", "postgres://u:Sup3rSecretPw@db/x?sslmode=nonsense")
	if code, _, errs := run(t, "", "check", "-config", "testdata/openear.yaml"); code == 0 || strings.Contains(errs, "Sup3rSecretPw") || !strings.Contains(errs, "storage.postgres") {
		t.Errorf("check with a bad URL: exit %d: %s", code, errs)
	}
}
