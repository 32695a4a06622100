package store_test

import (
	"bytes"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/chain/store"
)

// alphabet is small so that random keys collide and share prefixes, and holds
// the bytes where off-by-one range bugs live: 0x00, 0xff and their neighbours.
var alphabet = []byte{0x00, 0x01, 'a', 0x7f, 0xfe, 0xff}

const maxKeyLen = 3

// universe is every key the generators can produce, so reads can check them
// all.
var universe = func() [][]byte {
	keys := [][]byte{{}}
	for n, from := 0, 0; n < maxKeyLen; n++ {
		to := len(keys)
		for _, k := range keys[from:to] {
			for _, c := range alphabet {
				keys = append(keys, append(bytes.Clone(k), c))
			}
		}
		from = to
	}
	return keys
}()

func drawBytes(t *rapid.T, label string, minLen, maxLen int) []byte {
	n := rapid.IntRange(minLen, maxLen).Draw(t, label+"_len")
	b := make([]byte, n)
	for i := range b {
		b[i] = rapid.SampledFrom(alphabet).Draw(t, label)
	}
	return b
}

func drawKey(t *rapid.T) []byte { return drawBytes(t, "key", 0, maxKeyLen) }

// drawOps applies a random sequence of sets and deletes to kv and to its
// model, checking each write reads back at once.
func drawOps(t *rapid.T, layer string, kv chain.KV, model *chaintest.MemKV) {
	n := rapid.IntRange(0, 12).Draw(t, layer+"_ops")
	for range n {
		key := drawKey(t)
		if rapid.IntRange(0, 3).Draw(t, "delete") == 0 {
			kv.Delete(key)
			model.Delete(key)
			if v := kv.Get(key); v != nil {
				t.Fatalf("%s: Get(%x) = %x right after Delete", layer, key, v)
			}
			continue
		}
		value := rapid.SliceOfN(rapid.Byte(), 0, 3).Draw(t, "value")
		kv.Set(key, value)
		model.Set(key, value)
		if v := kv.Get(key); v == nil || !bytes.Equal(v, value) {
			t.Fatalf("%s: Get(%x) = %x right after Set(%x)", layer, key, v, value)
		}
	}
}

// drawRange draws a range: any prefix (often ending in 0xff), an After that is
// absent, inside the prefix or anywhere else, either direction.
func drawRange(t *rapid.T) chain.Range {
	r := chain.Range{Prefix: drawBytes(t, "prefix", 0, 2), Reverse: rapid.Bool().Draw(t, "reverse")}
	switch rapid.IntRange(0, 2).Draw(t, "after_kind") {
	case 1:
		r.After = append(bytes.Clone(r.Prefix), drawBytes(t, "after_suffix", 0, 2)...)
	case 2:
		r.After = drawKey(t)
	}
	return r
}

// checkReader compares every key's Get and a few random iterations of r with
// the model.
func checkReader(t *rapid.T, layer string, r chain.Reader, model *chaintest.MemKV) {
	t.Helper()
	for _, k := range universe {
		got, want := r.Get(k), model.Get(k)
		if (got == nil) != (want == nil) || !bytes.Equal(got, want) {
			t.Fatalf("%s: Get(%x) = %x (nil %v), want %x (nil %v)", layer, k, got, got == nil, want, want == nil)
		}
	}
	for range rapid.IntRange(1, 4).Draw(t, layer+"_iterations") {
		rng := drawRange(t)
		limit := rapid.IntRange(0, 4).Draw(t, "limit") // 0: to the end
		got, err := collect(r, rng, limit)
		if err != nil {
			t.Fatalf("%s: Iterate(prefix %x after %x reverse %v): %v", layer, rng.Prefix, rng.After, rng.Reverse, err)
		}
		want, _ := collect(model, rng, limit)
		if !samePairs(got, want) {
			t.Fatalf("%s: Iterate(prefix %x after %x (nil %v) reverse %v limit %d)\n got %v\nwant %v",
				layer, rng.Prefix, rng.After, rng.After == nil, rng.Reverse, limit, got, want)
		}
	}
}

