package bench

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
)

// Chart is a stack of line-chart panels sharing a width, written as SVG by
// WriteSVG. It is deliberately small: lines, markers, shaded spans, axes
// with round ticks and a legend.
type Chart struct {
	Title  string
	Panels []Panel
}

// Panel is one plot.
type Panel struct {
	Title          string
	XLabel, YLabel string
	Series         []Series
	Shades         []Shade
	XFromZero      bool    // the X axis starts at 0 whatever the data
	YAtLeast       float64 // the Y axis reaches at least this, whatever the data
}

// Series is one line. A NaN Y breaks the line.
type Series struct {
	Name    string
	Color   string // any SVG colour
	Dashed  bool
	Markers bool // a dot at every point
	Points  []Point
}

// Point is a point of a series.
type Point struct{ X, Y float64 }

// Shade is a labelled span of X, such as a warm-up.
type Shade struct {
	From, To float64
	Label    string
}

// Layout of a chart, in SVG user units.
const (
	svgWidth     = 860
	panelHeight  = 280
	titleHeight  = 34
	marginLeft   = 72
	marginRight  = 24
	marginTop    = 34 // panel title
	marginBottom = 48 // x ticks and label
	legendRow    = 16
)

// WriteSVG writes c as a standalone SVG document. The output depends only on
// c, so it can be compared with a golden file.
func WriteSVG(w io.Writer, c Chart) error {
	bw := bufio.NewWriter(w)
	height := titleHeight + len(c.Panels)*panelHeight
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n",
		svgWidth, height, svgWidth, height)
	fmt.Fprintf(bw, `<rect width="%d" height="%d" fill="#fff"/>`+"\n", svgWidth, height)
	fmt.Fprintf(bw, `<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>`+"\n", marginLeft, esc(c.Title))
	for i, p := range c.Panels {
		writePanel(bw, p, float64(titleHeight+i*panelHeight))
	}
	fmt.Fprintln(bw, "</svg>")
	return bw.Flush()
}

