package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// workAnswer is what the copyright API answers, the fields the tests read.
type workAnswer struct {
	ID         uint64    `json:"id"`
	SHA256     string    `json:"sha256"`
	TxHash     string    `json:"tx_hash"`
	Status     string    `json:"status"`
	Height     int64     `json:"height"`
	Time       time.Time `json:"time"`
	ReceiptURL string    `json:"receipt_url"`
	URL        string    `json:"url"`
	Error      struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Original *struct {
		ID         uint64    `json:"id"`
		Title      string    `json:"title"`
		Org        string    `json:"org"`
		OrgName    string    `json:"org_name"`
		Registrant string    `json:"registrant"`
		Height     int64     `json:"height"`
		Time       time.Time `json:"time"`
		TxHash     string    `json:"tx_hash"`
		URL        string    `json:"url"`
	} `json:"original"`
	Conflicting *struct {
		ID     uint64 `json:"id"`
		Scope  string `json:"scope"`
		Status string `json:"status"`
	} `json:"conflicting"`
}

// upload posts a file with form fields to path as multipart.
func (n *apiNode) upload(path, token string, fields map[string]string, content []byte, out any) (int, string) {
	n.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", "work.bin")
	fw.Write(content)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, n.url+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, out); err != nil {
		n.t.Fatalf("POST %s: decode %s: %v", path, b, err)
	}
	return res.StatusCode, string(b)
}

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// TestCopyrightAPI drives /api/v1/works through a node: registration by
// upload and by hash, the refusals the issue lists with their statuses and
// bodies, transfers, licenses, disputes, search, and a receipt that
// `chancery verify` accepts.
func TestCopyrightAPI(t *testing.T) {
	n := startInProcess(t)
	author1, author2, arbiter := n.token("author1"), n.token("author2"), n.token("arbiter")
	var me1, me2 struct {
		Address string `json:"address"`
	}
	n.do("GET", "/api/v1/me", author1, nil, &me1)
	n.do("GET", "/api/v1/me", author2, nil, &me2)

	content := []byte("Ode to Joy, the score")
	sum := sha256.Sum256(content)
	fields := map[string]string{"title": "Ode to Joy", "kind": "audio", "created": "2025-06-01", "authors": "Ada Lovelace\nCharles Babbage"}

	// author1 registers the file: 201 with the work id and tx hash.
	var first workAnswer
	if code, body := n.upload("/api/v1/works?sha256="+hex.EncodeToString(sum[:]), author1, fields, content, &first); code != http.StatusCreated ||
		first.ID != 1 || first.Status != "committed" || first.SHA256 != hex.EncodeToString(sum[:]) || len(first.TxHash) != 64 || first.URL != "/works/1" {
		t.Fatalf("register: %d %s", code, body)
	}

	// Re-registration, by upload or by hash, by anyone: 409 with the original.
	for _, tc := range []struct {
		name string
		send func(out *workAnswer) (int, string)
	}{
		{"upload", func(out *workAnswer) (int, string) {
			return n.upload("/api/v1/works", author2, map[string]string{"title": "Mine", "kind": "text", "created": "2025-01-01", "authors": "Me"}, content, out)
		}},
		{"hash", func(out *workAnswer) (int, string) {
			return n.do("POST", "/api/v1/works", author2, jsonBody(map[string]any{
				"sha256": strings.ToUpper(hex.EncodeToString(sum[:])), "title": "Mine", "kind": "text", "created": "2025-01-01", "authors": []any{map[string]string{"name": "Me"}},
			}), out)
		}},
		{"same registrant", func(out *workAnswer) (int, string) {
			return n.upload("/api/v1/works", author1, fields, content, out)
		}},
	} {
		t.Run("re-registration by "+tc.name, func(t *testing.T) {
			var dup workAnswer
			code, body := tc.send(&dup)
			o := dup.Original
			if code != http.StatusConflict || dup.Error.Code != "copyright.duplicate" || o == nil || o.ID != 1 || o.Title != "Ode to Joy" ||
				o.Org != "author-a" || o.OrgName != "Author A Studio" || o.Registrant != me1.Address || o.Height != first.Height || !o.Time.Equal(first.Time) ||
				o.TxHash != first.TxHash || o.URL != "/works/1" {
				t.Fatalf("got %d %s", code, body)
			}
		})
	}

	// Work 2, by hash, held by both authors.
	hash2 := sha256.Sum256([]byte("Second symphony"))
	register2 := func(holders []map[string]any) (int, string, workAnswer) {
		var ans workAnswer
		code, body := n.do("POST", "/api/v1/works", author2, jsonBody(map[string]any{
			"sha256": hex.EncodeToString(hash2[:]), "title": "Second", "kind": "audio", "created": "2025-02-01",
			"authors": []any{map[string]string{"name": "B"}}, "holders": holders,
		}), &ans)
		return code, body, ans
	}
	holders := func(s1, s2 int64) []map[string]any {
		return []map[string]any{{"account": me2.Address, "shares": s1, "name": "B Publishing"}, {"account": me1.Address, "shares": s2}}
	}
	for _, tc := range []struct {
		name   string
		s1, s2 int64
	}{{"shares under 10,000", 5000, 4999}, {"shares over 10,000", 6000, 5000}, {"a zero share", 10000, 0}, {"a negative share", 10001, -1}} {
		t.Run(tc.name, func(t *testing.T) {
			if code, body, ans := register2(holders(tc.s1, tc.s2)); code != http.StatusBadRequest || ans.Error.Code != "copyright.bad_shares" {
				t.Fatalf("got %d %s", code, body)
			}
		})
	}
	if code, body, ans := register2(holders(5000, 5000)); code != http.StatusCreated || ans.ID != 2 {
		t.Fatalf("register work 2: %d %s", code, body)
	}

	// An evidence deposit for disputes to cite.
	var dep struct {
		ID uint64 `json:"id"`
	}
	proof := sha256.Sum256([]byte("draft of 2024"))
	if code, body := n.do("POST", "/api/v1/evidence", author2, jsonBody(map[string]any{"sha256": hex.EncodeToString(proof[:]), "title": "draft"}), &dep); code != http.StatusCreated {
		t.Fatalf("deposit: %d %s", code, body)
	}

	license := func(exclusive bool, scope, territory, start, end string) []byte {
		return jsonBody(map[string]any{"licensee_org": "author-b", "scope": scope, "territory": territory, "start": start, "end": end, "exclusive": exclusive})
	}
	var granted txAnswer
	if code, body := n.do("POST", "/api/v1/works/1/licenses", author1, license(true, "print", "FR", "2026-01-01", "2099-01-01"), &granted); code != http.StatusAccepted || granted.Status != "committed" {
		t.Fatalf("grant: %d %s", code, body)
	}

	// The refusals of the issue, each with its status and code.
	for _, tc := range []struct {
		name, token, path string
		body              []byte
		status            int
		code              string
	}{
		{"transfer by a non-holder", author2, "/api/v1/works/1/transfer",
			jsonBody(map[string]any{"holders": []any{map[string]any{"account": me2.Address, "shares": 10000}}}), 403, "copyright.not_holder"},
		{"license by a non-holder", author2, "/api/v1/works/1/licenses", license(false, "web", "worldwide", "2026-01-01", "2099-01-01"), 403, "copyright.not_holder"},
		{"license ending before it starts", author1, "/api/v1/works/1/licenses", license(false, "web", "worldwide", "2099-01-01", "2098-01-01"), 400, "copyright.bad_dates"},
		{"license ending as it starts", author1, "/api/v1/works/1/licenses", license(false, "web", "worldwide", "2099-01-01", "2099-01-01"), 400, "copyright.bad_dates"},
		{"dispute citing no deposit", author2, "/api/v1/works/1/disputes", jsonBody(map[string]any{"evidence": 9999, "claim": "mine"}), 400, "copyright.unknown_evidence"},
		{"dispute citing nothing", author2, "/api/v1/works/1/disputes", jsonBody(map[string]any{"claim": "mine"}), 400, "copyright.unknown_evidence"},
		{"unknown field", author1, "/api/v1/works/1/licenses", []byte(`{"scope":"x","royalty":5}`), 400, "http.bad_request"},
		{"no token", "", "/api/v1/works/1/disputes", jsonBody(map[string]any{"evidence": dep.ID, "claim": "mine"}), 401, "http.unauthorized"},
		{"resolve of no dispute", arbiter, "/api/v1/works/1/disputes/1/resolve", jsonBody(map[string]any{"outcome": "upheld", "reasoning": "x"}), 404, "copyright.dispute_not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ans workAnswer
			code, body := n.do("POST", tc.path, tc.token, tc.body, &ans)
			if code != tc.status || ans.Error.Code != tc.code || ans.Error.Message == "" {
				t.Fatalf("got %d %s, want %d %s", code, body, tc.status, tc.code)
			}
		})
	}

	// An exclusive license overlapping license 1 is refused naming it.
	t.Run("overlapping exclusive license", func(t *testing.T) {
		var ans workAnswer
		code, body := n.do("POST", "/api/v1/works/1/licenses", author1, license(true, "Print", "worldwide", "2030-01-01", "2031-01-01"), &ans)
		if code != http.StatusConflict || ans.Error.Code != "copyright.license_conflict" || !strings.Contains(ans.Error.Message, "license 1 ") ||
			ans.Conflicting == nil || ans.Conflicting.ID != 1 || ans.Conflicting.Scope != "print" || ans.Conflicting.Status != "active" {
			t.Fatalf("got %d %s", code, body)
		}
	})

	// A dispute citing the deposit; the arbiter dismisses it.
	var opened, tr txAnswer
	if code, body := n.do("POST", "/api/v1/works/1/disputes", author2, jsonBody(map[string]any{"evidence": dep.ID, "claim": "I wrote it in 2024"}), &opened); code != 202 || opened.Status != "committed" {
		t.Fatalf("open dispute: %d %s", code, body)
	}
	if code, body := n.do("POST", "/api/v1/works/1/disputes/1/resolve", author1, jsonBody(map[string]any{"outcome": "upheld", "reasoning": "x"}), &tr); code != 403 || tr.Error.Code != "members.missing_role" {
		t.Fatalf("resolve by a non-arbiter: %d %s", code, body)
	}
	if code, body := n.do("POST", "/api/v1/works/2/disputes/1/resolve", arbiter, jsonBody(map[string]any{"outcome": "dismissed", "reasoning": "x"})); code != 404 {
		t.Fatalf("resolve through another work: %d %s", code, body)
	}
	if code, body := n.do("POST", "/api/v1/works/1/disputes/1/resolve", arbiter, jsonBody(map[string]any{"outcome": "dismissed", "reasoning": "The draft differs."}), &opened); code != 202 || opened.Status != "committed" {
		t.Fatalf("resolve: %d %s", code, body)
	}

	// Work 2's holders transfer it: a proposal pending until both approve.
	if code, body := n.do("POST", "/api/v1/works/2/transfer", author2, jsonBody(map[string]any{
		"holders": []any{map[string]any{"account": me2.Address, "shares": 10000, "name": "B Publishing"}}, "note": "buy-out",
	}), &tr); code != 202 || tr.Status != "committed" {
		t.Fatalf("propose: %d %s", code, body)
	}
	if code, body := n.do("POST", "/api/v1/works/2/transfer/1/approve", author1, nil, &tr); code != 202 || tr.Status != "committed" {
		t.Fatalf("approve: %d %s", code, body)
	}
	if code, body := n.do("POST", "/api/v1/works/2/transfer/1/reject", author2, nil, &tr); code != 409 || tr.Error.Code != "copyright.no_transfer" {
		t.Fatalf("reject a completed transfer: %d %s", code, body)
	}
	// The reason is optional whether an empty body is announced
	// (Content-Length: 0, above) or not (chunked).
	req, _ := http.NewRequest("POST", n.url+"/api/v1/works/2/transfer/1/reject", io.MultiReader())
	req.Header.Set("Authorization", "Bearer "+author2)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	tr.Error.Code = ""
	if decodeBody(t, res, &tr); res.StatusCode != 409 || tr.Error.Code != "copyright.no_transfer" {
		t.Fatalf("reject with a chunked empty body: %d %+v", res.StatusCode, tr)
	}

	var w1 struct {
		Licenses []struct {
			ID     uint64 `json:"id"`
			Status string `json:"status"`
		} `json:"licenses"`
		Disputes []struct {
			Status string `json:"status"`
		} `json:"disputes"`
		History []struct {
			Action string `json:"action"`
		} `json:"history"`
		At time.Time `json:"at"`
	}
	if code, body := n.do("GET", "/api/v1/works/1", "", nil, &w1); code != 200 || len(w1.Licenses) != 1 || w1.Licenses[0].Status != "active" ||
		len(w1.Disputes) != 1 || w1.Disputes[0].Status != "dismissed" || len(w1.History) != 4 || w1.At.Before(first.Time) {
		t.Fatalf("work 1: %d %s", code, body)
	}
	var w2 struct {
		Holders []struct {
			Account string `json:"account"`
			Shares  int64  `json:"shares"`
		} `json:"holders"`
	}
	if code, body := n.do("GET", "/api/v1/works/2", "", nil, &w2); code != 200 || len(w2.Holders) != 1 || w2.Holders[0].Account != me2.Address {
		t.Fatalf("work 2 after the transfer: %d %s", code, body)
	}

	// Public search and lookup, bounded.
	for _, q := range []struct {
		path   string
		status int
		want   string
	}{
		{"/api/v1/works?q=ode+lovelace", 200, `"id":1`},
		{"/api/v1/works?q=" + hex.EncodeToString(sum[:]), 200, `"id":1`},
		{"/api/v1/works?holder=" + me2.Address, 200, `"id":2`},
		{"/api/v1/works/by-hash/" + hex.EncodeToString(sum[:]), 200, `"receipt_url":"/api/v1/txs/` + first.TxHash},
		{"/api/v1/works/by-hash/" + strings.Repeat("0", 64), 404, "copyright.not_found"},
		{"/api/v1/works?q=" + strings.Repeat("x", 101), 400, "copyright.bad_query"},
		{"/api/v1/works", 400, "copyright.bad_query"},
		{"/api/v1/works?q=ode&limit=1000", 400, "copyright.bad_query"},
		{"/api/v1/works/0", 400, "copyright.invalid"},
		{"/api/v1/works/77", 404, "copyright.not_found"},
	} {
		if code, body := n.do("GET", q.path, "", nil); code != q.status || !strings.Contains(body, q.want) {
			t.Errorf("GET %s: %d %s, want %d with %s", q.path, code, body, q.status, q.want)
		}
	}

	// The registration's receipt proves the file's hash offline.
	raw := pollReceipt(t, n, first.ReceiptURL, first.TxHash)
	dir := t.TempDir()
	receiptFile, file := filepath.Join(dir, "receipt.json"), filepath.Join(dir, "ode.txt")
	os.WriteFile(receiptFile, raw, 0o600)
	os.WriteFile(file, content, 0o600)
	if code, out, stderr := runCLI(t, "verify", receiptFile, "--file", file); code != 0 || !strings.Contains(out, "copyright/register") {
		t.Fatalf("verify --file: %d %s %s", code, out, stderr)
	}
	if code, _, stderr := runCLI(t, "verify", receiptFile, "--sha256", fmt.Sprintf("%x", hash2)); code != 1 || !strings.Contains(stderr, "sha256") {
		t.Fatalf("verify another hash: %d %s", code, stderr)
	}
}
