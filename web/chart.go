package web

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openear/openear/bot"
	"github.com/openear/openear/internal/l10n"
)

// The charts are SVG documents built by pure functions: data in, bytes out.
// Every text goes through xml.EscapeText, every number through num (no NaN
// or Inf ever reaches the output). Bars are the only <rect class="bar">
// elements, so a test can count them. Each function draws in a language
// (see internal/l10n: "en", "ko"; another is English): the caller gives
// the title and the labels in it, the function words its own texts ("no
// data", the durations of the histogram) in it.

const (
	chartW    = 640
	chartH    = 260
	padLeft   = 44.0
	padRight  = 16.0
	padTop    = 44.0
	padBottom = 36.0
)

// palette colours series in a stacked chart, cycling when there are more.
var palette = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"}

// svg writes one chart document.
type svg struct{ b bytes.Buffer }

func newSVG(title string, w, h float64) *svg {
	s := &svg{}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="`,
		num(w), num(h), num(w), num(h))
	s.esc(title)
	s.b.WriteString(`" font-family="system-ui, sans-serif" font-size="11">`)
	s.b.WriteString("<title>")
	s.esc(title)
	s.b.WriteString("</title>")
	s.text(padLeft, 20, "start", "#222", 14, title)
	return s
}

func (s *svg) esc(text string) {
	// xml.EscapeText only fails when the writer does; a bytes.Buffer does not.
	_ = xml.EscapeText(&s.b, []byte(text))
}

func (s *svg) text(x, y float64, anchor, fill string, size int, text string) {
	fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="%s" fill="%s" font-size="%d">`, num(x), num(y), anchor, fill, size)
	s.esc(text)
	s.b.WriteString("</text>")
}

// rect draws a bar (class "bar") or a legend key (class "key"), with a
// tooltip when tip is not empty.
func (s *svg) rect(class string, x, y, w, h float64, fill, tip string) {
	fmt.Fprintf(&s.b, `<rect class="%s" x="%s" y="%s" width="%s" height="%s" fill="%s">`,
		class, num(x), num(y), num(max(w, 0)), num(max(h, 0)), fill)
	if tip != "" {
		s.b.WriteString("<title>")
		s.esc(tip)
		s.b.WriteString("</title>")
	}
	s.b.WriteString("</rect>")
}

func (s *svg) line(x1, y1, x2, y2 float64) {
	fmt.Fprintf(&s.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#999" stroke-width="1"/>`, num(x1), num(y1), num(x2), num(y2))
}

func (s *svg) bytes() []byte {
	s.b.WriteString("</svg>")
	return s.b.Bytes()
}

// num formats a coordinate; NaN and ±Inf become 0.
func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		f = 0
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// finite reports whether f is a number that can be drawn.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// noData is the chart shown when there is nothing to draw.
func noData(l *l10n.Localizer, title string) []byte {
	s := newSVG(title, chartW, 120)
	s.text(chartW/2, 70, "middle", "#888", 13, l.T("chart.no_data", nil))
	return s.bytes()
}

// FRTBuckets are the default upper bounds of the first-response histogram.
var FRTBuckets = []time.Duration{
	time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 24 * time.Hour,
}

// HistogramSVG draws the distribution of durations over buckets (upper
// bounds, inclusive; sorted here). It draws len(buckets)+1 bars, the last
// for durations above the last bucket, and a subtitle with the count, p50
// and p90. No durations renders a "no data" chart.
func HistogramSVG(lang, title string, durations []time.Duration, buckets []time.Duration) []byte {
	l := l10n.For(lang)
	if len(durations) == 0 {
		return noData(l, title)
	}
	bs := slices.Clone(buckets)
	slices.Sort(bs)
	bs = slices.Compact(bs)
	counts := make([]int, len(bs)+1)
	for _, d := range durations {
		i, _ := slices.BinarySearch(bs, d) // first bucket >= d, or len(bs)
		counts[i]++
	}
	labels := make([]string, len(counts))
	for i, b := range bs {
		labels[i] = "≤" + dur(l, b)
	}
	labels[len(bs)] = l.T("chart.all", nil)
	if len(bs) > 0 {
		labels[len(bs)] = ">" + dur(l, bs[len(bs)-1])
	}

	sorted := slices.Clone(durations)
	slices.Sort(sorted)
	s := newSVG(title, chartW, chartH)
	s.text(padLeft, 36, "start", "#555", 11, l.T("chart.answered", l10n.Args{"N": len(sorted),
		"P50": dur(l, bot.Percentile(sorted, 0.5)), "P90": dur(l, bot.Percentile(sorted, 0.9))}))
	top := slices.Max(counts)
	plotW, plotH := chartW-padLeft-padRight, chartH-padTop-padBottom-10 // room for the counts
	slot := plotW / float64(len(counts))
	base := padTop + 10 + plotH
	s.line(padLeft, base, chartW-padRight, base)
	for i, n := range counts {
		h := plotH * float64(n) / float64(top)
		x := padLeft + slot*float64(i) + slot*0.15
		s.rect("bar", x, base-h, slot*0.7, h, "#4e79a7", fmt.Sprintf("%s: %d", labels[i], n))
		if n > 0 {
			s.text(x+slot*0.35, base-h-3, "middle", "#222", 10, strconv.Itoa(n))
		}
		s.text(x+slot*0.35, base+14, "middle", "#555", 10, labels[i])
	}
	return s.bytes()
}

