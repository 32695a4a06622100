package financeweb_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/web/webtest"
)

// TestPagesStory walks the issue's story through the pages' forms, as a
// browser without scripts would, four users in turn. The chain's clock is
// the test's (block time moved by setDate), so the core settles at maturity
// and a piece falls overdue without anyone sleeping.
func TestPagesStory(t *testing.T) {
	e := newEnv(t)
	core, supplier, sub, bank := e.Client().Login("core"), e.Client().Login("supplier"), e.Client().Login("subsupplier"), e.Client().Login("bank")

	// Each user lands on its role's page.
	for cl, want := range map[*webtest.Client]string{core: "/finance/core", supplier: "/finance/supplier", sub: "/finance/supplier", bank: "/finance/bank"} {
		rec := cl.Get("/finance")
		webtest.WantStatus(t, rec, http.StatusSeeOther)
		if got := rec.Header().Get("Location"); got != want {
			t.Fatalf("/finance sends to %s, want %s", got, want)
		}
	}
	page := core.Get("/finance/core")
	webtest.WantStatus(t, page, http.StatusOK)
	webtest.WantBody(t, page, `action="/finance/issue"`, "First-Tier Supplier Ltd. — supplier", "Second-Tier Parts Co. &lt;b&gt;&amp;&lt;/b&gt;", `min="2026-01-02"`)
	webtest.WantNoBody(t, page, "Example Commercial Bank —") // banks are not suppliers

	// The core issues 100,000.00 with its invoice and contract.
	rec := core.PostMultipart("/finance/issue", map[string]string{
		"supplier": addr("supplier").String(), "amount": "100,000.00", "currency": "CNY", "due_date": "2026-06-30", "ref": "PO-2026-001",
	}, pdfs(map[string]string{"invoice": "INVOICE 0001", "contract": "FRAME CONTRACT"})...)
	page = core.Follow(rec)
	webtest.WantBody(t, page, "Issued receivable #1: 100,000.00 CNY to supplier-1, due 2026-06-30.", "Receivable #1", "100,000.00",
		"file in the blob store", "PO-2026-001")

	// The supplier accepts from its page, splits and passes 40,000.00 on.
	page = supplier.Get("/finance/supplier")
	webtest.WantBody(t, page, `data-accept="1"`, "100,000.00")
	page = supplier.Follow(supplier.Post("/finance/receivables/1/accept", url.Values{"back": {"/finance/supplier"}}))
	webtest.WantBody(t, page, "Accepted receivable #1: 100,000.00 CNY.", "Split, transfer or finance")

	// A split that does not sum comes back with the chain's reason.
	page = supplier.Follow(supplier.Post("/finance/receivables/1/split", url.Values{"amounts": {"60,000.00\n30,000.00"}}))
	webtest.WantBody(t, page, `class="flash error"`, "the pieces sum to 9000000, receivable 1 is 10000000")
	page = supplier.Follow(supplier.Post("/finance/receivables/1/split", url.Values{"amounts": {"60,000.00\r\n40000.00\r\n"}}))
	webtest.WantBody(t, page, "Split receivable #1 into #2 60,000.00, #3 40,000.00.", `data-lineage`, `data-piece="2"`, `data-piece="3"`)
	page = supplier.Get("/finance/receivables/3")
	webtest.WantBody(t, page, `data-transfer-form`, "Second-Tier Parts Co.", "Transfer 40,000.00 CNY")
	page = supplier.Follow(supplier.Post("/finance/receivables/3/transfer", url.Values{"to": {addr("subsupplier").String()}}))
	webtest.WantBody(t, page, "Transferred receivable #3 (40,000.00 CNY) to supplier-2.")

	// The sub-supplier asks the bank.
	page = sub.Get("/finance/supplier")
	webtest.WantBody(t, page, `data-table="holdings"`, "40,000.00")
	// The highest rate it accepts is a number of basis points.
	page = sub.Follow(sub.Post("/finance/receivables/3/financing", url.Values{"bank": {addr("bank").String()}, "max_rate_bps": {"4%"}}))
	webtest.WantBody(t, page, `class="flash error"`, "highest rate you accept is a whole number of basis points")
	page = sub.Follow(sub.Post("/finance/receivables/3/financing", url.Values{"bank": {addr("bank").String()}, "max_rate_bps": {"500"}}))
	webtest.WantBody(t, page, "Asked bank to finance receivable #3, at 5.00 % a year at most.")

	// The request binds it for three days; then, the bank silent, it
	// withdraws the request, which the bank no longer sees, and asks again.
	page = sub.Get("/finance/receivables/3")
	webtest.WantBody(t, page, `data-request-binds`, "binds you until 2026-01-03", "withdraw the request on 2026-01-04 or later")
	webtest.WantNoBody(t, page, `data-withdraw-form`)
	page = sub.Follow(sub.Post("/finance/receivables/3/withdraw", url.Values{"reason": {"too early"}}))
	webtest.WantBody(t, page, `class="flash error"`, "binds until 2026-01-03")
	e.setDate(t, "2026-01-04")
	webtest.WantBody(t, sub.Get("/finance/receivables/3"), `data-withdraw-form`)
	webtest.WantNoBody(t, supplier.Get("/finance/receivables/3"), `data-withdraw-form`, `data-request-binds`) // no longer its holder
	page = sub.Follow(sub.Post("/finance/receivables/3/withdraw", url.Values{"reason": {"wrong bank"}}))
	webtest.WantBody(t, page, "Withdrew the request to finance receivable #3.", "Financing request withdrawn", "“wrong bank”", `data-financing-form`)
	webtest.WantBody(t, bank.Get("/finance/bank"), "No request awaits your answer.")
	page = sub.Follow(sub.Post("/finance/receivables/3/financing", url.Values{"bank": {addr("bank").String()}, "max_rate_bps": {"400"}}))
	webtest.WantBody(t, page, "Asked bank to finance receivable #3, at 4.00 % a year at most.")
	webtest.WantBody(t, bank.Get("/finance/receivables/3"), `data-rate-limit`, "accepts a rate of 4.00 % a year at most")
	webtest.WantBody(t, bank.Get("/finance/receivables/3"), "binds Second-Tier Parts Co.", "until 2026-01-06, and", "cannot settle the piece meanwhile; on 2026-01-07 or later")
	// Meanwhile the core enterprise cannot settle it: the bank may pay
	// before it approves.
	page = core.Get("/finance/receivables/3")
	webtest.WantBody(t, page, `data-settle-waits="3"`, "you can settle once the bank has answered, or from 2026-01-07")
	webtest.WantNoBody(t, page, `data-settle-form`)
	page = core.Follow(core.Post("/finance/receivables/3/settle", url.Values{"payment_ref": {"EARLY"}}))
	webtest.WantBody(t, page, `class="flash error"`, "binds until 2026-01-06")
	// The history tells the steps in order: the withdrawn request before
	// the one made again.
	withdrawn, again := strings.Index(page.Body.String(), "Financing request withdrawn"), strings.LastIndex(page.Body.String(), "Financing requested")
	if withdrawn < 0 || again < withdrawn {
		t.Errorf("history: the withdrawal at %d, the request made again at %d", withdrawn, again)
	}

	// On 2026-04-01 the bank sees the request with its payout previewed,
	// reviews it at 3.65 % and approves.
	e.setDate(t, "2026-04-01")
	page = bank.Get("/finance/bank")
	webtest.WantBody(t, page, `data-payout="3"`, "39,635.00", "Payout at 3.65 %", "40,000.00")
	page = bank.Get("/finance/bank?rate_bps=730")
	webtest.WantBody(t, page, "39,270.00", "Payout at 7.30 %")
	page = bank.Get("/finance/receivables/3?rate_bps=365")
	webtest.WantBody(t, page, `data-quote-payout`, "39,635.00", "Approve at 3.65 %", "90 <span")
	page = bank.Follow(bank.Post("/finance/receivables/3/approve", url.Values{"rate_bps": {"730"}, "payment_ref": {"BANK-TT-0401"}}))
	webtest.WantBody(t, page, `class="flash error"`, "accepts at most 400 bps a year for receivable 3, not 730")
	page = bank.Follow(bank.Post("/finance/receivables/3/approve", url.Values{"rate_bps": {"365"}, "payment_ref": {"BANK-TT-0401"}}))
	webtest.WantBody(t, page, "Financed receivable #3: paid 39,635.00 CNY for 40,000.00 CNY (discount 365.00 over 90 days at 3.65 %).", "data-financed-payout")
	page = bank.Follow(bank.Post("/finance/receivables/3/approve", url.Values{"rate_bps": {"365"}, "payment_ref": {"again"}}))
	webtest.WantBody(t, page, `class="flash error"`, "already financed")
	page = bank.Get("/finance/bank")
	webtest.WantBody(t, page, `data-table="portfolio"`, "39,635.00", "No request awaits your answer.")

	// At maturity the core sees what falls due and settles the receivable.
	e.setDate(t, "2026-06-30")
	page = core.Get("/finance/core?days=7")
	webtest.WantBody(t, page, `data-table="due-soon"`, `data-row="2"`, `data-row="3"`, "100,000.00", "today")
	webtest.WantBody(t, page, `data-settle="1"`, `<td class="num" data-outstanding><span class="money">100,000.00`)
	page = core.Follow(core.Post("/finance/receivables/1/settle", url.Values{"payment_ref": {"CORE-PAY-0630"}, "back": {"/finance/core"}}))
	webtest.WantBody(t, page, "Settled 2 piece(s) of receivable #1: 100,000.00 CNY paid.", "Nothing falls due in the window.")
	webtest.WantBody(t, page, `<td class="num" data-outstanding><span class="money">0.00`)
	webtest.WantNoBody(t, page, `data-settle="1"`) // nothing left to settle
	page = bank.Get("/finance/receivables/3")
	webtest.WantBody(t, page, "data-settlement", "paid <span class=\"money\">40,000.00", "Example Commercial Bank, reference CORE-PAY-0630", "it is settled")

	// A piece left unpaid past its due date is overdue for its holder, who
	// can no longer have it financed.
	e.exec("core", finance.TypeIssue, issue("supplier", "10000.00", "2026-07-15", "PO-2026-009"))
	e.exec("supplier", finance.TypeAccept, finance.Accept{ID: 4})
	page = supplier.Get("/finance/receivables/4")
	webtest.WantBody(t, page, `data-financing-form`)
	e.setDate(t, "2026-07-16")
	page = supplier.Get("/finance/supplier")
	webtest.WantBody(t, page, `data-table="overdue"`, `badge st-overdue`, "10,000.00", "yesterday")
	page = supplier.Get("/finance/receivables/4")
	webtest.WantNoBody(t, page, `data-financing-form`, `data-transfer-form`)
	webtest.WantBody(t, page, "accepted · overdue") // in the lineage picture
	// The core enterprise sees it owes it, past due, with its settle form.
	page = core.Get("/finance/core")
	webtest.WantBody(t, page, `id="overdue"`, `data-table="overdue"`, `data-settle="4"`, "10,000.00")
	webtest.WantNoBody(t, page, `data-overdue-more`)

	// A receivable issued to the wrong supplier is cancelled by the core
	// before that supplier answers; the supplier has nothing left to do.
	e.exec("core", finance.TypeIssue, issue("subsupplier", "700.00", "2026-09-30", "PO-2026-010"))
	webtest.WantNoBody(t, core.Get("/finance/receivables/4"), `data-cancel-form`) // accepted
	webtest.WantNoBody(t, sub.Get("/finance/receivables/5"), `data-cancel-form`)  // not its issuer
	webtest.WantBody(t, core.Get("/finance/receivables/5"), `data-cancel-form`)
	page = core.Follow(core.Post("/finance/receivables/5/cancel", url.Values{"reason": {"wrong supplier"}}))
	webtest.WantBody(t, page, "Cancelled receivable #5.", "st-cancelled", "“wrong supplier”", "its issuer cancelled it")
	webtest.WantNoBody(t, page, `data-cancel-form`)
	webtest.WantNoBody(t, sub.Get("/finance/receivables/5"), `data-accept=`)

	// Redirects stay on finance pages.
	rec = supplier.Post("/finance/receivables/4/split", url.Values{"amounts": {"1"}, "back": {"https://evil.example/"}})
	if got := rec.Header().Get("Location"); got != "/finance/receivables/4" {
		t.Errorf("back to %q", got)
	}
}

