package financeweb_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/apps/finance/financeweb"
	"github.com/chancery/chancery/web/webtest"
)

// issueJSON is the JSON of an issue to user; amount and currency are
// written as given, so that a test may send anything.
func issueJSON(user, amount, currency, due string) string {
	return fmt.Sprintf(`{"supplier":%q,"amount":%s,"currency":%q,"due_date":%q,"invoice_sha256":%q,"contract_sha256":%q,"ref":"PO-9"}`,
		addr(user), amount, currency, due, hashOf("invoice"), hashOf("contract"))
}

func amountsJSON(amounts ...string) string {
	b, _ := json.Marshal(map[string][]string{"amounts": amounts})
	return string(b)
}

// TestAPIBadInput sends each bad input the issue lists, in order over the
// fixed history (block date 2026-04-01), and checks the status and the
// pinned error body: {"error":{"code":…,"message":…}} and nothing else.
func TestAPIBadInput(t *testing.T) {
	e := newEnv(t)
	e.history()
	hundred := make([]string, finance.MaxPieces+1)
	for i := range hundred {
		hundred[i] = "1.00"
	}
	r := "/api/v1/receivables"
	cases := []struct {
		name, user, method, path, body string
		status                         int
		code                           string // "" for a success
	}{
		// Issue: dates, currencies, amounts, overflow.
		{"due date in the past", "core", "POST", r, issueJSON("supplier", `"1000.00"`, "CNY", "2026-03-01"), 400, "finance.invalid_due_date"},
		{"due date today", "core", "POST", r, issueJSON("supplier", `"1000.00"`, "CNY", "2026-04-01"), 400, "finance.invalid_due_date"},
		{"due date not a date", "core", "POST", r, issueJSON("supplier", `"1000.00"`, "CNY", "01/05/2026"), 400, "finance.invalid_due_date"},
		{"unknown currency", "core", "POST", r, issueJSON("supplier", `"1000.00"`, "XYZ", "2026-06-30"), 400, "finance.unknown_currency"},
		{"retired currency", "core", "POST", r, issueJSON("supplier", `"1000.00"`, "DEM", "2026-06-30"), 400, "finance.unknown_currency"},
		{"over the maximum", "core", "POST", r, issueJSON("supplier", `"10000000000000.01"`, "CNY", "2026-06-30"), 400, "finance.overflow"},
		{"over int64", "core", "POST", r, issueJSON("supplier", `"92233720368547758.08"`, "CNY", "2026-06-30"), 400, "finance.overflow"},
		{"forty digits", "core", "POST", r, issueJSON("supplier", `"`+strings.Repeat("9", 40)+`"`, "CNY", "2026-06-30"), 400, "finance.overflow"},
		{"amount as a JSON number", "core", "POST", r, issueJSON("supplier", `10000000`, "CNY", "2026-06-30"), 400, "finance.invalid_amount"},
		{"amount huge JSON number", "core", "POST", r, issueJSON("supplier", `1e400`, "CNY", "2026-06-30"), 400, "finance.invalid_amount"},
		{"negative amount", "core", "POST", r, issueJSON("supplier", `"-5.00"`, "CNY", "2026-06-30"), 400, "finance.invalid_amount"},
		{"zero amount", "core", "POST", r, issueJSON("supplier", `"0.00"`, "CNY", "2026-06-30"), 400, "finance.invalid_amount"},
		{"three decimals of CNY", "core", "POST", r, issueJSON("supplier", `"1.001"`, "CNY", "2026-06-30"), 400, "finance.invalid_amount"},
		{"decimals of JPY", "core", "POST", r, issueJSON("supplier", `"1.5"`, "JPY", "2026-06-30"), 400, "finance.invalid_amount"},
		{"exponent", "core", "POST", r, issueJSON("supplier", `"1e5"`, "CNY", "2026-06-30"), 400, "finance.invalid_amount"},
		{"grouping", "core", "POST", r, issueJSON("supplier", `"100,000.00"`, "CNY", "2026-06-30"), 400, "finance.invalid_amount"},
		{"no documents", "core", "POST", r, fmt.Sprintf(`{"supplier":%q,"amount":"1.00","currency":"CNY","due_date":"2026-06-30"}`, addr("supplier")), 400, "finance.invalid_hash"},
		{"bad supplier address", "core", "POST", r, strings.Replace(issueJSON("supplier", `"1.00"`, "CNY", "2026-06-30"), addr("supplier").String(), "xyz", 1), 400, "finance.invalid_party"},
		{"issued to a bank", "core", "POST", r, issueJSON("bank", `"1.00"`, "CNY", "2026-06-30"), 400, "finance.not_supplier"},
		{"issued to a bank typed in capitals", "core", "POST", r, strings.Replace(issueJSON("bank", `"1.00"`, "CNY", "2026-06-30"), addr("bank").String(), strings.ToUpper(addr("bank").String()), 1), 400, "finance.not_supplier"},
		{"unknown field", "core", "POST", r, `{"amount_minor":100}`, 400, "http.bad_request"},
		{"issue without the role", "bank", "POST", r, issueJSON("supplier", `"1000.00"`, "CNY", "2026-06-30"), 403, "members.missing_role"},
		{"issue by a notary", "notary", "POST", r, issueJSON("supplier", `"1000.00"`, "CNY", "2026-06-30"), 403, "members.missing_role"},
		{"issue anonymously", "", "POST", r, issueJSON("supplier", `"1000.00"`, "CNY", "2026-06-30"), 401, "http.unauthorized"},
		{"issue on the invoice of #1", "core", "POST", r, strings.Replace(issueJSON("supplier", `"1000.00"`, "CNY", "2026-06-30"), hashOf("invoice").String(), hashOf("invoice PO-2026-001").String(), 1), 409, "finance.invoice_used"},

		// Split: sums, zero and negative pieces, too many.
		{"split not summing", "supplier", "POST", r + "/2/split", amountsJSON("30000.00", "20000.00"), 400, "finance.split_sum"},
		{"split over the piece", "supplier", "POST", r + "/2/split", amountsJSON("30000.00", "30000.01"), 400, "finance.split_sum"},
		{"split with a zero piece", "supplier", "POST", r + "/2/split", amountsJSON("60000.00", "0.00"), 400, "finance.invalid_amount"},
		{"split with a negative piece", "supplier", "POST", r + "/2/split", amountsJSON("70000.00", "-10000.00"), 400, "finance.invalid_amount"},
		{"split into one piece", "supplier", "POST", r + "/2/split", amountsJSON("60000.00"), 400, "finance.invalid_split"},
		{"split into too many pieces", "supplier", "POST", r + "/2/split", amountsJSON(hundred...), 400, "finance.invalid_split"},
		{"split overflowing", "supplier", "POST", r + "/2/split", amountsJSON("10000000000000.00", "10000000000000.00"), 400, "finance.overflow"},
		{"split with numbers", "supplier", "POST", r + "/2/split", `{"amounts":[3000000,3000000]}`, 400, "finance.invalid_amount"},
		{"split not as the holder", "subsupplier", "POST", r + "/2/split", amountsJSON("30000.00", "30000.00"), 403, "finance.not_holder"},
		{"split without the role", "bank", "POST", r + "/2/split", amountsJSON("30000.00", "30000.00"), 403, "members.missing_role"},
		{"split a closed piece", "supplier", "POST", r + "/1/split", amountsJSON("50000.00", "50000.00"), 409, "finance.closed"},
		{"split before accepting", "supplier", "POST", r + "/4/split", amountsJSON("20000.00", "5000.00"), 409, "finance.not_accepted"},
		{"split an unknown piece", "supplier", "POST", r + "/99/split", amountsJSON("1.00", "1.00"), 404, "finance.not_found"},
		{"split piece zero", "supplier", "POST", r + "/0/split", amountsJSON("1.00", "1.00"), 400, "finance.invalid"},

		// Transfers and financing.
		{"transfer not as the holder", "subsupplier", "POST", r + "/2/transfer", fmt.Sprintf(`{"to":%q}`, addr("subsupplier")), 403, "finance.not_holder"},
		{"transfer a closed piece", "supplier", "POST", r + "/1/transfer", fmt.Sprintf(`{"to":%q}`, addr("subsupplier")), 409, "finance.closed"},
		{"request financing twice", "subsupplier", "POST", r + "/3/financing", fmt.Sprintf(`{"bank":%q}`, addr("bank")), 409, "finance.financing_pending"},
		{"finance an overdue piece", "supplier", "POST", r + "/5/financing", fmt.Sprintf(`{"bank":%q}`, addr("bank")), 409, "finance.overdue"},
		{"quote an overdue piece", "bank", "GET", r + "/5/quote?rate_bps=365", "", 409, "finance.overdue"},
		{"quote without a rate", "bank", "GET", r + "/3/quote", "", 400, "finance.invalid_rate"},
		{"quote above 100 %", "bank", "GET", r + "/3/quote?rate_bps=10001", "", 400, "finance.invalid_rate"},
		{"quote a negative rate", "bank", "GET", r + "/3/quote?rate_bps=-1", "", 400, "finance.invalid_rate"},
		{"quote a bad date", "bank", "GET", r + "/3/quote?rate_bps=365&date=2026-02-30", "", 400, "finance.invalid"},
		{"approve without a rate", "bank", "POST", r + "/3/financing/approve", `{"payment_ref":"TT-1"}`, 400, "finance.invalid_rate"},
		{"approve as the seller", "subsupplier", "POST", r + "/3/financing/approve", `{"rate_bps":365,"payment_ref":"TT-1"}`, 403, "members.missing_role"},
		{"approve as another bank", "bank2", "POST", r + "/3/financing/approve", `{"rate_bps":365,"payment_ref":"TT-1"}`, 403, "finance.not_requested_bank"},
		{"withdraw as the bank", "bank", "POST", r + "/3/financing/withdraw", "", 403, "members.missing_role"},
		{"withdraw not as the holder", "supplier", "POST", r + "/3/financing/withdraw", "", 403, "finance.not_holder"},
		{"withdraw what was not requested", "supplier", "POST", r + "/5/financing/withdraw", `{"reason":"x"}`, 409, "finance.no_request"},
		{"withdraw with an unknown field", "subsupplier", "POST", r + "/3/financing/withdraw", `{"why":"x"}`, 400, "http.bad_request"},
		{"withdraw", "subsupplier", "POST", r + "/3/financing/withdraw", "", 200, ""},
		{"approve a withdrawn request", "bank", "POST", r + "/3/financing/approve", `{"rate_bps":365,"payment_ref":"TT-1"}`, 409, "finance.no_request"},
		{"request financing with a rate limit too high", "subsupplier", "POST", r + "/3/financing", fmt.Sprintf(`{"bank":%q,"max_rate_bps":10001}`, addr("bank")), 400, "finance.invalid_rate"},
		{"request financing again", "subsupplier", "POST", r + "/3/financing", fmt.Sprintf(`{"bank":%q,"max_rate_bps":365}`, addr("bank")), 200, ""},
		{"approve above the holder's limit", "bank", "POST", r + "/3/financing/approve", `{"rate_bps":366,"payment_ref":"TT-1"}`, 409, "finance.rate_above_limit"},
		{"approve", "bank", "POST", r + "/3/financing/approve", `{"rate_bps":365,"payment_ref":"TT-1"}`, 200, ""},
		{"approve twice", "bank", "POST", r + "/3/financing/approve", `{"rate_bps":365,"payment_ref":"TT-2"}`, 409, "finance.already_financed"},
		{"decline once financed", "bank", "POST", r + "/3/financing/decline", `{"reason":"changed our mind"}`, 409, "finance.already_financed"},
		{"quote a financed piece", "bank", "GET", r + "/3/quote?rate_bps=365", "", 409, "finance.already_financed"},
		{"transfer a financed piece", "subsupplier", "POST", r + "/3/transfer", fmt.Sprintf(`{"to":%q}`, addr("supplier")), 403, "finance.not_holder"},

		// Rejected and settled pieces do not move.
		{"cancel as the supplier", "supplier", "POST", r + "/4/cancel", `{"reason":"x"}`, 403, "members.missing_role"},
		{"cancel not as the issuer", "rival", "POST", r + "/4/cancel", `{"reason":"x"}`, 403, "finance.not_issuer"},
		{"cancel without a reason", "core", "POST", r + "/4/cancel", `{}`, 400, "finance.invalid"},
		{"cancel an accepted piece", "core", "POST", r + "/5/cancel", `{"reason":"x"}`, 409, "finance.already_accepted"},
		{"reject", "supplier", "POST", r + "/4/reject", `{"reason":"goods not delivered"}`, 200, ""},
		{"cancel a rejected piece", "core", "POST", r + "/4/cancel", `{"reason":"x"}`, 409, "finance.rejected"},
		{"accept a rejected piece", "supplier", "POST", r + "/4/accept", "", 409, "finance.rejected"},
		{"split a rejected piece", "supplier", "POST", r + "/4/split", amountsJSON("20000.00", "5000.00"), 409, "finance.rejected"},
		{"settle a rejected piece", "core", "POST", r + "/4/settle", `{"payment_ref":"PAY-1"}`, 409, "finance.rejected"},
		{"settle without the role", "supplier", "POST", r + "/2/settle", `{"payment_ref":"PAY-1"}`, 403, "members.missing_role"},
		{"settle not as the issuer", "rival", "POST", r + "/2/settle", `{"payment_ref":"PAY-1"}`, 403, "finance.not_issuer"},
		{"settle", "core", "POST", r + "/2/settle", `{"payment_ref":"PAY-1"}`, 200, ""},
		{"settle twice", "core", "POST", r + "/2/settle", `{"payment_ref":"PAY-2"}`, 409, "finance.settled"},
		{"transfer a settled piece", "supplier", "POST", r + "/2/transfer", fmt.Sprintf(`{"to":%q}`, addr("subsupplier")), 409, "finance.settled"},
		{"request financing of a settled piece", "supplier", "POST", r + "/2/financing", fmt.Sprintf(`{"bank":%q}`, addr("bank")), 409, "finance.settled"},

		// Queries.
		{"unknown piece", "bank", "GET", r + "/999", "", 404, "finance.not_found"},
		{"id not a number", "bank", "GET", r + "/abc", "", 400, "finance.invalid"},
		{"id with a sign", "bank", "GET", r + "/+1", "", 400, "finance.invalid"},
		{"limit zero", "supplier", "GET", r + "/held?limit=0", "", 400, "finance.invalid"},
		{"limit too large", "supplier", "GET", r + "/held?limit=201", "", 400, "finance.invalid"},
		{"unknown state", "supplier", "GET", r + "/held?state=paid", "", 400, "finance.invalid"},
		{"bad cursor", "supplier", "GET", r + "/held?after=zz", "", 400, "finance.invalid_cursor"},
		{"negative days", "core", "GET", r + "/due?days=-1", "", 400, "finance.invalid"},
		{"owed neither true nor false", "core", "GET", r + "/overdue?owed=maybe", "", 400, "finance.invalid"},
		{"receipt of what", "core", "GET", r + "/1/receipt?of=first", "", 400, "finance.invalid"},
	}
	for _, tc := range cases {
		var body map[string]json.RawMessage
		code, raw := e.API(tc.user, tc.method, tc.path, tc.body, &body)
		if code != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, code, tc.status, raw)
			continue
		}
		if tc.code == "" {
			continue
		}
		var detail struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		var fields map[string]any
		json.Unmarshal(body["error"], &detail)
		json.Unmarshal(body["error"], &fields)
		if len(body) != 1 || len(fields) != 2 || detail.Code != tc.code || detail.Message == "" {
			t.Errorf("%s: body %s, want {\"error\":{\"code\":%q,\"message\":…}}", tc.name, raw, tc.code)
		}
	}
	// Refused messages changed nothing: the piece 2 was settled whole, 3 is
	// the bank's, 5 is still overdue.
	if p := e.piece(2); p.State != finance.StateSettled || p.Settlement.PaymentRef != "PAY-1" {
		t.Errorf("piece 2 = %+v", p)
	}
	if p := e.piece(3); p.State != finance.StateFinanced || p.Financing.PaymentRef != "TT-1" || p.Holder != "bank" {
		t.Errorf("piece 3 = %+v", p)
	}
}

