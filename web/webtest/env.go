package webtest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/chain/tx"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/storage/fs"
	"github.com/chancery/chancery/web"
	"github.com/chancery/chancery/web/keyring"
)

// Options describe a test server and its chain.
type Options struct {
	// Roles authorises the chain's transactions and answers the account
	// pages: the members' keeper.
	Roles web.AccountRoles
	// Modules and Genesis make the chain, as for chaintest.
	Modules []chain.Module
	Genesis json.RawMessage
	// Users are the keyring's web users.
	Users []User
	// Tokens gives each user an API token, for Env.API.
	Tokens bool
	// MaxBlob, if positive, gives the server a blob store in a temporary
	// directory, taking files up to MaxBlob bytes.
	MaxBlob int64
}

// User is a web user of the test: its key is chaintest.NewKey(Name), its
// password Password(Name).
type User struct {
	Name, Org string
}

// Password is the test password of a user: the username and a suffix.
func Password(username string) string { return username + "-secret" }

// Env is a server over a Chain, with an in-memory keyring holding the test
// users. A test mounts the routes it tests on Server.
type Env struct {
	T       testing.TB
	Chain   *Chain
	Keyring *keyring.Keyring
	Blobs   storage.BlobStore // nil without Options.MaxBlob
	Server  *web.Server
	// Tokens are the users' API token secrets, by username, with
	// Options.Tokens.
	Tokens  map[string]string
	clients int
}

// New starts a chain and a server over it.
func New(t testing.TB, opts Options) *Env {
	t.Helper()
	// The cheapest password hashing there is: tests sign in often.
	kr, err := keyring.Open("", keyring.Options{InMemory: true, KDF: keyring.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kr.Close() })
	e := &Env{T: t, Keyring: kr, Tokens: map[string]string{}}
	for _, u := range opts.Users {
		k := chaintest.NewKey(u.Name)
		if _, err := kr.CreateUser(keyring.NewUser{Username: u.Name, Password: Password(u.Name), Org: u.Org, Key: k.Priv}); err != nil {
			t.Fatal(err)
		}
		if opts.Tokens {
			if e.Tokens[u.Name], _, err = kr.CreateToken(u.Name, k.Priv, "test"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if opts.MaxBlob > 0 {
		if e.Blobs, err = fs.Open(t.TempDir(), opts.MaxBlob); err != nil {
			t.Fatal(err)
		}
	}
	e.Chain = newChain(t, chaintest.Options{Auth: opts.Roles, Modules: opts.Modules, Genesis: opts.Genesis})
	e.Server = web.New(web.DefaultConfig(), web.Deps{
		Chain: e.Chain, Keyring: kr, Blobs: e.Blobs, Logger: slog.New(slog.DiscardHandler), State: e.Chain.Store(), Roles: opts.Roles,
	})
	return e
}

// Client is a new browser, each from an address of its own, so that the
// sign-in rate limit counts each apart.
func (e *Env) Client() *Client {
	e.clients++
	return &Client{
		t: e.T, h: e.Server.Handler(), Cookies: map[string]*http.Cookie{},
		Addr: fmt.Sprintf("192.0.2.%d:40000", (e.clients-1)%250+1),
	}
}

// API calls the JSON API as user, by API token ("" for none), and decodes
// the answer into out, if given.
func (e *Env) API(user, method, path, body string, out ...any) (int, string) {
	e.T.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := e.ServeAPI(user, req)
	for _, o := range out {
		if err := json.Unmarshal(rec.Body.Bytes(), o); err != nil {
			e.T.Fatalf("%s %s: decode %s: %v", method, path, rec.Body, err)
		}
	}
	return rec.Code, rec.Body.String()
}

// ServeAPI serves req as user, by API token ("" for none).
func (e *Env) ServeAPI(user string, req *http.Request) *httptest.ResponseRecorder {
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+e.Tokens[user])
	}
	rec := httptest.NewRecorder()
	e.Server.Handler().ServeHTTP(rec, req)
	return rec
}

// Genesis is the chain's app state: the consortium of orgs.
func Genesis(orgs ...members.GenesisOrg) json.RawMessage {
	raw, err := json.Marshal(map[string]any{members.ModuleName: members.Genesis{Orgs: orgs}})
	if err != nil {
		panic(err)
	}
	return raw
}

// Org is an organisation holding roles, with an account of the same roles
// for each key, named after it.
func Org(id, name string, roles []string, keys ...chaintest.Key) members.GenesisOrg {
	o := members.GenesisOrg{ID: id, Name: name, Roles: roles}
	for _, k := range keys {
		o.Accounts = append(o.Accounts, members.GenesisAccount{Name: k.Name, PubKey: k.Pub(), Roles: roles})
	}
	return o
}

// SignFixed signs msg as k with a fixed nonce, valid until height
// validUntil: the transaction and its hash are the same on every run, where
// the server's own signing draws a random nonce.
func SignFixed(t testing.TB, k chaintest.Key, module, typ string, msg any, nonce uint64, validUntil int64) []byte {
	t.Helper()
	raw, err := canon.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	body := tx.Body{ChainID: chaintest.ChainID, Module: module, Type: typ, Msg: raw,
		Signer: k.Pub(), Nonce: nonce, ValidUntil: validUntil}
	out, err := tx.Sign(body, k.Priv)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
