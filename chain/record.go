package chain

import (
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
