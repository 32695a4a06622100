package receipt

import (
	"bytes"
	"context"

	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cometbft/cometbft/types"

	"github.com/chancery/chancery/chain"
)

// Source is what Build reads from a node: CometBFT's blocks, commits,
// validator sets and block results at a height. CometBFT's in-process RPC
// client (*local.Local, node.Node.CometClient) satisfies it, and so does its
// HTTP client.
type Source interface {
	Block(ctx context.Context, height *int64) (*coretypes.ResultBlock, error)
	// Commit returns the header at height and a commit for it; Canonical is
	// false while height is the latest block.
	Commit(ctx context.Context, height *int64) (*coretypes.ResultCommit, error)
	Validators(ctx context.Context, height *int64, page, perPage *int) (*coretypes.ResultValidators, error)
	BlockResults(ctx context.Context, height *int64) (*coretypes.ResultBlockResults, error)
}

// Location is where a transaction is in the chain: its block's height and its
// index in the block. CometBFT's own tx index is off; the application's index
// (chain.TxResult) has both.
type Location struct {
	Height int64
	Index  uint32
}

// validatorsPerPage is the most CometBFT's RPC returns in one page.
const validatorsPerPage = 100

// Build assembles the receipt of the transaction txHash found at loc. Until
// block loc.Height+1 is committed it returns ErrNotReady. The receipt is
// verified before it is returned, so a node never hands out one that fails.
func Build(ctx context.Context, src Source, txHash chain.Hash, loc Location) (*Receipt, error) {
	h, next := loc.Height, loc.Height+1
	if h <= 0 {
		return nil, ErrBuild.Withf("build receipt: height %d", h)
	}
	// The commit first: while the receipt is not ready, as a caller polls,
	// that is all a try reads.
	commit, err := src.Commit(ctx, &h)
	if err != nil {
		return nil, ErrBuild.Withf("build receipt: commit of height %d: %v", h, err)
	}
	if commit == nil || commit.Header == nil || commit.Commit == nil {
		return nil, ErrBuild.Withf("build receipt: no commit for height %d (pruned?)", h)
	}
	// CometBFT's commit for the latest block is the one this node saw, not
	// yet the canonical one that block H+1 carries: H+1 does not exist.
	if !commit.CanonicalCommit {
		return nil, ErrNotReady.Withf("receipt of tx %s not ready: its block %d is the latest, and its result is committed in block %d", txHash, h, next)
	}
	block, err := src.Block(ctx, &h)
	if err != nil {
		return nil, ErrBuild.Withf("build receipt: block %d: %v", h, err)
	}
	if block == nil || block.Block == nil {
		return nil, ErrBuild.Withf("build receipt: block %d not found", h)
	}
	txs := block.Block.Txs
	i := int(loc.Index)
	if i >= len(txs) || !bytes.Equal(txs[i].Hash(), txHash[:]) {
		return nil, ErrBuild.Withf("build receipt: tx %s is not tx %d of block %d", txHash, i, h)
	}
	nextCommit, err := src.Commit(ctx, &next)
	if err != nil {
		return nil, ErrBuild.Withf("build receipt: commit of height %d: %v", next, err)
	}
	if nextCommit == nil || nextCommit.Header == nil || nextCommit.Commit == nil {
		return nil, ErrBuild.Withf("build receipt: no commit for height %d", next)
	}
	results, err := src.BlockResults(ctx, &h)
	if err != nil {
		return nil, ErrBuild.Withf("build receipt: results of block %d: %v", h, err)
	}
	if results == nil || len(results.TxsResults) != len(txs) {
		return nil, ErrBuild.Withf("build receipt: block %d has %d txs but results for a different number", h, len(txs))
	}
	vals, err := validatorSet(ctx, src, h)
	if err != nil {
		return nil, err
	}
	res := results.TxsResults[i]
	r := &Receipt{
		Version:          Version,
		ChainID:          commit.Header.ChainID,
		Tx:               txs[i],
		TxHash:           txHash,
		Height:           h,
		SignedHeader:     &commit.SignedHeader,
		ValidatorSet:     vals,
		TxProof:          txs.Proof(i),
		NextSignedHeader: &nextCommit.SignedHeader,
		Result:           Result{Code: res.Code, Data: res.Data, GasWanted: res.GasWanted, GasUsed: res.GasUsed},
		ResultProof:      types.NewResults(results.TxsResults).ProveResult(i),
	}
	if _, err := Verify(r, nil); err != nil {
		return nil, ErrBuild.Withf("build receipt of tx %s: the node's own data does not verify: %v", txHash, err)
	}
	return r, nil
}

// validatorSet reads the set that signed block h, page by page, and
// normalises it (see Verify).
func validatorSet(ctx context.Context, src Source, h int64) (*types.ValidatorSet, error) {
	var vals []*types.Validator
	perPage := validatorsPerPage
	for page := 1; ; page++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res, err := src.Validators(ctx, &h, &page, &perPage)
		if err != nil {
			return nil, ErrBuild.Withf("build receipt: validators of height %d: %v", h, err)
		}
		if res == nil || len(res.Validators) == 0 {
			return nil, ErrBuild.Withf("build receipt: validators of height %d: empty page %d", h, page)
		}
		vals = append(vals, res.Validators...)
		if len(vals) >= res.Total {
			break
		}
	}
	if err := checkValidators(vals); err != nil {
		return nil, ErrBuild.Withf("build receipt: validators of height %d: %v", h, err)
	}
	return types.NewValidatorSet(vals), nil
}
