package copyrightweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chancery/chancery/apps/copyright"
	"github.com/chancery/chancery/apps/copyright/copyrightweb"
	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/chain/tx"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/storage/fs"
	"github.com/chancery/chancery/web"
	"github.com/chancery/chancery/web/keyring"
)

// The test consortium: a studio of two registrants, a press, a tribunal of
// arbiters and a notary who deposits evidence.
var (
	alice  = chaintest.NewKey("alice")  // studio: registrant
	bob    = chaintest.NewKey("bob")    // studio: registrant
	carol  = chaintest.NewKey("carol")  // press: registrant
	judge  = chaintest.NewKey("judge")  // tribunal: arbiter
	notary = chaintest.NewKey("notary") // notary: evidence depositor
)

func password(username string) string { return username + "-secret" }

func genesis() json.RawMessage {
	org := func(id, name string, roles []string, keys ...chaintest.Key) members.GenesisOrg {
		o := members.GenesisOrg{ID: id, Name: name, Roles: roles}
		for _, k := range keys {
			o.Accounts = append(o.Accounts, members.GenesisAccount{Name: k.Name, PubKey: k.Pub(), Roles: roles})
		}
		return o
	}
	g := members.Genesis{Orgs: []members.GenesisOrg{
		org("consortium", "Consortium Office", []string{members.RoleConsortiumAdmin}, chaintest.NewKey("admin")),
		org("studio", "Studio <Nord>", []string{copyright.RoleRegistrant}, alice, bob),
		org("press", "Press & Co", []string{copyright.RoleRegistrant}, carol),
		org("tribunal", "Tribunal", []string{copyright.RoleArbiter}, judge),
		org("notary", "Notary", []string{evidence.RoleDepositor}, notary),
	}}
	raw, err := json.Marshal(map[string]any{members.ModuleName: g})
	if err != nil {
		panic(err)
	}
	return raw
}

// fakeChain is web.Chain over a chaintest chain: real modules and state, a
// block made for each submitted transaction, fixed block times.
type fakeChain struct {
	mu sync.Mutex
	c  *chaintest.Chain
}

func (f *fakeChain) Status() (node.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return node.Status{ChainID: chaintest.ChainID, Height: f.c.Height(), LatestBlockTime: f.c.Time()}, nil
}

func (f *fakeChain) Submit(_ context.Context, raw []byte, _ time.Duration) (node.Submission, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sub := node.Submission{Hash: chain.SumHash(raw), Status: node.StatusRejected}
	if err := f.c.CheckTx(raw); err != nil {
		return sub, err
	}
	sub.Result = f.c.Block(raw)[0]
	sub.Status = node.StatusCommitted
	if !sub.Result.OK() {
		sub.Status = node.StatusRejected
	}
	return sub, nil
}

func (f *fakeChain) Block(context.Context, int64) (*node.BlockInfo, error) {
	return nil, node.ErrBlockNotFound
}

func (f *fakeChain) Blocks(context.Context, int64, int) ([]node.BlockInfo, error) { return nil, nil }

func (f *fakeChain) TxResult(h chain.Hash) (*chain.TxResult, bool, error) {
	return f.c.Store.TxResult(h)
}

func (f *fakeChain) Pending(chain.Hash) bool { return false }

// env is a server with the copyright API and pages over a fake chain, and a
// keyring holding the test users.
type env struct {
	t     *testing.T
	chain *fakeChain
	srv   *web.Server
	nonce uint64
	ev    evidence.ID // a deposit disputes may cite
}

