package evidenceweb_test

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/apps/evidence/evidenceweb"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/web"
	"github.com/chancery/chancery/web/webtest"
)

func TestPagesNeedLogin(t *testing.T) {
	e := newEnv(t)
	anon := e.Client()
	for _, path := range []string{"/evidence", "/evidence/deposit", "/evidence/verify?sha256=00"} {
		webtest.WantRedirect(t, anon.Get(path), "/login?next="+url.QueryEscape(path))
	}
	rec := anon.Post("/evidence/deposit/hash", url.Values{"sha256": {sum("x").String()}, "title": {"x"}})
	webtest.WantRedirect(t, rec, "/login")
}

// TestDepositUploadForm is the deposit page without scripts: a multipart
// form, streamed into the blob store. A browser that sends Sec-Fetch-Site
// passes the CSRF check on that header and the body streams untouched; one
// that does not sends the token in the form, which makes echo parse the
// body first.
func TestDepositUploadForm(t *testing.T) {
	cases := []struct {
		name   string
		header []string
		csrf   bool
	}{
		{"streamed", []string{"Sec-Fetch-Site", "same-origin"}, false},
		{"parsed by the CSRF check", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			notary := e.Client().Login("notary")
			fields := map[string]string{"title": "", "case_ref": "  2026-CIV-7 ", "description": "Two pages"}
			if tc.csrf {
				fields["_csrf"] = notary.CSRF()
			}
			file := webtest.File{Field: "file", Name: "contract.txt", Content: contract}
			rec := notary.Send(webtest.NewMultipart(t, "/evidence/deposit", fields, file), tc.header...)
			webtest.WantRedirect(t, rec, "/evidence/1")
			webtest.WantBody(t, notary.Follow(rec), "Deposited as evidence 1, committed at height 2.", "contract.txt", "2026-CIV-7")
			ev := e.record(1)
			if !ev.Stored || ev.SHA256 != sum(contract) || ev.Size != int64(len(contract)) || ev.Title != "contract.txt" || ev.Org != "notary" {
				t.Fatalf("record = %+v", ev)
			}
			if _, err := e.Blobs.Stat(context.Background(), sum(contract)); err != nil {
				t.Fatalf("blob not stored: %v", err)
			}
		})
	}
}

func TestDepositUploadFormRefused(t *testing.T) {
	e := newEnv(t)
	same := []string{"Sec-Fetch-Site", "same-origin"}
	cases := []struct {
		name, user, file, content string
		flash                     string
	}{
		{"no file", "notary", "", "", "no file part"},
		{"too large", "notary", "big.bin", strings.Repeat("x", 1<<20+1), "exceeds the size limit"},
		{"no depositor role", "banker", "a.txt", "bank's file", "evidence.depositor"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cl := e.Client().Login(tc.user)
			var files []webtest.File
			if tc.file != "" {
				files = append(files, webtest.File{Field: "file", Name: tc.file, Content: tc.content})
			}
			rec := cl.Send(webtest.NewMultipart(t, "/evidence/deposit", map[string]string{"title": "t"}, files...), same...)
			webtest.WantRedirect(t, rec, "/evidence/deposit")
			page := cl.Follow(rec)
			webtest.WantBody(t, page, `class="flash error"`, tc.flash)
		})
	}
	var n int
	e.Chain.View(func(r chain.Reader) error {
		page, err := evidence.ListOrg(r, "bank", 0, 0, "")
		n = len(page.Items)
		return err
	})
	if n != 0 {
		t.Fatalf("%d deposits on chain after refusals", n)
	}
}