func writePanel(w io.Writer, p Panel, top float64) {
	x0, x1 := float64(marginLeft), float64(svgWidth-marginRight)
	y0, y1 := top+marginTop, top+panelHeight-marginBottom // plot top and bottom
	minX, maxX, maxY := bounds(p)
	xTicks := ticks(minX, maxX)
	yTicks := ticks(0, math.Max(maxY*1.15, p.YAtLeast)) // room for the legend above the data
	minX, maxX = math.Min(minX, xTicks[0]), math.Max(maxX, xTicks[len(xTicks)-1])
	maxY = math.Max(maxY, yTicks[len(yTicks)-1])
	sx := func(x float64) float64 { return x0 + (x-minX)/(maxX-minX)*(x1-x0) }
	sy := func(y float64) float64 { return y1 - y/maxY*(y1-y0) }

	fmt.Fprintf(w, `<g class="panel">`+"\n")
	fmt.Fprintf(w, `<text x="%s" y="%s" font-size="13" font-weight="bold">%s</text>`+"\n", num(x0), num(top+20), esc(p.Title))
	for _, s := range p.Shades {
		a, b := sx(math.Max(s.From, minX)), sx(math.Min(s.To, maxX))
		fmt.Fprintf(w, `<rect x="%s" y="%s" width="%s" height="%s" fill="#f0f0f0"/>`+"\n", num(a), num(y0), num(b-a), num(y1-y0))
		fmt.Fprintf(w, `<text x="%s" y="%s" fill="#888">%s</text>`+"\n", num(a+4), num(y1-6), esc(s.Label))
	}
	for _, t := range yTicks {
		y := sy(t)
		fmt.Fprintf(w, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd"/>`+"\n", num(x0), num(y), num(x1), num(y))
		fmt.Fprintf(w, `<text x="%s" y="%s" text-anchor="end">%s</text>`+"\n", num(x0-6), num(y+4), tickLabel(t))
	}
	for _, t := range xTicks {
		x := sx(t)
		fmt.Fprintf(w, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#999"/>`+"\n", num(x), num(y1), num(x), num(y1+4))
		fmt.Fprintf(w, `<text x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", num(x), num(y1+16), tickLabel(t))
	}
	fmt.Fprintf(w, `<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#999"/>`+"\n", num(x0), num(y0), num(x1-x0), num(y1-y0))
	fmt.Fprintf(w, `<text x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", num((x0+x1)/2), num(y1+36), esc(p.XLabel))
	fmt.Fprintf(w, `<text transform="translate(%s %s) rotate(-90)" text-anchor="middle">%s</text>`+"\n", num(x0-52), num((y0+y1)/2), esc(p.YLabel))

	for _, s := range p.Series {
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		for _, run := range segments(s.Points) {
			if len(run) == 1 && !s.Markers {
				fmt.Fprintf(w, `<circle cx="%s" cy="%s" r="2" fill="%s"/>`+"\n", num(sx(run[0].X)), num(sy(run[0].Y)), esc(s.Color))
				continue
			}
			fmt.Fprintf(w, `<polyline fill="none" stroke="%s" stroke-width="1.8"%s points="`, esc(s.Color), dash)
			for i, pt := range run {
				if i > 0 {
					fmt.Fprint(w, " ")
				}
				fmt.Fprintf(w, "%s,%s", num(sx(pt.X)), num(sy(pt.Y)))
			}
			fmt.Fprint(w, `"/>`+"\n")
		}
		if s.Markers {
			for _, pt := range s.Points {
				if !math.IsNaN(pt.Y) {
					fmt.Fprintf(w, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", num(sx(pt.X)), num(sy(pt.Y)), esc(s.Color))
				}
			}
		}
	}
	// Legend, one row per series, at the top right inside the plot, over a
	// light backing so that lines under it do not hide it.
	if len(p.Series) > 0 {
		fmt.Fprintf(w, `<rect x="%s" y="%s" width="156" height="%d" fill="#fff" fill-opacity="0.85" stroke="#ddd"/>`+"\n",
			num(x1-156), num(y0+1), len(p.Series)*legendRow+6)
	}
	for i, s := range p.Series {
		y := y0 + 15 + float64(i*legendRow)
		lx := x1 - 148
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(w, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"%s/>`+"\n", num(lx), num(y-4), num(lx+22), num(y-4), esc(s.Color), dash)
		fmt.Fprintf(w, `<text x="%s" y="%s">%s</text>`+"\n", num(lx+28), num(y), esc(s.Name))
	}
	fmt.Fprintln(w, "</g>")
}

// bounds returns the data's X range and largest Y (at least a unit range).
func bounds(p Panel) (minX, maxX, maxY float64) {
	minX, maxX = math.Inf(1), math.Inf(-1)
	for _, s := range p.Series {
		for _, pt := range s.Points {
			minX, maxX = math.Min(minX, pt.X), math.Max(maxX, pt.X)
			if !math.IsNaN(pt.Y) {
				maxY = math.Max(maxY, pt.Y)
			}
		}
	}
	for _, s := range p.Shades {
		minX, maxX = math.Min(minX, s.From), math.Max(maxX, s.To)
	}
	if p.XFromZero {
		minX = math.Min(minX, 0)
	}
	if math.IsInf(minX, 1) {
		minX, maxX = 0, 1
	}
	if maxX <= minX {
		maxX = minX + 1
	}
	if maxY <= 0 {
		maxY = 1
	}
	return minX, maxX, maxY
}

// ticks returns round tick values covering [lo, hi]: steps of 1, 2 or 5
// times a power of ten, about five of them.
func ticks(lo, hi float64) []float64 {
	step := niceStep((hi - lo) / 5)
	first := math.Floor(lo/step) * step
	var out []float64
	for t := first; t < hi+step*0.999; t += step {
		out = append(out, round(t, 9))
	}
	return out
}

func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / p; {
	case f <= 1:
		return p
	case f <= 2:
		return 2 * p
	case f <= 5:
		return 5 * p
	}
	return 10 * p
}

// segments splits points at NaN values of Y.
func segments(pts []Point) [][]Point {
	var out [][]Point
	var cur []Point
	for _, p := range pts {
		if math.IsNaN(p.Y) {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, p)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// tickLabel writes a tick value compactly: 25000 as 25k.
func tickLabel(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', -1, 64) + "M"
	case a >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// num writes a coordinate with one decimal.
func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func esc(s string) string { return html.EscapeString(s) }
