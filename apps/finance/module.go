package finance

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
)

// Event types. Every state change of a piece emits one, with the piece's id,
// root, state, holder, holder account, amount and currency, and the account
// that acted; some add more.
const (
	EventIssued             = "finance.issued"
	EventAccepted           = "finance.accepted"
	EventRejected           = "finance.rejected"
	EventCancelled          = "finance.cancelled"
	EventSplit              = "finance.split"
	EventTransferred        = "finance.transferred"
	EventFinancingRequested = "finance.financing_requested"
	EventFinanced           = "finance.financed"
	EventFinancingDeclined  = "finance.financing_declined"
	EventFinancingWithdrawn = "finance.financing_withdrawn"
	EventSettled            = "finance.settled"
)

// Event attribute keys. Lists (children, amounts) are joined with ",".
const (
	AttrID            = "id"
	AttrRoot          = "root"
	AttrState         = "state"
	AttrHolder        = "holder"
	AttrHolderAccount = "holder_account"
	AttrAmount        = "amount"
	AttrCurrency      = "currency"
	AttrActor         = "actor"
	AttrIssuer        = "issuer"
	AttrDueDate       = "due_date"
	AttrChildren      = "children"
	AttrAmounts       = "amounts"
	AttrFrom          = "from"
	AttrBank          = "bank"
	AttrRateBps       = "rate_bps"
	AttrDays          = "days"
	AttrDiscount      = "discount"
	AttrPayout        = "payout"
	AttrPaymentRef    = "payment_ref"
	AttrReason        = "reason"
)

// Result is the data of every finance transaction — what its receipt proves:
// the pieces it changed or created, as they are after it. A split lists the
// closed piece first, then its new pieces in order.
type Result struct {
	Action string       `json:"action"` // the message type
	Pieces []Receivable `json:"pieces"`
}

// Module is the finance state machine.
//
// Routes name the role a signer needs, which the chain checks before a
// handler runs; handlers check the rest — holder, issuer, the bank asked,
// state, amounts, dates — and check everything before they write, so a
// refused message leaves state untouched even without a rollback.
type Module struct {
	k Keeper
}

// NewModule returns the module over the keeper.
func NewModule(k Keeper) *Module { return &Module{k: k} }

func (m *Module) Name() string { return ModuleName }

func (m *Module) Routes() []chain.Route {
	return []chain.Route{
		chain.NewRoute(TypeIssue, RoleCore, m.issue),
		chain.NewRoute(TypeAccept, RoleSupplier, m.accept),
		chain.NewRoute(TypeReject, RoleSupplier, m.reject),
		chain.NewRoute(TypeCancel, RoleCore, m.cancel),
		chain.NewRoute(TypeSplit, RoleSupplier, m.split),
		chain.NewRoute(TypeTransfer, RoleSupplier, m.transfer),
		chain.NewRoute(TypeRequestFinancing, RoleSupplier, m.requestFinancing),
		chain.NewRoute(TypeWithdrawFinancing, RoleSupplier, m.withdrawFinancing),
		chain.NewRoute(TypeApproveFinancing, RoleBank, m.approveFinancing),
		chain.NewRoute(TypeDeclineFinancing, RoleBank, m.declineFinancing),
		chain.NewRoute(TypeSettle, RoleCore, m.settle),
	}
}

