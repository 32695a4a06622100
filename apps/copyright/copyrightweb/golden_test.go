package copyrightweb_test

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

const goldenCSRF = "golden-csrf-token"

// TestWorkGoldenPages renders the work page and its certificate over the
// fixed history of env.history and compares them with testdata/golden; run
// with -update to accept changes.
func TestWorkGoldenPages(t *testing.T) {
	e := newEnv(t)
	e.history()
	anon := e.client()
	anon.cookies[web.CSRFCookie] = &http.Cookie{Name: web.CSRFCookie, Value: goldenCSRF}
	for _, tc := range []struct{ name, path string }{
		{"work", "/works/1"},
		{"certificate", "/works/1/certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := anon.get(tc.path)
			wantStatus(t, rec, http.StatusOK)
			got := readable(rec.Body.String())
			file := filepath.Join("testdata", "golden", tc.name+".html")
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
				t.Fatalf("%v (run go test ./apps/copyright/copyrightweb -run TestWorkGoldenPages -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s (run with -update to accept):\n%s", tc.path, file, firstDiff(string(want), got))
			}
		})
	}
}

var assetVersion = regexp.MustCompile(`\?v=[0-9a-f]+`)

// readable puts each tag on a line of its own, for diffs a reader can
// follow, and drops the assets' versions, which change with every edit to
// them.
func readable(html string) string {
	return assetVersion.ReplaceAllString(strings.ReplaceAll(html, "><", ">\n<"), "?v=VERSION") + "\n"
}

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
