package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openear/openear/bot/tag"
)

// Learner is an optional capability of a Tagger, found by type assertion:
// it learns from staff corrections. tag.Tagger implements it.
//
// The bot keeps every tag/untag correction in the store (entries under
// "tag/correction/", written in the same Change as the correction) and
// tags with a copy of its tagger that learned them: New rebuilds it from
// the stored corrections, oldest first, and a committed correction is
// learned right after its commit.
type Learner interface {
	// Learn applies corrections, in order, on top of what was learned
	// before. It must be safe to call while Tag runs on other
	// goroutines, and deterministic: the same corrections in the same
	// order give the same tags.
	Learn(cs ...tag.Correction)
	// Unlearned returns a tagger with the same rules and model that has
	// learned nothing (safe for concurrent use).
	Unlearned() *tag.Tagger
}

// TagCorrection is one staff correction kept in the store as a labelled
// example: the text of the thread's customer messages when it was
// corrected, and whether it should carry the tag.
type TagCorrection struct {
	Thread uint64    `json:"thread"`
	Text   string    `json:"text"`
	Tag    string    `json:"tag"`
	Add    bool      `json:"add"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Correction is what the tagger learns from c.
func (c TagCorrection) Correction() tag.Correction {
	return tag.Correction{Text: c.Text, Tag: c.Tag, Add: c.Add}
}

// correctionPrefix is the prefix of the correction entries: the key goes
// on with the time (unix nanoseconds, 20 digits, so that key order is
// time order), the thread id and the correction's index in the thread.
const correctionPrefix = "tag/correction/"

// maxCorrectionText bounds the text kept with a correction.
const maxCorrectionText = 4096

// correctionEntry makes the entry of the last correction of t.
func correctionEntry(t *Thread) (Entry, TagCorrection, error) {
	n := len(t.Corrections)
	c := t.Corrections[n-1]
	tc := TagCorrection{Thread: t.ID, Text: customerText(t), Tag: c.Tag, Add: c.Added, By: c.By, At: c.At.UTC()}
	v, err := json.Marshal(tc)
	if err != nil {
		return Entry{}, tc, err
	}
	key := fmt.Sprintf("%s%020d/%020d/%d", correctionPrefix, max(c.At.UnixNano(), 0), t.ID, n-1)
	return Entry{Key: key, Value: v}, tc, nil
}

// customerText joins the customer messages a thread keeps, at most
// maxCorrectionText bytes: what a correction of its tags is about.
func customerText(t *Thread) string {
	var s strings.Builder
	for _, m := range t.Messages {
		if m.Staff || strings.TrimSpace(m.Text) == "" {
			continue
		}
		if s.Len() > 0 {
			s.WriteString("\n")
		}
		s.WriteString(m.Text)
		if s.Len() >= maxCorrectionText {
			break
		}
	}
	return truncateUTF8(s.String(), maxCorrectionText)
}

// TagCorrections returns the tag corrections kept in a store, oldest
// first, and how many entries under their prefix could not be read.
func TagCorrections(ctx context.Context, s Store) ([]TagCorrection, int, error) {
	var out []TagCorrection
	bad := 0
	err := s.Entries(ctx, correctionPrefix, func(key string, value []byte) bool {
		var c TagCorrection
		if json.Unmarshal(value, &c) != nil || c.Tag == "" {
			bad++
			return true
		}
		out = append(out, c)
		return true
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read tag corrections: %w", err)
	}
	return out, bad, nil
}

// CorrectionEntries returns the raw correction entries of a store, for a
// copy of its history (replay).
func CorrectionEntries(ctx context.Context, s Store) ([]Entry, error) {
	var out []Entry
	err := s.Entries(ctx, correctionPrefix, func(key string, value []byte) bool {
		out = append(out, Entry{Key: key, Value: slices.Clone(value)})
		return true
	})
	return out, err
}

// relearn gives the bot a copy of its tagger that learned the stored
// corrections, when the tagger is a Learner.
func (b *Bot) relearn(ctx context.Context) error {
	l, ok := b.tagger.(Learner)
	if !ok {
		return nil
	}
	cs, bad, err := TagCorrections(ctx, b.store)
	if err != nil {
		return err
	}
	if bad > 0 {
		b.log.Warn("tag corrections skipped: not readable", "count", bad)
	}
	fresh := l.Unlearned()
	fresh.Learn(corrections(cs)...)
	b.tagger = fresh
	return nil
}

func corrections(cs []TagCorrection) []tag.Correction {
	out := make([]tag.Correction, len(cs))
	for i, c := range cs {
		out[i] = c.Correction()
	}
	return out
}

// learn teaches the tagger a committed correction.
func (b *Bot) learn(c tag.Correction) {
	if l, ok := b.tagger.(Learner); ok {
		l.Learn(c)
	}
}

// LearnedChanges counts the customer messages of ts (the newest
// maxLearnedCount), sent after the first stored correction, whose tags the learning from the corrections made
// before them changed (compared with the tagger that learned nothing).
// It is 0 when the tagger does not learn.
func (b *Bot) LearnedChanges(ctx context.Context, ts []Thread) (int, error) {
	l, ok := b.tagger.(Learner)
	if !ok {
		return 0, nil
	}
	cs, _, err := TagCorrections(ctx, b.store)
	if err != nil || len(cs) == 0 {
		return 0, err
	}
	return countLearned(l.Unlearned(), cs, ts), nil
}

// maxLearnedCount bounds the messages LearnedChanges tags (twice each):
// the newest ones count.
const maxLearnedCount = 20000

// countLearned replays the corrections in time order beside the customer
// messages of ts and counts the messages whose tags differ between a
// tagger that learned the corrections made before them and base.
func countLearned(base *tag.Tagger, cs []TagCorrection, ts []Thread) int {
	type msg struct {
		at   time.Time
		text string
	}
	var msgs []msg
	for i := range ts {
		for _, m := range ts[i].Messages {
			at := m.At
			if at.IsZero() {
				at = ts[i].Created
			}
			if !m.Staff && at.After(cs[0].At) {
				msgs = append(msgs, msg{at, m.Text})
			}
		}
	}
	slices.SortStableFunc(msgs, func(a, c msg) int { return a.at.Compare(c.at) })
	if len(msgs) > maxLearnedCount {
		msgs = msgs[len(msgs)-maxLearnedCount:]
	}
	learner := base.Unlearned()
	next, n := 0, 0
	for _, m := range msgs {
		var batch []tag.Correction
		for next < len(cs) && cs[next].At.Before(m.at) {
			batch = append(batch, cs[next].Correction())
			next++
		}
		learner.Learn(batch...)
		if !slices.Equal(tagNameSet(learner.Tag(m.text)), tagNameSet(base.Tag(m.text))) {
			n++
		}
	}
	return n
}

func tagNameSet(tags []Tag) []string {
	names := make([]string, len(tags))
	for i, g := range tags {
		names[i] = g.Name
	}
	slices.Sort(names)
	return names
}
