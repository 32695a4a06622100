package financeweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/apps/finance/financeweb"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/chain/tx"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/storage/fs"
	"github.com/chancery/chancery/web"
	"github.com/chancery/chancery/web/keyring"
)

// The test consortium, as the demo's: a core enterprise, a supplier and its
// sub-supplier, a bank, and a notary without finance roles; and a second
// core enterprise and a second bank. Each has one
// web user of the same name.
var users = []struct {
	name, org, orgName string
	roles              []string
}{
	{"core", "core-corp", "Core Manufacturing Corp.", []string{finance.RoleCore}},
	{"supplier", "supplier-1", "First-Tier Supplier Ltd.", []string{finance.RoleSupplier}},
	{"subsupplier", "supplier-2", "Second-Tier Parts Co. <b>&</b>", []string{finance.RoleSupplier}},
	{"bank", "bank", "Example Commercial Bank", []string{finance.RoleBank}},
	{"notary", "notary", "Example Notary Office", []string{members.RoleEvidenceDepositor}},
	{"rival", "rival-corp", "Rival Industries", []string{finance.RoleCore}},
	{"bank2", "bank-2", "Second Bank", []string{finance.RoleBank}},
}

func key(username string) chaintest.Key  { return chaintest.NewKey(username) }
func addr(username string) chain.Address { return key(username).Address() }
func password(username string) string    { return username + "-secret" }

func testGenesis() json.RawMessage {
	g := members.Genesis{Orgs: []members.GenesisOrg{{ID: "consortium", Name: "Consortium Office", Roles: []string{members.RoleConsortiumAdmin},
		Accounts: []members.GenesisAccount{{Name: "admin", PubKey: key("admin").Pub(), Roles: []string{members.RoleConsortiumAdmin}}}}}}
	for _, u := range users {
		g.Orgs = append(g.Orgs, members.GenesisOrg{ID: u.org, Name: u.orgName, Roles: u.roles,
			Accounts: []members.GenesisAccount{{Name: u.name, PubKey: key(u.name).Pub(), Roles: u.roles}}})
	}
	raw, err := json.Marshal(map[string]any{members.ModuleName: g})
	if err != nil {
		panic(err)
	}
	return raw
}

// fakeChain is web.Chain over a chaintest chain: real modules and state,
// each submitted transaction executed at once in a block of its own. Block
// time is the test's: it starts on 2026-01-01 and moves only when the test
// says (setDate), so due dates pass without sleeping.
type fakeChain struct {
	mu sync.Mutex
	c  *chaintest.Chain
}

func (f *fakeChain) Status() (node.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h, appHash := f.c.Store.Last()
	return node.Status{ChainID: chaintest.ChainID, Height: h, AppHash: fmt.Sprintf("%x", appHash), LatestBlockTime: f.c.Time()}, nil
}

func (f *fakeChain) Submit(_ context.Context, raw []byte, _ time.Duration) (node.Submission, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sub := node.Submission{Hash: chain.SumHash(raw)}
	if err := f.c.CheckTx(raw); err != nil {
		sub.Status = node.StatusRejected
		return sub, err
	}
	sub.Result, sub.Status = f.c.Block(raw)[0], node.StatusCommitted
	if !sub.Result.OK() {
		sub.Status = node.StatusRejected
	}
	return sub, nil
}

func (f *fakeChain) Block(_ context.Context, height int64) (*node.BlockInfo, error) {
	return nil, node.ErrBlockNotFound.Withf("block %d not kept by the fake chain", height)
}

func (f *fakeChain) Blocks(context.Context, int64, int) ([]node.BlockInfo, error) { return nil, nil }

func (f *fakeChain) TxResult(h chain.Hash) (*chain.TxResult, bool, error) {
	return f.c.Store.TxResult(h)
}

func (f *fakeChain) Pending(chain.Hash) bool { return false }

// setDate commits an empty block at noon of d: the chain's date is then d.
func (f *fakeChain) setDate(t testing.TB, d string) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	at := date(d).Time().Add(12 * time.Hour)
	if !at.After(f.c.Time()) {
		t.Fatalf("block time %s is already past %s", f.c.Time(), at)
	}
	f.c.Advance(at.Sub(f.c.Time()) - time.Second) // Block adds a second
	f.c.Block()
}

