// Package copyrightweb serves the copyright registry over HTTP: the JSON API
// under /api/v1/works, the public pages (search, a work, its certificate)
// and the registrants' pages (register, my works, licenses, transfers,
// disputes).
package copyrightweb

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/apps/copyright"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/shared/check"
	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/web"
)

// State is committed state with the time of its block. A chain.Reader has
// no time, and license statuses depend on it: they are judged at the last
// committed block's time, never the local clock. The node's store is one.
type State interface {
	chain.Viewer
	LastTime() time.Time
}

// Handler serves the copyright app.
type Handler struct {
	state State
	web   *web.Server
	blobs storage.BlobStore
}

// New returns the handler.
func New(state State, srv *web.Server) *Handler {
	return &Handler{state: state, web: srv, blobs: srv.Blobs()}
}

// APIRoutes registers the JSON API. Reads are public: a registry exists to
// be looked up. Writes sign as the caller; the chain checks roles and
// holdings again.
func (h *Handler) APIRoutes() {
	api, up, auth := h.web.API(), h.web.Uploads(), h.web.RequireAuth
	up.POST("/works", h.register, auth)
	api.GET("/works", h.search)
	api.GET("/works/by-hash/:sha256", h.byHash)
	api.GET("/works/:id", h.get)
	api.GET("/works/:id/licenses", workList(h, func(r chain.Reader, work, after copyright.ID, limit int, at time.Time) (copyright.LicensePage, error) {
		return copyright.ListLicenses(r, work, after, limit, at)
	}))
	api.GET("/works/:id/disputes", workList(h, func(r chain.Reader, work, after copyright.ID, limit int, _ time.Time) (copyright.DisputePage, error) {
		return copyright.ListWorkDisputes(r, work, after, limit)
	}))
	api.GET("/works/:id/history", workList(h, func(r chain.Reader, work, after copyright.ID, limit int, _ time.Time) (copyright.HistoryPage, error) {
		return copyright.ListHistory(r, work, after, limit)
	}))
	api.POST("/works/:id/transfer", h.proposeTransfer, auth)
	api.POST("/works/:id/transfer/:n/approve", h.approveTransfer, auth)
	api.POST("/works/:id/transfer/:n/reject", h.rejectTransfer, auth)
	api.POST("/works/:id/licenses", h.grantLicense, auth)
	api.POST("/works/:id/licenses/:license/revoke", h.revokeLicense, auth)
	api.POST("/works/:id/disputes", h.openDispute, auth)
	api.POST("/works/:id/disputes/:dispute/resolve", h.resolveDispute, auth)
}

// Paths of a work's pages and receipt.
func workPath(id copyright.ID) string        { return "/works/" + id.String() }
func certificatePath(id copyright.ID) string { return workPath(id) + "/certificate" }
func receiptPath(tx chain.Hash) string       { return "/api/v1/txs/" + tx.String() + "/receipt" }

// WorkRef is a work as answers refer to it: the record, the name of the
// registrant's organisation, its public page and the receipt of its
// registration.
type WorkRef struct {
	copyright.Work
	OrgName    string `json:"org_name"`
	URL        string `json:"url"`
	ReceiptURL string `json:"receipt_url"`
}

func (h *Handler) refOf(w copyright.Work) WorkRef {
	ref := WorkRef{Work: w, OrgName: w.Org, URL: workPath(w.ID), ReceiptURL: receiptPath(w.TxHash)}
	_ = h.state.View(func(r chain.Reader) error { ref.OrgName = newDirectory(r).orgName(w.Org); return nil })
	return ref
}

// RegisteredView answers a registration: 201 once committed, 202 while
// pending (poll status_url; the registration may still commit).
type RegisteredView struct {
	ID         copyright.ID `json:"id,omitempty"`
	SHA256     chain.Hash   `json:"sha256"`
	TxHash     chain.Hash   `json:"tx_hash"`
	Status     string       `json:"status"`
	Height     int64        `json:"height,omitempty"`
	Time       time.Time    `json:"time,omitzero"` // block time: the priority proof
	Stored     bool         `json:"stored"`
	StatusURL  string       `json:"status_url"`
	ReceiptURL string       `json:"receipt_url"`
	URL        string       `json:"url,omitempty"`
}

