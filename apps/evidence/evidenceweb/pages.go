package evidenceweb

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/apps/members/membersweb"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/web"
	"github.com/chancery/chancery/web/views"
)

// Pages registers the evidence pages: the organisation's deposits, the
// deposit page, a deposit's page and certificate, and the verify page. Forms
// sign as the signed-in user; the chain checks the roles again, so hiding a
// form is only a courtesy.
func (h *Handler) Pages(e *echo.Echo) {
	e.GET("/evidence", h.listPage, h.web.RequireLogin)
	e.GET("/evidence/deposit", h.depositPage, h.web.RequireLogin)
	e.POST("/evidence/deposit", h.depositUploadForm, h.web.RequireLogin)
	e.POST("/evidence/deposit/hash", h.depositHashForm, h.web.RequireLogin)
	e.GET("/evidence/verify", h.verifyPage, h.web.RequireLogin)
	e.GET("/evidence/:id", h.detailPage)
	e.GET("/evidence/:id/certificate", h.certificatePage)
	e.POST("/evidence/:id/attest", h.attestForm, h.web.RequireLogin)
	e.POST("/evidence/:id/custody", h.custodyForm, h.web.RequireLogin)
	e.POST("/evidence/:id/withdraw", h.withdrawForm, h.web.RequireLogin)
	e.POST("/evidence/:id/share", h.shareForm, h.web.RequireLogin)
	e.POST("/evidence/:id/download", h.downloadForm, h.web.RequireLogin)
}

// navLink is an entry of the app's own navigation.
type navLink struct{ Href, Label string }

var subnav = []navLink{{"/evidence", "Our deposits"}, {"/evidence/deposit", "Deposit"}, {"/evidence/verify", "Verify"}}

func (h *Handler) listPage(c echo.Context) error {
	q, err := searchText(c.QueryParam("q"))
	if err != nil {
		return err
	}
	var after evidence.ID
	if s := c.QueryParam("after"); s != "" {
		id, err := evidence.ParseID(s)
		if err != nil {
			return err
		}
		after = id
	}
	org := web.Caller(c).User.Org
	v := ListPageView{Org: org, Q: q, After: after}
	err = h.state.View(func(r chain.Reader) error {
		page, err := evidence.ListOrg(r, org, after, evidence.DefaultPage, q)
		if err != nil {
			return err
		}
		v.Items, v.Next, v.OrgName = page.Items, page.Next, membersweb.OrgName(r, org)
		who, err := membersweb.ViewerOf(c, r)
		v.CanDeposit = who.Has(evidence.RoleDepositor)
		return err
	})
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, "Our deposits", List(v))
}

func (h *Handler) depositPage(c echo.Context) error {
	v := DepositPageView{CSRF: web.CSRFToken(c)}
	err := h.state.View(func(r chain.Reader) error {
		who, err := membersweb.ViewerOf(c, r)
		v.CanDeposit = who.Has(evidence.RoleDepositor)
		return err
	})
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, "Deposit evidence", Deposit(v))
}

const depositPagePath = "/evidence/deposit"

// depositUploadForm is the deposit form without scripts: the file streams
// into the blob store, then the deposit is signed with the session's key.
func (h *Handler) depositUploadForm(c echo.Context) error {
	up, err := web.ReceiveFile(c, h.blobs, "file", chain.Hash{})
	if err != nil {
		return h.web.FormFailed(c, err, depositPagePath)
	}
	return h.submitDeposit(c, uploadedDeposit(up))
}

// depositHashForm deposits a hash the user computed elsewhere.
func (h *Handler) depositHashForm(c echo.Context) error {
	in := strings.TrimSpace(c.FormValue("sha256"))
	sum, err := chain.ParseHash(in)
	if err != nil {
		return h.web.FormFailed(c, errBadHash.Withf("SHA-256 %q: must be 64 hex characters", in), depositPagePath)
	}
	var size int64
	if s := strings.TrimSpace(c.FormValue("size")); s != "" {
		if size, err = strconv.ParseInt(s, 10, 64); err != nil || size < 0 {
			return h.web.FormFailed(c, evidence.ErrInvalid.Withf("size must be a whole number of bytes, got %q", s), depositPagePath)
		}
	}
	return h.submitDeposit(c, evidence.Deposit{
		SHA256: sum, Size: size, FileName: strings.TrimSpace(c.FormValue("file_name")),
		Title: strings.TrimSpace(c.FormValue("title")), Description: c.FormValue("description"),
		CaseRef: strings.TrimSpace(c.FormValue("case_ref")),
	})
}

