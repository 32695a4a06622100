package webtest

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/chain/store"
)

// Chain is web.Chain over a chaintest chain: real modules and state, blocks
// made on demand and kept for the explorer with fixed hashes and times, so
// pages render the same on every run. A submitted transaction is executed
// at once in a block of its own, unless the chain holds it (Hold).
type Chain struct {
	mu        sync.Mutex
	c         *chaintest.Chain
	blockTime time.Duration
	blocks    []node.BlockInfo // height h at index h-1
	// hold leaves submitted transactions admitted but not in a block.
	hold    bool
	pending map[chain.Hash]bool
}

// proposer is the one validator, which proposes every block.
const proposer = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"

// newChain starts a chain as chaintest.New does.
func newChain(t testing.TB, opts chaintest.Options) *Chain {
	t.Helper()
	f := &Chain{c: chaintest.New(t, opts), blockTime: opts.BlockTime, pending: map[chain.Hash]bool{}}
	if f.blockTime == 0 {
		f.blockTime = time.Second // chaintest's default
	}
	f.record(nil, nil) // chaintest committed genesis in block 1
	return f
}

// Commit executes and commits a block of txs, and returns their results.
// A test's history is committed with it, so the explorer knows its blocks.
func (f *Chain) Commit(txs ...[]byte) []*chain.TxResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.commit(txs...)
}

func (f *Chain) commit(txs ...[]byte) []*chain.TxResult {
	_, prev := f.c.Store.Last()
	res := f.c.Block(txs...)
	f.record(prev, txs)
	return res
}

func (f *Chain) record(prevAppHash []byte, txs [][]byte) {
	h := f.c.Height()
	b := node.BlockInfo{
		Height: h, Time: f.c.Time(), Hash: chain.SumHash(fmt.Appendf(nil, "block %d", h)),
		AppHash: hex.EncodeToString(prevAppHash), NumTxs: len(txs), Proposer: proposer, Txs: txs,
	}
	for _, raw := range txs {
		b.TxHashes = append(b.TxHashes, chain.SumHash(raw))
	}
	f.blocks = append(f.blocks, b)
}

// AdvanceTo commits an empty block at time at: the chain's clock is then at,
// as when a chain idles until then. Tests move dates so, without sleeping.
func (f *Chain) AdvanceTo(t testing.TB, at time.Time) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if !at.After(f.c.Time()) {
		t.Fatalf("block time %s is already past %s", f.c.Time(), at)
	}
	f.c.Advance(at.Sub(f.c.Time()) - f.blockTime) // the block adds one block time
	f.commit()
}

// Hold, while on, leaves submitted transactions pending: admitted, never in
// a block.
func (f *Chain) Hold(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hold = on
}

// Height is the last committed height.
func (f *Chain) Height() int64 { return f.c.Height() }

// Store is the chain's committed state, for the server and the handlers.
func (f *Chain) Store() *store.Store { return f.c.Store }

// View reads committed state.
func (f *Chain) View(fn func(chain.Reader) error) error { return f.c.View(fn) }

func (f *Chain) Status() (node.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h, appHash := f.c.Store.Last()
	return node.Status{
		ChainID: chaintest.ChainID, Height: h, AppHash: hex.EncodeToString(appHash), LatestBlockTime: f.c.Time(),
		Validators: []node.ValidatorInfo{{Address: proposer, PubKey: strings.Repeat("ab", 32), Power: 10}},
		NodeID:     "fa4e00de",
	}, nil
}

// SubmitBatch submits each transaction in turn, as Submit does.
func (f *Chain) SubmitBatch(ctx context.Context, txs [][]byte, wait time.Duration) ([]node.Submission, []error) {
	subs := make([]node.Submission, len(txs))
	errList := make([]error, len(txs))
	for i, raw := range txs {
		subs[i], errList[i] = f.Submit(ctx, raw, wait)
	}
	return subs, errList
}

func (f *Chain) Submit(_ context.Context, raw []byte, _ time.Duration) (node.Submission, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sub := node.Submission{Hash: chain.SumHash(raw)}
	res, found, err := f.c.Store.TxResult(sub.Hash)
	if err != nil {
		return sub, err
	}
	if found {
		return settle(sub, res), nil
	}
	if err := f.c.CheckTx(raw); err != nil {
		sub.Status = node.StatusRejected
		return sub, err
	}
	if f.hold {
		f.pending[sub.Hash] = true
		sub.Status = node.StatusPending
		return sub, nil
	}
	return settle(sub, f.commit(raw)[0]), nil
}

func settle(sub node.Submission, res *chain.TxResult) node.Submission {
	sub.Result, sub.Status = res, node.StatusCommitted
	if !res.OK() {
		sub.Status = node.StatusRejected
	}
	return sub
}

func (f *Chain) Block(_ context.Context, height int64) (*node.BlockInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if height < 1 || height > int64(len(f.blocks)) {
		return nil, node.ErrBlockNotFound.Withf("block %d not found (latest is %d)", height, len(f.blocks))
	}
	b := f.blocks[height-1]
	return &b, nil
}

func (f *Chain) Blocks(_ context.Context, before int64, limit int) ([]node.BlockInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	top := int64(len(f.blocks))
	if before > 0 && before <= top {
		top = before - 1
	}
	var out []node.BlockInfo
	for h := top; h >= 1 && len(out) < limit; h-- {
		b := f.blocks[h-1]
		b.Txs, b.TxHashes = nil, nil
		out = append(out, b)
	}
	return out, nil
}

func (f *Chain) TxResult(h chain.Hash) (*chain.TxResult, bool, error) {
	return f.c.Store.TxResult(h)
}

func (f *Chain) Pending(h chain.Hash) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pending[h]
}
