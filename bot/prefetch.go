package bot

import (
	"context"
	"slices"
)

// Prefetching. On a store whose reads are round trips to a server
// (a Prefetcher), the writer asks for the reads of the events it takes
// in one round trip before handling them: their event ids and the keys
// their lookups will need. Handling then reads the overlay first, the
// prefetched answers next, and the store last, for what was not asked.
//
// The answers are as fresh as direct reads at the time of the prefetch.
// While the batch before commits, what it wrote is read from its overlay
// (the parent), so the answers may predate that commit: when the parent
// is cut off after its commit, the answers about what it wrote are
// forgotten (forget), and those reads go to the store. A reset forgets
// everything.

// prefetched holds the store's answers for the events of a batch.
type prefetched struct {
	seen  map[string]bool    // event id -> seen
	asked map[string]uint64  // key -> thread id, 0 when the key leads nowhere
	byID  map[uint64]*Thread // the threads the keys lead to
}

// key returns the prefetched answer for a key: asked is false when the
// key was not prefetched, id 0 when it leads nowhere.
func (pf *prefetched) key(k string) (id uint64, asked bool) {
	id, asked = pf.asked[k]
	return id, asked
}

// forget drops the answers about what an overlay wrote.
func (pf *prefetched) forget(ov *overlay) {
	if ov == nil || pf.asked == nil {
		return
	}
	for ev := range ov.events {
		delete(pf.seen, ev)
	}
	for k := range ov.keys {
		delete(pf.asked, k)
	}
	for id := range ov.threads {
		delete(pf.byID, id)
	}
}

// prefetch asks a Prefetcher store, in one call, for the event ids and
// keys the taken events will read and the overlay does not answer. A
// failed prefetch only costs speed: handling reads the store itself.
func (b *Bot) prefetch(ov *overlay, ps []*pending) {
	pf, ok := b.store.(Prefetcher)
	if !ok || len(ps) == 0 {
		return
	}
	var ids, keys []string
	for _, p := range ps {
		ev := &p.ev
		if ev.ID != "" && !ov.event(ev.ID) {
			if _, done := ov.pre.seen[ev.ID]; !done {
				ids = append(ids, ev.ID)
			}
		}
		for _, k := range lookupKeys(ev) {
			if _, mine := ov.key(k); mine {
				continue
			}
			if _, done := ov.pre.asked[k]; !done && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	if len(ids) == 0 && len(keys) == 0 {
		return
	}
	seen, threads, err := pf.Prefetch(context.WithoutCancel(ps[0].ctx), ids, keys)
	if err != nil {
		b.log.Debug("prefetch failed; reading one by one", "err", err)
		return
	}
	if ov.pre.asked == nil {
		ov.pre = prefetched{seen: map[string]bool{}, asked: map[string]uint64{}, byID: map[uint64]*Thread{}}
	}
	for _, id := range ids {
		ov.pre.seen[id] = seen[id]
	}
	for _, k := range keys {
		t, ok := threads[k]
		if !ok {
			ov.pre.asked[k] = 0
			continue
		}
		ov.pre.asked[k] = t.ID
		if ov.pre.byID[t.ID] == nil {
			ov.pre.byID[t.ID] = &t
		}
	}
}

// lookupKeys are the keys handling ev will look up (message.go's and
// reaction's lookups); a key left out is read when needed.
func lookupKeys(ev *Event) []string {
	if ev.Channel == "" || ev.MessageID == "" || ev.Kind != KindMessage && ev.Kind != KindReaction {
		return nil
	}
	keys := []string{Key(ev.Platform, ev.Channel, ev.MessageID)}
	if ev.Kind == KindReaction || ev.Bot || ev.Edit {
		return keys
	}
	switch {
	case ev.ThreadKey != "":
		keys = append(keys, Key(ev.Platform, ev.Channel, ev.ThreadKey))
	case ev.Staff:
		keys = append(keys, ChannelKey(ev.Platform, ev.Channel))
	default:
		keys = append(keys, CustomerKey(ev.Platform, ev.Channel, ev.User))
	}
	if !ev.Staff {
		keys = append(keys, OwnerOfKey(ev.Platform, ev.User))
	}
	return keys
}
