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
	subs, errList := n.SubmitBatch(ctx, [][]byte{tx}, wait)
	return subs[0], errList[0]
}

// SubmitBatch is Submit for several transactions at once, one submission and
// one error each, in order, with Submit's meanings. The application checks
// them together (a Prechecker verifies their signatures in one batch), each
// then goes to the mempool in turn, and the wait is shared: it ends when all
// that were accepted have committed, or when wait has passed.
func (n *Node) SubmitBatch(ctx context.Context, txs [][]byte, wait time.Duration) ([]Submission, []error) {
	subs := make([]Submission, len(txs))
	errList := make([]error, len(txs))
	for i, tx := range txs {
		subs[i].Hash = chain.SumHash(tx)
	}
	fail := func(err error) ([]Submission, []error) {
		for i := range errList {
			errList[i] = err
		}
		return subs, errList
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	// Await before looking up results: a commit between the two is then
	// seen by one or the other.
	results := make([]<-chan *chain.TxResult, len(txs))
	for i := range txs {
		ch, cancel := n.app.Await(subs[i].Hash)
		defer cancel()
		results[i] = ch
	}
	release := func() {}
	checked := make([]error, len(txs))
	p, precheck := n.app.(Prechecker)
	if precheck {
		select {
		case n.prechecks <- struct{}{}:
		case <-ctx.Done():
			return fail(ctx.Err())
		}
		release, checked = p.PrecheckBatch(txs)
		<-n.prechecks
	}
	for i, tx := range txs {
		subs[i], errList[i] = n.admit(subs[i], tx, checked[i], precheck)
	}
	release()
	if wait <= 0 {
		return subs, errList
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for i := range txs {
		if errList[i] != nil || subs[i].Status != StatusPending {
			continue
		}
		select {
		case res, ok := <-results[i]:
			if ok && res != nil {
				subs[i] = subs[i].settle(res)
			}
		case <-timer.C:
			return subs, errList
		case <-ctx.Done():
			return subs, errList
		case <-n.quit:
			return subs, errList
		}
	}
	return subs, errList
}

// admit hands one transaction of a submission to the mempool, given its
// Precheck verdict (checkErr) if the application prechecked it.
func (n *Node) admit(sub Submission, tx []byte, checkErr error, prechecked bool) (Submission, error) {
	// A committed transaction fails Precheck (as a replay, or expired by
	// now), so the index is read only for one that fails.
	if !prechecked || checkErr != nil {
		if res, found, err := n.app.TxResult(sub.Hash); err != nil {
			return sub, fmt.Errorf("look up tx %s: %w", sub.Hash, err)
		} else if found {
			return sub.settle(res), nil
		}
	}
	if checkErr != nil {
		sub.Status = StatusRejected
		return sub, checkErr
	}
	if err := n.checkTx(tx); err != nil {
		sub.Status = StatusRejected
		return sub, err
	}
	sub.Status = StatusPending
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
