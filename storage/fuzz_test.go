package storage

import (
	"encoding/binary"
	"reflect"
	"testing"
	"time"

	"github.com/openear/openear/bot"
)

// FuzzDecode feeds arbitrary bytes to the decoders of stored values: a
// corrupt file must give errors, never a panic. A value that decodes as a
// thread encodes back to a value that decodes to the same thread, and its
// partial read (Apply's) agrees with the full one. The reader's own varint
// agrees with encoding/binary's.
func FuzzDecode(f *testing.F) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	th := bot.Thread{ID: 3, Platform: bot.Slack, Channel: "C1", Keys: []string{"slack/C1/1.2"}, State: bot.Waiting,
		Owner: "alice", Due: t0, Messages: []bot.Message{{ID: "1.2", Text: "오류", At: t0}}}
	f.Add(must(encodeThread(&th)))
	a := bot.Action{ID: 4, Kind: bot.ActDM, To: "U1", Text: "hi", Created: t0}
	f.Add(must(encodeAction(&a)))
	f.Add([]byte{formatThread, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02})
	f.Add([]byte(`{"id":1}`))
	f.Fuzz(func(t *testing.T, v []byte) {
		if len(v) > 0 {
			want, wn := binary.Uvarint(v)
			r := rbuf{b: string(v)}
			got := r.u()
			if (wn > 0) != (r.err == nil) || (wn > 0 && (got != want || len(r.b) != len(v)-wn)) {
				t.Fatalf("u(%x) = %d (err %v), binary.Uvarint = %d, %d", v, got, r.err, want, wn)
			}
		}
		_, _ = decodeAction(v)
		th, err := decodeThread(v)
		ix, ixErr := readStoredIndex(v, th.ID, nil)
		if err != nil {
			return
		}
		if ixErr != nil {
			t.Fatalf("full decode accepted what the partial read refused: %v", ixErr)
		}
		if !reflect.DeepEqual(ix.keys, th.Keys) && (len(ix.keys) != 0 || len(th.Keys) != 0) {
			t.Fatalf("keys %q, full decode %q", ix.keys, th.Keys)
		}
		again, err := decodeThread(must(encodeThread(&th)))
		if err != nil {
			t.Fatalf("re-encoded thread does not decode: %v", err)
		}
		if !reflect.DeepEqual(again, th) {
			t.Fatalf("round trip changed the thread:\n%+v\n%+v", again, th)
		}
	})
}
