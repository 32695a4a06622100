package copyrightweb

import (
	"fmt"
	"image/color"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// QR is a QR code drawn as one SVG path, to inline in a page: it needs no
// image request, prints sharp at any size and passes the pages' CSP.
type QR struct {
	Text    string // what it encodes
	Modules int    // modules a side, quiet zone included
	Path    string // the dark modules, in units of one module
}

// ViewBox is the SVG viewBox of the code.
func (q QR) ViewBox() string { return fmt.Sprintf("0 0 %d %d", q.Modules, q.Modules) }

// quietZone is the light margin, in modules, that ISO/IEC 18004 asks for
// around a code so that readers find it.
const quietZone = 4

// newQR encodes text at error correction level M (15% of the code may be
// lost). Each row's runs of dark modules become one rectangle each.
func newQR(text string) (QR, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return QR{}, fmt.Errorf("qr code of %q: %w", text, err)
	}
	n := code.Bounds().Dx()
	var p strings.Builder
	for y := range n {
		for x := 0; x < n; {
			if !dark(code.At(x, y)) {
				x++
				continue
			}
			run := 1
			for x+run < n && dark(code.At(x+run, y)) {
				run++
			}
			fmt.Fprintf(&p, "M%d %dh%dv1h-%dz", x+quietZone, y+quietZone, run, run)
			x += run
		}
	}
	return QR{Text: text, Modules: n + 2*quietZone, Path: p.String()}, nil
}

func dark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r+g+b < 3*0x8000
}
