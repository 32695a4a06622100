package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/tx"
)

// apiNode is a node started in-process on a copy of the demo home.
type apiNode struct {
	t       *testing.T
	url     string
	chainID string
	admin   string // API token
	home    string
}

// token returns the API token of a demo user of the node's home.
func (n *apiNode) token(user string) string {
	n.t.Helper()
	b, err := os.ReadFile(filepath.Join(n.home, demoUsersFile))
	if err != nil {
		n.t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 4 && f[0] == user {
			return f[3]
		}
	}
	n.t.Fatalf("no demo user %q", user)
	return ""
}

func startInProcess(t *testing.T) *apiNode {
	t.Helper()
	home := testHome(t)
	cfg, err := loadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTP.Addr = freeHTTPAddr(t)
	cfg.Node.P2PListen = "tcp://127.0.0.1:0"
	cfg.Node.TimeoutCommit = 100 * time.Millisecond
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, "chancery-local", slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	token, _ := os.ReadFile(filepath.Join(home, adminTokenFile))
	n := &apiNode{t: t, url: "http://" + cfg.HTTP.Addr, chainID: "chancery-local", admin: strings.TrimSpace(string(token)), home: home}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if code, _ := n.do("GET", "/readyz", "", nil); code == http.StatusOK {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatal("node not ready after 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeHTTPAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// do sends a request and decodes the JSON answer into out (if not nil).
func (n *apiNode) do(method, path, token string, body []byte, out ...any) (int, string) {
	n.t.Helper()
	req, err := http.NewRequest(method, n.url+path, bytes.NewReader(body))
	if err != nil {
		n.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, o := range out {
		if err := json.Unmarshal(b, o); err != nil {
			n.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return res.StatusCode, string(b)
}

type txAnswer struct {
	Hash   string `json:"hash"`
	Status string `json:"status"`
	Height int64  `json:"height"`
	Error  struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (n *apiNode) height() int64 {
	var st struct {
		Height int64 `json:"height"`
	}
	n.do("GET", "/api/v1/status", "", nil, &st)
	return st.Height
}

// sign builds a transaction as key; mutate may change the body before signing.
func (n *apiNode) sign(key ed25519.PrivateKey, module, typ string, msg any, mutate func(*tx.Body)) []byte {
	n.t.Helper()
	var pub chain.PubKey
	copy(pub[:], key.Public().(ed25519.PublicKey))
	body, err := tx.NewBody(n.chainID, module, typ, msg, pub, n.height()+50)
	if err != nil {
		n.t.Fatal(err)
	}
	if mutate != nil {
		mutate(&body)
	}
	raw, err := tx.Sign(body, key)
	if err != nil {
		n.t.Fatal(err)
	}
	return raw
}

// genKey makes a fresh key. t may be nil in client goroutines, which cannot
// fail the test; generating fails only on a broken random source.
func genKey(t *testing.T) (ed25519.PrivateKey, chain.PubKey) {
	pubBytes, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		if t == nil {
			panic(err)
		}
		t.Fatal(err)
	}
	var pub chain.PubKey
	copy(pub[:], pubBytes)
	return priv, pub
}

func TestAPIEndToEnd(t *testing.T) {
	n := startInProcess(t)

	// The admin registers an org admin whose key a script holds.
	botKey, botPub := genKey(t)
	var added txAnswer
	code, body := n.do("POST", "/api/v1/members/accounts", n.admin,
		[]byte(fmt.Sprintf(`{"name":"bot","pubkey":"%s","roles":["org.admin"]}`, botPub)), &added)
	if code != http.StatusAccepted || added.Status != "committed" {
		t.Fatalf("add account: %d %s", code, body)
	}

	// The script signs locally and posts; resubmitting answers the same.
	_, newPub := genKey(t)
	raw := n.sign(botKey, members.ModuleName, members.TypeAddAccount, members.AddAccount{Name: "clerk", PubKey: newPub, Roles: []string{}}, nil)
	var first, again txAnswer
	if code, body := n.do("POST", "/api/v1/txs?wait=10s", "", raw, &first); code != http.StatusAccepted || first.Status != "committed" {
		t.Fatalf("submit: %d %s", code, body)
	}
	if code, _ := n.do("POST", "/api/v1/txs", "", raw, &again); code != http.StatusAccepted || again.Hash != first.Hash || again.Height != first.Height {
		t.Fatalf("resubmit: %d %+v vs %+v", code, again, first)
	}
	var got struct {
		Status string `json:"status"`
		Height int64  `json:"height"`
		Module string `json:"module"`
		Events []any  `json:"events"`
	}
	if code, body := n.do("GET", "/api/v1/txs/"+first.Hash, "", nil, &got); code != 200 || got.Status != "committed" || got.Height != first.Height || got.Module != "members" || len(got.Events) == 0 {
		t.Fatalf("get tx: %d %s", code, body)
	}
	if code, body := n.do("GET", "/api/v1/members/accounts/"+newPub.Address().String(), "", nil); code != 200 || !strings.Contains(body, `"name":"clerk"`) {
		t.Fatalf("account not on chain: %d %s", code, body)
	}
	var blk struct {
		Txs []struct {
			Hash   string `json:"hash"`
			Status string `json:"status"`
		} `json:"txs"`
	}
	if code, body := n.do("GET", fmt.Sprintf("/api/v1/blocks/%d", first.Height), "", nil, &blk); code != 200 || len(blk.Txs) == 0 {
		t.Fatalf("block: %d %s", code, body)
	}

	// Bad input: refused with the right status and code, nothing written.
	plainKey, plainPub := genKey(t) // registered below without org.admin
	n.do("POST", "/api/v1/members/accounts", n.admin, []byte(fmt.Sprintf(`{"name":"plain","pubkey":"%s","roles":[]}`, plainPub)))
	strangerKey, _ := genKey(t)
	_, victimPub := genKey(t)
	addVictim := members.AddAccount{Name: "victim", PubKey: victimPub, Roles: []string{}}
	forged := bytes.Replace(n.sign(botKey, members.ModuleName, members.TypeAddAccount, addVictim, nil), []byte(`"victim"`), []byte(`"victin"`), 1)
	cases := []struct {
		name   string
		raw    []byte
		status int
		code   string
	}{
		{"malformed", []byte(`{"body":{}`), 400, "tx.malformed"},
		{"oversized", bytes.Repeat([]byte("x"), tx.MaxBytes+10), 413, "tx.too_large"},
		{"wrong chain", n.sign(botKey, members.ModuleName, members.TypeAddAccount, addVictim, func(b *tx.Body) { b.ChainID = "other" }), 400, "tx.wrong_chain"},
		{"expired", n.sign(botKey, members.ModuleName, members.TypeAddAccount, addVictim, func(b *tx.Body) { b.ValidUntil = 1 }), 400, "tx.expired"},
		{"bad signature", forged, 400, "tx.bad_signature"},
		{"unknown message", n.sign(botKey, "members", "delete_everything", addVictim, nil), 400, "tx.unknown_message"},
		{"unknown signer", n.sign(strangerKey, members.ModuleName, members.TypeAddAccount, addVictim, nil), 403, "members.unknown_account"},
		{"missing role", n.sign(plainKey, members.ModuleName, members.TypeAddAccount, addVictim, nil), 403, "members.missing_role"},
		{"duplicate", n.sign(botKey, members.ModuleName, members.TypeAddAccount, members.AddAccount{Name: "again", PubKey: newPub, Roles: []string{}}, nil), 409, "members.duplicate_account"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ans txAnswer
			code, body := n.do("POST", "/api/v1/txs", "", tc.raw, &ans)
			if code != tc.status || ans.Error.Code != tc.code || ans.Error.Message == "" {
				t.Fatalf("got %d %s, want %d %s", code, body, tc.status, tc.code)
			}
		})
	}
	if code, _ := n.do("GET", "/api/v1/members/accounts/"+victimPub.Address().String(), "", nil); code != http.StatusNotFound {
		t.Fatalf("a refused tx wrote state: account lookup answered %d", code)
	}

	for _, q := range []struct {
		path   string
		status int
		code   string
	}{
		{"/api/v1/txs/" + strings.Repeat("ab", 32), 404, "chain.tx_not_found"},
		{"/api/v1/txs/xyz", 400, "http.bad_hash"},
		{"/api/v1/blocks/0", 400, "http.bad_height"},
		{"/api/v1/blocks/99999999", 404, "chain.block_not_found"},
		{"/api/v1/blocks?limit=1000", 400, "http.bad_limit"},
		{"/api/v1/nope", 404, "http.not_found"},
		{"/api/v1/me", 401, "http.unauthorized"},
	} {
		var ans txAnswer
		if code, body := n.do("GET", q.path, "", nil, &ans); code != q.status || ans.Error.Code != q.code {
			t.Errorf("GET %s: %d %s, want %d %s", q.path, code, body, q.status, q.code)
		}
	}
}

// The version the binary was built with (-X main.version) is what the
// node's status answers, not a default of the web package.
func TestStatusVersion(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "v1.2.3-test"
	n := startInProcess(t)
	var st struct {
		Version string `json:"version"`
	}
	if code, body := n.do("GET", "/api/v1/status", "", nil, &st); code != http.StatusOK || st.Version != "v1.2.3-test" {
		t.Fatalf("status: %d %s, want version v1.2.3-test", code, body)
	}
}
