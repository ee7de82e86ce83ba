package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/openear/openear/bot"
)

// entries reads every entry under prefix as key=value pairs, in order.
func entries(t *testing.T, s bot.Store, prefix string) []string {
	t.Helper()
	out := []string{}
	err := s.Entries(t.Context(), prefix, func(k string, v []byte) bool {
		out = append(out, k+"="+string(v))
		return true
	})
	if err != nil {
		t.Fatalf("Entries(%q): %v", prefix, err)
	}
	return out
}

func testEntries(t *testing.T, s bot.Store) {
	if _, err := s.Entry(t.Context(), "rr/support"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Entry of an unknown key: %v, want ErrNotFound", err)
	}
	equal(t, "entries of a new store", entries(t, s, ""), []string{})

	apply(t, s, bot.Change{Entries: []bot.Entry{
		{Key: "rr/support", Value: []byte("3")},
		{Key: "rr/oncall", Value: []byte("1")},
		{Key: "rr", Value: []byte("no slash")},
		{Key: "rs/x", Value: []byte("other prefix")},
		{Key: "tag/empty", Value: []byte{}}, // an empty value is a value
	}})
	v, err := s.Entry(t.Context(), "rr/support")
	if err != nil || string(v) != "3" {
		t.Errorf("Entry(rr/support) = %q, %v", v, err)
	}
	if v, err := s.Entry(t.Context(), "tag/empty"); err != nil || len(v) != 0 {
		t.Errorf("Entry of an empty value = %q, %v; want it found and empty", v, err)
	}
	v[0] = 'x' // the returned value is the caller's
	equal(t, "rr/ prefix, in key order", entries(t, s, "rr/"), []string{"rr/oncall=1", "rr/support=3"})
	equal(t, "rr prefix", entries(t, s, "rr"), []string{"rr=no slash", "rr/oncall=1", "rr/support=3"})

	// Replace, delete and write in one change; later entries see earlier ones.
	apply(t, s, bot.Change{Entries: []bot.Entry{
		{Key: "rr/support", Value: []byte("4")},
		{Key: "rr/oncall", Value: nil},
		{Key: "rr/new", Value: []byte("a")},
		{Key: "rr/new", Value: []byte("b")},
		{Key: "rr/none", Value: nil}, // deleting an unknown key: nothing
	}})
	equal(t, "after replace and delete", entries(t, s, "rr/"), []string{"rr/new=b", "rr/support=4"})

	// Early stop, and more entries than one read batch of any engine.
	var many []bot.Entry
	for i := range 2500 {
		many = append(many, bot.Entry{Key: fmt.Sprintf("m/%05d", i), Value: []byte{byte(i)}})
	}
	apply(t, s, bot.Change{Entries: many})
	n, last := 0, ""
	err = s.Entries(t.Context(), "m/", func(k string, v []byte) bool {
		if k <= last || len(v) != 1 || v[0] != byte(n) {
			t.Fatalf("entry %d: %q=%v after %q", n, k, v, last)
		}
		n, last = n+1, k
		return true
	})
	if err != nil || n != len(many) {
		t.Errorf("Entries(m/) saw %d of %d: %v", n, len(many), err)
	}
	n = 0
	s.Entries(t.Context(), "m/", func(string, []byte) bool { n++; return n < 3 })
	if n != 3 {
		t.Errorf("Entries went on after fn returned false: %d calls", n)
	}
}

func testEntriesInvalid(t *testing.T, s bot.Store) {
	bad := map[string]bot.Entry{
		"empty key":         {Key: "", Value: []byte("x")},
		"long key":          {Key: strings.Repeat("k", bot.MaxEntryKey+1), Value: []byte("x")},
		"too large a value": {Key: "big/x", Value: make([]byte, bot.MaxEntryValue+1)},
	}
	for name, e := range bad {
		err := s.Apply(t.Context(), bot.Change{Threads: []bot.Thread{newThread(1)}, Entries: []bot.Entry{{Key: "ok/x", Value: []byte("1")}, e}})
		if err == nil {
			t.Errorf("Apply with an entry of %s succeeded", name)
		}
		checkEmpty(t, s)
		equal(t, "entries after a refused Apply", entries(t, s, ""), []string{})
	}
	apply(t, s, bot.Change{Entries: []bot.Entry{
		{Key: strings.Repeat("k", bot.MaxEntryKey), Value: make([]byte, bot.MaxEntryValue)},
	}})
}
