package copyrightweb

import (
	"regexp"
	"strconv"
	"testing"
)

// TestQR: the path draws a code of a QR version's size with its three
// finder patterns in place, inside the quiet zone.
func TestQR(t *testing.T) {
	q, err := newQR("https://registry.example/works/12345")
	if err != nil {
		t.Fatal(err)
	}
	n := q.Modules - 2*quietZone
	if (n-17)%4 != 0 || n < 21 || q.ViewBox() != "0 0 "+strconv.Itoa(q.Modules)+" "+strconv.Itoa(q.Modules) {
		t.Fatalf("%d modules a side (%s): not a QR version's size", n, q.ViewBox())
	}
	dark := map[[2]int]bool{}
	for _, m := range regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`).FindAllStringSubmatch(q.Path, -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		w, _ := strconv.Atoi(m[3])
		if x < quietZone || y < quietZone || x+w > quietZone+n || y >= quietZone+n || m[3] != m[4] {
			t.Fatalf("run %s outside the code", m[0])
		}
		for i := range w {
			dark[[2]int{x + i - quietZone, y - quietZone}] = true
		}
	}
	// A finder pattern: a dark 7×7 ring, a light ring, a dark 3×3 centre.
	finder := func(ox, oy int) {
		for y := range 7 {
			for x := range 7 {
				ring := x == 0 || y == 0 || x == 6 || y == 6
				centre := x >= 2 && x <= 4 && y >= 2 && y <= 4
				if dark[[2]int{ox + x, oy + y}] != (ring || centre) {
					t.Fatalf("finder at %d,%d wrong at %d,%d", ox, oy, x, y)
				}
			}
		}
	}
	finder(0, 0)
	finder(n-7, 0)
	finder(0, n-7)
	if _, err := newQR(string(make([]byte, 4000))); err == nil {
		t.Fatal("encoded more than a QR code holds")
	}
}
