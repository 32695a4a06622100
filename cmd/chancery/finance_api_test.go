package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/apps/finance/financeweb"
	"github.com/chancery/chancery/chain/node"
)

// financeParties are the demo's finance users: their API tokens and
// account addresses.
type financeParties struct {
	token, addr map[string]string
}

func demoFinanceParties(t *testing.T, n *apiNode) financeParties {
	t.Helper()
	p := financeParties{token: map[string]string{}, addr: map[string]string{}}
	for _, u := range []string{"core", "supplier", "subsupplier", "bank", "court"} {
		p.token[u] = n.token(u)
		var me struct {
			Address string `json:"address"`
		}
		if code, body := n.do("GET", "/api/v1/me", p.token[u], nil, &me); code != http.StatusOK {
			t.Fatalf("me as %s: %d %s", u, code, body)
		}
		p.addr[u] = me.Address
	}
	return p
}

// TestFinanceAPI runs the issue's story through the JSON API of a real
// node started on the demo home, with the bad inputs the issue lists on
// the way, and checks a settlement's receipt with chancery verify.
//
// Clock: the real node's block time is CometBFT's, the wall clock; the test
// does not wait for the due date. It settles before maturity, which the
// state machine allows (settlement may come early or late). Settling after
// the due date, and overdue listings, are tested where block time is the
// test's: apps/finance (chaintest, TestScenario and TestOverdue) and
// apps/finance/financeweb (TestPagesStory, TestAPIStory).
func TestFinanceAPI(t *testing.T) {
	n := startInProcess(t)
	p := demoFinanceParties(t, n)
	r := "/api/v1/receivables"
	due := finance.DateOf(time.Now()).AddDays(90).String()

	post := func(user, path string, body any, status int, code string) financeweb.WriteView {
		t.Helper()
		b, ok := body.(string)
		if !ok {
			raw, _ := json.Marshal(body)
			b = string(raw)
		}
		var v financeweb.WriteView
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		got, raw := n.do("POST", path, p.token[user], []byte(b))
		json.Unmarshal([]byte(raw), &v)
		json.Unmarshal([]byte(raw), &e)
		if got != status || e.Error.Code != code || (code != "" && e.Error.Message == "") {
			t.Fatalf("POST %s as %s: %d %s; want %d %q", path, user, got, raw, status, code)
		}
		return v
	}
	issue := map[string]string{
		"supplier": p.addr["supplier"], "supplier_org": "supplier-1", "amount": "100000.00", "currency": "CNY", "due_date": due,
		"invoice_sha256": strings.Repeat("ab", 32), "contract_sha256": strings.Repeat("cd", 32), "ref": "PO-API-1",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range issue {
			m[a] = b
		}
		m[k] = v
		return m
	}
	post("core", r, with("due_date", finance.DateOf(time.Now()).AddDays(-1).String()), 400, "finance.invalid_due_date")
	post("core", r, with("currency", "XYZ"), 400, "finance.unknown_currency")
	post("core", r, with("amount", "92233720368547758.08"), 400, "finance.overflow")
	post("core", r, strings.Replace(mustJSON(issue), `"100000.00"`, `10000000`, 1), 400, "finance.invalid_amount")
	post("bank", r, issue, 403, "members.missing_role")

	root := post("core", r, issue, 201, "").Pieces[0]
	if root.AmountText != "100000.00" || root.Amount != 10_000_000 || root.Holder != "supplier-1" {
		t.Fatalf("issued %+v", root)
	}
	id := func(x finance.ID) string { return r + "/" + x.String() }
	post("supplier", id(root.ID)+"/accept", "", 200, "")
	post("supplier", id(root.ID)+"/split", `{"amounts":["60000.00","30000.00"]}`, 400, "finance.split_sum")
	post("supplier", id(root.ID)+"/split", `{"amounts":["100000.00","0.00"]}`, 400, "finance.invalid_amount")
	post("subsupplier", id(root.ID)+"/split", `{"amounts":["60000.00","40000.00"]}`, 403, "finance.not_holder")
	split := post("supplier", id(root.ID)+"/split", `{"amounts":["60000.00","40000.00"]}`, 200, "")
	first, second := split.Pieces[1], split.Pieces[2]
	if first.AmountText != "60000.00" || second.AmountText != "40000.00" {
		t.Fatalf("split into %+v", split.Pieces)
	}
	post("supplier", id(root.ID)+"/split", `{"amounts":["50000.00","50000.00"]}`, 409, "finance.closed")
	post("supplier", id(second.ID)+"/transfer", map[string]string{"to": p.addr["subsupplier"], "to_org": "supplier-2"}, 200, "")
	post("subsupplier", id(second.ID)+"/financing", map[string]string{"bank": p.addr["bank"]}, 200, "")

	var quote financeweb.QuoteView
	if code, body := n.do("GET", id(second.ID)+"/quote?rate_bps=365", p.token["bank"], nil, &quote); code != 200 || quote.Days < 89 || quote.Days > 91 {
		t.Fatalf("quote: %d %s", code, body)
	}
	financed := post("bank", id(second.ID)+"/financing/approve", `{"rate_bps":365,"payment_ref":"BANK-TT-1"}`, 200, "").Pieces[0]
	want, _ := finance.QuoteFinancing(second.Amount, 365, financed.Financing.Date, second.DueDate)
	if financed.Financing.Payout != want.Payout || financed.Holder != "bank" {
		t.Fatalf("financed %+v, want payout %d", financed.Financing, want.Payout)
	}
	post("bank", id(second.ID)+"/financing/approve", `{"rate_bps":365,"payment_ref":"BANK-TT-2"}`, 409, "finance.already_financed")

	settled := post("core", id(root.ID)+"/settle", `{"payment_ref":"CORE-PAY-1"}`, 200, "")
	if len(settled.Pieces) != 2 || settled.Pieces[0].Settlement.PaidTo != "supplier-1" || settled.Pieces[1].Settlement.PaidTo != "bank" {
		t.Fatalf("settled %+v", settled.Pieces)
	}
	post("supplier", id(first.ID)+"/transfer", map[string]string{"to": p.addr["subsupplier"]}, 409, "finance.settled")

	// The settlement's receipt, once the next block is committed, verifies
	// offline against the genesis validators.
	receipt := fetchReceipt(t, n, settled.TxHash.String())
	file := filepath.Join(t.TempDir(), "receipt.json")
	if err := os.WriteFile(file, receipt, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runVerify([]string{file, "--genesis", filepath.Join(n.home, node.GenesisFile)}, &out); err != nil {
		t.Fatalf("chancery verify: %v\n%s", err, out.String())
	}
	if s := out.String(); !strings.Contains(s, "OK  receipt verified") || !strings.Contains(s, "finance/settle") || !strings.Contains(s, `"payment_ref":"CORE-PAY-1"`) {
		t.Fatalf("chancery verify printed:\n%s", s)
	}
	// And the piece's own receipt link serves the same.
	if code, _ := n.do("GET", id(second.ID)+"/receipt", p.token["court"], nil); code != http.StatusOK {
		t.Errorf("receipt of piece %d: %d", second.ID, code)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return string(b)
}