func TestDepositHashForm(t *testing.T) {
	e := newEnv(t)
	notary := e.Client().Login("notary")
	form := url.Values{"sha256": {"  " + strings.ToUpper(sum(photo).String()) + " "}, "title": {"Scene photograph"},
		"file_name": {"scene.jpg"}, "size": {"40"}, "case_ref": {""}, "description": {""}}
	rec := notary.Post("/evidence/deposit/hash", form)
	webtest.WantRedirect(t, rec, "/evidence/1")
	webtest.WantBody(t, notary.Follow(rec), "Deposited as evidence 1", "not stored: only the hash was deposited")
	if ev := e.record(1); ev.Stored || ev.SHA256 != sum(photo) || ev.Size != 40 || ev.FileName != "scene.jpg" {
		t.Fatalf("record = %+v", ev)
	}

	// The same hash again goes to the deposit the organisation already has.
	rec = notary.Post("/evidence/deposit/hash", form)
	webtest.WantRedirect(t, rec, "/evidence/1")
	webtest.WantBody(t, notary.Follow(rec), "Your organisation already deposited this content as evidence 1.")

	for _, bad := range []struct{ field, value, flash string }{
		{"sha256", "abc", "must be 64 hex characters"},
		{"size", "-3", "size must be a whole number"},
		{"title", "", "title"},
	} {
		f := url.Values{"sha256": {sum(bad.value).String()}, "title": {"t"}}
		f.Set(bad.field, bad.value)
		rec := notary.Post("/evidence/deposit/hash", f)
		webtest.WantRedirect(t, rec, "/evidence/deposit")
		webtest.WantBody(t, notary.Follow(rec), `class="flash error"`, bad.flash)
	}
}

