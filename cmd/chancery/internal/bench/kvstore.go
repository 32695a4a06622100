package bench

import (
	"context"
	"slices"
	"sync"

	abci "github.com/cometbft/cometbft/abci/example/kvstore"
	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/chancery/chancery/chain"
)

// KVStore is CometBFT's kvstore example application, unchanged, with what
// node.Node needs to answer Submit: it tells waiting submitters when the
// block with their transaction is committed. It keeps no index, so TxResult
// never finds a transaction; the load never resubmits one.
type KVStore struct {
	*abci.Application

	// Owned by the consensus connection: the block being executed.
	block []*chain.TxResult

	mu      sync.Mutex
	waiting map[chain.Hash][]chan *chain.TxResult
}

// NewKVStore wraps app.
func NewKVStore(app *abci.Application) *KVStore {
	return &KVStore{Application: app, waiting: map[chain.Hash][]chan *chain.TxResult{}}
}

func (k *KVStore) FinalizeBlock(ctx context.Context, req *abcitypes.RequestFinalizeBlock) (*abcitypes.ResponseFinalizeBlock, error) {
	res, err := k.Application.FinalizeBlock(ctx, req)
	if err != nil {
		return nil, err
	}
	k.block = make([]*chain.TxResult, len(req.Txs))
	for i, raw := range req.Txs {
		k.block[i] = &chain.TxResult{Hash: chain.SumHash(raw), Height: req.Height, Index: uint32(i), Code: res.TxResults[i].Code}
	}
	return res, nil
}

func (k *KVStore) Commit(ctx context.Context, req *abcitypes.RequestCommit) (*abcitypes.ResponseCommit, error) {
	res, err := k.Application.Commit(ctx, req)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	for _, r := range k.block {
		for _, ch := range k.waiting[r.Hash] {
			ch <- r // buffered; each channel gets one result
		}
		delete(k.waiting, r.Hash)
	}
	k.mu.Unlock()
	k.block = nil
	return res, nil
}

// Await implements node.Tracker, as abciapp.App does.
func (k *KVStore) Await(hash chain.Hash) (<-chan *chain.TxResult, func()) {
	ch := make(chan *chain.TxResult, 1)
	k.mu.Lock()
	k.waiting[hash] = append(k.waiting[hash], ch)
	k.mu.Unlock()
	return ch, func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		list := slices.DeleteFunc(k.waiting[hash], func(c chan *chain.TxResult) bool { return c == ch })
		if len(list) == 0 {
			delete(k.waiting, hash)
		} else {
			k.waiting[hash] = list
		}
	}
}

// TxResult implements node.Tracker: kvstore keeps no transaction index.
func (k *KVStore) TxResult(chain.Hash) (*chain.TxResult, bool, error) { return nil, false, nil }
