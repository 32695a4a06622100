package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/chain/tx"
	"github.com/chancery/chancery/shared/errs"
)

// Chain is what the server needs of the running node and its application.
type Chain interface {
	Status() (node.Status, error)
	Submit(ctx context.Context, tx []byte, wait time.Duration) (node.Submission, error)
	SubmitBatch(ctx context.Context, txs [][]byte, wait time.Duration) ([]node.Submission, []error)
	Block(ctx context.Context, height int64) (*node.BlockInfo, error)
	Blocks(ctx context.Context, before int64, limit int) ([]node.BlockInfo, error)
	TxResult(hash chain.Hash) (*chain.TxResult, bool, error)
	// Pending reports whether this node admitted the tx to its mempool and
	// has not seen it in a block yet.
	Pending(hash chain.Hash) bool
}

var (
	errTxNotFound = errs.New(errs.KindNotFound, "chain.tx_not_found", "transaction not found")
	errBadHash    = errs.New(errs.KindInvalid, "http.bad_hash", "hash must be 64 hex characters")
	errBadWait    = errs.New(errs.KindInvalid, "http.bad_wait", "wait must be a duration between 0s and 60s, like 5s")
	errBadHeight  = errs.New(errs.KindInvalid, "http.bad_height", "height must be a positive integer")
	errBadLimit   = errs.New(errs.KindInvalid, "http.bad_limit", "limit must be between 1 and 100")
	errBadBatch   = errs.New(errs.KindInvalid, "http.bad_batch",
		fmt.Sprintf("the body must be a JSON array of 1 to %d signed transactions", MaxBatch))
)

// MaxBatch is the most transactions POST /api/v1/txs/batch takes at once.
const MaxBatch = 1000

func (s *Server) chainRoutes(g *echo.Group) {
	g.GET("/status", s.status)
	g.POST("/txs", s.submitTx)
	g.POST("/txs/batch", s.submitTxBatch)
	g.GET("/txs/:hash", s.getTx)
	g.GET("/txs/:hash/receipt", s.getReceipt)
	g.GET("/blocks", s.listBlocks)
	g.GET("/blocks/:height", s.getBlock)
}

// StatusView is GET /api/v1/status.
type StatusView struct {
	node.Status
	Version string `json:"version"`
}

func (s *Server) status(c echo.Context) error {
	st, err := s.chain.Status()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, StatusView{Status: st, Version: s.version})
}

// TxView is a transaction as the API shows it.
type TxView struct {
	Hash      chain.Hash    `json:"hash"`
	Status    string        `json:"status"`
	Height    int64         `json:"height,omitempty"`
	Index     uint32        `json:"index"`
	Code      uint32        `json:"code"`
	Codespace string        `json:"codespace,omitempty"`
	Log       string        `json:"log,omitempty"`
	Data      []byte        `json:"data,omitempty"`
	Events    []chain.Event `json:"events,omitempty"`
	Module    string        `json:"module,omitempty"`
	Type      string        `json:"type,omitempty"`
	Signer    string        `json:"signer,omitempty"`
}

// NewTxView shows a committed result.
func NewTxView(r *chain.TxResult) TxView {
	v := TxView{
		Hash: r.Hash, Status: node.StatusCommitted, Height: r.Height, Index: r.Index, Code: r.Code,
		Codespace: r.Codespace, Log: r.Log, Data: r.Data, Events: r.Events, Module: r.Module, Type: r.Type,
	}
	if !r.Signer.IsZero() {
		v.Signer = r.Signer.String()
	}
	if !r.OK() {
		v.Status = node.StatusRejected
	}
	return v
}

// submitTx takes a signed transaction and waits (?wait=, default from the
// config) for its block. It answers 202 with the hash and "committed" or
// "pending" — a pending transaction may still commit, so a timeout is never
// an error — or the coded error of a refused transaction.
func (s *Server) submitTx(c echo.Context) error {
	wait, err := s.submitWait(c)
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(io.LimitReader(c.Request().Body, tx.MaxBytes+1))
	if err != nil {
		return BodyReadError(err)
	}
	sub, err := s.chain.Submit(c.Request().Context(), raw, wait)
	if err != nil {
		return err
	}
	return respondSubmission(c, sub)
}

