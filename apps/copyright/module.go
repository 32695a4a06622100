package copyright

import (
	"slices"
	"strconv"
	"time"

	"github.com/chancery/chancery/chain"
)

// Event types: "copyright." and the history action, so that every history
// entry has its event.
const (
	EventRegistered        = ModuleName + "." + ActionRegistered
	EventTransferProposed  = ModuleName + "." + ActionTransferProposed
	EventTransferApproved  = ModuleName + "." + ActionTransferApproved
	EventTransferRejected  = ModuleName + "." + ActionTransferRejected
	EventTransferCompleted = ModuleName + "." + ActionTransferCompleted
	EventLicenseGranted    = ModuleName + "." + ActionLicenseGranted
	EventLicenseRevoked    = ModuleName + "." + ActionLicenseRevoked
	EventDisputeOpened     = ModuleName + "." + ActionDisputeOpened
	EventDisputeResolved   = ModuleName + "." + ActionDisputeResolved
)

// Event attribute keys. Every event has id (the work), sha256, account and
// org; transfer, license, dispute and outcome where they apply.
const (
	AttrID       = "id"
	AttrSHA256   = "sha256"
	AttrAccount  = "account"
	AttrOrg      = "org"
	AttrTransfer = "transfer"
	AttrLicense  = "license"
	AttrDispute  = "dispute"
	AttrOutcome  = "outcome"
)

// RegisterResult is the data of a register transaction: what its receipt
// proves. "sha256" at the top level is the convention `chancery verify
// --sha256` checks.
type RegisterResult struct {
	SHA256     chain.Hash    `json:"sha256"`
	ID         ID            `json:"id"`
	Title      string        `json:"title"`
	Kind       string        `json:"kind"`
	Created    Date          `json:"created"`
	Holders    []Holder      `json:"holders"`
	Registrant chain.Address `json:"registrant"`
	Org        string        `json:"org"`
	Time       time.Time     `json:"time"`
}

// Transfer statuses in TransferResult.
const (
	TransferPending   = "pending"
	TransferCompleted = "completed"
	TransferRejected  = "rejected"
)

// TransferResult is the data of the transfer messages: the proposal and
// where it stands after the message.
type TransferResult struct {
	Work      ID              `json:"work"`
	SHA256    chain.Hash      `json:"sha256"`
	Transfer  uint64          `json:"transfer"`
	Status    string          `json:"status"`
	Holders   []Holder        `json:"holders"`
	Approvals []chain.Address `json:"approvals"`
}

// LicenseResult is the data of grant_license and revoke_license.
type LicenseResult struct {
	License ID         `json:"license"`
	Work    ID         `json:"work"`
	SHA256  chain.Hash `json:"sha256"`
	Action  string     `json:"action"` // license_granted or license_revoked
	Grant
}

// DisputeResult is the data of open_dispute and resolve_dispute.
type DisputeResult struct {
	Dispute  ID         `json:"dispute"`
	Work     ID         `json:"work"`
	SHA256   chain.Hash `json:"sha256"`
	Evidence uint64     `json:"evidence"`
	Status   string     `json:"status"`
}

// Module is the copyright state machine. Every handler checks everything
// before it writes, so a refused message leaves state untouched even without
// a rollback.
type Module struct {
	k Keeper
}

// NewModule returns the module over the keeper.
func NewModule(k Keeper) *Module { return &Module{k: k} }

func (m *Module) Name() string { return ModuleName }

// Routes: only registering and deciding disputes need a role; the other
// messages are for holders (checked by the handlers) or, for disputes, for
// any active account.
func (m *Module) Routes() []chain.Route {
	return []chain.Route{
		chain.NewRoute(TypeRegister, RoleRegistrant, m.register),
		chain.NewRoute(TypeProposeTransfer, "", m.proposeTransfer),
		chain.NewRoute(TypeApproveTransfer, "", m.approveTransfer),
		chain.NewRoute(TypeRejectTransfer, "", m.rejectTransfer),
		chain.NewRoute(TypeGrantLicense, "", m.grantLicense),
		chain.NewRoute(TypeRevokeLicense, "", m.revokeLicense),
		chain.NewRoute(TypeOpenDispute, "", m.openDispute),
		chain.NewRoute(TypeResolveDispute, RoleArbiter, m.resolveDispute),
	}
}

