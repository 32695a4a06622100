package chaintest

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/abciapp"
	"github.com/chancery/chancery/chain/store"
	"github.com/chancery/chancery/chain/tx"
	"github.com/chancery/chancery/shared/errs"
)

// ChainID is the chain id test chains run under.
const ChainID = "chancery-test"

// Key is a test account's signing key, derived from a name so tests read
// well and runs are reproducible.
type Key struct {
	Name string
	Priv ed25519.PrivateKey
}

// NewKey derives a key from name.
func NewKey(name string) Key {
	seed := sha256.Sum256([]byte("chaintest/" + name))
	return Key{Name: name, Priv: ed25519.NewKeyFromSeed(seed[:])}
}

// Pub is the key's public half.
func (k Key) Pub() chain.PubKey {
	var p chain.PubKey
	copy(p[:], k.Priv.Public().(ed25519.PublicKey))
	return p
}

// Address is the key's account address.
func (k Key) Address() chain.Address { return k.Pub().Address() }

// Options describe a test chain.
type Options struct {
	Auth    chain.Authorizer
	Modules []chain.Module
	// Genesis is the app state object, e.g. {"members": {...}}.
	Genesis json.RawMessage
	// Start is the genesis time; block times advance from it by BlockTime.
	Start time.Time
	// BlockTime is the time between blocks; default one second.
	BlockTime time.Duration
	// Dir, when set, keeps the state on disk there, as a node does
	// (benchmarks); otherwise it is in memory.
	Dir string
}

// Chain is a single-node chain without consensus.
type Chain struct {
	t     testing.TB
	App   *abciapp.App
	Store *store.Store

	now       time.Time
	blockTime time.Duration
}

// New starts a chain with an in-memory store (or one in opts.Dir) and runs
// genesis.
func New(t testing.TB, opts Options) *Chain {
	t.Helper()
	st, err := store.Open(store.Options{Dir: opts.Dir, InMemory: opts.Dir == ""})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	app, err := abciapp.New(abciapp.Config{ChainID: ChainID}, st, opts.Auth, opts.Modules...)
	if err != nil {
		t.Fatalf("new app: %v", err)
	}
	if opts.Start.IsZero() {
		opts.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if opts.BlockTime == 0 {
		opts.BlockTime = time.Second
	}
	genesis := opts.Genesis
	if genesis == nil {
		genesis = json.RawMessage(`{}`)
	}
	_, err = app.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: ChainID, InitialHeight: 1, Time: opts.Start, AppStateBytes: genesis,
	})
	if err != nil {
		t.Fatalf("init chain: %v", err)
	}
	c := &Chain{t: t, App: app, Store: st, now: opts.Start, blockTime: opts.BlockTime}
	c.Block() // commit genesis in block 1, as a real chain does
	return c
}

// Height is the last committed height.
func (c *Chain) Height() int64 {
	h, _ := c.Store.Last()
	return h
}

// Time is the time of the last committed block.
func (c *Chain) Time() time.Time { return c.now }

// Advance moves block time forward by d for the next blocks, as when the
// chain idles for a while.
func (c *Chain) Advance(d time.Duration) { c.now = c.now.Add(d) }

// Sign builds and signs a transaction valid for the next 100 blocks.
func (c *Chain) Sign(k Key, module, typ string, msg any) []byte {
	c.t.Helper()
	body, err := tx.NewBody(ChainID, module, typ, msg, k.Pub(), c.Height()+100)
	if err != nil {
		c.t.Fatalf("build tx: %v", err)
	}
	raw, err := tx.Sign(body, k.Priv)
	if err != nil {
		c.t.Fatalf("sign tx: %v", err)
	}
	return raw
}

// CheckTx runs the mempool check and returns its error, if any.
func (c *Chain) CheckTx(raw []byte) error {
	c.t.Helper()
	res, err := c.App.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: raw, Type: abci.CheckTxType_New})
	if err != nil {
		c.t.Fatalf("check tx: %v", err)
	}
	if res.Code != abci.CodeTypeOK {
		return errs.FromResult(res.Code, res.Codespace, res.Log)
	}
	return nil
}

// Submit signs msg as k, checks it like the mempool and, if admitted,
// executes it in a block of its own. It returns the message's result data
// (undecoded canonical JSON) or the error, from CheckTx or execution, as a
// coded error comparable with errors.Is.
func (c *Chain) Submit(k Key, module, typ string, msg any) ([]byte, error) {
	c.t.Helper()
	raw := c.Sign(k, module, typ, msg)
	if err := c.CheckTx(raw); err != nil {
		return nil, err
	}
	res := c.Block(raw)[0]
	if !res.OK() {
		return nil, errs.FromResult(res.Code, res.Codespace, res.Log)
	}
	return res.Data, nil
}

// Block executes and commits one block with txs, returning their results
// as the index holds them.
func (c *Chain) Block(txs ...[]byte) []*chain.TxResult {
	c.t.Helper()
	fin := c.Execute(txs...)
	height := c.Height()
	results := make([]*chain.TxResult, len(fin))
	for i, r := range fin {
		results[i] = &chain.TxResult{
			Hash: chain.SumHash(txs[i]), Height: height, Index: uint32(i),
			Code: r.Code, Codespace: r.Codespace, Log: r.Log, Data: r.Data,
		}
		if idx, found, err := c.Store.TxResult(results[i].Hash); err == nil && found && idx.Height == height {
			results[i] = idx // the indexed result carries the events too
		}
	}
	return results
}

// Execute executes and commits the next block with txs, BlockTime after the
// last, as CometBFT does, and returns the results FinalizeBlock gave.
func (c *Chain) Execute(txs ...[]byte) []*abci.ExecTxResult {
	c.t.Helper()
	c.now = c.now.Add(c.blockTime)
	height := c.Height() + 1
	fin, err := c.App.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: height, Time: c.now, Txs: txs})
	if err != nil {
		c.t.Fatalf("finalize block %d: %v", height, err)
	}
	if _, err := c.App.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		c.t.Fatalf("commit block %d: %v", height, err)
	}
	return fin.TxResults
}

// View reads committed state.
func (c *Chain) View(fn func(chain.Reader) error) error { return c.Store.View(fn) }