func TestPagesWithoutRole(t *testing.T) {
	e := newEnv(t)
	e.history()
	notary := e.Client().Login("notary")
	page := notary.Get("/finance")
	webtest.WantStatus(t, page, http.StatusOK)
	webtest.WantBody(t, page, "Your account holds none of the roles")
	// Pages of pieces are readable by members; they show no form.
	page = notary.Get("/finance/receivables/3")
	webtest.WantStatus(t, page, http.StatusOK)
	webtest.WantBody(t, page, "Nothing for you to do with this piece", "40,000.00")
	// Forms signed without the role come back refused by the chain.
	page = notary.Follow(notary.Post("/finance/receivables/2/settle", url.Values{"payment_ref": {"x"}}))
	webtest.WantBody(t, page, `class="flash error"`, "lacks the role finance.core")

	anon := e.Client()
	rec := anon.Get("/finance/core")
	webtest.WantStatus(t, rec, http.StatusSeeOther)
	if got := rec.Header().Get("Location"); got != "/login?next=%2Ffinance%2Fcore" {
		t.Errorf("anonymous: sent to %s", got)
	}
	webtest.WantStatus(t, anon.Get("/finance/receivables/abc"), http.StatusSeeOther)
	webtest.WantStatus(t, notary.Get("/finance/receivables/abc"), http.StatusBadRequest)
	webtest.WantStatus(t, notary.Get("/finance/receivables/77"), http.StatusNotFound)
}

