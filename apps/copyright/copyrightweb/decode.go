package copyrightweb

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chancery/chancery/apps/copyright"
	"github.com/chancery/chancery/chain"
)

// Limits of what a search request may carry beside the keeper's own
// (copyright.MaxQuery characters): a cursor is a token pair and an index key,
// far below maxAfter; a query is refused on its bytes before its characters
// are counted.
const (
	maxAfter      = 300
	maxQueryBytes = 4 * copyright.MaxQuery
)

// searchQuery is a decoded search: by the words (or the content hash) of Q,
// or the works Holder holds; After continues a page, Limit sizes it.
type searchQuery struct {
	Q      string
	Hash   chain.Hash // set when Q is a SHA-256
	Holder chain.Address
	After  string
	Limit  int
}

// hasHash reports whether the search is for a content hash.
func (q searchQuery) hasHash() bool { return !q.Hash.IsZero() }

// empty reports whether nothing was asked.
func (q searchQuery) empty() bool { return q.Q == "" && q.Holder.IsZero() }

// parseSearch decodes ?q=&holder=&after=&limit=. It bounds every parameter
// before anything reads state, trims q, and takes a q that is a SHA-256 in
// any case as that hash. A q without words is left to the keeper to refuse
// (copyright.ErrBadQuery), so the page and the API say the same.
func parseSearch(v url.Values) (searchQuery, error) {
	var s searchQuery
	q := v.Get("q")
	switch {
	case len(q) > maxQueryBytes || !utf8.ValidString(q):
		return s, copyright.ErrBadQuery.Withf("search must be at most %d characters of UTF-8", copyright.MaxQuery)
	case utf8.RuneCountInString(q) > copyright.MaxQuery:
		return s, copyright.ErrBadQuery.Withf("search must be at most %d characters, got %d", copyright.MaxQuery, utf8.RuneCountInString(q))
	}
	s.Q = strings.TrimSpace(q)
	if h, err := chain.ParseHash(s.Q); err == nil {
		s.Q, s.Hash = h.String(), h
	}
	if a := strings.TrimSpace(v.Get("holder")); a != "" {
		addr, err := chain.ParseAddress(a)
		if err != nil {
			return s, copyright.ErrBadQuery.Withf("holder must be an account address of 40 hex characters")
		}
		if s.Q != "" {
			return s, copyright.ErrBadQuery.Withf("search by q or by holder, not both")
		}
		s.Holder = addr
	}
	s.After = v.Get("after")
	if len(s.After) > maxAfter || !utf8.ValidString(s.After) {
		return s, copyright.ErrBadQuery.Withf("after is not a cursor this server handed out")
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > copyright.MaxPage {
			return s, copyright.ErrBadQuery.Withf("limit must be a whole number from 1 to %d", copyright.MaxPage)
		}
		s.Limit = n
	}
	return s, nil
}

// parsePage reads a page of a work's list from a query: the cursor in key
// (absent: the first page) and, if given, limit.
func parsePage(v url.Values, key string) (after copyright.ID, limit int, err error) {
	if after, err = parseCursor(v, key); err != nil {
		return 0, 0, err
	}
	if l := v.Get("limit"); l != "" {
		limit, err = strconv.Atoi(l)
		if err != nil || limit < 1 || limit > copyright.MaxPage {
			return 0, 0, copyright.ErrBadQuery.Withf("limit must be a whole number from 1 to %d", copyright.MaxPage)
		}
	}
	return after, limit, nil
}

// parseCursor reads the cursor in key of a query; 0 when absent.
func parseCursor(v url.Values, key string) (copyright.ID, error) {
	s := v.Get(key)
	if s == "" {
		return 0, nil
	}
	id, err := copyright.ParseID(s)
	if err != nil {
		return 0, copyright.ErrBadQuery.Withf("%s is not a cursor this server handed out", key)
	}
	return id, nil
}

