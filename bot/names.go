package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Names. Adapters give the core the names they have at hand with each
// event (Event.UserName, UserCompany, ChannelName: from their caches,
// never a lookup on the ack path), and the names they look up in the
// background through LearnNames. The core keeps names with each thread
// (Thread.CustName, CustCompany, ChannelName) and the newest of every
// name in a directory of entries, name/<platform>/<kind>/<id>, which
// the dashboard reads for threads that were stored before a name was
// known.

// Name is a display name of a platform id.
type Name struct {
	Kind    string `json:"-"`                 // NameUser or NameChannel
	ID      string `json:"-"`                 // the platform's user or channel id
	Name    string `json:"name"`              // display name; a channel's without "#"
	Company string `json:"company,omitempty"` // NameUser: the Slack Connect workspace's name
}

// Kinds of names.
const (
	NameUser    = "user"
	NameChannel = "channel"
)

// Namer is an optional capability of a Handler, found by type
// assertion: it takes the names an adapter learned in the background.
// Bot implements it.
type Namer interface {
	// LearnNames records names of a platform's users and channels. The
	// newest thread of each user (as its customer) and of each channel
	// takes the new name, and the triage notice of a renamed customer's
	// thread is updated. Idempotent; it returns once durable. Safe for
	// concurrent use.
	LearnNames(ctx context.Context, platform string, names []Name) error
}

var _ Namer = (*Bot)(nil)

// LearnNames implements Namer: one event through the writer.
func (b *Bot) LearnNames(ctx context.Context, platform string, names []Name) error {
	if len(names) == 0 {
		return nil
	}
	_, err := b.Handle(ctx, Event{Kind: KindNames, Platform: platform, Names: names})
	return err
}

// nameKey is the directory entry of a name.
func nameKey(platform, kind, id string) string { return "name/" + platform + "/" + kind + "/" + id }

// names handles a KindNames event.
func (b *Bot) names(ctx context.Context, x *txn, ev Event) (Result, error) {
	for _, n := range ev.Names {
		if n.ID == "" || n.Name == "" || (n.Kind != NameUser && n.Kind != NameChannel) {
			continue
		}
		v, err := json.Marshal(n)
		if err != nil {
			return Result{}, err
		}
		key := nameKey(ev.Platform, n.Kind, n.ID)
		old, err := x.entry(ctx, key)
		if err != nil {
			return Result{}, err
		}
		if string(old) != string(v) {
			x.ch.Entries = append(x.ch.Entries, Entry{Key: key, Value: v})
		}
		if n.Kind == NameUser {
			t, err := x.lookupPending(ctx, OwnerOfKey(ev.Platform, n.ID))
			if err != nil {
				return Result{}, err
			}
			if t == nil || t.Customer != n.ID {
				b.unclaim(key, n)
				continue
			}
			if t.rename(n.Name, n.Company) {
				x.note(Observation{What: "named", Thread: t, Detail: t.CustomerLabel()})
				b.queueNotice(x, t)
				x.put(t)
			}
			continue
		}
		t, err := x.lookupPending(ctx, ChannelKey(ev.Platform, n.ID))
		if err != nil {
			return Result{}, err
		}
		if t == nil {
			b.unclaim(key, n)
			continue
		}
		if !t.DM && t.ChannelName != n.Name {
			t.ChannelName = n.Name
			x.put(t)
		}
	}
	return Result{}, nil
}

// entry reads an entry as this change sees it: written by the change
// itself, by the batch it is part of (not yet committed), or stored. A
// missing or deleted entry is nil.
func (x *txn) entry(ctx context.Context, key string) ([]byte, error) {
	for i := len(x.ch.Entries) - 1; i >= 0; i-- {
		if x.ch.Entries[i].Key == key {
			return x.ch.Entries[i].Value, nil
		}
	}
	if x.ov != nil {
		if v, ok := x.ov.entry(key); ok {
			return v, nil
		}
	}
	v, err := x.b.store.Entry(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return v, err
}

// maxUnclaimed bounds the names kept for threads that have not begun.
const maxUnclaimed = 4096

// unclaim keeps a name no thread took, for the thread its message is
// about to begin (knownNames): an adapter looks a new customer up in the
// background, and the answer may reach the core just before the message
// that asked for it. b.mu is held.
func (b *Bot) unclaim(key string, n Name) {
	if b.unclaimed == nil || len(b.unclaimed) >= maxUnclaimed {
		b.unclaimed = map[string]Name{}
	}
	b.unclaimed[key] = n
}

// knownNames fills what a new thread lacks of its customer's and
// channel's names from the names told before it began. b.mu is held.
func (x *txn) knownNames(t *Thread) {
	b := x.b
	if len(b.unclaimed) == 0 {
		return
	}
	if t.CustName == "" || t.CustCompany == "" {
		key := nameKey(t.Platform, NameUser, t.Customer)
		if n, ok := b.unclaimed[key]; ok {
			t.rename(cmp.Or(t.CustName, n.Name), cmp.Or(t.CustCompany, n.Company))
			delete(b.unclaimed, key)
		}
	}
	if t.ChannelName == "" && !t.DM {
		key := nameKey(t.Platform, NameChannel, t.Channel)
		if n, ok := b.unclaimed[key]; ok {
			t.ChannelName = n.Name
			delete(b.unclaimed, key)
		}
	}
}

// lookupPending is lookup that also sees the versions this change put.
func (x *txn) lookupPending(ctx context.Context, key string) (*Thread, error) {
	t, err := x.lookup(ctx, key)
	if t != nil {
		if p := x.pending(t.ID); p != nil {
			c := cloneThread(*p)
			t = &c
		}
	}
	return t, err
}

// rename sets the customer's name and company when given and different;
// it reports whether anything changed.
func (t *Thread) rename(name, company string) bool {
	changed := false
	if name != "" && name != t.CustName {
		t.CustName, changed = name, true
	}
	if company != "" && company != t.CustCompany {
		t.CustCompany, changed = company, true
	}
	return changed
}

// Directory is the newest name of every platform id the core was told
// of: "platform/kind/id" -> Name.
type Directory map[string]Name

// ReadDirectory reads the directory of names from a store (one walk
// over the name entries).
func ReadDirectory(ctx context.Context, s Store) (Directory, error) {
	d := Directory{}
	var bad error
	err := s.Entries(ctx, "name/", func(key string, v []byte) bool {
		var n Name
		if err := json.Unmarshal(v, &n); err != nil {
			bad = fmt.Errorf("entry %s: %w", key, err)
			return false
		}
		rest := strings.TrimPrefix(key, "name/")
		parts := strings.SplitN(rest, "/", 3)
		if len(parts) == 3 {
			n.Kind, n.ID = parts[1], parts[2]
			d[rest] = n
		}
		return true
	})
	if err == nil {
		err = bad
	}
	return d, err
}

// User returns the name of a user, if known.
func (d Directory) User(platform, id string) (Name, bool) {
	n, ok := d[platform+"/"+NameUser+"/"+id]
	return n, ok
}

// Channel returns the name of a channel, if known.
func (d Directory) Channel(platform, id string) (string, bool) {
	n, ok := d[platform+"/"+NameChannel+"/"+id]
	return n.Name, ok
}
