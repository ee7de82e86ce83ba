package storage_test

import (
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
)

// fullThread sets every field, with times in several zones.
func fullThread(id uint64) bot.Thread {
	seoul := time.FixedZone("", 9*3600)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 123, time.UTC)
	return bot.Thread{
		ID: id, Platform: bot.Discord, Channel: "222", Root: "1234", DM: true, Customer: "444", CustName: "김",
		Permalink: "https://discord.com/channels/1/222/1234", Lang: "ko",
		Keys: []string{"discord/222/1234", "cust/discord/222/444"}, State: bot.Answered,
		Tags:      []bot.Tag{{Name: "defect", Score: 0.75, Reason: `rule defect/ko: matched "오류"`}},
		Corrected: true, Corrections: []bot.Correction{{By: "alice", Tag: "urgent", Added: true, At: t0.In(seoul)}},
		Owner: "alice", Team: "support", Incident: 3,
		Created: t0, LastCust: t0.Add(time.Minute), LastStaff: t0.Add(2 * time.Minute), FirstReply: t0.Add(2 * time.Minute),
		ResolvedAt: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), Reopened: 2,
		Messages: []bot.Message{{ID: "1234", User: "444", Text: "오류가 나요", At: t0}, {ID: "1235", User: "111", Staff: true, Text: "fixed", At: t0.Add(time.Hour)}},
		MsgCount: 7, SnoozeUntil: t0.Add(3 * time.Hour), SLAKind: "next_reply", SLA: 4 * time.Hour, WaitFrom: t0,
		Deadline: t0.Add(4 * time.Hour).In(seoul), Stage: 1, Breached: true, Met: 1, Missed: 2, Due: t0.Add(5 * time.Hour),
		NoticeRef: "999/888",
	}
}

// TestCompactRoundTrip stores a thread with every field set and reads it
// back as JSON (schema version 1) would have: equal, zones included.
func TestCompactRoundTrip(t *testing.T) {
	db := openTemp(t)
	th := fullThread(5)
	a := bot.Action{ID: 9, Kind: bot.ActNotice, Purpose: bot.ForTriage, Platform: bot.Slack, Channel: "C0TRIAGE", Ref: "C0TRIAGE/1.2",
		Text: "notice", ThreadID: 5, Incident: 1, Created: th.Created, NotBefore: th.Due, Attempts: 3, LastError: "429",
		Notice: &bot.Notice{ThreadID: 5, State: bot.Waiting, Customer: "Kim", Channel: "C1", Excerpt: "x", Tags: th.Tags,
			Owner: "alice", OwnerID: "UALICE", Due: th.Deadline, Permalink: "p", Buttons: true, Note: "n"}}
	if err := db.Apply(t.Context(), bot.Change{Threads: []bot.Thread{th}, Enqueue: []bot.Action{a}}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Thread(t.Context(), 5)
	if err != nil {
		t.Fatal(err)
	}
	if want := viaJSON(t, th); !reflect.DeepEqual(got, want) {
		t.Errorf("thread:\n got %+v\nwant %+v", got, want)
	}
	box, err := db.Outbox(t.Context(), 10)
	if err != nil || len(box) != 1 {
		t.Fatalf("Outbox = %v, %v", box, err)
	}
	if want := viaJSON(t, a); !reflect.DeepEqual(box[0], want) {
		t.Errorf("action:\n got %+v\nwant %+v", box[0], want)
	}
}

func viaJSON[T any](t *testing.T, v T) T {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSchema1FileIsRead opens a file written by schema version 1 (JSON
// values): its threads and actions read as before, and new writes work.
func TestSchema1FileIsRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	th := fullThread(1)
	a := bot.Action{ID: 1, Kind: bot.ActDM, To: "U1", Text: "hi", Created: th.Created}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		tv, _ := json.Marshal(th)
		av, _ := json.Marshal(a)
		id := binary.BigEndian.AppendUint64(nil, 1)
		if err := tx.Bucket([]byte("threads")).Put(id, tv); err != nil {
			return err
		}
		if err := tx.Bucket([]byte("outbox")).Put(id, av); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), binary.BigEndian.AppendUint64(nil, 1))
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err = storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Thread(t.Context(), 1)
	if err != nil || !reflect.DeepEqual(got, viaJSON(t, th)) {
		t.Errorf("schema 1 thread: %+v, %v", got, err)
	}
	box, err := db.Outbox(t.Context(), 1)
	if err != nil || len(box) != 1 || !reflect.DeepEqual(box[0], viaJSON(t, a)) {
		t.Errorf("schema 1 action: %+v, %v", box, err)
	}
	got.State = bot.Resolved
	if err := db.Apply(t.Context(), bot.Change{Threads: []bot.Thread{got}}); err != nil {
		t.Fatal(err)
	}
	if again, err := db.Thread(t.Context(), 1); err != nil || again.State != bot.Resolved {
		t.Errorf("rewritten schema 1 thread: %+v, %v", again, err)
	}
}

// BenchmarkThreadCodec encodes a typical thread, as every Apply does for
// each thread it writes, and reports its size.
func BenchmarkThreadCodec(b *testing.B) {
	th := benchChange(1).Threads[0]
	size := 0
	for b.Loop() {
		n, err := storage.RecordSize(th)
		if err != nil {
			b.Fatal(err)
		}
		size = n
	}
	b.ReportMetric(float64(size), "bytes")
}
