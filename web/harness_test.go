package web_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/apps/members/membersweb"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/chain/tx"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/web"
	"github.com/chancery/chancery/web/keyring"
)

// The test consortium: a consortium office, a court whose clerk administers
// it, and an organisation whose name tries to inject a script.
var (
	adminKey = chaintest.NewKey("admin")
	clerkKey = chaintest.NewKey("clerk")
	judgeKey = chaintest.NewKey("judge")
	usherKey = chaintest.NewKey("usher")
	ghostKey = chaintest.NewKey("ghost") // a web user without an account on chain

	evilName = `<script>alert("owned")</script> Ltd`
)

// Passwords of the test users: the username and a suffix.
func password(username string) string { return username + "-secret" }

func testGenesis() json.RawMessage {
	g := members.Genesis{Orgs: []members.GenesisOrg{
		{ID: "consortium", Name: "Consortium Office",
			Roles: []string{members.RoleConsortiumAdmin, members.RoleOrgAdmin, members.RoleAuditReader},
			Accounts: []members.GenesisAccount{{Name: "admin", PubKey: adminKey.Pub(),
				Roles: []string{members.RoleConsortiumAdmin, members.RoleOrgAdmin}}}},
		{ID: "court", Name: "District Court",
			Roles: []string{members.RoleOrgAdmin, members.RoleEvidenceVerifier, members.RoleAuditReader},
			Accounts: []members.GenesisAccount{{Name: "clerk", PubKey: clerkKey.Pub(),
				Roles: []string{members.RoleOrgAdmin}}}},
		{ID: "evil", Name: evilName, Roles: []string{members.RoleOrgAdmin},
			Accounts: []members.GenesisAccount{{Name: evilName, PubKey: chaintest.NewKey("evil").Pub(),
				Roles: []string{members.RoleOrgAdmin}}}},
	}}
	raw, err := json.Marshal(map[string]any{members.ModuleName: g})
	if err != nil {
		panic(err)
	}
	return raw
}

// fakeChain is web.Chain over a chaintest chain: real modules and state,
// blocks made on demand, fixed block hashes and times, so pages render the
// same on every run.
type fakeChain struct {
	mu     sync.Mutex
	c      *chaintest.Chain
	blocks []node.BlockInfo // height h at index h-1
	// hold leaves submitted transactions admitted but not in a block.
	hold    bool
	pending map[chain.Hash]bool
}

const fakeProposer = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"

func newFakeChain(t testing.TB) *fakeChain {
	t.Helper()
	c := chaintest.New(t, chaintest.Options{
		Auth: members.NewKeeper(), Modules: []chain.Module{members.NewModule()}, Genesis: testGenesis(),
	})
	f := &fakeChain{c: c, pending: map[chain.Hash]bool{}}
	f.record(nil, nil) // chaintest committed genesis in block 1
	return f
}

// block executes and records a block of txs.
func (f *fakeChain) block(txs ...[]byte) []*chain.TxResult {
	_, prev := f.c.Store.Last()
	res := f.c.Block(txs...)
	f.record(prev, txs)
	return res
}

func (f *fakeChain) record(prevAppHash []byte, txs [][]byte) {
	h := f.c.Height()
	b := node.BlockInfo{
		Height: h, Time: f.c.Time(), Hash: chain.SumHash(fmt.Appendf(nil, "block %d", h)),
		AppHash: hex.EncodeToString(prevAppHash), NumTxs: len(txs), Proposer: fakeProposer, Txs: txs,
	}
	for _, raw := range txs {
		b.TxHashes = append(b.TxHashes, chain.SumHash(raw))
	}
	f.blocks = append(f.blocks, b)
}

func (f *fakeChain) Status() (node.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h, appHash := f.c.Store.Last()
	return node.Status{
		ChainID: chaintest.ChainID, Height: h, AppHash: hex.EncodeToString(appHash), LatestBlockTime: f.c.Time(),
		Validators: []node.ValidatorInfo{{Address: fakeProposer, PubKey: strings.Repeat("ab", 32), Power: 10}},
		NodeID:     "fa4e00de",
	}, nil
}

func (f *fakeChain) Submit(_ context.Context, raw []byte, _ time.Duration) (node.Submission, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sub := node.Submission{Hash: chain.SumHash(raw)}
	if res, found, err := f.c.Store.TxResult(sub.Hash); err != nil || found {
		return settle(sub, res), err
	}
	if err := f.c.CheckTx(raw); err != nil {
		sub.Status = node.StatusRejected
		return sub, err
	}
	if f.hold {
		f.pending[sub.Hash] = true
		sub.Status = node.StatusPending
		return sub, nil
	}
	return settle(sub, f.block(raw)[0]), nil
}

func settle(sub node.Submission, res *chain.TxResult) node.Submission {
	sub.Result, sub.Status = res, node.StatusCommitted
	if !res.OK() {
		sub.Status = node.StatusRejected
	}
	return sub
}

func (f *fakeChain) Block(_ context.Context, height int64) (*node.BlockInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if height < 1 || height > int64(len(f.blocks)) {
		return nil, node.ErrBlockNotFound.Withf("block %d not found (latest is %d)", height, len(f.blocks))
	}
	b := f.blocks[height-1]
	return &b, nil
}