func TestDetailPermissions(t *testing.T) {
	e := newEnv(t)
	e.history()
	const (
		download = `/evidence/1/download"`
		attest   = `/evidence/1/attest"`
		custody  = `/evidence/1/custody"`
		withdraw = `/evidence/1/withdraw"`
		share    = `/evidence/1/share"`
	)
	all := []string{download, attest, custody, withdraw, share}
	cases := []struct {
		user string // "" for anonymous
		want []string
	}{
		{"", nil},
		{"notary", []string{download, custody, withdraw, share}}, // own deposit: no attest
		{"judge", []string{download}},                            // court: attested already
		{"lab", nil},                                             // attested already; not shared with it
		{"keeper", []string{download, attest, custody}},
		{"banker", nil},
	}
	for _, tc := range cases {
		t.Run("user "+tc.user, func(t *testing.T) {
			cl := e.Client()
			if tc.user != "" {
				cl.Login(tc.user)
			}
			rec := cl.Get("/evidence/1")
			webtest.WantStatus(t, rec, http.StatusOK)
			for _, form := range all {
				if want, got := contains(tc.want, form), strings.Contains(rec.Body.String(), form); want != got {
					t.Errorf("form %s shown = %v, want %v", form, got, want)
				}
			}
			// A title that tries a script is shown as text.
			webtest.WantBody(t, rec, "Sale contract &lt;script&gt;alert(1)&lt;/script&gt;")
			webtest.WantNoBody(t, rec, "<script>alert(1)")
		})
	}
	// A withdrawn deposit takes no more attestations, custody or withdrawal.
	rec := e.Client().Login("keeper").Get("/evidence/3")
	webtest.WantBody(t, rec, "Withdrawn at height 9", "Deposited in error")
	webtest.WantNoBody(t, rec, `/evidence/3/attest"`, `/evidence/3/custody"`)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestDetailForms(t *testing.T) {
	e := newEnv(t)
	e.history()
	keeper := e.Client().Login("keeper")

	rec := keeper.Post("/evidence/1/attest", url.Values{"statement": {"Held in the vault."}})
	webtest.WantRedirect(t, rec, "/evidence/1")
	webtest.WantBody(t, keeper.Follow(rec), "committed at height 10", "Held in the vault.")

	rec = keeper.Post("/evidence/1/custody", url.Values{"action": {"sealed"}, "note": {"Seal 99"}})
	webtest.WantRedirect(t, rec, "/evidence/1")
	page := keeper.Follow(rec)
	webtest.WantBody(t, page, "committed at height 11", `<span class="badge sealed">sealed</span>`, "Seal 99")

	rec = keeper.Post("/evidence/1/custody", url.Values{"action": {"lost"}})
	webtest.WantBody(t, keeper.Follow(rec), `class="flash error"`, "action must be one of")

	// The keeper may not withdraw another organisation's deposit: the chain
	// refuses it even though the page showed no form.
	rec = keeper.Post("/evidence/1/withdraw", url.Values{"reason": {"mine now"}})
	webtest.WantBody(t, keeper.Follow(rec), `class="flash error"`, "evidence.depositor")
	if ev := e.record(1); ev.Withdrawn != nil || ev.CustodyEntries != 3 || ev.Attestations != 3 {
		t.Fatalf("record = %+v", ev)
	}

	notary := e.Client().Login("notary")
	rec = notary.Post("/evidence/1/withdraw", url.Values{"reason": {"superseded"}})
	webtest.WantRedirect(t, rec, "/evidence/1")
	webtest.WantBody(t, notary.Follow(rec), "Withdrawn at height 12", "superseded")

	webtest.WantStatus(t, notary.Post("/evidence/x/withdraw", url.Values{"reason": {"r"}}), http.StatusBadRequest)
}

// The depositing organisation shares a deposit from its page; the lab it
// shared with then downloads it, and the timeline says who shared with whom.
func TestShareForm(t *testing.T) {
	e := newEnv(t)
	e.history()
	lab := e.Client().Login("lab")
	rec := lab.Post("/evidence/1/download", url.Values{"purpose": {"examination"}})
	webtest.WantRedirect(t, rec, "/evidence/1")
	webtest.WantBody(t, lab.Follow(rec), "may not open")

	notary := e.Client().Login("notary")
	rec = notary.Post("/evidence/1/share", url.Values{"org": {" lab "}, "note": {"for examination"}})
	webtest.WantRedirect(t, rec, "/evidence/1")
	webtest.WantBody(t, notary.Follow(rec), "committed at height")
	page := notary.Get("/evidence/1")
	webtest.WantBody(t, page, `<span class="badge shared">shared</span>`, `with <a href="/members/orgs/lab">lab</a>`, "for examination")

	rec = lab.Post("/evidence/1/download", url.Values{"purpose": {"examination"}})
	webtest.WantStatus(t, rec, http.StatusOK)
	if rec.Body.String() != contract {
		t.Fatalf("lab's download: %.100q", rec.Body)
	}
	rec = notary.Post("/evidence/1/share", url.Values{"org": {"lab"}})
	webtest.WantRedirect(t, rec, "/evidence/1")
	webtest.WantBody(t, notary.Follow(rec), "already")
	rec = lab.Post("/evidence/1/share", url.Values{"org": {"court"}})
	webtest.WantRedirect(t, rec, "/evidence/1")
	webtest.WantBody(t, lab.Follow(rec), `class="flash error"`)
}

func TestDownloadForm(t *testing.T) {
	e := newEnv(t)
	e.history()
	judge := e.Client().Login("judge")
	rec := judge.Post("/evidence/1/download", url.Values{"purpose": {"appeal"}})
	webtest.WantStatus(t, rec, http.StatusOK)
	if rec.Body.String() != contract || rec.Header().Get("Content-Disposition") != "attachment; filename=contract.pdf" {
		t.Fatalf("download: %q, %v", rec.Body, rec.Header())
	}
	log := judge.Get("/evidence/1")
	webtest.WantBody(t, log, `<span class="badge accessed">accessed</span>`, "appeal")

	// The API's download signs an access too: a link from another site,
	// which brings the session cookie but not the CSRF header, signs
	// nothing; a script of these pages sends the header.
	rec = judge.Do(http.MethodGet, "/api/v1/evidence/1/file?purpose=planted", nil, "Sec-Fetch-Site", "cross-site")
	webtest.WantStatus(t, rec, http.StatusForbidden)
	webtest.WantBody(t, rec, `"code":"http.csrf"`)
	webtest.WantNoBody(t, judge.Get("/evidence/1"), "planted")
	rec = judge.Do(http.MethodGet, "/api/v1/evidence/1/file?purpose=script", nil, web.CSRFHeader, judge.CSRF())
	if rec.Code != http.StatusOK || rec.Body.String() != contract {
		t.Fatalf("download with the header: %d %.200s", rec.Code, rec.Body)
	}

	// Not allowed, or nothing stored: back to the page with the reason.
	banker := e.Client().Login("banker")
	rec = banker.Post("/evidence/1/download", url.Values{})
	webtest.WantRedirect(t, rec, "/evidence/1")
	webtest.WantBody(t, banker.Follow(rec), `class="flash error"`, "may not open")
	rec = judge.Post("/evidence/2/download", url.Values{})
	webtest.WantRedirect(t, rec, "/evidence/2")
	webtest.WantBody(t, judge.Follow(rec), "only the hash of this evidence was deposited")
}

func TestVerifyPage(t *testing.T) {
	e := newEnv(t)
	e.history()
	judge := e.Client().Login("judge")

	rec := judge.Get("/evidence/verify")
	webtest.WantStatus(t, rec, http.StatusOK)
	webtest.WantNoBody(t, rec, `class="card verify-result`)

	// Typed in capitals with spaces, as pasted from another tool.
	rec = judge.Get("/evidence/verify?sha256=" + url.QueryEscape(" "+strings.ToUpper(sum(contract).String())+" "))
	webtest.WantStatus(t, rec, http.StatusOK)
	webtest.WantBody(t, rec, "Found: 2 deposits", `href="/evidence/1"`, `href="/evidence/2"`,
		"/api/v1/txs/"+e.record(1).TxHash.String()+"/receipt", "2 entries")

	rec = judge.Get("/evidence/verify?sha256=" + sum("nothing").String())
	webtest.WantBody(t, rec, "Not found", "No deposit of this hash is on the chain")

	rec = judge.Get("/evidence/verify?sha256=xyz")
	webtest.WantStatus(t, rec, http.StatusBadRequest)
	webtest.WantBody(t, rec, "A SHA-256 is 64 hex characters", `value="xyz"`)
}

func TestListPage(t *testing.T) {
	e := newEnv(t)
	e.history()
	for i := range evidence.DefaultPage + 5 {
		raw := signFixed(t, key("notary"), evidence.TypeDeposit, evidence.Deposit{
			SHA256: sum(fmt.Sprint("bulk ", i)), Title: fmt.Sprintf("Bulk item %02d", i), CaseRef: "BULK"}, uint64(100+i))
		if res := e.Chain.Commit(raw)[0]; !res.OK() {
			t.Fatal(res.Log)
		}
	}
	notary := e.Client().Login("notary")
	first := notary.Get("/evidence")
	webtest.WantStatus(t, first, http.StatusOK)
	webtest.WantBody(t, first, "Bulk item 54", `href="/evidence?after=`)
	webtest.WantNoBody(t, first, "Sale contract", "Contract as received by the lab") // older; the lab's is not ours

	// The last page: the rest, and a link back to the first.
	last := notary.Get("/evidence?after=9")
	webtest.WantBody(t, last, "Bulk item 00", "Scene photograph", "withdrawn", "Sale contract", "← First page")
	webtest.WantNoBody(t, last, "Next →")

	found := notary.Get("/evidence?q=scene")
	webtest.WantBody(t, found, "Scene photograph")
	webtest.WantNoBody(t, found, "Bulk item", "Sale contract")
	webtest.WantBody(t, notary.Get("/evidence?q=nothing-like-it"), "No deposit matches")
	webtest.WantStatus(t, notary.Get("/evidence?after=x"), http.StatusBadRequest)

	// Another organisation sees its own deposits only.
	webtest.WantBody(t, e.Client().Login("lab").Get("/evidence"), "Contract as received by the lab")
}

// What a browser sends is taken as it is meant: a long file name makes a
// shortened title, any file name comes back whole in the download's
// Content-Disposition, searches count characters, and a ?sha256= that is
// not one is refused rather than skipped.
func TestUploadNamesAndQueries(t *testing.T) {
	e := newEnv(t)
	notary := e.Client().Login("notary")
	same := []string{"Sec-Fetch-Site", "same-origin"}
	upload := func(name, content string) *httptest.ResponseRecorder {
		t.Helper()
		return notary.Send(webtest.NewMultipart(t, "/evidence/deposit", map[string]string{"title": ""},
			webtest.File{Field: "file", Name: name, Content: content}), same...)
	}
	long := strings.Repeat("é", 225) + ".pdf"
	webtest.WantRedirect(t, upload(long, "long"), "/evidence/1")
	if title := e.record(1).Title; utf8.RuneCountInString(title) != evidence.MaxTitle || !strings.HasSuffix(title, "…") || !strings.HasPrefix(long, strings.TrimSuffix(title, "…")) {
		t.Errorf("title from a long file name: %q", title)
	}
	odd := `report\ 证据 "final".txt`
	webtest.WantRedirect(t, upload(odd, "odd"), "/evidence/2")
	rec := notary.Post("/evidence/2/download", url.Values{"purpose": {"check"}})
	webtest.WantStatus(t, rec, http.StatusOK)
	if _, params, err := mime.ParseMediaType(rec.Header().Get("Content-Disposition")); err != nil || params["filename"] != odd {
		t.Errorf("Content-Disposition %q: %v, %q", rec.Header().Get("Content-Disposition"), err, params["filename"])
	}

	webtest.WantStatus(t, notary.Get("/evidence?q="+url.QueryEscape(strings.Repeat("证", 70))), http.StatusOK)
	webtest.WantStatus(t, notary.Get("/evidence?q="+strings.Repeat("a", 201)), http.StatusBadRequest)
	csrf := []string{web.CSRFHeader, notary.CSRF()}
	for _, path := range []string{"/api/v1/evidence?limit=abc", "/api/v1/evidence?limit=0", "/api/v1/evidence?q=%ff"} {
		rec := notary.Do(http.MethodGet, path, nil, csrf...)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"code":"evidence.invalid"`) {
			t.Errorf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
	}
	rec = notary.Send(webtest.NewMultipart(t, "/api/v1/evidence?sha256=not-a-hash", map[string]string{"title": "x"},
		webtest.File{Field: "file", Name: "x.txt", Content: "other"}), csrf...)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "sha256 must be 64 hex characters") {
		t.Errorf("deposit with ?sha256=not-a-hash: %d %s", rec.Code, rec.Body)
	}
	if _, err := e.Blobs.Stat(context.Background(), sum("other")); err == nil {
		t.Error("the refused upload was stored")
	}
}

// A deposit that claims its file is stored opens the blob only if the
// organisation that deposited the content first uploaded it: the blob
// store is shared by every app, and hashes are public. A lab that read the
// hash of the bank's upload cannot open it through a deposit of its own,
// not even for a court; the notary's own upload opens as before.
func TestStoredClaimNeedsTheUpload(t *testing.T) {
	e := newEnv(t)
	const secret = "IBAN DE89 3704 0044 0532 0130 00; client ACME\n"
	banker := e.Client().Login("banker")
	rec := banker.Send(webtest.NewMultipart(t, "/api/v1/blobs", nil, webtest.File{Field: "file", Name: "statement.txt", Content: secret}), web.CSRFHeader, banker.CSRF())
	webtest.WantStatus(t, rec, http.StatusCreated)
	raw := signFixed(t, key("lab"), evidence.TypeDeposit, evidence.Deposit{SHA256: sum(secret), Size: int64(len(secret)), Title: "read off the chain", Stored: true}, 1)
	if res := e.Chain.Commit(raw)[0]; !res.OK() {
		t.Fatalf("the lab's deposit: %s", res.Log)
	}
	judge := e.Client().Login("judge")
	for _, user := range []*webtest.Client{e.Client().Login("lab"), judge} {
		rec = user.Post("/evidence/1/download", url.Values{"purpose": {"look"}})
		webtest.WantRedirect(t, rec, "/evidence/1")
		webtest.WantBody(t, user.Follow(rec), `class="flash error"`, "never uploaded its file")
	}
	rec = judge.Do(http.MethodGet, "/api/v1/evidence/1/file", nil, web.CSRFHeader, judge.CSRF())
	webtest.WantStatus(t, rec, http.StatusNotFound)
	webtest.WantBody(t, rec, `"code":"evidence.file_not_stored"`)
	webtest.WantNoBody(t, judge.Get("/evidence/1"), "accessed")

	notary := e.Client().Login("notary")
	rec = notary.Send(webtest.NewMultipart(t, "/evidence/deposit", nil, webtest.File{Field: "file", Name: "contract.txt", Content: contract}), "Sec-Fetch-Site", "same-origin")
	webtest.WantRedirect(t, rec, "/evidence/2")
	rec = judge.Post("/evidence/2/download", url.Values{"purpose": {"hearing"}})
	if rec.Code != http.StatusOK || rec.Body.String() != contract {
		t.Fatalf("the notary's upload: %d %.200s", rec.Code, rec.Body)
	}

	// A later deposit of the bank's hash, by another organisation that
	// never uploaded it either, opens nothing.
	notaryOfBank := signFixed(t, key("notary"), evidence.TypeDeposit, evidence.Deposit{SHA256: sum(secret), Size: int64(len(secret)), Title: "the bank's statement, as the notary holds it", Stored: true}, 3)
	if res := e.Chain.Commit(notaryOfBank)[0]; !res.OK() {
		t.Fatalf("the notary's deposit of the bank's hash: %s", res.Log)
	}
	rec = judge.Post("/evidence/3/download", url.Values{"purpose": {"look"}})
	webtest.WantRedirect(t, rec, "/evidence/3")
	webtest.WantBody(t, judge.Follow(rec), "organisation &#34;notary&#34;, which deposited evidence 3, never uploaded its file")
}

// A custody log longer than a page goes on a page at a time, in the API
// and on the deposit's page: no entry is hidden behind the first 1,000.
func TestLongCustodyLog(t *testing.T) {
	e := newEnv(t)
	e.history()
	for i := range evidence.MaxLogPage - int(e.record(1).CustodyEntries) {
		raw := webtest.SignFixed(t, key("keeper"), evidence.ModuleName, evidence.TypeCustody, evidence.Custody{ID: 1, Action: "examined", Note: fmt.Sprint("round ", i)}, uint64(100+i), e.Chain.Height()+50)
		if res := e.Chain.Commit(raw)[0]; !res.OK() {
			t.Fatalf("custody %d: %s", i, res.Log)
		}
	}
	// Entry 1,001 is the last.
	raw := webtest.SignFixed(t, key("keeper"), evidence.ModuleName, evidence.TypeCustody, evidence.Custody{ID: 1, Action: "returned", Note: "the last step"}, 99, e.Chain.Height()+50)
	if res := e.Chain.Commit(raw)[0]; !res.OK() {
		t.Fatalf("last custody: %s", res.Log)
	}
	anon := e.Client()
	var rec evidenceweb.RecordView
	if code, body := e.API("", "GET", "/api/v1/evidence/1", "", &rec); code != http.StatusOK || len(rec.CustodyLog) != evidence.MaxLogPage || rec.CustodyNext != 1000 {
		t.Fatalf("record: %d, %d entries, next %d: %.200s", code, len(rec.CustodyLog), rec.CustodyNext, body)
	}
	var page evidence.CustodyPage
	if code, body := e.API("", "GET", "/api/v1/evidence/1/custody?after=1000", "", &page); code != http.StatusOK || len(page.Items) != 1 || page.Items[0].Note != "the last step" || page.Next != 0 {
		t.Fatalf("the rest: %d %.300s", code, body)
	}
	for _, q := range []string{"limit=0", "limit=1001", "after=x"} {
		webtest.WantStatus(t, anon.Get("/api/v1/evidence/1/custody?"+q), http.StatusBadRequest)
	}
	webtest.WantStatus(t, anon.Get("/api/v1/evidence/9/custody"), http.StatusNotFound)

	first := anon.Get("/evidence/1")
	webtest.WantBody(t, first, `data-custody-next`, `href="/evidence/1?custody_after=1000"`, "deposited")
	webtest.WantNoBody(t, first, "the last step")
	rest := anon.Get("/evidence/1?custody_after=1000")
	webtest.WantBody(t, rest, `data-custody-page`, "the last step")
	webtest.WantNoBody(t, rest, `data-custody-next`, `<span class="badge deposited">`)
}
