package webtest

import (
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chancery/chancery/web"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// GoldenCSRF stands in for the random CSRF token (PinCSRF), so pages render
// the same on every run.
const GoldenCSRF = "golden-csrf-token"

// PinCSRF sets the browser's CSRF token to GoldenCSRF.
func (cl *Client) PinCSRF() {
	cl.Cookies[web.CSRFCookie] = &http.Cookie{Name: web.CSRFCookie, Value: GoldenCSRF}
}

// Golden compares got with the file name in the package's testdata/golden;
// with -update, it writes got there instead.
func Golden(t testing.TB, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run with -update to accept):\n%s", t.Name(), file, firstDiff(string(want), got))
	}
}

var assetVersion = regexp.MustCompile(`\?v=[0-9a-f]+`)

// Readable puts each tag of a page on a line of its own, for diffs a reader
// can follow, and drops the assets' versions, which change with every edit
// to them.
func Readable(html string) string {
	return assetVersion.ReplaceAllString(strings.ReplaceAll(html, "><", ">\n<"), "?v=VERSION") + "\n"
}

// firstDiff shows the first line where got departs from want.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return "(no line differs)"
}