func (f *fakeChain) Blocks(_ context.Context, before int64, limit int) ([]node.BlockInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	top := int64(len(f.blocks))
	if before > 0 && before <= top {
		top = before - 1
	}
	var out []node.BlockInfo
	for h := top; h >= 1 && len(out) < limit; h-- {
		b := f.blocks[h-1]
		b.Txs, b.TxHashes = nil, nil
		out = append(out, b)
	}
	return out, nil
}

func (f *fakeChain) TxResult(h chain.Hash) (*chain.TxResult, bool, error) {
	return f.c.Store.TxResult(h)
}

func (f *fakeChain) Pending(h chain.Hash) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pending[h]
}

// signFixed signs msg with a fixed nonce, so the transaction and its hash
// are the same on every run (the server's own signing draws a random one).
func signFixed(t testing.TB, k chaintest.Key, typ string, msg any, nonce uint64) []byte {
	t.Helper()
	raw, err := canon.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	body := tx.Body{ChainID: chaintest.ChainID, Module: members.ModuleName, Type: typ, Msg: raw,
		Signer: k.Pub(), Nonce: nonce, ValidUntil: 100}
	out, err := tx.Sign(body, k.Priv)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// env is a server over the fake chain with the members pages and a keyring
// holding the test users.
type env struct {
	t     *testing.T
	chain *fakeChain
	kr    *keyring.Keyring
	srv   *web.Server
	// Transactions of the history every env starts with.
	addJudge, judgeTries, addUsher, revokeUsher []byte
	clients                                     int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	kr, err := keyring.Open("", keyring.Options{InMemory: true, KDF: keyring.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kr.Close() })
	users := []struct {
		name, org string
		key       chaintest.Key
	}{{"admin", "consortium", adminKey}, {"clerk", "court", clerkKey}, {"judge", "court", judgeKey}, {"ghost", "court", ghostKey}}
	for _, u := range users {
		if _, err := kr.CreateUser(keyring.NewUser{Username: u.name, Password: password(u.name), Org: u.org, Key: u.key.Priv}); err != nil {
			t.Fatal(err)
		}
	}
	f := newFakeChain(t)
	srv := web.New(web.DefaultConfig(), web.Deps{
		Chain: f, Keyring: kr, Logger: slog.New(slog.DiscardHandler), State: f.c.Store, Roles: members.NewKeeper(),
	})
	mw := membersweb.New(f.c.Store, srv)
	mw.Routes(srv.API())
	mw.Pages(srv.Echo())
	e := &env{t: t, chain: f, kr: kr, srv: srv}
	e.history()
	return e
}

// history: the clerk adds a judge (block 2); the judge, no admin, tries to
// add an account and fails while the clerk adds an usher (block 3); the
// clerk revokes the usher (block 4).
func (e *env) history() {
	t := e.t
	e.addJudge = signFixed(t, clerkKey, members.TypeAddAccount,
		members.AddAccount{Name: "Judge Dredd", PubKey: judgeKey.Pub(), Roles: []string{members.RoleEvidenceVerifier}}, 1)
	e.judgeTries = signFixed(t, judgeKey, members.TypeAddAccount,
		members.AddAccount{Name: "Friend", PubKey: chaintest.NewKey("friend").Pub(), Roles: []string{}}, 2)
	e.addUsher = signFixed(t, clerkKey, members.TypeAddAccount,
		members.AddAccount{Name: "Usher", PubKey: usherKey.Pub(), Roles: []string{members.RoleAuditReader}}, 3)
	e.revokeUsher = signFixed(t, clerkKey, members.TypeRevokeAccount,
		members.RevokeAccount{Account: usherKey.Address(), Reason: "left the court"}, 4)
	for _, txs := range [][][]byte{{e.addJudge}, {e.judgeTries, e.addUsher}, {e.revokeUsher}} {
		for _, r := range e.chain.block(txs...) {
			if shouldFail := r.Hash == chain.SumHash(e.judgeTries); r.OK() == shouldFail {
				t.Fatalf("history: tx %s ok=%v: %s", r.Hash, r.OK(), r.Log)
			}
		}
	}
}

// client is a browser: it keeps cookies, sends Accept: text/html and comes
// from one address.
type client struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]*http.Cookie
	addr    string
	https   bool
}

// client is a new browser, each from an address of its own, so that the
// sign-in rate limit counts each separately.
func (e *env) client() *client {
	e.clients++
	addr := fmt.Sprintf("192.0.2.%d:40000", e.clients)
	return &client{t: e.t, h: e.srv.Handler(), cookies: map[string]*http.Cookie{}, addr: addr}
}

// do sends a request; a non-nil form is posted urlencoded.
func (cl *client) do(method, path string, form url.Values, header ...string) *httptest.ResponseRecorder {
	cl.t.Helper()
	target := path
	if cl.https {
		target = "https://chancery.example" + path
	}
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
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
	return cl.do(http.MethodGet, path, nil)
}

// post submits a form as a page would: with the CSRF token.
func (cl *client) post(path string, form url.Values) *httptest.ResponseRecorder {
	cl.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", cl.csrf())
	return cl.do(http.MethodPost, path, form)
}

// csrf is the browser's CSRF token, fetched with a page if it has none yet.
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

func (cl *client) login(username string) {
	cl.t.Helper()
	rec := cl.post("/login", url.Values{"username": {username}, "password": {password(username)}})
	if rec.Code != http.StatusSeeOther {
		cl.t.Fatalf("login %s: status %d, body %s", username, rec.Code, rec.Body)
	}
}

// wantStatus checks a response's status, showing the body when it is wrong.
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
