package copyrightweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/apps/copyright"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/apps/members/membersweb"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/web"
	"github.com/chancery/chancery/web/views"
)

// Pages registers the copyright pages. Search, works and certificates are
// public; the rest needs a signed-in user. Forms sign as that user; the
// chain checks roles and holdings again, so hiding a form is a courtesy.
func (h *Handler) Pages(e *echo.Echo) {
	login := h.web.RequireLogin
	e.GET("/copyright", h.searchPage)
	e.GET("/works", h.worksRedirect)
	e.GET("/works/:id", h.workPage)
	e.GET("/works/:id/certificate", h.certificatePage)

	e.GET(registerPath, h.registerPage, login)
	e.POST(registerPath, h.registerUploadForm, login)
	e.POST(registerPath+"/hash", h.registerHashForm, login)
	e.GET(minePath, h.minePage, login)
	e.GET(licensesPath, h.licensesPage, login)
	e.POST(licensesPath, h.grantForm, login)
	e.POST(licensesPath+"/:license/revoke", h.revokeForm, login)
	e.GET(transfersPath, h.transfersPage, login)
	e.POST(transfersPath, h.proposeForm, login)
	e.POST(transfersPath+"/approve", h.approveForm, login)
	e.POST(transfersPath+"/reject", h.rejectForm, login)
	e.GET(disputesPath, h.disputesPage, login)
	e.POST(disputesPath, h.openDisputeForm, login)
	e.POST(disputesPath+"/:dispute/resolve", h.resolveForm, login)
}

const (
	searchPath    = "/copyright"
	registerPath  = "/copyright/register"
	minePath      = "/copyright/mine"
	licensesPath  = "/copyright/licenses"
	transfersPath = "/copyright/transfers"
	disputesPath  = "/copyright/disputes"
)

// navLink is an entry of the app's own navigation; Login ones are shown to
// signed-in users only.
type navLink struct {
	Href, Label string
	Login       bool
}

var subnav = []navLink{
	{searchPath, "Search", false},
	{registerPath, "Register", true},
	{minePath, "My works", true},
	{licensesPath, "Licenses", true},
	{transfersPath, "Transfers", true},
	{disputesPath, "Disputes", true},
}

// holds reports whether the viewer holds shares of w.
func holds(who membersweb.Viewer, w copyright.Work) bool {
	return who.Active() && slices.ContainsFunc(w.Holders, func(h copyright.Holder) bool { return h.Account == who.Addr })
}

// directory names accounts and organisations for one page, reading each
// once.
type directory struct {
	r        chain.Reader
	orgs     map[string]string
	accounts map[chain.Address]Party
}

func newDirectory(r chain.Reader) *directory {
	return &directory{r: r, orgs: map[string]string{}, accounts: map[chain.Address]Party{}}
}

// Party is an account as pages show it: its name and organisation.
type Party struct {
	Address string
	Name    string
	Org     string
	OrgName string
}

func (d *directory) orgName(id string) string {
	if n, ok := d.orgs[id]; ok {
		return n
	}
	n := membersweb.OrgName(d.r, id)
	d.orgs[id] = n
	return n
}

func (d *directory) party(a chain.Address) Party {
	if p, ok := d.accounts[a]; ok {
		return p
	}
	p := Party{Address: a.String()}
	if acc, err := members.GetAccount(d.r, a); err == nil {
		p.Name, p.Org, p.OrgName = acc.Name, acc.Org, d.orgName(acc.Org)
	}
	d.accounts[a] = p
	return p
}

// HolderRow is a holder with its share.
type HolderRow struct {
	Party
	Shares int64
}

// holderRows names holders; the name given in the work wins over the
// account's.
func (d *directory) holderRows(hs []copyright.Holder) []HolderRow {
	out := make([]HolderRow, len(hs))
	for i, h := range hs {
		p := d.party(h.Account)
		if h.Name != "" {
			p.Name = h.Name
		}
		out[i] = HolderRow{Party: p, Shares: h.Shares}
	}
	return out
}

