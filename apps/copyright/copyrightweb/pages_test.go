package copyrightweb_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chancery/chancery/apps/copyright"
	"github.com/chancery/chancery/apps/copyright/copyrightweb"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/web/webtest"
)

func registerFields(title string) map[string]string {
	return map[string]string{"title": title, "kind": "text", "created": "2025-12-31", "authors": "Ada Lovelace\n\nCharles Babbage\n"}
}

// TestWorkRegisterFormWithoutScripts: the plain multipart form registers a
// file; a second registrant's attempt at the same file is refused and sent
// to the original, told its block time.
func TestWorkRegisterFormWithoutScripts(t *testing.T) {
	e := newEnv(t)
	a := e.Client()
	a.Login(alice.Name)
	webtest.WantStatus(t, a.Get("/copyright/register"), http.StatusOK)
	rec := a.PostMultipart("/copyright/register", registerFields(""), webtest.File{Field: "file", Name: "ode.txt", Content: "ode"})
	webtest.WantRedirect(t, rec, "/works/1")
	page := a.Get("/works/1")
	webtest.WantBody(t, page, "Registered as work 1 at height", "ode.txt", "Ada Lovelace, Charles Babbage", "Studio &lt;Nord&gt;",
		chain.SumHash([]byte("ode")).String(), "stored in the consortium")

	b := e.Client()
	b.Login(carol.Name)
	rec = b.PostMultipart("/copyright/register", registerFields("Mine"), webtest.File{Field: "file", Name: "copy.txt", Content: "ode"})
	webtest.WantRedirect(t, rec, "/works/1")
	webtest.WantBody(t, b.Get("/works/1"), "Refused: this content was registered first, as work 1 “ode.txt”, at 2026-01-01 00:00:03 UTC (height 3)")

	// Hash only; then mistakes come back to the form as messages.
	rec = b.Post("/copyright/register/hash", url.Values{
		"sha256": {strings.ToUpper(chain.SumHash([]byte("song")).String())}, "title": {"Song"}, "kind": {"audio"},
		"created": {"2025-01-01"}, "authors": {"Carol"},
	})
	webtest.WantRedirect(t, rec, "/works/2")
	webtest.WantBody(t, b.Get("/works/2"), "not stored: only the hash was registered", "Press &amp; Co")
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"bad hash", url.Values{"sha256": {"abc"}}, "must be 64 hex characters"},
		{"shares", url.Values{"sha256": {chain.SumHash([]byte("x")).String()}, "title": {"X"}, "kind": {"text"}, "created": {"2025-01-01"},
			"authors": {"X"}, "holders": {carol.Address().String() + " 9000 Carol"}}, "sum to 9000"},
		{"holders line", url.Values{"sha256": {chain.SumHash([]byte("x")).String()}, "title": {"X"}, "kind": {"text"}, "created": {"2025-01-01"},
			"authors": {"X"}, "holders": {"nobody"}}, "holders line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			webtest.WantRedirect(t, b.Post("/copyright/register/hash", tc.form), "/copyright/register")
			webtest.WantBody(t, b.Get("/copyright/register"), tc.want)
		})
	}
	mine := b.Get("/copyright/mine")
	webtest.WantBody(t, mine, "Song")
	webtest.WantNoBody(t, mine, "ode.txt")
}

