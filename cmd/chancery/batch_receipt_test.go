package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBatchLeafReceipt: a hash anchored in a batch gets a receipt that
// `chancery verify --sha256` accepts for that hash and for no other, and
// that fails when its path is changed.
func TestBatchLeafReceipt(t *testing.T) {
	n := startInProcess(t)
	var lines []string
	for i := range 1000 {
		sum := sha256.Sum256([]byte(fmt.Sprint("record ", i)))
		lines = append(lines, hex.EncodeToString(sum[:]))
	}
	req, _ := http.NewRequest("POST", n.url+"/api/v1/evidence/batches?title=nightly", strings.NewReader(strings.Join(lines, "\n")))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Authorization", "Bearer "+n.token("notary"))
	var anchored struct {
		Batch  int    `json:"batch"`
		TxHash string `json:"tx_hash"`
		Status string `json:"status"`
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	decodeBody(t, res, &anchored)
	if res.StatusCode != http.StatusCreated || anchored.Status != "committed" {
		t.Fatalf("anchor: %d %+v", res.StatusCode, anchored)
	}

	leaf := lines[617]
	raw := pollReceipt(t, n, fmt.Sprintf("/api/v1/evidence/batches/%d/proofs/%s/receipt", anchored.Batch, leaf), anchored.TxHash)
	path := filepath.Join(t.TempDir(), "leaf.json")
	os.WriteFile(path, raw, 0o600)

	code, out, stderr := runCLI(t, "verify", path, "--sha256", leaf)
	if wantLine := fmt.Sprintf("sha256         %s = member 618 of %d of the batch", leaf, len(lines)); code != 0 || !strings.Contains(out, wantLine) || !strings.Contains(out, "organisation   notary\n") {
		t.Fatalf("verify leaf: exit %d, want a line %q and the notary's organisation:\n%s%s", code, wantLine, out, stderr)
	}
	if code, _, stderr := runCLI(t, "verify", path, "--sha256", lines[618]); code != 1 || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("verify with another hash: %d %q", code, stderr)
	}
	// Claim another place in a larger batch with the same path (member 618
	// of 1000 has the path it would have in a batch of 1001): the anchored
	// count refuses it.
	os.WriteFile(path, bytes.Replace(raw, []byte(`"total":1000`), []byte(`"total":1001`), 1), 0o600)
	if code, _, stderr := runCLI(t, "verify", path, "--sha256", leaf); code != 1 || !strings.Contains(stderr, "total 1001") {
		t.Fatalf("verify with the total rewritten: %d %q", code, stderr)
	}
	// Change one aunt of the path: the leaf no longer reaches the root.
	i := bytes.Index(raw, []byte(`"aunts":["`)) + len(`"aunts":["`)
	tampered := bytes.Clone(raw)
	tampered[i] ^= 1
	if tampered[i] > 'f' || (tampered[i] > '9' && tampered[i] < 'a') {
		tampered[i] = '0' + (tampered[i] & 7)
	}
	os.WriteFile(path, tampered, 0o600)
	if code, _, stderr := runCLI(t, "verify", path, "--sha256", leaf); code != 1 || !strings.Contains(stderr, "leaf") {
		t.Fatalf("verify tampered path: %d %q", code, stderr)
	}
}

// TestBatchOfOne: the one member of a batch has an empty path, written [],
// in its proof and its receipt, which verifies.
func TestBatchOfOne(t *testing.T) {
	n := startInProcess(t)
	sum := sha256.Sum256([]byte("the only record"))
	leaf := hex.EncodeToString(sum[:])
	req, _ := http.NewRequest("POST", n.url+"/api/v1/evidence/batches", strings.NewReader(`{"title":"one","hashes":["`+leaf+`"]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+n.token("notary"))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var anchored struct {
		Batch  int    `json:"batch"`
		TxHash string `json:"tx_hash"`
	}
	decodeBody(t, res, &anchored)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("anchor: %d %+v", res.StatusCode, anchored)
	}
	proofPath := fmt.Sprintf("/api/v1/evidence/batches/%d/proofs/%s", anchored.Batch, leaf)
	res, err = http.Get(n.url + proofPath)
	if err != nil {
		t.Fatal(err)
	}
	var proof map[string]json.RawMessage
	decodeBody(t, res, &proof)
	if string(proof["aunts"]) != "[]" || string(proof["total"]) != "1" {
		t.Fatalf("proof of a batch of one: aunts %s, total %s", proof["aunts"], proof["total"])
	}
	raw := pollReceipt(t, n, proofPath+"/receipt", anchored.TxHash)
	if !bytes.Contains(raw, []byte(`"aunts":[]`)) {
		t.Fatalf("receipt of a batch of one has no \"aunts\":[]: %s", raw)
	}
	path := filepath.Join(t.TempDir(), "one.json")
	os.WriteFile(path, raw, 0o600)
	if code, out, stderr := runCLI(t, "verify", path, "--sha256", leaf); code != 0 || !strings.Contains(out, "member 1 of 1") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, stderr)
	}
}

func decodeBody(t *testing.T, res *http.Response, v any) {
	t.Helper()
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("decode %s answer: %v", res.Request.URL.Path, err)
	}
}
