//go:build linux

package storage_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/storage"
)

// crashEnv names the store file TestCrashChild writes to; unset, the child
// test skips.
const crashEnv = "OPENEAR_CRASH_CHILD_DB"

var crashT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// crashChange is the change the child applies for thread id: a thread with
// keys, a due time and an owner, an outbox action and a seen event id.
func crashChange(id uint64) bot.Change {
	root := fmt.Sprintf("1772442000.%06d", id)
	th := bot.Thread{
		ID: id, Platform: bot.Slack, Channel: "C1", Root: root, Customer: "U1",
		Keys:  []string{bot.Key(bot.Slack, "C1", root), fmt.Sprintf("crash/%d", id)},
		State: bot.Waiting, Owner: "alice", Created: crashT0, LastCust: crashT0,
		Messages: []bot.Message{{ID: root, User: "U1", Text: strings.Repeat("환불 refund ", 20), At: crashT0}},
		MsgCount: 1, Due: crashT0.Add(time.Duration(id) * time.Second),
	}
	return bot.Change{
		EventID: crashEvent(id), EventAt: crashT0,
		Threads: []bot.Thread{th},
		Enqueue: []bot.Action{{ID: id, Kind: bot.ActDM, To: "U0ALICE", Text: "new thread " + root, ThreadID: id, Created: crashT0}},
	}
}

func crashEvent(id uint64) string { return fmt.Sprintf("Ev%d", id) }

// TestCrashChild is the child of TestCrash: it applies changes until it
// is killed (or 30 s pass) and prints "ack <id> ok" for each change after
// the Apply that holds it returns. It commits 1 to 64 changes per Apply
// (seeded), so that kills land at different points of a commit: encoding,
// page writes, fsync.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("the child process of TestCrash")
	}
	db, err := storage.Open(path, storage.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	last, _, _, err := db.LastIDs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(last, 1))
	var acks []byte
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); {
		changes := make([]bot.Change, 1+rng.IntN(64))
		for i := range changes {
			last++
			changes[i] = crashChange(last)
		}
		if err := db.Apply(t.Context(), changes...); err != nil {
			t.Fatal(err)
		}
		acks = acks[:0]
		for _, c := range changes {
			acks = fmt.Appendf(acks, "ack %d ok\n", c.Threads[0].ID)
		}
		os.Stdout.Write(acks) // whole lines only: a kill cuts no ack in two
	}
}

// TestCrash kills a writing child process with SIGKILL 20 times at random
// moments and checks after each restart that every acknowledged change is
// there whole, and that no change is there in part.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	path := filepath.Join(t.TempDir(), "openear.db")
	rng := rand.New(rand.NewPCG(2026, 3))
	acked := map[uint64]bool{}
	for round := range 20 {
		killAfter(t, path, 1+rng.IntN(40), 1+rng.IntN(12), acked)
		if err := checkCrashFile(t, path, acked); err != nil {
			t.Fatalf("after kill %d: %v", round+1, err)
		}
	}
	t.Logf("%d changes acknowledged over 20 kills", len(acked))
}

// killAfter runs the child until it acknowledged n changes and then wrote
// to the file writes more times (so that the kill lands anywhere in a
// commit: page writes, meta page, fsync), kills it, and records every
// acknowledgement it printed before dying.
func killAfter(t *testing.T, path string, n, writes int, acked map[uint64]bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	got := 0
	for got < n && sc.Scan() {
		if id, ok := parseAck(sc.Text()); ok {
			acked[id] = true
			got++
		}
	}
	if err := waitWrites(path, writes); err != nil {
		t.Fatalf("%v; child stderr:\n%s", err, stderr.Bytes())
	}
	cmd.Process.Kill() // SIGKILL
	for sc.Scan() {    // acknowledged before it died
		if id, ok := parseAck(sc.Text()); ok {
			acked[id] = true
		}
	}
	cmd.Wait()
	if got < n {
		t.Fatalf("child stopped after %d acks, before the kill:\n%s", got, stderr.Bytes())
	}
}

