package node

import (
	"github.com/chancery/chancery/chain/tx"
	"github.com/chancery/chancery/shared/errs"
)

var (
	// ErrBlockNotFound: the height is 0, above the latest block or pruned.
	ErrBlockNotFound = errs.New(errs.KindNotFound, "chain.block_not_found", "block not found")
	// ErrMempoolFull: the mempool holds as many transactions as it may; retry later.
	ErrMempoolFull = errs.New(errs.KindUnavailable, "chain.mempool_full", "mempool is full, retry later")
	// ErrTxTooLarge: the transaction exceeds the mempool's or a block's size
	// limit. It is the envelope's own error, so a client sees one code for a
	// transaction that is too large wherever it is caught.
	ErrTxTooLarge = tx.ErrTooLarge
	// ErrNotRunning: the node is not started, or already stopped.
	ErrNotRunning = errs.New(errs.KindUnavailable, "chain.node_not_running", "node is not running")
	// ErrInvalidConfig: a Config field has a bad value.
	ErrInvalidConfig = errs.New(errs.KindInvalid, "chain.config_invalid", "invalid node config")
	// ErrInvalidHome: a file of the node home is missing or corrupt.
	ErrInvalidHome = errs.New(errs.KindInvalid, "chain.home_invalid", "invalid node home")
	// ErrWrongChain: the home's genesis file is not the one its data was
	// created from.
	ErrWrongChain = errs.New(errs.KindInvalid, "chain.wrong_chain", "genesis file does not match the node's data")
	// ErrNotValidator: the home's validator key is not in the validator set,
	// and the node is not configured as a full node.
	ErrNotValidator = errs.New(errs.KindInvalid, "chain.not_validator", "validator key is not in the validator set")
)
