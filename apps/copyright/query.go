package copyright

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
)

// Limits of queries.
const (
	DefaultPage = 50
	MaxPage     = 200
	// MaxQuery and MaxQueryTokens bound a search string.
	MaxQuery       = 100
	MaxQueryTokens = 5
	// maxScan bounds the index entries one search reads, so a search for a
	// common word costs at most this much; Next continues it.
	maxScan = 10_000
	// probeLimit is how many index entries of each query token are counted
	// to pick the rarest one to drive a search.
	probeLimit = 64
	// scanBatch is the most index keys read before their works are.
	scanBatch = 256
	// maxCursor is the longest cursor: two tokens of maxToken characters
	// of up to 4 bytes, a space, a slash and an id.
	maxCursor = 2*4*maxToken + 2 + idDigits
)

// Times passed to queries (at) are the block time of the state they read —
// the last committed block's — so that license status never depends on the
// local clock.

// WorkView is a work with the first page of each thing recorded about it:
// its licenses, disputes and history, oldest first. Where a list goes on,
// its Next is the cursor of the rest (ListLicenses, ListWorkDisputes,
// ListHistory); 0 when the list is whole.
type WorkView struct {
	Work
	Licenses     []LicenseView  `json:"licenses"`
	LicensesNext ID             `json:"licenses_next,omitempty"`
	Disputes     []Dispute      `json:"disputes"`
	DisputesNext ID             `json:"disputes_next,omitempty"`
	History      []HistoryEntry `json:"history"`
	HistoryNext  ID             `json:"history_next,omitempty"`
}

// LicenseView is a license with its status at the time of the query.
type LicenseView struct {
	License
	Status string `json:"status"`
}

// Get returns a work with its licenses (and their status at block time at),
// disputes and history.
func Get(r chain.Reader, id ID, at time.Time) (WorkView, error) {
	w, err := loadWork(r, id)
	if err != nil {
		return WorkView{}, err
	}
	v := WorkView{Work: w}
	ls, err := licenses(r, id, 0, MaxPage, at)
	if err != nil {
		return WorkView{}, err
	}
	ds, err := disputes(r, id, 0, MaxPage)
	if err != nil {
		return WorkView{}, err
	}
	hs, err := history(r, id, 0, MaxPage)
	if err != nil {
		return WorkView{}, err
	}
	v.Licenses, v.LicensesNext = ls.Items, ls.Next
	v.Disputes, v.DisputesNext = ds.Items, ds.Next
	v.History, v.HistoryNext = hs.Items, hs.Next
	return v, nil
}

// ByHash returns the work registered with content hash h: the original
// registration, whose block time is the priority proof.
func ByHash(r chain.Reader, h chain.Hash) (Work, error) {
	id, err := workIDByHash(r, h)
	if err != nil {
		return Work{}, err
	}
	if id == 0 {
		return Work{}, ErrNotFound.Withf("no work registered with sha256 %s", h)
	}
	return loadWork(r, id)
}

// LicensePage is a page of a work's licenses; pass Next as after for the
// next one.
type LicensePage struct {
	Items []LicenseView `json:"items"`
	Next  ID            `json:"next,omitempty"`
}

// ListLicenses lists a work's licenses, oldest first, after the license
// after (0 for the first page), with their status at block time at.
func ListLicenses(r chain.Reader, work ID, after ID, limit int, at time.Time) (LicensePage, error) {
	if _, err := loadWork(r, work); err != nil {
		return LicensePage{}, err
	}
	return licenses(r, work, after, clampLimit(limit), at)
}

func licenses(r chain.Reader, work, after ID, limit int, at time.Time) (LicensePage, error) {
	rng := chain.Range{Prefix: workLicenseIndexPrefix(work)}
	if after != 0 {
		rng.After = workLicenseKey(work, after)
	}
	items, next, err := pageOf(r, rng, limit, func(id ID) (LicenseView, error) {
		l, err := loadLicense(r, id)
		return LicenseView{License: l, Status: l.StatusAt(at)}, err
	})
	return LicensePage{Items: items, Next: next}, err
}