// DuplicateView answers a second registration of a content hash: 409 with
// the original registration, whose block time is the priority proof.
type DuplicateView struct {
	web.ErrorBody
	Original *WorkRef `json:"original,omitempty"`
}

// register takes multipart (a "file" part plus form fields, streamed into
// the blob store before the registration is signed; ?sha256= makes the store
// refuse content that arrived changed) or JSON with the sha256 alone.
func (h *Handler) register(c echo.Context) error {
	msg, err := h.registerMsg(c)
	if err != nil {
		return err
	}
	out, err := h.submitRegister(c.Request().Context(), web.Caller(c), msg)
	switch {
	case out.original != nil:
		e := errs.As(err)
		ref := h.refOf(*out.original)
		return c.JSON(http.StatusConflict, DuplicateView{ErrorBody: errorBody(e), Original: &ref})
	case err != nil:
		return err
	}
	view := RegisteredView{
		SHA256: msg.SHA256, TxHash: out.sub.Hash, Status: out.sub.Status, Stored: msg.Stored,
		StatusURL: "/api/v1/txs/" + out.sub.Hash.String(), ReceiptURL: receiptPath(out.sub.Hash),
	}
	if out.sub.Result == nil {
		return c.JSON(http.StatusAccepted, view)
	}
	view.ID, view.Height, view.Time, view.URL = out.res.ID, out.sub.Result.Height, out.res.Time, workPath(out.res.ID)
	return c.JSON(http.StatusCreated, view)
}

func errorBody(e *errs.Error) web.ErrorBody {
	return web.ErrorBody{Error: web.ErrorDetail{Code: e.Code, Message: e.Message}}
}

func (h *Handler) registerMsg(c echo.Context) (copyright.Register, error) {
	if web.IsMultipart(c) {
		var expect chain.Hash
		if q := c.QueryParam("sha256"); q != "" {
			sum, err := chain.ParseHash(q)
			if err != nil {
				return copyright.Register{}, copyright.ErrInvalidHash.Withf("?sha256=%q: must be 64 hex characters", q)
			}
			expect = sum
		}
		up, err := web.ReceiveFile(c, h.blobs, "file", expect)
		if err != nil {
			return copyright.Register{}, err
		}
		return uploaded(up)
	}
	var req RegisterRequest
	if err := web.BindJSON(c, &req); err != nil {
		return copyright.Register{}, err
	}
	return req.msg()
}

// uploaded is the registration of a file received into the blob store,
// titled by its file name unless the form gave a title.
func uploaded(up web.Upload) (copyright.Register, error) {
	m, err := registerFields(func(k string) string { return up.Fields[k] })
	m.SHA256, m.Stored = up.Blob.SHA256, true
	if m.Title == "" {
		m.Title = check.Shorten(check.Tidy(up.FileName), copyright.MaxTitle)
	}
	return m, err
}

// registered is the outcome of a registration: the submission and, once
// committed, its result; or, refused as a duplicate, the original.
type registered struct {
	sub      node.Submission
	res      copyright.RegisterResult
	original *copyright.Work
}

