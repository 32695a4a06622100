package finance

import (
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/check"
)

// ModuleName is the module of finance messages in a transaction.
const ModuleName = "finance"

// Message types.
const (
	TypeIssue             = "issue"
	TypeAccept            = "accept"
	TypeReject            = "reject"
	TypeCancel            = "cancel"
	TypeSplit             = "split"
	TypeTransfer          = "transfer"
	TypeRequestFinancing  = "request_financing"
	TypeWithdrawFinancing = "withdraw_financing"
	TypeApproveFinancing  = "approve_financing"
	TypeDeclineFinancing  = "decline_financing"
	TypeSettle            = "settle"
)

// Limits.
const (
	MaxRef        = 100 // an order, invoice or payment reference
	MaxReason     = 500
	MaxOrgID      = 40
	MaxPieces     = 100 // pieces of one split
	MaxTermDays   = 3660
	MaxTreePieces = 10_000 // pieces of one receivable's tree, root included
	// MaxSettle bounds the pieces one settle message pays, and so the size
	// of its result, which holds them all: a few hundred kilobytes.
	MaxSettle = 200
	// WithdrawAfterDays is how long a financing request binds its holder,
	// and its piece, which the core enterprise cannot settle meanwhile: a
	// bank that pays before it approves on chain counts on it. From that
	// many days after the request's block date (or from the day after the
	// due date, if sooner), the holder may withdraw a request the bank has
	// not answered.
	WithdrawAfterDays = 3
)

// ID numbers pieces in the order the chain created them, from 1. An
// original receivable is a piece too: the root of its tree.
type ID = chain.Serial

// ParseID reads an id from its decimal form.
func ParseID(s string) (ID, error) {
	id, ok := chain.ParseSerial(s)
	if !ok {
		return 0, ErrInvalid.Withf("receivable id must be a positive whole number, got %q", s)
	}
	return id, nil
}

// Issue creates a receivable the signer's organisation (a core enterprise)
// owes the supplier. SupplierOrg, when set, must be the supplier account's
// organisation: a guard against a mistyped address.
type Issue struct {
	Supplier       chain.Address `json:"supplier"`
	SupplierOrg    string        `json:"supplier_org"`
	Amount         Amount        `json:"amount"`
	Currency       Currency      `json:"currency"`
	DueDate        Date          `json:"due_date"`
	InvoiceSHA256  chain.Hash    `json:"invoice_sha256"`
	ContractSHA256 chain.Hash    `json:"contract_sha256"`
	Ref            string        `json:"ref"`
}

func (m *Issue) ValidateBasic() error {
	return check.First(
		checkAddress("supplier", m.Supplier),
		checkOrg("supplier_org", m.SupplierOrg),
		checkAmount("amount", m.Amount),
		checkCurrency(m.Currency),
		checkHash("invoice_sha256", m.InvoiceSHA256),
		checkHash("contract_sha256", m.ContractSHA256),
		checkText("ref", m.Ref, 0, MaxRef),
	)
}

// Accept accepts an issued receivable as its supplier.
type Accept struct {
	ID ID `json:"id"`
}

func (m *Accept) ValidateBasic() error { return checkID(m.ID) }

// Reject refuses an issued receivable as its supplier. It stays visible as
// rejected, with the reason.
type Reject struct {
	ID     ID     `json:"id"`
	Reason string `json:"reason"`
}

func (m *Reject) ValidateBasic() error {
	return check.First(checkID(m.ID), checkText("reason", m.Reason, 1, MaxReason))
}

// Cancel withdraws an issued receivable, as its issuer, before the supplier
// has accepted or rejected it — one issued to the wrong supplier or with
// the wrong amount. It stays visible as cancelled, with the reason, and
// frees its invoice.
type Cancel struct {
	ID     ID     `json:"id"`
	Reason string `json:"reason"`
}

func (m *Cancel) ValidateBasic() error {
	return check.First(checkID(m.ID), checkText("reason", m.Reason, 1, MaxReason))
}

// Split divides a piece into pieces of the amounts given, in that order,
// which must sum exactly to it. The piece closes; the new ones are the
// holder's.
type Split struct {
	ID      ID       `json:"id"`
	Amounts []Amount `json:"amounts"`
}

func (m *Split) ValidateBasic() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	if len(m.Amounts) < 2 || len(m.Amounts) > MaxPieces {
		return ErrInvalidSplit.Withf("a split makes 2 to %d pieces, got %d", MaxPieces, len(m.Amounts))
	}
	_, err := SumAmounts(m.Amounts)
	return err
}

// Transfer passes a piece to a supplier of the holder. ToOrg, when set, must
// be the account's organisation.
type Transfer struct {
	ID    ID            `json:"id"`
	To    chain.Address `json:"to"`
	ToOrg string        `json:"to_org"`
}

