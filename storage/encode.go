package storage

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"time"

	"github.com/openear/openear/bot"
)

// Every encoding goes through the functions below. Threads and actions
// are written in the compact encoding of compact.go; incidents, rare and
// small, stay JSON. Decoders also read the JSON of schema version 1. A
// decoder must copy what it keeps: the bytes it is given are only valid
// inside the transaction.

func encodeThread(t *bot.Thread) ([]byte, error) {
	return appendThread(make(wbuf, 0, 512), t), nil
}

func decodeThread(b []byte) (bot.Thread, error) {
	if len(b) > 0 && b[0] == '{' {
		var t bot.Thread
		err := json.Unmarshal(b, &t)
		return t, err
	}
	if len(b) == 0 {
		return bot.Thread{}, errCorrupt
	}
	return decodeCompact(b, formatThread, readThread)
}

func encodeAction(a *bot.Action) ([]byte, error) {
	return appendAction(make(wbuf, 0, 256), a), nil
}

func decodeAction(b []byte) (bot.Action, error) {
	if len(b) > 0 && b[0] == '{' {
		var a bot.Action
		err := json.Unmarshal(b, &a)
		return a, err
	}
	if len(b) == 0 {
		return bot.Action{}, errCorrupt
	}
	return decodeCompact(b, formatAction, readAction)
}

func encodeIncident(in *bot.Incident) ([]byte, error) { return json.Marshal(in) }

func decodeIncident(b []byte) (bot.Incident, error) {
	var in bot.Incident
	err := json.Unmarshal(b, &in)
	return in, err
}

// u64 encodes n big-endian, so that byte order is numeric order.
func u64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), n)
}

// id decodes a big-endian uint64; it returns 0 for a slice of another
// length.
func id(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// nanos is t in unix nanoseconds as an unsigned, order-preserving number:
// times before 1970 count as 0, times past 2262 as the largest int64.
func nanos(t time.Time) uint64 {
	switch {
	case t.Before(time.Unix(0, 0)):
		return 0
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return uint64(t.UnixNano())
}

// timeKey is a time-ordered index key: big-endian nanos, then suffix.
func timeKey(t time.Time, suffix []byte) []byte {
	k := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(suffix)), nanos(t))
	return append(k, suffix...)
}

// dueKey is the due-index key of t, or nil when t is not due.
func dueKey(t *bot.Thread) []byte {
	if t == nil || t.Due.IsZero() {
		return nil
	}
	return timeKey(t.Due, u64(t.ID))
}

// ownerPrefix starts the owners-index keys of one owner.
func ownerPrefix(owner string) []byte {
	return append([]byte(owner), 0)
}

// ownerKey is the owners-index key of t, or nil when t is closed or has
// no owner.
func ownerKey(t *bot.Thread) []byte {
	if t == nil || t.Owner == "" || !t.State.Open() {
		return nil
	}
	return append(ownerPrefix(t.Owner), u64(t.ID)...)
}

// cursorKey is the cursors key of a channel.
func cursorKey(platform, channel string) []byte {
	return []byte(platform + "/" + channel)
}

// RecordSize is how many bytes t takes as a value in the threads bucket
// (without its index entries). openear bench writes raw records of this
// size as its reference.
func RecordSize(t bot.Thread) (int, error) {
	v, err := encodeThread(&t)
	return len(v), err
}