func (m *Module) issue(ctx *chain.Context, msg *Issue) (any, error) {
	org, err := m.k.members.OrgOf(ctx.State, ctx.Signer)
	if err != nil {
		return nil, err
	}
	supplier, err := m.k.party(ctx.State, msg.Supplier, msg.SupplierOrg, RoleSupplier, ErrNotSupplier)
	if err != nil {
		return nil, err
	}
	if supplier == org {
		return nil, ErrInvalidParty.Withf("organisation %q cannot owe itself", org)
	}
	if backed, found, err := invoiceBacks(ctx.State, msg.InvoiceSHA256); err != nil || found {
		if err == nil {
			err = ErrInvoiceUsed.Withf("invoice %s already backs receivable %d; a receivable rejected by its supplier or cancelled by its issuer frees its invoice", msg.InvoiceSHA256, backed)
		}
		return nil, err
	}
	today := DateOf(ctx.Time)
	if msg.DueDate <= today || msg.DueDate > today.AddDays(MaxTermDays) {
		return nil, ErrDueDate.Withf("due date %s must be after the block date %s and at most %d days after it", msg.DueDate, today, MaxTermDays)
	}
	n, err := counter(ctx.State, []byte(seqKey))
	if err != nil {
		return nil, err
	}
	id := ID(n + 1)
	act := actOf(ctx, org)
	p := Receivable{
		ID: id, Root: id, Amount: msg.Amount, Currency: msg.Currency, DueDate: msg.DueDate,
		InvoiceSHA256: msg.InvoiceSHA256, ContractSHA256: msg.ContractSHA256, Ref: msg.Ref,
		Issuer: org, IssuerAccount: ctx.Signer, Holder: supplier, HolderAccount: msg.Supplier,
		State: StateIssued, Created: act, Modified: act,
	}
	setCounter(ctx.State, []byte(seqKey), uint64(id))
	setCounter(ctx.State, sizeKey(id), 1)
	savePiece(ctx.State, nil, &p)
	emit(ctx, EventIssued, &p, chain.A(AttrIssuer, org), chain.A(AttrDueDate, p.DueDate.String()))
	return Result{Action: TypeIssue, Pieces: []Receivable{p}}, nil
}

// load loads piece id and the signer's organisation.
func (m *Module) load(ctx *chain.Context, id ID) (Receivable, string, error) {
	p, err := loadPiece(ctx.State, id)
	if err != nil {
		return p, "", err
	}
	org, err := m.k.members.OrgOf(ctx.State, ctx.Signer)
	return p, org, err
}

// held loads piece id, which the signer's organisation must hold and which
// must be in state; inAccepted is the error for an accepted piece when state
// is another.
func (m *Module) held(ctx *chain.Context, id ID, state State, inAccepted *errs.Error) (Receivable, Act, error) {
	p, org, err := m.load(ctx, id)
	if err != nil {
		return p, Act{}, err
	}
	if org != p.Holder {
		return p, Act{}, ErrNotHolder.Withf("receivable %d is held by %q, not by %q", id, p.Holder, org)
	}
	if p.State != state {
		return p, Act{}, wrongState(&p, inAccepted)
	}
	return p, actOf(ctx, org), nil
}

func (m *Module) accept(ctx *chain.Context, msg *Accept) (any, error) {
	p, act, err := m.held(ctx, msg.ID, StateIssued, ErrAlreadyAccepted)
	if err != nil {
		return nil, err
	}
	old := p
	p.State, p.Modified = StateAccepted, act
	return m.changed(ctx, TypeAccept, EventAccepted, &old, &p)
}

func (m *Module) reject(ctx *chain.Context, msg *Reject) (any, error) {
	p, act, err := m.held(ctx, msg.ID, StateIssued, ErrAlreadyAccepted)
	if err != nil {
		return nil, err
	}
	old := p
	p.State, p.Modified = StateRejected, act
	p.Rejection = &Decision{Reason: msg.Reason, Act: act}
	return m.changed(ctx, TypeReject, EventRejected, &old, &p, chain.A(AttrReason, msg.Reason))
}

func (m *Module) cancel(ctx *chain.Context, msg *Cancel) (any, error) {
	p, org, err := m.load(ctx, msg.ID)
	if err != nil {
		return nil, err
	}
	if org != p.Issuer {
		return nil, ErrNotIssuer.Withf("receivable %d was issued by %q, not by %q", p.ID, p.Issuer, org)
	}
	if p.State != StateIssued {
		return nil, wrongState(&p, ErrAlreadyAccepted)
	}
	act := actOf(ctx, org)
	old := p
	p.State, p.Modified = StateCancelled, act
	p.Cancellation = &Decision{Reason: msg.Reason, Act: act}
	return m.changed(ctx, TypeCancel, EventCancelled, &old, &p, chain.A(AttrReason, msg.Reason))
}

