package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/chain/receipt"
	"github.com/chancery/chancery/chain/receipt/receipttest"
)

// fetchReceipt polls GET /api/v1/txs/{hash}/receipt until the receipt is
// ready, checking the 202 answers on the way.
func fetchReceipt(t *testing.T, n *apiNode, hash string) []byte {
	t.Helper()
	return pollReceipt(t, n, "/api/v1/txs/"+hash+"/receipt", hash)
}

// pollReceipt polls a receipt path for the transaction hash until it is
// ready.
func pollReceipt(t *testing.T, n *apiNode, path, hash string) []byte {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(n.url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		switch res.StatusCode {
		case http.StatusOK:
			return body
		case http.StatusAccepted:
			var p struct {
				Hash       string `json:"hash"`
				Status     string `json:"status"`
				RetryAfter int    `json:"retry_after_seconds"`
			}
			if err := json.Unmarshal(body, &p); err != nil || p.Hash != hash || p.Status != "pending_receipt" ||
				p.RetryAfter != 1 || res.Header.Get("Retry-After") != "1" {
				t.Fatalf("202 answer: Retry-After %q, %s", res.Header.Get("Retry-After"), body)
			}
		default:
			t.Fatalf("receipt: %d %s", res.StatusCode, body)
		}
		if time.Now().After(deadline) {
			t.Fatal("receipt not ready after 30s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// otherGenesis writes the genesis file of a new home for chainID, whose
// validator is a key of its own, and returns its path.
func otherGenesis(t *testing.T, chainID string) string {
	t.Helper()
	home := t.TempDir()
	if err := node.InitHome(home, &node.GenesisParams{ChainID: chainID}); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(home, node.GenesisFile)
}

// wantVerifyFails runs verify and expects exit 1 with one line naming want.
func wantVerifyFails(t *testing.T, want string, args ...string) {
	t.Helper()
	code, stdout, stderr := runCLI(t, append([]string{"verify"}, args...)...)
	if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 ||
		!strings.HasPrefix(stderr, "chancery verify: ") || !strings.Contains(stderr, want) {
		t.Fatalf("verify %v: exit %d, stdout %q, stderr %q; want exit 1 and one line naming %q", args, code, stdout, stderr, want)
	}
}

func TestVerifyReceiptEndToEnd(t *testing.T) {
	n := startInProcess(t)
	_, pub := genKey(t)
	var added txAnswer
	code, body := n.do("POST", "/api/v1/members/accounts", n.admin,
		[]byte(fmt.Sprintf(`{"name":"receipt holder","pubkey":"%s","roles":[]}`, pub)), &added)
	if code != http.StatusAccepted || added.Status != "committed" {
		t.Fatalf("add account: %d %s", code, body)
	}
	raw := fetchReceipt(t, n, added.Hash)
	dir := t.TempDir()
	path := filepath.Join(dir, "receipt.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	// The node's genesis: every test home is a copy of the same demo home.
	genesis := filepath.Join(testHome(t), node.GenesisFile)

	code, out, stderr := runCLI(t, "verify", path)
	if code != 0 {
		t.Fatalf("verify: exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"OK  receipt verified, but not its validator set (see below)\n", "chain id       chancery-local\n", fmt.Sprintf("height         %d\n", added.Height),
		"tx hash        " + added.Hash + "\n", "message        members/add_account\n", "result code    0 (succeeded)\n",
		`"account":"` + pub.Address().String() + `"`, "NOT checked",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("verify output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "sha256") {
		t.Errorf("a members result has no content hash to show:\n%s", out)
	}

	// Trusting the genesis validators, flags before or after the file.
	for _, args := range [][]string{{path, "--genesis", genesis}, {"--genesis", genesis, path}} {
		code, out, stderr := runCLI(t, append([]string{"verify"}, args...)...)
		if code != 0 || !strings.Contains(out, "(trusted: the 1 validators of "+genesis+")") {
			t.Fatalf("verify %v: exit %d\n%s%s", args, code, out, stderr)
		}
	}

	wantVerifyFails(t, "is not the trusted validator set", path, "--genesis", otherGenesis(t, "chancery-local"))

	// Trusting the hash the consortium publishes: the one printed above.
	setLine := out[strings.Index(out, "validator set  "):]
	setHash := strings.Fields(setLine)[2]
	code, out, stderr = runCLI(t, "verify", path, "--validators-hash", strings.ToLower(setHash))
	if code != 0 || !strings.HasPrefix(out, "OK  receipt verified\n") || !strings.Contains(out, setHash+" (trusted: the hash given by --validators-hash)") {
		t.Fatalf("verify --validators-hash %s: exit %d\n%s%s", setHash, code, out, stderr)
	}
	wantVerifyFails(t, "validator set: the receipt was signed by the set "+setHash+", not by the trusted "+strings.Repeat("AB", 32), path, "--validators-hash", strings.Repeat("ab", 32))
	wantVerifyFails(t, `chain_id: the receipt is for chain "chancery-local"`, path, "--genesis", otherGenesis(t, "another-chain"))
	wantVerifyFails(t, `no top-level "sha256" field`, path, "--sha256", strings.Repeat("ab", 32))
	wantVerifyFails(t, "no such file", filepath.Join(dir, "missing.json"))

	// Tampered receipts: exit 1 and one line naming what failed.
	s := string(raw)
	sig := strings.Index(s, `"signature":"`) + len(`"signature":"`) + 10
	// Another base64 letter, so the bytes still decode but differ.
	flipped := "A"
	if s[sig] == 'A' {
		flipped = "B"
	}
	for _, tc := range []struct {
		name, tampered, want string
	}{
		{"signature", s[:sig] + flipped + s[sig+1:], "commit of height"},
		{"result code", strings.Replace(s, `"result":{"code":0`, `"result":{"code":1`, 1), "result: code, data and gas"},
		{"tx hash", strings.Replace(s, added.Hash, strings.Repeat("0", 64), 1), "tx_hash"},
		{"height", strings.Replace(s, fmt.Sprintf(`"height":%d,`, added.Height), fmt.Sprintf(`"height":%d,`, added.Height+1), 1), "height"},
		{"truncated", s[:len(s)/2], "receipt JSON"},
		// What a script saves when it asks too early or for the wrong hash.
		{"an API error saved as the receipt", `{"error":{"code":"http.not_found","message":"no such transaction"}}`, `receipt JSON: unknown field "error"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.tampered == s {
				t.Fatal("tampering changed nothing")
			}
			bad := filepath.Join(t.TempDir(), "receipt.json")
			if err := os.WriteFile(bad, []byte(tc.tampered), 0o600); err != nil {
				t.Fatal(err)
			}
			wantVerifyFails(t, tc.want, bad, "--genesis", genesis)
		})
	}
}

// TestVerifyContent checks --file and --sha256 on a receipt whose result
// follows the content convention, from a made-up chain.
func TestVerifyContent(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "document.pdf")
	content := bytes.Repeat([]byte("evidence "), 100_000)
	if err := os.WriteFile(doc, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	hexSum := hex.EncodeToString(sum[:])

	c := receipttest.New("content-chain", "v0", "v1", "v2")
	txs := [][]byte{[]byte("record the document"), []byte("something else")}
	depositor := strings.Repeat("ab", 20)
	results := []*abci.ExecTxResult{{Data: []byte(`{"record":"r-1","sha256":"` + hexSum + `","org":"notary","depositor":"` + depositor + `"}`)}, {}}
	h := c.AddBlock(txs, results)
	c.AddBlock(nil, nil)
	r, err := receipt.Build(context.Background(), c, chain.SumHash(txs[0]), receipt.Location{Height: h})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "receipt.json")
	genesis := filepath.Join(dir, "genesis.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.Genesis().SaveAs(genesis); err != nil {
		t.Fatal(err)
	}

	code, out, stderr := runCLI(t, "verify", path, "--genesis", genesis, "--file", doc)
	if code != 0 {
		t.Fatalf("verify --file: exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"message        (not a Chancery transaction)\n",
		"sha256         " + hexSum + ` = the result's "sha256" field: the transaction's result names the content of ` + doc + " (the message line says what it did with it)\n",
		"(trusted: the 3 validators of " + genesis + ")",
		"depositor      " + depositor + "\n",
		"organisation   notary\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("verify --file output lacks %q:\n%s", want, out)
		}
	}
	if code, out, stderr := runCLI(t, "verify", path, "--sha256", strings.ToUpper(hexSum)); code != 0 || !strings.Contains(out, "result names this hash") {
		t.Fatalf("verify --sha256: exit %d\n%s%s", code, out, stderr)
	}
	// Without a check, the proven hash is shown.
	if code, out, _ := runCLI(t, "verify", path); code != 0 || !strings.Contains(out, "sha256         "+hexSum+" (the result's") {
		t.Fatalf("verify: exit %d\n%s", code, out)
	}

	other := filepath.Join(dir, "other.pdf")
	if err := os.WriteFile(other, []byte("not the document"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantVerifyFails(t, "has SHA-256", path, "--file", other)
	wantVerifyFails(t, "the receipt proves content "+hexSum+", not", path, "--sha256", strings.Repeat("0", 64))
	wantVerifyFails(t, "no such file", path, "--file", filepath.Join(dir, "missing.pdf"))
}

func TestVerifyUsage(t *testing.T) {
	for _, args := range [][]string{
		{"verify"},
		{"verify", "a.json", "b.json"},
		{"verify", "a.json", "--file", "f", "--sha256", strings.Repeat("0", 64)},
		{"verify", "a.json", "--sha256", "xyz"},
		{"verify", "a.json", "--validators-hash", "xyz"},
		{"verify", "a.json", "--validators-hash", strings.Repeat("0", 64), "--genesis", "g.json"},
		{"verify", "a.json", "--nope"},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != 2 || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, stderr)
		}
	}
}