// GetLicense returns a license with its status at block time at.
func GetLicense(r chain.Reader, id ID, at time.Time) (LicenseView, error) {
	l, err := loadLicense(r, id)
	if err != nil {
		return LicenseView{}, err
	}
	return LicenseView{License: l, Status: l.StatusAt(at)}, nil
}

// ListWorkDisputes lists a work's disputes, oldest first, after the dispute
// after (0 for the first page).
func ListWorkDisputes(r chain.Reader, work ID, after ID, limit int) (DisputePage, error) {
	if _, err := loadWork(r, work); err != nil {
		return DisputePage{}, err
	}
	return disputes(r, work, after, clampLimit(limit))
}

func disputes(r chain.Reader, work, after ID, limit int) (DisputePage, error) {
	rng := chain.Range{Prefix: workDisputeIndexPrefix(work)}
	if after != 0 {
		rng.After = workDisputeKey(work, after)
	}
	items, next, err := pageOf(r, rng, limit, func(id ID) (Dispute, error) { return loadDispute(r, id) })
	return DisputePage{Items: items, Next: next}, err
}

// GetDispute returns a dispute.
func GetDispute(r chain.Reader, id ID) (Dispute, error) { return loadDispute(r, id) }

// HistoryPage is a page of a work's history; pass Next as after for the
// next one.
type HistoryPage struct {
	Items []HistoryEntry `json:"items"`
	Next  ID             `json:"next,omitempty"`
}

// ListHistory lists a work's history, oldest first, after the entry
// numbered after (0 for the first page).
func ListHistory(r chain.Reader, work ID, after ID, limit int) (HistoryPage, error) {
	if _, err := loadWork(r, work); err != nil {
		return HistoryPage{}, err
	}
	return history(r, work, after, clampLimit(limit))
}

func history(r chain.Reader, work, after ID, limit int) (HistoryPage, error) {
	rng := chain.Range{Prefix: historyIndexPrefix(work)}
	if after != 0 {
		rng.After = historyKey(work, uint64(after))
	}
	page := HistoryPage{Items: []HistoryEntry{}}
	var err error
	r.Iterate(rng, func(key, value []byte) bool {
		if len(page.Items) == limit {
			page.Next = ID(page.Items[limit-1].N)
			return false
		}
		var e HistoryEntry
		if err = chain.Decode(key, value, &e); err == nil {
			page.Items = append(page.Items, e)
		}
		return err == nil
	})
	return page, err
}

// pageOf loads the records of the ids at the end of the keys in rng, at
// most limit of them; next is the last one's id when rng holds more.
func pageOf[T any](r chain.Reader, rng chain.Range, limit int, load func(ID) (T, error)) (items []T, next ID, err error) {
	ids, err := indexIDs(r, rng, limit+1)
	if err != nil {
		return nil, 0, err
	}
	if len(ids) > limit {
		ids, next = ids[:limit], ids[limit-1]
	}
	items = make([]T, 0, len(ids))
	for _, id := range ids {
		v, err := load(id)
		if err != nil {
			return nil, 0, err
		}
		items = append(items, v)
	}
	return items, next, nil
}

// Page is a page of works; pass Next as after for the next one.
type Page struct {
	Items []Work `json:"items"`
	Next  string `json:"next,omitempty"`
}

// ListByHolder lists the works addr holds now, newest first, after the
// cursor after ("" for the first page).
func ListByHolder(r chain.Reader, addr chain.Address, after string, limit int) (Page, error) {
	limit = clampLimit(limit)
	rng := chain.Range{Prefix: holderIndexPrefix(addr), Reverse: true}
	if after != "" {
		id, err := ParseID(after)
		if err != nil {
			return Page{}, ErrBadQuery.Withf("cursor: %v", err)
		}
		rng.After = holderKey(addr, id)
	}
	items, next, err := pageOf(r, rng, limit, func(id ID) (Work, error) { return loadWork(r, id) })
	if err != nil {
		return Page{}, err
	}
	page := Page{Items: items}
	if next != 0 {
		page.Next = next.String()
	}
	return page, nil
}

