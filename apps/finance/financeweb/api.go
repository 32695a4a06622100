package financeweb

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/web"
)

// State is committed state and the time of the block that committed it:
// the "now" of everything that depends on dates (overdue, due soon, quotes).
// It is block time, never the server's clock. The chain's store is one.
type State interface {
	chain.Viewer
	LastTime() time.Time
}

// Handler serves the finance app.
type Handler struct {
	state State
	web   *web.Server
	blobs storage.BlobStore
}

// New returns the handler.
func New(state State, srv *web.Server) *Handler {
	return &Handler{state: state, web: srv, blobs: srv.Blobs()}
}

// maxJSONIssue bounds a JSON issue, which arrives on the upload group
// (multipart issues carry files) and so outside the API's body limit.
const maxJSONIssue = 64 << 10

// APIRoutes registers the JSON API (see doc.go). Every route needs a token
// or a session: receivables are the members' commercial data.
func (h *Handler) APIRoutes() {
	api, up, auth := h.web.API(), h.web.Uploads(), h.web.RequireAuth
	up.POST("/receivables", h.issue, auth)
	api.GET("/receivables/held", h.held, auth)
	api.GET("/receivables/issued", h.issued, auth)
	api.GET("/receivables/due", h.dueSoon, auth)
	api.GET("/receivables/overdue", h.overdue, auth)
	api.GET("/receivables/financing-requests", h.financingRequests, auth)
	api.GET("/receivables/:id", h.get, auth)
	api.GET("/receivables/:id/tree", h.tree, auth)
	api.GET("/receivables/:id/quote", h.quote, auth)
	api.GET("/receivables/:id/receipt", h.receipt, auth)
	api.POST("/receivables/:id/accept", h.accept, auth)
	api.POST("/receivables/:id/reject", h.reasoned(finance.TypeReject, web.BindJSON, rejectMsg), auth)
	api.POST("/receivables/:id/cancel", h.reasoned(finance.TypeCancel, web.BindJSON, cancelMsg), auth)
	api.POST("/receivables/:id/split", h.split, auth)
	api.POST("/receivables/:id/transfer", h.transfer, auth)
	api.POST("/receivables/:id/financing", h.requestFinancing, auth)
	api.POST("/receivables/:id/financing/approve", h.approve, auth)
	api.POST("/receivables/:id/financing/decline", h.reasoned(finance.TypeDeclineFinancing, web.BindJSON, declineMsg), auth)
	api.POST("/receivables/:id/financing/withdraw", h.reasoned(finance.TypeWithdrawFinancing, web.BindOptionalJSON, withdrawMsg), auth)
	api.POST("/receivables/:id/settle", h.settle, auth)
}

// IssueRequest is the JSON body of an issue. Amount is a string of major
// units ("100000.00"); the hashes name the invoice and contract files.
type IssueRequest struct {
	Supplier       string          `json:"supplier"`
	SupplierOrg    string          `json:"supplier_org"`
	Amount         json.RawMessage `json:"amount"`
	Currency       string          `json:"currency"`
	DueDate        string          `json:"due_date"`
	InvoiceSHA256  string          `json:"invoice_sha256"`
	ContractSHA256 string          `json:"contract_sha256"`
	Ref            string          `json:"ref"`
}

// issue takes JSON, or multipart with the invoice and contract files (parts
// "invoice" and "contract") and the other fields as parts of the same names
// as the JSON's.
func (h *Handler) issue(c echo.Context) error {
	var msg finance.Issue
	var err error
	if web.IsMultipart(c) {
		msg, err = h.multipartIssue(c, ParseAmount)
	} else {
		c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, maxJSONIssue)
		var req IssueRequest
		if err := web.BindJSON(c, &req); err != nil {
			return err
		}
		in := issueFields{
			Supplier: req.Supplier, SupplierOrg: req.SupplierOrg, Currency: req.Currency, DueDate: req.DueDate,
			InvoiceSHA256: req.InvoiceSHA256, ContractSHA256: req.ContractSHA256, Ref: req.Ref,
		}
		msg, err = in.msg(func(cur finance.Currency) (finance.Amount, error) { return DecodeAmount("amount", req.Amount, cur) }, nil)
	}
	if err != nil {
		return err
	}
	return h.submit(c, finance.TypeIssue, msg, http.StatusCreated)
}

