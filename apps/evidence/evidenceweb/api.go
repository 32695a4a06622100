// Package evidenceweb serves the justice evidence app over HTTP: the JSON API
// under /api/v1/evidence and /api/v1/verify, and the app's pages.
package evidenceweb

import (
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/shared/check"
	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/web"
)

// Handler serves the evidence app.
type Handler struct {
	state  chain.Viewer
	web    *web.Server
	keeper evidence.Keeper
	blobs  storage.BlobStore
	proofs proofCache
}

// New returns the handler.
func New(state chain.Viewer, srv *web.Server, k evidence.Keeper) *Handler {
	return &Handler{state: state, web: srv, keeper: k, blobs: srv.Blobs()}
}

// APIRoutes registers the JSON API.
func (h *Handler) APIRoutes() {
	api, up := h.web.API(), h.web.Uploads()
	up.POST("/evidence", h.deposit, h.web.RequireAuth)
	up.POST("/verify", h.verify, h.web.RequireAuth)
	api.GET("/evidence", h.list, h.web.RequireAuth)
	api.GET("/evidence/:id", h.get)
	api.GET("/evidence/:id/file", h.download, h.web.RequireAuthToSign)
	api.GET("/evidence/:id/custody", h.custodyLog)
	api.POST("/evidence/:id/attest", h.attest, h.web.RequireAuth)
	api.POST("/evidence/:id/custody", h.custody, h.web.RequireAuth)
	api.POST("/evidence/:id/withdraw", h.withdraw, h.web.RequireAuth)
	api.POST("/evidence/:id/share", h.share, h.web.RequireAuth)
	up.POST("/evidence/batches", h.anchorBatch, h.web.RequireAuth)
	api.GET("/evidence/batches/:id", h.getBatch)
	api.GET("/evidence/batches/:id/proofs/:sha256", h.batchProof)
	api.GET("/evidence/batches/:id/proofs/:sha256/receipt", h.batchReceipt)
}

var errBadHash = evidence.ErrInvalidHash