// TestWorkPublicSearch: anyone finds works by words or by hash; queries are
// bounded and shown back escaped.
func TestWorkPublicSearch(t *testing.T) {
	e := newEnv(t)
	e.history()
	anon := e.Client()
	sum := chain.SumHash([]byte("ode")).String()
	for _, tc := range []struct {
		name, q string
		status  int
		want    []string
	}{
		{"words", "ode joy", http.StatusOK, []string{`href="/works/1"`, "Works matching"}},
		{"holder name", "alice", http.StatusOK, []string{`href="/works/1"`}},
		{"hash", sum, http.StatusOK, []string{"<h2>Registered</h2>", `href="/works/1"`}},
		{"hash in capitals", strings.ToUpper(sum), http.StatusOK, []string{"<h2>Registered</h2>", `value="` + sum + `"`}},
		{"unknown hash", chain.SumHash([]byte("nope")).String(), http.StatusOK, []string{"Not registered"}},
		{"no match", "zebra", http.StatusOK, []string{"No work matches"}},
		{"markup", `<script>alert(1)</script>`, http.StatusOK, []string{"&lt;script&gt;alert(1)&lt;/script&gt;"}},
		{"too long", strings.Repeat("a", 101), http.StatusBadRequest, []string{"at most 100 characters"}},
		{"no words", "!!!", http.StatusBadRequest, []string{"no words"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := anon.Get("/copyright?q=" + url.QueryEscape(tc.q))
			webtest.WantStatus(t, rec, tc.status)
			webtest.WantBody(t, rec, tc.want...)
			webtest.WantNoBody(t, rec, "<script>alert(1)")
		})
	}
	webtest.WantRedirect(t, anon.Get("/works?q=ode"), "/copyright?q=ode")
	webtest.WantStatus(t, anon.Get("/works/99"), http.StatusNotFound)
	webtest.WantStatus(t, anon.Get("/works/x"), http.StatusBadRequest)
}

// TestWorkPageForms: holders, other members and arbiters see the forms the
// chain will accept from them, and the forms act.
func TestWorkPageForms(t *testing.T) {
	e := newEnv(t)
	e.history()
	b := e.Client()
	b.Login(bob.Name)
	page := b.Get("/works/1")
	webtest.WantBody(t, page, "Approve transfer 1", "Grant a license", "Open a dispute")
	webtest.WantNoBody(t, page, "Propose a transfer") // one is pending

	// An exclusive license over license 1's scope and territory is refused,
	// naming it.
	rec := b.Post("/copyright/licenses", url.Values{"work": {"1"}, "back": {"/works/1"}, "licensee": {carol.Address().String()},
		"scope": {"Print"}, "territory": {"worldwide"}, "start": {"2026-03-01"}, "end": {"2026-04-01"}, "exclusive": {"1"}})
	webtest.WantRedirect(t, rec, "/works/1")
	webtest.WantBody(t, b.Get("/works/1"), "license 1 (exclusive, &#34;print&#34; in FR")

	// Bob's approval completes the transfer: Carol holds the work.
	rec = b.Post("/copyright/transfers/approve", url.Values{"work": {"1"}, "transfer": {"1"}, "back": {"/works/1"}})
	webtest.WantRedirect(t, rec, "/works/1")
	page = b.Get("/works/1")
	webtest.WantBody(t, page, "committed at height", "transfer completed")
	webtest.WantNoBody(t, page, "Grant a license")

	c := e.Client()
	c.Login(carol.Name)
	webtest.WantBody(t, c.Get("/copyright/transfers"), "Propose a transfer", "No transfer of your works is pending")
	webtest.WantBody(t, c.Get("/copyright/licenses"), "Grant a license", "5% of sales")
	rec = c.Post("/copyright/disputes", url.Values{"work": {"1"}, "evidence": {"99"}, "claim": {"mine"}, "back": {"/copyright/disputes"}})
	webtest.WantRedirect(t, rec, "/copyright/disputes")
	webtest.WantBody(t, c.Get("/copyright/disputes"), "no evidence deposit 99")

	// A dispute by Alice, no longer a holder; the arbiter decides it.
	a := e.Client()
	a.Login(alice.Name)
	rec = a.Post("/copyright/disputes", url.Values{"work": {"1"}, "evidence": {"1"}, "claim": {"The sale was void."}, "back": {"/works/1"}})
	webtest.WantRedirect(t, rec, "/works/1")
	// While it is open, Carol, the holder now, cannot pass the work on.
	page = c.Get("/works/1")
	webtest.WantBody(t, page, `data-transfer-frozen`, "cannot change while a dispute about this work is open (1)")
	webtest.WantNoBody(t, page, "Propose a transfer")
	rec = c.Post("/copyright/transfers", url.Values{"work": {"1"}, "back": {"/works/1"}, "holders": {carol.Address().String() + " 10000"}})
	webtest.WantRedirect(t, rec, "/works/1")
	webtest.WantBody(t, c.Get("/works/1"), "has 1 open dispute(s)")
	j := e.Client()
	j.Login(judge.Name)
	disputes := j.Get("/copyright/disputes")
	webtest.WantBody(t, disputes, "The sale was void.", `action="/copyright/disputes/2/resolve"`)
	webtest.WantNoBody(t, disputes, `action="/copyright/disputes/1/resolve"`) // already dismissed
	rec = j.Post("/copyright/disputes/2/resolve", url.Values{"outcome": {"upheld"}, "reasoning": {"Void sale."}, "back": {"/copyright/disputes"}})
	webtest.WantRedirect(t, rec, "/copyright/disputes")
	webtest.WantBody(t, c.Get("/works/1"), "disputed: upheld", "Void sale.")
	webtest.WantBody(t, c.Get("/works/1/certificate"), "DISPUTE 2 UPHELD")

	// A form may only send the browser back to this site.
	rec = c.Post("/copyright/transfers/reject", url.Values{"work": {"1"}, "transfer": {"9"}, "back": {"//evil.example/"}})
	webtest.WantRedirect(t, rec, "/copyright/transfers")
}

