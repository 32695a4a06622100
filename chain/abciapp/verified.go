package abciapp

import (
	"sync"

	"github.com/chancery/chancery/chain"
)

// verifiedSet remembers the hashes of transactions whose signatures were
// checked. It is bounded with two generations: when the young one fills, it
// becomes the old one and the previous old one is dropped, so hashes of
// transactions that never made it into a block age out. Forgetting a hash
// only costs a second signature check.
type verifiedSet struct {
	mu    sync.Mutex
	max   int
	young map[chain.Hash]struct{}
	old   map[chain.Hash]struct{}
}

func newVerifiedSet(max int) *verifiedSet {
	return &verifiedSet{max: max, young: map[chain.Hash]struct{}{}, old: map[chain.Hash]struct{}{}}
}

func (s *verifiedSet) add(h chain.Hash) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.young) >= s.max/2 {
		s.old, s.young = s.young, make(map[chain.Hash]struct{}, s.max/2)
	}
	s.young[h] = struct{}{}
}

// has reports whether h was verified and not yet included.
func (s *verifiedSet) has(h chain.Hash) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, young := s.young[h]
	_, old := s.old[h]
	return young || old
}

// take reports whether h was verified and forgets it: a transaction is
// included at most once.
func (s *verifiedSet) take(h chain.Hash) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.young[h]; ok {
		delete(s.young, h)
		return true
	}
	if _, ok := s.old[h]; ok {
		delete(s.old, h)
		return true
	}
	return false
}