func (m *Transfer) ValidateBasic() error {
	return check.First(checkID(m.ID), checkAddress("to", m.To), checkOrg("to_org", m.ToOrg))
}

// RequestFinancing asks the bank of the account Bank to finance a piece.
type RequestFinancing struct {
	ID   ID            `json:"id"`
	Bank chain.Address `json:"bank"`
	// MaxRateBps, if set, is the highest discount rate the holder accepts,
	// in basis points a year: the bank cannot approve above it. Without it
	// the bank names the rate alone.
	MaxRateBps *uint32 `json:"max_rate_bps,omitempty"`
}

func (m *RequestFinancing) ValidateBasic() error {
	if m.MaxRateBps != nil && *m.MaxRateBps > MaxRateBps {
		return ErrInvalidRate.Withf("max_rate_bps must be at most %d, got %d", MaxRateBps, *m.MaxRateBps)
	}
	return check.First(checkID(m.ID), checkAddress("bank", m.Bank))
}

// WithdrawFinancing takes back a request for financing, as the piece's
// holder, that the bank has not answered WithdrawAfterDays after it was made:
// the piece is accepted again, free to move or to be offered to another
// bank. The reason is optional.
type WithdrawFinancing struct {
	ID     ID     `json:"id"`
	Reason string `json:"reason"`
}

func (m *WithdrawFinancing) ValidateBasic() error {
	return check.First(checkID(m.ID), checkText("reason", m.Reason, 0, MaxReason))
}

// ApproveFinancing finances a piece whose financing the signer's bank was
// asked for, at RateBps a year; PaymentRef names the bank's payment of the
// payout to the holder.
type ApproveFinancing struct {
	ID         ID     `json:"id"`
	RateBps    uint32 `json:"rate_bps"`
	PaymentRef string `json:"payment_ref"`
}

func (m *ApproveFinancing) ValidateBasic() error {
	if m.RateBps > MaxRateBps {
		return ErrInvalidRate.Withf("rate_bps must be at most %d, got %d", MaxRateBps, m.RateBps)
	}
	return check.First(checkID(m.ID), checkText("payment_ref", m.PaymentRef, 1, MaxRef))
}

// DeclineFinancing refuses a financing request; the piece is the holder's to
// use again.
type DeclineFinancing struct {
	ID     ID     `json:"id"`
	Reason string `json:"reason"`
}

func (m *DeclineFinancing) ValidateBasic() error {
	return check.First(checkID(m.ID), checkText("reason", m.Reason, 1, MaxReason))
}

// Settle records the core enterprise's payment of a piece to its holder.
// Naming a split piece settles every unpaid piece under it, up to MaxSettle,
// each with PaymentRef.
type Settle struct {
	ID         ID     `json:"id"`
	PaymentRef string `json:"payment_ref"`
}

func (m *Settle) ValidateBasic() error {
	return check.First(checkID(m.ID), checkText("payment_ref", m.PaymentRef, 1, MaxRef))
}

func checkID(id ID) error {
	if id == 0 {
		return ErrInvalid.Withf("id is missing")
	}
	return nil
}

func checkAddress(field string, a chain.Address) error {
	if a.IsZero() {
		return ErrInvalidParty.Withf("%s is missing (all zero)", field)
	}
	return nil
}

// checkOrg accepts "" or an organisation id: lowercase letters, digits and
// '-', which keeps it safe inside state keys.
func checkOrg(field, org string) error {
	if len(org) > MaxOrgID {
		return ErrInvalidParty.Withf("%s must be at most %d characters", field, MaxOrgID)
	}
	for i := 0; i < len(org); i++ {
		if c := org[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return ErrInvalidParty.Withf("%s %q is not an organisation id", field, org)
		}
	}
	return nil
}

func checkAmount(field string, a Amount) error {
	if a <= 0 {
		return ErrInvalidAmount.Withf("%s must be positive, got %d", field, a)
	}
	if a > MaxAmount {
		return ErrOverflow.Withf("%s must be at most %d minor units, got %d", field, MaxAmount, a)
	}
	return nil
}

func checkCurrency(c Currency) error {
	if _, ok := c.Exponent(); !ok {
		return ErrUnknownCurrency.Withf("currency %q is not an active ISO 4217 code", c)
	}
	return nil
}

func checkHash(field string, h chain.Hash) error {
	if h.IsZero() {
		return ErrInvalidHash.Withf("%s is missing (all zero)", field)
	}
	return nil
}

func checkText(field, s string, min, max int) error {
	if p := check.Text(s, min, max, false); p != "" {
		return ErrInvalid.Withf("%s %s", field, p)
	}
	return nil
}
