package financeweb

import (
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chancery/chancery/apps/finance"
)

// The lineage picture: a receivable's tree drawn as SVG on the server, by
// hand — a few rectangles, lines and text, so no library and no script. It
// reads left to right: the original receivable in the first column, each
// split's pieces in the next, every leaf on a row of its own and each parent
// centred on its children. Every box links to its piece's page, and its
// colour says its state. Coordinates are integers and the output depends on
// nothing but the input, so the picture is the same on every run.
//
// Presentation attributes (fill, stroke, font-size) rather than style: the
// console's Content-Security-Policy allows no inline style, and an SVG served
// on its own must carry its look with it.

// Bounds of a drawn tree; a larger one is shown as a table instead. A
// hundred leaves make a picture about 6,500 pixels tall — long, but read by
// scrolling, one piece a row.
const (
	MaxDrawnPieces = 128
	MaxDrawnDepth  = 12
)

// Geometry, in pixels.
const (
	boxW     = 232
	boxH     = 58
	colGap   = 48
	rowGap   = 10
	margin   = 16
	legendH  = 34
	nameRune = 27 // characters of a holder's name that fit a box
	// centreSpan is the most rows a parent is centred on.
	centreSpan = 8
)

// stateColor is a state's fill, stroke and text colour, from app.css's
// palette.
type stateColor struct{ fill, stroke, ink string }

var stateColors = map[finance.State]stateColor{
	finance.StateIssued:             {"#e8f1fd", "#1f6feb", "#1858bc"},
	finance.StateAccepted:           {"#e6f4ea", "#1a7f37", "#1a7f37"},
	finance.StateRejected:           {"#fdecea", "#b42318", "#b42318"},
	finance.StateCancelled:          {"#f8f9fa", "#adb5bd", "#616e7c"},
	finance.StateSplit:              {"#f1f3f5", "#8795a1", "#616e7c"},
	finance.StateFinancingRequested: {"#fff5d6", "#9a6700", "#9a6700"},
	finance.StateFinanced:           {"#efe7fb", "#6f42c1", "#5a32a3"},
	finance.StateSettled:            {"#e3f4f4", "#0b7285", "#0b7285"},
}

// stateOrder is the legend's order: a piece's life from left to right.
var stateOrder = []finance.State{
	finance.StateIssued, finance.StateAccepted, finance.StateRejected, finance.StateCancelled, finance.StateSplit,
	finance.StateFinancingRequested, finance.StateFinanced, finance.StateSettled,
}

const overdueInk = "#b42318"

// Drawable reports whether a tree is small enough to draw: at most
// MaxDrawnPieces pieces, at most MaxDrawnDepth splits deep.
func Drawable(pieces []finance.Receivable) bool {
	if len(pieces) == 0 || len(pieces) > MaxDrawnPieces {
		return false
	}
	for _, p := range pieces {
		if p.Depth > MaxDrawnDepth {
			return false
		}
	}
	return true
}

// layout is where each piece's box goes: its top-left corner.
type layout struct {
	x, y          map[finance.ID]int
	width, height int
}

// place lays the tree out: leaves on consecutive rows in depth-first order,
// columns by depth, each parent centred on its children — or, over more
// than centreSpan rows, level with its first child, which keeps a large
// tree's root at the top rather than thousands of pixels down.
func place(pieces []finance.Receivable) layout {
	byID := make(map[finance.ID]*finance.Receivable, len(pieces))
	for i := range pieces {
		byID[pieces[i].ID] = &pieces[i]
	}
	l := layout{x: map[finance.ID]int{}, y: map[finance.ID]int{}}
	row, depth := 0, 0
	var visit func(p *finance.Receivable) int // returns the box's centre y
	visit = func(p *finance.Receivable) int {
		l.x[p.ID] = margin + p.Depth*(boxW+colGap)
		depth = max(depth, p.Depth)
		var first, last int
		n := 0
		for _, id := range p.Children {
			c, ok := byID[id]
			if !ok {
				continue
			}
			cy := visit(c)
			if n == 0 {
				first = cy
			}
			last, n = cy, n+1
		}
		var cy int
		switch {
		case n == 0:
			cy = margin + legendH + row*(boxH+rowGap) + boxH/2
			row++
		case last-first <= centreSpan*(boxH+rowGap):
			cy = (first + last) / 2
		default:
			cy = first // level with its first child, so that it is in sight
		}
		l.y[p.ID] = cy - boxH/2
		return cy
	}
	visit(&pieces[0])
	l.width = 2*margin + (depth+1)*(boxW+colGap) - colGap
	l.height = 2*margin + row*(boxH+rowGap) - rowGap + legendH
	return l
}