// submitDeposit signs a deposit from a form and sends the browser to the new
// deposit's page — or, for a hash the organisation deposited before, to that
// one — with the outcome as a flash message.
func (h *Handler) submitDeposit(c echo.Context, msg evidence.Deposit) error {
	if err := msg.ValidateBasic(); err != nil {
		return h.web.FormFailed(c, err, depositPagePath)
	}
	sub, err := h.web.Sign(c.Request().Context(), web.Caller(c), evidence.ModuleName, evidence.TypeDeposit, msg)
	if err == nil && sub.Result != nil && !sub.Result.OK() {
		err = errs.FromResult(sub.Result.Code, sub.Result.Codespace, sub.Result.Log)
	}
	if errors.Is(err, evidence.ErrDuplicate) {
		if ev := h.existingDeposit(web.Caller(c).User.Org, msg.SHA256); ev != nil {
			h.web.Flash(c, web.FlashError, fmt.Sprintf("Your organisation already deposited this content as evidence %s.", ev.ID), "")
			return c.Redirect(http.StatusSeeOther, evidencePath(ev.ID))
		}
	}
	if err != nil {
		return h.web.FormFailed(c, err, depositPagePath)
	}
	if sub.Result == nil {
		h.web.Flash(c, web.FlashInfo, "Deposit pending: tx "+sub.Hash.String(), txPath(sub.Hash.String()))
		return c.Redirect(http.StatusSeeOther, "/evidence")
	}
	var res evidence.DepositResult
	if err := canon.Unmarshal(sub.Result.Data, &res); err != nil {
		return err
	}
	h.web.Flash(c, web.FlashSuccess, fmt.Sprintf("Deposited as evidence %s, committed at height %d.", res.ID, sub.Result.Height), txPath(sub.Hash.String()))
	return c.Redirect(http.StatusSeeOther, evidencePath(res.ID))
}

func (h *Handler) detailPage(c echo.Context) error {
	id, err := evidence.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	after, err := uintParam(c, "custody_after", 0, math.MaxUint64)
	if err != nil {
		return err
	}
	v := DetailPageView{CSRF: web.CSRFToken(c), CustodyActions: evidence.CustodyActions(), CustodyAfter: after}
	if v.Record, err = h.record(id, after); err != nil {
		return err
	}
	err = h.state.View(func(r chain.Reader) error {
		v.OrgName = membersweb.OrgName(r, v.Record.Org)
		who, err := membersweb.ViewerOf(c, r)
		if err != nil || who.Org == "" {
			return err
		}
		v.Can = h.permissions(r, v.Record, who)
		return nil
	})
	if err != nil {
		return err
	}
	v.Timeline = timeline(v.Record, after)
	return h.web.Render(c, http.StatusOK, v.Record.Title, Detail(v))
}

// permissions are the forms to show who on the deposit rec, by the rules
// the module applies.
func (h *Handler) permissions(r chain.Reader, rec RecordView, who membersweb.Viewer) Permissions {
	_, err := h.keeper.MayAccess(r, rec.ID, who.Addr)
	p := Permissions{Download: rec.Stored && err == nil}
	if rec.Withdrawn != nil {
		return p
	}
	attested := slices.ContainsFunc(rec.AttestationList, func(a evidence.Attestation) bool { return a.Org == who.Org })
	p.Attest = who.Org != rec.Org && !attested &&
		(who.Has(evidence.RoleDepositor) || who.Has(evidence.RoleCustodian) || who.Has(evidence.RoleVerifier))
	p.Custody = who.Has(evidence.RoleCustodian)
	p.Withdraw = who.Org == rec.Org && who.Has(evidence.RoleDepositor)
	p.Share = p.Withdraw // the depositing organisation's depositors
	return p
}

// timeline is a deposit's history in chain order: the deposit, its custody
// log (custody entries and accesses) and its withdrawal. Accesses may
// follow a withdrawal: withdrawn evidence stays readable. A page of a long
// log after the first leaves out the deposit; one the log goes on past
// leaves out the withdrawal.
func timeline(rec RecordView, custodyAfter uint64) []TimelineEntry {
	var out []TimelineEntry
	if custodyAfter == 0 {
		out = append(out, TimelineEntry{
			Action: "deposited", Note: rec.Title, Org: rec.Org, Account: rec.Depositor.String(),
			Height: rec.Height, Time: views.Time(rec.Time), TxHash: rec.TxHash.String(),
		})
	}
	for _, e := range rec.CustodyLog {
		out = append(out, TimelineEntry{
			Action: e.Action, Note: e.Note, With: e.With, Org: e.Org, Account: e.Account.String(),
			Height: e.Height, Time: views.Time(e.Time), TxHash: e.TxHash.String(),
		})
	}
	if w := rec.Withdrawn; w != nil && rec.CustodyNext == 0 {
		out = append(out, TimelineEntry{
			Action: "withdrawn", Note: w.Reason, Org: rec.Org, Account: w.By.String(),
			Height: w.Height, Time: views.Time(w.Time), TxHash: w.TxHash.String(),
		})
	}
	slices.SortStableFunc(out, func(a, b TimelineEntry) int { return cmp.Compare(a.Height, b.Height) })
	return out
}

func (h *Handler) certificatePage(c echo.Context) error {
	id, err := evidence.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	v := CertificatePageView{}
	if v.Record, err = h.record(id, 0); err != nil {
		return err
	}
	err = h.state.View(func(r chain.Reader) error { v.OrgName = membersweb.OrgName(r, v.Record.Org); return nil })
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, "Certificate of evidence "+id.String(), Certificate(v))
}

