package chaintest

import (
	"bytes"
	"sort"

	"github.com/chancery/chancery/chain"
)

// MemKV is a chain.KV held in memory, for testing keepers directly. It has no
// transactions: a write is visible at once and never rolled back.
type MemKV struct{ m map[string][]byte }

// NewMemKV returns an empty in-memory state.
func NewMemKV() *MemKV { return &MemKV{m: map[string][]byte{}} }

func (s *MemKV) Get(key []byte) []byte {
	v, ok := s.m[string(key)]
	if !ok {
		return nil
	}
	return bytes.Clone(v)
}

func (s *MemKV) Set(key, value []byte) {
	if value == nil {
		value = []byte{}
	}
	s.m[string(key)] = bytes.Clone(value)
}

func (s *MemKV) Delete(key []byte) { delete(s.m, string(key)) }

func (s *MemKV) Iterate(r chain.Range, fn func(key, value []byte) bool) {
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		if r.Contains([]byte(k)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if r.Reverse {
		for i, j := 0, len(keys)-1; i < j; i, j = i+1, j-1 {
			keys[i], keys[j] = keys[j], keys[i]
		}
	}
	for _, k := range keys {
		if !fn([]byte(k), s.m[k]) {
			return
		}
	}
}
