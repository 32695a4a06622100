// Package receipttest makes up chains in memory for receipt tests: real
// blocks, headers and results, signed by real validator keys, served through
// receipt.Source the way CometBFT's local client serves a node's. Tests use it
// where a running node would not do: several validators, absent votes,
// validator-set changes, a fixed receipt for fuzzing and benchmarks.
package receipttest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmtversion "github.com/cometbft/cometbft/proto/tendermint/version"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cometbft/cometbft/types"
	"github.com/cometbft/cometbft/version"
)

// Chain is a made-up chain. Its zero value is not usable; call New. It is
// safe for concurrent use: a test may add a block while a server reads.
type Chain struct {
	mu sync.RWMutex

	ChainID string
	// Absent lists validators (by address) whose votes are left out of the
	// commits made from now on.
	Absent map[string]bool

	keys    map[string]types.PrivValidator // by address
	vals    *types.ValidatorSet            // signs the next block
	next    *types.ValidatorSet            // signs the block after it
	genesis *types.GenesisDoc
	start   time.Time

	blocks  []*types.Block // blocks[h-1]
	ids     []types.BlockID
	commits []*types.Commit
	results [][]*abci.ExecTxResult
	valsAt  []*types.ValidatorSet
}

// Key returns the deterministic validator key named name.
func Key(name string) ed25519.PrivKey {
	seed := sha256.Sum256([]byte("receipttest/" + name))
	return ed25519.GenPrivKeyFromSecret(seed[:])
}

// New starts a chain whose validators are the keys named, each with voting
// power 10. Keys and block times are deterministic, so the same calls give
// the same chain.
func New(chainID string, validators ...string) *Chain {
	c := &Chain{
		ChainID: chainID,
		Absent:  map[string]bool{},
		keys:    map[string]types.PrivValidator{},
		start:   time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	c.vals = c.set(validators)
	c.next = c.vals
	c.genesis = &types.GenesisDoc{GenesisTime: c.start, ChainID: chainID, InitialHeight: 1, ConsensusParams: types.DefaultConsensusParams()}
	for _, v := range c.vals.Validators {
		c.genesis.Validators = append(c.genesis.Validators, types.GenesisValidator{Address: v.Address, PubKey: v.PubKey, Power: v.VotingPower})
	}
	return c
}

func (c *Chain) set(names []string) *types.ValidatorSet {
	vals := make([]*types.Validator, len(names))
	for i, n := range names {
		k := Key(n)
		pv := types.NewMockPVWithParams(k, false, false)
		c.keys[string(k.PubKey().Address())] = pv
		vals[i] = types.NewValidator(k.PubKey(), 10)
	}
	return types.NewValidatorSet(vals)
}

// Genesis is the chain's genesis document: its first validators.
func (c *Chain) Genesis() *types.GenesisDoc { return c.genesis }

// ChangeValidators makes the keys named the validators from the block after
// the next one on, as a validator update in the next block would.
func (c *Chain) ChangeValidators(names ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = c.set(names)
}

// Height is the latest block's height, 0 before the first.
func (c *Chain) Height() int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.height()
}

func (c *Chain) height() int64 { return int64(len(c.blocks)) }

// AddBlock commits a block with txs and their results and returns its
// height. Results may be nil for all-successful ones with no data.
func (c *Chain) AddBlock(txs [][]byte, results []*abci.ExecTxResult) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.height() + 1
	if results == nil {
		results = make([]*abci.ExecTxResult, len(txs))
		for i := range results {
			results[i] = &abci.ExecTxResult{}
		}
	}
	if len(results) != len(txs) {
		panic("receipttest: one result per tx")
	}
	lastCommit, lastID, lastResults := &types.Commit{}, types.BlockID{}, types.NewResults(nil).Hash()
	if h > 1 {
		lastCommit, lastID, lastResults = c.commits[h-2], c.ids[h-2], types.NewResults(c.results[h-2]).Hash()
	}
	block := types.MakeBlock(h, types.ToTxs(txs), lastCommit, nil)
	appHash := sha256.Sum256(fmt.Appendf(nil, "app hash %d", h))
	block.Header.Populate(
		cmtversion.Consensus{Block: version.BlockProtocol, App: 1}, c.ChainID,
		c.start.Add(time.Duration(h)*time.Second), lastID,
		c.vals.Hash(), c.next.Hash(), types.DefaultConsensusParams().Hash(), appHash[:], lastResults,
		c.vals.GetProposer().Address,
	)
	parts, err := block.MakePartSet(types.BlockPartSizeBytes)
	if err != nil {
		panic(err)
	}
	id := types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}
	c.blocks = append(c.blocks, block)
	c.ids = append(c.ids, id)
	c.commits = append(c.commits, c.sign(h, id, c.vals, block.Time.Add(500*time.Millisecond)))
	c.results = append(c.results, results)
	c.valsAt = append(c.valsAt, c.vals)
	c.vals = c.next
	return h
}

