package storage

import (
	"encoding/binary"
	"errors"
	"math"
	"time"
	"unsafe"

	"github.com/openear/openear/bot"
)

// The compact encoding of threads and actions (schema version 2): a
// format byte, then the fields in a fixed order. Integers are varints,
// strings and lists a varint length then their contents, floats 8 bytes,
// times a presence byte then varint unix seconds, varint nanoseconds and
// varint zone offset in seconds. Decoding gives times the zone JSON
// decoding would: UTC for offset 0, Local when its offset matches, else a
// fixed zone. A value starting with '{' is JSON (schema version 1) and is
// still read.
const (
	formatThread = 0x01
	formatAction = 0x02
)

var errCorrupt = errors.New("corrupt value")

// wbuf appends fields.
type wbuf []byte

func (w *wbuf) u(v uint64) { *w = binary.AppendUvarint(*w, v) }
func (w *wbuf) i(v int64)  { *w = binary.AppendVarint(*w, v) }
func (w *wbuf) s(v string) { w.u(uint64(len(v))); *w = append(*w, v...) }
func (w *wbuf) f(v float64) {
	*w = binary.LittleEndian.AppendUint64(*w, math.Float64bits(v))
}

func (w *wbuf) b(v bool) {
	if v {
		*w = append(*w, 1)
	} else {
		*w = append(*w, 0)
	}
}

func (w *wbuf) t(v time.Time) {
	if v.IsZero() {
		*w = append(*w, 0)
		return
	}
	_, off := v.Zone()
	*w = append(*w, 1)
	w.i(v.Unix())
	w.u(uint64(v.Nanosecond()))
	w.i(int64(off))
}

// rbuf reads fields; after the first error every read returns zero. It
// reads a string: decodeCompact copies a stored value into one string
// once, and every string field of the result is a piece of it (one
// allocation per value instead of one per field). The pieces keep the
// whole value alive as long as any of them lives.
type rbuf struct {
	b   string
	err error
}

func (r *rbuf) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.b = ""
}

func (r *rbuf) u() uint64 {
	var v uint64
	for i, shift := 0, uint(0); i < len(r.b) && i < binary.MaxVarintLen64; i, shift = i+1, shift+7 {
		c := r.b[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break // overflows 64 bits
			}
			r.b = r.b[i+1:]
			return v | uint64(c)<<shift
		}
		v |= uint64(c&0x7f) << shift
	}
	r.fail()
	return 0
}

func (r *rbuf) i() int64 {
	ux := r.u()
	v := int64(ux >> 1)
	if ux&1 != 0 {
		v = ^v
	}
	return v
}

// n reads a length that must fit in what is left.
func (r *rbuf) n() int {
	n := r.u()
	if n > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *rbuf) s() string {
	n := r.n()
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *rbuf) f() float64 {
	if len(r.b) < 8 {
		r.fail()
		return 0
	}
	var bits uint64
	for k := 7; k >= 0; k-- {
		bits = bits<<8 | uint64(r.b[k])
	}
	r.b = r.b[8:]
	return math.Float64frombits(bits)
}

func (r *rbuf) b1() bool {
	if len(r.b) < 1 {
		r.fail()
		return false
	}
	v := r.b[0] == 1
	r.b = r.b[1:]
	return v
}

func (r *rbuf) t() time.Time {
	if !r.b1() {
		return time.Time{}
	}
	sec, nsec, off := r.i(), r.u(), int(r.i())
	v := time.Unix(sec, int64(nsec))
	if off == 0 {
		return v.UTC()
	}
	if _, local := v.Zone(); local == off {
		return v
	}
	return v.In(time.FixedZone("", off))
}

func (r *rbuf) strs() []string {
	n := r.n()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for k := range out {
		out[k] = r.s()
	}
	return out
}

func (w *wbuf) strs(v []string) {
	w.u(uint64(len(v)))
	for _, s := range v {
		w.s(s)
	}
}