// multipartIssue receives the files of an issue into the blob store, then
// builds the message from the other fields, reading the amount with read.
func (h *Handler) multipartIssue(c echo.Context, read func(field, s string, c finance.Currency) (finance.Amount, error)) (finance.Issue, error) {
	form, err := web.ReceiveFiles(c, h.blobs, issueFieldLimits, issueParts...)
	if err != nil {
		return finance.Issue{}, err
	}
	return fieldsOf(form.Fields).msg(func(cur finance.Currency) (finance.Amount, error) { return read("amount", form.Fields["amount"], cur) }, form.Files)
}

// submit signs msg as the caller and answers: status (200, or 201 for an
// issue) with the transaction, its receipt and the pieces it changed once
// committed; 202 with the hash and status URL while it is pending (it may
// still commit); or the coded error, with the transaction, when it failed
// in its block.
func (h *Handler) submit(c echo.Context, typ string, msg any, status int) error {
	id := web.Caller(c)
	if id == nil {
		return web.ErrUnauthorized
	}
	sub, err := h.web.Sign(c.Request().Context(), id, finance.ModuleName, typ, msg)
	if err != nil {
		return err
	}
	view := WriteView{TxHash: sub.Hash, Status: sub.Status, StatusURL: txStatusPath(sub.Hash)}
	if sub.Result == nil {
		return c.JSON(http.StatusAccepted, view)
	}
	view.Height = sub.Result.Height
	if !sub.Result.OK() {
		e := errs.FromResult(sub.Result.Code, sub.Result.Codespace, sub.Result.Log)
		return c.JSON(web.Status(e.Kind), struct {
			web.ErrorBody
			WriteView
		}{web.ErrorBody{Error: web.ErrorDetail{Code: e.Code, Message: e.Message}}, view})
	}
	var res finance.Result
	if err := canon.Unmarshal(sub.Result.Data, &res); err != nil {
		return err
	}
	view.ReceiptURL, view.Action, view.Pieces = receiptPath(sub.Hash), res.Action, pieceViews(res.Pieces, h.state.LastTime())
	return c.JSON(status, view)
}

func pathID(c echo.Context) (finance.ID, error) { return finance.ParseID(c.Param("id")) }

// piece reads one piece.
func (h *Handler) piece(id finance.ID) (finance.Receivable, error) {
	var p finance.Receivable
	err := h.state.View(func(r chain.Reader) error {
		l, err := finance.Get(r, id)
		p = l.Piece
		return err
	})
	return p, err
}

func (h *Handler) lineage(id finance.ID) (LineageView, error) {
	var l finance.Lineage
	if err := h.state.View(func(r chain.Reader) (err error) { l, err = finance.Get(r, id); return err }); err != nil {
		return LineageView{}, err
	}
	now := h.state.LastTime()
	return LineageView{Piece: pieceView(l.Piece, now), Ancestors: pieceViews(l.Ancestors, now), Children: pieceViews(l.Children, now)}, nil
}

func (h *Handler) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := h.lineage(id)
	if err != nil {
		return err
	}
	return web.JSON(c, v)
}

func (h *Handler) tree(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var all []finance.Receivable
	if err := h.state.View(func(r chain.Reader) (err error) { all, err = finance.Tree(r, id); return err }); err != nil {
		return err
	}
	return web.JSON(c, TreeView{Root: all[0].Root, Pieces: pieceViews(all, h.state.LastTime())})
}

// quote previews the financing of a piece: ?rate_bps= a year, on ?date=
// (default: the date of the last block; the approval's own block date is
// what counts).
func (h *Handler) quote(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := h.quoteOf(id, c.QueryParams())
	if err != nil {
		return err
	}
	return web.JSON(c, v)
}