// Search finds works by the words of q: each word must begin one of a
// work's tokens (of its title, authors' names, holders' names and
// addresses), so "moon sonat" finds "Moonlight Sonata". A q that is a
// SHA-256 in hex finds the work registered with that hash.
//
// The index entries of the rarest word, judged by counting up to probeLimit
// of each, are read in key order — by token, then oldest work first — and
// each work is checked against the other words with its stored token list.
// One call reads at most maxScan entries: a page may come back short with a
// Next cursor to continue. Pass Next back as after with the same q.
func Search(r chain.Reader, q string, after string, limit int) (Page, error) {
	if h, err := chain.ParseHash(strings.TrimSpace(q)); err == nil {
		w, err := ByHash(r, h)
		switch {
		case errors.Is(err, ErrNotFound):
			return Page{Items: []Work{}}, nil
		case err != nil:
			return Page{}, err
		}
		return Page{Items: []Work{w}}, nil
	}
	words, err := parseQuery(q)
	if err != nil {
		return Page{}, err
	}
	var driver string
	var rng chain.Range
	if after == "" {
		driver = rarest(r, words)
		rng = chain.Range{Prefix: tokenPrefix(driver)}
	} else {
		var key []byte
		if driver, key, err = parseCursor(after, words); err != nil {
			return Page{}, err
		}
		rng = chain.Range{Prefix: tokenPrefix(driver), After: key}
	}
	limit = clampLimit(limit)
	page := Page{Items: []Work{}}
	// Once the page is full, the scan goes on to the next match only to
	// learn whether Next leads anywhere.
	full := false
	// The first batch is a page's worth and one more, enough when most
	// entries match; batches double from there while the filter drops
	// entries.
	batch := limit + 1
	for scanned := 0; scanned < maxScan; batch = min(2*batch, scanBatch) {
		keys := indexKeys(r, rng, min(batch, maxScan-scanned))
		if len(keys) == 0 {
			if full {
				page.Next = ""
			}
			return page, nil
		}
		for _, key := range keys {
			scanned++
			token, id, err := splitIndexKey(key)
			if err != nil {
				return Page{}, err
			}
			// An entry under the driving word itself is the work's first
			// token the driver begins: with one word there is nothing to
			// check.
			if (token != driver || len(words) > 1) && !matches(loadTokens(r, id), token, driver, words) {
				continue
			}
			if full {
				return page, nil // another match follows: Next leads to it
			}
			w, err := loadWork(r, id)
			if err != nil {
				return Page{}, err
			}
			page.Items = append(page.Items, w)
			if len(page.Items) == limit {
				page.Next, full = cursor(driver, key), true
			}
		}
		rng.After = keys[len(keys)-1]
	}
	if !full {
		page.Next = cursor(driver, rng.After)
	}
	return page, nil
}

