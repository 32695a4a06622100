package finance

import (
	"slices"
	"strconv"
	"time"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
)

// Roles of the finance app. The members app grants them; finance only checks
// them.
const (
	RoleCore     = "finance.core"
	RoleSupplier = "finance.supplier"
	RoleBank     = "finance.bank"
)

// Members is what finance needs of the members app.
type Members interface {
	// OrgOf returns the organisation of an active account.
	OrgOf(r chain.Reader, addr chain.Address) (string, error)
	HasRole(r chain.Reader, addr chain.Address, role string) bool
}

// State is where a piece is in its life:
//
//	issued → accepted | rejected | cancelled (by its issuer)
//	accepted → split (closed) | accepted (transferred: the holder changes)
//	         | financing_requested → financed | accepted (declined, or
//	                                withdrawn by the holder)
//	accepted | financing_requested | financed → settled
//
// A financing request still open at settlement lapses with it.
type State string

const (
	StateIssued             State = "issued"
	StateAccepted           State = "accepted"
	StateRejected           State = "rejected"
	StateCancelled          State = "cancelled"
	StateSplit              State = "split"
	StateFinancingRequested State = "financing_requested"
	StateFinanced           State = "financed"
	StateSettled            State = "settled"
)

var states = []State{StateIssued, StateAccepted, StateRejected, StateCancelled, StateSplit, StateFinancingRequested, StateFinanced, StateSettled}

// States are the states, in the order of a piece's life.
func States() []State { return slices.Clone(states) }

// ParseState reads a state by name.
func ParseState(s string) (State, error) {
	for _, st := range states {
		if string(st) == s {
			return st, nil
		}
	}
	return "", ErrInvalid.Withf("unknown state %q", s)
}

// Unpaid reports whether a piece in state s is part of the core enterprise's
// obligation and not yet paid: it can fall due and become overdue.
func (s State) Unpaid() bool {
	return s == StateAccepted || s == StateFinancingRequested || s == StateFinanced
}

// Act is who did something, and when.
type Act struct {
	Org     string        `json:"org"`
	Account chain.Address `json:"account"`
	Height  int64         `json:"height"`
	Time    time.Time     `json:"time"` // block time
	TxHash  chain.Hash    `json:"tx_hash"`
}

func actOf(ctx *chain.Context, org string) Act {
	return Act{Org: org, Account: ctx.Signer, Height: ctx.Height, Time: ctx.Time, TxHash: ctx.TxHash}
}

// Receivable is a piece of a receivable: the original one as issued (the
// root of its tree) or a piece split from it.
type Receivable struct {
	ID       ID   `json:"id"`
	Root     ID   `json:"root"`
	Parent   ID   `json:"parent"` // 0 for a root
	Depth    int  `json:"depth"`  // 0 for a root
	Children []ID `json:"children,omitempty"`

	Amount         Amount     `json:"amount"`
	Currency       Currency   `json:"currency"`
	DueDate        Date       `json:"due_date"`
	InvoiceSHA256  chain.Hash `json:"invoice_sha256"`
	ContractSHA256 chain.Hash `json:"contract_sha256"`
	Ref            string     `json:"ref"`

	// Issuer is the core enterprise that owes the piece.
	Issuer        string        `json:"issuer"`
	IssuerAccount chain.Address `json:"issuer_account"`
	// Holder is the organisation the piece is owed to, or was when it
	// closed; HolderAccount the account it was issued or passed to.
	Holder        string        `json:"holder"`
	HolderAccount chain.Address `json:"holder_account"`
	State         State         `json:"state"`

	Created  Act `json:"created"`
	Modified Act `json:"modified"` // the last change

	Rejection    *Decision   `json:"rejection,omitempty"`
	Cancellation *Decision   `json:"cancellation,omitempty"` // by its issuer, before the supplier answered
	Request      *Request    `json:"request,omitempty"`      // the latest; open while financing_requested
	Declined     *Decision   `json:"declined,omitempty"`     // the latest decline
	Withdrawn    *Withdrawal `json:"withdrawn,omitempty"`    // the latest request its holder withdrew
	Financing    *Financing  `json:"financing,omitempty"`
	Settlement   *Settlement `json:"settlement,omitempty"`
}

// Overdue reports whether the piece is unpaid after its due date at block
// time at.
func (p *Receivable) Overdue(at time.Time) bool {
	return p.State.Unpaid() && DateOf(at) > p.DueDate
}

// Decision is a refusal with its reason: a supplier's rejection, an
// issuer's cancellation, a bank's decline.
type Decision struct {
	Reason string `json:"reason"`
	Act
}

// Request is a holder's request that a bank finance a piece.
type Request struct {
	Bank        string        `json:"bank"`
	BankAccount chain.Address `json:"bank_account"`
	// MaxRateBps is the highest rate the holder accepts, if it named one.
	MaxRateBps *uint32 `json:"max_rate_bps,omitempty"`
	Act
}

