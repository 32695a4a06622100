package evidence

import (
	"strconv"
	"time"

	"github.com/chancery/chancery/chain"
)

// Event types and attribute keys.
const (
	EventDeposited = "evidence.deposited"
	EventAttested  = "evidence.attested"
	EventCustody   = "evidence.custody"
	EventAccessed  = "evidence.accessed"
	EventWithdrawn = "evidence.withdrawn"
	EventShared    = "evidence.shared"
	EventAnchored  = "evidence.batch_anchored"

	AttrID      = "id"
	AttrSHA256  = "sha256"
	AttrOrg     = "org"
	AttrAccount = "account"
	AttrAction  = "action"
	AttrWith    = "with"
	AttrRoot    = "root"
	AttrCount   = "count"
)

// DepositResult is the data of a deposit transaction: what its receipt
// proves. "sha256" at the top level is the convention `chancery verify
// --sha256` checks.
type DepositResult struct {
	ID        ID            `json:"id"`
	SHA256    chain.Hash    `json:"sha256"`
	Size      int64         `json:"size"`
	Title     string        `json:"title"`
	Org       string        `json:"org"`
	Depositor chain.Address `json:"depositor"`
	Time      time.Time     `json:"time"`
}

// BatchResult is the data of an anchor_batch transaction. A hash of the
// batch is proven by its Merkle path to Root.
type BatchResult struct {
	Batch        ID            `json:"batch"`
	Root         chain.Hash    `json:"root"`
	Count        uint32        `json:"count"`
	LeavesSHA256 chain.Hash    `json:"leaves_sha256"`
	Org          string        `json:"org"`
	Depositor    chain.Address `json:"depositor"`
	Time         time.Time     `json:"time"`
}

// RecordResult is the data of the messages that add to a deposit.
type RecordResult struct {
	ID     ID         `json:"id"`
	SHA256 chain.Hash `json:"sha256"`
	Org    string     `json:"org"`
	Action string     `json:"action"`
}

// Module is the evidence state machine.
type Module struct {
	k Keeper
}

// NewModule returns the module over the keeper.
func NewModule(k Keeper) *Module { return &Module{k: k} }

func (m *Module) Name() string { return ModuleName }

func (m *Module) Routes() []chain.Route {
	return []chain.Route{
		chain.NewRoute(TypeDeposit, RoleDepositor, m.deposit),
		chain.NewRoute(TypeAttest, "", m.attest),
		chain.NewRoute(TypeCustody, RoleCustodian, m.custody),
		chain.NewRoute(TypeAccess, "", m.access),
		chain.NewRoute(TypeWithdraw, RoleDepositor, m.withdraw),
		chain.NewRoute(TypeShare, RoleDepositor, m.share),
		chain.NewRoute(TypeAnchor, RoleDepositor, m.anchor),
	}
}

func (m *Module) deposit(ctx *chain.Context, msg *Deposit) (any, error) {
	org, err := m.k.members.OrgOf(ctx.State, ctx.Signer)
	if err != nil {
		return nil, err
	}
	if v := ctx.State.Get(orgHashKey(org, msg.SHA256)); v != nil {
		return nil, ErrDuplicate.Withf("organisation %q already deposited %s as evidence %s", org, msg.SHA256, v)
	}
	ev := Evidence{
		ID: chain.NextSerial(ctx.State, []byte(seqKey)), SHA256: msg.SHA256, Size: msg.Size, MediaType: msg.MediaType,
		FileName: msg.FileName, Title: msg.Title, Description: msg.Description, CaseRef: msg.CaseRef,
		Stored: msg.Stored, Org: org, Depositor: ctx.Signer, Height: ctx.Height, Time: ctx.Time, TxHash: ctx.TxHash,
	}
	saveEvidence(ctx.State, ev)
	ctx.State.Set(hashIndexKey(ev.SHA256, ev.ID), []byte{})
	ctx.State.Set(orgHashKey(org, ev.SHA256), []byte(ev.ID.String()))
	ctx.State.Set(orgIndexKey(org, ev.ID), []byte{})
	ctx.Emit(EventDeposited, chain.A(AttrID, ev.ID.String()), chain.A(AttrSHA256, ev.SHA256.String()),
		chain.A(AttrOrg, org), chain.A(AttrAccount, ctx.Signer.String()))
	return DepositResult{ID: ev.ID, SHA256: ev.SHA256, Size: ev.Size, Title: ev.Title, Org: org, Depositor: ctx.Signer, Time: ev.Time}, nil
}