// parseQuery returns the distinct tokens of a search string, in order.
func parseQuery(q string) ([]string, error) {
	if !utf8.ValidString(q) {
		return nil, ErrBadQuery.Withf("search is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(q); n > MaxQuery {
		return nil, ErrBadQuery.Withf("search must be at most %d characters, got %d", MaxQuery, n)
	}
	var words []string
	for _, t := range tokenize(nil, q) {
		if !slices.Contains(words, t) {
			words = append(words, t)
		}
	}
	switch {
	case len(words) == 0:
		return nil, ErrBadQuery.Withf("search has no words")
	case len(words) > MaxQueryTokens:
		return nil, ErrBadQuery.Withf("search must have at most %d words, got %d", MaxQueryTokens, len(words))
	}
	return words, nil
}

// rarest returns the word with the fewest index entries, counting up to
// probeLimit each; of equals, the longest, then the first.
func rarest(r chain.Reader, words []string) string {
	best, bestN := "", probeLimit+1
	for _, w := range words {
		n := 0
		r.Iterate(chain.Range{Prefix: tokenPrefix(w)}, func(_, _ []byte) bool {
			n++
			return n <= probeLimit
		})
		if n < bestN || n == bestN && len(w) > len(best) {
			best, bestN = w, n
		}
	}
	return best
}

// matches reports whether a work with the sorted tokens toks, reached through
// its index entry under token, is a result: every word begins one of its
// tokens, and token is the first of its tokens the driving word begins, so
// that a work comes up once however many of its tokens the driver begins.
func matches(toks []string, token, driver string, words []string) bool {
	for _, t := range toks {
		if strings.HasPrefix(t, driver) {
			if t != token {
				return false
			}
			break
		}
	}
	for _, w := range words {
		if w != driver && !slices.ContainsFunc(toks, func(t string) bool { return strings.HasPrefix(t, w) }) {
			return false
		}
	}
	return true
}

// A search cursor is the driving word, a space, and the index key (without
// its prefix) of the last entry read. The driver is part of it so that a
// search continues the same way even if the index changed in between.
func cursor(driver string, key []byte) string {
	return driver + " " + strings.TrimPrefix(string(key), idxPrefix)
}

func parseCursor(after string, words []string) (string, []byte, error) {
	driver, rest, ok := strings.Cut(after, " ")
	if !ok || !slices.Contains(words, driver) || !strings.HasPrefix(rest, driver) || len(after) > maxCursor {
		return "", nil, ErrBadQuery.Withf("the cursor %q does not continue this search", after)
	}
	return driver, []byte(idxPrefix + rest), nil
}

// indexKeys returns up to n keys of rng, copied.
func indexKeys(r chain.Reader, rng chain.Range, n int) [][]byte {
	var keys [][]byte
	r.Iterate(rng, func(key, _ []byte) bool {
		keys = append(keys, slices.Clone(key))
		return len(keys) < n
	})
	return keys
}

// splitIndexKey reads the token and work id of a search index key.
func splitIndexKey(key []byte) (string, ID, error) {
	rest := key[len(idxPrefix):]
	if len(rest) < idDigits+2 || rest[len(rest)-idDigits-1] != '/' {
		return "", 0, errs.Internal.Withf("search index key %q is damaged", key)
	}
	id, err := idFromKey(rest)
	return string(rest[:len(rest)-idDigits-1]), id, err
}

func clampLimit(limit int) int {
	if limit <= 0 {
		return DefaultPage
	}
	return min(limit, MaxPage)
}

// DisputePage is a page of disputes; pass Next as after for the next one.
type DisputePage struct {
	Items []Dispute `json:"items"`
	Next  ID        `json:"next,omitempty"`
}

// ListDisputes lists every work's disputes, newest first, after the dispute
// after (0 for the first page): what arbiters work through.
func ListDisputes(r chain.Reader, after ID, limit int) (DisputePage, error) {
	limit = clampLimit(limit)
	rng := chain.Range{Prefix: []byte(disputePrefix), Reverse: true}
	if after != 0 {
		rng.After = disputeKey(after)
	}
	items, next, err := pageOf(r, rng, limit, func(id ID) (Dispute, error) { return loadDispute(r, id) })
	return DisputePage{Items: items, Next: next}, err
}

// Conflict returns the license of work that granting g at block time at
// would overlap, as the module judges it, so that a refusal can name it.
// Found is false when there is none.
func Conflict(r chain.Reader, work ID, g Grant, at time.Time) (LicenseView, bool, error) {
	l, found, err := conflict(r, work, g, at)
	if err != nil || !found {
		return LicenseView{}, false, err
	}
	return LicenseView{License: l, Status: l.StatusAt(at)}, true, nil
}
