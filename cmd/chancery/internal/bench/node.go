package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/node"
)

// NodeTarget is a node in this process, loaded through its Submit, as the
// HTTP API calls it. As a Sender it admits a transaction with Submit(tx, 0)
// — the same checks, CheckTx included — and waits for the block on the
// application's Await.
type NodeTarget struct {
	Node *node.Node
	App  node.Tracker // the node's application
	// Wait bounds how long a submission waits for its block.
	Wait time.Duration
}

func (t NodeTarget) Send(ctx context.Context, _ int, raw []byte) (Outcome, func(context.Context) (Outcome, error), error) {
	results, cancel := t.App.Await(chain.SumHash(raw))
	out, err := t.outcome(t.Node.Submit(ctx, raw, 0))
	if out != Pending {
		cancel()
		return out, nil, err
	}
	return Pending, func(ctx context.Context) (Outcome, error) {
		defer cancel()
		timer := time.NewTimer(t.Wait)
		defer timer.Stop()
		select {
		case res := <-results:
			if res == nil {
				return Pending, nil
			}
			if !res.OK() {
				return Failed, fmt.Errorf("tx %s failed in block %d: %s", res.Hash, res.Height, res.Log)
			}
			return Committed, nil
		case <-timer.C:
		case <-ctx.Done():
		}
		return Pending, nil
	}, nil
}

func (t NodeTarget) Submit(ctx context.Context, _ int, raw []byte) (Outcome, error) {
	return t.outcome(t.Node.Submit(ctx, raw, t.Wait))
}

// SubmitBatch is Submit for several transactions, through the node's
// SubmitBatch, as POST /api/v1/txs/batch calls it.
func (t NodeTarget) SubmitBatch(ctx context.Context, _ int, raws [][]byte) ([]Outcome, []error) {
	subs, errList := t.Node.SubmitBatch(ctx, raws, t.Wait)
	outs := make([]Outcome, len(raws))
	for i, sub := range subs {
		outs[i], errList[i] = t.outcome(sub, errList[i])
	}
	return outs, errList
}

func (t NodeTarget) outcome(sub node.Submission, err error) (Outcome, error) {
	switch {
	case errors.Is(err, node.ErrMempoolFull):
		return Busy, err
	case err != nil:
		return Failed, err
	case sub.Status == node.StatusCommitted:
		return Committed, nil
	case sub.Status == node.StatusRejected:
		return Failed, fmt.Errorf("tx %s failed in block %d: %s", sub.Hash, sub.Result.Height, sub.Result.Log)
	default:
		return Pending, nil
	}
}

func (t NodeTarget) Height(context.Context) (int64, error) {
	st, err := t.Node.Status()
	return st.Height, err
}

// Blocks reads block metas from CometBFT's block store: their encoded size
// included.
func (t NodeTarget) Blocks(ctx context.Context, from, to int64) ([]Block, error) {
	const page = 20 // CometBFT's limit for one call
	var out []Block
	for lo := max(from, 1); lo <= to; lo += page {
		hi := min(lo+page-1, to)
		res, err := t.Node.CometClient().BlockchainInfo(ctx, lo, hi)
		if err != nil {
			return nil, fmt.Errorf("blocks %d to %d: %w", lo, hi, err)
		}
		for i := len(res.BlockMetas) - 1; i >= 0; i-- { // newest first
			m := res.BlockMetas[i]
			out = append(out, Block{Height: m.Header.Height, Time: m.Header.Time, NumTxs: m.NumTxs, Bytes: m.BlockSize})
		}
	}
	return out, nil
}

func (t NodeTarget) Usage(context.Context) (Usage, error) { return SelfUsage(), nil }