func (m *Module) attest(ctx *chain.Context, msg *Attest) (any, error) {
	ev, org, err := m.changing(ctx, msg.ID)
	if err != nil {
		return nil, err
	}
	if org == ev.Org {
		return nil, ErrOwnEvidence.Withf("evidence %d is organisation %q's own deposit", ev.ID, org)
	}
	if !m.hasAnyRole(ctx.State, ctx.Signer, RoleDepositor, RoleCustodian, RoleVerifier) {
		return nil, ErrNoAccess.Withf("attesting needs one of the roles %s, %s or %s", RoleDepositor, RoleCustodian, RoleVerifier)
	}
	if chain.Has(ctx.State, attestKey(ev.ID, org)) {
		return nil, ErrAlreadyAttested.Withf("organisation %q already attested evidence %d", org, ev.ID)
	}
	chain.Save(ctx.State, attestKey(ev.ID, org), Attestation{
		Org: org, Account: ctx.Signer, Statement: msg.Statement, Height: ctx.Height, Time: ctx.Time, TxHash: ctx.TxHash,
	})
	ev.Attestations++
	saveEvidence(ctx.State, ev)
	ctx.Emit(EventAttested, chain.A(AttrID, ev.ID.String()), chain.A(AttrOrg, org), chain.A(AttrAccount, ctx.Signer.String()))
	return RecordResult{ID: ev.ID, SHA256: ev.SHA256, Org: org, Action: "attested"}, nil
}

func (m *Module) custody(ctx *chain.Context, msg *Custody) (any, error) {
	ev, err := loadActive(ctx.State, msg.ID)
	if err != nil {
		return nil, err
	}
	return m.log(ctx, ev, CustodyEntry{Action: msg.Action, Note: msg.Note}, EventCustody)
}

func (m *Module) share(ctx *chain.Context, msg *Share) (any, error) {
	ev, org, err := m.changing(ctx, msg.ID)
	if err != nil {
		return nil, err
	}
	switch {
	case org != ev.Org:
		return nil, ErrNotDepositorsOrg.Withf("evidence %d belongs to organisation %q, which alone shares it", ev.ID, ev.Org)
	case msg.Org == ev.Org:
		return nil, ErrOwnEvidence.Withf("evidence %d is organisation %q's own deposit", ev.ID, ev.Org)
	case chain.Has(ctx.State, shareKey(ev.ID, msg.Org)):
		return nil, ErrAlreadyShared.Withf("evidence %d is shared with organisation %q already", ev.ID, msg.Org)
	}
	if _, err := m.k.members.Org(ctx.State, msg.Org); err != nil {
		return nil, err
	}
	ctx.State.Set(shareKey(ev.ID, msg.Org), []byte{})
	return m.log(ctx, ev, CustodyEntry{Action: "shared", Note: msg.Note, With: msg.Org}, EventShared)
}

func (m *Module) access(ctx *chain.Context, msg *Access) (any, error) {
	ev, err := loadEvidence(ctx.State, msg.ID) // withdrawn evidence stays readable
	if err != nil {
		return nil, err
	}
	// An access records opening the file: a hash-only deposit has none,
	// and entries that record nothing would bury the real ones.
	if !ev.Stored {
		return nil, ErrNotStored.Withf("evidence %d is a hash only: there is no file to open", ev.ID)
	}
	org, err := m.k.members.OrgOf(ctx.State, ctx.Signer)
	if err != nil {
		return nil, err
	}
	if err := m.k.mayAccess(ctx.State, ev, ctx.Signer, org); err != nil {
		return nil, err
	}
	return m.log(ctx, ev, CustodyEntry{Action: "accessed", Note: msg.Purpose}, EventAccessed)
}

