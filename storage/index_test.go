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
		Due: t0.Add(30 * time.Minute), NoticeRef: "C0/1.4", CustCompany: "Acme", ChannelName: "acme",
		Timeline: []bot.TimelineItem{{At: t0, What: bot.MarkCreated, By: "김"}, {At: t0, What: bot.MarkResolved, By: "alice", Via: "web"}},
		CSAT:     bot.CSAT{Asked: t0, Score: 2, Comment: "느려요", At: t0},
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
	bare.Keys, bare.Messages, bare.Tags, bare.Corrections, bare.Timeline, bare.CSAT = nil, nil, nil, nil, nil, bot.CSAT{}
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
		// A value written before the tail existed ends after the notice ref.
		old := compact[:len(compact)-len(must(encodeTail(&th)))]
		for _, v := range [][]byte{compact, asJSON, old} {
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

// encodeTail is the tail appendThread writes after the notice ref.
func encodeTail(t *bot.Thread) ([]byte, error) {
	var w wbuf
	appendThreadTail(&w, t)
	return w, nil
}

// TestThreadWithoutTail reads a thread written before names, timeline
// and CSAT were stored: those fields are empty, the rest is intact.
func TestThreadWithoutTail(t *testing.T) {
	th := bot.Thread{ID: 3, Platform: bot.Discord, Channel: "222", CustName: "kim", CustCompany: "Acme",
		Timeline: []bot.TimelineItem{{What: bot.MarkCreated}}, CSAT: bot.CSAT{Score: 5}, NoticeRef: "9/8"}
	v := must(encodeThread(&th))
	old := v[:len(v)-len(must(encodeTail(&th)))]
	got, err := decodeThread(old)
	if err != nil {
		t.Fatal(err)
	}
	if got.CustName != "kim" || got.NoticeRef != "9/8" || got.CustCompany != "" || got.Timeline != nil || got.CSAT != (bot.CSAT{}) {
		t.Errorf("old value decoded as %+v", got)
	}
	full, err := decodeThread(v)
	if err != nil || full.CustCompany != "Acme" || len(full.Timeline) != 1 || full.CSAT.Score != 5 {
		t.Errorf("new value decoded as %+v, %v", full, err)
	}
}
