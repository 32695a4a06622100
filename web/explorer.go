package web

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/chain/tx"
	"github.com/chancery/chancery/web/views"
)

var errBadLookup = ErrBadRequest.Withf("search for a block height or a 64-character transaction hash")

// The dashboard shows this many recent blocks and measures the transaction
// rate over this much block time.
const (
	dashboardBlocks = 10
	rateWindow      = time.Minute
	// rateMaxBlocks bounds the blocks read to measure the rate, for chains
	// with very short block times.
	rateMaxBlocks = 5 * node.MaxBlocksLimit
)

func (s *Server) dashboard(c echo.Context) error {
	st, err := s.chain.Status()
	if err != nil {
		return err
	}
	blocks, err := s.recentBlocks(c, rateWindow)
	if err != nil {
		return err
	}
	v := views.DashboardView{Status: st, TxRate: txRate(blocks, rateWindow), RateWindow: rateWindow}
	v.Blocks = blocks[:min(len(blocks), dashboardBlocks)]
	return s.Render(c, http.StatusOK, "Dashboard", views.Dashboard(v))
}

// recentBlocks lists blocks from the newest back until they span window (or
// the chain's start, or rateMaxBlocks).
func (s *Server) recentBlocks(c echo.Context, window time.Duration) ([]node.BlockInfo, error) {
	var out []node.BlockInfo
	var before int64
	for len(out) < rateMaxBlocks {
		page, err := s.chain.Blocks(c.Request().Context(), before, node.MaxBlocksLimit)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < node.MaxBlocksLimit {
			break
		}
		last := page[len(page)-1]
		if last.Height <= 1 || !last.Time.After(out[0].Time.Add(-window)) {
			break
		}
		before = last.Height
	}
	return out, nil
}

// txRate is transactions a second over window before the newest block,
// from blocks listed newest first. When they span less than window, the rate
// is over the span they have; a block's own transactions count only if the
// block ends inside the span measured.
func txRate(blocks []node.BlockInfo, window time.Duration) float64 {
	if len(blocks) == 0 {
		return 0
	}
	newest := blocks[0].Time
	start := newest.Add(-window)
	if oldest := blocks[len(blocks)-1].Time; oldest.After(start) {
		start = oldest
	}
	span := newest.Sub(start)
	if span <= 0 {
		return 0
	}
	txs := 0
	for _, b := range blocks {
		if b.Time.After(start) {
			txs += b.NumTxs
		}
	}
	return float64(txs) / span.Seconds()
}

func (s *Server) blocksPage(c echo.Context) error {
	if q, ok := c.QueryParams()["q"]; ok {
		target, err := lookup(q[0])
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, target)
	}
	before, err := parseBefore(c.QueryParam("before"))
	if err != nil {
		return err
	}
	blocks, err := s.chain.Blocks(c.Request().Context(), before, node.DefaultBlocksLimit)
	if err != nil {
		return err
	}
	v := views.BlocksView{Blocks: blocks, Paged: before > 0}
	if n := len(blocks); n == node.DefaultBlocksLimit && blocks[n-1].Height > 1 {
		v.Older = blocks[n-1].Height
	}
	return s.Render(c, http.StatusOK, "Blocks", views.Blocks(v))
}

// parseBefore reads the ?before= cursor of block pages: a height, or nothing
// for the newest page. Only plain decimal digits are accepted, so every
// cursor has one spelling.
func parseBefore(q string) (int64, error) {
	if q == "" {
		return 0, nil
	}
	if len(q) > 18 {
		return 0, errBadHeight
	}
	for i := 0; i < len(q); i++ {
		if q[i] < '0' || q[i] > '9' {
			return 0, errBadHeight
		}
	}
	h, err := strconv.ParseInt(q, 10, 64)
	if err != nil || h <= 0 {
		return 0, errBadHeight
	}
	return h, nil
}

// lookup reads the explorer's search box: a block height or a transaction
// hash, and returns the page to show.
func lookup(q string) (string, error) {
	q = strings.ToLower(strings.TrimSpace(q))
	if h, err := parseBefore(q); err == nil && h > 0 {
		return "/blocks/" + strconv.FormatInt(h, 10), nil
	}
	if hash, err := chain.ParseHash(q); err == nil {
		return txPath(hash), nil
	}
	return "", errBadLookup
}

func (s *Server) blockPage(c echo.Context) error {
	b, err := s.findBlock(c)
	if err != nil {
		return err
	}
	st, err := s.chain.Status()
	if err != nil {
		return err
	}
	v := views.BlockView{Block: *b, Latest: st.Height, Txs: make([]views.TxRow, 0, len(b.Txs))}
	for _, raw := range b.Txs {
		sum := s.summarize(raw)
		v.Txs = append(v.Txs, views.TxRow{
			Hash: sum.Hash, Module: sum.Module, Type: sum.Type, Signer: sum.Signer, Status: sum.Status, Code: sum.Code,
		})
	}
	return s.Render(c, http.StatusOK, "Block "+strconv.FormatInt(b.Height, 10), views.Block(v))
}

func (s *Server) txPage(c echo.Context) error {
	hash, res, err := s.findTx(c)
	if err != nil {
		return err
	}
	if res == nil {
		v := views.TxView{Hash: hash, Status: node.StatusPending}
		return s.Render(c, http.StatusOK, "Transaction", views.Tx(v))
	}
	tv := NewTxView(res)
	v := views.TxView{
		Hash: hash, Status: tv.Status, Height: tv.Height, Index: tv.Index, Module: tv.Module, Type: tv.Type,
		Signer: tv.Signer, Code: tv.Code, Codespace: tv.Codespace, Log: tv.Log, Events: tv.Events,
		Data:       showData(tv.Data),
		ReceiptURL: "/api/v1/txs/" + hash.String() + "/receipt",
	}
	// The result does not keep the message; the block does.
	if b, err := s.chain.Block(c.Request().Context(), res.Height); err == nil && int(res.Index) < len(b.Txs) {
		if t, err := tx.Decode(b.Txs[res.Index]); err == nil {
			v.ChainID, v.Nonce, v.ValidUntil = t.Body.ChainID, t.Body.Nonce, t.Body.ValidUntil
			v.Message = prettyJSON(t.Body.Msg)
		}
	}
	return s.Render(c, http.StatusOK, "Transaction", views.Tx(v))
}

// showData shows a result's data: indented when it is JSON (as modules'
// results are), as text when it is text, else as base64.
func showData(data []byte) string {
	if len(data) == 0 {
		return ""
	}
	if json.Valid(data) {
		return prettyJSON(data)
	}
	if utf8.Valid(data) {
		return string(data)
	}
	return base64.StdEncoding.EncodeToString(data)
}

func prettyJSON(raw []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}