func (m *Module) split(ctx *chain.Context, msg *Split) (any, error) {
	p, act, err := m.held(ctx, msg.ID, StateAccepted, nil)
	if err != nil {
		return nil, err
	}
	sum, err := SumAmounts(msg.Amounts)
	if err != nil {
		return nil, err
	}
	if sum != p.Amount {
		return nil, ErrSplitSum.Withf("the pieces sum to %d, receivable %d is %d", sum, p.ID, p.Amount)
	}
	size, err := counter(ctx.State, sizeKey(p.Root))
	if err != nil {
		return nil, err
	}
	if size+uint64(len(msg.Amounts)) > MaxTreePieces {
		return nil, ErrTreeFull.Withf("receivable %d has %d pieces; a tree holds at most %d", p.Root, size, MaxTreePieces)
	}
	n, err := counter(ctx.State, []byte(seqKey))
	if err != nil {
		return nil, err
	}

	old := p
	pieces := make([]Receivable, 1, 1+len(msg.Amounts))
	ids := make([]string, len(msg.Amounts))
	for i, a := range msg.Amounts {
		c := Receivable{
			ID: ID(n + 1 + uint64(i)), Root: p.Root, Parent: p.ID, Depth: p.Depth + 1,
			Amount: a, Currency: p.Currency, DueDate: p.DueDate,
			InvoiceSHA256: p.InvoiceSHA256, ContractSHA256: p.ContractSHA256, Ref: p.Ref,
			Issuer: p.Issuer, IssuerAccount: p.IssuerAccount, Holder: p.Holder, HolderAccount: p.HolderAccount,
			State: StateAccepted, Created: act, Modified: act,
		}
		p.Children = append(p.Children, c.ID)
		ids[i] = c.ID.String()
		pieces = append(pieces, c)
	}
	p.State, p.Modified = StateSplit, act
	pieces[0] = p

	setCounter(ctx.State, []byte(seqKey), n+uint64(len(msg.Amounts)))
	setCounter(ctx.State, sizeKey(p.Root), size+uint64(len(msg.Amounts)))
	savePiece(ctx.State, &old, &p)
	for i := range pieces[1:] {
		savePiece(ctx.State, nil, &pieces[1+i])
	}
	amounts := make([]string, len(msg.Amounts))
	for i, a := range msg.Amounts {
		amounts[i] = a.String()
	}
	emit(ctx, EventSplit, &p, chain.A(AttrChildren, strings.Join(ids, ",")), chain.A(AttrAmounts, strings.Join(amounts, ",")))
	return Result{Action: TypeSplit, Pieces: pieces}, nil
}

func (m *Module) transfer(ctx *chain.Context, msg *Transfer) (any, error) {
	p, act, err := m.held(ctx, msg.ID, StateAccepted, nil)
	if err != nil {
		return nil, err
	}
	// A transfer needs no consent from its recipient: it must not pay a
	// supplier with a claim the core enterprise already failed to pay.
	if p.Overdue(ctx.Time) {
		return nil, ErrOverdue.Withf("receivable %d fell due on %s: an overdue piece stays with its holder until the core enterprise settles it", p.ID, p.DueDate)
	}
	to, err := m.k.party(ctx.State, msg.To, msg.ToOrg, RoleSupplier, ErrNotSupplier)
	if err != nil {
		return nil, err
	}
	if to == p.Holder || to == p.Issuer {
		return nil, ErrInvalidParty.Withf("receivable %d cannot pass from %q to %q, its holder or its issuer", p.ID, p.Holder, to)
	}
	old := p
	p.Holder, p.HolderAccount, p.Modified = to, msg.To, act
	return m.changed(ctx, TypeTransfer, EventTransferred, &old, &p, chain.A(AttrFrom, old.Holder))
}