func (h *Handler) quoteOf(id finance.ID, q map[string][]string) (QuoteView, error) {
	qq, err := ParseQuoteQuery(q, finance.DateOf(h.state.LastTime()))
	if err != nil {
		return QuoteView{}, err
	}
	p, err := h.piece(id)
	if err != nil {
		return QuoteView{}, err
	}
	if err := financeable(&p); err != nil {
		return QuoteView{}, err
	}
	quote, err := finance.QuoteFinancing(p.Amount, qq.RateBps, qq.On, p.DueDate)
	if err != nil {
		return QuoteView{}, err
	}
	return quoteView(p, qq, quote), nil
}

// financeable refuses a quote for a piece no bank can finance: the error is
// the one the chain gives for the piece's state.
func financeable(p *finance.Receivable) error {
	var e *errs.Error
	switch p.State {
	case finance.StateAccepted, finance.StateFinancingRequested:
		return nil
	case finance.StateIssued:
		e = finance.ErrNotAccepted
	case finance.StateRejected:
		e = finance.ErrRejected
	case finance.StateCancelled:
		e = finance.ErrCancelled
	case finance.StateSplit:
		e = finance.ErrClosed
	case finance.StateFinanced:
		e = finance.ErrFinanced
	default:
		e = finance.ErrSettled
	}
	return e.Wrapf("receivable %d", p.ID)
}

// receipt answers the receipt of a piece's last change, or with
// ?of=created of its creation.
func (h *Handler) receipt(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := h.piece(id)
	if err != nil {
		return err
	}
	switch c.QueryParam("of") {
	case "", "last":
		return h.web.WriteReceipt(c, p.Modified.TxHash, nil)
	case "created":
		return h.web.WriteReceipt(c, p.Created.TxHash, nil)
	}
	return finance.ErrInvalid.Withf("of must be created or last")
}

func (h *Handler) accept(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := web.BindOptionalJSON(c, &struct{}{}); err != nil {
		return err
	}
	return h.submit(c, finance.TypeAccept, finance.Accept{ID: id}, http.StatusOK)
}

// SplitRequest is the body of a split: the pieces' amounts in major units
// of the piece's currency, in order, summing exactly to it.
type SplitRequest struct {
	Amounts []json.RawMessage `json:"amounts"`
}

func (h *Handler) split(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body SplitRequest
	if err := web.BindJSON(c, &body); err != nil {
		return err
	}
	p, err := h.piece(id)
	if err != nil {
		return err
	}
	amounts, err := DecodeAmounts(body.Amounts, p.Currency)
	if err != nil {
		return err
	}
	return h.submit(c, finance.TypeSplit, finance.Split{ID: id, Amounts: amounts}, http.StatusOK)
}

func (h *Handler) transfer(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body struct {
		To    string `json:"to"`
		ToOrg string `json:"to_org"`
	}
	if err := web.BindJSON(c, &body); err != nil {
		return err
	}
	to, err := chain.ParseAddress(strings.TrimSpace(body.To))
	if err != nil {
		return finance.ErrInvalidParty.Withf("to: %v", err)
	}
	return h.submit(c, finance.TypeTransfer, finance.Transfer{ID: id, To: to, ToOrg: strings.TrimSpace(body.ToOrg)}, http.StatusOK)
}

func (h *Handler) requestFinancing(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body struct {
		Bank       string  `json:"bank"`
		MaxRateBps *uint32 `json:"max_rate_bps"`
	}
	if err := web.BindJSON(c, &body); err != nil {
		return err
	}
	bank, err := chain.ParseAddress(strings.TrimSpace(body.Bank))
	if err != nil {
		return finance.ErrInvalidParty.Withf("bank: %v", err)
	}
	return h.submit(c, finance.TypeRequestFinancing, finance.RequestFinancing{ID: id, Bank: bank, MaxRateBps: body.MaxRateBps}, http.StatusOK)
}