// TestLayersMatchModel applies random writes at every layer — committed
// blocks, the block under execution, per-transaction caches (some merged with
// WriteTo, some dropped, some with a nested cache) — and checks that Get and
// Iterate agree with an in-memory model at each layer after each step.
func TestLayersMatchModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s, err := store.Open(store.Options{InMemory: true})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer s.Close()

		state := chaintest.NewMemKV() // committed
		viewCommitted := func(label string) {
			err := s.View(func(r chain.Reader) error { checkReader(t, label, r, state); return nil })
			if err != nil {
				t.Fatalf("view: %v", err)
			}
		}
		for range rapid.IntRange(1, 4).Draw(t, "blocks") {
			height, prev := s.Last()
			b := s.NewBlock(height + 1)
			blk := cloneKV(state)
			checkReader(t, "fresh block", b, blk)
			drawOps(t, "block", b, blk)
			for range rapid.IntRange(0, 3).Draw(t, "txs") {
				tx := store.NewCache(b)
				txm := cloneKV(blk)
				drawOps(t, "tx", tx, txm)
				if rapid.Bool().Draw(t, "nested") {
					sub := store.NewCache(tx)
					subm := cloneKV(txm)
					drawOps(t, "nested", sub, subm)
					checkReader(t, "nested cache", sub, subm)
					if rapid.Bool().Draw(t, "nested_writes") {
						sub.WriteTo(tx)
						txm = subm
					}
				}
				checkReader(t, "tx cache", tx, txm)
				checkReader(t, "block while tx open", b, blk)
				if rapid.Bool().Draw(t, "tx_ok") {
					tx.WriteTo(b.Cache)
					blk = txm
					if tx.Len() != 0 {
						t.Fatalf("cache holds %d writes after WriteTo", tx.Len())
					}
				}
				checkReader(t, "block after tx", b, blk)
				drawOps(t, "block", b, blk)
			}
			checkReader(t, "block", b, blk)
			// Until Commit, the committed state is untouched.
			viewCommitted("committed while block open")
			if rapid.IntRange(0, 4).Draw(t, "discard") == 0 {
				b.Discard()
			} else {
				hash := b.Finish(prev)
				if _, err := s.Commit(b); err != nil {
					t.Fatalf("commit: %v", err)
				}
				if h, got := s.Last(); h != height+1 || !bytes.Equal(got, hash) {
					t.Fatalf("Last() = %d %x, want %d %x", h, got, height+1, hash)
				}
				state = blk
			}
			viewCommitted("committed")
		}
	})
}

