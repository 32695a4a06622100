package store

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/chancery/chancery/chain"
)

// These tests reach into the store to set up what only a crash or a huge
// block produces: a redo record on disk, a write set too big for one Badger
// transaction.

func openTest(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := Open(opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

// commitTest runs ops (value nil: delete) and results as the next block and
// commits it.
func commitTest(t *testing.T, s *Store, writes map[string][]byte, results ...*chain.TxResult) []byte {
	t.Helper()
	b := buildBlock(s, writes, results...)
	hash := b.Finish(s.appHashNow())
	if _, err := s.Commit(b); err != nil {
		t.Fatalf("commit: %v", err)
	}
	return hash
}

func buildBlock(s *Store, writes map[string][]byte, results ...*chain.TxResult) *Block {
	height, _ := s.Last()
	b := s.NewBlock(height + 1)
	for k, v := range writes {
		if v == nil {
			b.Delete([]byte(k))
		} else {
			b.Set([]byte(k), v)
		}
	}
	for _, r := range results {
		b.Index(r)
	}
	return b
}

func (s *Store) appHashNow() []byte { _, h := s.Last(); return h }

// dump returns every key and value of the database but the redo record:
// state, index and commit metadata alike, once the last block is written.
func dump(t *testing.T, s *Store) map[string]string {
	t.Helper()
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if k := it.Item().Key(); !bytes.Equal(k, keyRedo) {
				v, err := it.Item().ValueCopy(nil)
				if err != nil {
					return err
				}
				out[string(k)] = string(v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// diffOps is the write set that turns database contents before into after,
// in key order: what a commit between the two wrote, whatever keys Commit
// writes besides the state.
func diffOps(before, after map[string]string) []op {
	var ops []op
	for k, v := range after {
		if old, ok := before[k]; !ok || old != v {
			ops = append(ops, op{key: []byte(k), value: []byte(v)})
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			ops = append(ops, op{key: []byte(k), deleted: true})
		}
	}
	slices.SortFunc(ops, func(a, b op) int { return bytes.Compare(a.key, b.key) })
	return ops
}

func redoRecord(t *testing.T, s *Store) []byte {
	t.Helper()
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	var rec []byte
	if err := s.db.View(func(txn *badger.Txn) (err error) { rec, err = getValue(txn, keyRedo); return err }); err != nil {
		t.Fatal(err)
	}
	return rec
}

func result(seed byte, height int64, code uint32) *chain.TxResult {
	return &chain.TxResult{Hash: chain.SumHash([]byte{seed}), Height: height, Index: uint32(seed), Code: code,
		Log: fmt.Sprint("result ", seed), Data: []byte{seed}, Module: "test", Type: "do", Signer: chain.Address{seed}}
}

// lockedBuffer collects log output that Badger's goroutines may write too.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestCommitLargeBlock commits a block whose write set is larger than one
// Badger transaction can hold, so Commit must take the redo path (on disk) or
// write in batches (in memory, where Badger refuses a value over 1 MB such
// as the redo record), and checks the result, and on disk again after a
// reopen.
func TestCommitLargeBlock(t *testing.T) {
	for _, tc := range []struct {
		name     string
		inMemory bool
	}{{"on disk", false}, {"in memory", true}} {
		t.Run(tc.name, func(t *testing.T) { testCommitLargeBlock(t, tc.inMemory) })
	}
}

func testCommitLargeBlock(t *testing.T, inMemory bool) {
	opts := Options{InMemory: inMemory}
	if !inMemory {
		opts.Dir = t.TempDir()
	}
	s := openTest(t, opts)
	defer func() { s.Close() }()
	commitTest(t, s, map[string][]byte{"keep": []byte("k"), "gone": []byte("g")}, result(1, 1, 0))

	// 20,000 values of 600 bytes: ~12 MiB, over the 15% of the memtable
	// that one transaction may carry (~9.6 MiB of a 64 MiB memtable). They
	// are under valueThreshold: a value in the value log counts only as its
	// pointer.
	const n, size = 20_000, 600
	writes := map[string][]byte{"gone": nil}
	for i := range n {
		v := bytes.Repeat([]byte{byte(i)}, size)
		copy(v, fmt.Sprintf("value %d", i))
		writes[fmt.Sprintf("big/%05d", i)] = v
	}
	fresh, replay := result(2, 2, 0), result(1, 2, 9)
	b := buildBlock(s, writes, fresh, replay)
	hash := b.Finish(s.appHashNow())

	// Make sure the test reaches commitLarge: the block's state writes
	// alone fail as one transaction (which then writes nothing).
	var stateOps []op
	for k, w := range b.writes {
		stateOps = append(stateOps, op{key: stateKey([]byte(k)), value: w.value, deleted: w.deleted})
	}
	err := s.db.Update(func(txn *badger.Txn) error { return applyOps(txn, stateOps) })
	if !errors.Is(err, badger.ErrTxnTooBig) {
		t.Fatalf("the test block fits one transaction (err %v); make it bigger", err)
	}
	indexed, err := s.Commit(b)
	if err != nil {
		t.Fatalf("commit of a large block: %v", err)
	}
	if len(indexed) != 1 || indexed[0] != fresh {
		t.Errorf("Commit indexed %v, want only the fresh result", indexed)
	}

	check := func(when string) {
		t.Helper()
		if h, got := s.Last(); h != 2 || !bytes.Equal(got, hash) {
			t.Fatalf("%s: Last() = %d %x, want 2 %x", when, h, got, hash)
		}
		err := s.View(func(r chain.Reader) error {
			count := 0
			r.Iterate(chain.Range{Prefix: []byte("big/")}, func(k, v []byte) bool {
				if want := writes[string(k)]; !bytes.Equal(v, want) {
					t.Errorf("%s: %s has the wrong value (%d bytes)", when, k, len(v))
				}
				count++
				return true
			})
			if count != n {
				t.Errorf("%s: %d big values, want %d", when, count, n)
			}
			if r.Get([]byte("gone")) != nil {
				t.Errorf("%s: deleted key still present", when)
			}
			if string(r.Get([]byte("keep"))) != "k" {
				t.Errorf("%s: untouched key lost", when)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []*chain.TxResult{result(1, 1, 0), fresh} {
			got, ok, err := s.TxResult(want.Hash)
			if err != nil || !ok || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: TxResult(%s) = %+v %v %v, want %+v", when, want.Hash, got, ok, err, want)
			}
		}
		if rec := redoRecord(t, s); rec != nil {
			t.Errorf("%s: redo record of %d bytes left behind", when, len(rec))
		}
	}
	check("after commit")
	if !inMemory {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s = openTest(t, opts)
		check("after reopen")
	}
	// The chain goes on normally.
	commitTest(t, s, map[string][]byte{"big/000": nil})
	if h, _ := s.Last(); h != 3 {
		t.Fatalf("height %d after the next block", h)
	}
}

// TestOpenFinishesInterruptedCommit simulates a crash during a large commit:
// the redo record is on disk and none, part or all of it was applied. Open
// must finish the commit so that the database equals one where the commit
// completed, and remove the record. The record holds exactly what a normal
// commit of the same block wrote to a reference store.
func TestOpenFinishesInterruptedCommit(t *testing.T) {
	block1 := map[string][]byte{"a": []byte("1"), "b": []byte("2"), "c": []byte("3")}
	block2 := map[string][]byte{"a": []byte("1b"), "b": nil, "d": []byte("4"), "\xff": {}}
	r1, r2, replay := result(1, 1, 0), result(2, 2, 0), result(1, 2, 5)

	ref := openTest(t, Options{InMemory: true})
	defer ref.Close()
	commitTest(t, ref, block1, r1)
	before := dump(t, ref)
	commitTest(t, ref, block2, r2, replay)
	want := dump(t, ref)
	wantHeight, wantHash := ref.Last()
	ops := diffOps(before, want)
	if len(ops) < 6 { // a, b, d, 0xff, r2's index entry, height, app hash
		t.Fatalf("block 2 wrote only %d keys", len(ops))
	}

	for _, applied := range []string{"none", "half", "all"} {
		t.Run(applied, func(t *testing.T) {
			dir := t.TempDir()
			s := openTest(t, Options{Dir: dir})
			commitTest(t, s, block1, r1)
			if got := dump(t, s); !reflect.DeepEqual(got, before) {
				t.Fatalf("block 1 differs from the reference store:\n got %q\nwant %q", got, before)
			}
			if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(keyRedo, encodeOps(ops)) }); err != nil {
				t.Fatal(err)
			}
			n := map[string]int{"none": 0, "half": len(ops) / 2, "all": len(ops)}[applied]
			if err := s.db.Update(func(txn *badger.Txn) error { return applyOps(txn, ops[:n]) }); err != nil {
				t.Fatal(err)
			}
			// The crash.
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}

			var log lockedBuffer
			logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn}))
			s = openTest(t, Options{Dir: dir, Logger: logger})
			check := func(when string) {
				t.Helper()
				if h, hash := s.Last(); h != wantHeight || !bytes.Equal(hash, wantHash) {
					t.Errorf("%s: Last() = %d %x, want %d %x", when, h, hash, wantHeight, wantHash)
				}
				if rec := redoRecord(t, s); rec != nil {
					t.Errorf("%s: redo record of %d bytes left", when, len(rec))
				}
				if got := dump(t, s); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: database\n got %q\nwant %q", when, got, want)
				}
				for _, r := range []*chain.TxResult{r1, r2} {
					got, ok, err := s.TxResult(r.Hash)
					if err != nil || !ok || !reflect.DeepEqual(got, r) {
						t.Errorf("%s: TxResult(%s) = %+v %v %v, want %+v", when, r.Hash, got, ok, err, r)
					}
				}
			}
			check("after recovery")
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(log.String(), "finishing a commit interrupted by a crash") {
				t.Errorf("Open did not report finishing the commit; log: %s", log.String())
			}

			// Recovery is done once: the next Open finds nothing to do.
			var log2 lockedBuffer
			s = openTest(t, Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(&log2, &slog.HandlerOptions{Level: slog.LevelWarn}))})
			check("after a second reopen")
			s.Close()
			if strings.Contains(log2.String(), "interrupted") {
				t.Errorf("second Open finished a commit again; log: %s", log2.String())
			}
		})
	}
}

