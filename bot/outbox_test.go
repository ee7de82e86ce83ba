package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/bot/bottest"
)

// digestPlatform is a recording platform that can post digests (a
// bot.Digester of the given size) and, when gate is set, paces its
// non-urgent posts (a bot.Pacer whose Ready waits for the gate).
type digestPlatform struct {
	*bottest.Platform
	size int

	mu      sync.Mutex
	digests []digestSent
	n       int
	gate    chan struct{} // nil: no pacing; else non-urgent posts wait until it is closed
	readies int
}

type digestSent struct {
	channel, ref string // ref: "" for a post
	got          string // the receipt
	threads      []uint64
	states       []bot.State
	owners       []string
	title        string
}

func newDigestPlatform(name string, size int) *digestPlatform {
	return &digestPlatform{Platform: bottest.NewPlatform(name), size: size}
}

func (p *digestPlatform) DigestSize() int { return p.size }

func (p *digestPlatform) SendDigest(ctx context.Context, channel, ref string, d *bot.Digest) (bot.Receipt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := digestSent{channel: channel, ref: ref, title: d.Title()}
	for _, n := range d.Notices {
		s.threads = append(s.threads, n.ThreadID)
		s.states = append(s.states, n.State)
		s.owners = append(s.owners, n.Owner)
	}
	s.got = ref
	if ref == "" {
		p.n++
		s.got = fmt.Sprintf("%s/d%d", channel, p.n)
	}
	p.digests = append(p.digests, s)
	return bot.Receipt{Ref: s.got}, nil
}

func (p *digestPlatform) Ready(ctx context.Context, a bot.Action) error {
	p.mu.Lock()
	gate := p.gate
	p.readies++
	p.mu.Unlock()
	if gate == nil || a.Urgent() {
		return nil
	}
	select {
	case <-gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *digestPlatform) sentDigests() []digestSent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.digests)
}

// digestRig is a rig whose Slack can post digests of up to size threads.
func digestRig(t *testing.T, size int, mod func(*bot.Options)) (*rig, *digestPlatform) {
	r := newRig(t, mod)
	p := newDigestPlatform(bot.Slack, size)
	r.slack = p.Platform
	r.bot.AddPlatform(p)
	return r, p
}

func (r *rig) customers(n int, text string) []uint64 {
	r.t.Helper()
	var ids []uint64
	for i := range n {
		id, _ := r.customer(fmt.Sprintf("UC%03d", i), fmt.Sprintf("%s (%d)", text, i))
		ids = append(ids, id)
	}
	return ids
}

// A burst of new threads gets digests of up to DigestSize threads while
// more than CoalesceAfter wait; the last few get notices of their own.
// Each thread's NoticeRef leads to the message that shows it, and an
// update of any of them edits that message.
func TestDigestForABurst(t *testing.T) {
	r, p := digestRig(t, 5, nil)
	ids := r.customers(12, "The export is broken")
	r.flush()

	ds := p.sentDigests()
	if len(ds) != 2 || !slices.Equal(ds[0].threads, ids[:5]) || !slices.Equal(ds[1].threads, ids[5:10]) {
		t.Fatalf("digests %+v, want threads %v and %v", ds, ids[:5], ids[5:10])
	}
	for _, d := range ds {
		if d.ref != "" || !strings.HasPrefix(d.title, "5 new threads in the last 0s: 5 defect — #") {
			t.Fatalf("digest %+v", d)
		}
	}
	singles := r.slack.Sent(bot.ForTriage)
	if len(singles) != 2 || singles[0].ThreadID != ids[10] || singles[1].ThreadID != ids[11] {
		t.Fatalf("own notices %+v, want threads %v", singles, ids[10:])
	}
	for i, id := range ids {
		want := map[bool]string{true: ds[0].got, false: ds[1].got}[i < 5]
		if i >= 10 {
			want = "CTRIAGE/m" // a notice of its own
		}
		if ref := r.thread(id).NoticeRef; !strings.HasPrefix(ref, want) {
			t.Fatalf("thread #%d notice ref %q, want %q", id, ref, want)
		}
	}
	if left, _ := r.store.Outbox(r.ctx, 100); slices.ContainsFunc(left, func(a bot.Action) bool { return a.Purpose == bot.ForTriage }) {
		t.Fatalf("notices left in the outbox: %+v", left)
	}

	// A claim of a thread of the first digest edits that digest, which
	// shows the thread claimed and the others as they are.
	r.command("UBOB", true, fmt.Sprintf("claim %d", ids[2]))
	r.flush()
	ds = p.sentDigests()
	last := ds[len(ds)-1]
	if len(ds) != 3 || last.ref != ds[0].got || !slices.Equal(last.threads, ids[:5]) || last.owners[2] != "bob" {
		t.Fatalf("after a claim: digests %+v", ds)
	}
	// Two changes in two threads of the second digest: one edit shows both.
	r.command("UBOB", true, fmt.Sprintf("resolve %d", ids[6]))
	r.command("UALICE", true, fmt.Sprintf("resolve %d", ids[8]))
	r.flush()
	ds = p.sentDigests()
	last = ds[len(ds)-1]
	if len(ds) != 4 || last.ref != ds[1].got || last.states[1] != bot.Resolved || last.states[3] != bot.Resolved {
		t.Fatalf("after two resolves: digests %+v", ds)
	}
	// A thread with its own notice: its own notice is edited.
	r.command("UALICE", true, fmt.Sprintf("claim %d", ids[11])) // bob's
	r.flush()
	singles = r.slack.Sent(bot.ForTriage)
	if n := len(singles); n != 3 || singles[2].Ref != r.thread(ids[11]).NoticeRef || len(p.sentDigests()) != 4 {
		t.Fatalf("after a claim of a thread with its own notice: %+v", singles)
	}
}