func (w *wbuf) tags(v []bot.Tag) {
	w.u(uint64(len(v)))
	for _, g := range v {
		w.s(g.Name)
		w.f(g.Score)
		w.s(g.Reason)
	}
}

func (r *rbuf) tags() []bot.Tag {
	n := r.n()
	if n == 0 {
		return nil
	}
	out := make([]bot.Tag, n)
	for k := range out {
		out[k] = bot.Tag{Name: r.s(), Score: r.f(), Reason: r.s()}
	}
	return out
}

func appendThread(w wbuf, t *bot.Thread) wbuf {
	w = append(w, formatThread)
	w.u(t.ID)
	w.s(t.Platform)
	w.s(t.Channel)
	w.s(t.Root)
	w.b(t.DM)
	w.s(t.Customer)
	w.s(t.CustName)
	w.s(t.Permalink)
	w.s(t.Lang)
	w.strs(t.Keys)
	w.s(string(t.State))
	w.tags(t.Tags)
	w.b(t.Corrected)
	w.u(uint64(len(t.Corrections)))
	for _, c := range t.Corrections {
		w.s(c.By)
		w.s(c.Tag)
		w.b(c.Added)
		w.t(c.At)
	}
	w.s(t.Owner)
	w.s(t.Team)
	w.u(t.Incident)
	for _, v := range []time.Time{t.Created, t.LastCust, t.LastStaff, t.FirstReply, t.ResolvedAt} {
		w.t(v)
	}
	w.i(int64(t.Reopened))
	w.u(uint64(len(t.Messages)))
	for _, m := range t.Messages {
		w.s(m.ID)
		w.s(m.User)
		w.b(m.Staff)
		w.s(m.Text)
		w.t(m.At)
	}
	w.i(int64(t.MsgCount))
	w.t(t.SnoozeUntil)
	w.s(t.SLAKind)
	w.i(int64(t.SLA))
	w.t(t.WaitFrom)
	w.t(t.Deadline)
	w.i(int64(t.Stage))
	w.b(t.Breached)
	w.i(int64(t.Met))
	w.i(int64(t.Missed))
	w.t(t.Due)
	w.s(t.NoticeRef)
	appendThreadTail(&w, t)
	return w
}

// tailV1 starts the fields added after the first compact format (names,
// timeline, CSAT). A value that ends after the notice ref was written
// before them and reads with those fields empty.
const tailV1 = 0x01

func appendThreadTail(w *wbuf, t *bot.Thread) {
	*w = append(*w, tailV1)
	w.s(t.CustCompany)
	w.s(t.ChannelName)
	w.u(uint64(len(t.Timeline)))
	for _, it := range t.Timeline {
		w.t(it.At)
		w.s(it.What)
		w.s(it.By)
		w.s(it.Via)
		w.s(it.Detail)
	}
	w.t(t.CSAT.Asked)
	w.i(int64(t.CSAT.Score))
	w.s(t.CSAT.Comment)
	w.t(t.CSAT.At)
}

func readThreadTail(r *rbuf, t *bot.Thread) {
	if len(r.b) == 0 {
		return // written before the tail existed
	}
	if r.b[0] != tailV1 {
		r.fail()
		return
	}
	r.b = r.b[1:]
	t.CustCompany, t.ChannelName = r.s(), r.s()
	if n := r.n(); n > 0 {
		t.Timeline = make([]bot.TimelineItem, n)
		for k := range t.Timeline {
			t.Timeline[k] = bot.TimelineItem{At: r.t(), What: r.s(), By: r.s(), Via: r.s(), Detail: r.s()}
		}
	}
	t.CSAT.Asked = r.t()
	t.CSAT.Score = int(r.i())
	t.CSAT.Comment = r.s()
	t.CSAT.At = r.t()
}

