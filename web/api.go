package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/openear/openear/bot"
)

// apiThreads lists the threads that pass the filter, newest first, at most
// Filter.Limit (default 100).
func (d *Dashboard) apiThreads(r *http.Request) ([]byte, error) {
	f, err := ParseFilter(r.URL.Query(), 100)
	if err != nil {
		return nil, badRequest(err)
	}
	// Keep the newest Limit matches while walking in id order; trim in
	// batches so the walk stays linear.
	var out []bot.Thread
	err = d.store.Threads(r.Context(), func(t bot.Thread) bool {
		if f.Match(&t) {
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
	return json.Marshal(out)
}

// statsJSON is bot.Stats with the share of SLA met (null when nothing was
// measured).
type statsJSON struct {
	bot.Stats
	SLAMetPercent *float64 `json:"sla_met_percent"`
}

// apiStats serves the statistics of the threads created in the period
// ?since= (default 7d) up to now.
func (d *Dashboard) apiStats(r *http.Request) ([]byte, error) {
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
// it also returns the period as a label for chart titles.
func (d *Dashboard) statsSince(r *http.Request) (bot.Stats, string, error) {
	period := defaultPeriod
	if s := r.URL.Query().Get("since"); s != "" {
		p, err := ParseSince(s)
		if err != nil {
			return bot.Stats{}, "", badRequest(err)
		}
		period = p
	}
	now := d.now()
	st, err := d.stats(r.Context(), now.Add(-period), now)
	return st, periodLabel(period), err
}

// periodLabel names a look-back period: "7 days", "36h".
func periodLabel(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		if n := int(d / (24 * time.Hour)); n != 1 {
			return strconv.Itoa(n) + " days"
		}
		return "day"
	}
	return shortDur(d)
}
