package web_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/openear/openear/web"
)

// allowed are the elements the charts draw; any other came from a label.
var allowed = map[string]bool{"svg": true, "title": true, "text": true, "rect": true, "line": true}

// walkSVG decodes an SVG document to its end and counts <rect class="bar">.
func walkSVG(t *testing.T, doc []byte) (bars int) {
	t.Helper()
	if !utf8.Valid(doc) {
		t.Fatalf("not UTF-8: %q", doc)
	}
	dec := xml.NewDecoder(bytes.NewReader(doc))
	depth, root := 0, ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("invalid XML: %v\n%s", err, doc)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				root = el.Name.Local
			}
			depth++
			if !allowed[el.Name.Local] {
				t.Errorf("unexpected element <%s>: markup came through a label", el.Name.Local)
			}
			if el.Name.Local == "rect" {
				for _, a := range el.Attr {
					if a.Name.Local == "class" && a.Value == "bar" {
						bars++
					}
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if root != "svg" || depth != 0 {
		t.Fatalf("root %q, depth %d at the end; want a closed <svg>", root, depth)
	}
	for _, bad := range []string{"NaN", "Inf"} {
		if bytes.Contains(doc, []byte(bad)) {
			t.Errorf("output contains %s:\n%s", bad, doc)
		}
	}
	return bars
}

func TestHistogramSVG(t *testing.T) {
	ds := []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, 10 * time.Minute, 3 * time.Hour, 30 * time.Hour}
	doc := web.HistogramSVG("en", "First response", ds, web.FRTBuckets)
	if got, want := walkSVG(t, doc), len(web.FRTBuckets)+1; got != want {
		t.Errorf("bars = %d, want %d", got, want)
	}
	for _, want := range []string{"First response", "≤1m", "≤15m: 2", "≤4h: 1", "&gt;24h: 1", "6 answered", "p50 10m"} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("missing %q in\n%s", want, doc)
		}
	}
}

func TestHistogramSVGUnsortedBuckets(t *testing.T) {
	doc := web.HistogramSVG("en", "h", []time.Duration{time.Minute, 2 * time.Hour}, []time.Duration{time.Hour, time.Minute, time.Hour})
	if got := walkSVG(t, doc); got != 3 {
		t.Errorf("bars = %d, want 3 (≤1m, ≤1h, >1h)", got)
	}
	if !bytes.Contains(doc, []byte("≤1m: 1")) || !bytes.Contains(doc, []byte("&gt;1h: 1")) {
		t.Errorf("wrong buckets:\n%s", doc)
	}
	if got := walkSVG(t, web.HistogramSVG("en", "h", []time.Duration{time.Minute}, nil)); got != 1 {
		t.Errorf("no buckets: bars = %d, want 1", got)
	}
}

func TestStackedBarsSVG(t *testing.T) {
	days := []string{"03-01", "03-02", "03-03"}
	series := map[string][]int{
		"<script>": {1, 0, 2},
		"bug":      {0, 0, 1},
		"neg":      {-1, 0},      // negative and missing counts are 0
		"환불":       {0, 3, 0, 9}, // extra values are ignored
	}
	doc := web.StackedBarsSVG("en", "Tags & days", days, series)
	if got := walkSVG(t, doc); got != 4 {
		t.Errorf("bars = %d, want 4 non-zero cells", got)
	}
	if bytes.Contains(doc, []byte("<script>")) {
		t.Errorf("unescaped tag name in\n%s", doc)
	}
	for _, want := range []string{"&lt;script&gt;", "Tags &amp; days", "환불", "03-02", "&lt;script&gt; 03-03: 2"} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("missing %q in\n%s", want, doc)
		}
	}
}

func TestBarsSVG(t *testing.T) {
	labels := []string{"team support", "person <b>bob</b>", "person none", "person nan", "person inf", "extra"}
	values := []float64{95, 0, -1, math.NaN(), math.Inf(1)}
	doc := web.BarsSVG("en", "SLA met", labels, values, "%")
	if got := walkSVG(t, doc); got != 2 {
		t.Errorf("bars = %d, want 2 (0%% is a bar of width 0)", got)
	}
	if n := bytes.Count(doc, []byte("n/a")); n != 3 {
		t.Errorf("n/a shown %d times, want 3", n)
	}
	for _, want := range []string{"95%", ">0%<", "&lt;b&gt;bob&lt;/b&gt;"} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("missing %q in\n%s", want, doc)
		}
	}
	if bytes.Contains(doc, []byte("extra")) {
		t.Error("a label without a value was drawn")
	}

	doc = web.BarsSVG("en", "latency", []string{"a", "b"}, []float64{2.5, 10}, "min")
	if got := walkSVG(t, doc); got != 2 || !bytes.Contains(doc, []byte("2.5 min")) {
		t.Errorf("bars = %d in\n%s", got, doc)
	}
}

func TestChartsNoData(t *testing.T) {
	for name, doc := range map[string][]byte{
		"histogram empty":   web.HistogramSVG("en", "frt", nil, web.FRTBuckets),
		"stacked no days":   web.StackedBarsSVG("en", "tags", nil, map[string][]int{"bug": {1}}),
		"stacked all zero":  web.StackedBarsSVG("en", "tags", []string{"03-01"}, map[string][]int{"bug": {0}}),
		"stacked no series": web.StackedBarsSVG("en", "tags", []string{"03-01"}, nil),
		"bars empty":        web.BarsSVG("en", "sla", nil, nil, "%"),
		"bars all n/a":      web.BarsSVG("en", "sla", []string{"a"}, []float64{-1}, "%"),
		"bars all NaN":      web.BarsSVG("en", "sla", []string{"a"}, []float64{math.NaN()}, ""),
	} {
		if got := walkSVG(t, doc); got != 0 {
			t.Errorf("%s: %d bars", name, got)
		}
		if !bytes.Contains(doc, []byte("no data")) {
			t.Errorf("%s: no \"no data\" in\n%s", name, doc)
		}
	}
}

// FuzzChartLabels: whatever an operator names a tag or a person, the
// charts stay valid XML and never carry markup through.
func FuzzChartLabels(f *testing.F) {
	for _, s := range []string{"<script>alert(1)</script>", "a&b", "\x00\x1b]", "\"'", "환불", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		walkSVG(t, web.BarsSVG("en", s, []string{s}, []float64{50}, s))
		walkSVG(t, web.StackedBarsSVG("en", s, []string{s}, map[string][]int{s: {1}}))
		walkSVG(t, web.HistogramSVG("en", s, []time.Duration{time.Minute}, web.FRTBuckets))
	})
}
