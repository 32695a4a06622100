package node

import (
	"sync"

	dbm "github.com/cometbft/cometbft-db"
)

// guardedDB is one of CometBFT's databases that reads as empty once closed.
//
// CometBFT's OnStop closes its stores while goroutines it does not wait for
// may still read them: the consensus reactor's queryMaj23Routine sleeps, then
// loads a commit for a peer catching up, and the block store panics on the
// "leveldb: closed" error, killing a process that was shutting down cleanly.
// Reading nothing instead makes such a late reader skip its work; nothing
// reads after Close while the node runs.
type guardedDB struct {
	dbm.DB
	mu     sync.RWMutex
	closed bool
}

func (g *guardedDB) Get(key []byte) ([]byte, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return nil, nil
	}
	return g.DB.Get(key)
}

func (g *guardedDB) Has(key []byte) (bool, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return false, nil
	}
	return g.DB.Has(key)
}

// Close waits for reads in flight, then closes the database; a second Close
// does nothing.
func (g *guardedDB) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	return g.DB.Close()
}