// TestAPIStory is the issue's story through the API: issue with files
// uploaded into the blob store, accept, split, transfer, financing with a
// quote that matches the chain's payout, listings, then settlement at
// maturity — the chain's date moved by the test, not by sleeping.
func TestAPIStory(t *testing.T) {
	e := newEnv(t)
	r := "/api/v1/receivables"

	// The core issues by multipart, with the invoice and the contract.
	rec := e.ServeAPI("core", webtest.NewMultipart(t, r, map[string]string{
		"supplier": addr("supplier").String(), "supplier_org": "supplier-1", "amount": "100000.00", "currency": "CNY",
		"due_date": "2026-06-30", "ref": "PO-2026-001",
	}, pdfs(map[string]string{"invoice": "INVOICE 0001", "contract": "FRAME CONTRACT"})...))
	var issued financeweb.WriteView
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &issued) != nil {
		t.Fatalf("issue: %d %s", rec.Code, rec.Body)
	}
	root := issued.Pieces[0]
	if issued.Action != finance.TypeIssue || root.ID != 1 || root.Amount != cny("100000.00") || root.AmountText != "100000.00" ||
		root.InvoiceSHA256 != hashOf("INVOICE 0001") || root.ContractSHA256 != hashOf("FRAME CONTRACT") || issued.Status != "committed" ||
		issued.ReceiptURL != "/api/v1/txs/"+issued.TxHash.String()+"/receipt" || root.URL != "/api/v1/receivables/1" {
		t.Fatalf("issued = %+v", issued)
	}
	for _, doc := range []string{"INVOICE 0001", "FRAME CONTRACT"} {
		if _, err := e.Blobs.Stat(t.Context(), hashOf(doc)); err != nil {
			t.Fatalf("document %q not in the blob store: %v", doc, err)
		}
	}
	step := func(user, path, body string) financeweb.WriteView {
		t.Helper()
		var v financeweb.WriteView
		if code, raw := e.API(user, "POST", r+path, body, &v); code != http.StatusOK {
			t.Fatalf("POST %s as %s: %d %s", path, user, code, raw)
		}
		return v
	}
	step("supplier", "/1/accept", "")
	split := step("supplier", "/1/split", amountsJSON("60000.00", "40000.00"))
	if got := []string{split.Pieces[1].AmountText, split.Pieces[2].AmountText}; split.Pieces[0].State != finance.StateSplit || !slices.Equal(got, []string{"60000.00", "40000.00"}) {
		t.Fatalf("split = %+v", split)
	}
	step("supplier", "/3/transfer", fmt.Sprintf(`{"to":%q,"to_org":"supplier-2"}`, addr("subsupplier")))
	step("subsupplier", "/3/financing", fmt.Sprintf(`{"bank":%q}`, addr("bank")))
	// And one by JSON, with an integer-looking amount: major units.
	var second financeweb.WriteView
	if code, body := e.API("core", "POST", r, issueJSON("supplier", `"5000"`, "CNY", "2026-02-28"), &second); code != 201 || second.Pieces[0].ID != 4 || second.Pieces[0].Amount != 500000 {
		t.Fatalf("JSON issue: %d %s", code, body)
	}

	var requests financeweb.PageView
	if code, body := e.API("bank", "GET", r+"/financing-requests", "", &requests); code != 200 || len(requests.Items) != 1 || requests.Items[0].ID != 3 {
		t.Fatalf("financing requests: %d %s", code, body)
	}
	// The bank previews on 2026-04-01, 90 days before maturity: 365.00 of
	// discount on 40,000.00 at 3.65 %, ACT/360.
	e.setDate(t, "2026-04-01")
	var quote financeweb.QuoteView
	if code, body := e.API("bank", "GET", r+"/3/quote?rate_bps=365", "", &quote); code != 200 || quote.Days != 90 ||
		quote.DiscountText != "365.00" || quote.PayoutText != "39635.00" || quote.Date != date("2026-04-01") {
		t.Fatalf("quote: %d %s", code, body)
	}
	var later financeweb.QuoteView
	if code, body := e.API("bank", "GET", r+"/3/quote?rate_bps=365&date=2026-05-31", "", &later); code != 200 || later.Days != 30 || later.PayoutText != "39878.33" {
		t.Fatalf("quote for 2026-05-31: %d %s", code, body) // 4,000,000 × 365 × 30 / 3,600,000 = 12,166.67 → 121.67
	}
	approved := step("bank", "/3/financing/approve", `{"rate_bps":365,"payment_ref":"BANK-TT-0401"}`)
	if f := approved.Pieces[0].Financing; f.Payout != quote.Payout || f.Discount != quote.Discount || approved.Pieces[0].Holder != "bank" {
		t.Fatalf("approved %+v, quoted %+v", f, quote)
	}

	list := func(user, path string) []finance.ID {
		t.Helper()
		var page financeweb.PageView
		if code, body := e.API(user, "GET", r+path, "", &page); code != 200 {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		var ids []finance.ID
		for _, p := range page.Items {
			ids = append(ids, p.ID)
		}
		return ids
	}
	if got := list("supplier", "/held?state=accepted"); !slices.Equal(got, []finance.ID{2}) {
		t.Errorf("supplier's accepted pieces: %v", got)
	}
	if got := list("supplier", "/held"); !slices.Equal(got, []finance.ID{4, 2, 1}) {
		t.Errorf("supplier's pieces: %v", got)
	}
	if got := list("core", "/issued"); !slices.Equal(got, []finance.ID{4, 1}) {
		t.Errorf("issued: %v", got)
	}
	if got := list("bank", "/held?state=financed"); !slices.Equal(got, []finance.ID{3}) {
		t.Errorf("bank's portfolio: %v", got)
	}
	// Receivable 4 fell due on 2026-02-28, unaccepted: nobody's overdue.
	// 2 and 3 fall due within 90 days of 2026-04-01, not within 30.
	if got := list("core", "/due?days=90"); !slices.Equal(got, []finance.ID{2, 3}) {
		t.Errorf("due within 90 days: %v", got)
	}
	if got := list("core", "/due"); len(got) != 0 {
		t.Errorf("due within 30 days: %v", got)
	}
	// Paging: one at a time.
	var page financeweb.PageView
	e.API("core", "GET", r+"/due?days=90&limit=1", "", &page)
	if len(page.Items) != 1 || page.Next == "" {
		t.Fatalf("first page %+v", page)
	}
	e.API("core", "GET", r+"/due?days=90&limit=1&after="+page.Next, "", &page)
	if len(page.Items) != 1 || page.Items[0].ID != 3 {
		t.Fatalf("second page %+v", page)
	}

	var lineage financeweb.LineageView
	if code, body := e.API("notary", "GET", r+"/3", "", &lineage); code != 200 || lineage.Piece.ID != 3 || len(lineage.Ancestors) != 1 ||
		lineage.Ancestors[0].ID != 1 || lineage.Piece.Financing == nil {
		t.Fatalf("lineage of 3: %d %s", code, body)
	}
	var tree financeweb.TreeView
	if code, body := e.API("bank", "GET", r+"/2/tree", "", &tree); code != 200 || tree.Root != 1 || len(tree.Pieces) != 3 {
		t.Fatalf("tree: %d %s", code, body)
	}

	// Maturity: the day after, the pieces are overdue for their holders;
	// then the core settles the receivable, every piece to its holder.
	e.setDate(t, "2026-07-01")
	if got := list("bank", "/overdue"); !slices.Equal(got, []finance.ID{3}) {
		t.Errorf("bank's overdue: %v", got)
	}
	if got := list("supplier", "/overdue"); !slices.Equal(got, []finance.ID{2}) {
		t.Errorf("supplier's overdue: %v", got)
	}
	// The core enterprise owes both, whoever holds them.
	if got := list("core", "/overdue?owed=true"); !slices.Equal(got, []finance.ID{2, 3}) {
		t.Errorf("core's overdue obligations: %v", got)
	}
	if got := list("core", "/overdue"); len(got) != 0 {
		t.Errorf("core holds nothing overdue, yet: %v", got)
	}
	settled := step("core", "/1/settle", `{"payment_ref":"CORE-PAY-0630"}`)
	var paid finance.Amount
	for _, p := range settled.Pieces {
		paid += p.Amount
		if p.Overdue || p.State != finance.StateSettled {
			t.Errorf("settled piece %+v", p)
		}
	}
	if paid != root.Amount || settled.Pieces[1].Settlement.PaidTo != "bank" {
		t.Fatalf("settled %+v", settled.Pieces)
	}
	if got := list("bank", "/overdue"); len(got) != 0 {
		t.Errorf("overdue after settlement: %v", got)
	}
	if got := list("core", "/overdue?owed=1"); len(got) != 0 {
		t.Errorf("overdue obligations after settlement: %v", got)
	}
	// The fake chain serves no receipts: the receipt endpoint says so.
	if code, body := e.API("core", "GET", r+"/1/receipt", "", nil...); code != http.StatusServiceUnavailable || !strings.Contains(body, "chain.receipts_unavailable") {
		t.Errorf("receipt: %d %s", code, body)
	}
}