// TestIterateAfterOutsidePrefix pins iteration where After does not start
// with Prefix. Range.Contains defines the result: all keys of the prefix on
// the far side of After. The committed snapshot used to seek to After
// unclamped and land on a key outside the prefix, returning nothing.
func TestIterateAfterOutsidePrefix(t *testing.T) {
	s := openMem(t)
	commitBlock(t, s, []blockOp{set("a", "0"), set("b1", "1"), set("b2", "2"), set("b\xff", "3"), set("c", "4")})
	tests := []struct {
		name string
		rng  chain.Range
		want []kvPair
	}{
		{"forward, after before prefix", chain.Range{Prefix: []byte("b"), After: []byte("a")},
			pairs("b1", "1", "b2", "2", "b\xff", "3")},
		{"forward, after a proper prefix of prefix", chain.Range{Prefix: []byte("b1"), After: []byte("b")},
			pairs("b1", "1")},
		{"forward, after past prefix", chain.Range{Prefix: []byte("b"), After: []byte("c")}, nil},
		{"reverse, after past prefix", chain.Range{Prefix: []byte("b"), After: []byte("c"), Reverse: true},
			pairs("b\xff", "3", "b2", "2", "b1", "1")},
		{"reverse, after past 0xff prefix", chain.Range{Prefix: []byte("b\xff"), After: []byte("c"), Reverse: true},
			pairs("b\xff", "3")},
		{"reverse, after before prefix", chain.Range{Prefix: []byte("b"), After: []byte("a"), Reverse: true}, nil},
		{"reverse, after inside prefix", chain.Range{Prefix: []byte("b"), After: []byte("b2"), Reverse: true},
			pairs("b1", "1")},
		{"forward, after inside prefix", chain.Range{Prefix: []byte("b"), After: []byte("b1")},
			pairs("b2", "2", "b\xff", "3")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.View(func(r chain.Reader) error {
				got, err := collect(r, tc.rng, 0)
				if err != nil {
					t.Fatal(err)
				}
				if !samePairs(got, tc.want) {
					t.Errorf("committed: got %v, want %v", got, tc.want)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			b := s.NewBlock(2)
			defer b.Discard()
			got, err := collect(store.NewCache(b), tc.rng, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !samePairs(got, tc.want) {
				t.Errorf("cache over block: got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestIterateEdgeKeys checks keys made of 0x00 and 0xff bytes and prefixes
// ending in 0xff at each layer. A reverse iteration seeks to the key just
// past the prefix's range; "\xfe\xff" reversed pins the case where that key
// ("\xff") exists, which used to end the iteration before its first key.
func TestIterateEdgeKeys(t *testing.T) {
	s := openMem(t)
	commitBlock(t, s, []blockOp{
		set("", "empty"), set("\x00", "0"), set("\x00\x00", "00"), set("\xff", "f"),
		set("\xff\x00", "f0"), set("\xff\xff", "ff"), set("\xff\xff\xff", "fff"), set("\xfe\xff", "eff"),
	})
	b := s.NewBlock(2)
	defer b.Discard()
	b.Set([]byte("\xff\xfe"), []byte("fe"))
	b.Delete([]byte("\xff\xff"))
	tx := store.NewCache(b)
	tx.Set([]byte("\xff\xff\x00"), nil)
	tx.Delete([]byte("\x00"))

	tests := []struct {
		name string
		r    chain.Reader
		rng  chain.Range
		want []kvPair
	}{
		{"committed all", nil, chain.Range{},
			pairs("", "empty", "\x00", "0", "\x00\x00", "00", "\xfe\xff", "eff", "\xff", "f", "\xff\x00", "f0", "\xff\xff", "ff", "\xff\xff\xff", "fff")},
		{"committed reverse 0xff", nil, chain.Range{Prefix: []byte("\xff"), Reverse: true},
			pairs("\xff\xff\xff", "fff", "\xff\xff", "ff", "\xff\x00", "f0", "\xff", "f")},
		{"committed reverse 0xff 0xff", nil, chain.Range{Prefix: []byte("\xff\xff"), Reverse: true},
			pairs("\xff\xff\xff", "fff", "\xff\xff", "ff")},
		{"committed reverse 0xfe 0xff", nil, chain.Range{Prefix: []byte("\xfe\xff"), Reverse: true},
			pairs("\xfe\xff", "eff")},
		{"committed reverse 0x00", nil, chain.Range{Prefix: []byte("\x00"), Reverse: true},
			pairs("\x00\x00", "00", "\x00", "0")},
		{"committed after empty key", nil, chain.Range{After: []byte{}},
			pairs("\x00", "0", "\x00\x00", "00", "\xfe\xff", "eff", "\xff", "f", "\xff\x00", "f0", "\xff\xff", "ff", "\xff\xff\xff", "fff")},
		{"committed reverse before 0x00", nil, chain.Range{After: []byte("\x00"), Reverse: true},
			pairs("", "empty")},
		{"tx reverse 0xff", tx, chain.Range{Prefix: []byte("\xff"), Reverse: true},
			pairs("\xff\xff\xff", "fff", "\xff\xff\x00", "", "\xff\xfe", "fe", "\xff\x00", "f0", "\xff", "f")},
		{"tx forward 0xff 0xff", tx, chain.Range{Prefix: []byte("\xff\xff")},
			pairs("\xff\xff\x00", "", "\xff\xff\xff", "fff")},
		{"tx all", tx, chain.Range{},
			pairs("", "empty", "\x00\x00", "00", "\xfe\xff", "eff", "\xff", "f", "\xff\x00", "f0", "\xff\xfe", "fe", "\xff\xff\x00", "", "\xff\xff\xff", "fff")},
		{"tx reverse after 0xff 0xff", tx, chain.Range{Prefix: []byte("\xff"), After: []byte("\xff\xff"), Reverse: true},
			pairs("\xff\xfe", "fe", "\xff\x00", "f0", "\xff", "f")},
		{"block forward after 0xff", b, chain.Range{Prefix: []byte("\xff"), After: []byte("\xff")},
			pairs("\xff\x00", "f0", "\xff\xfe", "fe", "\xff\xff\xff", "fff")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check := func(r chain.Reader) {
				got, err := collect(r, tc.rng, 0)
				if err != nil {
					t.Fatal(err)
				}
				if !samePairs(got, tc.want) {
					t.Errorf("got  %v\nwant %v", got, tc.want)
				}
				// Every prefix of the result is what an early stop returns.
				for limit := 1; limit < len(tc.want); limit++ {
					got, err := collect(r, tc.rng, limit)
					if err != nil {
						t.Fatal(err)
					}
					if !samePairs(got, tc.want[:limit]) {
						t.Errorf("limit %d: got %v, want %v", limit, got, tc.want[:limit])
					}
				}
			}
			if tc.r != nil {
				check(tc.r)
				return
			}
			if err := s.View(func(r chain.Reader) error { check(r); return nil }); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCacheCopies checks that a cache keeps its own copies: changing a slice
// passed to Set or returned by Get changes nothing stored.
func TestCacheCopies(t *testing.T) {
	s := openMem(t)
	commitBlock(t, s, []blockOp{set("k", "committed")})
	b := s.NewBlock(2)
	defer b.Discard()

	v := []byte("value")
	b.Set([]byte("x"), v)
	v[0] = 'X'
	got := b.Get([]byte("x"))
	if string(got) != "value" {
		t.Fatalf("Get after changing the Set slice = %q", got)
	}
	got[0] = 'X'
	if got := b.Get([]byte("x")); string(got) != "value" {
		t.Fatalf("Get after changing a returned slice = %q", got)
	}
	c := b.Get([]byte("k"))
	c[0] = 'C'
	if got := b.Get([]byte("k")); string(got) != "committed" {
		t.Fatalf("committed value read through block = %q after changing a returned slice", got)
	}
	b.Set([]byte("nil"), nil)
	if got := b.Get([]byte("nil")); got == nil || len(got) != 0 {
		t.Fatalf("Get of a key set to nil = %#v, want a non-nil empty slice", got)
	}
}

// TestIterateDeleteCurrentKey checks the pruning pattern — deleting each key
// as it is visited — at the block and transaction layers: every key is
// visited once and all end up deleted.
func TestIterateDeleteCurrentKey(t *testing.T) {
	s := openMem(t)
	commitBlock(t, s, []blockOp{set("p/1", "a"), set("p/3", "c"), set("p/5", "e"), set("q", "q")})
	b := s.NewBlock(2)
	defer b.Discard()
	b.Set([]byte("p/2"), []byte("b"))
	tx := store.NewCache(b)
	tx.Set([]byte("p/4"), []byte("d"))

	for _, reverse := range []bool{false, true} {
		c := store.NewCache(tx)
		var seen []string
		c.Iterate(chain.Range{Prefix: []byte("p/"), Reverse: reverse}, func(key, _ []byte) bool {
			seen = append(seen, string(key))
			c.Delete(key)
			return true
		})
		want := []string{"p/1", "p/2", "p/3", "p/4", "p/5"}
		if reverse {
			want = []string{"p/5", "p/4", "p/3", "p/2", "p/1"}
		}
		if len(seen) != len(want) {
			t.Fatalf("reverse %v: visited %q, want %q", reverse, seen, want)
		}
		for i := range want {
			if seen[i] != want[i] {
				t.Fatalf("reverse %v: visited %q, want %q", reverse, seen, want)
			}
		}
		if got := readAll(t, c); !samePairs(got, pairs("q", "q")) {
			t.Fatalf("reverse %v: left %v", reverse, got)
		}
	}
}

// TestIterateWriteAhead: a callback that writes a key further ahead must not
// make the merge lose a buffered key.
func TestIterateWriteAhead(t *testing.T) {
	s := openMem(t)
	commitBlock(t, s, []blockOp{set("a", "1"), set("c", "3")})
	b := s.NewBlock(2)
	defer b.Discard()
	b.Set([]byte("d"), []byte("4"))
	var seen []string
	b.Iterate(chain.Range{}, func(key, _ []byte) bool {
		seen = append(seen, string(key))
		if string(key) == "a" {
			b.Delete([]byte("c"))
		}
		return true
	})
	if strings.Join(seen, ",") != "a,d" {
		t.Fatalf("iteration saw %v, want a,d", seen)
	}
}
