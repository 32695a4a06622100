package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/apps/finance/financeweb"
	"github.com/chancery/chancery/apps/finance/financeweb/financewebtest"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/web/webtest"
)

// TestFinanceBrowser is the issue's story in headless Chromium, four demo
// users each in a browser session of their own, through the pages' plain
// forms: the core enterprise issues 100,000.00 with its invoice and
// contract; the supplier accepts, splits 60,000.00 / 40,000.00 and passes
// 40,000.00 to its sub-supplier; the sub-supplier asks the bank, which
// reviews the payout preview and finances the piece; the chain's clock
// moves to the due date and the core settles at maturity. Every page on the
// way must show the right amounts.
//
// Clock: a real node's block time is CometBFT's, the wall clock, and no test
// waits 90 days. So the pages are served here by the same web server and
// finance handlers that `chancery start` mounts, over a chain whose block
// time the test sets (web/webtest), with the demo consortium's finance
// parties as its users. The real node's finance API is tested in
// finance_api_test.go.
func TestFinanceBrowser(t *testing.T) {
	exe := chromiumPath(t)
	w := financeServer(t)
	srv := httptest.NewServer(w.Server.Handler())
	t.Cleanup(srv.Close)
	browser := startBrowser(t, exe)
	e := &financeBrowser{base: srv.URL, browser: browser}
	p := financeParties{addr: map[string]string{}}
	for _, u := range financeUsers {
		p.addr[u.username] = chaintest.NewKey(u.username).Address().String()
	}
	dir := t.TempDir()
	invoice := writeRandomFile(t, filepath.Join(dir, "invoice-0001.pdf"), 20_000)
	contract := writeRandomFile(t, filepath.Join(dir, "frame-contract.pdf"), 30_000)

	// The core enterprise issues 100,000.00 to the supplier, due in 90
	// days of the chain's date, with both documents.
	core := e.session(t, "core")
	core.open("/finance", "form[data-issue-form]") // lands on its role's page
	today := blockDate(core)
	due := today.AddDays(90)
	core.shot("finance_core_empty")
	core.do("issue 100,000.00",
		chromedp.SetValue(chromedp.CSS(`form[data-issue-form] select[name="supplier"]`), p.addr["supplier"]),
		chromedp.SendKeys(chromedp.CSS(`form[data-issue-form] input[name="amount"]`), "100,000.00"),
		chromedp.SetValue(chromedp.CSS(`form[data-issue-form] input[name="due_date"]`), due.String()),
		chromedp.SendKeys(chromedp.CSS(`form[data-issue-form] input[name="ref"]`), "PO-2026-001"),
		chromedp.SetUploadFiles(chromedp.CSS(`form[data-issue-form] input[name="invoice"]`), []string{invoice}),
		chromedp.SetUploadFiles(chromedp.CSS(`form[data-issue-form] input[name="contract"]`), []string{contract}),
		chromedp.Click(chromedp.CSS(`form[data-issue-form] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	core.wantText(".flash.success", "Issued receivable #", "100,000.00 CNY to supplier-1, due "+due.String())
	core.wantText("[data-amount]", "100,000.00 CNY")
	core.wantText("main", "file in the blob store", fileSum(t, invoice)[:10], fileSum(t, contract)[:10])
	rootID := pieceIDFromURL(core)

	// The supplier accepts it from its page, splits it and passes
	// 40,000.00 on.
	supplier := e.session(t, "supplier")
	supplier.open("/finance/supplier", fmt.Sprintf(`form[data-accept="%d"]`, rootID))
	supplier.wantText(fmt.Sprintf(`table[data-table="to-accept"] tr[data-row="%d"]`, rootID), "100,000.00 CNY", "Core Manufacturing Corp.", "PO-2026-001")
	supplier.do("accept",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[data-accept="%d"] button`, rootID))),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	supplier.wantText(".flash.success", fmt.Sprintf("Accepted receivable #%d: 100,000.00 CNY.", rootID))
	supplier.wantText(`table[data-table="holdings"]`, "100,000.00 CNY")
	supplier.open(piecePage(rootID), "form[data-split-form]")
	supplier.wantText("[data-split-form]", "summing to 100,000.00")
	supplier.shot("finance_supplier_piece")
	supplier.do("split 60,000.00 / 40,000.00",
		chromedp.SendKeys(chromedp.CSS(`form[data-split-form] textarea`), "60,000.00\n40,000.00"),
		chromedp.Click(chromedp.CSS(`form[data-split-form] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	first, second := rootID+1, rootID+2
	supplier.wantText(".flash.success", fmt.Sprintf("Split receivable #%d into #%d 60,000.00, #%d 40,000.00.", rootID, first, second))
	supplier.wantText("[data-lineage]", "100,000.00 CNY", "60,000.00 CNY", "40,000.00 CNY", "split (closed)")
	supplier.open(piecePage(second), "form[data-transfer-form]")
	supplier.do("transfer 40,000.00 to the sub-supplier",
		chromedp.SetValue(chromedp.CSS(`form[data-transfer-form] select[name="to"]`), p.addr["subsupplier"]),
		chromedp.Click(chromedp.CSS(`form[data-transfer-form] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	supplier.wantText(".flash.success", fmt.Sprintf("Transferred receivable #%d (40,000.00 CNY) to supplier-2.", second))
	supplier.open("/finance/supplier", `table[data-table="holdings"]`)
	supplier.wantText(`table[data-table="holdings"]`, "60,000.00 CNY")
	supplier.wantText(`table[data-table="all"]`, "100,000.00 CNY", "split (closed)", "60,000.00 CNY")
	supplier.shot("finance_supplier")

	// The sub-supplier holds 40,000.00 and asks the bank to finance it.
	sub := e.session(t, "subsupplier")
	sub.open("/finance/supplier", `table[data-table="holdings"]`)
	sub.wantText(`table[data-table="holdings"]`, "40,000.00 CNY", "Core Manufacturing Corp.")
	sub.open(piecePage(second), "form[data-financing-form]")
	sub.do("request financing",
		chromedp.SetValue(chromedp.CSS(`form[data-financing-form] select[name="bank"]`), p.addr["bank"]),
		chromedp.SendKeys(chromedp.CSS(`form[data-financing-form] input[name="max_rate_bps"]`), "500"),
		chromedp.Click(chromedp.CSS(`form[data-financing-form] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	sub.wantText(".flash.success", fmt.Sprintf("Asked bank to finance receivable #%d, at 5.00 %% a year at most.", second))

	// The bank sees the request with its payout previewed at 3.65 %, as
	// the chain will compute it from today's block date, reviews it and
	// approves.
	bank := e.session(t, "bank")
	bank.open("/finance/bank", fmt.Sprintf(`td[data-payout="%d"]`, second))
	quote, err := finance.QuoteFinancing(finance.Amount(4_000_000), 365, blockDate(bank), due)
	if err != nil {
		t.Fatal(err)
	}
	payout := financeweb.Grouped(quote.Payout, "CNY")
	bank.wantText(fmt.Sprintf(`table[data-table="requests"] tr[data-row="%d"]`, second), "40,000.00 CNY", "Second-Tier Parts Co.", payout+" CNY", strconv.Itoa(quote.Days))
	bank.wantText(`table[data-table="requests"] thead`, "3.65 %") // PAYOUT AT: headers are upper case
	bank.shot("finance_bank_requests")
	bank.do("review",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`table[data-table="requests"] tr[data-row="%d"] a[href*="rate_bps"]`, second))),
		chromedp.WaitVisible(chromedp.CSS(`form[data-approve-form]`)),
	)
	bank.wantText("[data-quote]", "40,000.00 CNY", payout+" CNY", financeweb.Grouped(quote.Discount, "CNY"))
	bank.shot("finance_bank_review")
	bank.do("approve",
		chromedp.SendKeys(chromedp.CSS(`form[data-approve-form] input[name="payment_ref"]`), "BANK-TT-0001"),
		chromedp.Click(chromedp.CSS(`form[data-approve-form] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	var financed financeweb.LineageView
	if code, body := w.API("bank", "GET", fmt.Sprintf("/api/v1/receivables/%d", second), "", &financed); code != http.StatusOK || financed.Piece.Financing == nil {
		t.Fatalf("financed piece: %d %s", code, body)
	}
	chainPayout := financeweb.Grouped(financed.Piece.Financing.Payout, "CNY") // from the approval's own block date
	bank.wantText(".flash.success", fmt.Sprintf("Financed receivable #%d: paid %s CNY for 40,000.00 CNY", second, chainPayout))
	bank.wantText("[data-financing]", "paid Second-Tier Parts Co.", chainPayout+" CNY", "BANK-TT-0001")
	bank.open("/finance/bank", `table[data-table="portfolio"]`)
	bank.wantText(`table[data-table="portfolio"]`, "40,000.00 CNY", chainPayout+" CNY", "financed")
	bank.wantText(`#requests`, "No request awaits your answer.")
	bank.shot("finance_bank")

	// The lineage picture shows the three pieces, each holder and state.
	bank.open(piecePage(second), "[data-lineage] svg")
	boxes := eval(bank, "count the boxes", chromedp.Evaluate[int](`document.querySelectorAll("[data-lineage] svg a[data-piece]").length`))
	if boxes != 3 {
		bank.fatalf("the lineage picture has %d pieces, want 3", boxes)
	}
	bank.wantText("[data-lineage]", "100,000.00 CNY", "60,000.00 CNY", "40,000.00 CNY", "First-Tier Supplier Ltd.", "Example Commercial Bank", "financed", "accepted", "split (closed)")
	bank.shot("finance_lineage")

	// The sub-supplier was paid by the bank; the piece is the bank's now.
	sub.open(piecePage(second), "[data-financing]")
	sub.wantText("[data-financing]", "paid Second-Tier Parts Co.", chainPayout+" CNY", "BANK-TT-0001")
	sub.open("/finance/supplier", "#holdings")
	sub.wantText("#holdings", "You hold no accepted piece.")

	// The chain's clock reaches the due date: the receivable matures.
	w.Chain.AdvanceTo(t, due.Time().Add(12*time.Hour))

	// At maturity the core sees what it owes today, then settles the
	// receivable: each piece to its holder, the bank for the financed one.
	core.open("/finance/core?days=1", `table[data-table="due-soon"]`)
	if got := blockDate(core); got != due {
		core.fatalf("the chain's date is %s, want the due date %s", got, due)
	}
	core.wantText(`table[data-table="due-soon"]`, "60,000.00 CNY", "40,000.00 CNY", "First-Tier Supplier Ltd.", "Example Commercial Bank")
	core.wantText(`[data-due-total]`, "100,000.00 CNY")
	core.wantText(fmt.Sprintf(`table[data-table="issued"] tr[data-row="%d"]`, rootID), "100,000.00 CNY", "PO-2026-001", "split (closed)")
	core.shot("finance_core")
	settle := fmt.Sprintf(`table[data-table="issued"] tr[data-row="%d"] form[data-settle]`, rootID)
	core.do("settle",
		chromedp.SendKeys(chromedp.CSS(settle+` input[name="payment_ref"]`), "CORE-PAY-0001"),
		chromedp.Click(chromedp.CSS(settle+` button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	core.wantText(".flash.success", fmt.Sprintf("Settled 2 piece(s) of receivable #%d: 100,000.00 CNY paid.", rootID))
	core.wantText("#due-soon", "Nothing falls due in the window.")
	for _, who := range []struct {
		tab    *tab
		id     finance.ID
		amount string
		paidTo string
	}{{supplier, first, "60,000.00", "First-Tier Supplier Ltd."}, {bank, second, "40,000.00", "Example Commercial Bank"}} {
		who.tab.open(piecePage(who.id), "[data-settlement]")
		who.tab.wantText("[data-settlement]", "paid "+who.amount+" CNY to "+who.paidTo, "CORE-PAY-0001")
	}
	bank.open(piecePage(second), "[data-lineage] svg")
	bank.wantText("[data-lineage]", "settled")
	bank.shot("finance_lineage_settled")

	// Two receivables issued on known invoices (their hashes typed in): the
	// core cancels the first, a mistake, before the supplier answers; the
	// supplier accepts the second and asks the bank to finance it, then,
	// the bank silent for three days, withdraws the request.
	var issuedOn finance.Date
	issueOnHash := func(amount, invoice string) finance.ID {
		core.open("/finance/core", "form[data-issue-form]")
		issuedOn = blockDate(core)
		core.do("issue "+amount,
			chromedp.SetValue(chromedp.CSS(`form[data-issue-form] select[name="supplier"]`), p.addr["supplier"]),
			chromedp.SendKeys(chromedp.CSS(`form[data-issue-form] input[name="amount"]`), amount),
			chromedp.SetValue(chromedp.CSS(`form[data-issue-form] input[name="due_date"]`), issuedOn.AddDays(60).String()),
			chromedp.SendKeys(chromedp.CSS(`form[data-issue-form] input[name="invoice_sha256"]`), fileSum(t, writeRandomFile(t, filepath.Join(dir, invoice), 1_000))),
			chromedp.SendKeys(chromedp.CSS(`form[data-issue-form] input[name="contract_sha256"]`), fileSum(t, contract)),
			chromedp.Click(chromedp.CSS(`form[data-issue-form] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
		)
		return pieceIDFromURL(core)
	}
	mistaken := issueOnHash("5,000.00", "invoice-0002.pdf")
	core.open(piecePage(mistaken), "form[data-cancel-form]")
	core.do("cancel",
		chromedp.SendKeys(chromedp.CSS(`form[data-cancel-form] input[name="reason"]`), "wrong amount"),
		chromedp.Click(chromedp.CSS(`form[data-cancel-form] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	core.wantText(".flash.success", fmt.Sprintf("Cancelled receivable #%d.", mistaken))
	core.wantText("#history", "Cancelled", "wrong amount")
	core.wantText("h1", "cancelled")
	core.shot("finance_cancelled")

	kept := issueOnHash("4,000.00", "invoice-0003.pdf")
	supplier.open(piecePage(kept), fmt.Sprintf(`form[data-accept="%d"]`, kept))
	supplier.do("accept",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[data-accept="%d"] button`, kept))),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	supplier.open(piecePage(kept), "form[data-financing-form]")
	supplier.do("request financing",
		chromedp.SetValue(chromedp.CSS(`form[data-financing-form] select[name="bank"]`), p.addr["bank"]),
		chromedp.SendKeys(chromedp.CSS(`form[data-financing-form] input[name="max_rate_bps"]`), "365"),
		chromedp.Click(chromedp.CSS(`form[data-financing-form] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	supplier.wantText("[data-request-binds]", "Your request binds you until "+issuedOn.AddDays(2).String())
	w.Chain.AdvanceTo(t, issuedOn.AddDays(3).Time().Add(12*time.Hour))
	supplier.open(piecePage(kept), "form[data-withdraw-form]")
	supplier.do("withdraw the request",
		chromedp.SendKeys(chromedp.CSS(`form[data-withdraw-form] input[name="reason"]`), "no answer"),
		chromedp.Click(chromedp.CSS(`form[data-withdraw-form] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.success`)),
	)
	supplier.wantText(".flash.success", fmt.Sprintf("Withdrew the request to finance receivable #%d.", kept))
	supplier.wantText("#history", "Financing request withdrawn", "Example Commercial Bank", "no answer")
	supplier.wantText("h1", "accepted")
	supplier.shot("finance_withdrawn")
}

func piecePage(id finance.ID) string { return "/finance/receivables/" + id.String() }

// financeUsers are the demo consortium's finance parties, as `init --demo`
// makes them.
var financeUsers = func() []initUser {
	var out []initUser
	for _, u := range demoUsers {
		if slices.ContainsFunc(u.roles, func(r string) bool { return strings.HasPrefix(r, "finance.") }) {
			out = append(out, u)
		}
	}
	return out
}()

// financeServer is the web server with the finance pages and API over a
// test chain whose clock the test moves, with the demo consortium's finance
// parties.
func financeServer(t *testing.T) *webtest.Env {
	t.Helper()
	parties := make([]financewebtest.Party, len(financeUsers))
	for i, u := range financeUsers {
		parties[i] = financewebtest.Party{User: u.username, Org: u.org.ID, OrgName: u.org.Name, Roles: u.roles}
	}
	return financewebtest.New(t, parties...)
}

// financeBrowser opens signed-in tabs on the finance server.
type financeBrowser struct {
	base    string
	browser context.Context
}

func (e *financeBrowser) session(t *testing.T, username string) *tab {
	t.Helper()
	tb := newTab(t, e.browser, e.base)
	tb.login(username, webtest.Password(username))
	return tb
}

// blockDate is the chain's date a finance page shows.
func blockDate(tb *tab) finance.Date {
	tb.t.Helper()
	d, err := finance.ParseDate(strings.TrimSpace(tb.attr("[data-block-date]", "datetime")))
	if err != nil {
		tb.fatalf("block date: %v", err)
	}
	return d
}

// pieceIDFromURL is the id of the piece whose page the tab shows.
func pieceIDFromURL(tb *tab) finance.ID {
	tb.t.Helper()
	path := eval(tb, "read the location", chromedp.Evaluate[string](`location.pathname`))
	id, err := finance.ParseID(strings.TrimPrefix(path, "/finance/receivables/"))
	if err != nil {
		tb.fatalf("not a piece's page: %s", path)
	}
	return id
}
