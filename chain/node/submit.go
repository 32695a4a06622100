package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/mempool"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
)

// Statuses of a submitted transaction.
const (
	StatusCommitted = "committed" // in a committed block, and it succeeded
	StatusRejected  = "rejected"  // refused by CheckTx, or in a committed block but failed
	StatusPending   = "pending"   // accepted, not committed yet: it may still commit
)

// Submission is what Submit knows about a transaction.
type Submission struct {
	Hash   chain.Hash      `json:"hash"`
	Status string          `json:"status"`
	Result *chain.TxResult `json:"result,omitempty"` // once committed
}

// Submit hands tx to the mempool and waits up to wait (or until ctx ends) for
// a block with it to be committed. Hash is the SHA-256 of tx, as CometBFT
// hashes transactions.
//
// A tx already committed returns its result at once, so resubmitting answers
// with the same hash and outcome. One still in the mempool is not checked
// again: Submit just waits for it. A tx CheckTx rejects returns the
// application's coded error (errs.FromResult). When the wait ends first, the
// status is pending and the error nil: the tx may still commit, and the
// caller reports it by hash.
//
// With an error only Hash is meaningful, and Status is rejected when the tx
// was refused (by CheckTx, or because the mempool is full or the node not
// running): this submission will not commit it.
func (n *Node) Submit(ctx context.Context, tx []byte, wait time.Duration) (Submission, error) {
	sub := Submission{Hash: chain.SumHash(tx)}
	if err := ctx.Err(); err != nil {
		return sub, err
	}
	// Await before looking up the result: a commit between the two is then
	// seen by one or the other.
	results, cancel := n.app.Await(sub.Hash)
	defer cancel()
	release := func() {}
	var err error
	p, precheck := n.app.(Prechecker)
	if precheck {
		// A committed transaction fails Precheck (as a replay, or expired
		// by now), so the index is read only for one that fails.
		select {
		case n.prechecks <- struct{}{}:
		case <-ctx.Done():
			return sub, ctx.Err()
		}
		release, err = p.Precheck(tx)
		<-n.prechecks
	}
	if !precheck || err != nil {
		if res, found, lookErr := n.app.TxResult(sub.Hash); lookErr != nil {
			return sub, fmt.Errorf("look up tx %s: %w", sub.Hash, lookErr)
		} else if found {
			return sub.settle(res), nil
		}
	}
	if err != nil {
		sub.Status = StatusRejected
		return sub, err
	}
	err = n.checkTx(tx)
	release()
	if err != nil {
		sub.Status = StatusRejected
		return sub, err
	}
	sub.Status = StatusPending
	if wait <= 0 {
		return sub, nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case res, ok := <-results:
		if ok && res != nil {
			return sub.settle(res), nil
		}
	case <-timer.C:
	case <-ctx.Done():
	case <-n.quit:
	}
	return sub, nil
}

func (s Submission) settle(res *chain.TxResult) Submission {
	s.Result = res
	s.Status = StatusCommitted
	if !res.OK() {
		s.Status = StatusRejected
	}
	return s
}

// checkTx runs the mempool's CheckTx, as CometBFT's broadcast_tx_sync does.
// A tx already in the mempool's cache counts as accepted: it is in flight.
func (n *Node) checkTx(tx []byte) error {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.state != running {
		return ErrNotRunning
	}
	// The local ABCI client answers before CheckTx returns, so the callback
	// has run by then; it runs at most once.
	resCh := make(chan *abcitypes.ResponseCheckTx, 1)
	err := n.cmt.Mempool().CheckTx(tx, func(res *abcitypes.ResponseCheckTx) { resCh <- res }, mempool.TxInfo{})
	var (
		full     mempool.ErrMempoolIsFull
		tooLarge mempool.ErrTxTooLarge
		pre      mempool.ErrPreCheck
	)
	switch {
	case err == nil:
	case errors.Is(err, mempool.ErrTxInCache):
		return nil
	case errors.As(err, &full), errors.Is(err, mempool.ErrRecheckFull):
		return ErrMempoolFull
	case errors.As(err, &tooLarge):
		return ErrTxTooLarge.Withf("transaction of %d bytes exceeds the limit of %d", tooLarge.Actual, tooLarge.Max)
	case errors.As(err, &pre):
		// The only pre-check is that the tx fits in a block.
		return ErrTxTooLarge.Withf("transaction of %d bytes does not fit in a block", len(tx))
	default:
		return fmt.Errorf("mempool: %w", err)
	}
	var res *abcitypes.ResponseCheckTx
	select {
	case res = <-resCh:
	default:
		// A remote ABCI client would answer later; ours never does. Count
		// the tx as in flight rather than hide one that may commit.
		return nil
	}
	if res == nil {
		return errs.Internal.Withf("CheckTx returned no response")
	}
	if res.Code == abcitypes.CodeTypeOK {
		return nil
	}
	code, msg := res.Codespace, res.Log
	if code == "" {
		code = "chain.check_tx_failed"
	}
	if msg == "" {
		msg = "transaction rejected"
	}
	return errs.FromResult(res.Code, code, msg)
}