func (h *Handler) approve(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body struct {
		RateBps    *uint32 `json:"rate_bps"`
		PaymentRef string  `json:"payment_ref"`
	}
	if err := web.BindJSON(c, &body); err != nil {
		return err
	}
	if body.RateBps == nil {
		return finance.ErrInvalidRate.Withf("rate_bps is missing: the discount rate in basis points a year")
	}
	msg := finance.ApproveFinancing{ID: id, RateBps: *body.RateBps, PaymentRef: strings.TrimSpace(body.PaymentRef)}
	return h.submit(c, finance.TypeApproveFinancing, msg, http.StatusOK)
}

// reasonMsg makes the message of an action whose only field besides the
// piece is a reason.
type reasonMsg func(id finance.ID, reason string) any

var (
	rejectMsg   reasonMsg = func(id finance.ID, r string) any { return finance.Reject{ID: id, Reason: r} }
	cancelMsg   reasonMsg = func(id finance.ID, r string) any { return finance.Cancel{ID: id, Reason: r} }
	declineMsg  reasonMsg = func(id finance.ID, r string) any { return finance.DeclineFinancing{ID: id, Reason: r} }
	withdrawMsg reasonMsg = func(id finance.ID, r string) any { return finance.WithdrawFinancing{ID: id, Reason: r} }
)

// reasoned answers a route whose body is {"reason"}, read by bind (the body
// is optional with web.BindOptionalJSON), with the message msg makes of it.
func (h *Handler) reasoned(typ string, bind func(echo.Context, any) error, msg reasonMsg) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var body struct {
			Reason string `json:"reason"`
		}
		if err := bind(c, &body); err != nil {
			return err
		}
		return h.submit(c, typ, msg(id, strings.TrimSpace(body.Reason)), http.StatusOK)
	}
}

func (h *Handler) settle(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body struct {
		PaymentRef string `json:"payment_ref"`
	}
	if err := web.BindJSON(c, &body); err != nil {
		return err
	}
	return h.submit(c, finance.TypeSettle, finance.Settle{ID: id, PaymentRef: strings.TrimSpace(body.PaymentRef)}, http.StatusOK)
}

// Listings: of the caller's organisation, a page at a time.

func (h *Handler) held(c echo.Context) error {
	return h.list(c, func(r chain.Reader, org string, q ListQuery) (finance.Page, error) {
		return finance.ListByHolder(r, finance.HolderFilter{Org: org, State: q.State}, q.After, q.Limit)
	})
}

func (h *Handler) issued(c echo.Context) error {
	return h.list(c, func(r chain.Reader, org string, q ListQuery) (finance.Page, error) {
		return finance.ListIssuedBy(r, org, q.After, q.Limit)
	})
}

func (h *Handler) dueSoon(c echo.Context) error {
	return h.list(c, func(r chain.Reader, org string, q ListQuery) (finance.Page, error) {
		return finance.DueSoon(r, org, h.state.LastTime(), q.Days, q.After, q.Limit)
	})
}

func (h *Handler) overdue(c echo.Context) error {
	return h.list(c, func(r chain.Reader, org string, q ListQuery) (finance.Page, error) {
		if q.Owed {
			return finance.OverdueOwed(r, org, h.state.LastTime(), q.After, q.Limit)
		}
		return finance.Overdue(r, org, h.state.LastTime(), q.After, q.Limit)
	})
}

func (h *Handler) financingRequests(c echo.Context) error {
	return h.list(c, func(r chain.Reader, org string, q ListQuery) (finance.Page, error) {
		return finance.FinancingRequests(r, org, q.After, q.Limit)
	})
}

type listFunc func(r chain.Reader, org string, q ListQuery) (finance.Page, error)

func (h *Handler) list(c echo.Context, fn listFunc) error {
	q, err := ParseListQuery(c.QueryParams())
	if err != nil {
		return err
	}
	var page finance.Page
	org := web.Caller(c).User.Org
	if err := h.state.View(func(r chain.Reader) (err error) { page, err = fn(r, org, q); return err }); err != nil {
		return err
	}
	return web.JSON(c, PageView{Items: pieceViews(page.Items, h.state.LastTime()), Next: page.Next})
}
