package store_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/chancery/chancery/chain/store"
)

// refAppHash computes the app hash as doc.go specifies it, independently of
// the store: SHA-256("chancery/apphash/v1" ‖ prev ‖ height ‖ root), root the
// RFC 6962 Merkle root over the final write of each key in key order.
func refAppHash(prev []byte, height int64, ops []blockOp) []byte {
	final := map[string]blockOp{}
	for _, o := range ops {
		final[o.key] = o
	}
	keys := make([]string, 0, len(final))
	for k := range final {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	leaves := make([][]byte, len(keys))
	for i, k := range keys {
		leaf := binary.AppendUvarint(nil, uint64(len(k)))
		leaf = append(leaf, k...)
		if final[k].del {
			leaf = append(leaf, 0)
		} else {
			leaf = append(append(leaf, 1), final[k].value...)
		}
		leaves[i] = leaf
	}
	h := sha256.New()
	h.Write([]byte("chancery/apphash/v1"))
	h.Write(prev)
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(height)))
	h.Write(rfc6962Root(leaves))
	return h.Sum(nil)
}

func rfc6962Root(leaves [][]byte) []byte {
	var sum [32]byte
	switch len(leaves) {
	case 0:
		sum = sha256.Sum256(nil)
	case 1:
		sum = sha256.Sum256(append([]byte{0}, leaves[0]...))
	default:
		k := 1
		for k*2 < len(leaves) {
			k *= 2
		}
		sum = sha256.Sum256(slices.Concat([]byte{1}, rfc6962Root(leaves[:k]), rfc6962Root(leaves[k:])))
	}
	return sum[:]
}

// finishHash runs ops as the block at height over s and returns the hash
// Finish computes from prev, without committing.
func finishHash(s *store.Store, prev []byte, height int64, ops []blockOp) []byte {
	b := s.NewBlock(height)
	defer b.Discard()
	for _, o := range ops {
		o.apply(b)
	}
	return b.Finish(prev)
}

// blockHash is the hash of ops as the first block of a chain.
func blockHash(t *testing.T, ops []blockOp) []byte {
	return finishHash(openMem(t), nil, 1, ops)
}

// TestAppHashMatchesSpec checks Finish against the formula in doc.go for
// write sets of many sizes (odd ones exercise the unbalanced Merkle split),
// and pins one hash so that a change of the format cannot pass unnoticed.
func TestAppHashMatchesSpec(t *testing.T) {
	s := openMem(t)
	prev := bytes.Repeat([]byte{0xab}, 32)
	for n := range 12 {
		var ops []blockOp
		for i := range n {
			k := string([]byte{byte(i * 37), 0, 0xff})
			if i%3 == 2 {
				ops = append(ops, del(k))
			} else {
				ops = append(ops, set(k, string(bytes.Repeat([]byte{byte(i)}, i))))
			}
		}
		if got, want := finishHash(s, prev, int64(n+1), ops), refAppHash(prev, int64(n+1), ops); !bytes.Equal(got, want) {
			t.Errorf("%d writes: Finish = %x, spec = %x", n, got, want)
		}
	}

	ops := []blockOp{set("alpha", "1"), del("beta"), set("", ""), set("\xff", "\x00")}
	const golden = "bcbd9dfc3d3585297ccecb79a5d62d74039dab60e0beb9c752b4a6e7175e70ff" // computed independently in Python
	got := finishHash(s, nil, 7, ops)
	if want := refAppHash(nil, 7, ops); !bytes.Equal(got, want) {
		t.Fatalf("Finish = %x, spec = %x", got, want)
	}
	if hex.EncodeToString(got) != golden {
		t.Fatalf("app hash of the pinned block = %x, want %s", got, golden)
	}
}

// TestAppHashDeterministic feeds two stores the same blocks, one writing each
// block's keys directly in key order, the other through transaction caches
// in a random order, with values that are overwritten before the block ends,
// and with dropped transactions. Both must agree on every hash of the chain.
func TestAppHashDeterministic(t *testing.T) {
	// Finish depends on nothing committed, so the stores serve every check.
	a, b := openMem(t), openMem(t)
	rapid.Check(t, func(t *rapid.T) {
		var prev []byte
		for height := int64(1); height <= 3; height++ {
			final := rapid.MapOfN(rapid.StringMatching(`[a-c\x00\xff]{0,3}`), rapid.Bool(), 0, 10).Draw(t, "writes")
			var ops []blockOp
			for k, isDel := range final {
				if isDel {
					ops = append(ops, del(k))
				} else {
					ops = append(ops, set(k, "v:"+k))
				}
			}
			slices.SortFunc(ops, func(x, y blockOp) int { return bytes.Compare([]byte(x.key), []byte(y.key)) })

			ba := a.NewBlock(height)
			defer ba.Discard()
			for _, o := range ops {
				o.apply(ba)
			}
			bb := b.NewBlock(height)
			defer bb.Discard()
			for _, i := range rapid.Permutation(rangeOf(len(ops))).Draw(t, "order") {
				tx := store.NewCache(bb)
				if rapid.Bool().Draw(t, "overwrite") {
					set(ops[i].key, "stale").apply(tx)
				}
				ops[i].apply(tx)
				tx.WriteTo(bb.Cache)
				dropped := store.NewCache(bb)
				set(ops[i].key, "dropped").apply(dropped)
			}
			ha, hb := ba.Finish(prev), bb.Finish(prev)
			if !bytes.Equal(ha, hb) {
				t.Fatalf("height %d: hashes differ: %x vs %x", height, ha, hb)
			}
			if want := refAppHash(prev, height, ops); !bytes.Equal(ha, want) {
				t.Fatalf("height %d: hash %x, spec %x", height, ha, want)
			}
			prev = ha
		}
	})
}

