package store

import (
	"bytes"
	"errors"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/canon"
)

// reader is a Badger read transaction that the snapshots of one written
// height share. The store holds one reference while it is the newest; the
// last release discards it.
type reader struct {
	txn  *badger.Txn
	refs atomic.Int64
}

func newReader(db *badger.DB) *reader {
	r := &reader{txn: db.NewTransaction(false)}
	r.refs.Store(1)
	return r
}

func (r *reader) acquire() { r.refs.Add(1) }

func (r *reader) release() {
	if r.refs.Add(-1) == 0 {
		r.txn.Discard()
	}
}

// snapshot reads the state committed at height: the block Badger is writing,
// if any (pending), over what Badger has written (base). Point reads go
// through the recent-reads cache while it holds height.
type snapshot struct {
	base    *reader
	pending *pending
	height  int64
	recent  *recent
}

func (s snapshot) close() { s.base.release() }

func (s snapshot) Get(key []byte) []byte {
	if v, ok := s.recent.get(key, s.height); ok {
		return v.copy()
	}
	v := s.read(key)
	s.recent.put(key, v, s.height)
	return v.copy()
}

// read reads key from the pending block, else from Badger.
func (s snapshot) read(key []byte) recentValue {
	if s.pending != nil {
		if w, ok := s.pending.writes[string(key)]; ok {
			return recentValue{value: w.value, present: !w.deleted}
		}
	}
	item, err := s.base.txn.Get(stateKey(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return recentValue{}
	}
	if err != nil {
		panic(chain.StorageError{Err: err})
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		panic(chain.StorageError{Err: err})
	}
	return recentValue{value: v, present: true}
}

// txResult returns the indexed result of a transaction, nil if none.
func (s snapshot) txResult(hash chain.Hash) (*chain.TxResult, error) {
	if s.pending != nil {
		if r, ok := s.pending.index[hash]; ok {
			return r, nil
		}
	}
	v, err := getValue(s.base.txn, indexKey(hash))
	if v == nil || err != nil {
		return nil, err
	}
	res := new(chain.TxResult)
	if err := canon.Unmarshal(v, res); err != nil {
		return nil, err
	}
	return res, nil
}

// Iterate merges the pending block's writes with Badger's keys.
func (s snapshot) Iterate(r chain.Range, fn func(key, value []byte) bool) {
	if s.pending == nil {
		s.iterateBase(r, fn)
		return
	}
	over := &Cache{parent: baseReader{s}, writes: s.pending.writes}
	over.Iterate(r, fn)
}

// baseReader iterates what Badger has written; Cache.Iterate merges the
// pending block over it. It is never asked for a point read.
type baseReader struct{ snapshot }

func (b baseReader) Iterate(r chain.Range, fn func(key, value []byte) bool) { b.iterateBase(r, fn) }

// iterateBase iterates the keys Badger has written.
func (s snapshot) iterateBase(r chain.Range, fn func(key, value []byte) bool) {
	prefix := stateKey(r.Prefix)
	opts := badger.IteratorOptions{Reverse: r.Reverse, PrefetchValues: false}
	if !r.Reverse {
		// Forward only: a reverse iteration first seeks to the key just past
		// the prefix, on which Valid is false when the option is set. The
		// loop below checks the prefix either way.
		opts.Prefix = prefix
	}
	it := s.base.txn.NewIterator(opts)
	defer it.Close()
	// An After outside the prefix's range cuts none of it or all of it
	// (Range.Contains); only one inside it is a place to seek to.
	afterInside := r.After != nil && bytes.HasPrefix(r.After, r.Prefix)
	switch {
	case r.After != nil && !afterInside && (bytes.Compare(r.After, r.Prefix) < 0) == r.Reverse:
		return // the whole range lies before After in iteration order
	case afterInside:
		// Seek lands on After itself when present; Range.Contains skips it.
		it.Seek(stateKey(r.After))
	case r.Reverse:
		// A reverse Seek finds the last key ≤ its argument, so seek to the
		// first key after the prefix's range and step back if it exists.
		end := successor(prefix)
		it.Seek(end)
		if it.Valid() && bytes.Equal(it.Item().Key(), end) {
			it.Next()
		}
	default:
		it.Rewind()
	}
	for ; it.ValidForPrefix(prefix); it.Next() {
		item := it.Item()
		key := item.Key()[1:]
		if !r.Contains(key) {
			continue
		}
		var keep bool
		err := item.Value(func(v []byte) error {
			if v == nil {
				v = []byte{}
			}
			keep = fn(key, v)
			return nil
		})
		if err != nil {
			panic(chain.StorageError{Err: err})
		}
		if !keep {
			return
		}
	}
}

// successor returns the smallest key greater than every key starting with
// prefix. State prefixes start with prefixState, so one always exists.
func successor(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	panic("store: no successor of an all-0xff prefix")
}
