package copyright

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
)

// Roles of the copyright app. The members app grants them; copyright only
// names them on its routes.
const (
	RoleRegistrant = "copyright.registrant"
	RoleArbiter    = "copyright.arbiter"
)

// Members is what copyright needs of the members app.
type Members interface {
	// OrgOf returns the organisation of an active account.
	OrgOf(r chain.Reader, addr chain.Address) (string, error)
	// Account returns an account, revoked or not.
	Account(r chain.Reader, addr chain.Address) (members.Account, error)
	// Org returns an organisation, or an error if there is none.
	Org(r chain.Reader, id string) (members.Org, error)
}

// Evidence is what copyright needs of the evidence app: whether a deposit
// with the id exists, so that a dispute cites real evidence.
type Evidence interface {
	Exists(r chain.Reader, id uint64) bool
}

// EvidenceFunc adapts a function to Evidence.
type EvidenceFunc func(r chain.Reader, id uint64) bool

func (f EvidenceFunc) Exists(r chain.Reader, id uint64) bool { return f(r, id) }

// Statuses of a work.
const (
	StatusRegistered     = "registered"
	StatusDisputedUpheld = "disputed-upheld"
)

// Work is a registered work.
type Work struct {
	ID          ID            `json:"id"`
	SHA256      chain.Hash    `json:"sha256"`
	Stored      bool          `json:"stored"`
	Title       string        `json:"title"`
	Kind        string        `json:"kind"`
	Authors     []Author      `json:"authors"`
	Holders     []Holder      `json:"holders"`
	Created     Date          `json:"created"` // as claimed
	Description string        `json:"description"`
	Registrant  chain.Address `json:"registrant"`
	Org         string        `json:"org"`
	Stamp                     // Time is the block time: the priority proof
	Status      string        `json:"status"`
	// Upheld is the first upheld dispute's ruling, when Status is
	// disputed-upheld.
	Upheld *Resolution `json:"upheld,omitempty"`
	// Pending is the transfer awaiting approvals, if any; Transfers counts
	// the proposals so far, so the next is numbered Transfers+1.
	Pending   *Transfer `json:"pending,omitempty"`
	Transfers uint64    `json:"transfers"`
	// HistoryLen is the number of entries in the work's history.
	HistoryLen uint64 `json:"history_len"`
	// OpenDisputes counts the disputes about the work no arbiter has
	// decided yet; while any is open its holders cannot change.
	OpenDisputes uint64 `json:"open_disputes,omitempty"`
}

// Transfer is a proposal to replace a work's holders.
type Transfer struct {
	N        uint64        `json:"n"`
	Holders  []Holder      `json:"holders"`
	Note     string        `json:"note"`
	Proposer chain.Address `json:"proposer"`
	// Approvals are the current holders who approved, in order, the
	// proposer first.
	Approvals []chain.Address `json:"approvals"`
	Stamp
}

// License is a license granted on a work. It holds for the grant's days
// unless revoked.
type License struct {
	ID   ID `json:"id"`
	Work ID `json:"work"`
	Grant
	GrantedBy chain.Address `json:"granted_by"`
	Org       string        `json:"org"`
	Stamp
	Revoked *Revocation `json:"revoked,omitempty"`
}

// Revocation is why and when a license was revoked.
type Revocation struct {
	Reason string        `json:"reason"`
	By     chain.Address `json:"by"`
	Stamp
}

// Statuses of a license at a time.
const (
	LicenseScheduled = "scheduled"
	LicenseActive    = "active"
	LicenseExpired   = "expired"
	LicenseRevoked   = "revoked"
)

// StatusAt returns the license's status at block time t.
func (l License) StatusAt(t time.Time) string {
	switch day := DateOf(t); {
	case l.Revoked != nil:
		return LicenseRevoked
	case day >= l.End:
		return LicenseExpired
	case day < l.Start:
		return LicenseScheduled
	default:
		return LicenseActive
	}
}

// live reports whether the license still counts at t: not revoked, not
// expired.
func (l License) live(t time.Time) bool {
	s := l.StatusAt(t)
	return s == LicenseActive || s == LicenseScheduled
}

// overlaps reports whether the periods of l and o share a day, and their
// territories a place.
func (l Grant) overlaps(o Grant) bool {
	return l.Start < o.End && o.Start < l.End &&
		(l.Territory == o.Territory || l.Territory == Worldwide || o.Territory == Worldwide)
}

// DisputeOpen is the status of a dispute not yet decided; a decided one's
// status is its outcome, OutcomeUpheld or OutcomeDismissed.
const DisputeOpen = "open"

// Dispute contests a work's registration.
type Dispute struct {
	ID       ID            `json:"id"`
	Work     ID            `json:"work"`
	Evidence uint64        `json:"evidence"`
	Claim    string        `json:"claim"`
	Claimant chain.Address `json:"claimant"`
	Org      string        `json:"org"`
	Status   string        `json:"status"`
	Stamp
	Resolution *Resolution `json:"resolution,omitempty"`
}

