package evidenceweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/apps/evidence/evidenceweb"
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

// The test consortium: a notary office (depositor and custodian), a lab
// (depositor), a court (verifier), a vault (custodian) and a bank, which has
// no evidence role. Each has one web user.
var users = []struct {
	name, org string
	roles     []string
}{
	{"notary", "notary", []string{evidence.RoleDepositor, evidence.RoleCustodian}},
	{"lab", "lab", []string{evidence.RoleDepositor}},
	{"judge", "court", []string{evidence.RoleVerifier}},
	{"keeper", "vault", []string{evidence.RoleCustodian}},
	{"banker", "bank", []string{members.RoleFinanceBank}},
}

var orgNames = map[string]string{
	"notary": "Example Notary Office", "lab": "Forensic Lab <b>&</b> Co", "court": "District Court",
	"vault": "Evidence Vault", "bank": "Example Bank",
}

func key(username string) chaintest.Key { return chaintest.NewKey(username) }

func password(username string) string { return username + "-secret" }

func testGenesis() json.RawMessage {
	g := members.Genesis{Orgs: []members.GenesisOrg{{ID: "consortium", Name: "Consortium Office", Roles: []string{members.RoleConsortiumAdmin},
		Accounts: []members.GenesisAccount{{Name: "admin", PubKey: key("admin").Pub(), Roles: []string{members.RoleConsortiumAdmin}}}}}}
	for _, u := range users {
		g.Orgs = append(g.Orgs, members.GenesisOrg{ID: u.org, Name: orgNames[u.org], Roles: u.roles,
			Accounts: []members.GenesisAccount{{Name: u.name, PubKey: key(u.name).Pub(), Roles: u.roles}}})
	}
	raw, err := json.Marshal(map[string]any{members.ModuleName: g})
	if err != nil {
		panic(err)
	}
	return raw
}

// fakeChain is web.Chain over a chaintest chain: real modules and state,
// each submitted transaction executed in a block of its own at once, block
// times fixed, so pages render the same on every run.
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

// env is a server with the evidence API and pages over the fake chain, a
// keyring holding the test users and a blob store in a temporary directory.
type env struct {
	t       *testing.T
	chain   *fakeChain
	blobs   storage.BlobStore
	srv     *web.Server
	clients int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	kr, err := keyring.Open("", keyring.Options{InMemory: true, KDF: keyring.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kr.Close() })
	for _, u := range users {
		if _, err := kr.CreateUser(keyring.NewUser{Username: u.name, Password: password(u.name), Org: u.org, Key: key(u.name).Priv}); err != nil {
			t.Fatal(err)
		}
	}
	blobs, err := fs.Open(t.TempDir(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	mk := members.NewKeeper()
	f := &fakeChain{c: chaintest.New(t, chaintest.Options{
		Auth: mk, Modules: []chain.Module{members.NewModule(), evidence.NewModule(evidence.NewKeeper(mk))}, Genesis: testGenesis(),
	})}
	srv := web.New(web.DefaultConfig(), web.Deps{
		Chain: f, Keyring: kr, Blobs: blobs, Logger: slog.New(slog.DiscardHandler), State: f.c.Store, Roles: mk,
	})
	h := evidenceweb.New(f.c.Store, srv, evidence.NewKeeper(mk))
	h.APIRoutes()
	h.Pages(srv.Echo())
	return &env{t: t, chain: f, blobs: blobs, srv: srv}
}

// Contents of the history's files.
const (
	contract = "Contract of sale, signed 2025-12-30.\n"
	photo    = "JPEG bytes of a photograph of the scene\n"
)

func sum(content string) chain.Hash { return chain.SumHash([]byte(content)) }

// history executes a fixed history, each transaction signed with a fixed
// nonce so that hashes and pages are the same on every run:
//
//	evidence 1: the notary deposits the contract, stored (blocks 2)
//	evidence 2: the lab deposits the same contract, hash only (3)
//	the court and the lab attest evidence 1 (4, 5)
//	the vault receives it into custody (6); the judge downloads it (7)
//	evidence 3: the notary deposits the photo (8) and withdraws it (9)
func (e *env) history() {
	e.t.Helper()
	if _, err := e.blobs.Put(context.Background(), strings.NewReader(contract), storage.PutOptions{}); err != nil {
		e.t.Fatal(err)
	}
	steps := []struct {
		user, typ string
		msg       any
	}{
		{"notary", evidence.TypeDeposit, evidence.Deposit{SHA256: sum(contract), Size: int64(len(contract)), MediaType: "application/pdf",
			FileName: "contract.pdf", Title: "Sale contract <script>alert(1)</script>", Description: "Signed original.\nTwo pages.",
			CaseRef: "2026-CIV-0042", Stored: true}},
		{"lab", evidence.TypeDeposit, evidence.Deposit{SHA256: sum(contract), Size: int64(len(contract)), Title: "Contract as received by the lab"}},
		{"judge", evidence.TypeAttest, evidence.Attest{ID: 1, Statement: "Matches the copy filed with the court."}},
		{"lab", evidence.TypeAttest, evidence.Attest{ID: 1, Statement: "Received the original on 2026-01-01."}},
		{"keeper", evidence.TypeCustody, evidence.Custody{ID: 1, Action: "received", Note: "Sealed bag 4411"}},
		{"judge", evidence.TypeAccess, evidence.Access{ID: 1, Purpose: "hearing"}},
		{"notary", evidence.TypeDeposit, evidence.Deposit{SHA256: sum(photo), Size: int64(len(photo)), MediaType: "image/jpeg",
			FileName: "scene.jpg", Title: "Scene photograph"}},
		{"notary", evidence.TypeWithdraw, evidence.Withdraw{ID: 3, Reason: "Deposited in error"}},
	}
	for i, s := range steps {
		raw := signFixed(e.t, key(s.user), s.typ, s.msg, uint64(i+1))
		if res := e.chain.c.Block(raw)[0]; !res.OK() {
			e.t.Fatalf("history step %d (%s %s): %s", i+1, s.user, s.typ, res.Log)
		}
	}
}

func signFixed(t testing.TB, k chaintest.Key, typ string, msg any, nonce uint64) []byte {
	t.Helper()
	raw, err := canon.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	body := tx.Body{ChainID: chaintest.ChainID, Module: evidence.ModuleName, Type: typ, Msg: raw,
		Signer: k.Pub(), Nonce: nonce, ValidUntil: 100}
	out, err := tx.Sign(body, k.Priv)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *env) record(id evidence.ID) evidence.Evidence {
	e.t.Helper()
	var ev evidence.Evidence
	if err := e.chain.c.View(func(r chain.Reader) (err error) { ev, err = evidence.Get(r, id); return err }); err != nil {
		e.t.Fatal(err)
	}
	return ev
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

// send sends a request with the client's cookies and keeps those it gets.
func (cl *client) send(req *http.Request, header ...string) *httptest.ResponseRecorder {
	cl.t.Helper()
	req.RemoteAddr = cl.addr
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
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

// postFile submits a multipart form with a file part named "file".
func (cl *client) postFile(path string, fields url.Values, name, content string, header ...string) *httptest.ResponseRecorder {
	cl.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			cl.t.Fatal(err)
		}
		io.WriteString(fw, content)
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return cl.send(req, header...)
}

// csrf is the client's CSRF token, fetched with a page if it has none yet.
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

func wantRedirect(t *testing.T, rec *httptest.ResponseRecorder, want string) {
	t.Helper()
	wantStatus(t, rec, http.StatusSeeOther)
	if got := rec.Header().Get("Location"); got != want {
		t.Fatalf("redirect to %q, want %q", got, want)
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