// submitRegister fills in the default holder, checks the message and signs
// it as id. A refusal as a duplicate — by the mempool check or in the block,
// when two registrations race — comes back with the original.
func (h *Handler) submitRegister(ctx context.Context, id *web.Identity, msg copyright.Register) (registered, error) {
	if len(msg.Holders) == 0 {
		msg.Holders = []copyright.Holder{{Account: id.User.Address, Name: h.orgName(id.User.Address), Shares: copyright.TotalShares}}
	}
	if err := msg.ValidateBasic(); err != nil {
		return registered{}, err
	}
	var out registered
	var err error
	out.sub, err = h.web.Sign(ctx, id, copyright.ModuleName, copyright.TypeRegister, msg)
	if err == nil && out.sub.Result != nil && !out.sub.Result.OK() {
		err = errs.FromResult(out.sub.Result.Code, out.sub.Result.Codespace, out.sub.Result.Log)
	}
	if errors.Is(err, copyright.ErrDuplicate) {
		if w, lookupErr := h.byHashWork(msg.SHA256); lookupErr == nil {
			out.original = &w
		}
		return out, err
	}
	if err != nil || out.sub.Result == nil {
		return out, err
	}
	return out, canon.Unmarshal(out.sub.Result.Data, &out.res)
}

// orgName names the organisation of an account, to name a holder after:
// the name it is shown and found by.
func (h *Handler) orgName(addr chain.Address) string {
	var name string
	_ = h.state.View(func(r chain.Reader) error {
		acc, err := members.GetAccount(r, addr)
		if err != nil {
			return err
		}
		org, err := members.GetOrg(r, acc.Org)
		name = org.Name
		return err
	})
	return name
}

func (h *Handler) byHashWork(sum chain.Hash) (copyright.Work, error) {
	var w copyright.Work
	err := h.state.View(func(r chain.Reader) (err error) { w, err = copyright.ByHash(r, sum); return err })
	return w, err
}

// byHash is the work registered with a content hash: the original.
func (h *Handler) byHash(c echo.Context) error {
	sum, err := chain.ParseHash(c.Param("sha256"))
	if err != nil {
		return copyright.ErrInvalidHash
	}
	w, err := h.byHashWork(sum)
	if err != nil {
		return err
	}
	return web.JSON(c, h.refOf(w))
}

// search is the public search: ?q= words of titles, authors' and holders'
// names or addresses, or a SHA-256; or ?holder= an address. Pages continue
// with ?after= the previous page's next.
func (h *Handler) search(c echo.Context) error {
	q, err := parseSearch(c.QueryParams())
	if err != nil {
		return err
	}
	if q.empty() {
		return copyright.ErrBadQuery.Withf("give q (words or a SHA-256) or holder (an account address)")
	}
	page, err := h.find(q)
	if err != nil {
		return err
	}
	return web.JSON(c, page)
}

// find runs a search that asks something.
func (h *Handler) find(q searchQuery) (copyright.Page, error) {
	var page copyright.Page
	err := h.state.View(func(r chain.Reader) (err error) {
		if !q.Holder.IsZero() {
			page, err = copyright.ListByHolder(r, q.Holder, q.After, q.Limit)
		} else {
			page, err = copyright.Search(r, q.Q, q.After, q.Limit)
		}
		return err
	})
	return page, err
}

// WorkDetail is a work with its licenses (their status judged at At, the
// last block's time), disputes and history.
type WorkDetail struct {
	copyright.WorkView
	At             time.Time `json:"at"`
	URL            string    `json:"url"`
	CertificateURL string    `json:"certificate_url"`
	ReceiptURL     string    `json:"receipt_url"`
}

// detail reads work id with its lists from the pages after (zero cursors:
// the first pages), all from one state.
func (h *Handler) detail(id copyright.ID, after WorkCursors) (WorkDetail, error) {
	// The time is read before the state: a block committed in between
	// leaves statuses judged one block early, never at a time the state
	// shown has not reached.
	d := WorkDetail{At: h.state.LastTime()}
	err := h.state.View(func(r chain.Reader) (err error) {
		if d.WorkView, err = copyright.Get(r, id, d.At); err != nil {
			return err
		}
		return laterPages(r, &d, after)
	})
	d.URL, d.CertificateURL, d.ReceiptURL = workPath(id), certificatePath(id), receiptPath(d.TxHash)
	return d, err
}

