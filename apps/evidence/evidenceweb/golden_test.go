package evidenceweb_test

import (
	"net/http"
	"testing"

	"github.com/chancery/chancery/web/webtest"
)

// TestGoldenPages renders the key evidence pages over the fixed history and
// compares them with testdata/golden; run with -update to accept changes.
func TestGoldenPages(t *testing.T) {
	e := newEnv(t)
	e.history()
	anon, notary, judge := e.Client(), e.Client().Login("notary"), e.Client().Login("judge")
	for _, cl := range []*webtest.Client{anon, notary, judge} {
		cl.PinCSRF()
	}
	cases := []struct {
		name string
		cl   *webtest.Client
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
			rec := tc.cl.Get(tc.path)
			webtest.WantStatus(t, rec, http.StatusOK)
			webtest.Golden(t, tc.name+".html", webtest.Readable(rec.Body.String()))
		})
	}
}
