package web_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/receipt"
	"github.com/chancery/chancery/chain/receipt/receipttest"
	"github.com/chancery/chancery/web"
)

// receiptFake is a web.Chain over a made-up CometBFT chain: only what the
// receipt endpoint calls is implemented.
type receiptFake struct {
	web.Chain
	src     *receipttest.Chain
	results map[chain.Hash]*chain.TxResult
	pending map[chain.Hash]bool
}

func (f *receiptFake) TxResult(h chain.Hash) (*chain.TxResult, bool, error) {
	r, ok := f.results[h]
	return r, ok, nil
}
func (f *receiptFake) Pending(h chain.Hash) bool     { return f.pending[h] }
func (f *receiptFake) ReceiptSource() receipt.Source { return f.src }

func TestReceiptEndpoint(t *testing.T) {
	f := &receiptFake{src: receipttest.New("web-test", "v0"), results: map[chain.Hash]*chain.TxResult{}, pending: map[chain.Hash]bool{}}
	tx := []byte("a transaction")
	hash := chain.SumHash(tx)
	h := f.src.AddBlock([][]byte{tx}, nil)
	f.results[hash] = &chain.TxResult{Hash: hash, Height: h, Index: 0}
	pendingHash := chain.SumHash([]byte("in the mempool"))
	f.pending[pendingHash] = true
	srv := web.New(web.DefaultConfig(), web.Deps{Chain: f, Logger: slog.New(slog.DiscardHandler)})

	get := func(hash string) (*http.Response, []byte) {
		t.Helper()
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/txs/"+hash+"/receipt", nil))
		res := rec.Result()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}

	// Committed, but the next block is not: 202 with a retry hint.
	res, body := get(hash.String())
	var pending web.PendingReceiptView
	if err := json.Unmarshal(body, &pending); err != nil {
		t.Fatalf("202 body %s: %v", body, err)
	}
	if res.StatusCode != http.StatusAccepted || res.Header.Get("Retry-After") != "1" ||
		pending != (web.PendingReceiptView{Hash: hash, Status: "pending_receipt", RetryAfterSeconds: 1}) {
		t.Fatalf("before the next block: %d Retry-After=%q %s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}

	// A request made while the next block is on its way waits for it and
	// answers the receipt, so a download link clicked right after a deposit
	// saves the receipt rather than the 202 answer.
	type answer struct {
		status int
		body   []byte
	}
	got := make(chan answer, 1)
	go func() {
		res, body := get(hash.String())
		got <- answer{res.StatusCode, body}
	}()
	time.Sleep(300 * time.Millisecond) // the request is waiting
	f.src.AddBlock(nil, nil)
	if a := <-got; a.status != http.StatusOK {
		t.Fatalf("a request waiting for the next block: %d %s, want 200 with the receipt", a.status, a.body)
	}

	// Once the next block exists: 200 with a receipt that verifies.
	res, body = get(hash.String())
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("after the next block: %d %s", res.StatusCode, body)
	}
	r, err := receipt.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := receipt.Verify(r, nil); err != nil || p.TxHash != hash {
		t.Fatalf("served receipt: %+v %v", p, err)
	}

	for _, tc := range []struct {
		hash   string
		status int
		code   string
	}{
		{pendingHash.String(), http.StatusNotFound, "chain.tx_not_found"},
		{chain.SumHash([]byte("never seen")).String(), http.StatusNotFound, "chain.tx_not_found"},
		{"xyz", http.StatusBadRequest, "http.bad_hash"},
	} {
		res, body := get(tc.hash)
		var e web.ErrorBody
		if err := json.Unmarshal(body, &e); err != nil || res.StatusCode != tc.status || e.Error.Code != tc.code {
			t.Errorf("receipt of %s: %d %s, want %d %s", tc.hash, res.StatusCode, body, tc.status, tc.code)
		}
	}
}