func (m *Module) register(ctx *chain.Context, msg *Register) (any, error) {
	org, err := m.k.members.OrgOf(ctx.State, ctx.Signer)
	if err != nil {
		return nil, err
	}
	orig, err := workIDByHash(ctx.State, msg.SHA256)
	if err != nil {
		return nil, err
	}
	if orig != 0 {
		w, err := loadWork(ctx.State, orig)
		if err != nil {
			return nil, err
		}
		return nil, ErrDuplicate.Withf("sha256 %s is already registered as work %d at height %d, %s",
			w.SHA256, w.ID, w.Height, w.Time.Format(time.RFC3339))
	}
	// A day is in the future when it has begun nowhere yet: the claim is
	// in the author's time zone, and UTC+14 is the earliest.
	if latest := DateOf(ctx.Time.Add(14 * time.Hour)); msg.Created > latest {
		return nil, ErrBadDates.Withf("created %s is in the future: it is at most %s anywhere at block time", msg.Created, latest)
	}
	holders := msg.Holders
	if len(holders) == 0 {
		holders = []Holder{{Account: ctx.Signer, Shares: TotalShares}}
	}
	if err := m.k.checkAccounts(ctx.State, holders); err != nil {
		return nil, err
	}

	w := Work{
		ID: chain.NextSerial(ctx.State, []byte(seqKey)), SHA256: msg.SHA256, Stored: msg.Stored, Title: msg.Title, Kind: msg.Kind,
		Authors: msg.Authors, Created: msg.Created, Description: msg.Description, Registrant: ctx.Signer, Org: org,
		Stamp: stampOf(ctx), Status: StatusRegistered,
	}
	ctx.State.Set(hashKey(w.SHA256), []byte(w.ID.String()))
	setHolders(ctx.State, &w, holders)
	record(ctx, &w, org, HistoryEntry{Action: ActionRegistered, Holders: holders})
	saveWork(ctx.State, w)
	return RegisterResult{
		SHA256: w.SHA256, ID: w.ID, Title: w.Title, Kind: w.Kind, Created: w.Created, Holders: w.Holders,
		Registrant: ctx.Signer, Org: org, Time: w.Time,
	}, nil
}

// holderOf loads a work that the signer holds now, with the signer's
// organisation.
func (m *Module) holderOf(ctx *chain.Context, id ID) (Work, string, error) {
	w, err := loadWork(ctx.State, id)
	if err != nil {
		return w, "", err
	}
	if !w.holder(ctx.Signer) {
		return w, "", ErrNotHolder.Withf("account %s is not a holder of work %d", ctx.Signer, w.ID)
	}
	org, err := m.k.members.OrgOf(ctx.State, ctx.Signer)
	return w, org, err
}

// checkNotUpheld refuses new transfers and licenses of a work whose
// registration an arbiter found wrong.
func checkNotUpheld(w Work) error {
	if w.Upheld != nil {
		return ErrDisputedUpheld.Withf("dispute %d against work %d was upheld at height %d: %s", w.Upheld.Dispute, w.ID, w.Upheld.Height, w.Upheld.Reasoning)
	}
	return nil
}

// checkHoldersMayChange refuses to change the holders of a work whose
// registration was found wrong, or while a dispute about it is open: the
// arbiters eligible to decide it are those of no party's organisation, and
// a transfer must not make them parties, nor the parties' own arbiters
// eligible.
func checkHoldersMayChange(w Work) error {
	if err := checkNotUpheld(w); err != nil {
		return err
	}
	if w.OpenDisputes > 0 {
		return ErrUnderDispute.Withf("work %d has %d open dispute(s): its holders can change once an arbiter decides them", w.ID, w.OpenDisputes)
	}
	return nil
}