// sign makes the commit of block id at h by vals, leaving out the absent.
func (c *Chain) sign(h int64, id types.BlockID, vals *types.ValidatorSet, t time.Time) *types.Commit {
	sigs := make([]types.CommitSig, len(vals.Validators))
	for i, v := range vals.Validators {
		if c.Absent[string(v.Address)] {
			sigs[i] = types.NewCommitSigAbsent()
			continue
		}
		vote := &types.Vote{
			Type: cmtproto.PrecommitType, Height: h, BlockID: id, Timestamp: t,
			ValidatorAddress: v.Address, ValidatorIndex: int32(i),
		}
		pb := vote.ToProto()
		if err := c.keys[string(v.Address)].SignVote(c.ChainID, pb); err != nil {
			panic(err)
		}
		sigs[i] = types.CommitSig{BlockIDFlag: types.BlockIDFlagCommit, ValidatorAddress: v.Address, Timestamp: t, Signature: pb.Signature}
	}
	return &types.Commit{Height: h, BlockID: id, Signatures: sigs}
}

// at resolves a requested height; the caller holds the read lock.
func (c *Chain) at(height *int64) (int64, error) {
	if c.height() == 0 {
		return 0, fmt.Errorf("no blocks yet")
	}
	if height == nil {
		return c.height(), nil
	}
	if *height < 1 || *height > c.height() {
		return 0, fmt.Errorf("height %d must be less than or equal to the current blockchain height %d", *height, c.height())
	}
	return *height, nil
}

// Block implements receipt.Source.
func (c *Chain) Block(_ context.Context, height *int64) (*coretypes.ResultBlock, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	h, err := c.at(height)
	if err != nil {
		return nil, err
	}
	return &coretypes.ResultBlock{BlockID: c.ids[h-1], Block: c.blocks[h-1]}, nil
}

// Commit implements receipt.Source: the commit of the latest block is not
// canonical, as in CometBFT.
func (c *Chain) Commit(_ context.Context, height *int64) (*coretypes.ResultCommit, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	h, err := c.at(height)
	if err != nil {
		return nil, err
	}
	header := c.blocks[h-1].Header
	return coretypes.NewResultCommit(&header, c.commits[h-1], h < c.height()), nil
}

// Validators implements receipt.Source.
func (c *Chain) Validators(_ context.Context, height *int64, page, perPage *int) (*coretypes.ResultValidators, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	h, err := c.at(height)
	if err != nil {
		return nil, err
	}
	all := c.valsAt[h-1].Copy().Validators
	from := (*page - 1) * *perPage
	if from >= len(all) {
		return nil, fmt.Errorf("page %d out of range", *page)
	}
	v := all[from:min(from+*perPage, len(all))]
	return &coretypes.ResultValidators{BlockHeight: h, Validators: v, Count: len(v), Total: len(all)}, nil
}

// BlockResults implements receipt.Source.
func (c *Chain) BlockResults(_ context.Context, height *int64) (*coretypes.ResultBlockResults, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	h, err := c.at(height)
	if err != nil {
		return nil, err
	}
	return &coretypes.ResultBlockResults{Height: h, TxsResults: c.results[h-1]}, nil
}