// LineageSVG draws pieces — a whole tree in id order, root first, as
// finance.Tree returns it — marking the piece current. names are
// organisations' names by id; now is block time, which says what is
// overdue. It returns "" for a tree Drawable refuses.
func LineageSVG(pieces []finance.Receivable, current finance.ID, names map[string]string, now time.Time) string {
	if !Drawable(pieces) {
		return ""
	}
	l := place(pieces)
	present := map[finance.State]bool{}
	overdue := false
	for _, p := range pieces {
		present[p.State] = true
		overdue = overdue || p.Overdue(now)
	}
	legend := legendItems(present, overdue)
	l.width = max(l.width, 2*margin+legendWidth(legend))
	var b strings.Builder
	root := pieces[0]
	title := fmt.Sprintf("Lineage of receivable %d: %d pieces", root.ID, len(pieces))
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="lineage-svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="lineage-title-%d">`,
		l.width, l.height, l.width, l.height, root.ID)
	fmt.Fprintf(&b, "\n"+`<title id="lineage-title-%d">%s</title>`, root.ID, esc(title))
	fmt.Fprintf(&b, "\n"+`<rect width="%d" height="%d" fill="#ffffff"/>`, l.width, l.height)

	// The legend above the tree, where it is in sight. Then connectors,
	// under the boxes: from a parent's right edge to each child's left
	// edge, with an elbow halfway.
	drawLegend(&b, legend, margin)
	b.WriteString("\n" + `<g fill="none" stroke="#9aa5b1" stroke-width="1.5">`)
	for _, p := range pieces {
		for _, id := range p.Children {
			if _, ok := l.x[id]; !ok {
				continue
			}
			x1, y1 := l.x[p.ID]+boxW, l.y[p.ID]+boxH/2
			x2, y2 := l.x[id], l.y[id]+boxH/2
			fmt.Fprintf(&b, "\n"+`<path d="M%d %dH%dV%dH%d"/>`, x1, y1, x1+colGap/2, y2, x2)
		}
	}
	b.WriteString("\n</g>")

	for _, p := range pieces {
		drawPiece(&b, p, l.x[p.ID], l.y[p.ID], p.ID == current, holderName(p.Holder, names), p.Overdue(now))
	}
	b.WriteString("\n</svg>\n")
	return b.String()
}

func drawPiece(b *strings.Builder, p finance.Receivable, x, y int, current bool, holder string, overdue bool) {
	col := stateColors[p.State]
	state := stateLabel(p.State)
	stroke, ink := col.stroke, col.ink
	if overdue {
		state += " · overdue"
		stroke, ink = overdueInk, overdueInk
	}
	width, dash := "1.5", ""
	if current {
		width = "3"
	}
	if p.State == finance.StateSplit {
		dash = ` stroke-dasharray="5 3"`
	}
	amount := Money(p.Amount, p.Currency)
	fmt.Fprintf(b, "\n"+`<a href="%s" data-piece="%d">`, pagePath(p.ID), p.ID)
	fmt.Fprintf(b, `<title>%s</title>`, esc(fmt.Sprintf("Piece %d: %s held by %s, %s", p.ID, amount, holder, state)))
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" rx="6" fill="%s" stroke="%s" stroke-width="%s"%s/>`,
		x, y, boxW, boxH, col.fill, stroke, width, dash)
	fmt.Fprintf(b, `<text x="%d" y="%d" font-family="system-ui, sans-serif" fill="#1f2933">`, x+10, y+19)
	fmt.Fprintf(b, `<tspan font-size="13" font-weight="700">%s</tspan>`, esc(amount))
	fmt.Fprintf(b, `<tspan x="%d" y="%d" font-size="12">#%d · %s</tspan>`, x+10, y+35, p.ID, esc(truncate(holder, nameRune-len(p.ID.String()))))
	fmt.Fprintf(b, `<tspan x="%d" y="%d" font-size="11" font-weight="600" fill="%s">%s</tspan>`, x+10, y+50, ink, esc(state))
	b.WriteString(`</text></a>`)
}

// legendItem is a swatch and its label.
type legendItem struct{ fill, stroke, label string }

// legendItems are the states in the tree, in the order of a piece's life,
// and "overdue" if a piece is.
func legendItems(present map[finance.State]bool, overdue bool) []legendItem {
	var out []legendItem
	for _, s := range stateOrder {
		if present[s] {
			col := stateColors[s]
			out = append(out, legendItem{col.fill, col.stroke, stateLabel(s)})
		}
	}
	if overdue {
		out = append(out, legendItem{"#ffffff", overdueInk, "overdue"})
	}
	return out
}

// legendStep is the room an item takes: swatch, gap, label (about 6
// pixels a character at 11 pixels), space.
func legendStep(it legendItem) int { return 17 + 6*utf8.RuneCountInString(it.label) + 16 }

func legendWidth(items []legendItem) int {
	w := 0
	for _, it := range items {
		w += legendStep(it)
	}
	return w
}

func drawLegend(b *strings.Builder, items []legendItem, y int) {
	x := margin
	b.WriteString("\n" + `<g font-family="system-ui, sans-serif" font-size="11" fill="#616e7c">`)
	for _, it := range items {
		fmt.Fprintf(b, "\n"+`<rect x="%d" y="%d" width="12" height="12" rx="2" fill="%s" stroke="%s"/><text x="%d" y="%d">%s</text>`,
			x, y, it.fill, it.stroke, x+17, y+10, esc(it.label))
		x += legendStep(it)
	}
	b.WriteString("\n</g>")
}

func holderName(org string, names map[string]string) string {
	if n := names[org]; n != "" {
		return n
	}
	return org
}

// truncate shortens s to n characters, the last an ellipsis.
func truncate(s string, n int) string {
	if n < 2 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func esc(s string) string { return html.EscapeString(s) }