// TestOpenRejectsCorruptRedo checks that Open refuses a redo record it cannot
// decode, rather than applying part of it or panicking.
func TestOpenRejectsCorruptRedo(t *testing.T) {
	for name, rec := range map[string][]byte{
		"bad flag":         {2, 1, 's', 0},
		"truncated key":    {1, 5, 's'},
		"truncated value":  {1, 1, 's', 3, 'v'},
		"truncated varint": {1, 0x80},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := openTest(t, Options{Dir: dir})
			commitTest(t, s, map[string][]byte{"a": []byte("1")})
			if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(keyRedo, rec) }); err != nil {
				t.Fatal(err)
			}
			s.Close()
			s, err := Open(Options{Dir: dir})
			if err == nil {
				s.Close()
				t.Fatal("Open accepted a corrupt redo record")
			}
			if !strings.Contains(err.Error(), "corrupt redo record") {
				t.Errorf("error %q does not name the redo record", err)
			}
		})
	}
}

func TestDecodeOps(t *testing.T) {
	ops := []op{
		{key: []byte("s\x00\xff"), value: []byte("v")},
		{key: []byte("m/height"), value: []byte{}},
		{key: []byte("s"), deleted: true},
		{key: bytes.Repeat([]byte{0xff}, 300), value: bytes.Repeat([]byte{0}, 200)},
	}
	got, err := decodeOps(encodeOps(ops))
	if err != nil {
		t.Fatal(err)
	}
	if !sameOps(got, ops) {
		t.Fatalf("round trip: got %v, want %v", got, ops)
	}
	if got, err := decodeOps(nil); err != nil || len(got) != 0 {
		t.Fatalf("decode of an empty record = %v %v", got, err)
	}
	for name, rec := range map[string][]byte{
		"bad flag":        {7, 0, 0},
		"no key length":   {1},
		"short key":       {1, 2, 'k'},
		"no value length": {1, 1, 'k'},
		"short value":     {0, 1, 'k', 9, 'v'},
		"huge length":     {1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"varint overflow": {1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"trailing byte":   append(encodeOps(ops), 1),
	} {
		if got, err := decodeOps(rec); err == nil {
			t.Errorf("%s: decoded %v", name, got)
		}
	}
}

func sameOps(a, b []op) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i].key, b[i].key) || !bytes.Equal(a[i].value, b[i].value) || a[i].deleted != b[i].deleted {
			return false
		}
	}
	return true
}