func (h *Handler) get(c echo.Context) error {
	id, err := copyright.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	d, err := h.detail(id, WorkCursors{})
	if err != nil {
		return err
	}
	return web.JSON(c, d)
}

// workList serves one of a work's lists a page at a time, oldest first:
// ?after= the previous page's next, ?limit= 1 to copyright.MaxPage. at is
// the last block's time, read before the state as in detail.
func workList[P any](h *Handler, list func(r chain.Reader, work, after copyright.ID, limit int, at time.Time) (P, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := copyright.ParseID(c.Param("id"))
		if err != nil {
			return err
		}
		after, limit, err := parsePage(c.QueryParams(), "after")
		if err != nil {
			return err
		}
		at := h.state.LastTime()
		var page P
		err = h.state.View(func(r chain.Reader) (err error) {
			page, err = list(r, id, after, limit, at)
			return err
		})
		if err != nil {
			return err
		}
		return web.JSON(c, page)
	}
}

// TransferRequest proposes new holders of a work.
type TransferRequest struct {
	Holders []HolderRequest `json:"holders"`
	Note    string          `json:"note"`
}

func (h *Handler) proposeTransfer(c echo.Context) error {
	id, err := copyright.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	var req TransferRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	holders, err := holdersOf(req.Holders)
	if err != nil {
		return err
	}
	return h.web.SubmitAs(c, copyright.ModuleName, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: id, Holders: holders, Note: req.Note})
}

// transferParams reads a work and a transfer number from the path.
func transferParams(c echo.Context) (copyright.ID, uint64, error) {
	id, err := copyright.ParseID(c.Param("id"))
	if err != nil {
		return 0, 0, err
	}
	n, err := copyright.ParseID(c.Param("n"))
	return id, uint64(n), err
}

func (h *Handler) approveTransfer(c echo.Context) error {
	id, n, err := transferParams(c)
	if err != nil {
		return err
	}
	return h.web.SubmitAs(c, copyright.ModuleName, copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: id, Transfer: n})
}

// ReasonRequest gives a reason; the body may be left out where the reason
// is optional.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

func (h *Handler) rejectTransfer(c echo.Context) error {
	id, n, err := transferParams(c)
	if err != nil {
		return err
	}
	var req ReasonRequest
	if err := web.BindOptionalJSON(c, &req); err != nil {
		return err
	}
	return h.web.SubmitAs(c, copyright.ModuleName, copyright.TypeRejectTransfer, copyright.RejectTransfer{Work: id, Transfer: n, Reason: req.Reason})
}

// LicenseRequest grants a license: to an account (licensee) or a whole
// organisation (licensee_org), for a scope and territory ("worldwide" or an
// ISO 3166-1 alpha-2 code), from start up to, not including, end.
type LicenseRequest struct {
	Licensee    string `json:"licensee"`
	LicenseeOrg string `json:"licensee_org"`
	Scope       string `json:"scope"`
	Territory   string `json:"territory"`
	Start       string `json:"start"`
	End         string `json:"end"`
	Exclusive   bool   `json:"exclusive"`
	Terms       string `json:"terms"`
}

func (req LicenseRequest) grant() (copyright.Grant, error) {
	g := copyright.Grant{
		LicenseeOrg: strings.TrimSpace(req.LicenseeOrg), Scope: strings.TrimSpace(req.Scope),
		Territory: strings.TrimSpace(req.Territory), Start: copyright.Date(strings.TrimSpace(req.Start)),
		End: copyright.Date(strings.TrimSpace(req.End)), Exclusive: req.Exclusive, Terms: req.Terms,
	}
	if a := strings.TrimSpace(req.Licensee); a != "" {
		addr, err := chain.ParseAddress(a)
		if err != nil {
			return g, copyright.ErrInvalid.Withf("licensee: %v", err)
		}
		g.Licensee = addr
	}
	return g, nil
}

