package bot

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Noise — "thanks", "ok", "감사합니다", emoji alone — starts no clock and
// opens no thread. So that an operator can see the filter at work (and
// catch it swallowing real messages), every noise message is recorded as
// a store entry of its own and counted per channel by Stats; metrics
// count it too (Observation "noise" with its platform and channel).
//
// An entry is keyed by the UTC day it was sent, its place and its message
// id, so that a message seen live and again by backfill counts once:
//
//	noise/<yyyymmdd>/<platform>/<channel>/<message id> -> unix nanos ["/dm"]
//
// Entries older than NoiseKeep are pruned with the seen event ids.
const noisePrefix = "noise/"

// NoiseKeep is how long noise records are kept: a year of stats, and a
// little more.
const NoiseKeep = 400 * 24 * time.Hour

// noiseDay is the key prefix of the noise sent on t's UTC day.
func noiseDay(t time.Time) string { return noisePrefix + t.UTC().Format("20060102") + "/" }

// noiseEntry records one noise message sent at at.
func noiseEntry(ev Event, at time.Time) (Entry, bool) {
	place := cmp.Or(ev.Place, ev.Channel)
	if place == "" || ev.MessageID == "" {
		return Entry{}, false
	}
	v := strconv.FormatInt(at.UnixNano(), 10)
	if ev.DM {
		v += "/dm"
	}
	key := noiseDay(at) + ev.Platform + "/" + place + "/" + ev.MessageID
	return Entry{Key: key, Value: []byte(v)}, len(key) <= MaxEntryKey
}

// NoiseCounts counts the noise messages sent in [since, until] by
// "platform/channel"; direct messages count together as "platform/dm".
// It reads only the days of the period.
func NoiseCounts(ctx context.Context, s Store, since, until time.Time) (map[string]int, error) {
	counts := map[string]int{}
	last := noiseDay(until)
	for day := since.UTC().Truncate(24 * time.Hour); noiseDay(day) <= last; day = day.Add(24 * time.Hour) {
		err := s.Entries(ctx, noiseDay(day), func(key string, v []byte) bool {
			nanos, dm, _ := strings.Cut(string(v), "/")
			n, err := strconv.ParseInt(nanos, 10, 64)
			if err != nil {
				return true // not ours to judge: skip
			}
			if at := time.Unix(0, n); at.Before(since) || at.After(until) {
				return true
			}
			parts := strings.SplitN(strings.TrimPrefix(key, noiseDay(day)), "/", 3)
			if len(parts) < 2 {
				return true
			}
			where := parts[0] + "/" + parts[1]
			if dm == "dm" {
				where = parts[0] + "/dm"
			}
			counts[where]++
			return true
		})
		if err != nil {
			return nil, fmt.Errorf("noise counts: %w", err)
		}
	}
	return counts, nil
}

// Prune forgets what is kept only for a while: event ids recorded more
// than Options.SeenTTL ago and noise records older than NoiseKeep. Run
// calls it every hour.
func (b *Bot) Prune(ctx context.Context) error {
	now := b.clock.Now()
	n, err := b.store.PruneSeen(ctx, now.Add(-b.opts.SeenTTL))
	if err != nil {
		return fmt.Errorf("prune seen event ids: %w", err)
	}
	if n > 0 {
		b.log.Debug("pruned seen event ids", "count", n)
	}
	if n, err = b.pruneNoise(ctx, now.Add(-NoiseKeep)); err != nil {
		return fmt.Errorf("prune noise records: %w", err)
	}
	if n > 0 {
		b.log.Debug("pruned noise records", "count", n)
	}
	return nil
}

// pruneNoise deletes the noise records of the days before before, a day
// per Apply.
func (b *Bot) pruneNoise(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		var day string
		var del []Entry
		err := b.store.Entries(ctx, noisePrefix, func(key string, _ []byte) bool {
			d := key[:min(len(key), len(noisePrefix)+9)]
			if day == "" {
				day = d
			}
			if d != day || d >= noiseDay(before) {
				return false
			}
			del = append(del, Entry{Key: key})
			return len(del) < 10000
		})
		if err != nil || len(del) == 0 {
			return total, err
		}
		if err := b.store.Apply(ctx, Change{Entries: del}); err != nil {
			return total, err
		}
		total += len(del)
	}
}
