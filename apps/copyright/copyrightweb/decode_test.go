package copyrightweb

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chancery/chancery/apps/copyright"
	"github.com/chancery/chancery/chain"
)

func TestParseSearch(t *testing.T) {
	sum := chain.SumHash([]byte("x"))
	addr := chain.Address{1, 2, 3}
	for _, tc := range []struct {
		name  string
		query string
		want  searchQuery
		err   string
	}{
		{"empty", "", searchQuery{}, ""},
		{"words trimmed", "q=+moon+sonata+&limit=5", searchQuery{Q: "moon sonata", Limit: 5}, ""},
		{"hash in capitals", "q=" + strings.ToUpper(sum.String()), searchQuery{Q: sum.String(), Hash: sum}, ""},
		{"holder", "holder=" + addr.String() + "&after=7", searchQuery{Holder: addr, After: "7"}, ""},
		{"longest", "q=" + strings.Repeat("é", copyright.MaxQuery), searchQuery{Q: strings.Repeat("é", copyright.MaxQuery)}, ""},
		{"too long", "q=" + strings.Repeat("é", copyright.MaxQuery+1), searchQuery{}, "at most 100 characters"},
		{"too many bytes", "q=" + strings.Repeat("%F0%9F%98%80", copyright.MaxQuery+1), searchQuery{}, "at most 100 characters"},
		{"not UTF-8", "q=%FF", searchQuery{}, "UTF-8"},
		{"bad holder", "holder=alice", searchQuery{}, "40 hex"},
		{"q and holder", "q=moon&holder=" + addr.String(), searchQuery{}, "not both"},
		{"long cursor", "q=moon&after=" + strings.Repeat("a", maxAfter+1), searchQuery{}, "cursor"},
		{"limit zero", "q=moon&limit=0", searchQuery{}, "limit"},
		{"limit over", "q=moon&limit=201", searchQuery{}, "limit"},
		{"limit words", "q=moon&limit=ten", searchQuery{}, "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseSearch(v)
			if tc.err != "" {
				if !errors.Is(err, copyright.ErrBadQuery) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want copyright.bad_query with %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// FuzzParseSearch: the search decoder never panics, bounds what it
// accepts, and accepts its own encoding of what it accepted as the same.
func FuzzParseSearch(f *testing.F) {
	f.Add("moon sonata", "", "", "")
	f.Add(strings.Repeat("ab", 32), "", "", "10")
	f.Add("", "00000000000000000000000000000000000000ff", "00000000000000000042", "")
	f.Add("<script>", "", "moon 00000000000000000001", "200")
	f.Add(" \t", "", "", "-1")
	f.Fuzz(func(t *testing.T, q, holder, after, limit string) {
		v := url.Values{}
		for k, s := range map[string]string{"q": q, "holder": holder, "after": after, "limit": limit} {
			if s != "" {
				v.Set(k, s)
			}
		}
		s, err := parseSearch(v)
		if err != nil {
			if !errors.Is(err, copyright.ErrBadQuery) {
				t.Fatalf("error %v is not copyright.bad_query", err)
			}
			return
		}
		if !utf8.ValidString(s.Q) || utf8.RuneCountInString(s.Q) > copyright.MaxQuery || len(s.After) > maxAfter ||
			s.Limit < 0 || s.Limit > copyright.MaxPage || (s.Q != "" && !s.Holder.IsZero()) {
			t.Fatalf("accepted out of bounds: %+v", s)
		}
		if s.hasHash() && s.Q != s.Hash.String() {
			t.Fatalf("hash search %q for %s", s.Q, s.Hash)
		}
		again, err := parseSearch(s.values())
		if err != nil || again != s {
			t.Fatalf("re-decoding %q: %+v, %v; want %+v", s.values().Encode(), again, err, s)
		}
	})
}

func TestRegisterFields(t *testing.T) {
	a, b := chain.Address{0xaa}, chain.Address{0xbb}
	fields := map[string]string{
		"title": "  Ode  ", "kind": "audio", "created": "2025-06-01 ", "description": "two\nlines",
		"authors": "Ada Lovelace\r\n\n  Charles Babbage  \n",
		"holders": strings.ToUpper(a.String()) + " 6,000 Alice Smith\n\n" + b.String() + " 4000\n",
	}
	m, err := registerFields(func(k string) string { return fields[k] })
	if err != nil {
		t.Fatal(err)
	}
	if m.Title != "Ode" || m.Kind != "audio" || m.Created != "2025-06-01" || m.Description != "two\nlines" ||
		len(m.Authors) != 2 || m.Authors[1].Name != "Charles Babbage" ||
		len(m.Holders) != 2 || m.Holders[0] != (copyright.Holder{Account: a, Name: "Alice Smith", Shares: 6000}) ||
		m.Holders[1] != (copyright.Holder{Account: b, Shares: 4000}) {
		t.Fatalf("decoded %+v", m)
	}
	for _, tc := range []struct{ holders, want string }{
		{"alice 100", "holders line 1"},
		{a.String(), "write ADDRESS SHARES"},
		{a.String() + " many", "basis points"},
	} {
		_, err := registerFields(func(k string) string { return map[string]string{"holders": tc.holders}[k] })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("holders %q: err %v, want %q", tc.holders, err, tc.want)
		}
	}
}

// FuzzRegisterFields: the fields of an upload decode without panicking
// into a message the chain's own checks then judge; what they accept keeps
// the decoder's limits.
func FuzzRegisterFields(f *testing.F) {
	f.Add("Ode", "text", "2025-06-01", "Ada\nCharles", "", "")
	f.Add("", "", "", "", "00000000000000000000000000000000000000aa 10000 A", "d")
	f.Add("x", "audio", "2025-02-30", "\n\n", "zz 1\n", "\x00")
	f.Fuzz(func(t *testing.T, title, kind, created, authors, holders, description string) {
		fields := map[string]string{"title": title, "kind": kind, "created": created, "authors": authors, "holders": holders, "description": description}
		m, err := registerFields(func(k string) string { return fields[k] })
		if err != nil {
			return
		}
		if len(authors) > maxListField || len(holders) > maxListField {
			t.Fatalf("accepted lists over %d bytes", maxListField)
		}
		for _, a := range m.Authors {
			if a.Name == "" || a.Name != strings.TrimSpace(a.Name) {
				t.Fatalf("author %q", a.Name)
			}
		}
		m.SHA256 = chain.SumHash([]byte(title))
		_ = m.ValidateBasic() // judged, never a panic
	})
}
