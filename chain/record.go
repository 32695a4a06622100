package chain

import (
	"sync"

	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/shared/errs"
)

// Records are how modules keep structs in state: canonical JSON under a key.
// A record that does not decode was written by a bug or damaged on disk; that
// is an internal error naming the key, never the caller's fault.

// Load decodes the record at key into v and reports whether there was one.
func Load(r Reader, key []byte, v any) (bool, error) {
	b := r.Get(key)
	if b == nil {
		return false, nil
	}
	return true, Decode(key, b, v)
}

// Decode decodes a record value read from key (by Get or Iterate) into v.
func Decode(key, value []byte, v any) error {
	if err := canon.Unmarshal(value, v); err != nil {
		return errs.Internal.Withf("record %s does not decode: %v", key, err)
	}
	return nil
}

// Save stores v at key as canonical JSON. v must be a record struct, which
// always encodes.
func Save(kv KV, key []byte, v any) { kv.Set(key, canon.MustMarshal(v)) }

// RecordCache remembers records of type T decoded, by their stored bytes. A
// record's bytes are its content, so a hit is right at any height and in any
// block, and nothing ever needs invalidating: a changed record has other
// bytes. It is for the few records read by nearly every transaction (the
// signer's account and organisation), whose decoding would otherwise be a
// large share of the chain's CPU.
//
// Values it returns are shared: callers must not modify them (clone slices
// before changing them). It is safe for concurrent use; a nil cache decodes
// every time.
type RecordCache[T any] struct {
	mu  sync.RWMutex
	max int
	m   map[string]T
}

// NewRecordCache returns a cache of at most max records; when it is full it
// starts again empty, which costs only decoding.
func NewRecordCache[T any](max int) *RecordCache[T] {
	return &RecordCache[T]{max: max, m: make(map[string]T)}
}

// Load is chain.Load through the cache.
func (c *RecordCache[T]) Load(r Reader, key []byte) (T, bool, error) {
	var v T
	b := r.Get(key)
	if b == nil {
		return v, false, nil
	}
	if c == nil {
		return v, true, Decode(key, b, &v)
	}
	c.mu.RLock()
	v, hit := c.m[string(b)]
	c.mu.RUnlock()
	if hit {
		return v, true, nil
	}
	if err := Decode(key, b, &v); err != nil {
		return v, true, err
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[string(b)] = v
	c.mu.Unlock()
	return v, true, nil
}
