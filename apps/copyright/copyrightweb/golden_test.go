package copyrightweb_test

import (
	"net/http"
	"testing"

	"github.com/chancery/chancery/web/webtest"
)

// TestWorkGoldenPages renders the work page and its certificate over the
// fixed history of env.history and compares them with testdata/golden; run
// with -update to accept changes.
func TestWorkGoldenPages(t *testing.T) {
	e := newEnv(t)
	e.history()
	anon := e.Client()
	anon.PinCSRF()
	for _, tc := range []struct{ name, path string }{
		{"work", "/works/1"},
		{"certificate", "/works/1/certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := anon.Get(tc.path)
			webtest.WantStatus(t, rec, http.StatusOK)
			webtest.Golden(t, tc.name+".html", webtest.Readable(rec.Body.String()))
		})
	}
}