// opsFrom builds a list of ops out of arbitrary bytes, for round trips.
func opsFrom(data []byte) []op {
	var ops []op
	for len(data) > 0 {
		h := data[0]
		data = data[1:]
		kn, vn := min(int(h>>1&0x7), len(data)), 0
		key := data[:kn]
		data = data[kn:]
		vn = min(int(h>>4), len(data))
		ops = append(ops, op{key: key, value: data[:vn], deleted: h&1 == 0})
		data = data[vn:]
	}
	return ops
}

// FuzzDecodeOps checks that the redo decoder never panics, that whatever it
// accepts re-encodes to a record that decodes the same, and that encoding any
// list of ops decodes back to it.
func FuzzDecodeOps(f *testing.F) {
	f.Add([]byte{})
	f.Add(encodeOps([]op{{key: []byte("s\x00k"), value: []byte("v")}, {key: []byte("m/height"), deleted: true}}))
	f.Add([]byte{1, 0x80})
	f.Add([]byte{1, 0x81, 0x00, 'k', 0})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{0, 1, 'k', 0, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		if ops, err := decodeOps(data); err == nil {
			enc := encodeOps(ops)
			if len(enc) > len(data) {
				t.Fatalf("re-encoding grew the record from %d to %d bytes", len(data), len(enc))
			}
			again, err := decodeOps(enc)
			if err != nil {
				t.Fatalf("re-encoded record does not decode: %v", err)
			}
			if !sameOps(again, ops) {
				t.Fatalf("re-encoded record decodes to %v, want %v", again, ops)
			}
		}
		ops := opsFrom(data)
		got, err := decodeOps(encodeOps(ops))
		if err != nil {
			t.Fatalf("decode(encode(%v)): %v", ops, err)
		}
		if !sameOps(got, ops) {
			t.Fatalf("decode(encode(%v)) = %v", ops, got)
		}
	})
}