// Resolution is an arbiter's decision of a dispute.
type Resolution struct {
	Dispute   ID            `json:"dispute"`
	Outcome   string        `json:"outcome"`
	Reasoning string        `json:"reasoning"`
	Arbiter   chain.Address `json:"arbiter"`
	Org       string        `json:"org"`
	Stamp
}

// Actions of history entries. The event of an action is "copyright." and
// the action.
const (
	ActionRegistered        = "registered"
	ActionTransferProposed  = "transfer_proposed"
	ActionTransferApproved  = "transfer_approved"
	ActionTransferRejected  = "transfer_rejected"
	ActionTransferCompleted = "transfer_completed"
	ActionLicenseGranted    = "license_granted"
	ActionLicenseRevoked    = "license_revoked"
	ActionDisputeOpened     = "dispute_opened"
	ActionDisputeResolved   = "dispute_resolved"
)

// HistoryEntry is one step in a work's history. Transfer, License and
// Dispute name what the step concerns; Holders are the holders proposed or,
// for registered and transfer_completed, the holders from then on; Note is
// the reason, note or outcome given.
type HistoryEntry struct {
	N        uint64        `json:"n"`
	Action   string        `json:"action"`
	Actor    chain.Address `json:"actor"`
	Org      string        `json:"org"`
	Transfer uint64        `json:"transfer,omitempty"`
	License  ID            `json:"license,omitempty"`
	Dispute  ID            `json:"dispute,omitempty"`
	Holders  []Holder      `json:"holders,omitempty"`
	Note     string        `json:"note,omitempty"`
	Stamp
}

// Stamp is where and when something happened: the block and the
// transaction.
type Stamp struct {
	Height int64      `json:"height"`
	Time   time.Time  `json:"time"` // block time
	TxHash chain.Hash `json:"tx_hash"`
}

func stampOf(ctx *chain.Context) Stamp {
	return Stamp{Height: ctx.Height, Time: ctx.Time, TxHash: ctx.TxHash}
}

// Keeper reads and writes copyright state.
type Keeper struct {
	members  Members
	evidence Evidence
}

// NewKeeper returns a keeper that checks accounts with m and evidence
// deposits with ev.
func NewKeeper(m Members, ev Evidence) Keeper { return Keeper{members: m, evidence: ev} }

func loadWork(r chain.Reader, id ID) (Work, error) {
	var w Work
	found, err := chain.Load(r, workKey(id), &w)
	if err == nil && !found {
		err = ErrNotFound.Withf("no work %d", id)
	}
	return w, err
}

func saveWork(kv chain.KV, w Work) { chain.Save(kv, workKey(w.ID), w) }

func loadLicense(r chain.Reader, id ID) (License, error) {
	var l License
	found, err := chain.Load(r, licenseKey(id), &l)
	if err == nil && !found {
		err = ErrLicenseNotFound.Withf("no license %d", id)
	}
	return l, err
}

func loadDispute(r chain.Reader, id ID) (Dispute, error) {
	var d Dispute
	found, err := chain.Load(r, disputeKey(id), &d)
	if err == nil && !found {
		err = ErrDisputeNotFound.Withf("no dispute %d", id)
	}
	return d, err
}

// workIDByHash returns the id of the work registered with h, 0 if none.
func workIDByHash(r chain.Reader, h chain.Hash) (ID, error) {
	v := r.Get(hashKey(h))
	if v == nil {
		return 0, nil
	}
	n, err := strconv.ParseUint(string(v), 10, 64)
	if err != nil {
		return 0, errs.Internal.Withf("hash index %s is damaged: %q", h, v)
	}
	return ID(n), nil
}

// holder reports whether addr is a current holder of w.
func (w Work) holder(addr chain.Address) bool {
	return slices.ContainsFunc(w.Holders, func(h Holder) bool { return h.Account == addr })
}

// IsParty reports whether org is party to dispute d about w: the claimant's
// organisation or that of a holder, which orgOf gives. Its arbiters may not
// decide it.
func IsParty(org string, d Dispute, w Work, orgOf func(chain.Address) (string, error)) (bool, error) {
	if org == d.Org {
		return true, nil
	}
	for _, h := range w.Holders {
		holder, err := orgOf(h.Account)
		if err != nil {
			return false, err
		}
		if holder == org {
			return true, nil
		}
	}
	return false, nil
}

func (k Keeper) isParty(r chain.Reader, org string, d Dispute, w Work) (bool, error) {
	return IsParty(org, d, w, func(a chain.Address) (string, error) {
		acc, err := k.members.Account(r, a)
		return acc.Org, err
	})
}

// checkAccounts checks that every holder is an active member account, so
// that each can approve transfers.
func (k Keeper) checkAccounts(r chain.Reader, hs []Holder) error {
	for _, h := range hs {
		if err := k.checkAccount(r, h.Account, "holder"); err != nil {
			return err
		}
	}
	return nil
}

func (k Keeper) checkAccount(r chain.Reader, addr chain.Address, what string) error {
	_, err := k.members.OrgOf(r, addr)
	return notMember(err, "%s %s is not an active member account", what, addr)
}