func (m *Module) proposeTransfer(ctx *chain.Context, msg *ProposeTransfer) (any, error) {
	w, org, err := m.holderOf(ctx, msg.Work)
	if err != nil {
		return nil, err
	}
	if err := checkHoldersMayChange(w); err != nil {
		return nil, err
	}
	if w.Pending != nil {
		return nil, ErrTransferPending.Withf("transfer %d of work %d is pending; approve or reject it first", w.Pending.N, w.ID)
	}
	if err := m.k.checkAccounts(ctx.State, msg.Holders); err != nil {
		return nil, err
	}
	w.Transfers++
	t := &Transfer{
		N: w.Transfers, Holders: msg.Holders, Note: msg.Note, Proposer: ctx.Signer, Approvals: []chain.Address{ctx.Signer},
		Stamp: stampOf(ctx),
	}
	record(ctx, &w, org, HistoryEntry{Action: ActionTransferProposed, Transfer: t.N, Holders: t.Holders, Note: t.Note})
	return m.settle(ctx, &w, org, t)
}

func (m *Module) approveTransfer(ctx *chain.Context, msg *ApproveTransfer) (any, error) {
	w, t, org, err := m.pendingTransfer(ctx, msg.Work, msg.Transfer)
	if err != nil {
		return nil, err
	}
	if err := checkHoldersMayChange(w); err != nil {
		return nil, err
	}
	if slices.Contains(t.Approvals, ctx.Signer) {
		return nil, ErrAlreadyApproved.Withf("account %s already approved transfer %d of work %d", ctx.Signer, t.N, w.ID)
	}
	t.Approvals = append(t.Approvals, ctx.Signer)
	record(ctx, &w, org, HistoryEntry{Action: ActionTransferApproved, Transfer: t.N})
	return m.settle(ctx, &w, org, t)
}

// settle completes transfer t of w if every current holder approved it, and
// keeps it pending otherwise; then saves w. A new holder must still be an
// active account when the transfer completes: a revoked one could never
// sign, and the work would be frozen for good.
func (m *Module) settle(ctx *chain.Context, w *Work, org string, t *Transfer) (TransferResult, error) {
	res := TransferResult{Work: w.ID, SHA256: w.SHA256, Transfer: t.N, Status: TransferPending, Holders: t.Holders, Approvals: t.Approvals}
	w.Pending = t
	for _, h := range w.Holders {
		if !slices.Contains(t.Approvals, h.Account) {
			saveWork(ctx.State, *w)
			return res, nil
		}
	}
	if err := m.k.checkAccounts(ctx.State, t.Holders); err != nil {
		return res, ErrInactiveHolder.Withf("transfer %d of work %d cannot complete: %v; reject it and propose another", t.N, w.ID, err)
	}
	w.Pending = nil
	setHolders(ctx.State, w, t.Holders)
	record(ctx, w, org, HistoryEntry{Action: ActionTransferCompleted, Transfer: t.N, Holders: t.Holders})
	saveWork(ctx.State, *w)
	res.Status = TransferCompleted
	return res, nil
}

// pendingTransfer loads a work the signer holds, its pending transfer
// numbered n and the signer's organisation.
func (m *Module) pendingTransfer(ctx *chain.Context, id ID, n uint64) (Work, *Transfer, string, error) {
	w, org, err := m.holderOf(ctx, id)
	if err != nil {
		return w, nil, "", err
	}
	if w.Pending == nil || w.Pending.N != n {
		return w, nil, "", ErrNoTransfer.Withf("transfer %d of work %d is not pending", n, w.ID)
	}
	return w, w.Pending, org, nil
}

func (m *Module) rejectTransfer(ctx *chain.Context, msg *RejectTransfer) (any, error) {
	w, t, org, err := m.pendingTransfer(ctx, msg.Work, msg.Transfer)
	if err != nil {
		return nil, err
	}
	w.Pending = nil
	record(ctx, &w, org, HistoryEntry{Action: ActionTransferRejected, Transfer: t.N, Note: msg.Reason})
	saveWork(ctx.State, w)
	return TransferResult{Work: w.ID, SHA256: w.SHA256, Transfer: t.N, Status: TransferRejected, Holders: t.Holders, Approvals: t.Approvals}, nil
}