// submitWait is how long a write waits for its block: the wait query
// parameter, or the server's default.
func (s *Server) submitWait(c echo.Context) (time.Duration, error) {
	q := c.QueryParam("wait")
	if q == "" {
		return s.cfg.SubmitWait, nil
	}
	d, err := time.ParseDuration(q)
	if err != nil || d < 0 || d > time.Minute {
		return 0, errBadWait
	}
	return d, nil
}

// BatchView is POST /api/v1/txs/batch: one entry a transaction, in order.
type BatchView struct {
	Txs []BatchItemView `json:"txs"`
}

// BatchItemView is one transaction of a batch: what POST /api/v1/txs would
// have answered for it alone, the error (refused, or failed in its block)
// beside its status.
type BatchItemView struct {
	TxView
	Error *ErrorDetail `json:"error,omitempty"`
}

// submitTxBatch takes a JSON array of signed transactions, each exactly the
// bytes POST /api/v1/txs takes, and submits them together: the node checks
// their signatures in one batch and the wait is shared. It answers 202 with
// each transaction's outcome once any was accepted; when none was, the
// status and error of the first refusal, with every outcome beside them.
func (s *Server) submitTxBatch(c echo.Context) error {
	wait, err := s.submitWait(c)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(c.Request().Body) // as long as the server's body limit
	if err != nil {
		return BodyReadError(err)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil || len(raws) == 0 || len(raws) > MaxBatch {
		return errBadBatch
	}
	txs := make([][]byte, len(raws))
	for i, raw := range raws {
		txs[i] = raw
	}
	subs, errList := s.chain.SubmitBatch(c.Request().Context(), txs, wait)
	view := BatchView{Txs: make([]BatchItemView, len(txs))}
	var firstRefusal *errs.Error
	refused := 0
	for i, sub := range subs {
		item := &view.Txs[i]
		switch {
		case errList[i] != nil:
			e := s.itemError(c, errList[i])
			if refused++; firstRefusal == nil {
				firstRefusal = e
			}
			item.TxView = TxView{Hash: sub.Hash, Status: node.StatusRejected, Code: uint32(e.Kind), Codespace: e.Code, Log: e.Message}
			item.Error = &ErrorDetail{Code: e.Code, Message: e.Message}
		case sub.Result != nil:
			item.TxView = NewTxView(sub.Result)
			if !sub.Result.OK() {
				e := errs.FromResult(sub.Result.Code, sub.Result.Codespace, sub.Result.Log)
				item.Error = &ErrorDetail{Code: e.Code, Message: e.Message}
			}
		default:
			item.TxView = TxView{Hash: sub.Hash, Status: sub.Status}
		}
	}
	if refused < len(txs) {
		return c.JSON(http.StatusAccepted, view)
	}
	return c.JSON(statusOf(firstRefusal), struct {
		ErrorBody
		BatchView
	}{ErrorBody{ErrorDetail{Code: firstRefusal.Code, Message: "no transaction of the batch was accepted; the first: " + firstRefusal.Message}}, view})
}

// itemError is the coded error of one refused transaction of a batch. An
// internal error is logged, and shown without its details, as handleError
// does for a whole request.
func (s *Server) itemError(c echo.Context, err error) *errs.Error {
	e := errs.As(err)
	if e.Kind == errs.KindInternal {
		s.logger.Error("batch transaction failed", "request_id", requestID(c), "err", err)
		return errs.Internal.Withf("internal error (request %s)", requestID(c))
	}
	return e
}

// respondSubmission answers a write: 202 with the hash and status while
// pending or committed, or the coded error (plus the hash and height) of a
// transaction that failed in its block.
func respondSubmission(c echo.Context, sub node.Submission) error {
	if sub.Result != nil && !sub.Result.OK() {
		e := errs.FromResult(sub.Result.Code, sub.Result.Codespace, sub.Result.Log)
		return c.JSON(Status(e.Kind), struct {
			ErrorBody
			TxView
		}{ErrorBody{ErrorDetail{Code: e.Code, Message: e.Message}}, NewTxView(sub.Result)})
	}
	if sub.Result != nil {
		return c.JSON(http.StatusAccepted, NewTxView(sub.Result))
	}
	return c.JSON(http.StatusAccepted, TxView{Hash: sub.Hash, Status: sub.Status})
}

func (s *Server) getTx(c echo.Context) error {
	hash, res, err := s.findTx(c)
	if err != nil {
		return err
	}
	if res == nil {
		return c.JSON(http.StatusOK, TxView{Hash: hash, Status: node.StatusPending})
	}
	return c.JSON(http.StatusOK, NewTxView(res))
}

// findTx looks up the transaction whose hash is in the path: its result
// once committed, or nil while it is pending on this node; a transaction
// neither committed nor pending is not found. It asks "pending?" before
// "committed?": a transaction goes from pending to committed, so one that
// commits between the two questions is still found.
func (s *Server) findTx(c echo.Context) (chain.Hash, *chain.TxResult, error) {
	hash, err := chain.ParseHash(c.Param("hash"))
	if err != nil {
		return hash, nil, errBadHash
	}
	pending := s.chain.Pending(hash)
	res, found, err := s.chain.TxResult(hash)
	switch {
	case err != nil || found:
		return hash, res, err
	case !pending:
		return hash, nil, errTxNotFound.Withf("transaction %s not found: not committed and not pending on this node", hash)
	}
	return hash, nil, nil
}

// BlockView is a block with a summary of each transaction.
type BlockView struct {
	node.BlockInfo
	Txs      []TxSummary  `json:"txs"`
	TxHashes []chain.Hash `json:"tx_hashes,omitempty"`
}

// TxSummary is a transaction as a block page lists it.
type TxSummary struct {
	Hash   chain.Hash `json:"hash"`
	Module string     `json:"module"`
	Type   string     `json:"type"`
	Signer string     `json:"signer"`
	Code   uint32     `json:"code"`
	Status string     `json:"status"`
}

func (s *Server) getBlock(c echo.Context) error {
	b, err := s.findBlock(c)
	if err != nil {
		return err
	}
	view := BlockView{BlockInfo: *b, Txs: make([]TxSummary, 0, len(b.Txs))}
	view.BlockInfo.Txs, view.BlockInfo.TxHashes = nil, nil
	for _, raw := range b.Txs {
		view.Txs = append(view.Txs, s.summarize(raw))
	}
	return c.JSON(http.StatusOK, view)
}

// findBlock reads the block whose height is in the path.
func (s *Server) findBlock(c echo.Context) (*node.BlockInfo, error) {
	height, err := strconv.ParseInt(c.Param("height"), 10, 64)
	if err != nil || height <= 0 {
		return nil, errBadHeight
	}
	return s.chain.Block(c.Request().Context(), height)
}

func (s *Server) summarize(raw []byte) TxSummary {
	// The app indexes every tx of a block it executed, so one not indexed
	// yet is in the newest block, which CometBFT stored a moment before the
	// app committed it.
	sum := TxSummary{Hash: chain.SumHash(raw), Status: node.StatusPending}
	if t, err := tx.Decode(raw); err == nil {
		sum.Module, sum.Type, sum.Signer = t.Body.Module, t.Body.Type, t.Body.Signer.Address().String()
	}
	if res, found, err := s.chain.TxResult(sum.Hash); err == nil && found {
		sum.Code, sum.Status = res.Code, node.StatusCommitted
		if !res.OK() {
			sum.Status = node.StatusRejected
		}
	}
	return sum
}

// BlockPage is GET /api/v1/blocks: newest first; pass next_before as
// ?before= for the next page.
type BlockPage struct {
	Blocks     []node.BlockInfo `json:"blocks"`
	NextBefore int64            `json:"next_before,omitempty"`
}

func (s *Server) listBlocks(c echo.Context) error {
	var before int64
	if q := c.QueryParam("before"); q != "" {
		h, err := strconv.ParseInt(q, 10, 64)
		if err != nil || h <= 0 {
			return errBadHeight
		}
		before = h
	}
	limit := node.DefaultBlocksLimit
	if q := c.QueryParam("limit"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > node.MaxBlocksLimit {
			return errBadLimit
		}
		limit = n
	}
	blocks, err := s.chain.Blocks(c.Request().Context(), before, limit)
	if err != nil {
		return err
	}
	page := BlockPage{Blocks: blocks}
	if blocks == nil {
		page.Blocks = []node.BlockInfo{}
	}
	if n := len(blocks); n == limit && blocks[n-1].Height > 1 {
		page.NextBefore = blocks[n-1].Height
	}
	return c.JSON(http.StatusOK, page)
}
