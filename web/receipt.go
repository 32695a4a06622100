package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/receipt"
	"github.com/chancery/chancery/shared/errs"
)

// ReceiptChain is a Chain that also serves receipts, from CometBFT's blocks,
// commits, validator sets and block results: the running node's adapter in
// cmd is one. It is kept apart from Chain so that chains without CometBFT's
// stores (test fakes over chaintest) need not provide it; the receipt
// endpoint then answers 503.
type ReceiptChain interface {
	ReceiptSource() receipt.Source
}

// receiptRetryAfter is the hint, in seconds, given while a receipt waits for
// the next block: about one block interval.
const receiptRetryAfter = 1

// receiptWait is how long a request for a receipt that is one block away
// waits for that block before answering 202: a few block intervals, so that
// a "Download receipt" link clicked right after a deposit saves the receipt,
// not the 202 answer (links with a download attribute save whatever comes).
const (
	receiptWait = 3 * time.Second
	receiptPoll = 100 * time.Millisecond
)

var errNoReceipts = errs.New(errs.KindUnavailable, "chain.receipts_unavailable", "this server does not serve receipts")

// PendingReceiptView is the 202 answer of GET /api/v1/txs/{hash}/receipt for
// a committed transaction whose next block is not committed yet.
type PendingReceiptView struct {
	Hash              chain.Hash `json:"hash"`
	Status            string     `json:"status"` // "pending_receipt"
	RetryAfterSeconds int        `json:"retry_after_seconds"`
}

// getReceipt answers the receipt of a committed transaction (DESIGN §6):
// 200 with the receipt, 202 with a retry hint until the block after the
// transaction's is committed, 404 for a transaction not committed.
func (s *Server) getReceipt(c echo.Context) error {
	hash, err := chain.ParseHash(c.Param("hash"))
	if err != nil {
		return errBadHash
	}
	return s.WriteReceipt(c, hash, nil)
}

// WriteReceipt answers with the receipt of the committed transaction hash,
// carrying leaf (a batch member's path to the root the transaction anchored)
// when it is not nil; or 202 with a retry hint until the receipt is ready.
func (s *Server) WriteReceipt(c echo.Context, hash chain.Hash, leaf *receipt.Leaf) error {
	rc, ok := s.chain.(ReceiptChain)
	if !ok {
		return errNoReceipts
	}
	res, found, err := s.chain.TxResult(hash)
	if err != nil {
		return err
	}
	if !found {
		if s.chain.Pending(hash) {
			return errTxNotFound.Withf("transaction %s is not committed yet: its receipt exists one block after it is", hash)
		}
		return errTxNotFound.Withf("transaction %s not found: receipts exist for committed transactions only", hash)
	}
	r, err := buildReceipt(c.Request().Context(), rc.ReceiptSource(), hash, receipt.Location{Height: res.Height, Index: res.Index})
	if errors.Is(err, receipt.ErrNotReady) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(receiptRetryAfter))
		return c.JSON(http.StatusAccepted, PendingReceiptView{Hash: hash, Status: "pending_receipt", RetryAfterSeconds: receiptRetryAfter})
	}
	if err != nil {
		return err
	}
	r.Leaf = leaf
	b, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, b)
}

// buildReceipt builds the receipt, waiting up to receiptWait for the block
// after the transaction's when that is all it lacks.
func buildReceipt(ctx context.Context, src receipt.Source, hash chain.Hash, at receipt.Location) (*receipt.Receipt, error) {
	deadline := time.NewTimer(receiptWait)
	defer deadline.Stop()
	tick := time.NewTicker(receiptPoll)
	defer tick.Stop()
	for {
		r, err := receipt.Build(ctx, src, hash, at)
		if !errors.Is(err, receipt.ErrNotReady) {
			return r, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-deadline.C:
			return nil, err // still not ready: the caller answers 202
		case <-tick.C:
		}
	}
}