// env is a server with the finance API and pages over the fake chain, a
// keyring holding the test users (each with an API token) and a blob store
// in a temporary directory.
type env struct {
	t       *testing.T
	chain   *fakeChain
	blobs   storage.BlobStore
	srv     *web.Server
	tokens  map[string]string
	clients int
	nonce   uint64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	kr, err := keyring.Open("", keyring.Options{InMemory: true, KDF: keyring.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kr.Close() })
	tokens := map[string]string{}
	for _, u := range users {
		if _, err := kr.CreateUser(keyring.NewUser{Username: u.name, Password: password(u.name), Org: u.org, Key: key(u.name).Priv}); err != nil {
			t.Fatal(err)
		}
		if tokens[u.name], _, err = kr.CreateToken(u.name, key(u.name).Priv, "test"); err != nil {
			t.Fatal(err)
		}
	}
	blobs, err := fs.Open(t.TempDir(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	mk := members.NewKeeper()
	f := &fakeChain{c: chaintest.New(t, chaintest.Options{
		Auth: mk, Modules: []chain.Module{members.NewModule(), finance.NewModule(finance.NewKeeper(mk))}, Genesis: testGenesis(),
	})}
	srv := web.New(web.DefaultConfig(), web.Deps{
		Chain: f, Keyring: kr, Blobs: blobs, Logger: slog.New(slog.DiscardHandler), State: f.c.Store, Roles: mk,
	})
	h := financeweb.New(f.c.Store, srv)
	h.APIRoutes()
	h.Pages(srv.Echo())
	return &env{t: t, chain: f, blobs: blobs, srv: srv, tokens: tokens}
}

func date(s string) finance.Date {
	d, err := finance.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func cny(s string) finance.Amount {
	a, err := finance.ParseAmount(s, "CNY")
	if err != nil {
		panic(err)
	}
	return a
}

// exec runs msg as user in a block of its own, signed with the next fixed
// nonce so that hashes — and pages that show them — are the same every run.
func (e *env) exec(user, typ string, msg any) finance.Result {
	e.t.Helper()
	e.nonce++
	raw, err := canon.Marshal(msg)
	if err != nil {
		e.t.Fatal(err)
	}
	body := tx.Body{ChainID: chaintest.ChainID, Module: finance.ModuleName, Type: typ, Msg: raw,
		Signer: key(user).Pub(), Nonce: e.nonce, ValidUntil: e.chain.c.Height() + 50}
	signed, err := tx.Sign(body, key(user).Priv)
	if err != nil {
		e.t.Fatal(err)
	}
	e.chain.mu.Lock()
	res := e.chain.c.Block(signed)[0]
	e.chain.mu.Unlock()
	if !res.OK() {
		e.t.Fatalf("%s as %s: %s", typ, user, res.Log)
	}
	var out finance.Result
	if err := canon.Unmarshal(res.Data, &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func hashOf(s string) chain.Hash { return chain.SumHash([]byte(s)) }

// issue is an issue message of CNY amount due on due to user.
func issue(user string, amount, due, ref string) finance.Issue {
	return finance.Issue{Supplier: addr(user), Amount: cny(amount), Currency: "CNY", DueDate: date(due),
		InvoiceSHA256: hashOf("invoice " + ref), ContractSHA256: hashOf("contract " + ref), Ref: ref}
}

// history is the issue's story up to the bank's answer, with two more
// receivables beside it, executed with fixed nonces:
//
//	#1 core issues 100,000.00 to the supplier, due 2026-06-30, on 2026-01-01;
//	   the supplier accepts and splits it into #2 60,000.00 and #3
//	   40,000.00, and passes #3 to the sub-supplier, who asks the bank to
//	   finance it
//	#4 core issues 25,000.00 to the supplier, due 2026-05-31: not accepted yet
//	#5 core issues 10,000.00 to the supplier, due 2026-03-15; accepted
//
// then the chain's date moves to 2026-04-01: #5 is overdue, #3 is 90 days
// from maturity.
func (e *env) history() {
	e.t.Helper()
	e.exec("core", finance.TypeIssue, issue("supplier", "100000.00", "2026-06-30", "PO-2026-001"))
	e.exec("supplier", finance.TypeAccept, finance.Accept{ID: 1})
	e.exec("supplier", finance.TypeSplit, finance.Split{ID: 1, Amounts: []finance.Amount{cny("60000.00"), cny("40000.00")}})
	e.exec("supplier", finance.TypeTransfer, finance.Transfer{ID: 3, To: addr("subsupplier")})
	e.exec("subsupplier", finance.TypeRequestFinancing, finance.RequestFinancing{ID: 3, Bank: addr("bank")})
	e.exec("core", finance.TypeIssue, issue("supplier", "25000.00", "2026-05-31", "PO-2026-002"))
	e.exec("core", finance.TypeIssue, issue("supplier", "10000.00", "2026-03-15", "PO-2026-003"))
	e.exec("supplier", finance.TypeAccept, finance.Accept{ID: 5})
	e.chain.setDate(e.t, "2026-04-01")
}

func (e *env) piece(id finance.ID) finance.Receivable {
	e.t.Helper()
	var p finance.Receivable
	err := e.chain.c.View(func(r chain.Reader) error {
		l, err := finance.Get(r, id)
		p = l.Piece
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// api calls the JSON API as user (by API token; "" for none) and decodes
// the answer into out, if given.
func (e *env) api(user, method, path, body string, out ...any) (int, string) {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	for _, o := range out {
		if err := json.Unmarshal(rec.Body.Bytes(), o); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, rec.Body, err)
		}
	}
	return rec.Code, rec.Body.String()
}

// client is a browser: it keeps cookies and asks for HTML.
type client struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]*http.Cookie
	addr    string
}

func (e *env) client() *client {
	e.clients++
	return &client{t: e.t, h: e.srv.Handler(), cookies: map[string]*http.Cookie{}, addr: fmt.Sprintf("192.0.2.%d:40000", e.clients)}
}

func (cl *client) send(req *http.Request) *httptest.ResponseRecorder {
	cl.t.Helper()
	req.RemoteAddr = cl.addr
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	for _, ck := range cl.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	rec := httptest.NewRecorder()
	cl.h.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(cl.cookies, ck.Name)
		} else {
			cl.cookies[ck.Name] = ck
		}
	}
	return rec
}

func (cl *client) get(path string) *httptest.ResponseRecorder {
	cl.t.Helper()
	return cl.send(httptest.NewRequest(http.MethodGet, path, nil))
}

// post submits a form as a page would: urlencoded, with the CSRF token.
func (cl *client) post(path string, form url.Values) *httptest.ResponseRecorder {
	cl.t.Helper()
	form.Set("_csrf", cl.csrf())
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return cl.send(req)
}

// postFiles submits a multipart form; files maps part names to contents.
func (cl *client) postFiles(path string, fields, files map[string]string) *httptest.ResponseRecorder {
	cl.t.Helper()
	fields["_csrf"] = cl.csrf()
	return cl.send(multipartRequest(cl.t, path, fields, files))
}

// apiMultipart posts a multipart body to the API as user.
func (e *env) apiMultipart(user, path string, fields, files map[string]string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := multipartRequest(e.t, path, fields, files)
	req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// multipartRequest is a POST of fields and files (part name → content),
// in a fixed order.
func multipartRequest(t *testing.T, path string, fields, files map[string]string) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		mw.WriteField(k, fields[k])
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fw, err := mw.CreateFormFile(name, name+".pdf")
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(fw, files[name])
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

func (cl *client) csrf() string {
	cl.t.Helper()
	if _, ok := cl.cookies[web.CSRFCookie]; !ok {
		cl.get("/login")
	}
	ck, ok := cl.cookies[web.CSRFCookie]
	if !ok {
		cl.t.Fatal("no CSRF cookie after a page view")
	}
	return ck.Value
}

func (cl *client) login(username string) *client {
	cl.t.Helper()
	rec := cl.post("/login", url.Values{"username": {username}, "password": {password(username)}})
	if rec.Code != http.StatusSeeOther {
		cl.t.Fatalf("login %s: status %d, body %s", username, rec.Code, rec.Body)
	}
	return cl
}

// follow gets the page a redirect points to.
func (cl *client) follow(rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	cl.t.Helper()
	wantStatus(cl.t, rec, http.StatusSeeOther)
	return cl.get(rec.Header().Get("Location"))
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status %d, want %d; body:\n%s", rec.Code, want, rec.Body)
	}
}

func wantBody(t *testing.T, rec *httptest.ResponseRecorder, substrings ...string) {
	t.Helper()
	for _, s := range substrings {
		if !strings.Contains(rec.Body.String(), s) {
			t.Fatalf("body lacks %q:\n%s", s, rec.Body)
		}
	}
}

func wantNoBody(t *testing.T, rec *httptest.ResponseRecorder, substrings ...string) {
	t.Helper()
	for _, s := range substrings {
		if strings.Contains(rec.Body.String(), s) {
			t.Fatalf("body has %q:\n%s", s, rec.Body)
		}
	}
}