func newEnv(t *testing.T) *env {
	t.Helper()
	mk := members.NewKeeper()
	deposits := copyright.EvidenceFunc(func(r chain.Reader, id uint64) bool {
		_, err := evidence.Get(r, evidence.ID(id))
		return err == nil
	})
	c := chaintest.New(t, chaintest.Options{
		Auth: mk, Genesis: genesis(),
		Modules: []chain.Module{
			members.NewModule(), evidence.NewModule(evidence.NewKeeper(mk)),
			copyright.NewModule(copyright.NewKeeper(mk, deposits)),
		},
	})
	kr, err := keyring.Open("", keyring.Options{InMemory: true, KDF: keyring.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kr.Close() })
	for _, u := range []struct {
		key chaintest.Key
		org string
	}{{alice, "studio"}, {bob, "studio"}, {carol, "press"}, {judge, "tribunal"}} {
		if _, err := kr.CreateUser(keyring.NewUser{Username: u.key.Name, Password: password(u.key.Name), Org: u.org, Key: u.key.Priv}); err != nil {
			t.Fatal(err)
		}
	}
	blobs, err := fs.Open(t.TempDir(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeChain{c: c}
	srv := web.New(web.DefaultConfig(), web.Deps{
		Chain: f, Keyring: kr, Blobs: blobs, Logger: slog.New(slog.DiscardHandler), State: c.Store, Roles: mk,
	})
	h := copyrightweb.New(c.Store, srv)
	h.APIRoutes()
	h.Pages(srv.Echo())
	e := &env{t: t, chain: f, srv: srv}
	var dep evidence.DepositResult
	e.submit(notary, evidence.ModuleName, evidence.TypeDeposit, evidence.Deposit{SHA256: chain.SumHash([]byte("proof")), Title: "Draft of 2024"}, &dep)
	e.ev = dep.ID
	return e
}

// submit signs msg as k with the next fixed nonce, so transaction hashes are
// the same on every run, and commits it in a block of its own; the result
// data is decoded into out when it is not nil.
func (e *env) submit(k chaintest.Key, module, typ string, msg any, out any) {
	e.t.Helper()
	e.nonce++
	raw, err := canon.Marshal(msg)
	if err != nil {
		e.t.Fatal(err)
	}
	body := tx.Body{ChainID: chaintest.ChainID, Module: module, Type: typ, Msg: raw, Signer: k.Pub(), Nonce: e.nonce, ValidUntil: 1000}
	signed, err := tx.Sign(body, k.Priv)
	if err != nil {
		e.t.Fatal(err)
	}
	sub, err := e.chain.Submit(context.Background(), signed, 0)
	if err == nil && !sub.Result.OK() {
		err = fmt.Errorf("%s", sub.Result.Log)
	}
	if err != nil {
		e.t.Fatalf("%s by %s: %v", typ, k.Name, err)
	}
	if out != nil {
		if err := canon.Unmarshal(sub.Result.Data, out); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *env) copyright(k chaintest.Key, typ string, msg any) {
	e.t.Helper()
	e.submit(k, copyright.ModuleName, typ, msg, nil)
}

// history gives work 1 something of everything: two holders, a live
// exclusive license and a revoked one, a dismissed dispute and a pending
// transfer. Its title and its organisations' names carry markup, which
// pages must escape.
func (e *env) history() {
	e.copyright(alice, copyright.TypeRegister, copyright.Register{
		SHA256: chain.SumHash([]byte("ode")), Stored: true, Title: `Ode to <b>Joy</b>`, Kind: copyright.KindAudio,
		Authors: []copyright.Author{{Name: "Ada Lovelace"}, {Name: "Charles Babbage"}},
		Holders: []copyright.Holder{
			{Account: alice.Address(), Name: "Alice", Shares: 6000},
			{Account: bob.Address(), Name: "Bob", Shares: 4000},
		},
		Created: "2025-06-01", Description: "A choral finale.\nSecond line.",
	})
	e.copyright(alice, copyright.TypeGrantLicense, copyright.GrantLicense{Work: 1, Grant: copyright.Grant{
		LicenseeOrg: "press", Scope: "print", Territory: "FR", Start: "2026-01-01", End: "2027-01-01", Exclusive: true, Terms: "5% of sales",
	}})
	e.copyright(bob, copyright.TypeGrantLicense, copyright.GrantLicense{Work: 1, Grant: copyright.Grant{
		Licensee: carol.Address(), Scope: "streaming", Territory: copyright.Worldwide, Start: "2026-01-01", End: "2026-06-01",
	}})
	e.copyright(alice, copyright.TypeRevokeLicense, copyright.RevokeLicense{License: 2, Reason: "unpaid"})
	e.copyright(carol, copyright.TypeOpenDispute, copyright.OpenDispute{Work: 1, Evidence: uint64(e.ev), Claim: "I wrote it in 2024."})
	e.copyright(judge, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 1, Outcome: copyright.OutcomeDismissed, Reasoning: "The draft differs."})
	e.copyright(alice, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 1, Note: "sale to the press",
		Holders: []copyright.Holder{{Account: carol.Address(), Name: "Carol", Shares: 10000}}})
}

// client is a browser: it keeps cookies and sends Accept: text/html.
type client struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]*http.Cookie
	addr    string
}

var clients int

func (e *env) client() *client {
	clients++
	return &client{t: e.t, h: e.srv.Handler(), cookies: map[string]*http.Cookie{}, addr: fmt.Sprintf("192.0.2.%d:40000", clients%250+1)}
}

func (cl *client) send(req *http.Request) *httptest.ResponseRecorder {
	cl.t.Helper()
	req.RemoteAddr = cl.addr
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
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

// post submits a urlencoded form as a page would, with the CSRF token.
func (cl *client) post(path string, form url.Values) *httptest.ResponseRecorder {
	cl.t.Helper()
	form.Set("_csrf", cl.csrf())
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return cl.send(req)
}

// postFile submits a multipart form with a file as a browser without
// scripts does: the CSRF token in the form, which makes the server parse
// the body before the handler streams the file.
func (cl *client) postFile(path string, fields map[string]string, name string, content []byte) *httptest.ResponseRecorder {
	cl.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", cl.csrf())
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		cl.t.Fatal(err)
	}
	fw.Write(content)
	w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return cl.send(req)
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

func (cl *client) login(k chaintest.Key) {
	cl.t.Helper()
	rec := cl.post("/login", url.Values{"username": {k.Name}, "password": {password(k.Name)}})
	if rec.Code != http.StatusSeeOther {
		cl.t.Fatalf("login %s: status %d, body %s", k.Name, rec.Code, rec.Body)
	}
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