// WithdrawableFrom is the first block date on which the holder may withdraw
// p's financing request, if the bank has not answered it, and the core
// enterprise may settle p with the request open: WithdrawAfterDays
// after the request, or the day after the due date if that comes first (no
// bank may finance an overdue piece).
func (p *Receivable) WithdrawableFrom() Date {
	return min(DateOf(p.Request.Time).AddDays(WithdrawAfterDays), p.DueDate.AddDays(1))
}

// Withdrawal is a holder's withdrawal of its request to Bank; the reason
// may be empty.
type Withdrawal struct {
	Bank   string `json:"bank"`
	Reason string `json:"reason"`
	Act
}

// Financing is a bank's purchase of a piece at a discount. Its Act is the
// bank's approval: Org is the bank.
type Financing struct {
	Seller        string        `json:"seller"` // the holder the bank paid
	SellerAccount chain.Address `json:"seller_account"`
	RateBps       uint32        `json:"rate_bps"`
	Date          Date          `json:"date"` // the block date the days count from
	Quote
	PaymentRef string `json:"payment_ref"`
	Act
}

// Settlement is the core enterprise's payment of a piece to its holder.
type Settlement struct {
	PaidTo        string        `json:"paid_to"`
	PaidToAccount chain.Address `json:"paid_to_account"`
	Amount        Amount        `json:"amount"`
	PaymentRef    string        `json:"payment_ref"`
	Act
}

// Keeper reads and writes finance state.
type Keeper struct {
	members Members
}

// NewKeeper returns a keeper that checks organisations and roles with m.
func NewKeeper(m Members) Keeper { return Keeper{members: m} }

func loadPiece(r chain.Reader, id ID) (Receivable, error) {
	var p Receivable
	found, err := chain.Load(r, recordKey(id), &p)
	if err == nil && !found {
		err = ErrNotFound.Withf("no receivable %d", id)
	}
	return p, err
}

// invoiceBacks returns the receivable an invoice backs: the one issued with
// it that its supplier did not reject nor its issuer cancel. An invoice
// backs one receivable at a time, so that it cannot be financed twice.
func invoiceBacks(r chain.Reader, h chain.Hash) (id ID, found bool, err error) {
	r.Iterate(chain.Range{Prefix: invoiceIndexPrefix(h)}, func(key, _ []byte) bool {
		id, err = idFromKey(key)
		found = true
		return false
	})
	return id, found, err
}

// savePiece stores p and moves its index entries from what they were for
// old (nil for a new piece) to what they are now.
func savePiece(kv chain.KV, old, p *Receivable) {
	chain.Save(kv, recordKey(p.ID), p)
	var was []string
	if old != nil {
		was = indexKeys(old)
	}
	now := indexKeys(p)
	for _, k := range was {
		if !contains(now, k) {
			kv.Delete([]byte(k))
		}
	}
	for _, k := range now {
		if !contains(was, k) {
			kv.Set([]byte(k), []byte{})
		}
	}
}

func contains(keys []string, k string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// counter reads a decimal counter; a damaged one is an internal error.
func counter(r chain.Reader, key []byte) (uint64, error) {
	v := r.Get(key)
	if v == nil {
		return 0, nil
	}
	n, err := strconv.ParseUint(string(v), 10, 64)
	if err != nil {
		return 0, errs.Internal.Withf("counter %s is damaged: %q", key, v)
	}
	return n, nil
}

func setCounter(kv chain.KV, key []byte, n uint64) {
	kv.Set(key, []byte(strconv.FormatUint(n, 10)))
}

// party returns the organisation of the active account addr, which must
// belong to org when org is set and hold role, else the error missing.
func (k Keeper) party(r chain.Reader, addr chain.Address, org, role string, missing *errs.Error) (string, error) {
	got, err := k.members.OrgOf(r, addr)
	if err != nil {
		return "", ErrInvalidParty.Withf("%s is not an active member account", addr)
	}
	if org != "" && got != org {
		return "", ErrInvalidParty.Withf("account %s belongs to %q, not %q", addr, got, org)
	}
	if !k.members.HasRole(r, addr, role) {
		return "", missing.Withf("account %s of %q lacks the role %s", addr, got, role)
	}
	return got, nil
}

// wrongState is the error for acting on p in a state the action does not
// take; inAccepted is the one for an accepted piece.
func wrongState(p *Receivable, inAccepted *errs.Error) error {
	var e *errs.Error
	switch p.State {
	case StateIssued:
		e = ErrNotAccepted
	case StateAccepted:
		if inAccepted == nil {
			return errs.Internal.Withf("receivable %d is accepted, which the action takes", p.ID)
		}
		e = inAccepted
	case StateRejected:
		e = ErrRejected
	case StateCancelled:
		e = ErrCancelled
	case StateSplit:
		e = ErrClosed
	case StateFinancingRequested:
		e = ErrFinancingPending
	case StateFinanced:
		e = ErrFinanced
	case StateSettled:
		e = ErrSettled
	default:
		return errs.Internal.Withf("receivable %d is in the unknown state %q", p.ID, p.State)
	}
	return e.Wrapf("receivable %d", p.ID)
}