func (h *Handler) searchPage(c echo.Context) error {
	v := SearchPageView{SignedIn: web.Caller(c) != nil}
	q, err := parseSearch(c.QueryParams())
	v.Q, v.Query = q.Q, q
	if err != nil {
		v.Q, v.Error = c.QueryParam("q"), err.Error()
		return h.web.Render(c, http.StatusBadRequest, "Copyright registry", Search(v))
	}
	if !q.empty() {
		v.Searched = true
		page, err := h.find(q)
		switch {
		case errors.Is(err, copyright.ErrBadQuery):
			v.Error = err.Error()
			return h.web.Render(c, http.StatusBadRequest, "Copyright registry", Search(v))
		case err != nil:
			return err
		}
		v.Items = page.Items
		if page.Next != "" {
			next := q
			next.After = page.Next
			v.Next = searchPath + "?" + next.values().Encode()
		}
		if q.After != "" {
			first := q
			first.After = ""
			v.First = searchPath + "?" + first.values().Encode()
		}
	}
	return h.web.Render(c, http.StatusOK, "Copyright registry", Search(v))
}

// worksRedirect sends /works, which names no work, to the search.
func (h *Handler) worksRedirect(c echo.Context) error {
	target := searchPath
	if q := c.Request().URL.RawQuery; q != "" {
		target += "?" + q
	}
	return c.Redirect(http.StatusSeeOther, target)
}

