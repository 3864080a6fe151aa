package metrics

import (
	"fmt"
	"html"
	"math"
	"strings"
	"time"
)

// Series is one chart: a value per week (NaN where there is none).
type Series struct {
	File   string // file name of the SVG
	Title  string
	Unit   string // shown on the axis: "%", "h", "runs"…
	Bar    bool   // bars (counts) rather than a line (rates, times)
	Weeks  []time.Time
	Values []float64
}

// Charts are the series the report draws.
func (r Report) Charts() []Series {
	weeks := make([]time.Time, len(r.Weeks))
	for i, w := range r.Weeks {
		weeks[i] = w.Start
	}
	pick := func(f func(Week) *float64, scale float64) []float64 {
		out := make([]float64, len(r.Weeks))
		for i, w := range r.Weeks {
			out[i] = math.NaN()
			if v := f(w); v != nil {
				out[i] = *v * scale
			}
		}
		return out
	}
	count := func(f func(Week) int) []float64 {
		out := make([]float64, len(r.Weeks))
		for i, w := range r.Weeks {
			out[i] = float64(f(w))
		}
		return out
	}
	tests := make([]float64, len(r.Weeks))
	flaky := make([]float64, len(r.Weeks))
	for i, w := range r.Weeks {
		tests[i], flaky[i] = math.NaN(), math.NaN()
		if w.Tests != nil {
			tests[i] = float64(*w.Tests)
		}
		if w.Reports > 0 { // no report: unknown, not zero
			flaky[i] = float64(w.FlakyTests)
		}
	}
	return []Series{
		{File: "ci-success-rate.svg", Title: "CI success rate", Unit: "%", Weeks: weeks, Values: pick(func(w Week) *float64 { return w.SuccessRate }, 100)},
		{File: "build-time.svg", Title: "Build time, median", Unit: "min", Weeks: weeks, Values: pick(func(w Week) *float64 { return w.BuildP50 }, 1.0/60)},
		{File: "build-time-p90.svg", Title: "Build time, 90th percentile", Unit: "min", Weeks: weeks, Values: pick(func(w Week) *float64 { return w.BuildP90 }, 1.0/60)},
		{File: "deployment-frequency.svg", Title: "Deployments to production per week", Unit: "deployments", Bar: true, Weeks: weeks, Values: count(func(w Week) int { return w.Deployments })},
		{File: "lead-time.svg", Title: "Lead time for changes, median", Unit: "h", Weeks: weeks, Values: pick(func(w Week) *float64 { return w.LeadTimeP50 }, 1.0/3600)},
		{File: "change-failure-rate.svg", Title: "Change failure rate", Unit: "%", Weeks: weeks, Values: pick(func(w Week) *float64 { return w.ChangeFailureRate }, 100)},
		{File: "time-to-restore.svg", Title: "Time to restore, median", Unit: "h", Weeks: weeks, Values: pick(func(w Week) *float64 { return w.RestoreP50 }, 1.0/3600)},
		{File: "tests.svg", Title: "Tests on the default branch", Unit: "tests", Weeks: weeks, Values: tests},
		{File: "coverage.svg", Title: "Coverage on the default branch", Unit: "%", Weeks: weeks, Values: pick(func(w Week) *float64 { return w.Coverage }, 1)},
		{File: "flaky-tests.svg", Title: "Flaky tests per week", Unit: "tests", Bar: true, Weeks: weeks, Values: flaky},
	}
}

