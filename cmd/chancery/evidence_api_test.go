package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// evidenceAnswer is what the evidence API answers, the fields the tests read.
type evidenceAnswer struct {
	ID      uint64 `json:"id"`
	SHA256  string `json:"sha256"`
	TxHash  string `json:"tx_hash"`
	Status  string `json:"status"`
	Found   bool   `json:"found"`
	Records []struct {
		ID uint64 `json:"id"`
	} `json:"records"`
	Existing *struct {
		ID uint64 `json:"id"`
	} `json:"existing"`
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func hexSum(content string) string {
	s := sha256.Sum256([]byte(content))
	return hex.EncodeToString(s[:])
}

// Every refusal of the evidence issue's "Bad input", through the real HTTP
// API of a node: each answers its status and a coded JSON error and changes
// nothing on chain.
func TestEvidenceAPIBadInput(t *testing.T) {
	t.Setenv("CHANCERY_BLOB_MAX_SIZE", "1024")
	n := startInProcess(t)
	notary, court, bank, author := n.token("notary"), n.token("court"), n.token("bank"), n.token("author1")

	deposit := func(token, sha string) (int, string, evidenceAnswer) {
		var ans evidenceAnswer
		code, body := n.do("POST", "/api/v1/evidence", token, jsonBody(map[string]any{"sha256": sha, "title": "contract scan"}), &ans)
		return code, body, ans
	}
	first := hexSum("the signed contract")
	code, body, dep := deposit(notary, first)
	if code != http.StatusCreated || dep.ID == 0 {
		t.Fatalf("deposit: %d %s", code, body)
	}
	heightAfterDeposit := n.height()

	for _, tc := range []struct {
		name, token, path string
		body              []byte
		status            int
		code              string
		mention           string // the message names it
	}{
		{"hash too short", notary, "/api/v1/evidence", jsonBody(map[string]any{"sha256": first[:63]}), 400, "evidence.invalid_hash", first[:63]},
		{"hash not hex", notary, "/api/v1/evidence", jsonBody(map[string]any{"sha256": strings.Repeat("zz", 32)}), 400, "evidence.invalid_hash", "64 hex"},
		{"no hash", notary, "/api/v1/evidence", jsonBody(map[string]any{"title": "x"}), 400, "evidence.invalid_hash", ""},
		{"unknown field", notary, "/api/v1/evidence", []byte(`{"sha256":"` + first + `","owner":"me"}`), 400, "http.bad_request", "owner"},
		{"bank lacks the depositor role", bank, "/api/v1/evidence", jsonBody(map[string]any{"sha256": hexSum("bank's file"), "title": "loan file"}), 403, "members.missing_role", "evidence.depositor"},
		{"no token", "", "/api/v1/evidence", jsonBody(map[string]any{"sha256": hexSum("anon")}), 401, "http.unauthorized", ""},
		{"verify a bad hash", court, "/api/v1/verify", jsonBody(map[string]any{"sha256": "abc"}), 400, "evidence.invalid_hash", "abc"},
		{"attest unknown evidence", author, "/api/v1/evidence/9999/attest", jsonBody(map[string]any{"statement": "seen"}), 404, "evidence.not_found", "9999"},
		{"custody of unknown evidence", notary, "/api/v1/evidence/9999/custody", jsonBody(map[string]any{"action": "received"}), 404, "evidence.not_found", "9999"},
		{"custody with an unknown action", notary, fmt.Sprintf("/api/v1/evidence/%d/custody", dep.ID), jsonBody(map[string]any{"action": "lost"}), 400, "evidence.invalid", "lost"},
		{"batch with a repeat", notary, "/api/v1/evidence/batches", []byte(hexSum("a") + "\n" + hexSum("b") + "\n" + hexSum("a") + "\n"), 400, "evidence.bad_batch", "line 3"},
		{"batch with a bad hash", notary, "/api/v1/evidence/batches", []byte(hexSum("a") + "\nnot-a-hash\n" + hexSum("c") + "\n"), 400, "evidence.bad_batch", "line 2"},
		{"batch over the limit", notary, "/api/v1/evidence/batches", overLimitBatch(), 400, "evidence.bad_batch", "line 100001"},
		{"empty batch", notary, "/api/v1/evidence/batches", nil, 400, "evidence.bad_batch", "empty"},
		// Only multipart files stream past the API's body limit (8 MiB).
		{"a JSON verify body over the limit", court, "/api/v1/verify", jsonBody(map[string]any{"sha256": strings.Repeat("a", 9<<20)}), 413, "http.too_large", ""},
		{"a JSON deposit body over the limit", notary, "/api/v1/evidence", jsonBody(map[string]any{"sha256": first, "title": strings.Repeat("a", 9<<20)}), 413, "http.too_large", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ans evidenceAnswer
			code, body := n.do("POST", tc.path, tc.token, tc.body, &ans)
			if code != tc.status || ans.Error.Code != tc.code || ans.Error.Message == "" || !strings.Contains(ans.Error.Message, tc.mention) {
				t.Fatalf("got %d %s, want %d %s mentioning %q", code, truncateStr(body, 300), tc.status, tc.code, tc.mention)
			}
		})
	}

	t.Run("the same hash again, in upper case, is 409 with the existing record", func(t *testing.T) {
		code, body, ans := deposit(notary, strings.ToUpper(first))
		if code != http.StatusConflict || ans.Error.Code != "evidence.duplicate" || ans.Existing == nil || ans.Existing.ID != dep.ID {
			t.Fatalf("got %d %s, want 409 naming evidence %d", code, body, dep.ID)
		}
	})

	t.Run("an oversized upload is 413 and puts nothing on chain", func(t *testing.T) {
		big := strings.Repeat("x", 2048)
		var ans evidenceAnswer
		code, body := n.upload("/api/v1/evidence", notary, map[string]string{"title": "too big"}, []byte(big), &ans)
		if code != http.StatusRequestEntityTooLarge || ans.Error.Code == "" {
			t.Fatalf("got %d %s, want 413", code, body)
		}
		code, body = n.do("POST", "/api/v1/verify", court, jsonBody(map[string]any{"sha256": hexSum(big)}), &ans)
		if code != http.StatusOK || ans.Found {
			t.Fatalf("verify the refused file: %d %s, want found false", code, body)
		}
	})

	t.Run("verify of an unknown hash is 200 with found false", func(t *testing.T) {
		var ans evidenceAnswer
		code, body := n.do("POST", "/api/v1/verify", court, jsonBody(map[string]any{"sha256": hexSum("never deposited")}), &ans)
		if code != http.StatusOK || ans.Found || len(ans.Records) != 0 {
			t.Fatalf("got %d %s", code, body)
		}
	})

	t.Run("verify by uploading the file finds the deposit", func(t *testing.T) {
		var ans evidenceAnswer
		code, body := n.upload("/api/v1/verify", court, nil, []byte("the signed contract"), &ans)
		if code != http.StatusOK || !ans.Found || len(ans.Records) != 1 || ans.Records[0].ID != dep.ID || ans.SHA256 != first {
			t.Fatalf("got %d %s", code, body)
		}
	})

	// None of the refusals above reached the chain: the deposit is still
	// the only record, with no attestation or custody entry.
	if h := n.height(); h < heightAfterDeposit {
		t.Fatalf("height went back: %d < %d", h, heightAfterDeposit)
	}
	var got struct {
		Attestations []any `json:"attestation_list"`
		Custody      []any `json:"custody_log"`
	}
	if code, body := n.do("GET", fmt.Sprintf("/api/v1/evidence/%d", dep.ID), notary, nil, &got); code != http.StatusOK || len(got.Attestations) != 0 || len(got.Custody) != 0 {
		t.Fatalf("evidence %d after the refusals: %d %s", dep.ID, code, body)
	}
	var list struct {
		Items []any `json:"items"`
	}
	if code, body := n.do("GET", "/api/v1/evidence", notary, nil, &list); code != http.StatusOK || len(list.Items) != 1 {
		t.Fatalf("the notary's evidence after the refusals: %d %s, want exactly the one deposit", code, truncateStr(body, 300))
	}

	t.Run("attest and custody on withdrawn evidence are 409", func(t *testing.T) {
		var ans txAnswer
		if code, body := n.do("POST", fmt.Sprintf("/api/v1/evidence/%d/withdraw", dep.ID), notary, jsonBody(map[string]any{"reason": "filed by mistake"}), &ans); code != http.StatusAccepted || ans.Status != "committed" {
			t.Fatalf("withdraw: %d %s", code, body)
		}
		for _, req := range []struct{ token, path, body string }{
			{author, "attest", `{"statement":"seen"}`},
			{notary, "custody", `{"action":"received"}`},
		} {
			var ans evidenceAnswer
			code, body := n.do("POST", fmt.Sprintf("/api/v1/evidence/%d/%s", dep.ID, req.path), req.token, []byte(req.body), &ans)
			if code != http.StatusConflict || ans.Error.Code != "evidence.withdrawn" {
				t.Errorf("%s on withdrawn evidence: %d %s, want 409 evidence.withdrawn", req.path, code, body)
			}
		}
	})

	// The node's metrics agree: one deposit and one withdrawal reached a
	// block, and every refusal was stopped before one.
	code, metrics := n.do("GET", "/metrics", "", nil)
	for _, want := range []string{
		`chancery_app_txs_total{module="evidence",result="committed",type="deposit"} 1`,
		`chancery_app_txs_total{module="evidence",result="committed",type="withdraw"} 1`,
		`chancery_app_txs_total{module="evidence",result="failed",type="deposit"} 0`,
		`chancery_app_txs_total{module="evidence",result="committed",type="attest"} 0`,
		`chancery_app_txs_total{module="evidence",result="failed",type="custody"} 0`,
		`chancery_app_txs_total{module="copyright",result="committed",type="register"} 0`,
	} {
		if code != http.StatusOK || !strings.Contains(metrics, want+"\n") {
			t.Errorf("/metrics (%d) lacks %q", code, want)
		}
	}
}

// overLimitBatch is a text batch of one hash more than a batch may hold.
func overLimitBatch() []byte {
	var b strings.Builder
	for i := range 100_001 {
		s := sha256.Sum256(fmt.Appendf(nil, "leaf %d", i))
		b.WriteString(hex.EncodeToString(s[:]))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

func truncateStr(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