// With follow-up on, each thread of a digest gets its own notice
// afterwards, and its later updates edit that notice.
func TestDigestFollowUp(t *testing.T) {
	r, p := digestRig(t, 10, func(o *bot.Options) { o.Notices.FollowUp = true })
	ids := r.customers(6, "Where is my invoice?")
	r.flush()
	if ds := p.sentDigests(); len(ds) != 1 || len(ds[0].threads) != 6 {
		t.Fatalf("digests %+v", ds)
	}
	own := r.slack.Sent(bot.ForFollowUp)
	if len(own) != 6 {
		t.Fatalf("%d follow-up notices, want 6", len(own))
	}
	for i, a := range own {
		if a.ThreadID != ids[i] || a.Notice == nil || a.Notice.ThreadID != ids[i] || a.Ref != "" {
			t.Fatalf("follow-up %d: %+v", i, a)
		}
		if ref := r.thread(ids[i]).NoticeRef; !strings.HasPrefix(ref, "CTRIAGE/m") {
			t.Fatalf("thread #%d notice ref %q after its follow-up", ids[i], ref)
		}
	}
	r.command("UBOB", true, fmt.Sprintf("claim %d", ids[0]))
	r.flush()
	upd := r.slack.Sent(bot.ForTriage)
	if len(upd) != 1 || upd[0].Ref != r.thread(ids[0]).NoticeRef || len(p.sentDigests()) != 1 {
		t.Fatalf("update after follow-up: %+v", upd)
	}
}

// Notices of one thread supersede each other: only the newest goes.
func TestNoticeSupersedes(t *testing.T) {
	r, _ := digestRig(t, 10, nil)
	id, _ := r.customer("UCUST", "The export is broken")
	r.command("UBOB", true, fmt.Sprintf("claim %d", id))
	r.command("UBOB", true, fmt.Sprintf("snooze %d 1h", id))
	r.flush()
	got := r.slack.Sent(bot.ForTriage)
	if len(got) != 1 || got[0].Ref != "" || got[0].Notice.Owner != "bob" || !strings.Contains(got[0].Notice.Note, "snoozed") {
		t.Fatalf("notices sent %+v, want one post with the newest content", got)
	}
	if left, _ := r.store.Outbox(r.ctx, 100); slices.ContainsFunc(left, func(a bot.Action) bool { return a.Purpose == bot.ForTriage }) {
		t.Fatal("superseded notices left in the outbox")
	}
}

// Many new threads for one owner: one DM lists them.
func TestOwnerDMsCoalesce(t *testing.T) {
	r, _ := digestRig(t, 10, func(o *bot.Options) { o.Rules = []bot.Rule{{Person: "alice", Team: "support"}} })
	ids := r.customers(5, "How do I change my plan?")
	r.flush()
	got := r.dms("UALICE", bot.ForOwner)
	if len(got) != 1 || !strings.HasPrefix(got[0], "📥 5 new threads for you:") {
		t.Fatalf("alice's DMs %q, want one listing 5 threads", got)
	}
	for _, id := range ids {
		if !strings.Contains(got[0], fmt.Sprintf("• #%d (question)", id)) {
			t.Fatalf("the DM lacks thread #%d: %s", id, got[0])
		}
	}
	// With coalescing off, one DM and one notice each.
	r2, p2 := digestRig(t, 10, func(o *bot.Options) {
		o.Rules = []bot.Rule{{Person: "alice", Team: "support"}}
		o.Notices.NoCoalesce = true
	})
	r2.customers(5, "How do I change my plan?")
	r2.flush()
	if n, d := len(r2.dms("UALICE", bot.ForOwner)), len(p2.sentDigests()); n != 5 || d != 0 || len(r2.slack.Sent(bot.ForTriage)) != 5 {
		t.Fatalf("without coalescing: %d DMs, %d digests", n, d)
	}
}

