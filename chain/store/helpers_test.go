package store_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/chain/store"
)

// openMem opens an in-memory store that is closed when the test ends.
func openMem(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(store.Options{InMemory: true})
	if err != nil {
		tb.Fatalf("open in-memory store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// openDir opens the on-disk store in dir. The caller closes it.
func openDir(tb testing.TB, dir string) *store.Store {
	tb.Helper()
	s, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		tb.Fatalf("open store %s: %v", dir, err)
	}
	return s
}

// kvPair is one entry seen by Iterate, copied out of the callback.
type kvPair struct{ key, value []byte }

func (p kvPair) String() string { return fmt.Sprintf("%x=%x", p.key, p.value) }

// collect runs r.Iterate over rng, stopping after limit entries when limit >
// 0, and fails if fn is called again after it asked to stop.
func collect(r chain.Reader, rng chain.Range, limit int) ([]kvPair, error) {
	var got []kvPair
	var err error
	stopped := false
	r.Iterate(rng, func(key, value []byte) bool {
		if stopped && err == nil {
			err = fmt.Errorf("fn called after it returned false (key %x)", key)
		}
		if value == nil && err == nil {
			err = fmt.Errorf("nil value passed for key %x", key)
		}
		got = append(got, kvPair{bytes.Clone(key), bytes.Clone(value)})
		if limit > 0 && len(got) == limit {
			stopped = true
			return false
		}
		return true
	})
	return got, err
}

func samePairs(a, b []kvPair) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i].key, b[i].key) || !bytes.Equal(a[i].value, b[i].value) {
			return false
		}
	}
	return true
}

// cloneKV copies a model.
func cloneKV(m *chaintest.MemKV) *chaintest.MemKV {
	out := chaintest.NewMemKV()
	m.Iterate(chain.Range{}, func(k, v []byte) bool { out.Set(k, v); return true })
	return out
}

// readAll returns every entry of r in key order.
func readAll(tb testing.TB, r chain.Reader) []kvPair {
	tb.Helper()
	got, err := collect(r, chain.Range{}, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return got
}

// committed returns every entry of the committed state of s.
func committed(tb testing.TB, s *store.Store) []kvPair {
	tb.Helper()
	var got []kvPair
	if err := s.View(func(r chain.Reader) error { got = readAll(tb, r); return nil }); err != nil {
		tb.Fatalf("view: %v", err)
	}
	return got
}

// committedGet reads one committed key.
func committedGet(tb testing.TB, s *store.Store, key string) []byte {
	tb.Helper()
	var v []byte
	if err := s.View(func(r chain.Reader) error { v = r.Get([]byte(key)); return nil }); err != nil {
		tb.Fatalf("view: %v", err)
	}
	return v
}

func pairs(kv ...string) []kvPair {
	out := make([]kvPair, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		out = append(out, kvPair{[]byte(kv[i]), []byte(kv[i+1])})
	}
	return out
}

// blockOp is a write of a test block: a set, or a delete when del.
type blockOp struct {
	key, value string
	del        bool
}

func set(k, v string) blockOp { return blockOp{key: k, value: v} }
func del(k string) blockOp    { return blockOp{key: k, del: true} }

func (o blockOp) apply(kv chain.KV) {
	if o.del {
		kv.Delete([]byte(o.key))
	} else {
		kv.Set([]byte(o.key), []byte(o.value))
	}
}

// commitBlock runs ops as one block at the next height, indexes results,
// commits it and returns its app hash.
func commitBlock(tb testing.TB, s *store.Store, ops []blockOp, results ...*chain.TxResult) []byte {
	tb.Helper()
	height, prev := s.Last()
	b := s.NewBlock(height + 1)
	for _, o := range ops {
		o.apply(b)
	}
	for _, r := range results {
		b.Index(r)
	}
	hash := b.Finish(prev)
	if _, err := s.Commit(b); err != nil {
		tb.Fatalf("commit block %d: %v", height+1, err)
	}
	if h, got := s.Last(); h != height+1 || !bytes.Equal(got, hash) {
		tb.Fatalf("Last() = %d %x after commit, want %d %x", h, got, height+1, hash)
	}
	return hash
}

func txResult(seed byte, height int64, code uint32) *chain.TxResult {
	return &chain.TxResult{
		Hash:      chain.SumHash([]byte{seed}),
		Height:    height,
		Index:     uint32(seed),
		Code:      code,
		Codespace: "test.code",
		Log:       fmt.Sprintf("result %d", seed),
		Data:      []byte{seed, 0, 0xff},
		Events:    []chain.Event{{Type: "test.done", Attrs: []chain.Attr{chain.A("seed", fmt.Sprint(seed))}}},
		Module:    "test",
		Type:      "do",
		Signer:    chain.Address{seed},
	}
}