// changing loads the deposit id a message changes, which must not be
// withdrawn, and the signer's organisation.
func (m *Module) changing(ctx *chain.Context, id ID) (Evidence, string, error) {
	ev, err := loadActive(ctx.State, id)
	if err != nil {
		return Evidence{}, "", err
	}
	org, err := m.k.members.OrgOf(ctx.State, ctx.Signer)
	return ev, org, err
}

// log appends e, done now by the signer, to the custody log of ev.
func (m *Module) log(ctx *chain.Context, ev Evidence, e CustodyEntry, event string) (any, error) {
	org, err := m.k.members.OrgOf(ctx.State, ctx.Signer)
	if err != nil {
		return nil, err
	}
	ev.CustodyEntries++
	e.N, e.Org, e.Account, e.Height, e.Time, e.TxHash = ev.CustodyEntries, org, ctx.Signer, ctx.Height, ctx.Time, ctx.TxHash
	chain.Save(ctx.State, custodyKey(ev.ID, ev.CustodyEntries), e)
	saveEvidence(ctx.State, ev)
	attrs := []chain.Attr{chain.A(AttrID, ev.ID.String()), chain.A(AttrAction, e.Action), chain.A(AttrOrg, org), chain.A(AttrAccount, ctx.Signer.String())}
	if e.With != "" {
		attrs = append(attrs, chain.A(AttrWith, e.With))
	}
	ctx.Emit(event, attrs...)
	return RecordResult{ID: ev.ID, SHA256: ev.SHA256, Org: org, Action: e.Action}, nil
}

func (m *Module) withdraw(ctx *chain.Context, msg *Withdraw) (any, error) {
	ev, org, err := m.changing(ctx, msg.ID)
	if err != nil {
		return nil, err
	}
	if org != ev.Org {
		return nil, ErrNotDepositorsOrg.Withf("evidence %d belongs to organisation %q", ev.ID, ev.Org)
	}
	ev.Withdrawn = &Withdrawal{Reason: msg.Reason, By: ctx.Signer, Height: ctx.Height, Time: ctx.Time, TxHash: ctx.TxHash}
	saveEvidence(ctx.State, ev)
	ctx.Emit(EventWithdrawn, chain.A(AttrID, ev.ID.String()), chain.A(AttrOrg, org), chain.A(AttrAccount, ctx.Signer.String()))
	return RecordResult{ID: ev.ID, SHA256: ev.SHA256, Org: org, Action: "withdrawn"}, nil
}

func (m *Module) anchor(ctx *chain.Context, msg *AnchorBatch) (any, error) {
	org, err := m.k.members.OrgOf(ctx.State, ctx.Signer)
	if err != nil {
		return nil, err
	}
	// Per organisation, as deposits are: a root copied from another
	// organisation's pending anchor must not take that anchor's place.
	if v := ctx.State.Get(batchRootKey(org, msg.Root)); v != nil {
		return nil, ErrDuplicateBatch.Withf("organisation %q already anchored root %s as batch %s", org, msg.Root, v)
	}
	b := Batch{
		ID: chain.NextSerial(ctx.State, []byte(batchSeqKey)), Root: msg.Root, Count: msg.Count, LeavesSHA256: msg.LeavesSHA256,
		Title: msg.Title, Org: org, Depositor: ctx.Signer, Height: ctx.Height, Time: ctx.Time, TxHash: ctx.TxHash,
	}
	chain.Save(ctx.State, batchKey(b.ID), b)
	ctx.State.Set(batchRootKey(org, b.Root), []byte(b.ID.String()))
	ctx.Emit(EventAnchored, chain.A(AttrID, b.ID.String()), chain.A(AttrRoot, b.Root.String()),
		chain.A(AttrCount, strconv.FormatUint(uint64(b.Count), 10)), chain.A(AttrOrg, org))
	return BatchResult{Batch: b.ID, Root: b.Root, Count: b.Count, LeavesSHA256: b.LeavesSHA256, Org: org, Depositor: ctx.Signer, Time: b.Time}, nil
}

func (m *Module) hasAnyRole(r chain.Reader, addr chain.Address, roles ...string) bool {
	for _, role := range roles {
		if m.k.members.HasRole(r, addr, role) {
			return true
		}
	}
	return false
}
