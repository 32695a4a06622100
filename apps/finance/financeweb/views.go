package financeweb

import (
	"fmt"
	"strings"
	"time"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/chain"
)

// PieceView is a piece as the API shows it: the record as the chain keeps
// it — amounts in integer minor units, as receipts prove them — with its
// amount in major units, whether it is overdue at the last block's time, and
// links to the receipts of its creation and its last change.
type PieceView struct {
	finance.Receivable
	AmountText        string `json:"amount_text"` // major units: "100000.00"
	Overdue           bool   `json:"overdue"`
	URL               string `json:"url"`
	CreatedReceiptURL string `json:"created_receipt_url"`
	ReceiptURL        string `json:"receipt_url"` // of the last change
}

func pieceView(p finance.Receivable, now time.Time) PieceView {
	return PieceView{
		Receivable: p, AmountText: finance.FormatAmount(p.Amount, p.Currency), Overdue: p.Overdue(now),
		URL:               apiPath(p.ID),
		CreatedReceiptURL: receiptPath(p.Created.TxHash), ReceiptURL: receiptPath(p.Modified.TxHash),
	}
}

func pieceViews(ps []finance.Receivable, now time.Time) []PieceView {
	out := make([]PieceView, len(ps))
	for i, p := range ps {
		out[i] = pieceView(p, now)
	}
	return out
}

// LineageView is a piece with its ancestors, from the root down, and its
// children.
type LineageView struct {
	Piece     PieceView   `json:"piece"`
	Ancestors []PieceView `json:"ancestors"`
	Children  []PieceView `json:"children"`
}

// TreeView is every piece of a receivable's tree, in id order.
type TreeView struct {
	Root   finance.ID  `json:"root"`
	Pieces []PieceView `json:"pieces"`
}

// PageView is a page of a listing; pass Next as ?after= for the next one.
type PageView struct {
	Items []PieceView `json:"items"`
	Next  string      `json:"next,omitempty"`
}

// QuoteView is a financing quote: what the bank would pay for a piece at a
// rate on a date, computed as the chain computes an approval (ACT/360,
// rounded half up to the minor unit).
type QuoteView struct {
	ID           finance.ID       `json:"id"`
	Amount       finance.Amount   `json:"amount"`
	Currency     finance.Currency `json:"currency"`
	DueDate      finance.Date     `json:"due_date"`
	Date         finance.Date     `json:"date"`
	RateBps      uint32           `json:"rate_bps"`
	Days         int              `json:"days"`
	Discount     finance.Amount   `json:"discount"`
	Payout       finance.Amount   `json:"payout"`
	AmountText   string           `json:"amount_text"`
	DiscountText string           `json:"discount_text"`
	PayoutText   string           `json:"payout_text"`
}

func quoteView(p finance.Receivable, qq QuoteQuery, q finance.Quote) QuoteView {
	return QuoteView{
		ID: p.ID, Amount: p.Amount, Currency: p.Currency, DueDate: p.DueDate, Date: qq.On, RateBps: qq.RateBps,
		Days: q.Days, Discount: q.Discount, Payout: q.Payout,
		AmountText:   finance.FormatAmount(p.Amount, p.Currency),
		DiscountText: finance.FormatAmount(q.Discount, p.Currency),
		PayoutText:   finance.FormatAmount(q.Payout, p.Currency),
	}
}

// WriteView answers a write that committed: the transaction, its receipt,
// and the pieces it created or changed as they are now (a split lists the
// closed piece first, then its new pieces in order).
type WriteView struct {
	TxHash     chain.Hash  `json:"tx_hash"`
	Status     string      `json:"status"`
	Height     int64       `json:"height,omitempty"`
	StatusURL  string      `json:"status_url"`
	ReceiptURL string      `json:"receipt_url,omitempty"`
	Action     string      `json:"action,omitempty"`
	Pieces     []PieceView `json:"pieces,omitempty"`
}

func apiPath(id finance.ID) string        { return "/api/v1/receivables/" + id.String() }
func pagePath(id finance.ID) string       { return "/finance/receivables/" + id.String() }
func txStatusPath(h chain.Hash) string    { return "/api/v1/txs/" + h.String() }
func receiptPath(h chain.Hash) string     { return "/api/v1/txs/" + h.String() + "/receipt" }
func lineageSVGPath(id finance.ID) string { return pagePath(id) + "/lineage.svg" }

// Money shows an amount for people: major units with thousands separators
// and the currency, "100,000.00 CNY".
func Money(a finance.Amount, c finance.Currency) string {
	return Grouped(a, c) + " " + string(c)
}

// Grouped is an amount in major units with thousands separators:
// "100,000.00".
func Grouped(a finance.Amount, c finance.Currency) string {
	s := finance.FormatAmount(a, c)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, ch := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if dot {
		b.WriteString("." + frac)
	}
	return b.String()
}

// stateLabel names a state for people.
func stateLabel(s finance.State) string {
	switch s {
	case finance.StateFinancingRequested:
		return "financing requested"
	case finance.StateSplit:
		return "split (closed)"
	}
	return string(s)
}

// Percent shows a rate in basis points as a percentage: 365 → "3.65 %".
func Percent(bps uint32) string {
	return fmt.Sprintf("%d.%02d %%", bps/100, bps%100)
}
