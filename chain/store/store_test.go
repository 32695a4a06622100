package store_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/chain/store"
)

// TestReopen commits blocks to a store on disk, closes and reopens it, and
// checks that state, the last height and app hash and the tx index survive,
// that reads off the flushed tables iterate correctly, and that the chain
// continues with the same hashes as a store that never restarted.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	if h, hash := s.Last(); h != 0 || hash != nil {
		t.Fatalf("new store: Last() = %d %x, want 0 nil", h, hash)
	}
	twin := openMem(t)

	// Values from 700 bytes on live in Badger's value log, the others in its
	// LSM tree; "big" is overwritten and "large" deleted.
	big := func(c string) string { return strings.Repeat(c, 2000) }
	blocks := [][]blockOp{
		{set("acct/1", "alice"), set("acct/2", "bob"), set("acct/\xff", "max"), set("\x00", "zero"), set("b", ""), set("c", "c"),
			set("big", big("1")), set("large", big("L"))},
		{set("acct/3", "carol"), del("acct/2"), set("acct/1", "alice2"), set("acct0", "after acct/"), set("big", big("2"))},
		{del("c"), set("\xff\xff", "top"), set("acct/\xff\x00", "max0"), del("large")},
	}
	results := [][]*chain.TxResult{{txResult(1, 1, 0), txResult(2, 1, 7)}, {txResult(3, 2, 0)}, nil}
	model := chaintest.NewMemKV()
	var hashes [][]byte
	for i, ops := range blocks {
		hashes = append(hashes, commitBlock(t, s, ops, results[i]...))
		if twinHash := commitBlock(t, twin, ops, results[i]...); !bytes.Equal(twinHash, hashes[i]) {
			t.Fatalf("block %d: disk store hash %x, in-memory twin %x", i+1, hashes[i], twinHash)
		}
		for _, o := range ops {
			o.apply(model)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	s = openDir(t, dir)
	defer s.Close()
	if h, hash := s.Last(); h != 3 || !bytes.Equal(hash, hashes[2]) {
		t.Fatalf("after reopen: Last() = %d %x, want 3 %x", h, hash, hashes[2])
	}
	want := readAll(t, model)
	if got := committed(t, s); !samePairs(got, want) {
		t.Fatalf("state after reopen:\n got %v\nwant %v", got, want)
	}
	// Iteration over the flushed tables, not the memtable, in every shape.
	ranges := []chain.Range{
		{Prefix: []byte("acct/")}, {Prefix: []byte("acct/"), Reverse: true},
		{Prefix: []byte("acct/\xff"), Reverse: true}, {Prefix: []byte("acct/"), After: []byte("acct/1")},
		{Prefix: []byte("acct/"), After: []byte("acct/3"), Reverse: true}, {Prefix: []byte("\xff"), Reverse: true},
		{Prefix: []byte("acct"), After: []byte("acct/\xff\x00")}, {Reverse: true}, {After: []byte("b"), Reverse: true},
	}
	err := s.View(func(r chain.Reader) error {
		for _, rng := range ranges {
			got, err := collect(r, rng, 0)
			if err != nil {
				t.Fatal(err)
			}
			if want, _ := collect(model, rng, 0); !samePairs(got, want) {
				t.Errorf("after reopen, Iterate(prefix %q after %q reverse %v):\n got %v\nwant %v", rng.Prefix, rng.After, rng.Reverse, got, want)
			}
		}
		if v := r.Get([]byte("b")); v == nil || len(v) != 0 {
			t.Errorf("empty value after reopen = %#v, want non-nil empty", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, rs := range results {
		for _, want := range rs {
			got, ok, err := s.TxResult(want.Hash)
			if err != nil || !ok {
				t.Fatalf("TxResult(%s) after reopen = %v %v", want.Hash, ok, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("TxResult(%s) after reopen = %+v, want %+v", want.Hash, got, want)
			}
		}
	}

	next := []blockOp{set("acct/4", "dave")}
	if got, want := commitBlock(t, s, next), commitBlock(t, twin, next); !bytes.Equal(got, want) {
		t.Fatalf("block 4 after reopen: hash %x, twin that never restarted %x", got, want)
	}
}

// TestCommitUnfinished checks that Commit refuses a block that was not
// Finished and leaves state, height and index as they were.
func TestCommitUnfinished(t *testing.T) {
	s := openMem(t)
	hash := commitBlock(t, s, []blockOp{set("k", "v1")})
	before := committed(t, s)

	b := s.NewBlock(2)
	b.Set([]byte("k"), []byte("v2"))
	b.Set([]byte("new"), []byte("x"))
	r := txResult(9, 2, 0)
	b.Index(r)
	indexed, err := s.Commit(b)
	if err == nil {
		t.Fatal("Commit of an unfinished block succeeded")
	}
	if indexed != nil {
		t.Errorf("failed Commit returned indexed results %v", indexed)
	}
	assertUnchanged(t, s, 1, hash, before)
	if _, ok, _ := s.TxResult(r.Hash); ok {
		t.Error("failed Commit indexed a result")
	}
	// The height is still free.
	commitBlock(t, s, []blockOp{set("k", "v3")})
	if got := committedGet(t, s, "k"); string(got) != "v3" {
		t.Fatalf("k = %q after the retried block", got)
	}
}

// TestDiscard checks that a discarded block, and a transaction cache that is
// never written, leave committed state alone.
func TestDiscard(t *testing.T) {
	s := openMem(t)
	hash := commitBlock(t, s, []blockOp{set("a", "1"), set("b", "2")})
	before := committed(t, s)

	b := s.NewBlock(2)
	b.Set([]byte("a"), []byte("changed"))
	b.Delete([]byte("b"))
	b.Index(txResult(1, 2, 0))
	b.Finish(hash)
	b.Discard()
	b.Discard() // twice is harmless
	assertUnchanged(t, s, 1, hash, before)
	if _, ok, _ := s.TxResult(txResult(1, 2, 0).Hash); ok {
		t.Error("discarded block indexed a result")
	}

	// A dropped transaction changes neither the block nor, once the block
	// commits, the state.
	b = s.NewBlock(2)
	tx := store.NewCache(b)
	tx.Set([]byte("a"), []byte("dropped"))
	tx.Delete([]byte("b"))
	if got := b.Get([]byte("a")); string(got) != "1" {
		t.Fatalf("block reads %q through a transaction that was not written", got)
	}
	b.Finish(hash)
	if _, err := s.Commit(b); err != nil {
		t.Fatal(err)
	}
	if got := committed(t, s); !samePairs(got, before) {
		t.Fatalf("state after a block whose only tx was dropped: %v, want %v", got, before)
	}
}

func assertUnchanged(t *testing.T, s *store.Store, height int64, hash []byte, state []kvPair) {
	t.Helper()
	if h, got := s.Last(); h != height || !bytes.Equal(got, hash) {
		t.Errorf("Last() = %d %x, want %d %x", h, got, height, hash)
	}
	if got := committed(t, s); !samePairs(got, state) {
		t.Errorf("state = %v, want %v", got, state)
	}
}

// TestTxIndex checks the transaction index: results are found after commit,
// failed transactions are indexed too, the first result for a hash within a
// block wins, a later block never overwrites a committed entry, Commit
// reports exactly the results it indexed, and the index is not part of the
// app hash.
func TestTxIndex(t *testing.T) {
	s := openMem(t)
	first := txResult(1, 1, 0)
	failed := txResult(2, 1, 5)
	replay := *first
	replay.Index, replay.Code, replay.Log = 7, 3, "replay"

	if _, ok, err := s.TxResult(first.Hash); ok || err != nil {
		t.Fatalf("TxResult before any commit = %v %v", ok, err)
	}

	b := s.NewBlock(1)
	b.Set([]byte("k"), []byte("v"))
	b.Index(first)
	b.Index(failed)
	b.Index(&replay) // same hash again in the same block
	b.Finish(nil)
	indexed, err := s.Commit(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(indexed) != 2 || indexed[0] != first || indexed[1] != failed {
		t.Fatalf("Commit indexed %v, want [first failed]", indexed)
	}
	wantResult(t, s, first)
	wantResult(t, s, failed)

	// Block 2 includes the same transaction again (a replay that fails) and
	// a new one.
	again := *first
	again.Height, again.Code, again.Log = 2, 3, "replay in a later block"
	fresh := txResult(3, 2, 0)
	b = s.NewBlock(2)
	b.Index(&again)
	b.Index(fresh)
	b.Finish(nil)
	if indexed, err = s.Commit(b); err != nil {
		t.Fatal(err)
	}
	if len(indexed) != 1 || indexed[0] != fresh {
		t.Fatalf("Commit of block 2 indexed %v, want [fresh]", indexed)
	}
	wantResult(t, s, first)
	wantResult(t, s, fresh)

	// Only state writes count in the app hash, not index entries.
	for _, rs := range [][]*chain.TxResult{nil, {first}, {first, fresh}} {
		s2 := openMem(t)
		b := s2.NewBlock(1)
		b.Set([]byte("k"), []byte("v"))
		for _, r := range rs {
			b.Index(r)
		}
		if got, want := b.Finish(nil), blockHash(t, []blockOp{set("k", "v")}); !bytes.Equal(got, want) {
			t.Errorf("app hash with %d index entries = %x, without = %x", len(rs), got, want)
		}
		b.Discard()
	}
}

func wantResult(t *testing.T, s *store.Store, want *chain.TxResult) {
	t.Helper()
	got, ok, err := s.TxResult(want.Hash)
	if err != nil || !ok {
		t.Fatalf("TxResult(%s) = found %v, err %v", want.Hash, ok, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("TxResult(%s) = %+v, want %+v", want.Hash, got, want)
	}
}

// TestBlockReadsItsSnapshot checks that a block reads the state committed
// when it was opened, even if another block commits meanwhile, and that
// Height reports its height.
func TestBlockReadsItsSnapshot(t *testing.T) {
	s := openMem(t)
	commitBlock(t, s, []blockOp{set("k", "1"), set("p/1", "a")})
	old := s.NewBlock(2)
	defer old.Discard()
	if old.Height() != 2 {
		t.Fatalf("Height() = %d", old.Height())
	}
	commitBlock(t, s, []blockOp{set("k", "2"), set("p/2", "b"), del("p/1")})

	if got := old.Get([]byte("k")); string(got) != "1" {
		t.Errorf("block opened before a commit reads k = %q, want the older %q", got, "1")
	}
	if got := old.Get([]byte("missing")); got != nil {
		t.Errorf("block reads a missing key as %#v", got)
	}
	got, err := collect(old, chain.Range{Prefix: []byte("p/")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := pairs("p/1", "a"); !samePairs(got, want) {
		t.Errorf("block opened before a commit iterates %v, want %v", got, want)
	}
	if got := committedGet(t, s, "k"); string(got) != "2" {
		t.Errorf("committed k = %q", got)
	}
}

// TestReadersAcrossCommits reads while blocks commit, each written by Badger
// in the background: every snapshot must see whole blocks — the block being
// written as well as the ones written — through point reads, iteration and
// the index, and never an older height than one seen before.
func TestReadersAcrossCommits(t *testing.T) {
	s := openDir(t, t.TempDir())
	const blocks = 60
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var seen int
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(func(r chain.Reader) error {
					a, b := string(r.Get([]byte("a"))), string(r.Get([]byte("b")))
					n := 0
					r.Iterate(chain.Range{Prefix: []byte("n/")}, func(_, _ []byte) bool { n++; return true })
					want := strconv.Itoa(n)
					if n == 0 {
						want = "" // before the first block
					}
					if a != b || a != want {
						return fmt.Errorf("snapshot mixes blocks: a %q, b %q, %d keys under n/", a, b, n)
					}
					if n < seen {
						return fmt.Errorf("snapshot of block %d after one of block %d", n, seen)
					}
					seen = n
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				if seen > 0 {
					if _, ok, err := s.TxResult(txResult(byte(seen), int64(seen), 0).Hash); !ok || err != nil {
						t.Errorf("block %d read, its result not indexed (%v)", seen, err)
						return
					}
				}
			}
		}()
	}
	for h := 1; h <= blocks; h++ {
		v := strconv.Itoa(h)
		commitBlock(t, s, []blockOp{set("a", v), set("b", v), set(fmt.Sprintf("n/%03d", h), v)}, txResult(byte(h), int64(h), 0))
	}
	close(stop)
	wg.Wait()
	if got := committedGet(t, s, "a"); string(got) != strconv.Itoa(blocks) {
		t.Errorf("a = %q after %d blocks", got, blocks)
	}
}