func (m *Module) requestFinancing(ctx *chain.Context, msg *RequestFinancing) (any, error) {
	p, act, err := m.held(ctx, msg.ID, StateAccepted, nil)
	if err != nil {
		return nil, err
	}
	if p.Overdue(ctx.Time) {
		return nil, ErrOverdue.Withf("receivable %d fell due on %s", p.ID, p.DueDate)
	}
	bank, err := m.k.party(ctx.State, msg.Bank, "", RoleBank, ErrNotBank)
	if err != nil {
		return nil, err
	}
	if bank == p.Holder {
		return nil, ErrInvalidParty.Withf("organisation %q cannot finance its own receivable %d", bank, p.ID)
	}
	old := p
	p.State, p.Modified = StateFinancingRequested, act
	p.Request = &Request{Bank: bank, BankAccount: msg.Bank, MaxRateBps: msg.MaxRateBps, Act: act}
	return m.changed(ctx, TypeRequestFinancing, EventFinancingRequested, &old, &p, chain.A(AttrBank, bank))
}

func (m *Module) withdrawFinancing(ctx *chain.Context, msg *WithdrawFinancing) (any, error) {
	p, act, err := m.held(ctx, msg.ID, StateFinancingRequested, ErrNoRequest)
	if err != nil {
		return nil, err
	}
	if from := p.WithdrawableFrom(); DateOf(ctx.Time) < from {
		return nil, ErrRequestBinding.Withf("the request of %s to %q binds until %s; if the bank has not answered, it can be withdrawn from %s", DateOf(p.Request.Time), p.Request.Bank, from.AddDays(-1), from)
	}
	old := p
	p.State, p.Modified = StateAccepted, act
	p.Withdrawn = &Withdrawal{Bank: p.Request.Bank, Reason: msg.Reason, Act: act}
	return m.changed(ctx, TypeWithdrawFinancing, EventFinancingWithdrawn, &old, &p,
		chain.A(AttrBank, p.Request.Bank), chain.A(AttrReason, msg.Reason))
}

// requested loads piece id, whose financing the signer's bank must have been
// asked for.
func (m *Module) requested(ctx *chain.Context, id ID) (Receivable, Act, error) {
	p, org, err := m.load(ctx, id)
	if err != nil {
		return p, Act{}, err
	}
	if p.State != StateFinancingRequested {
		return p, Act{}, wrongState(&p, ErrNoRequest)
	}
	if p.Request.Bank != org {
		return p, Act{}, ErrNotAskedBank.Withf("receivable %d awaits the answer of %q, not of %q", p.ID, p.Request.Bank, org)
	}
	return p, actOf(ctx, org), nil
}

func (m *Module) approveFinancing(ctx *chain.Context, msg *ApproveFinancing) (any, error) {
	p, act, err := m.requested(ctx, msg.ID)
	if err != nil {
		return nil, err
	}
	if limit := p.Request.MaxRateBps; limit != nil && msg.RateBps > *limit {
		return nil, ErrRateAboveLimit.Withf("%q accepts at most %d bps a year for receivable %d, not %d", p.Holder, *limit, p.ID, msg.RateBps)
	}
	today := DateOf(ctx.Time)
	q, err := QuoteFinancing(p.Amount, msg.RateBps, today, p.DueDate)
	if err != nil {
		return nil, err
	}
	old := p
	p.Financing = &Financing{
		Seller: p.Holder, SellerAccount: p.HolderAccount, RateBps: msg.RateBps, Date: today,
		Quote: q, PaymentRef: msg.PaymentRef, Act: act,
	}
	p.State, p.Holder, p.HolderAccount, p.Modified = StateFinanced, act.Org, ctx.Signer, act
	return m.changed(ctx, TypeApproveFinancing, EventFinanced, &old, &p,
		chain.A(AttrFrom, old.Holder), chain.A(AttrRateBps, strconv.FormatUint(uint64(msg.RateBps), 10)),
		chain.A(AttrDays, strconv.Itoa(q.Days)), chain.A(AttrDiscount, q.Discount.String()),
		chain.A(AttrPayout, q.Payout.String()), chain.A(AttrPaymentRef, msg.PaymentRef))
}

func (m *Module) declineFinancing(ctx *chain.Context, msg *DeclineFinancing) (any, error) {
	p, act, err := m.requested(ctx, msg.ID)
	if err != nil {
		return nil, err
	}
	old := p
	p.State, p.Modified = StateAccepted, act
	p.Declined = &Decision{Reason: msg.Reason, Act: act}
	return m.changed(ctx, TypeDeclineFinancing, EventFinancingDeclined, &old, &p,
		chain.A(AttrBank, act.Org), chain.A(AttrReason, msg.Reason))
}