// waitWrites returns after the file was written n times (inotify
// IN_MODIFY events), or when the writer closed it; it gives up after 10 s
// without events.
func waitWrites(path string, n int) error {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		return fmt.Errorf("inotify: %w", err)
	}
	defer unix.Close(fd)
	if _, err := unix.InotifyAddWatch(fd, path, unix.IN_MODIFY|unix.IN_CLOSE_WRITE); err != nil {
		return fmt.Errorf("inotify watch: %w", err)
	}
	buf := make([]byte, 4096)
	for n > 0 {
		ready, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 10_000)
		if err == unix.EINTR {
			continue
		}
		if err != nil || ready == 0 {
			return fmt.Errorf("no write to the store for 10s (%v)", err)
		}
		m, err := unix.Read(fd, buf)
		if err != nil {
			return fmt.Errorf("inotify read: %w", err)
		}
		for off := 0; off+unix.SizeofInotifyEvent <= m; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			if ev.Mask&unix.IN_CLOSE_WRITE != 0 {
				return nil // the child is gone
			}
			n--
			off += unix.SizeofInotifyEvent + int(ev.Len)
		}
	}
	return nil
}

func parseAck(line string) (uint64, bool) {
	s, ok := strings.CutPrefix(line, "ack ")
	if !ok {
		return 0, false
	}
	if s, ok = strings.CutSuffix(s, " ok"); !ok {
		return 0, false
	}
	id, err := strconv.ParseUint(s, 10, 64)
	return id, err == nil
}

// checkCrashFile reopens the file and checks it: sound pages, every
// acknowledged change present, and every thread present with all its
// index entries and the rest of its change.
func checkCrashFile(t *testing.T, path string, acked map[uint64]bool) error {
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		return err
	}
	ctx := t.Context()
	var threads []uint64
	if err := db.Threads(ctx, func(th bot.Thread) bool { threads = append(threads, th.ID); return true }); err != nil {
		return err
	}
	due, err := db.Due(ctx, crashT0.Add(1000*time.Hour), 1<<30)
	if err != nil {
		return err
	}
	box, err := db.Outbox(ctx, 1<<30)
	if err != nil {
		return err
	}
	owned, err := db.CountOpenByOwner(ctx, "alice")
	if err != nil {
		return err
	}
	last, _, _, err := db.LastIDs(ctx)
	if err != nil {
		return err
	}
	n := uint64(len(threads))
	if len(due) != len(threads) || len(box) != len(threads) || owned != len(threads) || last != n {
		return fmt.Errorf("%d threads, %d due, %d outbox, %d owned, last id %d: a change is there in part",
			len(threads), len(due), len(box), owned, last)
	}
	for i, id := range threads {
		if id != uint64(i+1) || due[i].ID != id || box[i].ID != id {
			return fmt.Errorf("position %d holds thread %d, due %d, action %d", i, id, due[i].ID, box[i].ID)
		}
		if err := checkCrashThread(ctx, db, id); err != nil {
			return err
		}
	}
	for id := range acked {
		if id > n {
			return fmt.Errorf("acknowledged change %d is lost (%d threads)", id, n)
		}
	}
	return nil
}

// checkCrashThread checks the key and seen entries of one thread.
func checkCrashThread(ctx context.Context, db *storage.DB, id uint64) error {
	for _, k := range crashChange(id).Threads[0].Keys {
		got, err := db.ThreadByKey(ctx, k)
		if err != nil || got.ID != id {
			return fmt.Errorf("key %q leads to %d, %v; want %d", k, got.ID, err, id)
		}
	}
	if ok, err := db.Seen(ctx, crashEvent(id)); !ok || err != nil {
		return fmt.Errorf("event of thread %d not seen (%v)", id, err)
	}
	return nil
}

// TestCrashCheckCatchesHalfChanges shows that checkCrashFile would see a
// change written in part, or an acknowledged change that is missing.
func TestCrashCheckCatchesHalfChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "openear.db")
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	half := crashChange(2)
	half.Enqueue = nil
	err = db.Apply(t.Context(), crashChange(1), half)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := checkCrashFile(t, path, map[uint64]bool{1: true}); err == nil {
		t.Error("a thread without its outbox entry passed the check")
	}

	path = filepath.Join(t.TempDir(), "openear.db")
	if db, err = storage.Open(path, storage.Options{}); err != nil {
		t.Fatal(err)
	}
	err = db.Apply(t.Context(), crashChange(1))
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := checkCrashFile(t, path, map[uint64]bool{1: true}); err != nil {
		t.Errorf("a whole change failed the check: %v", err)
	}
	if err := checkCrashFile(t, path, map[uint64]bool{1: true, 2: true}); err == nil {
		t.Error("a lost acknowledged change passed the check")
	}
}
