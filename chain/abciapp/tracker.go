package abciapp

import (
	"sync"

	"github.com/chancery/chancery/chain"
)

// awaiters hands committed results to callers waiting for them.
type awaiters struct {
	mu      sync.Mutex
	waiting map[chain.Hash][]chan *chain.TxResult
}

// Await returns a channel that receives the transaction's result when the
// block including it is committed. cancel must be called when the caller
// stops waiting.
func (a *App) Await(hash chain.Hash) (<-chan *chain.TxResult, func()) {
	ch := make(chan *chain.TxResult, 1)
	w := &a.awaiters
	w.mu.Lock()
	if w.waiting == nil {
		w.waiting = map[chain.Hash][]chan *chain.TxResult{}
	}
	w.waiting[hash] = append(w.waiting[hash], ch)
	w.mu.Unlock()
	cancel := func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		list := w.waiting[hash]
		for i, c := range list {
			if c == ch {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(w.waiting, hash)
		} else {
			w.waiting[hash] = list
		}
	}
	return ch, cancel
}

// notify sends committed results to their waiters.
func (w *awaiters) notify(results []*chain.TxResult) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.waiting) == 0 {
		return
	}
	for _, r := range results {
		for _, ch := range w.waiting[r.Hash] {
			ch <- r // buffered, and each channel gets one result
		}
		delete(w.waiting, r.Hash)
	}
}

// TxResult returns a committed transaction's result from the index.
func (a *App) TxResult(hash chain.Hash) (*chain.TxResult, bool, error) {
	return a.store.TxResult(hash)
}
