package evidenceweb_test

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

// goldenCSRF stands in for the random CSRF token, so pages render the same
// on every run.
const goldenCSRF = "golden-csrf-token"

// TestGoldenPages renders the key evidence pages over the fixed history and
// compares them with testdata/golden; run with -update to accept changes.
func TestGoldenPages(t *testing.T) {
	e := newEnv(t)
	e.history()
	anon, notary, judge := e.client(), e.client().login("notary"), e.client().login("judge")
	for _, cl := range []*client{anon, notary, judge} {
		cl.cookies[web.CSRFCookie] = &http.Cookie{Name: web.CSRFCookie, Value: goldenCSRF}
	}
	cases := []struct {
		name string
		cl   *client
		path string
	}{
		// The depositor's view: download, custody and withdraw forms.
		{"detail", notary, "/evidence/1"},
		// A court's view of the same deposit: download only (it attested).
		{"detail_court", judge, "/evidence/1"},
		{"detail_withdrawn", anon, "/evidence/3"},
		{"certificate", anon, "/evidence/1/certificate"},
		{"verify_found", judge, "/evidence/verify?sha256=" + sum(contract).String()},
		{"verify_not_found", judge, "/evidence/verify?sha256=" + sum("never deposited").String()},
		{"list", notary, "/evidence"},
		{"deposit", notary, "/evidence/deposit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := tc.cl.get(tc.path)
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
				t.Fatalf("%v (run go test ./apps/evidence/evidenceweb -run TestGoldenPages -update to create it)", err)
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
