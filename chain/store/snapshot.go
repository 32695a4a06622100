package store

import (
	"bytes"
	"errors"

	"github.com/dgraph-io/badger/v4"

	"github.com/chancery/chancery/chain"
)

// snapshot reads committed state through a Badger read transaction. When
// it knows the height the transaction reads (recent is set), point reads go
// through the recent-reads cache.
type snapshot struct {
	txn    *badger.Txn
	height int64
	recent *recent
}

func (s snapshot) Get(key []byte) []byte {
	if s.recent != nil {
		if v, ok := s.recent.get(key, s.height); ok {
			return v.copy()
		}
	}
	v := s.read(key)
	if s.recent != nil {
		s.recent.put(key, v, s.height)
	}
	return v.copy()
}

// read reads key from Badger.
func (s snapshot) read(key []byte) recentValue {
	item, err := s.txn.Get(stateKey(key))
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

func (s snapshot) Iterate(r chain.Range, fn func(key, value []byte) bool) {
	prefix := stateKey(r.Prefix)
	opts := badger.IteratorOptions{Reverse: r.Reverse, PrefetchValues: false}
	if !r.Reverse {
		// Forward only: a reverse iteration first seeks to the key just past
		// the prefix, on which Valid is false when the option is set. The
		// loop below checks the prefix either way.
		opts.Prefix = prefix
	}
	it := s.txn.NewIterator(opts)
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