// TestLargeTreeIsATable splits a receivable into more pieces than a picture
// draws: its page lists them in a table, and the picture alone is refused.
func TestLargeTreeIsATable(t *testing.T) {
	e := newEnv(t)
	e.exec("core", finance.TypeIssue, issue("supplier", "1000.00", "2026-06-30", "PO-BIG"))
	e.exec("supplier", finance.TypeAccept, finance.Accept{ID: 1})
	amounts := func(n int, each finance.Amount) []finance.Amount {
		out := make([]finance.Amount, n)
		for i := range out {
			out[i] = each
		}
		return out
	}
	e.exec("supplier", finance.TypeSplit, finance.Split{ID: 1, Amounts: amounts(100, cny("10.00"))})
	e.exec("supplier", finance.TypeSplit, finance.Split{ID: 2, Amounts: amounts(50, cny("0.20"))})
	supplier := e.Client().Login("supplier")
	page := supplier.Get("/finance/receivables/2")
	webtest.WantStatus(t, page, http.StatusOK)
	webtest.WantBody(t, page, "The tree has 151 pieces: too many to draw", `data-table="tree"`, `href="/finance/receivables/151"`)
	webtest.WantNoBody(t, page, "<svg")
	rec := supplier.Get("/finance/receivables/2/lineage.svg")
	webtest.WantStatus(t, rec, http.StatusConflict)
}

// A list on a page shows at most finance.MaxPage pieces; when it holds more,
// the page says so and where the rest are listed, and not before.
func TestPageListsSayWhenCut(t *testing.T) {
	e := newEnv(t)
	supplier := e.Client().Login("supplier")
	for i := range finance.MaxPage {
		e.exec("core", finance.TypeIssue, issue("supplier", "10.00", "2026-06-30", fmt.Sprintf("PO-%d", i)))
	}
	webtest.WantNoBody(t, supplier.Get("/finance/supplier"), `data-cut`)
	e.exec("core", finance.TypeIssue, issue("supplier", "10.00", "2026-06-30", "PO-ONE-MORE"))
	page := supplier.Get("/finance/supplier")
	webtest.WantBody(t, page, `data-cut`, "Only the first 200 are shown here", "GET /api/v1/receivables/held?state=issued")
	if n := strings.Count(page.Body.String(), "data-cut"); n != 1 {
		t.Errorf("%d tables say they are cut, want the one to accept", n)
	}
}
