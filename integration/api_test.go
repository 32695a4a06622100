package integration

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/tx"
)

// api is a node's HTTP API as a client sees it.
type api struct {
	name string                 // node0 …
	url  atomic.Pointer[string] // http://host:port: a restarted container's port changes under running clients
	http *http.Client
}

func newAPI(name, url string) *api {
	// No proxy: every request goes to loopback.
	a := &api{name: name, http: &http.Client{
		Timeout:   2 * time.Minute,
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64},
	}}
	a.setURL(url)
	return a
}

func (a *api) setURL(url string) { a.url.Store(&url) }

// errorBody is the API's error answer.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// do sends a request and returns the status and body; a transport error is
// status 0 with the error as body, for callers that expect the node to be
// down.
func (a *api) do(ctx context.Context, method, path, token, contentType string, body io.Reader) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, method, *a.url.Load()+path, body)
	if err != nil {
		return 0, []byte(err.Error())
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := a.http.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, []byte(err.Error())
	}
	return res.StatusCode, b
}

// get fetches path and decodes a 200 answer into out; anything else fails
// the test.
func (a *api) get(t testing.TB, path, token string, out any) {
	t.Helper()
	code, body := a.do(t.Context(), http.MethodGet, path, token, "", nil)
	if code != http.StatusOK {
		t.Fatalf("%s: GET %s: %d %s", a.name, path, code, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("%s: GET %s: %v in %s", a.name, path, err, body)
	}
}

// status is GET /api/v1/status.
type status struct {
	ChainID    string `json:"chain_id"`
	Height     int64  `json:"height"`
	AppHash    string `json:"app_hash"`
	CatchingUp bool   `json:"catching_up"`
	Validators []struct {
		Address string `json:"address"`
		Power   int64  `json:"power"`
	} `json:"validators"`
}

// status returns the node's status, or an error if it does not answer.
func (a *api) status(ctx context.Context) (status, error) {
	var st status
	code, body := a.do(ctx, http.MethodGet, "/api/v1/status", "", "", nil)
	if code != http.StatusOK {
		return st, fmt.Errorf("%s: status: %d %s", a.name, code, body)
	}
	return st, json.Unmarshal(body, &st)
}

// block is GET /api/v1/blocks/{height}.
type block struct {
	Height  int64      `json:"height"`
	Time    time.Time  `json:"time"`
	Hash    chain.Hash `json:"hash"`
	AppHash string     `json:"app_hash"`
	NumTxs  int        `json:"num_txs"`
	Txs     []struct {
		Hash   chain.Hash `json:"hash"`
		Status string     `json:"status"`
	} `json:"txs"`
}

// block returns block h, found=false if the node does not have it yet.
func (a *api) block(ctx context.Context, h int64) (b block, found bool, err error) {
	code, body := a.do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/blocks/%d", h), "", "", nil)
	switch code {
	case http.StatusOK:
		return b, true, json.Unmarshal(body, &b)
	case http.StatusNotFound:
		return b, false, nil
	}
	return b, false, fmt.Errorf("%s: block %d: %d %s", a.name, h, code, body)
}

// txResult is GET /api/v1/txs/{hash} and the answer to a submission.
type txResult struct {
	Hash   chain.Hash `json:"hash"`
	Status string     `json:"status"`
	Height int64      `json:"height"`
	Index  uint32     `json:"index"`
	Code   uint32     `json:"code"`
	Data   []byte     `json:"data"`
	errorBody
}

func (a *api) tx(ctx context.Context, h chain.Hash) (txResult, int, error) {
	var r txResult
	code, body := a.do(ctx, http.MethodGet, "/api/v1/txs/"+h.String(), "", "", nil)
	if code == 0 {
		return r, 0, fmt.Errorf("%s: tx %s: %s", a.name, h, body)
	}
	return r, code, json.Unmarshal(body, &r)
}

// submit posts a signed transaction and waits up to wait for its block.
func (a *api) submit(ctx context.Context, raw []byte, wait string) (txResult, int, []byte) {
	var r txResult
	code, body := a.do(ctx, http.MethodPost, "/api/v1/txs?wait="+wait, "", "application/json", bytes.NewReader(raw))
	if code != 0 {
		json.Unmarshal(body, &r)
	}
	return r, code, body
}

// signer signs members transactions with a key the test holds.
type signer struct {
	chainID string
	key     ed25519.PrivateKey
	pub     chain.PubKey
}

func newSigner(chainID string) *signer {
	pub, key := newKey()
	return &signer{chainID: chainID, key: key, pub: pub}
}

func newKey() (chain.PubKey, ed25519.PrivateKey) {
	p, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	var pub chain.PubKey
	copy(pub[:], p)
	return pub, key
}

// addAccount signs a members add_account of a new account named name,
// valid until block validUntil.
func (s *signer) addAccount(name string, validUntil int64) (raw []byte, hash chain.Hash) {
	// Any 32 bytes will do as the new account's key, and cost no key
	// generation.
	var pub chain.PubKey
	rand.Read(pub[:])
	body, err := tx.NewBody(s.chainID, members.ModuleName, members.TypeAddAccount,
		members.AddAccount{Name: name, PubKey: pub, Roles: []string{}}, s.pub, validUntil)
	if err != nil {
		panic(err)
	}
	raw, err = tx.Sign(body, s.key)
	if err != nil {
		panic(err)
	}
	return raw, chain.SumHash(raw)
}

// registerOrgAdmin has the consortium admin (adminToken) register s's key as
// an org.admin account of the consortium organisation, so that s may add
// accounts. The registration goes through the first node and is done once
// every node has executed it: a node that lags a block behind would
// otherwise still answer members.unknown_account for s.
func registerOrgAdmin(t testing.TB, adminToken string, s *signer, nodes ...*api) {
	t.Helper()
	req, _ := json.Marshal(map[string]any{"name": "loader", "pubkey": s.pub, "roles": []string{members.RoleOrgAdmin}})
	code, body := nodes[0].do(t.Context(), http.MethodPost, "/api/v1/members/accounts", adminToken, "application/json", bytes.NewReader(req))
	var r txResult
	if json.Unmarshal(body, &r); code != http.StatusAccepted || r.Status != "committed" {
		t.Fatalf("%s: register the loader account: %d %s", nodes[0].name, code, body)
	}
	for _, a := range nodes[1:] {
		eventually(t, time.Minute, a.name+" executed the loader's registration", func() (bool, string) {
			got, code, err := a.tx(t.Context(), r.Hash)
			return err == nil && got.Status == "committed", fmt.Sprintf("%d %+v %v", code, got, err)
		})
	}
}

// credentials reads demo-users.txt: username → API token.
func credentials(t testing.TB, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tokens := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 4 && !strings.HasPrefix(fields[0], "#") {
			tokens[fields[0]] = fields[3]
		}
	}
	return tokens
}

// eventually polls cond every 200ms until it holds or timeout passes, then
// fails the test with what cond last reported.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v: %s", what, timeout, detail)
		}
		select {
		case <-t.Context().Done():
			t.Fatalf("%s: %v", what, t.Context().Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
