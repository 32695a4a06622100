package node

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/cometbft/cometbft/types"

	"github.com/chancery/chancery/chain"
)

// Status is the node's view of the chain.
type Status struct {
	ChainID string `json:"chain_id"`
	// Height is the last block the application has committed.
	Height int64 `json:"height"`
	// AppHash is the application's hash after block Height, lowercase hex.
	// (CometBFT's RPC status shows the hash in block Height's header, which
	// is the one after block Height-1.)
	AppHash         string    `json:"app_hash"`
	LatestBlockTime time.Time `json:"latest_block_time"` // genesis time before the first block
	// CatchingUp is true while the node is syncing blocks from peers.
	CatchingUp bool            `json:"catching_up"`
	Validators []ValidatorInfo `json:"validators"` // the set deciding the next block
	NodeID     string          `json:"node_id"`
}

// ValidatorInfo is a validator: its address and ed25519 public key in
// lowercase hex, and its voting power.
type ValidatorInfo struct {
	Address string `json:"address"`
	PubKey  string `json:"pub_key"`
	Power   int64  `json:"power"`
}

// BlockInfo describes a committed block. Txs and TxHashes are filled by
// Block only; Blocks lists headers.
type BlockInfo struct {
	Height int64      `json:"height"`
	Time   time.Time  `json:"time"`
	Hash   chain.Hash `json:"hash"`
	// AppHash is the application's hash after the previous block, lowercase hex.
	AppHash  string       `json:"app_hash"`
	NumTxs   int          `json:"num_txs"`
	Proposer string       `json:"proposer"` // validator address, lowercase hex
	Txs      [][]byte     `json:"txs,omitempty"`
	TxHashes []chain.Hash `json:"tx_hashes,omitempty"`
}

// Page sizes of Blocks.
const (
	DefaultBlocksLimit = 20
	MaxBlocksLimit     = 100
)

// Status reports the chain's and the node's state. It works from New on.
func (n *Node) Status() (Status, error) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.state == stopped {
		return Status{}, ErrNotRunning
	}
	st, err := n.env.StateStore.Load()
	if err != nil {
		return Status{}, err
	}
	s := Status{
		ChainID:         st.ChainID,
		Height:          st.LastBlockHeight,
		AppHash:         hex.EncodeToString(st.AppHash),
		LatestBlockTime: st.LastBlockTime.UTC(),
		CatchingUp:      n.cmt.ConsensusReactor().WaitSync(),
		NodeID:          string(n.cmt.NodeInfo().ID()),
	}
	if st.Validators != nil {
		for _, v := range st.Validators.Validators {
			s.Validators = append(s.Validators, ValidatorInfo{
				Address: hex.EncodeToString(v.Address),
				PubKey:  hex.EncodeToString(v.PubKey.Bytes()),
				Power:   v.VotingPower,
			})
		}
	}
	return s, nil
}

// Block returns the block at height with its transactions, or
// ErrBlockNotFound for 0, heights above the latest and pruned ones.
func (n *Node) Block(ctx context.Context, height int64) (*BlockInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.state == stopped {
		return nil, ErrNotRunning
	}
	bs := n.cmt.BlockStore()
	latest := bs.Height()
	if height < max(bs.Base(), 1) || height > latest {
		return nil, ErrBlockNotFound.Withf("block %d not found (latest is %d)", height, latest)
	}
	meta, block := bs.LoadBlockMeta(height), bs.LoadBlock(height)
	if meta == nil || block == nil {
		return nil, ErrBlockNotFound.Withf("block %d not found", height)
	}
	info := blockInfo(meta)
	info.Txs = make([][]byte, len(block.Txs))
	info.TxHashes = make([]chain.Hash, len(block.Txs))
	for i, tx := range block.Txs {
		info.Txs[i] = tx
		info.TxHashes[i] = chain.SumHash(tx)
	}
	return &info, nil
}

// Blocks lists up to limit blocks below height before, newest first; before
// ≤ 0 starts at the latest block. limit ≤ 0 means DefaultBlocksLimit, and it
// is capped at MaxBlocksLimit.
func (n *Node) Blocks(ctx context.Context, before int64, limit int) ([]BlockInfo, error) {
	if limit <= 0 {
		limit = DefaultBlocksLimit
	}
	limit = min(limit, MaxBlocksLimit)
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.state == stopped {
		return nil, ErrNotRunning
	}
	bs := n.cmt.BlockStore()
	top := bs.Height()
	if before > 0 && before <= top {
		top = before - 1
	}
	out := make([]BlockInfo, 0, min(int64(limit), max(top, 0)))
	for h := top; h >= max(bs.Base(), 1) && len(out) < limit; h-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		meta := bs.LoadBlockMeta(h)
		if meta == nil { // pruned meanwhile
			break
		}
		out = append(out, blockInfo(meta))
	}
	return out, nil
}

func blockInfo(meta *types.BlockMeta) BlockInfo {
	info := BlockInfo{
		Height:   meta.Header.Height,
		Time:     meta.Header.Time.UTC(),
		AppHash:  hex.EncodeToString(meta.Header.AppHash),
		NumTxs:   meta.NumTxs,
		Proposer: hex.EncodeToString(meta.Header.ProposerAddress),
	}
	copy(info.Hash[:], meta.BlockID.Hash)
	return info
}
