package members

import (
	"errors"
	"slices"
	"time"

	"github.com/chancery/chancery/chain"
)

// Org is an organisation of the consortium.
type Org struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Roles         []string  `json:"roles"` // sorted, unique
	CreatedHeight int64     `json:"created_height"`
	CreatedAt     time.Time `json:"created_at"` // block time
}

// Account is a key that signs for an organisation. Revoked accounts are kept:
// records elsewhere name them, and readers must see that and why they were
// revoked.
type Account struct {
	Address       chain.Address `json:"address"`
	PubKey        chain.PubKey  `json:"pubkey"`
	Org           string        `json:"org"`
	Name          string        `json:"name"`
	Roles         []string      `json:"roles"` // sorted, unique; effective only where the org holds them too
	Revoked       bool          `json:"revoked"`
	RevokedReason string        `json:"revoked_reason,omitzero"`
	RevokedBy     chain.Address `json:"revoked_by,omitzero"`
	RevokedHeight int64         `json:"revoked_height,omitzero"`
	RevokedAt     time.Time     `json:"revoked_at,omitzero"`
	CreatedHeight int64         `json:"created_height"`
	CreatedAt     time.Time     `json:"created_at"` // block time
}

// Keeper reads members' state for the chain and the other apps. It keeps
// no state of its own beyond caches of decoded accounts and organisations,
// which are right whatever state they are asked about (see
// chain.RecordCache), so it is safe for concurrent use and every method works
// on the state it is given. The zero value works without the caches.
//
// Keeper is the chain's chain.Authorizer. Other apps use HasRole, Account and
// Org through small interfaces of their own.
type Keeper struct {
	accounts *chain.RecordCache[Account]
	orgs     *chain.RecordCache[Org]
}

// NewKeeper returns a keeper with its caches. Every transaction authorises
// its signer, so the signers' records are decoded once rather than several
// times a transaction (CheckTx, recheck, block).
func NewKeeper() Keeper {
	return Keeper{accounts: chain.NewRecordCache[Account](1 << 14), orgs: chain.NewRecordCache[Org](1 << 10)}
}

var _ chain.Authorizer = Keeper{}

// uncached reads records without the caches, for the members module's own
// handlers and queries: they run rarely and hand what they read to callers
// that change it. It is the zero Keeper and is never assigned.
var uncached Keeper

// Authorize checks that signer is an active member account for which role is
// effective, that is held by both the account and its organisation. An empty
// role only asks for an active account.
func (k Keeper) Authorize(r chain.Reader, signer chain.Address, role string) error {
	acc, err := k.activeAccount(r, signer)
	if err != nil || role == "" {
		return err
	}
	if !hasRole(acc.Roles, role) {
		return ErrMissingRole.Withf("account %s lacks the role %s", signer, role)
	}
	org, err := k.loadOrg(r, acc.Org)
	if err != nil {
		return err
	}
	if !hasRole(org.Roles, role) {
		return ErrMissingRole.Withf("the role %s of account %s is suspended: its organisation %q no longer holds it", role, signer, org.ID)
	}
	return nil
}

// HasRole reports whether addr is an active account for which role is
// effective.
func (k Keeper) HasRole(r chain.Reader, addr chain.Address, role string) bool {
	return k.Authorize(r, addr, role) == nil
}

// EffectiveRoles returns the roles an account may act with now: those both it
// and its organisation hold, none if it is revoked.
func (k Keeper) EffectiveRoles(r chain.Reader, addr chain.Address) ([]string, error) {
	acc, err := k.loadAccount(r, addr)
	if err != nil {
		return nil, err
	}
	out := []string{}
	if acc.Revoked {
		return out, nil
	}
	org, err := k.loadOrg(r, acc.Org)
	if err != nil {
		return nil, err
	}
	for _, role := range acc.Roles {
		if hasRole(org.Roles, role) {
			out = append(out, role)
		}
	}
	return out, nil
}

// Account returns the account at addr, revoked or not, or
// ErrAccountNotFound.
func (k Keeper) Account(r chain.Reader, addr chain.Address) (Account, error) {
	acc, err := k.loadAccount(r, addr)
	acc.Roles = slices.Clone(acc.Roles) // the cache's copy stays as stored
	return acc, err
}

// OrgOf returns the organisation of an active account, with the
// Authorizer's errors for an unknown or revoked one.
func (k Keeper) OrgOf(r chain.Reader, addr chain.Address) (string, error) {
	acc, err := k.activeAccount(r, addr)
	return acc.Org, err
}

// Org returns the organisation id, or ErrUnknownOrg.
func (k Keeper) Org(r chain.Reader, id string) (Org, error) {
	org, err := k.loadOrg(r, id)
	org.Roles = slices.Clone(org.Roles)
	return org, err
}

// activeAccount returns the signer's account if it exists and is not
// revoked, with the Authorizer's errors.
func (k Keeper) activeAccount(r chain.Reader, signer chain.Address) (Account, error) {
	acc, err := k.loadAccount(r, signer)
	if errors.Is(err, ErrAccountNotFound) {
		return Account{}, ErrUnknownAccount.Withf("%s is not a member account", signer)
	}
	if err != nil {
		return Account{}, err
	}
	if acc.Revoked {
		return Account{}, ErrAccountRevoked.Withf("account %s was revoked at height %d: %s", signer, acc.RevokedHeight, acc.RevokedReason)
	}
	return acc, nil
}

// loadAccount and loadOrg return the cache's shared values: read them, or
// clone their Roles before changing them.
func (k Keeper) loadAccount(r chain.Reader, addr chain.Address) (Account, error) {
	acc, found, err := k.accounts.Load(r, accountKey(addr))
	switch {
	case err != nil:
		return Account{}, err
	case !found:
		return Account{}, ErrAccountNotFound.Withf("no account %s", addr)
	}
	return acc, nil
}

func (k Keeper) loadOrg(r chain.Reader, id string) (Org, error) {
	org, found, err := k.orgs.Load(r, orgKey(id))
	switch {
	case err != nil:
		return Org{}, err
	case !found:
		return Org{}, ErrUnknownOrg.Withf("no organisation %q", id)
	}
	return org, nil
}

func putOrg(kv chain.KV, org Org) { chain.Save(kv, orgKey(org.ID), org) }

func putAccount(kv chain.KV, acc Account) { chain.Save(kv, accountKey(acc.Address), acc) }

// createAccount stores a new account and indexes it under its organisation,
// which never changes.
func createAccount(kv chain.KV, acc Account) {
	putAccount(kv, acc)
	kv.Set(orgAccountKey(acc.Org, acc.Address), []byte{})
}