// TestWorkCertificateQR: the certificate's QR code holds the work page's
// absolute URL, on the host the visitor used.
func TestWorkCertificateQR(t *testing.T) {
	e := newEnv(t)
	e.history()
	req := mustRequest(t, "http://registry.example:8080/works/1/certificate")
	rec := e.Client().Send(req)
	webtest.WantStatus(t, rec, http.StatusOK)
	webtest.WantBody(t, rec, `aria-label="QR code of http://registry.example:8080/works/1"`, `<path d="M4 4h7v1h-7z`, "work-1-receipt.json")
}

// A Host longer than any host name cannot be put in the QR code: 400, not
// a server error.
func TestWorkCertificateLongHost(t *testing.T) {
	e := newEnv(t)
	e.history()
	req := mustRequest(t, "http://registry.example/works/1/certificate")
	req.Host = strings.Repeat("a", 3000)
	rec := e.Client().Send(req)
	webtest.WantStatus(t, rec, http.StatusBadRequest)
	webtest.WantBody(t, rec, "Host header")
}

func mustRequest(t *testing.T, target string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// A work with more licenses than a page holds: its API and its page give
// the first copyright.MaxPage and lead to the rest; the licenses page of its
// holder lists a few and points to the work.
func TestWorkListPages(t *testing.T) {
	e := newEnv(t)
	e.copyright(alice, copyright.TypeRegister, copyright.Register{SHA256: chain.SumHash([]byte("atlas")), Title: "Atlas", Kind: copyright.KindImage,
		Authors: []copyright.Author{{Name: "Alice"}}, Holders: []copyright.Holder{{Account: alice.Address(), Shares: 10000}}, Created: "2025-01-01"})
	const grants = copyright.MaxPage + 1
	for i := range grants {
		e.copyright(alice, copyright.TypeGrantLicense, copyright.GrantLicense{Work: 1, Grant: copyright.Grant{
			LicenseeOrg: "press", Scope: fmt.Sprintf("edition %d", i+1), Territory: "FR", Start: "2026-01-01", End: "2027-01-01",
		}})
	}

	var w copyrightweb.WorkDetail
	if code, body := e.API("", "GET", "/api/v1/works/1", "", &w); code != http.StatusOK || len(w.Licenses) != copyright.MaxPage ||
		w.LicensesNext != copyright.MaxPage || w.HistoryNext != copyright.MaxPage {
		t.Fatalf("work: %d, %d licenses, next %d, history next %d: %.300s", code, len(w.Licenses), w.LicensesNext, w.HistoryNext, body)
	}
	var licenses copyright.LicensePage
	if code, body := e.API("", "GET", "/api/v1/works/1/licenses?after=200", "", &licenses); code != http.StatusOK ||
		len(licenses.Items) != 1 || licenses.Items[0].ID != grants || licenses.Items[0].Status != copyright.LicenseActive || licenses.Next != 0 {
		t.Fatalf("licenses after 200: %d %.300s", code, body)
	}
	var history copyright.HistoryPage
	if code, body := e.API("", "GET", "/api/v1/works/1/history?after=199&limit=2", "", &history); code != http.StatusOK ||
		len(history.Items) != 2 || history.Items[0].N != 200 || history.Items[1].N != 201 || history.Next != 201 {
		t.Fatalf("history after 199: %d %.300s", code, body)
	}
	var disputes copyright.DisputePage
	if code, body := e.API("", "GET", "/api/v1/works/1/disputes", "", &disputes); code != http.StatusOK || len(disputes.Items) != 0 || !strings.Contains(body, `"items":[]`) {
		t.Fatalf("disputes: %d %.300s", code, body)
	}
	for _, tc := range []struct {
		path string
		code int
		err  string
	}{
		{"/api/v1/works/1/licenses?limit=0", http.StatusBadRequest, "copyright.bad_query"},
		{"/api/v1/works/1/licenses?limit=201", http.StatusBadRequest, "copyright.bad_query"},
		{"/api/v1/works/1/history?after=x", http.StatusBadRequest, "copyright.bad_query"},
		{"/api/v1/works/2/disputes", http.StatusNotFound, "copyright.not_found"},
	} {
		if code, body := e.API("", "GET", tc.path, ""); code != tc.code || !strings.Contains(body, `"code":"`+tc.err+`"`) {
			t.Errorf("GET %s: %d %s, want %d %s", tc.path, code, body, tc.code, tc.err)
		}
	}

	b := e.Client()
	page := b.Get("/works/1")
	webtest.WantBody(t, page, `href="/works/1?licenses_after=200#licenses">Later →`, `href="/works/1?history_after=200#history">Later →`, "edition 200")
	webtest.WantNoBody(t, page, "edition 201", "disputes_after")
	page = b.Get("/works/1?licenses_after=200")
	webtest.WantBody(t, page, "edition 201", `href="/works/1#licenses">← From the first`)
	webtest.WantNoBody(t, page, "edition 200 <", "licenses_after=")
	if rec := b.Get("/works/1?history_after=x"); rec.Code != http.StatusBadRequest {
		t.Errorf("history_after=x: %d", rec.Code)
	}

	b.Login(alice.Name)
	page = b.Get("/copyright/licenses")
	webtest.WantBody(t, page, "edition 20 <", "the first 20 licenses of each work", `href="/works/1#licenses">Atlas</a>.`)
	webtest.WantNoBody(t, page, "edition 21 <")
}

// A form's back is followed only to a path of this site: browsers drop a
// tab, so "/\t/evil.example" would be another site.
func TestFormBackStaysOnSite(t *testing.T) {
	e := newEnv(t)
	b := e.Client()
	b.Login(alice.Name)
	for _, back := range []string{"/\t/evil.example/x", "//evil.example", "/\\evil.example"} {
		rec := b.Post("/copyright/licenses", url.Values{"work": {"abc"}, "back": {back}})
		if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != "/copyright/licenses" {
			t.Errorf("back %q: %d to %q", back, rec.Code, loc)
		}
	}
}

// "Stored" on a work page is what the node sees, not the registration's
// claim: a work registered as stored whose file this node's blob store does
// not hold, uploaded by the registrant's organisation, says so.
func TestWorkPageStoredClaim(t *testing.T) {
	e := newEnv(t)
	e.history() // work 1: its file uploaded by the studio
	anon := e.Client()
	page := anon.Get("/works/1")
	webtest.WantBody(t, page, "stored in the consortium's blob store")
	webtest.WantNoBody(t, page, `data-stored-claim`)
	// The press registers a hash no one uploaded, claiming it stored.
	e.copyright(carol, copyright.TypeRegister, copyright.Register{
		SHA256: chain.SumHash([]byte("never uploaded")), Stored: true, Title: "Claimed", Kind: copyright.KindText, Created: "2025-01-01",
		Authors: []copyright.Author{{Name: "Carol"}},
		Holders: []copyright.Holder{{Account: carol.Address(), Shares: copyright.TotalShares}},
	})
	webtest.WantBody(t, anon.Get("/works/2"), `data-stored-claim`, "cannot confirm a copy uploaded by the registrant")
}