func (m *Module) grantLicense(ctx *chain.Context, msg *GrantLicense) (any, error) {
	w, org, err := m.holderOf(ctx, msg.Work)
	if err != nil {
		return nil, err
	}
	if err := checkNotUpheld(w); err != nil {
		return nil, err
	}
	if today := DateOf(ctx.Time); msg.End <= today {
		return nil, ErrBadDates.Withf("the license would have ended already: end %s is not after the block's day %s", msg.End, today)
	}
	if msg.LicenseeOrg != "" {
		if _, err := m.k.members.Org(ctx.State, msg.LicenseeOrg); err != nil {
			return nil, notMember(err, "licensee_org %q", msg.LicenseeOrg)
		}
	} else if err := m.k.checkAccount(ctx.State, msg.Licensee, "licensee"); err != nil {
		return nil, err
	}
	o, found, err := conflict(ctx.State, w.ID, msg.Grant, ctx.Time)
	if err != nil {
		return nil, err
	}
	if found {
		return nil, ErrLicenseConflict.Withf("license %d (%s, %q in %s, %s to %s) overlaps this one", o.ID, exclusivity(o), o.Scope, o.Territory, o.Start, o.End)
	}
	l := License{Work: w.ID, Grant: msg.Grant, GrantedBy: ctx.Signer, Org: org, Stamp: stampOf(ctx)}
	l.ID = chain.NextSerial(ctx.State, []byte(licenseSeqKey))
	chain.Save(ctx.State, licenseKey(l.ID), l)
	ctx.State.Set(workLicenseKey(w.ID, l.ID), []byte{})
	ctx.State.Set(licenseTermKey(l), []byte{})
	record(ctx, &w, org, HistoryEntry{Action: ActionLicenseGranted, License: l.ID})
	saveWork(ctx.State, w)
	return licenseResult(w, l, ActionLicenseGranted), nil
}

func exclusivity(l License) string {
	if l.Exclusive {
		return "exclusive"
	}
	return "non-exclusive"
}

func licenseResult(w Work, l License, action string) LicenseResult {
	return LicenseResult{License: l.ID, Work: w.ID, SHA256: w.SHA256, Action: action, Grant: l.Grant}
}

func (m *Module) revokeLicense(ctx *chain.Context, msg *RevokeLicense) (any, error) {
	l, err := loadLicense(ctx.State, msg.License)
	if err != nil {
		return nil, err
	}
	w, org, err := m.holderOf(ctx, l.Work)
	if err != nil {
		return nil, err
	}
	if s := l.StatusAt(ctx.Time); s == LicenseRevoked || s == LicenseExpired {
		return nil, ErrLicenseInactive.Withf("license %d is %s", l.ID, s)
	}
	l.Revoked = &Revocation{Reason: msg.Reason, By: ctx.Signer, Stamp: stampOf(ctx)}
	chain.Save(ctx.State, licenseKey(l.ID), l)
	record(ctx, &w, org, HistoryEntry{Action: ActionLicenseRevoked, License: l.ID, Note: msg.Reason})
	saveWork(ctx.State, w)
	return licenseResult(w, l, ActionLicenseRevoked), nil
}

func (m *Module) openDispute(ctx *chain.Context, msg *OpenDispute) (any, error) {
	w, err := loadWork(ctx.State, msg.Work)
	if err != nil {
		return nil, err
	}
	if !m.k.evidence.Exists(ctx.State, msg.Evidence) {
		return nil, ErrUnknownEvidence.Withf("no evidence deposit %d", msg.Evidence)
	}
	org, err := m.k.members.OrgOf(ctx.State, ctx.Signer)
	if err != nil {
		return nil, err
	}
	d := Dispute{
		ID: chain.NextSerial(ctx.State, []byte(disputeSeqKey)), Work: w.ID, Evidence: msg.Evidence, Claim: msg.Claim, Claimant: ctx.Signer,
		Org: org, Status: DisputeOpen, Stamp: stampOf(ctx),
	}
	chain.Save(ctx.State, disputeKey(d.ID), d)
	ctx.State.Set(workDisputeKey(w.ID, d.ID), []byte{})
	w.OpenDisputes++
	record(ctx, &w, org, HistoryEntry{Action: ActionDisputeOpened, Dispute: d.ID, Note: msg.Claim})
	saveWork(ctx.State, w)
	return DisputeResult{Dispute: d.ID, Work: w.ID, SHA256: w.SHA256, Evidence: d.Evidence, Status: d.Status}, nil
}