func readThread(r *rbuf) bot.Thread {
	var t bot.Thread
	t.ID = r.u()
	t.Platform, t.Channel, t.Root = r.s(), r.s(), r.s()
	t.DM = r.b1()
	t.Customer, t.CustName, t.Permalink, t.Lang = r.s(), r.s(), r.s(), r.s()
	t.Keys = r.strs()
	t.State = bot.State(r.s())
	t.Tags = r.tags()
	t.Corrected = r.b1()
	if n := r.n(); n > 0 {
		t.Corrections = make([]bot.Correction, n)
		for k := range t.Corrections {
			t.Corrections[k] = bot.Correction{By: r.s(), Tag: r.s(), Added: r.b1(), At: r.t()}
		}
	}
	t.Owner, t.Team = r.s(), r.s()
	t.Incident = r.u()
	t.Created, t.LastCust, t.LastStaff, t.FirstReply, t.ResolvedAt = r.t(), r.t(), r.t(), r.t(), r.t()
	t.Reopened = int(r.i())
	if n := r.n(); n > 0 {
		t.Messages = make([]bot.Message, n)
		for k := range t.Messages {
			t.Messages[k] = bot.Message{ID: r.s(), User: r.s(), Staff: r.b1(), Text: r.s(), At: r.t()}
		}
	}
	t.MsgCount = int(r.i())
	t.SnoozeUntil = r.t()
	t.SLAKind = r.s()
	t.SLA = time.Duration(r.i())
	t.WaitFrom, t.Deadline = r.t(), r.t()
	t.Stage = int(r.i())
	t.Breached = r.b1()
	t.Met, t.Missed = int(r.i()), int(r.i())
	t.Due = r.t()
	t.NoticeRef = r.s()
	readThreadTail(r, &t)
	return t
}

func appendAction(w wbuf, a *bot.Action) wbuf {
	w = append(w, formatAction)
	w.u(a.ID)
	for _, s := range []string{string(a.Kind), string(a.Purpose), a.Platform, a.Channel, a.ThreadKey, a.To, a.Ref, a.Text} {
		w.s(s)
	}
	w.b(a.Notice != nil)
	if n := a.Notice; n != nil {
		w.u(n.ThreadID)
		for _, s := range []string{string(n.State), n.Customer, n.Channel, n.Excerpt} {
			w.s(s)
		}
		w.tags(n.Tags)
		w.s(n.Owner)
		w.s(n.OwnerID)
		w.t(n.Due)
		w.s(n.Permalink)
		w.b(n.Buttons)
		w.s(n.Note)
	}
	w.u(a.ThreadID)
	w.u(a.Incident)
	w.t(a.Created)
	w.t(a.NotBefore)
	w.i(int64(a.Attempts))
	w.s(a.LastError)
	return w
}

func readAction(r *rbuf) bot.Action {
	var a bot.Action
	a.ID = r.u()
	a.Kind, a.Purpose = bot.ActionKind(r.s()), bot.Purpose(r.s())
	a.Platform, a.Channel, a.ThreadKey, a.To, a.Ref, a.Text = r.s(), r.s(), r.s(), r.s(), r.s(), r.s()
	if r.b1() {
		n := &bot.Notice{ThreadID: r.u()}
		n.State, n.Customer, n.Channel, n.Excerpt = bot.State(r.s()), r.s(), r.s(), r.s()
		n.Tags = r.tags()
		n.Owner, n.OwnerID = r.s(), r.s()
		n.Due = r.t()
		n.Permalink = r.s()
		n.Buttons = r.b1()
		n.Note = r.s()
		a.Notice = n
	}
	a.ThreadID, a.Incident = r.u(), r.u()
	a.Created, a.NotBefore = r.t(), r.t()
	a.Attempts = int(r.i())
	a.LastError = r.s()
	return a
}

// decodeCompact decodes a compact value of the given format with read.
func decodeCompact[T any](b []byte, format byte, read func(*rbuf) T) (T, error) {
	r := rbuf{b: string(b[1:])} // the one copy: the bytes are bbolt's
	v := read(&r)
	if r.err == nil && len(r.b) != 0 {
		r.err = errCorrupt
	}
	if b[0] != format || r.err != nil {
		var zero T
		return zero, errCorrupt
	}
	return v, nil
}

