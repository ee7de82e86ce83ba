package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/l10n"
)

// apiThreads lists the threads that pass the filter, newest first, at most
// Filter.Limit (default 100), their names as known now (see named).
// It sets X-Openear-Limit to the limit it
// applied (and X-Openear-Limit-Clamped to the one asked for, when that was
// above MaxRows), and, when older matches remain, a Link header with
// rel="next" to the next page (the same query with before=<the last id>).
func (d *Dashboard) apiThreads(r *http.Request, h http.Header) ([]byte, error) {
	f, err := ParseFilter(r.URL.Query(), 100)
	if err != nil {
		return nil, badParam(err)
	}
	// Keep the newest Limit matches while walking in id order; trim in
	// batches so the walk stays linear. matched counts them all.
	var out []bot.Thread
	matched := 0
	dir := d.directory(r.Context())
	err = d.store.Threads(r.Context(), func(t bot.Thread) bool {
		if f.Before != 0 && t.ID >= f.Before {
			return false // ids grow: nothing after this one is wanted
		}
		named(&t, dir)
		if f.Match(&t) {
			matched++
			out = append(out, t)
			if len(out) >= 2*f.Limit {
				out = append(out[:0], out[len(out)-f.Limit:]...)
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	slices.Reverse(out)
	if out == nil {
		out = []bot.Thread{}
	}
	h.Set("X-Openear-Limit", strconv.Itoa(f.Limit))
	if f.Clamped != 0 {
		h.Set("X-Openear-Limit-Clamped", strconv.Itoa(f.Clamped))
	}
	if matched > len(out) {
		q := r.URL.Query()
		q.Set("before", strconv.FormatUint(out[len(out)-1].ID, 10))
		h.Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, q.Encode()))
	}
	return json.Marshal(out)
}

// digestJSON is what /api/digest returns.
type digestJSON struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	Text  string    `json:"text"`
}

// apiDigest renders the digest of the threads created in the period
// ?since= (default 1d) up to now, as `openear digest` prints it.
func (d *Dashboard) apiDigest(r *http.Request, _ http.Header) ([]byte, error) {
	period := 24 * time.Hour
	if s := r.URL.Query().Get("since"); s != "" {
		p, err := ParseSince(s)
		if err != nil {
			return nil, badParam(err)
		}
		period = p
	}
	until := d.now()
	since := until.Add(-period)
	text, err := d.digest(r.Context(), since, until)
	if err != nil {
		return nil, err
	}
	return json.Marshal(digestJSON{Since: since, Until: until, Text: text})
}

// statsJSON is bot.Stats with the share of SLA met (null when nothing was
// measured).
type statsJSON struct {
	bot.Stats
	SLAMetPercent *float64 `json:"sla_met_percent"`
}

// apiStats serves the statistics of the threads created in the period
// ?since= (default 7d) up to now.
func (d *Dashboard) apiStats(r *http.Request, _ http.Header) ([]byte, error) {
	st, _, err := d.statsSince(r)
	if err != nil {
		return nil, err
	}
	out := statsJSON{Stats: st}
	if p := st.SLA.Percent(); p >= 0 {
		out.SLAMetPercent = &p
	}
	return json.Marshal(out)
}

// defaultPeriod is the look-back of the stats, the FRT and the SLA charts.
const defaultPeriod = 7 * 24 * time.Hour

// statsSince reads ?since= (default 7d) and computes the stats up to now;
// it also returns the period, for chart titles.
func (d *Dashboard) statsSince(r *http.Request) (bot.Stats, time.Duration, error) {
	period := defaultPeriod
	if s := r.URL.Query().Get("since"); s != "" {
		p, err := ParseSince(s)
		if err != nil {
			return bot.Stats{}, 0, badParam(err)
		}
		period = p
	}
	now := d.now()
	st, err := d.stats(r.Context(), now.Add(-period), now)
	return st, period, err
}

// periodLabel names a look-back period: "7 days", "36h"; "7일", "36시간".
func periodLabel(l *l10n.Localizer, d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return l.T("chart.days", l10n.Args{"Count": int(d / (24 * time.Hour))})
	}
	return dur(l, d)
}
