package members

import (
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
)

// Page sizes of the listings.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// OrgPage is a page of organisations in id order. Next, when set, is the
// cursor of the following page: pass it back as after.
type OrgPage struct {
	Orgs []Org  `json:"orgs"`
	Next string `json:"next,omitempty"`
}

// AccountPage is a page of an organisation's accounts in address order,
// revoked ones included. Next, when set, is the cursor of the following page:
// pass it back as after.
type AccountPage struct {
	Accounts []Account `json:"accounts"`
	Next     string    `json:"next,omitempty"`
}

// GetOrg returns the organisation id, or ErrUnknownOrg.
func GetOrg(r chain.Reader, id string) (Org, error) { return uncached.loadOrg(r, id) }

// GetAccount returns the account at addr, or ErrAccountNotFound.
func GetAccount(r chain.Reader, addr chain.Address) (Account, error) {
	return uncached.loadAccount(r, addr)
}

// ListOrgs returns up to limit organisations (DefaultPageSize when limit ≤ 0,
// at most MaxPageSize) whose ids come after the cursor after, "" for the first
// page.
func ListOrgs(r chain.Reader, after string, limit int) (OrgPage, error) {
	rng := chain.Range{Prefix: []byte(orgPrefix)}
	if after != "" {
		if err := checkOrgID("cursor", after); err != nil {
			return OrgPage{}, ErrInvalidCursor.Withf("%v", err)
		}
		rng.After = orgKey(after)
	}
	orgs, more, err := collect(r, rng, limit, func(key, value []byte) (Org, error) {
		var org Org
		return org, chain.Decode(key, value, &org)
	})
	if err != nil {
		return OrgPage{}, err
	}
	page := OrgPage{Orgs: orgs}
	if more {
		page.Next = orgs[len(orgs)-1].ID
	}
	return page, nil
}

// ListAccounts returns up to limit accounts of organisation org
// (DefaultPageSize when limit ≤ 0, at most MaxPageSize) whose addresses come
// after the cursor after, "" for the first page. An unknown org is
// ErrUnknownOrg, not an empty page.
func ListAccounts(r chain.Reader, org string, after string, limit int) (AccountPage, error) {
	if _, err := uncached.loadOrg(r, org); err != nil {
		return AccountPage{}, err
	}
	rng := chain.Range{Prefix: orgAccountsPrefix(org)}
	if after != "" {
		// A cursor is what Next handed out, not typed: one spelling only.
		var addr chain.Address
		if err := addr.UnmarshalText([]byte(after)); err != nil {
			return AccountPage{}, ErrInvalidCursor.Withf("cursor: %v", err)
		}
		rng.After = orgAccountKey(org, addr)
	}
	// Addresses first, accounts after: a store need not allow reads inside
	// an iteration.
	addrs, more, err := collect(r, rng, limit, func(key, _ []byte) (chain.Address, error) {
		var addr chain.Address
		if err := addr.UnmarshalText(key[len(rng.Prefix):]); err != nil {
			return addr, errs.Internal.Withf("members: index key %s is damaged: %v", key, err)
		}
		return addr, nil
	})
	if err != nil {
		return AccountPage{}, err
	}
	page := AccountPage{Accounts: make([]Account, 0, len(addrs))}
	for _, addr := range addrs {
		acc, err := uncached.loadAccount(r, addr)
		if err != nil {
			return AccountPage{}, err
		}
		page.Accounts = append(page.Accounts, acc)
	}
	if more {
		page.Next = addrs[len(addrs)-1].String()
	}
	return page, nil
}

// collect returns the items made of the entries of rng, up to a page of
// limit, and whether more entries follow.
func collect[T any](r chain.Reader, rng chain.Range, limit int, item func(key, value []byte) (T, error)) (items []T, more bool, err error) {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	items = []T{}
	r.Iterate(rng, func(key, value []byte) bool {
		if len(items) == limit {
			more = true
			return false
		}
		var it T
		if it, err = item(key, value); err != nil {
			return false
		}
		items = append(items, it)
		return true
	})
	return items, more, err
}
