package evidence

import (
	"strings"

	"github.com/chancery/chancery/chain"
)

// Page sizes of listings.
const (
	DefaultPage = 50
	MaxPage     = 200
	// maxScan bounds the index entries one search reads, so a search over a
	// large organisation costs the same as a page; Next continues it.
	maxScan = 10_000
	// maxPerHash bounds ByHash: one record per organisation, and a
	// consortium has far fewer.
	maxPerHash = 500
	// maxLog bounds the attestations a query returns.
	maxLog = 1000
	// MaxLogPage bounds the custody entries a page holds.
	MaxLogPage = 1000
)

// Get returns a deposit, withdrawn or not.
func Get(r chain.Reader, id ID) (Evidence, error) { return loadEvidence(r, id) }

// ByHash returns every deposit of h, oldest first: what a court sees when it
// verifies a file.
func ByHash(r chain.Reader, h chain.Hash) ([]Evidence, error) {
	var out []Evidence
	var err error
	r.Iterate(chain.Range{Prefix: hashIndexPrefix(h)}, func(key, _ []byte) bool {
		var ev Evidence
		if ev, err = evidenceAt(r, key); err == nil {
			out = append(out, ev)
		}
		return err == nil && len(out) < maxPerHash
	})
	return out, err
}

// Page is a page of deposits; pass Next as after for the next one.
type Page struct {
	Items []Evidence `json:"items"`
	Next  ID         `json:"next,omitempty"`
}

// ListOrg lists an organisation's deposits, newest first, after the id
// after (0: from the newest). With q, only deposits whose title, file name
// or case reference contain q (ignoring case), or whose hash starts with it.
func ListOrg(r chain.Reader, org string, after ID, limit int, q string) (Page, error) {
	limit = clampLimit(limit)
	rng := chain.Range{Prefix: orgIndexPrefix(org), Reverse: true}
	if after != 0 {
		rng.After = orgIndexKey(org, after)
	}
	q = strings.ToLower(strings.TrimSpace(q))
	page := Page{Items: []Evidence{}}
	var (
		err  error
		last ID // where a next page would start, once this one is full
	)
	scanned := 0
	r.Iterate(rng, func(key, _ []byte) bool {
		if last != 0 { // the page is full and a deposit follows
			page.Next = last
			return false
		}
		scanned++
		var ev Evidence
		if ev, err = evidenceAt(r, key); err != nil {
			return false
		}
		if matches(ev, q) {
			page.Items = append(page.Items, ev)
		}
		if len(page.Items) == limit || scanned == maxScan {
			last = ev.ID
		}
		return true
	})
	return page, err
}

func matches(ev Evidence, q string) bool {
	if q == "" {
		return true
	}
	return strings.HasPrefix(ev.SHA256.String(), q) ||
		strings.Contains(strings.ToLower(ev.Title), q) ||
		strings.Contains(strings.ToLower(ev.FileName), q) ||
		strings.Contains(strings.ToLower(ev.CaseRef), q)
}

func clampLimit(limit int) int {
	if limit <= 0 {
		return DefaultPage
	}
	return min(limit, MaxPage)
}

// evidenceAt loads the deposit an index key ends with.
func evidenceAt(r chain.Reader, key []byte) (Evidence, error) {
	id, err := idFromKey(key)
	if err != nil {
		return Evidence{}, err
	}
	return loadEvidence(r, id)
}

// Attestations returns a deposit's attestations in organisation order.
func Attestations(r chain.Reader, id ID) ([]Attestation, error) {
	return list[Attestation](r, attestIndexPrefix(id))
}

// CustodyPage is a page of a deposit's custody log, oldest first. Next,
// when the log goes on, is the number of its last entry: pass it as after.
type CustodyPage struct {
	Items []CustodyEntry `json:"items"`
	Next  uint64         `json:"next,omitempty"`
}

// CustodyLog returns the entries of a deposit's custody log numbered after
// after (0: from the first), oldest first, at most limit of them (1 to
// MaxLogPage; 0 for MaxLogPage).
func CustodyLog(r chain.Reader, id ID, after uint64, limit int) (CustodyPage, error) {
	if limit < 0 || limit > MaxLogPage {
		return CustodyPage{}, ErrInvalid.Withf("limit must be between 1 and %d, got %d", MaxLogPage, limit)
	}
	if limit == 0 {
		limit = MaxLogPage
	}
	rng := chain.Range{Prefix: custodyIndexPrefix(id)}
	if after > 0 {
		rng.After = custodyKey(id, after)
	}
	page := CustodyPage{Items: []CustodyEntry{}}
	var err error
	r.Iterate(rng, func(key, value []byte) bool {
		if len(page.Items) == limit {
			page.Next = page.Items[limit-1].N
			return false
		}
		var e CustodyEntry
		err = chain.Decode(key, value, &e)
		page.Items = append(page.Items, e)
		return err == nil
	})
	return page, err
}

func list[T any](r chain.Reader, prefix []byte) ([]T, error) {
	out := []T{}
	var err error
	r.Iterate(chain.Range{Prefix: prefix}, func(key, value []byte) bool {
		var v T
		if err = chain.Decode(key, value, &v); err == nil {
			out = append(out, v)
		}
		return err == nil && len(out) < maxLog
	})
	return out, err
}

// GetBatch returns an anchored batch.
func GetBatch(r chain.Reader, id ID) (Batch, error) {
	var b Batch
	found, err := chain.Load(r, batchKey(id), &b)
	if err == nil && !found {
		err = ErrBatchNotFound.Withf("no batch %d", id)
	}
	return b, err
}