// verifyPage looks up ?sha256= when given: the form of browsers without
// scripts, which with scripts evidence.js answers from /api/v1/verify.
func (h *Handler) verifyPage(c echo.Context) error {
	v := VerifyPageView{CSRF: web.CSRFToken(c)}
	status := http.StatusOK
	if q, ok := c.QueryParams()["sha256"]; ok {
		in := strings.TrimSpace(q[0])
		sum, err := chain.ParseHash(in)
		if err != nil {
			v.SHA256, v.Error, status = q[0], "A SHA-256 is 64 hex characters (0-9, a-f).", http.StatusBadRequest
		} else {
			res, err := h.lookup(sum)
			if err != nil {
				return err
			}
			v.SHA256, v.Result = in, &res
		}
	}
	return h.web.Render(c, status, "Verify evidence", Verify(v))
}

// recordForm checks the deposit a form names; back is its page, where the
// form returns to. An id that is not one is 400 rather than a flash.
func recordForm(c echo.Context) (evidence.ID, string, error) {
	id, err := evidence.ParseID(c.Param("id"))
	return id, evidencePath(id), err
}

func (h *Handler) attestForm(c echo.Context) error {
	id, back, err := recordForm(c)
	if err != nil {
		return err
	}
	msg := evidence.Attest{ID: id, Statement: c.FormValue("statement")}
	return h.web.SubmitForm(c, evidence.ModuleName, evidence.TypeAttest, msg, back)
}

func (h *Handler) custodyForm(c echo.Context) error {
	id, back, err := recordForm(c)
	if err != nil {
		return err
	}
	msg := evidence.Custody{ID: id, Action: c.FormValue("action"), Note: c.FormValue("note")}
	return h.web.SubmitForm(c, evidence.ModuleName, evidence.TypeCustody, msg, back)
}

func (h *Handler) withdrawForm(c echo.Context) error {
	id, back, err := recordForm(c)
	if err != nil {
		return err
	}
	msg := evidence.Withdraw{ID: id, Reason: strings.TrimSpace(c.FormValue("reason"))}
	return h.web.SubmitForm(c, evidence.ModuleName, evidence.TypeWithdraw, msg, back)
}

func (h *Handler) shareForm(c echo.Context) error {
	id, back, err := recordForm(c)
	if err != nil {
		return err
	}
	msg := evidence.Share{ID: id, Org: strings.TrimSpace(c.FormValue("org")), Note: strings.TrimSpace(c.FormValue("note"))}
	return h.web.SubmitForm(c, evidence.ModuleName, evidence.TypeShare, msg, back)
}

// downloadForm serves the file to the signed-in user, as the API does: the
// access is committed to the custody log first. A refusal comes back to the
// deposit's page as a flash.
func (h *Handler) downloadForm(c echo.Context) error {
	_, back, err := recordForm(c)
	if err != nil {
		return err
	}
	if err := h.download(c); err != nil && !c.Response().Committed {
		return h.web.FormFailed(c, err, back)
	}
	return nil
}

func evidencePath(id evidence.ID) string { return "/evidence/" + id.String() }
func txPath(h string) string             { return "/txs/" + h }
func orgPath(id string) string           { return "/members/orgs/" + url.PathEscape(id) }
func itoa(n int64) string                { return strconv.FormatInt(n, 10) }
func count(n int) string                 { return strconv.Itoa(n) }
func count64(n uint64) string            { return strconv.FormatUint(n, 10) }

// listURL is a page of the deposits list: the search q from after.
func listURL(q string, after evidence.ID) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if after != 0 {
		v.Set("after", after.String())
	}
	if len(v) == 0 {
		return "/evidence"
	}
	return "/evidence?" + v.Encode()
}

// receiptFile names a deposit's receipt when saved.
func receiptFile(ev evidence.Evidence) string { return "evidence-" + ev.ID.String() + "-receipt.json" }

func deposits(n int) string {
	if n == 1 {
		return "1 deposit"
	}
	return strconv.Itoa(n) + " deposits"
}

func entries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return strconv.Itoa(n) + " entries"
}

func attestedBy(list []evidence.Attestation) string {
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = fmt.Sprintf("%s (height %d)", a.Org, a.Height)
	}
	return strings.Join(parts, ", ")
}

// size shows a size exactly and, past a KiB, rounded: "6,291,456 bytes
// (6.0 MiB)".
func size(n int64) string {
	exact := groupDigits(n) + " bytes"
	if n == 1 {
		exact = "1 byte"
	}
	if n < 1024 {
		return exact
	}
	return exact + " (" + shortSize(n) + ")"
}

// shortSize rounds a size to one decimal in the largest binary unit.
func shortSize(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v, unit := float64(n)/1024, 0
	for v >= 1024 && unit < 3 {
		v, unit = v/1024, unit+1
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + [...]string{"KiB", "MiB", "GiB", "TiB"}[unit]
}

func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