func (h *Handler) workPage(c echo.Context) error {
	id, err := copyright.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	var after WorkCursors
	q := c.QueryParams()
	for _, cur := range []struct {
		key string
		to  *copyright.ID
	}{{licensesAfter, &after.Licenses}, {disputesAfter, &after.Disputes}, {historyAfter, &after.History}} {
		if *cur.to, err = parseCursor(q, cur.key); err != nil {
			return err
		}
	}
	d, err := h.detail(id, after)
	if err != nil {
		return err
	}
	v := WorkPageView{CSRF: web.CSRFToken(c), Detail: d, SignedIn: web.Caller(c) != nil, Today: string(copyright.DateOf(d.At)), After: after}
	err = h.state.View(func(r chain.Reader) error {
		who, err := membersweb.ViewerOf(c, r)
		if err != nil {
			return err
		}
		dir := newDirectory(r)
		v.Registrant = dir.party(d.Registrant)
		v.Holders = dir.holderRows(d.Holders)
		v.Can = Permissions{
			Holder:  holds(who, d.Work) && d.Upheld == nil,
			Dispute: who.Active(),
		}
		if t := d.Pending; t != nil {
			v.Pending = pendingView(dir, d.Work, who)
		}
		for _, l := range d.Licenses {
			v.Licenses = append(v.Licenses, licenseRow(dir, l, holds(who, d.Work), d.Title))
		}
		for _, dp := range d.Disputes {
			v.Disputes = append(v.Disputes, disputeRow(dir, dp, d.Work, who))
		}
		for _, e := range d.History {
			v.History = append(v.History, HistoryRow{HistoryEntry: e, Actor: dir.party(e.Actor), Holders: dir.holderRows(e.Holders)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	v.FileHere = h.fileHere(c.Request().Context(), d.Work)
	return h.web.Render(c, http.StatusOK, d.Title, Work(v))
}

// fileHere reports whether w's file is in this node's blob store, uploaded
// by the registrant's organisation: Stored is only what the registration
// says. A store that cannot be reached confirms nothing, and the page,
// which reads the chain, still shows.
func (h *Handler) fileHere(ctx context.Context, w copyright.Work) bool {
	if !w.Stored || h.blobs == nil {
		return false
	}
	if _, err := h.blobs.Stat(ctx, w.SHA256); err != nil {
		return false
	}
	ok, err := storage.UploadedBy(ctx, h.blobs, w.Org, w.SHA256)
	return ok && err == nil
}

// Query parameters of a work page that show a later page of one of its
// lists.
const (
	licensesAfter = "licenses_after"
	disputesAfter = "disputes_after"
	historyAfter  = "history_after"
)

// laterPages replaces the first pages of d's lists with the pages after.
func laterPages(r chain.Reader, d *WorkDetail, after WorkCursors) error {
	if after.Licenses != 0 {
		p, err := copyright.ListLicenses(r, d.ID, after.Licenses, copyright.MaxPage, d.At)
		if err != nil {
			return err
		}
		d.Licenses, d.LicensesNext = p.Items, p.Next
	}
	if after.Disputes != 0 {
		p, err := copyright.ListWorkDisputes(r, d.ID, after.Disputes, copyright.MaxPage)
		if err != nil {
			return err
		}
		d.Disputes, d.DisputesNext = p.Items, p.Next
	}
	if after.History != 0 {
		p, err := copyright.ListHistory(r, d.ID, after.History, copyright.MaxPage)
		if err != nil {
			return err
		}
		d.History, d.HistoryNext = p.Items, p.Next
	}
	return nil
}

// pendingView is w's pending transfer as who sees it.
func pendingView(dir *directory, w copyright.Work, who membersweb.Viewer) *PendingView {
	t := w.Pending
	p := &PendingView{Work: w.ID, WorkTitle: w.Title, Transfer: *t, Proposer: dir.party(t.Proposer), Holders: dir.holderRows(t.Holders)}
	for _, hd := range w.Holders {
		if slices.Contains(t.Approvals, hd.Account) {
			p.Approved = append(p.Approved, dir.party(hd.Account))
		} else {
			p.Waiting = append(p.Waiting, dir.party(hd.Account))
		}
	}
	if holds(who, w) {
		p.CanApprove = !slices.Contains(t.Approvals, who.Addr) && w.Upheld == nil
		p.CanReject = true
	}
	return p
}

func licenseRow(dir *directory, l copyright.LicenseView, holder bool, title string) LicenseRow {
	row := LicenseRow{LicenseView: l, GrantedBy: dir.party(l.GrantedBy), WorkTitle: title}
	if l.LicenseeOrg != "" {
		row.Licensee = Party{Org: l.LicenseeOrg, OrgName: dir.orgName(l.LicenseeOrg)}
	} else {
		row.Licensee = dir.party(l.Licensee)
	}
	row.CanRevoke = holder && (l.Status == copyright.LicenseActive || l.Status == copyright.LicenseScheduled)
	return row
}

func disputeRow(dir *directory, d copyright.Dispute, w copyright.Work, who membersweb.Viewer) DisputeRow {
	row := DisputeRow{Dispute: d, WorkTitle: w.Title, Claimant: dir.party(d.Claimant)}
	if res := d.Resolution; res != nil {
		a := dir.party(res.Arbiter)
		row.Arbiter = &a
	}
	party, err := copyright.IsParty(who.Org, d, w, func(a chain.Address) (string, error) { return dir.party(a).Org, nil })
	row.CanResolve = d.Resolution == nil && who.Active() && who.Has(copyright.RoleArbiter) && err == nil && !party
	return row
}

// maxHost is the longest Host a certificate's QR code names: a DNS name of
// 253 characters and a port. Go's server takes headers up to 1 MB, more than
// a QR code holds.
const maxHost = 253 + len(":65535")

var errBadHost = errs.New(errs.KindInvalid, "http.bad_host", "the Host header is longer than a host name and port can be")

func (h *Handler) certificatePage(c echo.Context) error {
	id, err := copyright.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	if len(c.Request().Host) > maxHost {
		return errBadHost
	}
	v := CertificatePageView{URL: c.Scheme() + "://" + c.Request().Host + workPath(id)}
	err = h.state.View(func(r chain.Reader) error {
		w, err := copyright.Get(r, id, h.state.LastTime())
		if err != nil {
			return err
		}
		dir := newDirectory(r)
		v.Work, v.Registrant, v.Holders = w.Work, dir.party(w.Registrant), dir.holderRows(w.Holders)
		return nil
	})
	if err != nil {
		return err
	}
	if v.QR, err = newQR(v.URL); err != nil {
		return err
	}
	v.ReceiptURL = receiptPath(v.Work.TxHash)
	return h.web.Render(c, http.StatusOK, "Certificate of registration "+id.String(), Certificate(v))
}

func (h *Handler) registerPage(c echo.Context) error {
	v := RegisterPageView{CSRF: web.CSRFToken(c), Today: string(copyright.DateOf(h.state.LastTime()))}
	err := h.state.View(func(r chain.Reader) error {
		who, err := membersweb.ViewerOf(c, r)
		v.CanRegister = who.Has(copyright.RoleRegistrant)
		return err
	})
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, "Register a work", Register(v))
}

// registerUploadForm is the register form without scripts: the file streams
// into the blob store, then the registration is signed with the session's
// key.
func (h *Handler) registerUploadForm(c echo.Context) error {
	up, err := web.ReceiveFile(c, h.blobs, "file", chain.Hash{})
	if err != nil {
		return h.web.FormFailed(c, err, registerPath)
	}
	msg, err := uploaded(up)
	if err != nil {
		return h.web.FormFailed(c, err, registerPath)
	}
	return h.submitRegisterForm(c, msg)
}

// registerHashForm registers a hash computed elsewhere.
func (h *Handler) registerHashForm(c echo.Context) error {
	in := strings.TrimSpace(c.FormValue("sha256"))
	sum, err := chain.ParseHash(in)
	if err != nil {
		return h.web.FormFailed(c, copyright.ErrInvalidHash.Withf("SHA-256 %q: must be 64 hex characters", in), registerPath)
	}
	msg, err := registerFields(c.FormValue)
	if err != nil {
		return h.web.FormFailed(c, err, registerPath)
	}
	msg.SHA256 = sum
	return h.submitRegisterForm(c, msg)
}

// submitRegisterForm signs a registration from a form and sends the browser
// to the new work's page — or, for content registered before, to the
// original's, with the refusal and the original's block time.
func (h *Handler) submitRegisterForm(c echo.Context, msg copyright.Register) error {
	out, err := h.submitRegister(c.Request().Context(), web.Caller(c), msg)
	switch {
	case out.original != nil:
		w := out.original
		h.web.Flash(c, web.FlashError, fmt.Sprintf("Refused: this content was registered first, as work %s “%s”, at %s (height %d). That registration is the priority proof.",
			w.ID, w.Title, views.Time(w.Time), w.Height), "")
		return c.Redirect(http.StatusSeeOther, workPath(w.ID))
	case err != nil:
		return h.web.FormFailed(c, err, registerPath)
	case out.sub.Result == nil:
		h.web.Flash(c, web.FlashInfo, "Registration pending: tx "+out.sub.Hash.String(), "/txs/"+out.sub.Hash.String())
		return c.Redirect(http.StatusSeeOther, minePath)
	}
	h.web.Flash(c, web.FlashSuccess, fmt.Sprintf("Registered as work %s at height %d.", out.res.ID, out.sub.Result.Height), "/txs/"+out.sub.Hash.String())
	return c.Redirect(http.StatusSeeOther, workPath(out.res.ID))
}

// myWorks lists the works the signed-in user holds, a page after after.
func (h *Handler) myWorks(c echo.Context, r chain.Reader, after string, limit int) (copyright.Page, error) {
	return copyright.ListByHolder(r, web.Caller(c).User.Address, after, limit)
}

func (h *Handler) minePage(c echo.Context) error {
	after := c.QueryParam("after")
	if len(after) > maxAfter {
		return copyright.ErrBadQuery.Withf("after is not a cursor this server handed out")
	}
	v := MinePageView{After: after}
	err := h.state.View(func(r chain.Reader) error {
		page, err := h.myWorks(c, r, after, copyright.DefaultPage)
		v.Items, v.Next = page.Items, page.Next
		return err
	})
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, "My works", Mine(v))
}

// ownWorks are the works shown in the forms of the licenses and transfers
// pages: the first page of the user's holdings, at most copyright.MaxPage.
func (h *Handler) ownWorks(c echo.Context, r chain.Reader) ([]copyright.Work, bool, error) {
	page, err := h.myWorks(c, r, "", copyright.MaxPage)
	return page.Items, page.Next != "", err
}

// listEnd is what follows item i of n in a sentence listing them.
func listEnd(i, n int) string {
	if i == n-1 {
		return "."
	}
	return ","
}

// licensesPerWork is how many licenses of each work the licenses page
// lists; the work's own page lists them all, a page at a time.
const licensesPerWork = 20

func (h *Handler) licensesPage(c echo.Context) error {
	at := h.state.LastTime()
	v := LicensesPageView{CSRF: web.CSRFToken(c), Today: string(copyright.DateOf(at))}
	err := h.state.View(func(r chain.Reader) (err error) {
		if v.Works, v.More, err = h.ownWorks(c, r); err != nil {
			return err
		}
		dir := newDirectory(r)
		for _, w := range v.Works {
			page, err := copyright.ListLicenses(r, w.ID, 0, licensesPerWork, at)
			if err != nil {
				return err
			}
			for _, l := range page.Items {
				v.Licenses = append(v.Licenses, licenseRow(dir, l, true, w.Title))
			}
			if page.Next != 0 {
				v.Partly = append(v.Partly, w)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, "Licenses", Licenses(v))
}

func (h *Handler) transfersPage(c echo.Context) error {
	v := TransfersPageView{CSRF: web.CSRFToken(c)}
	err := h.state.View(func(r chain.Reader) (err error) {
		if v.Works, v.More, err = h.ownWorks(c, r); err != nil {
			return err
		}
		who, err := membersweb.ViewerOf(c, r)
		if err != nil {
			return err
		}
		dir := newDirectory(r)
		for _, w := range v.Works {
			if w.Pending != nil {
				v.Pending = append(v.Pending, *pendingView(dir, w, who))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, "Transfers", Transfers(v))
}

func (h *Handler) disputesPage(c echo.Context) error {
	var after copyright.ID
	if s := c.QueryParam("after"); s != "" {
		id, err := copyright.ParseID(s)
		if err != nil {
			return err
		}
		after = id
	}
	v := DisputesPageView{CSRF: web.CSRFToken(c), After: after, Work: c.QueryParam("work")}
	err := h.state.View(func(r chain.Reader) error {
		who, err := membersweb.ViewerOf(c, r)
		if err != nil {
			return err
		}
		v.CanOpen, v.Arbiter = who.Active(), who.Has(copyright.RoleArbiter)
		page, err := copyright.ListDisputes(r, after, copyright.DefaultPage)
		if err != nil {
			return err
		}
		v.Next = page.Next
		dir := newDirectory(r)
		works := map[copyright.ID]copyright.Work{}
		for _, d := range page.Items {
			w, ok := works[d.Work]
			if !ok {
				wv, err := copyright.Get(r, d.Work, time.Time{})
				if err != nil {
					return err
				}
				w, works[d.Work] = wv.Work, wv.Work
			}
			v.Items = append(v.Items, disputeRow(dir, d, w, who))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, "Disputes", Disputes(v))
}

// formWork reads the work a form names, and where to send the browser back
// to: the form's own page (field back) or the work's.
func formWork(c echo.Context, fallback string) (copyright.ID, string, error) {
	back := web.LocalPath(c.FormValue("back"), fallback)
	id, err := copyright.ParseID(strings.TrimSpace(c.FormValue("work")))
	if err != nil {
		return 0, back, copyright.ErrInvalid.Withf("choose a work")
	}
	return id, back, nil
}

func (h *Handler) grantForm(c echo.Context) error {
	id, back, err := formWork(c, licensesPath)
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	req := LicenseRequest{
		Scope: c.FormValue("scope"), Territory: strings.ToUpper(strings.TrimSpace(c.FormValue("territory"))),
		Start: c.FormValue("start"), End: c.FormValue("end"), Exclusive: c.FormValue("exclusive") != "", Terms: c.FormValue("terms"),
	}
	if strings.EqualFold(req.Territory, copyright.Worldwide) {
		req.Territory = copyright.Worldwide
	}
	// One field names the licensee: an account address, or an
	// organisation's id.
	if who := strings.TrimSpace(c.FormValue("licensee")); isAddress(who) {
		req.Licensee = who
	} else {
		req.LicenseeOrg = who
	}
	g, err := req.grant()
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	return h.web.SubmitForm(c, copyright.ModuleName, copyright.TypeGrantLicense, copyright.GrantLicense{Work: id, Grant: g}, back)
}

func isAddress(s string) bool {
	_, err := chain.ParseAddress(s)
	return err == nil
}

func (h *Handler) revokeForm(c echo.Context) error {
	back := web.LocalPath(c.FormValue("back"), licensesPath)
	lid, err := copyright.ParseID(c.Param("license"))
	if err != nil {
		return err
	}
	msg := copyright.RevokeLicense{License: lid, Reason: strings.TrimSpace(c.FormValue("reason"))}
	return h.web.SubmitForm(c, copyright.ModuleName, copyright.TypeRevokeLicense, msg, back)
}

func (h *Handler) proposeForm(c echo.Context) error {
	id, back, err := formWork(c, transfersPath)
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	if len(c.FormValue("holders")) > maxListField {
		return h.web.FormFailed(c, copyright.ErrInvalid.Withf("holders are limited to %d bytes", maxListField), back)
	}
	holders, err := holderLines(c.FormValue("holders"))
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	msg := copyright.ProposeTransfer{Work: id, Holders: holders, Note: c.FormValue("note")}
	return h.web.SubmitForm(c, copyright.ModuleName, copyright.TypeProposeTransfer, msg, back)
}

// formTransfer reads the work and transfer number of an approve or reject
// form.
func formTransfer(c echo.Context) (copyright.ID, uint64, string, error) {
	id, back, err := formWork(c, transfersPath)
	if err != nil {
		return 0, 0, back, err
	}
	n, err := strconv.ParseUint(c.FormValue("transfer"), 10, 64)
	if err != nil || n == 0 {
		return 0, 0, back, copyright.ErrInvalid.Withf("transfer must be a transfer's number")
	}
	return id, n, back, nil
}

func (h *Handler) approveForm(c echo.Context) error {
	id, n, back, err := formTransfer(c)
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	return h.web.SubmitForm(c, copyright.ModuleName, copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: id, Transfer: n}, back)
}

func (h *Handler) rejectForm(c echo.Context) error {
	id, n, back, err := formTransfer(c)
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	msg := copyright.RejectTransfer{Work: id, Transfer: n, Reason: c.FormValue("reason")}
	return h.web.SubmitForm(c, copyright.ModuleName, copyright.TypeRejectTransfer, msg, back)
}

func (h *Handler) openDisputeForm(c echo.Context) error {
	id, back, err := formWork(c, disputesPath)
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	ev, err := strconv.ParseUint(strings.TrimSpace(c.FormValue("evidence")), 10, 64)
	if err != nil || ev == 0 {
		return h.web.FormFailed(c, copyright.ErrUnknownEvidence.Withf("evidence must be the number of an evidence deposit"), back)
	}
	msg := copyright.OpenDispute{Work: id, Evidence: ev, Claim: c.FormValue("claim")}
	return h.web.SubmitForm(c, copyright.ModuleName, copyright.TypeOpenDispute, msg, back)
}

func (h *Handler) resolveForm(c echo.Context) error {
	back := web.LocalPath(c.FormValue("back"), disputesPath)
	did, err := copyright.ParseID(c.Param("dispute"))
	if err != nil {
		return err
	}
	msg := copyright.ResolveDispute{Dispute: did, Outcome: c.FormValue("outcome"), Reasoning: c.FormValue("reasoning")}
	return h.web.SubmitForm(c, copyright.ModuleName, copyright.TypeResolveDispute, msg, back)
}