// An escalation does not wait behind a triage channel's queue of
// notices: the notices wait for the channel's pace, the escalation goes.
func TestEscalationDoesNotWaitBehindNotices(t *testing.T) {
	r, p := digestRig(t, 10, func(o *bot.Options) {
		o.Rules = []bot.Rule{{Person: "alice", Team: "support"}}
		o.SLA.FirstReply = time.Minute
		o.SLA.PerTag = nil
	})
	early, _ := r.customer("UEARLY", "How do I export my data?")
	r.flush()
	r.slack.Reset()
	gate := make(chan struct{})
	p.mu.Lock()
	p.gate = gate
	p.mu.Unlock()
	r.customers(8, "Checkout crashes")
	r.clock.Advance(90 * time.Second) // the early thread escalates
	if _, err := r.bot.Tick(r.ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.bot.Flush(r.ctx)
		done <- err
	}()
	bottest.Poll(t, "the escalation while the notices wait", func() bool {
		return len(r.slack.Sent(bot.ForEscalation)) > 0
	})
	if esc := r.slack.Sent(bot.ForEscalation); esc[0].ThreadID != early || esc[0].Channel != "CTRIAGE" && esc[0].To == "" {
		t.Fatalf("escalation %+v", esc[0])
	}
	if n, d := len(r.slack.Sent(bot.ForTriage)), len(p.sentDigests()); n != 0 || d != 0 {
		t.Fatalf("%d notices and %d digests went past the pace", n, d)
	}
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Decided once the channel could take a post: one digest of all eight.
	if ds := p.sentDigests(); len(ds) != 1 || len(ds[0].threads) != 8 {
		t.Fatalf("digests after the pace: %+v", ds)
	}
}

// A digest that is rate limited is tried again whole, later.
func TestDigestRetried(t *testing.T) {
	r, p := digestRig(t, 10, nil)
	ids := r.customers(5, "Login fails")
	fails := &failingDigest{digestPlatform: p, fail: 1}
	r.bot.AddPlatform(fails)
	r.flush()
	if len(p.sentDigests()) != 0 {
		t.Fatal("a failed digest was recorded")
	}
	left, _ := r.store.Outbox(r.ctx, 100)
	n := 0
	for _, a := range left {
		if a.Purpose == bot.ForTriage {
			n++
			if a.Attempts != 1 || !a.NotBefore.After(r.clock.Now()) {
				t.Fatalf("after a 429: %+v", a)
			}
		}
	}
	if n != 5 {
		t.Fatalf("%d notices kept after a failed digest, want 5", n)
	}
	r.advance(2 * time.Second)
	if ds := p.sentDigests(); len(ds) != 1 || !slices.Equal(ds[0].threads, ids) {
		t.Fatalf("digests after the retry: %+v", ds)
	}
}

type failingDigest struct {
	*digestPlatform
	mu   sync.Mutex
	fail int
}

func (f *failingDigest) SendDigest(ctx context.Context, channel, ref string, d *bot.Digest) (bot.Receipt, error) {
	f.mu.Lock()
	if f.fail > 0 {
		f.fail--
		f.mu.Unlock()
		return bot.Receipt{}, &bot.RetryError{After: time.Second, Err: fmt.Errorf("429")}
	}
	f.mu.Unlock()
	return f.digestPlatform.SendDigest(ctx, channel, ref, d)
}

// Run's sender and Flush calls deliver side by side: no action is
// delivered twice.
func TestFlushBesideRunDeliversOnce(t *testing.T) {
	r, p := digestRig(t, 5, func(o *bot.Options) { o.SendEvery, o.TickEvery = time.Millisecond, time.Hour })
	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan error, 1)
	go func() { done <- r.bot.Run(ctx) }()
	for round := range 20 {
		for i := range 7 {
			r.customer(fmt.Sprintf("U%02d%02d", round, i), fmt.Sprintf("The export is broken (%d)", i))
		}
		if _, err := r.bot.Flush(r.ctx); err != nil {
			t.Fatal(err)
		}
	}
	bottest.Poll(t, "the outbox emptied", func() bool {
		left, _ := r.store.Outbox(r.ctx, 10)
		return len(left) == 0
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]bool{}
	for _, a := range r.slack.Sent() {
		if seen[a.ID] {
			t.Fatalf("action %d (%s) delivered twice", a.ID, a.Purpose)
		}
		seen[a.ID] = true
	}
	noticed := map[uint64]int{}
	for _, d := range p.sentDigests() {
		if d.ref != "" {
			continue
		}
		for _, id := range d.threads {
			noticed[id]++
		}
	}
	for _, a := range r.slack.Sent(bot.ForTriage) {
		if a.Ref == "" {
			noticed[a.ThreadID]++
		}
	}
	for id := uint64(1); id <= 140; id++ {
		if noticed[id] != 1 {
			t.Fatalf("thread #%d noticed %d times", id, noticed[id])
		}
	}
}