// DepositRequest is the JSON body of a hash-only deposit.
type DepositRequest struct {
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	MediaType   string `json:"media_type"`
	FileName    string `json:"file_name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	CaseRef     string `json:"case_ref"`
}

// DepositView answers a deposit.
type DepositView struct {
	ID        evidence.ID `json:"id,omitempty"`
	SHA256    chain.Hash  `json:"sha256"`
	TxHash    chain.Hash  `json:"tx_hash"`
	Status    string      `json:"status"`
	Height    int64       `json:"height,omitempty"`
	StatusURL string      `json:"status_url"`
	Stored    bool        `json:"stored"`
}

// deposit takes multipart (a "file" part plus metadata fields, streamed into
// the blob store before the deposit is signed) or JSON for a hash-only
// deposit.
func (h *Handler) deposit(c echo.Context) error {
	msg, err := h.depositMsg(c)
	if err != nil {
		return err
	}
	sub, err := h.web.Sign(c.Request().Context(), web.Caller(c), evidence.ModuleName, evidence.TypeDeposit, msg)
	if errors.Is(err, evidence.ErrDuplicate) {
		return h.duplicate(c, err, msg.SHA256)
	}
	if err != nil {
		return err
	}
	view := DepositView{SHA256: msg.SHA256, TxHash: sub.Hash, Status: sub.Status, StatusURL: "/api/v1/txs/" + sub.Hash.String(), Stored: msg.Stored}
	if sub.Result == nil {
		return c.JSON(http.StatusAccepted, view) // pending: it may still commit
	}
	if !sub.Result.OK() {
		e := errs.FromResult(sub.Result.Code, sub.Result.Codespace, sub.Result.Log)
		if errors.Is(e, evidence.ErrDuplicate) {
			return h.duplicate(c, e, msg.SHA256)
		}
		return e
	}
	var res evidence.DepositResult
	if err := canon.Unmarshal(sub.Result.Data, &res); err != nil {
		return err
	}
	view.ID, view.Height = res.ID, sub.Result.Height
	return c.JSON(http.StatusCreated, view)
}

func (h *Handler) depositMsg(c echo.Context) (evidence.Deposit, error) {
	if web.IsMultipart(c) {
		expect, err := expectedHash(c)
		if err != nil {
			return evidence.Deposit{}, err
		}
		up, err := web.ReceiveFile(c, h.blobs, "file", expect)
		if err != nil {
			return evidence.Deposit{}, err
		}
		msg := uploadedDeposit(up)
		return msg, msg.ValidateBasic()
	}
	var req DepositRequest
	if err := web.BindJSON(c, &req); err != nil {
		return evidence.Deposit{}, err
	}
	sum, err := chain.ParseHash(req.SHA256)
	if err != nil {
		return evidence.Deposit{}, errBadHash.Withf("sha256 %q: must be 64 hex characters", req.SHA256)
	}
	msg := evidence.Deposit{
		SHA256: sum, Size: req.Size, MediaType: req.MediaType, FileName: check.Tidy(req.FileName),
		Title: req.Title, Description: req.Description, CaseRef: req.CaseRef,
	}
	if msg.Title == "" { // titled by its file name, as an upload is
		msg.Title = check.Shorten(msg.FileName, evidence.MaxTitle)
	}
	return msg, msg.ValidateBasic()
}

// uploadedDeposit is the deposit of a file received into the blob store,
// titled by its file name unless the form gave a title.
func uploadedDeposit(up web.Upload) evidence.Deposit {
	f := up.Fields
	fileName := check.Tidy(up.FileName) // a name the file system allowed
	title := strings.TrimSpace(f["title"])
	if title == "" {
		title = check.Shorten(fileName, evidence.MaxTitle)
	}
	return evidence.Deposit{
		SHA256: up.Blob.SHA256, Size: up.Blob.Size, MediaType: up.MediaType, FileName: fileName,
		Title: title, Description: f["description"], CaseRef: strings.TrimSpace(f["case_ref"]), Stored: true,
	}
}

// expectedHash is the ?sha256= a browser sends after hashing the file itself,
// so the store refuses content that arrived changed; zero when absent. One
// that is not a SHA-256 is refused: the check asked for must not be skipped.
func expectedHash(c echo.Context) (chain.Hash, error) {
	s := c.QueryParam("sha256")
	if s == "" {
		return chain.Hash{}, nil
	}
	h, err := chain.ParseHash(s)
	if err != nil {
		return chain.Hash{}, errBadHash.Withf("sha256 must be 64 hex characters, got %q", s)
	}
	return h, nil
}

// maxSearch is the longest search of a list, in characters.
const maxSearch = 200

// searchText checks the words a list of deposits is searched for.
func searchText(q string) (string, error) {
	q = strings.TrimSpace(q)
	if !utf8.ValidString(q) || utf8.RuneCountInString(q) > maxSearch {
		return "", evidence.ErrInvalid.Withf("search is limited to %d characters of UTF-8", maxSearch)
	}
	return q, nil
}

// DuplicateView answers a second deposit of the same hash by the same
// organisation: 409 with the record that already exists.
type DuplicateView struct {
	web.ErrorBody
	Existing *evidence.Evidence `json:"existing,omitempty"`
}

func (h *Handler) duplicate(c echo.Context, err error, sum chain.Hash) error {
	e := errs.As(err)
	existing := h.existingDeposit(web.Caller(c).User.Org, sum)
	return c.JSON(http.StatusConflict, DuplicateView{ErrorBody: web.ErrorBody{Error: web.ErrorDetail{Code: e.Code, Message: e.Message}}, Existing: existing})
}

// existingDeposit is org's deposit of sum, or nil.
func (h *Handler) existingDeposit(org string, sum chain.Hash) *evidence.Evidence {
	var existing *evidence.Evidence
	_ = h.state.View(func(r chain.Reader) error {
		all, err := evidence.ByHash(r, sum)
		for i := range all {
			if all[i].Org == org {
				existing = &all[i]
			}
		}
		return err
	})
	return existing
}

// RecordView is a deposit with everything recorded about it.
type RecordView struct {
	evidence.Evidence
	AttestationList []evidence.Attestation  `json:"attestation_list"`
	CustodyLog      []evidence.CustodyEntry `json:"custody_log"`
	// CustodyNext, when the log goes on past CustodyLog, is the after of
	// GET /api/v1/evidence/{id}/custody for the rest.
	CustodyNext uint64 `json:"custody_next,omitempty"`
	ReceiptURL  string `json:"receipt_url"`
}

// record reads deposit id with its custody log from the entry after
// custodyAfter (0: the first).
func (h *Handler) record(id evidence.ID, custodyAfter uint64) (RecordView, error) {
	var v RecordView
	err := h.state.View(func(r chain.Reader) (err error) {
		if v.Evidence, err = evidence.Get(r, id); err != nil {
			return err
		}
		if v.AttestationList, err = evidence.Attestations(r, id); err != nil {
			return err
		}
		page, err := evidence.CustodyLog(r, id, custodyAfter, 0)
		v.CustodyLog, v.CustodyNext = page.Items, page.Next
		return err
	})
	v.ReceiptURL = "/api/v1/txs/" + v.TxHash.String() + "/receipt"
	return v, err
}

func (h *Handler) get(c echo.Context) error {
	id, err := evidence.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	v, err := h.record(id, 0)
	if err != nil {
		return err
	}
	return web.JSON(c, v)
}

// custodyLog is GET /api/v1/evidence/{id}/custody?after=&limit=: the
// custody log a page at a time, oldest first.
func (h *Handler) custodyLog(c echo.Context) error {
	id, err := evidence.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	after, err := uintParam(c, "after", 0, math.MaxUint64)
	if err != nil {
		return err
	}
	limit, err := uintParam(c, "limit", 1, evidence.MaxLogPage)
	if err != nil {
		return err
	}
	var page evidence.CustodyPage
	err = h.state.View(func(r chain.Reader) (err error) {
		if _, err = evidence.Get(r, id); err != nil {
			return err
		}
		page, err = evidence.CustodyLog(r, id, after, int(limit))
		return err
	})
	if err != nil {
		return err
	}
	return web.JSON(c, page)
}

// uintParam reads the query parameter name as a whole number from min to
// max; 0 when absent.
func uintParam(c echo.Context, name string, min, max uint64) (uint64, error) {
	q := c.QueryParam(name)
	if q == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(q, 10, 64)
	if err != nil || n < min || n > max {
		return 0, evidence.ErrInvalid.Withf("%s must be a whole number from %d to %d", name, min, max)
	}
	return n, nil
}

// list is the caller's organisation's deposits, newest first, with ?q=
// search and ?after= paging.
func (h *Handler) list(c echo.Context) error {
	var after evidence.ID
	if q := c.QueryParam("after"); q != "" {
		id, err := evidence.ParseID(q)
		if err != nil {
			return err
		}
		after = id
	}
	var limit int
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > evidence.MaxPage {
			return evidence.ErrInvalid.Withf("limit must be a whole number from 1 to %d", evidence.MaxPage)
		}
		limit = n
	}
	q, err := searchText(c.QueryParam("q"))
	if err != nil {
		return err
	}
	var page evidence.Page
	err = h.state.View(func(r chain.Reader) (err error) {
		page, err = evidence.ListOrg(r, web.Caller(c).User.Org, after, limit, q)
		return err
	})
	if err != nil {
		return err
	}
	return web.JSON(c, page)
}

func (h *Handler) attest(c echo.Context) error {
	id, err := evidence.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	var body struct {
		Statement string `json:"statement"`
	}
	if err := web.BindJSON(c, &body); err != nil {
		return err
	}
	return h.web.SubmitAs(c, evidence.ModuleName, evidence.TypeAttest, evidence.Attest{ID: id, Statement: body.Statement})
}

func (h *Handler) custody(c echo.Context) error {
	id, err := evidence.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	var body struct {
		Action string `json:"action"`
		Note   string `json:"note"`
	}
	if err := web.BindJSON(c, &body); err != nil {
		return err
	}
	return h.web.SubmitAs(c, evidence.ModuleName, evidence.TypeCustody, evidence.Custody{ID: id, Action: body.Action, Note: body.Note})
}

func (h *Handler) withdraw(c echo.Context) error {
	id, err := evidence.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := web.BindJSON(c, &body); err != nil {
		return err
	}
	return h.web.SubmitAs(c, evidence.ModuleName, evidence.TypeWithdraw, evidence.Withdraw{ID: id, Reason: body.Reason})
}

// ShareRequest opens a deposit's file to another organisation.
type ShareRequest struct {
	Org  string `json:"org"`
	Note string `json:"note"`
}

func (h *Handler) share(c echo.Context) error {
	id, err := evidence.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	var req ShareRequest
	if err := web.BindJSON(c, &req); err != nil {
		return err
	}
	return h.web.SubmitAs(c, evidence.ModuleName, evidence.TypeShare, evidence.Share{ID: id, Org: req.Org, Note: req.Note})
}

// download serves the file to someone allowed to open it, after the access
// is committed to the custody log: no download goes unrecorded.
func (h *Handler) download(c echo.Context) error {
	id, err := evidence.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	caller := web.Caller(c)
	var ev evidence.Evidence
	err = h.state.View(func(r chain.Reader) (err error) {
		ev, err = h.keeper.MayAccess(r, id, caller.User.Address)
		return err
	})
	if err != nil {
		return err
	}
	if !ev.Stored {
		return evidence.ErrNotStored
	}
	// Check the blob is there before logging an access to it.
	ctx := c.Request().Context()
	if _, err := h.blobs.Stat(ctx, ev.SHA256); err != nil {
		return err
	}
	// Stored says what the depositor claimed. The blob store is shared by
	// every app and hashes are public: the file opens only if the
	// depositing organisation uploaded it. (Who may open it is the
	// keeper's first-deposit rule, above.)
	uploaded, err := storage.UploadedBy(ctx, h.blobs, ev.Org, ev.SHA256)
	if err != nil {
		return err
	}
	if !uploaded {
		return evidence.ErrNotStored.Withf("organisation %q, which deposited evidence %d, never uploaded its file: only the hash is on record", ev.Org, ev.ID)
	}
	sub, err := h.web.Sign(c.Request().Context(), caller, evidence.ModuleName, evidence.TypeAccess,
		evidence.Access{ID: id, Purpose: strings.TrimSpace(c.FormValue("purpose"))}) // ?purpose=, or the page's form field
	if err != nil {
		return err
	}
	if r := sub.Result; r != nil && !r.OK() {
		// Refused in its block (the chain's view changed since the checks
		// above): its reason, not "pending".
		return errs.FromResult(r.Code, r.Codespace, r.Log)
	}
	if sub.Status != node.StatusCommitted {
		// The access is not on chain yet: say so rather than serve
		// unrecorded. A retry signs a new access; should this one commit
		// too, the log shows both.
		return errAccessPending.Withf("the access record (tx %s) is %s; retry in a moment", sub.Hash, sub.Status)
	}
	rc, blob, err := h.blobs.Get(c.Request().Context(), ev.SHA256)
	if err != nil {
		return err
	}
	defer rc.Close()
	name := ev.FileName
	if name == "" {
		name = ev.SHA256.String()
	}
	mt := ev.MediaType
	if mt == "" {
		mt = "application/octet-stream"
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Response().Header().Set(echo.HeaderContentLength, strconv.FormatInt(blob.Size, 10))
	c.Response().Header().Set("X-Content-SHA256", ev.SHA256.String())
	c.Response().Header().Set("X-Access-Tx", sub.Hash.String())
	c.Response().Header().Set(echo.HeaderContentType, mt)
	c.Response().WriteHeader(http.StatusOK)
	_, err = io.Copy(c.Response(), rc)
	return err
}

var errAccessPending = errs.New(errs.KindUnavailable, "evidence.access_pending", "the access record is not committed yet")