// storedIndex is what Apply needs of a stored thread to move its index
// entries to the new version: its keys and its due and owner index keys.
// The keys alias the stored value (no copy): they are valid only inside
// its transaction and must not be kept.
type storedIndex struct {
	keys       []string
	due, owner []byte
}

// readStoredIndex reads the index fields of a stored thread without
// decoding the rest (messages, tags, times): Apply rewrites threads
// often and needs only these. A schema 1 (JSON) value is decoded whole.
func readStoredIndex(v []byte, tid uint64, keys []string) (storedIndex, error) {
	if len(v) > 0 && v[0] == '{' {
		t, err := decodeThread(v)
		if err != nil {
			return storedIndex{}, err
		}
		return storedIndex{keys: append(keys, t.Keys...), due: dueKey(&t), owner: ownerKey(&t)}, nil
	}
	if len(v) < 2 || v[0] != formatThread {
		return storedIndex{}, errCorrupt
	}
	r := rbuf{b: unsafe.String(&v[1], len(v)-1)} // read here, never kept
	r.u()                                        // id
	r.skip(3)                                    // platform, channel, root
	r.b1()                                       // dm
	r.skip(4)                                    // customer, name, permalink, lang
	for n := r.n(); n > 0; n-- {                 // keys
		keys = append(keys, r.s())
	}
	state := bot.State(r.s())
	for n := r.n(); n > 0; n-- { // tags
		r.skip(1)
		r.f()
		r.skip(1)
	}
	r.b1()                       // corrected
	for n := r.n(); n > 0; n-- { // corrections
		r.skip(2)
		r.b1()
		r.skipT()
	}
	owner := r.s()
	r.skip(1)     // team
	r.u()         // incident
	for range 5 { // created … resolved
		r.skipT()
	}
	r.i()                        // reopened
	for n := r.n(); n > 0; n-- { // messages
		r.skip(2)
		r.b1()
		r.skip(1)
		r.skipT()
	}
	r.i()     // message count
	r.skipT() // snooze
	r.skip(1) // SLA kind
	r.i()     // SLA
	r.skipT() // wait from
	r.skipT() // deadline
	r.i()     // stage
	r.b1()    // breached
	r.i()     // met
	r.i()     // missed
	due, hasDue := r.unix()
	r.skip(1) // notice ref
	r.skipTail()
	if r.err != nil || len(r.b) != 0 {
		return storedIndex{}, errCorrupt
	}
	ix := storedIndex{keys: keys}
	if hasDue {
		ix.due = timeKey(due, u64(tid))
	}
	if len(owner) > 0 && state.Open() {
		ix.owner = append(append(append(make([]byte, 0, len(owner)+9), owner...), 0), u64(tid)...)
	}
	return ix, nil
}

// skipTail passes over the tail of a thread (names, timeline, CSAT),
// when it has one: nothing the indexes need.
func (r *rbuf) skipTail() {
	if len(r.b) == 0 || r.err != nil {
		return
	}
	if r.b[0] != tailV1 {
		r.fail()
		return
	}
	r.b = r.b[1:]
	r.skip(2)                    // company, channel name
	for n := r.n(); n > 0; n-- { // timeline
		r.skipT()
		r.skip(4)
	}
	r.skipT() // asked
	r.i()     // score
	r.skip(1) // comment
	r.skipT() // answered
}

// skip passes over n strings.
func (r *rbuf) skip(n int) {
	for range n {
		r.b = r.b[r.n():]
	}
}

// skipT passes over a time.
func (r *rbuf) skipT() { r.unix() }

// unix reads a time as an instant (its zone is not needed), and whether
// it was set.
func (r *rbuf) unix() (time.Time, bool) {
	if !r.b1() {
		return time.Time{}, false
	}
	sec, nsec := r.i(), r.u()
	r.i() // zone offset
	return time.Unix(sec, int64(nsec)), r.err == nil
}
