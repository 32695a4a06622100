package evidence

import (
	"time"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
)

// Roles of the evidence app. The members app grants them; evidence only
// checks them.
const (
	RoleDepositor = "evidence.depositor"
	RoleCustodian = "evidence.custodian"
	RoleVerifier  = "evidence.verifier"
)

// Members is what evidence needs of the members app.
type Members interface {
	// OrgOf returns the organisation of an active account.
	OrgOf(r chain.Reader, addr chain.Address) (string, error)
	HasRole(r chain.Reader, addr chain.Address, role string) bool
	// Org returns an organisation, or an error if there is none.
	Org(r chain.Reader, id string) (members.Org, error)
}

// Evidence is a deposit.
type Evidence struct {
	ID          ID            `json:"id"`
	SHA256      chain.Hash    `json:"sha256"`
	Size        int64         `json:"size"`
	MediaType   string        `json:"media_type"`
	FileName    string        `json:"file_name"`
	Title       string        `json:"title"`
	Description string        `json:"description"`
	CaseRef     string        `json:"case_ref"`
	Stored      bool          `json:"stored"`
	Org         string        `json:"org"`
	Depositor   chain.Address `json:"depositor"`
	Height      int64         `json:"height"`
	Time        time.Time     `json:"time"` // block time: the proof of existence
	TxHash      chain.Hash    `json:"tx_hash"`
	// Attestations and CustodyEntries count the records kept beside it.
	Attestations   int         `json:"attestations"`
	CustodyEntries uint64      `json:"custody_entries"`
	Withdrawn      *Withdrawal `json:"withdrawn,omitempty"`
}

// Withdrawal is why and when a deposit was withdrawn.
type Withdrawal struct {
	Reason string        `json:"reason"`
	By     chain.Address `json:"by"`
	Height int64         `json:"height"`
	Time   time.Time     `json:"time"`
	TxHash chain.Hash    `json:"tx_hash"`
}

// Attestation is an organisation's co-signature of a deposit.
type Attestation struct {
	Org       string        `json:"org"`
	Account   chain.Address `json:"account"`
	Statement string        `json:"statement"`
	Height    int64         `json:"height"`
	Time      time.Time     `json:"time"`
	TxHash    chain.Hash    `json:"tx_hash"`
}

// CustodyEntry is one step of the custody log: an action of a custodian, or
// an access (download) by anyone allowed to.
type CustodyEntry struct {
	N       uint64        `json:"n"`
	Action  string        `json:"action"` // a custody action, "accessed" or "shared"
	Note    string        `json:"note"`
	With    string        `json:"with,omitempty"` // shared: the organisation it was shared with
	Org     string        `json:"org"`
	Account chain.Address `json:"account"`
	Height  int64         `json:"height"`
	Time    time.Time     `json:"time"`
	TxHash  chain.Hash    `json:"tx_hash"`
}

// Batch is an anchored batch of hashes.
type Batch struct {
	ID           ID            `json:"id"`
	Root         chain.Hash    `json:"root"`
	Count        uint32        `json:"count"`
	LeavesSHA256 chain.Hash    `json:"leaves_sha256"`
	Title        string        `json:"title"`
	Org          string        `json:"org"`
	Depositor    chain.Address `json:"depositor"`
	Height       int64         `json:"height"`
	Time         time.Time     `json:"time"`
	TxHash       chain.Hash    `json:"tx_hash"`
}

// Keeper reads and writes evidence state.
type Keeper struct {
	members Members
}

// NewKeeper returns a keeper that checks organisations and roles with m.
func NewKeeper(m Members) Keeper { return Keeper{members: m} }

func loadEvidence(r chain.Reader, id ID) (Evidence, error) {
	var ev Evidence
	found, err := chain.Load(r, recordKey(id), &ev)
	if err == nil && !found {
		err = ErrNotFound.Withf("no evidence %d", id)
	}
	return ev, err
}

// loadActive is loadEvidence for messages that change a deposit: a withdrawn
// one is final.
func loadActive(r chain.Reader, id ID) (Evidence, error) {
	ev, err := loadEvidence(r, id)
	if err == nil && ev.Withdrawn != nil {
		err = ErrWithdrawn.Withf("evidence %d was withdrawn at height %d: %s", id, ev.Withdrawn.Height, ev.Withdrawn.Reason)
	}
	return ev, err
}

func saveEvidence(kv chain.KV, ev Evidence) { chain.Save(kv, recordKey(ev.ID), ev) }

// mayAccess returns nil if the account may open the evidence's file: its
// depositing organisation, an organisation it shared the deposit with,
// custodians and courts; otherwise ErrNoAccess saying why. Attesting opens
// nothing: an organisation reads what its depositor chose to share.
//
// The file is the content of a hash, and whoever deposited that hash first
// holds it: a later deposit of the same hash by another organisation opens
// the file only for accounts that may also open the first. Otherwise an
// organisation that read a hash off the public record could deposit it,
// claim it stored, and download the first depositor's file through its own
// record.
func (k Keeper) mayAccess(r chain.Reader, ev Evidence, addr chain.Address, org string) error {
	if !k.mayAccessRecord(r, ev, addr, org) {
		return ErrNoAccess.Withf("account %s may not open evidence %d", addr, ev.ID)
	}
	first, err := firstDeposit(r, ev.SHA256)
	if err != nil || first.ID == ev.ID || first.Org == ev.Org || k.mayAccessRecord(r, first, addr, org) {
		return err
	}
	return ErrNoAccess.Withf("the content of evidence %d was deposited first by organisation %q as evidence %d, which account %s may not open",
		ev.ID, first.Org, first.ID, addr)
}

// mayAccessRecord is mayAccess for one deposit alone.
func (k Keeper) mayAccessRecord(r chain.Reader, ev Evidence, addr chain.Address, org string) bool {
	return org == ev.Org ||
		chain.Has(r, shareKey(ev.ID, org)) ||
		k.members.HasRole(r, addr, RoleCustodian) ||
		k.members.HasRole(r, addr, RoleVerifier)
}

// firstDeposit returns the oldest deposit of h.
func firstDeposit(r chain.Reader, h chain.Hash) (Evidence, error) {
	var (
		ev    Evidence
		found bool
		err   error
	)
	r.Iterate(chain.Range{Prefix: hashIndexPrefix(h)}, func(key, _ []byte) bool {
		ev, err = evidenceAt(r, key)
		found = true
		return false
	})
	if err == nil && !found {
		err = ErrNotFound.Withf("no deposit of %s", h)
	}
	return ev, err
}

// MayAccess is mayAccess for the web layer, which checks before it signs the
// access record and streams the file.
func (k Keeper) MayAccess(r chain.Reader, id ID, addr chain.Address) (Evidence, error) {
	ev, err := loadEvidence(r, id)
	if err != nil {
		return ev, err
	}
	org, err := k.members.OrgOf(r, addr)
	if err != nil {
		return ev, err
	}
	return ev, k.mayAccess(r, ev, addr, org)
}
