package copyrightweb_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chancery/chancery/chain"
)

func registerFields(title string) map[string]string {
	return map[string]string{"title": title, "kind": "text", "created": "2025-12-31", "authors": "Ada Lovelace\n\nCharles Babbage\n"}
}

// TestWorkRegisterFormWithoutScripts: the plain multipart form registers a
// file; a second registrant's attempt at the same file is refused and sent
// to the original, told its block time.
func TestWorkRegisterFormWithoutScripts(t *testing.T) {
	e := newEnv(t)
	a := e.client()
	a.login(alice)
	wantStatus(t, a.get("/copyright/register"), http.StatusOK)
	rec := a.postFile("/copyright/register", registerFields(""), "ode.txt", []byte("ode"))
	wantRedirect(t, rec, "/works/1")
	page := a.get("/works/1")
	wantBody(t, page, "Registered as work 1 at height", "ode.txt", "Ada Lovelace, Charles Babbage", "Studio &lt;Nord&gt;",
		chain.SumHash([]byte("ode")).String(), "stored in the consortium")

	b := e.client()
	b.login(carol)
	rec = b.postFile("/copyright/register", registerFields("Mine"), "copy.txt", []byte("ode"))
	wantRedirect(t, rec, "/works/1")
	wantBody(t, b.get("/works/1"), "Refused: this content was registered first, as work 1 “ode.txt”, at 2026-01-01 00:00:03 UTC (height 3)")

	// Hash only; then mistakes come back to the form as messages.
	rec = b.post("/copyright/register/hash", url.Values{
		"sha256": {strings.ToUpper(chain.SumHash([]byte("song")).String())}, "title": {"Song"}, "kind": {"audio"},
		"created": {"2025-01-01"}, "authors": {"Carol"},
	})
	wantRedirect(t, rec, "/works/2")
	wantBody(t, b.get("/works/2"), "not stored: only the hash was registered", "Press &amp; Co")
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
			wantRedirect(t, b.post("/copyright/register/hash", tc.form), "/copyright/register")
			wantBody(t, b.get("/copyright/register"), tc.want)
		})
	}
	mine := b.get("/copyright/mine")
	wantBody(t, mine, "Song")
	wantNoBody(t, mine, "ode.txt")
}

// TestWorkPublicSearch: anyone finds works by words or by hash; queries are
// bounded and shown back escaped.
func TestWorkPublicSearch(t *testing.T) {
	e := newEnv(t)
	e.history()
	anon := e.client()
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
			rec := anon.get("/copyright?q=" + url.QueryEscape(tc.q))
			wantStatus(t, rec, tc.status)
			wantBody(t, rec, tc.want...)
			wantNoBody(t, rec, "<script>alert(1)")
		})
	}
	wantRedirect(t, anon.get("/works?q=ode"), "/copyright?q=ode")
	wantStatus(t, anon.get("/works/99"), http.StatusNotFound)
	wantStatus(t, anon.get("/works/x"), http.StatusBadRequest)
}

// TestWorkPageForms: holders, other members and arbiters see the forms the
// chain will accept from them, and the forms act.
func TestWorkPageForms(t *testing.T) {
	e := newEnv(t)
	e.history()
	b := e.client()
	b.login(bob)
	page := b.get("/works/1")
	wantBody(t, page, "Approve transfer 1", "Grant a license", "Open a dispute")
	wantNoBody(t, page, "Propose a transfer") // one is pending

	// An exclusive license over license 1's scope and territory is refused,
	// naming it.
	rec := b.post("/copyright/licenses", url.Values{"work": {"1"}, "back": {"/works/1"}, "licensee": {carol.Address().String()},
		"scope": {"Print"}, "territory": {"worldwide"}, "start": {"2026-03-01"}, "end": {"2026-04-01"}, "exclusive": {"1"}})
	wantRedirect(t, rec, "/works/1")
	wantBody(t, b.get("/works/1"), "license 1 (exclusive, &#34;print&#34; in FR")

	// Bob's approval completes the transfer: Carol holds the work.
	rec = b.post("/copyright/transfers/approve", url.Values{"work": {"1"}, "transfer": {"1"}, "back": {"/works/1"}})
	wantRedirect(t, rec, "/works/1")
	page = b.get("/works/1")
	wantBody(t, page, "committed at height", "transfer completed")
	wantNoBody(t, page, "Grant a license")

	c := e.client()
	c.login(carol)
	wantBody(t, c.get("/copyright/transfers"), "Propose a transfer", "No transfer of your works is pending")
	wantBody(t, c.get("/copyright/licenses"), "Grant a license", "5% of sales")
	rec = c.post("/copyright/disputes", url.Values{"work": {"1"}, "evidence": {"99"}, "claim": {"mine"}, "back": {"/copyright/disputes"}})
	wantRedirect(t, rec, "/copyright/disputes")
	wantBody(t, c.get("/copyright/disputes"), "no evidence deposit 99")

	// A dispute by Alice, no longer a holder; the arbiter decides it.
	a := e.client()
	a.login(alice)
	rec = a.post("/copyright/disputes", url.Values{"work": {"1"}, "evidence": {"1"}, "claim": {"The sale was void."}, "back": {"/works/1"}})
	wantRedirect(t, rec, "/works/1")
	j := e.client()
	j.login(judge)
	disputes := j.get("/copyright/disputes")
	wantBody(t, disputes, "The sale was void.", `action="/copyright/disputes/2/resolve"`)
	wantNoBody(t, disputes, `action="/copyright/disputes/1/resolve"`) // already dismissed
	rec = j.post("/copyright/disputes/2/resolve", url.Values{"outcome": {"upheld"}, "reasoning": {"Void sale."}, "back": {"/copyright/disputes"}})
	wantRedirect(t, rec, "/copyright/disputes")
	wantBody(t, c.get("/works/1"), "disputed: upheld", "Void sale.")
	wantBody(t, c.get("/works/1/certificate"), "DISPUTE 2 UPHELD")

	// A form may only send the browser back to this site.
	rec = c.post("/copyright/transfers/reject", url.Values{"work": {"1"}, "transfer": {"9"}, "back": {"//evil.example/"}})
	wantRedirect(t, rec, "/copyright/transfers")
}

// TestWorkCertificateQR: the certificate's QR code holds the work page's
// absolute URL, on the host the visitor used.
func TestWorkCertificateQR(t *testing.T) {
	e := newEnv(t)
	e.history()
	req := mustRequest(t, "http://registry.example:8080/works/1/certificate")
	rec := e.client().send(req)
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, `aria-label="QR code of http://registry.example:8080/works/1"`, `<path d="M4 4h7v1h-7z`, "work-1-receipt.json")
}

func mustRequest(t *testing.T, target string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