// ConflictView answers a license that overlaps one already granted: 409
// naming the license in the way.
type ConflictView struct {
	web.ErrorBody
	Conflicting *copyright.LicenseView `json:"conflicting,omitempty"`
}

func (h *Handler) grantLicense(c echo.Context) error {
	id, err := copyright.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	var req LicenseRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	g, err := req.grant()
	if err != nil {
		return err
	}
	msg := copyright.GrantLicense{Work: id, Grant: g}
	sub, err := h.web.Sign(c.Request().Context(), web.Caller(c), copyright.ModuleName, copyright.TypeGrantLicense, msg)
	if err == nil && sub.Result != nil && !sub.Result.OK() {
		err = errs.FromResult(sub.Result.Code, sub.Result.Codespace, sub.Result.Log)
	}
	if errors.Is(err, copyright.ErrLicenseConflict) {
		return c.JSON(http.StatusConflict, ConflictView{ErrorBody: errorBody(errs.As(err)), Conflicting: h.conflicting(msg)})
	}
	if err != nil {
		return err
	}
	return web.RespondSubmission(c, sub)
}

// conflicting is the license a grant overlaps, or nil.
func (h *Handler) conflicting(m copyright.GrantLicense) *copyright.LicenseView {
	var l copyright.LicenseView
	var found bool
	at := h.state.LastTime()
	_ = h.state.View(func(r chain.Reader) (err error) {
		l, found, err = copyright.Conflict(r, m.Work, m.Grant, at)
		return err
	})
	if !found {
		return nil
	}
	return &l
}

func (h *Handler) revokeLicense(c echo.Context) error {
	id, err := copyright.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	lid, err := copyright.ParseID(c.Param("license"))
	if err != nil {
		return err
	}
	if err := h.licenseOf(id, lid); err != nil {
		return err
	}
	var req ReasonRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	return h.web.SubmitAs(c, copyright.ModuleName, copyright.TypeRevokeLicense, copyright.RevokeLicense{License: lid, Reason: strings.TrimSpace(req.Reason)})
}

// licenseOf checks that license lid is one of work id's, so a path never
// names one work and acts on another.
func (h *Handler) licenseOf(id, lid copyright.ID) error {
	return h.state.View(func(r chain.Reader) error {
		l, err := copyright.GetLicense(r, lid, time.Time{})
		if err == nil && l.Work != id {
			err = copyright.ErrLicenseNotFound.Withf("work %d has no license %d", id, lid)
		}
		return err
	})
}

// DisputeRequest contests a work's registration, citing an evidence deposit.
type DisputeRequest struct {
	Evidence uint64 `json:"evidence"`
	Claim    string `json:"claim"`
}

func (h *Handler) openDispute(c echo.Context) error {
	id, err := copyright.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	var req DisputeRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	return h.web.SubmitAs(c, copyright.ModuleName, copyright.TypeOpenDispute, copyright.OpenDispute{Work: id, Evidence: req.Evidence, Claim: req.Claim})
}

// ResolveRequest decides a dispute: outcome "upheld" or "dismissed".
type ResolveRequest struct {
	Outcome   string `json:"outcome"`
	Reasoning string `json:"reasoning"`
}

func (h *Handler) resolveDispute(c echo.Context) error {
	id, err := copyright.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	did, err := copyright.ParseID(c.Param("dispute"))
	if err != nil {
		return err
	}
	if err := h.disputeOf(id, did); err != nil {
		return err
	}
	var req ResolveRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	return h.web.SubmitAs(c, copyright.ModuleName, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: did, Outcome: req.Outcome, Reasoning: req.Reasoning})
}

// disputeOf checks that dispute did is one of work id's.
func (h *Handler) disputeOf(id, did copyright.ID) error {
	return h.state.View(func(r chain.Reader) error {
		d, err := copyright.GetDispute(r, did)
		if err == nil && d.Work != id {
			err = copyright.ErrDisputeNotFound.Withf("work %d has no dispute %d", id, did)
		}
		return err
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