// StackedBarsSVG draws one stacked bar per day, one segment per series
// (series[name][i] is the count of day i; missing or negative counts are
// 0). Only non-zero segments are drawn, so the bars are the non-zero
// (day, series) cells. Series are stacked and listed in name order. No days
// or only zeros renders a "no data" chart.
func StackedBarsSVG(lang, title string, days []string, series map[string][]int) []byte {
	names := make([]string, 0, len(series))
	for name := range series {
		names = append(names, name)
	}
	slices.Sort(names)
	at := func(name string, i int) int {
		if v := series[name]; i < len(v) && v[i] > 0 {
			return v[i]
		}
		return 0
	}
	totals := make([]int, len(days))
	for i := range days {
		for _, name := range names {
			totals[i] += at(name, i)
		}
	}
	if len(days) == 0 || slices.Max(totals) == 0 {
		return noData(l10n.For(lang), title)
	}

	const legendW = 130.0
	h := max(chartH, padTop+14*float64(len(names))+padBottom)
	s := newSVG(title, chartW, h)
	plotW, plotH := chartW-padLeft-padRight-legendW, h-padTop-padBottom
	slot := plotW / float64(len(days))
	base := padTop + plotH
	top := float64(slices.Max(totals))
	s.line(padLeft, base, padLeft+plotW, base)
	s.text(padLeft-6, padTop+4, "end", "#555", 10, strconv.Itoa(int(top)))
	for i, day := range days {
		x, y := padLeft+slot*float64(i)+slot*0.15, base
		for j, name := range names {
			n := at(name, i)
			if n == 0 {
				continue
			}
			bh := plotH * float64(n) / top
			y -= bh
			s.rect("bar", x, y, slot*0.7, bh, palette[j%len(palette)], fmt.Sprintf("%s %s: %d", name, day, n))
		}
		s.text(x+slot*0.35, base+14, "middle", "#555", 9, day)
	}
	lx := chartW - padRight - legendW + 12
	for j, name := range names {
		y := padTop + 14*float64(j)
		s.rect("key", lx, y, 10, 10, palette[j%len(palette)], "")
		s.text(lx+14, y+9, "start", "#222", 10, truncate(name, 18))
	}
	return s.bytes()
}

// BarsSVG draws one horizontal bar per label. Values that are negative,
// NaN or infinite are shown as "n/a" (in the chart's language) with no bar (bot.Ratio.Percent is -1
// when nothing was measured). With unit "%" the scale is 0–100 and bars are
// coloured green (≥ 90), amber (≥ 70) or red; with unit "/5" (CSAT
// scores) the scale is 0–5, coloured the same by fifths; otherwise the
// scale ends at the largest value. No labels or no drawable value renders a "no data"
// chart.
func BarsSVG(lang, title string, labels []string, values []float64, unit string) []byte {
	l := l10n.For(lang)
	n := min(len(labels), len(values))
	top := 0.0
	valid := 0
	for _, v := range values[:n] {
		if finite(v) && v >= 0 {
			valid++
			top = max(top, v)
		}
	}
	if valid == 0 {
		return noData(l, title)
	}
	switch unit {
	case "%":
		top = 100
	case "/5":
		top = 5
	}
	if top <= 0 {
		top = 1
	}

	const rowH, labelW, valueW = 22.0, 150.0, 60.0
	s := newSVG(title, chartW, padTop+rowH*float64(n)+10)
	x0 := padLeft + labelW
	plotW := chartW - x0 - padRight - valueW
	for i := range n {
		y := padTop + rowH*float64(i)
		s.text(x0-6, y+14, "end", "#222", 11, truncate(labels[i], 24))
		v := values[i]
		if !finite(v) || v < 0 {
			s.text(x0+4, y+14, "start", "#888", 11, l.T("word.na", nil))
			continue
		}
		w := plotW * min(v, top) / top
		fill := "#4e79a7"
		switch unit {
		case "%":
			fill = slaColour(v)
		case "/5":
			fill = slaColour(v * 20) // 4.5 of 5 is 90%
		}
		s.rect("bar", x0, y+4, w, rowH-8, fill, labels[i]+": "+fmtValue(v, unit))
		s.text(x0+w+4, y+14, "start", "#222", 11, fmtValue(v, unit))
	}
	return s.bytes()
}

func slaColour(pct float64) string {
	switch {
	case pct >= 90:
		return "#59a14f"
	case pct >= 70:
		return "#edc948"
	default:
		return "#e15759"
	}
}

func fmtValue(v float64, unit string) string {
	prec := 1
	if math.Abs(v) >= 10 || v == math.Trunc(v) {
		prec = 0
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	switch unit {
	case "":
		return s
	case "%":
		return s + "%"
	case "/5":
		return strconv.FormatFloat(v, 'f', 1, 64) + "/5"
	}
	return s + " " + unit
}

// shortDur formats a bucket bound or a percentile: "90s", "15m", "2h",
// "1h30m", "3d".
func shortDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Minute:
		return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Round(time.Minute)/time.Minute)) + "m"
	case d < 48*time.Hour:
		d = d.Round(time.Minute)
		h, m := d/time.Hour, (d%time.Hour)/time.Minute
		if m == 0 {
			return strconv.Itoa(int(h)) + "h"
		}
		return fmt.Sprintf("%dh%dm", h, m)
	}
	return strconv.Itoa(int(d.Round(time.Hour)/(24*time.Hour))) + "d"
}

// truncate cuts s to n runes, with an ellipsis when it was longer.
func truncate(s string, n int) string {
	if r := []rune(strings.TrimSpace(s)); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return strings.TrimSpace(s)
}
