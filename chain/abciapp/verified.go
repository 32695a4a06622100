package abciapp

import (
	"sync"
	"sync/atomic"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/tx"
)

// checked is a transaction whose signature CheckTx verified, with its message
// decoded and routed. Messages are never changed by their handlers, so one
// decoded message serves CheckTx, every recheck and the block.
type checked struct {
	*tx.Tx
	route routeEntry
	msg   chain.Msg
	// passed says that Precheck ran every check of CheckTx against the
	// state committed at height passedAt, and the transaction passed.
	passed   bool
	passedAt int64
	// replayFreeAt is a committed height at which the body had not been
	// executed: the last one at which a check found no replay key for it.
	// Its zero value is true of every body, since nothing has executed at
	// height 0. A block at replayFreeAt+1 then finds a replay in its own
	// writes only, without reading committed state.
	replayFreeAt atomic.Int64
}

// verifiedSet remembers the transactions whose signatures CheckTx verified,
// decoded, by hash: FinalizeBlock and the rechecks after each block then
// neither verify nor decode them, nor their messages, again. It is bounded with two generations:
// when the young one fills, it becomes the old one and the previous old one
// is dropped, so transactions that never made it into a block age out.
// Forgetting one only costs a second decode and signature check.
type verifiedSet struct {
	mu    sync.Mutex
	max   int
	young map[chain.Hash]*checked
	old   map[chain.Hash]*checked
}

func newVerifiedSet(max int) *verifiedSet {
	return &verifiedSet{max: max, young: map[chain.Hash]*checked{}, old: map[chain.Hash]*checked{}}
}

func (s *verifiedSet) add(t *checked) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.young) >= s.max/2 {
		s.old, s.young = s.young, make(map[chain.Hash]*checked, s.max/2)
	}
	s.young[t.Hash] = t
}

// get returns the verified transaction h, if it was verified and not yet
// included.
func (s *verifiedSet) get(h chain.Hash) (*checked, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.young[h]; ok {
		return t, true
	}
	t, ok := s.old[h]
	return t, ok
}

// take returns the verified transaction h and forgets it: a transaction is
// included at most once.
func (s *verifiedSet) take(h chain.Hash) (*checked, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.young[h]; ok {
		delete(s.young, h)
		return t, true
	}
	if t, ok := s.old[h]; ok {
		delete(s.old, h)
		return t, true
	}
	return nil, false
}
