package web_test

import (
	"net/http"
	"testing"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/web/webtest"
)

// TestGoldenPages renders the key pages over the fixed history of newEnv and
// compares them with testdata/golden; run with -update to accept changes.
func TestGoldenPages(t *testing.T) {
	e := newEnv(t)
	anon := e.Client()
	clerk := e.Client().Login("clerk")
	for _, cl := range []*webtest.Client{anon, clerk} {
		cl.PinCSRF()
	}
	cases := []struct {
		name string
		cl   *webtest.Client
		path string
	}{
		{"dashboard", anon, "/"},
		{"block", anon, "/blocks/3"},
		{"tx", anon, "/txs/" + chain.SumHash(e.addJudge).String()},
		{"tx_rejected", anon, "/txs/" + chain.SumHash(e.judgeTries).String()},
		{"members_org", clerk, "/members/orgs/court"},
		{"login", anon, "/login?next=%2Faccount"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := tc.cl.Get(tc.path)
			webtest.WantStatus(t, rec, http.StatusOK)
			webtest.Golden(t, tc.name+".html", webtest.Readable(rec.Body.String()))
		})
	}
}
