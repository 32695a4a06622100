package finance

import (
	"slices"
	"time"

	"github.com/chancery/chancery/chain"
)

// Page sizes of listings.
const (
	DefaultPage = 50
	MaxPage     = 200
)

// Lineage is a piece with its place in its tree.
type Lineage struct {
	Piece     Receivable   `json:"piece"`
	Ancestors []Receivable `json:"ancestors"` // from the root down to the parent
	Children  []Receivable `json:"children"`  // of a split piece
}

// Get returns a piece with its ancestors and children: as many reads as the
// piece is deep plus its children.
func Get(r chain.Reader, id ID) (Lineage, error) {
	p, err := loadPiece(r, id)
	if err != nil {
		return Lineage{}, err
	}
	l := Lineage{Piece: p, Ancestors: make([]Receivable, p.Depth), Children: make([]Receivable, 0, len(p.Children))}
	for i, parent := p.Depth-1, p.Parent; i >= 0; i-- {
		if l.Ancestors[i], err = loadPiece(r, parent); err != nil {
			return Lineage{}, err
		}
		parent = l.Ancestors[i].Parent
	}
	for _, c := range p.Children {
		child, err := loadPiece(r, c)
		if err != nil {
			return Lineage{}, err
		}
		l.Children = append(l.Children, child)
	}
	return l, nil
}

// Tree returns every piece of the tree that piece id belongs to, in id order,
// which puts each piece after its parent: a picture of the lineage needs
// nothing else. A tree holds at most MaxTreePieces.
func Tree(r chain.Reader, id ID) ([]Receivable, error) {
	p, err := loadPiece(r, id)
	if err != nil {
		return nil, err
	}
	keys, _, err := indexRange(r, treeIndexPrefix(p.Root), false, "", "", MaxTreePieces)
	if err != nil {
		return nil, err
	}
	return loadAll(r, keys)
}

// Page is a page of pieces; pass Next as after for the next one.
type Page struct {
	Items []Receivable `json:"items"`
	Next  string       `json:"next,omitempty"`
}

// HolderFilter selects pieces by holder — an account, or else an
// organisation — and, when State is set, by state.
type HolderFilter struct {
	Org     string
	Account chain.Address
	State   State
}

// ListByHolder lists the pieces a holder holds (or, closed or settled, held
// last), newest first.
func ListByHolder(r chain.Reader, f HolderFilter, after string, limit int) (Page, error) {
	if f.State != "" {
		if _, err := ParseState(string(f.State)); err != nil {
			return Page{}, err
		}
	}
	if !f.Account.IsZero() {
		return list(r, accountIndexPrefix(f.Account, f.State), true, after, "", limit)
	}
	if err := checkOrgQuery(f.Org); err != nil {
		return Page{}, err
	}
	return list(r, heldIndexPrefix(f.Org, f.State), true, after, "", limit)
}

// ListIssuedBy lists the receivables a core enterprise issued, newest first.
func ListIssuedBy(r chain.Reader, org string, after string, limit int) (Page, error) {
	if err := checkOrgQuery(org); err != nil {
		return Page{}, err
	}
	return list(r, issuedIndexPrefix(org), true, after, "", limit)
}

// DueSoon lists the unpaid pieces a core enterprise owes that fall due within
// days of the block time at (today included), soonest first.
func DueSoon(r chain.Reader, org string, at time.Time, days int, after string, limit int) (Page, error) {
	if err := checkOrgQuery(org); err != nil {
		return Page{}, err
	}
	if days < 0 || days > MaxTermDays {
		return Page{}, ErrInvalid.Withf("days must be 0 to %d, got %d", MaxTermDays, days)
	}
	today := DateOf(at)
	return list(r, owedIndexPrefix(org), false, max(after, today.String()+"/"), today.AddDays(days+1).String(), limit)
}

// Overdue lists the unpaid pieces an organisation — a supplier or a bank —
// holds whose due date is before the date of block time at, longest overdue
// first.
func Overdue(r chain.Reader, org string, at time.Time, after string, limit int) (Page, error) {
	if err := checkOrgQuery(org); err != nil {
		return Page{}, err
	}
	return list(r, heldDueIndexPrefix(org), false, after, DateOf(at).String(), limit)
}

// OverdueOwed lists the unpaid pieces a core enterprise owes whose due date
// is before the date of block time at, longest overdue first: what DueSoon
// no longer shows.
func OverdueOwed(r chain.Reader, org string, at time.Time, after string, limit int) (Page, error) {
	if err := checkOrgQuery(org); err != nil {
		return Page{}, err
	}
	return list(r, owedIndexPrefix(org), false, after, DateOf(at).String(), limit)
}

// FinancingRequests lists the pieces awaiting a bank's answer, oldest first.
func FinancingRequests(r chain.Reader, bank string, after string, limit int) (Page, error) {
	if err := checkOrgQuery(bank); err != nil {
		return Page{}, err
	}
	return list(r, requestsIndexPrefix(bank), false, after, "", limit)
}

// list returns a page of the pieces of an index range; see indexRange.
func list(r chain.Reader, prefix []byte, reverse bool, after, stop string, limit int) (Page, error) {
	if limit <= 0 {
		limit = DefaultPage
	}
	keys, more, err := indexRange(r, prefix, reverse, after, stop, min(limit, MaxPage))
	if err != nil {
		return Page{}, err
	}
	items, err := loadAll(r, keys)
	if err != nil {
		return Page{}, err
	}
	page := Page{Items: items}
	if more {
		page.Next = string(keys[len(keys)-1][len(prefix):])
	}
	return page, nil
}

// indexRange returns up to limit keys of the index entries under prefix whose
// remainder comes after the cursor after and, when stop is set, before stop,
// and whether more follow. Keys come first and records after: a store need
// not allow reads inside an iteration.
func indexRange(r chain.Reader, prefix []byte, reverse bool, after, stop string, limit int) (keys [][]byte, more bool, err error) {
	if err := checkCursor(after); err != nil {
		return nil, false, err
	}
	rng := chain.Range{Prefix: prefix, Reverse: reverse}
	if after != "" {
		rng.After = append(slices.Clone(prefix), after...)
	}
	r.Iterate(rng, func(key, _ []byte) bool {
		if stop != "" && string(key[len(prefix):]) >= stop {
			return false
		}
		if len(keys) == limit {
			more = true
			return false
		}
		keys = append(keys, slices.Clone(key))
		return true
	})
	return keys, more, nil
}

func loadAll(r chain.Reader, keys [][]byte) ([]Receivable, error) {
	out := make([]Receivable, 0, len(keys))
	for _, key := range keys {
		id, err := idFromKey(key)
		if err != nil {
			return nil, err
		}
		p, err := loadPiece(r, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// checkCursor accepts "" or the remainder of an index key: digits, dates and
// "/".
func checkCursor(c string) error {
	if len(c) > 64 {
		return ErrInvalidCursor.Withf("cursor is too long")
	}
	for i := 0; i < len(c); i++ {
		if ch := c[i]; !('0' <= ch && ch <= '9' || ch == '-' || ch == '/') {
			return ErrInvalidCursor.Withf("cursor %q is not one a page returned", c)
		}
	}
	return nil
}

func checkOrgQuery(org string) error {
	if org == "" {
		return ErrInvalidParty.Withf("organisation is missing")
	}
	return checkOrg("organisation", org)
}