// niceMax rounds the axis maximum up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 || math.IsNaN(v) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func fmtNum(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	if v < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// SVG draws the series: a titled chart with a labelled value axis, week
// labels, and the latest value called out. Gaps (weeks with nothing to
// measure) break the line rather than drop to zero.
func (s Series) SVG() string {
	const w, h, left, right, top, bottom = 720.0, 300.0, 56.0, 16.0, 40.0, 44.0
	pw, ph := w-left-right, h-top-bottom
	max := 0.0
	for _, v := range s.Values {
		if !math.IsNaN(v) && v > max {
			max = v
		}
	}
	if s.Unit == "%" {
		max = 100
	}
	max = niceMax(max)
	n := len(s.Values)
	x := func(i int) float64 {
		if n <= 1 {
			return left + pw/2
		}
		return left + pw*float64(i)/float64(n-1)
	}
	if s.Bar && n > 0 {
		x = func(i int) float64 { return left + pw*(float64(i)+0.5)/float64(n) }
	}
	y := func(v float64) float64 { return top + ph*(1-v/max) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="-apple-system,Segoe UI,Helvetica,Arial,sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="22" font-size="16" font-weight="600" fill="#1f2328">%s (%s)</text>`+"\n", left, html.EscapeString(s.Title), html.EscapeString(s.Unit))
	// 5 intervals for 1 and 5 times a power of ten, 4 for 2: round ticks.
	ticks := 5
	if m := max / math.Pow(10, math.Floor(math.Log10(max))); math.Abs(m-2) < 1e-9 {
		ticks = 4
	}
	for i := 0; i <= ticks; i++ {
		v := max * float64(i) / float64(ticks)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#d0d7de" stroke-width="1"/>`+"\n", left, w-right, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#59636e">%s</text>`+"\n", left-6, y(v)+4, fmtNum(v))
	}
	// Week labels: at most about ten, so they never overlap.
	step := 1
	if n > 10 {
		step = (n + 9) / 10
	}
	for i := 0; i < n; i += step {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#59636e">%s</text>`+"\n", x(i), h-bottom+18, s.Weeks[i].Format("Jan 2"))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#59636e">week starting (UTC)</text>`+"\n", left+pw/2, h-8)
	if s.Bar {
		bw := pw / float64(maxInt(n, 1)) * 0.7
		for i, v := range s.Values {
			if math.IsNaN(v) || v == 0 {
				continue
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#0969da"><title>%s: %s</title></rect>`+"\n",
				x(i)-bw/2, y(v), bw, top+ph-y(v), s.Weeks[i].Format("2006-01-02"), fmtNum(v))
		}
	} else {
		var seg []string
		flush := func() {
			if len(seg) > 1 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke="#0969da" stroke-width="2" points="%s"/>`+"\n", strings.Join(seg, " "))
			}
			seg = seg[:0]
		}
		for i, v := range s.Values {
			if math.IsNaN(v) {
				flush()
				continue
			}
			seg = append(seg, fmt.Sprintf("%.1f,%.1f", x(i), y(v)))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="#0969da"><title>%s: %s</title></circle>`+"\n", x(i), y(v), s.Weeks[i].Format("2006-01-02"), fmtNum(v))
		}
		flush()
	}
	for i := n - 1; i >= 0; i-- {
		if v := s.Values[i]; !math.IsNaN(v) {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" font-weight="600" fill="#1f2328">latest: %s %s</text>`+"\n", w-right, 22.0, fmtNum(v), html.EscapeString(s.Unit))
			break
		}
	}
	if n == 0 {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#59636e">no data</text>`+"\n", left+pw/2, top+ph/2)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// Mermaid renders the series as a Mermaid xychart, which GitHub draws in
// job summaries and Markdown files. Gaps are drawn as 0 (Mermaid has no
// gap), and said so in the caption.
func (s Series) Mermaid() string {
	var labels, vals []string
	max := 0.0
	for i, v := range s.Values {
		labels = append(labels, `"`+s.Weeks[i].Format("Jan 2")+`"`)
		if math.IsNaN(v) {
			v = 0
		}
		if v > max {
			max = v
		}
		vals = append(vals, fmtNum(math.Round(v*10)/10))
	}
	if s.Unit == "%" {
		max = 100
	}
	kind := "line"
	if s.Bar {
		kind = "bar"
	}
	return fmt.Sprintf("```mermaid\nxychart-beta\n  title \"%s\"\n  x-axis [%s]\n  y-axis \"%s\" 0 --> %s\n  %s [%s]\n```\n",
		strings.ReplaceAll(s.Title, `"`, "'"), strings.Join(labels, ", "), s.Unit, fmtNum(niceMax(max)), kind, strings.Join(vals, ", "))
}