func (m *Module) settle(ctx *chain.Context, msg *Settle) (any, error) {
	p, org, err := m.load(ctx, msg.ID)
	if err != nil {
		return nil, err
	}
	if org != p.Issuer {
		return nil, ErrNotIssuer.Withf("receivable %d is owed by %q, not by %q", p.ID, p.Issuer, org)
	}
	pieces, err := unpaidUnder(ctx.State, &p)
	if err != nil {
		return nil, err
	}
	// A bank may pay the holder before it approves on chain, counting on
	// the request while it binds: settling would pay the holder twice.
	today := DateOf(ctx.Time)
	for _, q := range pieces {
		if q.State != StateFinancingRequested {
			continue
		}
		if from := q.WithdrawableFrom(); today < from {
			return nil, ErrRequestBinding.Withf("%q asked %q on %s to finance receivable %d, and the request binds until %s: settle it once the bank has answered, or from %s",
				q.Holder, q.Request.Bank, DateOf(q.Request.Time), q.ID, from.AddDays(-1), from)
		}
	}
	act := actOf(ctx, org)
	for i := range pieces {
		old, q := pieces[i], &pieces[i]
		q.Settlement = &Settlement{PaidTo: q.Holder, PaidToAccount: q.HolderAccount, Amount: q.Amount, PaymentRef: msg.PaymentRef, Act: act}
		q.State, q.Modified = StateSettled, act
		savePiece(ctx.State, &old, q)
		emit(ctx, EventSettled, q, chain.A(AttrPaymentRef, msg.PaymentRef))
	}
	return Result{Action: TypeSettle, Pieces: pieces}, nil
}

// unpaidUnder returns p if it is an unpaid piece, or, if it was split, the
// unpaid pieces of its subtree in id order — at most MaxSettle of them.
func unpaidUnder(r chain.Reader, p *Receivable) ([]Receivable, error) {
	if p.State.Unpaid() {
		return []Receivable{*p}, nil
	}
	if p.State != StateSplit {
		return nil, wrongState(p, nil)
	}
	var out []Receivable
	queue := append([]ID(nil), p.Children...)
	for len(queue) > 0 {
		c, err := loadPiece(r, queue[0])
		if err != nil {
			return nil, err
		}
		queue = append(queue[1:], c.Children...)
		switch {
		case c.State.Unpaid():
			if len(out) == MaxSettle {
				return nil, ErrSettleTooLarge.Withf("receivable %d has more than %d unpaid pieces: settle its pieces one branch at a time", p.ID, MaxSettle)
			}
			out = append(out, c)
		case c.State != StateSplit && c.State != StateSettled:
			return nil, wrongState(&c, nil)
		}
	}
	if len(out) == 0 {
		return nil, ErrSettled.Withf("every piece of receivable %d is settled", p.ID)
	}
	// The walk is breadth first; a later split of an earlier sibling has
	// higher ids than its cousins.
	slices.SortFunc(out, func(a, b Receivable) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// changed saves a piece changed by one message, emits its event and returns
// the message's result.
func (m *Module) changed(ctx *chain.Context, action, event string, old, p *Receivable, attrs ...chain.Attr) (any, error) {
	savePiece(ctx.State, old, p)
	emit(ctx, event, p, attrs...)
	return Result{Action: action, Pieces: []Receivable{*p}}, nil
}

func emit(ctx *chain.Context, typ string, p *Receivable, extra ...chain.Attr) {
	attrs := append([]chain.Attr{
		chain.A(AttrID, p.ID.String()), chain.A(AttrRoot, p.Root.String()), chain.A(AttrState, string(p.State)),
		chain.A(AttrHolder, p.Holder), chain.A(AttrHolderAccount, p.HolderAccount.String()),
		chain.A(AttrAmount, p.Amount.String()), chain.A(AttrCurrency, string(p.Currency)),
		chain.A(AttrActor, ctx.Signer.String()),
	}, extra...)
	ctx.Emit(typ, attrs...)
}
