package http

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jinguan-customs/jinguan"
	"github.com/jinguan-customs/jinguan/risk"
)

// lineChart draws one line per stream over the time buckets as inline
// SVG, server-side: no script, and it prints. y gives a bucket's value
// and whether it has one (a hit rate needs checks).
func lineChart(series []risk.Point, labels map[string]string, title string, y func(risk.Counts) (float64, bool), unit string) template.HTML {
	const w, h, left, right, top, bottom = 760.0, 240.0, 52.0, 12.0, 28.0, 40.0
	var starts []time.Time
	for _, p := range series {
		if !slices.ContainsFunc(starts, p.Start.Equal) {
			starts = append(starts, p.Start)
		}
	}
	colors := map[string]string{risk.StreamTargeted: "#b3261e", risk.StreamModel: "#7b3fb0",
		risk.StreamRandom: "#1f5fbf", risk.StreamTopUp: "#a06a00", risk.StreamAudit: "#0b6e6e"}
	maxY := 0.0
	for _, p := range series {
		if v, ok := y(p.Counts); ok {
			maxY = math.Max(maxY, v)
		}
	}
	maxY = niceCeil(maxY)
	x := func(i int) float64 {
		if len(starts) < 2 {
			return left + (w-left-right)/2
		}
		return left + float64(i)*(w-left-right)/float64(len(starts)-1)
	}
	yPos := func(v float64) float64 { return top + (h-top-bottom)*(1-v/maxY) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		w, h, template.HTMLEscapeString(title))
	fmt.Fprintf(&b, `<text x="%.0f" y="16" class="chart-title">%s</text>`, left, template.HTMLEscapeString(title))
	for _, f := range []float64{0, 0.5, 1} {
		yy := yPos(maxY * f)
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" class="grid-line"/>`, left, w-right, yy, yy)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end" class="axis">%s%s</text>`, left-6, yy+4, trimFloat(maxY*f), unit)
	}
	layout := "01-02 15:04"
	if len(starts) > 1 && starts[1].Sub(starts[0]) >= 24*time.Hour {
		layout = "2006-01-02"
	}
	for _, i := range tickIndexes(len(starts)) {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle" class="axis">%s</text>`, x(i), h-bottom+16,
			starts[i].In(jinguan.China).Format(layout))
	}
	lx := left
	for _, st := range risk.Streams {
		var pts []string
		for i, s := range starts {
			for _, p := range series {
				if p.Stream == st && p.Start.Equal(s) {
					if v, ok := y(p.Counts); ok {
						pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), yPos(v)))
					}
				}
			}
		}
		c := colors[st]
		if len(pts) > 0 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2" data-stream="%s"/>`, strings.Join(pts, " "), c, st)
			for _, pt := range pts {
				xy := strings.Split(pt, ",")
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.5" fill="%s"/>`, xy[0], xy[1], c)
			}
		}
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="10" height="10" fill="%s"/><text x="%.0f" y="%.0f" class="legend">%s</text>`,
			lx, h-12, c, lx+14, h-3, template.HTMLEscapeString(labels[st]))
		lx += 150
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from numbers and escaped labels only
}

// niceCeil rounds a maximum up to 1, 2 or 5 × a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
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

func trimFloat(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// tickIndexes picks at most six evenly spread bucket indexes to label.
func tickIndexes(n int) []int {
	if n == 0 {
		return nil
	}
	step := max(1, (n+5)/6)
	var out []int
	for i := 0; i < n; i += step {
		out = append(out, i)
	}
	if out[len(out)-1] != n-1 {
		out = append(out, n-1)
	}
	return out
}
