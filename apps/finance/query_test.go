package finance_test

import (
	"testing"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/chain"
)

// splitChain splits piece 1, of 1,000,000,000, n times, each time the last
// piece into 1,000 and the rest: split k makes pieces 2k and 2k+1, and piece
// 2n+1 is n deep. It returns the messages in order.
func splitChain(n int) []finance.Split {
	msgs := make([]finance.Split, n)
	amount := finance.Amount(1_000_000_000)
	for k := 1; k <= n; k++ {
		id := finance.ID(1)
		if k > 1 {
			id = finance.ID(2*k - 1)
		}
		msgs[k-1] = finance.Split{ID: id, Amounts: []finance.Amount{1_000, amount - 1_000}}
		amount -= 1_000
	}
	return msgs
}

// countingReader counts what a query reads.
type countingReader struct {
	chain.Reader
	gets, iterated int
}

func (r *countingReader) Get(key []byte) []byte {
	r.gets++
	return r.Reader.Get(key)
}

func (r *countingReader) Iterate(rng chain.Range, fn func(key, value []byte) bool) {
	r.Reader.Iterate(rng, func(k, v []byte) bool {
		r.iterated++
		return fn(k, v)
	})
}

// TestLineageReads checks that lineage queries on a receivable split 1,000
// times read its own pieces only — through the indexes, never a scan of
// other receivables — and what they return.
func TestLineageReads(t *testing.T) {
	m := newMachine(t)
	issue := func(k string) finance.ID {
		data, err := m.submit(core, finance.TypeIssue, issueTo(orgKeys[k], 1_000_000_000, "2026-06-30"))
		if err != nil {
			t.Fatal(err)
		}
		return decodeResult(t, data).Pieces[0].ID
	}
	root := issue("supplier")
	if _, err := m.submit(supplier, finance.TypeAccept, finance.Accept{ID: root}); err != nil {
		t.Fatal(err)
	}
	for _, msg := range splitChain(1000) {
		if _, err := m.submit(supplier, finance.TypeSplit, msg); err != nil {
			t.Fatal(err)
		}
	}
	const deepest = 2001
	for range 200 { // other receivables, which the queries must not read
		issue("subsupplier")
	}

	r := &countingReader{Reader: m.kv}
	pieces, err := finance.Tree(r, deepest)
	if err != nil {
		t.Fatal(err)
	}
	var leaves finance.Amount
	for _, p := range pieces {
		if p.State != finance.StateSplit {
			leaves += p.Amount
		}
	}
	if len(pieces) != 2001 || leaves != 1_000_000_000 || pieces[0].ID != root {
		t.Fatalf("tree of %d pieces, leaves %d", len(pieces), leaves)
	}
	// One index entry and one record per piece, and the piece asked about.
	if r.iterated != 2001 || r.gets != 2002 {
		t.Fatalf("Tree read %d index entries and %d records", r.iterated, r.gets)
	}

	r = &countingReader{Reader: m.kv}
	l, err := finance.Get(r, deepest)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Ancestors) != 1000 || l.Ancestors[0].ID != root || l.Ancestors[999].ID != 1999 || l.Piece.Depth != 1000 {
		t.Fatalf("%d ancestors", len(l.Ancestors))
	}
	if r.iterated != 0 || r.gets != 1001 {
		t.Fatalf("Get read %d index entries and %d records", r.iterated, r.gets)
	}
}