func (m *Module) resolveDispute(ctx *chain.Context, msg *ResolveDispute) (any, error) {
	d, err := loadDispute(ctx.State, msg.Dispute)
	if err != nil {
		return nil, err
	}
	if d.Resolution != nil {
		return nil, ErrDisputeResolved.Withf("dispute %d was %s at height %d", d.ID, d.Status, d.Resolution.Height)
	}
	w, err := loadWork(ctx.State, d.Work)
	if err != nil {
		return nil, err
	}
	if ctx.Signer == d.Claimant || w.holder(ctx.Signer) {
		return nil, ErrPartyArbiter.Withf("account %s opened dispute %d or holds work %d", ctx.Signer, d.ID, w.ID)
	}
	org, err := m.k.members.OrgOf(ctx.State, ctx.Signer)
	if err != nil {
		return nil, err
	}
	if party, err := m.k.isParty(ctx.State, org, d, w); err != nil || party {
		if err == nil {
			err = ErrPartyArbiter.Withf("organisation %q opened dispute %d or holds work %d: an arbiter of another organisation decides it", org, d.ID, w.ID)
		}
		return nil, err
	}
	res := &Resolution{
		Dispute: d.ID, Outcome: msg.Outcome, Reasoning: msg.Reasoning, Arbiter: ctx.Signer, Org: org,
		Stamp: stampOf(ctx),
	}
	d.Status, d.Resolution = msg.Outcome, res
	chain.Save(ctx.State, disputeKey(d.ID), d)
	// Disputes opened before works counted them are not counted.
	w.OpenDisputes -= min(w.OpenDisputes, 1)
	if msg.Outcome == OutcomeUpheld && w.Upheld == nil {
		w.Status, w.Upheld = StatusDisputedUpheld, res
	}
	record(ctx, &w, org, HistoryEntry{Action: ActionDisputeResolved, Dispute: d.ID, Note: msg.Outcome})
	saveWork(ctx.State, w)
	return DisputeResult{Dispute: d.ID, Work: w.ID, SHA256: w.SHA256, Evidence: d.Evidence, Status: d.Status}, nil
}

// record appends e, done now by the signer of org, to the history of w and
// emits its event. The caller saves w.
func record(ctx *chain.Context, w *Work, org string, e HistoryEntry) {
	w.HistoryLen++
	e.N, e.Actor, e.Org, e.Stamp = w.HistoryLen, ctx.Signer, org, stampOf(ctx)
	chain.Save(ctx.State, historyKey(w.ID, e.N), e)
	attrs := []chain.Attr{
		chain.A(AttrID, w.ID.String()), chain.A(AttrSHA256, w.SHA256.String()),
		chain.A(AttrAccount, ctx.Signer.String()), chain.A(AttrOrg, org),
	}
	if e.Transfer != 0 {
		attrs = append(attrs, chain.A(AttrTransfer, strconv.FormatUint(e.Transfer, 10)))
	}
	if e.License != 0 {
		attrs = append(attrs, chain.A(AttrLicense, e.License.String()))
	}
	if e.Dispute != 0 {
		attrs = append(attrs, chain.A(AttrDispute, e.Dispute.String()))
	}
	if e.Action == ActionDisputeResolved {
		attrs = append(attrs, chain.A(AttrOutcome, e.Note))
	}
	ctx.Emit(ModuleName+"."+e.Action, attrs...)
}