// values is the query string of s, which parseSearch reads back as s.
func (q searchQuery) values() url.Values {
	v := url.Values{}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if !q.Holder.IsZero() {
		v.Set("holder", q.Holder.String())
	}
	if q.After != "" {
		v.Set("after", q.After)
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// RegisterRequest is the JSON body of a hash-only registration. Holders
// default to the caller with all 10,000 basis points, named after the
// caller's organisation.
type RegisterRequest struct {
	SHA256      string          `json:"sha256"`
	Title       string          `json:"title"`
	Kind        string          `json:"kind"`
	Authors     []AuthorRequest `json:"authors"`
	Holders     []HolderRequest `json:"holders"`
	Created     string          `json:"created"`
	Description string          `json:"description"`
}

// AuthorRequest is an author: a name and, optionally, an account address.
type AuthorRequest struct {
	Name    string `json:"name"`
	Account string `json:"account"`
}

// HolderRequest is a holder: an account address and its share in basis
// points, optionally with the name it is shown and found by.
type HolderRequest struct {
	Account string `json:"account"`
	Name    string `json:"name"`
	Shares  int64  `json:"shares"`
}

func (req RegisterRequest) msg() (copyright.Register, error) {
	sum, err := chain.ParseHash(strings.TrimSpace(req.SHA256))
	if err != nil {
		return copyright.Register{}, copyright.ErrInvalidHash.Withf("sha256 %q: must be 64 hex characters", req.SHA256)
	}
	m := copyright.Register{
		SHA256: sum, Title: strings.TrimSpace(req.Title), Kind: req.Kind, Created: copyright.Date(strings.TrimSpace(req.Created)),
		Description: req.Description,
	}
	for i, a := range req.Authors {
		author := copyright.Author{Name: strings.TrimSpace(a.Name)}
		if a.Account != "" {
			if author.Account, err = chain.ParseAddress(a.Account); err != nil {
				return m, copyright.ErrInvalid.Withf("authors[%d].account: %v", i, err)
			}
		}
		m.Authors = append(m.Authors, author)
	}
	if m.Holders, err = holdersOf(req.Holders); err != nil {
		return m, err
	}
	return m, nil
}

func holdersOf(hs []HolderRequest) ([]copyright.Holder, error) {
	var out []copyright.Holder
	for i, h := range hs {
		addr, err := chain.ParseAddress(strings.TrimSpace(h.Account))
		if err != nil {
			return nil, copyright.ErrInvalid.Withf("holders[%d].account: %v", i, err)
		}
		out = append(out, copyright.Holder{Account: addr, Name: strings.TrimSpace(h.Name), Shares: h.Shares})
	}
	return out, nil
}

// Limits of the free-text list fields of forms, checked before parsing: the
// message checks the lists themselves.
const maxListField = 8 << 10

// registerFields decodes the form fields of a registration — the page's
// form and the API's multipart upload alike: title, kind, created,
// description, authors (one name a line) and holders (optional, one a line:
// ADDRESS SHARES [NAME]).
func registerFields(get func(string) string) (copyright.Register, error) {
	m := copyright.Register{
		Title: strings.TrimSpace(get("title")), Kind: strings.TrimSpace(get("kind")),
		Created: copyright.Date(strings.TrimSpace(get("created"))), Description: get("description"),
	}
	authors, holders := get("authors"), get("holders")
	if len(authors) > maxListField || len(holders) > maxListField {
		return m, copyright.ErrInvalid.Withf("authors and holders are limited to %d bytes each", maxListField)
	}
	for _, line := range lines(authors) {
		m.Authors = append(m.Authors, copyright.Author{Name: line})
	}
	var err error
	m.Holders, err = holderLines(holders)
	return m, err
}

// holderLines reads holders written one a line as ADDRESS SHARES [NAME].
func holderLines(text string) ([]copyright.Holder, error) {
	var out []copyright.Holder
	for i, line := range lines(text) {
		f := strings.Fields(line)
		if len(f) < 2 {
			return nil, copyright.ErrInvalid.Withf("holders line %d: write ADDRESS SHARES [NAME], got %q", i+1, line)
		}
		addr, err := chain.ParseAddress(f[0])
		if err != nil {
			return nil, copyright.ErrInvalid.Withf("holders line %d: %v", i+1, err)
		}
		shares, err := strconv.ParseInt(strings.ReplaceAll(f[1], ",", ""), 10, 64)
		if err != nil {
			return nil, copyright.ErrBadShares.Withf("holders line %d: shares must be a whole number of basis points, got %q", i+1, f[1])
		}
		out = append(out, copyright.Holder{Account: addr, Shares: shares, Name: strings.Join(f[2:], " ")})
	}
	return out, nil
}

// lines are the non-blank lines of s, trimmed.
func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