// notMember turns the error of a members lookup about someone a message
// names into ErrUnknownAccount, the message's fault; internal errors stay
// what they are.
func notMember(err error, format string, args ...any) error {
	if e := errs.As(err); e != nil && e.Kind != errs.KindInternal {
		return ErrUnknownAccount.Withf("%s: %s", fmt.Sprintf(format, args...), e.Message)
	}
	return err
}

// The search index. A work is indexed under the tokens of its title, its
// authors' names and its holders' names and addresses: runs of letters,
// digits and marks, lower-cased, cut to maxToken characters. Tokens are
// deterministic given the Unicode tables of the Go release, which all
// validators of a chain share with the binary.
const (
	maxToken = 32
	// maxWorkTokens bounds the index entries of one work; tokens past it
	// (after the title's, the authors' and the holders', in that order)
	// are not searchable.
	maxWorkTokens = 256
)

// tokenize appends the tokens of s to out.
func tokenize(out []string, s string) []string {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	}) {
		f = strings.ToLower(f)
		if utf8.RuneCountInString(f) > maxToken {
			f = string([]rune(f)[:maxToken])
		}
		out = append(out, f)
	}
	return out
}

// workTokens returns the index tokens of w, sorted and unique.
func workTokens(w Work) []string {
	toks := tokenize(nil, w.Title)
	for _, a := range w.Authors {
		toks = tokenize(toks, a.Name)
	}
	for _, h := range w.Holders {
		toks = tokenize(append(toks, h.Account.String()), h.Name)
	}
	var uniq []string
	for _, t := range toks {
		if len(uniq) < maxWorkTokens && !slices.Contains(uniq, t) {
			uniq = append(uniq, t)
		}
	}
	slices.Sort(uniq)
	return uniq
}

func loadTokens(r chain.Reader, id ID) []string {
	v := r.Get(tokensKey(id))
	if len(v) == 0 {
		return nil
	}
	return strings.Split(string(v), " ")
}

// reindex brings the search index of w up to date with its record: entries
// of tokens it lost are deleted, new ones written. The tokens written last
// time are kept beside the index, so an update never depends on how an
// older version tokenized.
func reindex(kv chain.KV, w Work) {
	old, now := loadTokens(kv, w.ID), workTokens(w)
	for _, t := range old {
		if _, found := slices.BinarySearch(now, t); !found {
			kv.Delete(tokenKey(t, w.ID))
		}
	}
	for _, t := range now {
		if _, found := slices.BinarySearch(old, t); !found {
			kv.Set(tokenKey(t, w.ID), []byte{})
		}
	}
	kv.Set(tokensKey(w.ID), []byte(strings.Join(now, " ")))
}

// setHolders replaces the holders of w and their index entries.
func setHolders(kv chain.KV, w *Work, hs []Holder) {
	for _, h := range w.Holders {
		kv.Delete(holderKey(h.Account, w.ID))
	}
	for _, h := range hs {
		kv.Set(holderKey(h.Account, w.ID), []byte{})
	}
	w.Holders = hs
	reindex(kv, *w)
}

// normalScope is the scope compared for overlaps: lower case, single spaces.
func normalScope(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func scopeHash(s string) chain.Hash { return chain.SumHash([]byte(normalScope(s))) }

// conflict returns the license of work that a grant of l may not overlap,
// the one with the lowest id if several: for an exclusive l any live one of
// the same scope overlapping in time and territory, for a non-exclusive l an
// exclusive one. Found is false when there is none.
func conflict(r chain.Reader, work ID, l Grant, now time.Time) (License, bool, error) {
	var prefixes [][]byte
	scope := scopeHash(l.Scope)
	if l.Territory == Worldwide {
		prefixes = [][]byte{licenseTermIndexPrefix(work, scope, "")}
	} else {
		prefixes = [][]byte{licenseTermIndexPrefix(work, scope, l.Territory), licenseTermIndexPrefix(work, scope, Worldwide)}
	}
	var ids []ID
	for _, p := range prefixes {
		got, err := indexIDs(r, chain.Range{Prefix: p}, 0)
		if err != nil {
			return License{}, false, err
		}
		ids = append(ids, got...)
	}
	slices.Sort(ids)
	for _, id := range ids {
		o, err := loadLicense(r, id)
		if err != nil {
			return License{}, false, err
		}
		if o.live(now) && l.overlaps(o.Grant) && (l.Exclusive || o.Exclusive) {
			return o, true, nil
		}
	}
	return License{}, false, nil
}

// indexIDs returns the ids at the end of the keys in rng, at most max (0:
// all). Reads of records come after the iteration: a store need not allow
// reads inside one.
func indexIDs(r chain.Reader, rng chain.Range, max int) ([]ID, error) {
	var ids []ID
	var err error
	r.Iterate(rng, func(key, _ []byte) bool {
		var id ID
		if id, err = idFromKey(key); err == nil {
			ids = append(ids, id)
		}
		return err == nil && (max == 0 || len(ids) < max)
	})
	return ids, err
}