func rangeOf(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// TestAppHashChained checks that the same write set hashes differently under
// a different previous hash or at a different height.
func TestAppHashChained(t *testing.T) {
	s := openMem(t)
	ops := []blockOp{set("k", "v")}
	base := finishHash(s, []byte("prev"), 5, ops)
	for name, got := range map[string][]byte{
		"other previous hash": finishHash(s, []byte("prew"), 5, ops),
		"no previous hash":    finishHash(s, nil, 5, ops),
		"other height":        finishHash(s, []byte("prev"), 6, ops),
	} {
		if bytes.Equal(got, base) {
			t.Errorf("%s: same hash %x", name, got)
		}
	}
	// Committing the chain: block 2's hash depends on block 1's.
	c1, c2 := openMem(t), openMem(t)
	commitBlock(t, c1, []blockOp{set("a", "1")})
	commitBlock(t, c2, []blockOp{set("a", "2")})
	if h1, h2 := commitBlock(t, c1, ops), commitBlock(t, c2, ops); bytes.Equal(h1, h2) {
		t.Errorf("same block after different histories has the same hash %x", h1)
	}
}

// TestAppHashSensitivity checks that any change to the write set — a key, a
// value, a set turned into a delete, a write more or less — changes the
// hash, and that no two variants collide.
func TestAppHashSensitivity(t *testing.T) {
	s := openMem(t)
	base := []blockOp{set("acct/1", "alice"), set("acct/2", "bob"), del("acct/3"), set("empty", "")}
	variants := map[string][]blockOp{
		"base":             base,
		"key changed":      {set("acct/0", "alice"), set("acct/2", "bob"), del("acct/3"), set("empty", "")},
		"key extended":     {set("acct/1\x00", "alice"), set("acct/2", "bob"), del("acct/3"), set("empty", "")},
		"value changed":    {set("acct/1", "alicf"), set("acct/2", "bob"), del("acct/3"), set("empty", "")},
		"value extended":   {set("acct/1", "alice\x00"), set("acct/2", "bob"), del("acct/3"), set("empty", "")},
		"set became del":   {del("acct/1"), set("acct/2", "bob"), del("acct/3"), set("empty", "")},
		"del became set":   {set("acct/1", "alice"), set("acct/2", "bob"), set("acct/3", ""), set("empty", "")},
		"empty became del": {set("acct/1", "alice"), set("acct/2", "bob"), del("acct/3"), del("empty")},
		"delete dropped":   {set("acct/1", "alice"), set("acct/2", "bob"), set("empty", "")},
		"write added":      {set("acct/1", "alice"), set("acct/2", "bob"), del("acct/3"), set("empty", ""), set("z", "")},
		"delete added":     {set("acct/1", "alice"), set("acct/2", "bob"), del("acct/3"), set("empty", ""), del("z")},
		// The leaf format must keep key and value apart.
		"boundary moved": {set("acct/1a", "lice"), set("acct/2", "bob"), del("acct/3"), set("empty", "")},
		"no writes":      nil,
	}
	seen := map[string]string{}
	for name, ops := range variants {
		h := string(finishHash(s, nil, 1, ops))
		if other, ok := seen[h]; ok {
			t.Errorf("%q and %q have the same hash", name, other)
		}
		seen[h] = name
	}
}

// TestAppHashWriteThenDelete checks that a key set and then deleted in the
// same block — directly or by two transactions — counts as a delete, which
// is a write of its own: the hash differs from a block that never touched
// the key.
func TestAppHashWriteThenDelete(t *testing.T) {
	s := openMem(t)
	deleted := finishHash(s, nil, 1, []blockOp{set("a", "1"), del("k")})
	if got := finishHash(s, nil, 1, []blockOp{set("a", "1"), set("k", "x"), del("k")}); !bytes.Equal(got, deleted) {
		t.Errorf("set then delete in one block: %x, delete alone: %x", got, deleted)
	}

	b := s.NewBlock(1)
	b.Set([]byte("a"), []byte("1"))
	tx1 := store.NewCache(b)
	tx1.Set([]byte("k"), []byte("x"))
	tx1.WriteTo(b.Cache)
	tx2 := store.NewCache(b)
	tx2.Delete([]byte("k"))
	tx2.WriteTo(b.Cache)
	if got := b.Finish(nil); !bytes.Equal(got, deleted) {
		t.Errorf("set by one tx, deleted by the next: %x, delete alone: %x", got, deleted)
	}
	b.Discard()

	if untouched := finishHash(s, nil, 1, []blockOp{set("a", "1")}); bytes.Equal(untouched, deleted) {
		t.Error("a delete of an absent key does not count in the hash")
	}
	// And the reverse: delete then set is a set.
	if got, want := finishHash(s, nil, 1, []blockOp{del("k"), set("k", "y")}), finishHash(s, nil, 1, []blockOp{set("k", "y")}); !bytes.Equal(got, want) {
		t.Errorf("delete then set: %x, set alone: %x", got, want)
	}
}
