package storage

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

// TestReadStoredIndex checks the partial decode Apply uses against the
// full decode, for threads in every state with and without owner, due
// time, keys, messages and corrections, in both encodings.
func TestReadStoredIndex(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 123, time.FixedZone("", 9*3600))
	base := bot.Thread{
		ID: 77, Platform: bot.Slack, Channel: "C1", Root: "1.2", Customer: "U1", CustName: "김", Lang: "ko",
		Keys: []string{"slack/C1/1.2", "cust/slack/C1/U1"}, Tags: []bot.Tag{{Name: "defect", Score: 0.5, Reason: "r"}},
		Corrections: []bot.Correction{{By: "a", Tag: "urgent", Added: true, At: t0}},
		Owner:       "alice", Team: "support", Created: t0,
		Messages: []bot.Message{{ID: "1.2", User: "U1", Text: "오류", At: t0}, {ID: "1.3", User: "U9", Staff: true, Text: "ok", At: t0}},
		MsgCount: 2, SLAKind: "first_reply", SLA: time.Hour, WaitFrom: t0, Deadline: t0.Add(time.Hour),
		Due: t0.Add(30 * time.Minute), NoticeRef: "C0/1.4",
	}
	var cases []bot.Thread
	for _, st := range []bot.State{bot.Waiting, bot.Answered, bot.Resolved} {
		for _, owner := range []string{"", "alice", "김민지"} {
			for _, due := range []time.Time{{}, t0.Add(time.Minute), time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)} {
				th := base
				th.State, th.Owner, th.Due = st, owner, due
				cases = append(cases, th)
			}
		}
	}
	bare := base
	bare.Keys, bare.Messages, bare.Tags, bare.Corrections = nil, nil, nil, nil
	cases = append(cases, bare)

	for _, th := range cases {
		compact, err := encodeThread(&th)
		if err != nil {
			t.Fatal(err)
		}
		asJSON, err := json.Marshal(th)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range [][]byte{compact, asJSON} {
			got, err := readStoredIndex(v, th.ID, nil)
			if err != nil {
				t.Fatalf("%s/%q/%v: %v", th.State, th.Owner, th.Due, err)
			}
			full, err := decodeThread(v)
			if err != nil {
				t.Fatal(err)
			}
			keys := got.keys
			if !slices.Equal(keys, full.Keys) || !bytes.Equal(got.due, dueKey(&full)) || !bytes.Equal(got.owner, ownerKey(&full)) {
				t.Errorf("%s/%q/%v: index %q %x %q, want %q %x %q", th.State, th.Owner, th.Due,
					keys, got.due, got.owner, full.Keys, dueKey(&full), ownerKey(&full))
			}
		}
	}
	for _, bad := range [][]byte{nil, {formatThread}, {formatAction, 1}, append(must(encodeThread(&base)), 0)} {
		if _, err := readStoredIndex(bad, 1, nil); err == nil {
			t.Errorf("readStoredIndex(%x) accepted a corrupt value", bad)
		}
	}
}

func must(v []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return v
}
