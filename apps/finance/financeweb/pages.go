package financeweb

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/apps/members/membersweb"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/web"
)

// Pages registers the finance pages: one per role (core enterprise,
// supplier, bank), a page per piece with its lineage and the forms its
// viewer may use, and the lineage picture on its own. Forms sign as the
// signed-in user; the chain checks roles, holder and state again, so hiding
// a form is only a courtesy. Every page works without scripts.
func (h *Handler) Pages(e *echo.Echo) {
	login := h.web.RequireLogin
	e.GET("/finance", h.home, login)
	e.GET("/finance/core", h.corePage, login)
	e.GET("/finance/supplier", h.supplierPage, login)
	e.GET("/finance/bank", h.bankPage, login)
	e.GET("/finance/receivables/:id", h.piecePage, login)
	e.GET("/finance/receivables/:id/lineage.svg", h.lineagePicture, login)
	e.POST("/finance/issue", h.issueForm, login)
	e.POST("/finance/receivables/:id/accept", h.acceptForm, login)
	e.POST("/finance/receivables/:id/reject", h.reasonForm(finance.TypeReject, rejectMsg, "Rejected receivable #%d."), login)
	e.POST("/finance/receivables/:id/cancel", h.reasonForm(finance.TypeCancel, cancelMsg, "Cancelled receivable #%d."), login)
	e.POST("/finance/receivables/:id/split", h.splitForm, login)
	e.POST("/finance/receivables/:id/transfer", h.transferForm, login)
	e.POST("/finance/receivables/:id/financing", h.requestFinancingForm, login)
	e.POST("/finance/receivables/:id/approve", h.approveForm, login)
	e.POST("/finance/receivables/:id/decline", h.reasonForm(finance.TypeDeclineFinancing, declineMsg, "Declined to finance receivable #%d."), login)
	e.POST("/finance/receivables/:id/withdraw", h.reasonForm(finance.TypeWithdrawFinancing, withdrawMsg, "Withdrew the request to finance receivable #%d."), login)
	e.POST("/finance/receivables/:id/settle", h.settleForm, login)
}

// Role pages, in the order /finance picks the first the viewer may use.
const (
	corePath     = "/finance/core"
	supplierPath = "/finance/supplier"
	bankPath     = "/finance/bank"
)

// DefaultPreviewBps is the rate of the bank page's payout previews until the
// banker types another: 3.65 % a year.
const DefaultPreviewBps = 365

// navFor is the app's navigation for a viewer: the pages of its roles.
func navFor(who membersweb.Viewer) []NavLink {
	var out []NavLink
	for _, n := range []struct {
		role string
		link NavLink
	}{
		{finance.RoleCore, NavLink{corePath, "Core enterprise"}},
		{finance.RoleSupplier, NavLink{supplierPath, "Supplier"}},
		{finance.RoleBank, NavLink{bankPath, "Bank"}},
	} {
		if who.Has(n.role) {
			out = append(out, n.link)
		}
	}
	return out
}

// names reads organisations' names, falling back to their ids.
type names map[string]string

func (n names) of(r chain.Reader, org string) string {
	if name, ok := n[org]; ok {
		return name
	}
	name := membersweb.OrgName(r, org)
	n[org] = name
	return name
}

// rows turns pieces into table rows.
func rows(r chain.Reader, nm names, ps []finance.Receivable, now time.Time) []Row {
	out := make([]Row, len(ps))
	for i, p := range ps {
		out[i] = Row{Piece: p, HolderName: nm.of(r, p.Holder), IssuerName: nm.of(r, p.Issuer), Overdue: p.Overdue(now)}
		if p.Financing != nil {
			out[i].SellerName = nm.of(r, p.Financing.Seller)
		}
	}
	return out
}

// home sends the viewer to the page of its first finance role.
func (h *Handler) home(c echo.Context) error {
	var who membersweb.Viewer
	err := h.state.View(func(r chain.Reader) (err error) { who, err = membersweb.ViewerOf(c, r); return err })
	if err != nil {
		return err
	}
	if nav := navFor(who); len(nav) > 0 {
		return c.Redirect(http.StatusSeeOther, nav[0].Href)
	}
	return h.web.Render(c, http.StatusOK, "Finance", NoRole())
}

// frameOf fills what every finance page shows: the viewer's organisation,
// the navigation and the block date.
func (h *Handler) frameOf(c echo.Context, r chain.Reader, nm names, current string) (Frame, membersweb.Viewer, error) {
	who, err := membersweb.ViewerOf(c, r)
	if err != nil {
		return Frame{}, who, err
	}
	now := h.state.LastTime()
	f := Frame{CSRF: web.CSRFToken(c), Org: who.Org, Nav: navFor(who), Current: current, Today: finance.DateOf(now), Now: now}
	if who.Org != "" {
		f.OrgName = nm.of(r, who.Org)
	}
	return f, who, nil
}

func (h *Handler) corePage(c echo.Context) error {
	q, err := ParseListQuery(c.QueryParams())
	if err != nil {
		return err
	}
	nm := names{}
	var v CorePageView
	err = h.state.View(func(r chain.Reader) error {
		f, who, err := h.frameOf(c, r, nm, corePath)
		if err != nil {
			return err
		}
		v = CorePageView{Frame: f, CanIssue: who.Has(finance.RoleCore), Days: q.Days, After: q.After, Currencies: finance.Currencies()}
		if who.Org == "" {
			return nil
		}
		issued, err := finance.ListIssuedBy(r, who.Org, q.After, finance.DefaultPage)
		if err != nil {
			return err
		}
		due, err := finance.DueSoon(r, who.Org, f.Now, q.Days, "", finance.MaxPage)
		if err != nil {
			return err
		}
		v.Issued, v.Next, v.DueSoon = rows(r, nm, issued.Items, f.Now), issued.Next, rows(r, nm, due.Items, f.Now)
		for i := range v.Issued {
			if v.Issued[i].Outstanding, err = outstanding(r, v.Issued[i].Piece); err != nil {
				return err
			}
		}
		v.DueMore = due.Next != ""
		overdue, err := finance.OverdueOwed(r, who.Org, f.Now, "", finance.MaxPage)
		if err != nil {
			return err
		}
		v.Overdue, v.OverdueMore = rows(r, nm, overdue.Items, f.Now), overdue.Next != ""
		for _, p := range due.Items {
			v.DueTotal += p.Amount
			v.DueCurrency = mixCurrency(v.DueCurrency, p.Currency)
		}
		if v.CanIssue {
			v.Suppliers, err = parties(r, finance.RoleSupplier, who.Org)
		}
		return err
	})
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, "Finance · core enterprise", Core(v))
}

// mixCurrency is the one currency of a total, or "*" once two mix.
func mixCurrency(have, c finance.Currency) finance.Currency {
	if have == "" || have == c {
		return c
	}
	return "*"
}

func (h *Handler) supplierPage(c echo.Context) error {
	after := c.QueryParam("after")
	nm := names{}
	var v SupplierPageView
	err := h.state.View(func(r chain.Reader) error {
		f, who, err := h.frameOf(c, r, nm, supplierPath)
		if err != nil {
			return err
		}
		v = SupplierPageView{Frame: f, After: after, Cut: map[string]string{}}
		if who.Org == "" {
			return nil
		}
		held := func(table string, st finance.State) ([]Row, error) {
			page, err := finance.ListByHolder(r, finance.HolderFilter{Org: who.Org, State: st}, "", finance.MaxPage)
			if page.Next != "" {
				v.Cut[table] = "/api/v1/receivables/held?state=" + string(st)
			}
			return rows(r, nm, page.Items, f.Now), err
		}
		if v.ToAccept, err = held("to-accept", finance.StateIssued); err != nil {
			return err
		}
		if v.Holdings, err = held("holdings", finance.StateAccepted); err != nil {
			return err
		}
		if v.Requested, err = held("awaiting-bank", finance.StateFinancingRequested); err != nil {
			return err
		}
		overdue, err := finance.Overdue(r, who.Org, f.Now, "", finance.MaxPage)
		if err != nil {
			return err
		}
		if overdue.Next != "" {
			v.Cut["overdue"] = "/api/v1/receivables/overdue"
		}
		all, err := finance.ListByHolder(r, finance.HolderFilter{Org: who.Org}, after, finance.DefaultPage)
		if err != nil {
			return err
		}
		v.Overdue, v.All, v.Next = rows(r, nm, overdue.Items, f.Now), rows(r, nm, all.Items, f.Now), all.Next
		return nil
	})
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, "Finance · supplier", Supplier(v))
}

func (h *Handler) bankPage(c echo.Context) error {
	rate := uint32(DefaultPreviewBps)
	if c.QueryParam("rate_bps") != "" {
		qq, err := ParseQuoteQuery(c.QueryParams(), 0)
		if err != nil {
			return err
		}
		rate = qq.RateBps
	}
	after := c.QueryParam("after")
	nm := names{}
	var v BankPageView
	err := h.state.View(func(r chain.Reader) error {
		f, who, err := h.frameOf(c, r, nm, bankPath)
		if err != nil {
			return err
		}
		v = BankPageView{Frame: f, RateBps: rate, After: after, Cut: map[string]string{}}
		if who.Org == "" {
			return nil
		}
		requests, err := finance.FinancingRequests(r, who.Org, "", finance.MaxPage)
		if err != nil {
			return err
		}
		if requests.Next != "" {
			v.Cut["requests"] = "/api/v1/receivables/financing-requests"
		}
		for _, row := range rows(r, nm, requests.Items, f.Now) {
			pr := PreviewRow{Row: row}
			pr.Quote, pr.QuoteErr = previewOf(row.Piece, rate, f.Today)
			v.Requests = append(v.Requests, pr)
		}
		portfolio, err := finance.ListByHolder(r, finance.HolderFilter{Org: who.Org}, after, finance.DefaultPage)
		if err != nil {
			return err
		}
		v.Portfolio, v.Next = rows(r, nm, portfolio.Items, f.Now), portfolio.Next
		overdue, err := finance.Overdue(r, who.Org, f.Now, "", finance.MaxPage)
		if overdue.Next != "" {
			v.Cut["overdue"] = "/api/v1/receivables/overdue"
		}
		v.Overdue = rows(r, nm, overdue.Items, f.Now)
		return err
	})
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, "Finance · bank", Bank(v))
}

// outstanding is what the issuer of p still owes of it: its amount while
// unpaid, the unpaid pieces under it once split, nothing once settled or
// refused.
func outstanding(r chain.Reader, p finance.Receivable) (finance.Amount, error) {
	if p.State != finance.StateSplit {
		return unpaidUnder([]finance.Receivable{p}, p.ID), nil
	}
	tree, err := finance.Tree(r, p.ID)
	return unpaidUnder(tree, p.ID), err
}

// unpaidUnder sums the unpaid pieces of tree at or under id.
func unpaidUnder(tree []finance.Receivable, id finance.ID) finance.Amount {
	byID := make(map[finance.ID]*finance.Receivable, len(tree))
	for i := range tree {
		byID[tree[i].ID] = &tree[i]
	}
	var sum finance.Amount
	queue := []finance.ID{id}
	for len(queue) > 0 {
		p, ok := byID[queue[0]]
		queue = queue[1:]
		if !ok {
			continue
		}
		if p.State.Unpaid() {
			sum += p.Amount
		}
		queue = append(queue, p.Children...)
	}
	return sum
}

// previewOf quotes p at rate on the block date, or says why it cannot be.
func previewOf(p finance.Receivable, rate uint32, today finance.Date) (finance.Quote, string) {
	q, err := finance.QuoteFinancing(p.Amount, rate, today, p.DueDate)
	if err != nil {
		return q, errs.As(err).Message
	}
	return q, ""
}

func (h *Handler) piecePage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	nm := names{}
	var v PiecePageView
	err = h.state.View(func(r chain.Reader) error {
		f, who, err := h.frameOf(c, r, nm, "")
		if err != nil {
			return err
		}
		l, err := finance.Get(r, id)
		if err != nil {
			return err
		}
		tree, err := finance.Tree(r, id)
		if err != nil {
			return err
		}
		p := l.Piece
		v = PiecePageView{Frame: f, Piece: rows(r, nm, []finance.Receivable{p}, f.Now)[0],
			Ancestors: rows(r, nm, l.Ancestors, f.Now), Children: rows(r, nm, l.Children, f.Now), TreeSize: len(tree)}
		treeNames := map[string]string{}
		for _, t := range tree {
			treeNames[t.Holder] = nm.of(r, t.Holder)
		}
		if v.SVG = LineageSVG(tree, id, treeNames, f.Now); v.SVG == "" {
			v.Tree = rows(r, nm, tree[:min(len(tree), maxTreeRows)], f.Now)
		}
		v.Can = permissions(p, who, f.Now)
		v.Can.Settle = v.Can.Settle && unpaidUnder(tree, p.ID) > 0
		if v.Can.Transfer {
			if v.Suppliers, err = parties(r, finance.RoleSupplier, p.Holder, p.Issuer); err != nil {
				return err
			}
		}
		if v.Can.RequestFinancing {
			if v.Banks, err = parties(r, finance.RoleBank, p.Holder); err != nil {
				return err
			}
		}
		v.Names = nameList(r, nm, p)
		return nil
	})
	if err != nil {
		return err
	}
	if v.Can.Approve {
		v.RateBps = DefaultPreviewBps
		if c.QueryParam("rate_bps") != "" {
			qq, err := ParseQuoteQuery(c.QueryParams(), v.Today)
			if err != nil {
				return err
			}
			v.RateBps = qq.RateBps
		}
		v.Quote, v.QuoteErr = previewOf(v.Piece.Piece, v.RateBps, v.Today)
	}
	v.InvoiceStored, v.ContractStored = h.stored(c, v.Piece.Piece.InvoiceSHA256), h.stored(c, v.Piece.Piece.ContractSHA256)
	return h.web.Render(c, http.StatusOK, "Receivable "+id.String(), Piece(v))
}

// maxTreeRows bounds the table a tree too large to draw is shown as; the
// API's tree endpoint has every piece.
const maxTreeRows = 500

// nameList is the organisations a piece's page names — its parties and
// everyone who acted on it — by id.
func nameList(r chain.Reader, nm names, p finance.Receivable) map[string]string {
	orgs := []string{p.Issuer, p.Holder, p.Created.Org, p.Modified.Org}
	if d := p.Rejection; d != nil {
		orgs = append(orgs, d.Org)
	}
	if d := p.Cancellation; d != nil {
		orgs = append(orgs, d.Org)
	}
	if q := p.Request; q != nil {
		orgs = append(orgs, q.Bank, q.Org)
	}
	if d := p.Declined; d != nil {
		orgs = append(orgs, d.Org)
	}
	if w := p.Withdrawn; w != nil {
		orgs = append(orgs, w.Org, w.Bank)
	}
	if f := p.Financing; f != nil {
		orgs = append(orgs, f.Org, f.Seller)
	}
	if s := p.Settlement; s != nil {
		orgs = append(orgs, s.Org, s.PaidTo)
	}
	out := map[string]string{}
	for _, org := range orgs {
		if org != "" {
			out[org] = nm.of(r, org)
		}
	}
	return out
}

// Steps of a piece's history, each a record the piece keeps the latest of.
type historyStep int

const (
	stepCreated historyStep = iota
	stepRejected
	stepCancelled
	stepRequested
	stepDeclined
	stepWithdrawn
	stepFinanced
	stepSettled
)

// history is the steps p records, in the order of their blocks (within one
// block, in the order above): a decline or withdrawal may answer an earlier
// request than the one p holds now.
func history(p finance.Receivable) []historyStep {
	type step struct {
		step   historyStep
		height int64
	}
	steps := []step{{stepCreated, p.Created.Height}}
	if d := p.Rejection; d != nil {
		steps = append(steps, step{stepRejected, d.Height})
	}
	if d := p.Cancellation; d != nil {
		steps = append(steps, step{stepCancelled, d.Height})
	}
	if q := p.Request; q != nil {
		steps = append(steps, step{stepRequested, q.Height})
	}
	if d := p.Declined; d != nil {
		steps = append(steps, step{stepDeclined, d.Height})
	}
	if w := p.Withdrawn; w != nil {
		steps = append(steps, step{stepWithdrawn, w.Height})
	}
	if f := p.Financing; f != nil {
		steps = append(steps, step{stepFinanced, f.Height})
	}
	if s := p.Settlement; s != nil {
		steps = append(steps, step{stepSettled, s.Height})
	}
	slices.SortStableFunc(steps, func(a, b step) int { return cmp.Compare(a.height, b.height) })
	out := make([]historyStep, len(steps))
	for i, s := range steps {
		out[i] = s.step
	}
	return out
}

func (h *Handler) stored(c echo.Context, sum chain.Hash) bool {
	if h.blobs == nil {
		return false
	}
	_, err := h.blobs.Stat(c.Request().Context(), sum)
	return err == nil
}

// permissions are the forms to show who on p, by the rules the module
// applies.
func permissions(p finance.Receivable, who membersweb.Viewer, now time.Time) Permissions {
	holder := who.Org != "" && who.Org == p.Holder && who.Has(finance.RoleSupplier)
	bank := p.State == finance.StateFinancingRequested && p.Request != nil && who.Org == p.Request.Bank && who.Has(finance.RoleBank)
	issuer := who.Org != "" && who.Org == p.Issuer && who.Has(finance.RoleCore)
	return Permissions{
		Accept:           holder && p.State == finance.StateIssued,
		Cancel:           issuer && p.State == finance.StateIssued,
		Split:            holder && p.State == finance.StateAccepted,
		Transfer:         holder && p.State == finance.StateAccepted && !p.Overdue(now),
		RequestFinancing: holder && p.State == finance.StateAccepted && !p.Overdue(now),
		Withdraw:         holder && p.State == finance.StateFinancingRequested && finance.DateOf(now) >= p.WithdrawableFrom(),
		Requested:        holder && p.State == finance.StateFinancingRequested,
		Approve:          bank,
		Settle:           issuer && (p.State.Unpaid() || p.State == finance.StateSplit),
	}
}

func (h *Handler) lineagePicture(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var svg string
	err = h.state.View(func(r chain.Reader) error {
		tree, err := finance.Tree(r, id)
		if err != nil {
			return err
		}
		nm := names{}
		for _, t := range tree {
			nm.of(r, t.Holder)
		}
		if svg = LineageSVG(tree, id, nm, h.state.LastTime()); svg == "" {
			return errTooLarge.Withf("receivable %d has %d pieces, more than a picture shows (%d, at most %d deep): its page lists them", tree[0].Root, len(tree), MaxDrawnPieces, MaxDrawnDepth)
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.Blob(http.StatusOK, "image/svg+xml; charset=utf-8", []byte(svg))
}

var errTooLarge = errs.New(errs.KindConflict, "finance.tree_too_large_to_draw", "the tree is too large to draw")

// parties lists the active accounts that may act with role, of every
// organisation holding it except those in skip — the choices of a form's
// recipient or bank. Bounded: the first members.MaxPageSize organisations
// and their first members.DefaultPageSize accounts.
func parties(r chain.Reader, role string, skip ...string) ([]Party, error) {
	orgs, err := members.ListOrgs(r, "", members.MaxPageSize)
	if err != nil {
		return nil, err
	}
	k := members.NewKeeper()
	var out []Party
	for _, o := range orgs.Orgs {
		if !slices.Contains(o.Roles, role) || slices.Contains(skip, o.ID) {
			continue
		}
		accs, err := members.ListAccounts(r, o.ID, "", members.DefaultPageSize)
		if err != nil {
			return nil, err
		}
		for _, a := range accs.Accounts {
			if k.HasRole(r, a.Address, role) {
				out = append(out, Party{Org: o.ID, OrgName: o.Name, Account: a.Address.String(), AccountName: a.Name})
			}
		}
	}
	return out, nil
}

// Forms.

// formPiece reads the piece a form posts to; back is where the browser goes
// afterwards: the form's "back" field if it names a finance page, else the
// piece's page.
func formPiece(c echo.Context) (finance.ID, string, error) {
	id, err := pathID(c)
	if err != nil {
		return 0, "", err
	}
	return id, backTo(c.FormValue("back"), pagePath(id)), nil
}

// backTo accepts a local finance page only, so a form cannot send the
// browser elsewhere.
func backTo(back, fallback string) string {
	if (back == "/finance" || strings.HasPrefix(back, "/finance/") || strings.HasPrefix(back, "/finance?")) && web.LocalPath(back, "") != "" {
		return back
	}
	return fallback
}

// submitForm signs msg and sends the browser to back with the outcome; done
// words a committed result.
func (h *Handler) submitForm(c echo.Context, typ string, msg any, back string, done func(finance.Result) (string, string)) error {
	sub, err := h.web.Sign(c.Request().Context(), web.Caller(c), finance.ModuleName, typ, msg)
	if err == nil && sub.Result != nil && !sub.Result.OK() {
		err = errs.FromResult(sub.Result.Code, sub.Result.Codespace, sub.Result.Log)
	}
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	tx := "/txs/" + sub.Hash.String()
	if sub.Result == nil {
		h.web.Flash(c, web.FlashInfo, "Submitted; pending: tx "+sub.Hash.String(), tx)
		return c.Redirect(http.StatusSeeOther, back)
	}
	var res finance.Result
	if err := canon.Unmarshal(sub.Result.Data, &res); err != nil {
		return err
	}
	text, to := done(res)
	if to == "" {
		to = back
	}
	h.web.Flash(c, web.FlashSuccess, fmt.Sprintf("%s Committed at height %d.", text, sub.Result.Height), tx)
	return c.Redirect(http.StatusSeeOther, to)
}

func (h *Handler) issueForm(c echo.Context) error {
	if !web.IsMultipart(c) {
		return h.web.FormFailed(c, web.ErrBadRequest.Withf("the issue form sends multipart/form-data"), corePath)
	}
	msg, err := h.multipartIssue(c, ParseFormAmount)
	if err != nil {
		return h.web.FormFailed(c, err, corePath)
	}
	return h.submitForm(c, finance.TypeIssue, msg, corePath, func(res finance.Result) (string, string) {
		p := res.Pieces[0]
		return fmt.Sprintf("Issued receivable #%d: %s to %s, due %s.", p.ID, Money(p.Amount, p.Currency), p.Holder, p.DueDate), pagePath(p.ID)
	})
}

func (h *Handler) acceptForm(c echo.Context) error {
	id, back, err := formPiece(c)
	if err != nil {
		return err
	}
	return h.submitForm(c, finance.TypeAccept, finance.Accept{ID: id}, back, func(res finance.Result) (string, string) {
		p := res.Pieces[0]
		return fmt.Sprintf("Accepted receivable #%d: %s.", p.ID, Money(p.Amount, p.Currency)), ""
	})
}

// splitForm takes the amounts one a line (or separated by semicolons), in
// major units; thousands separators are allowed.
func (h *Handler) splitForm(c echo.Context) error {
	id, back, err := formPiece(c)
	if err != nil {
		return err
	}
	p, err := h.piece(id)
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	var amounts []finance.Amount
	for _, line := range strings.FieldsFunc(c.FormValue("amounts"), func(r rune) bool { return r == '\n' || r == '\r' || r == ';' }) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if len(amounts) == finance.MaxPieces {
			return h.web.FormFailed(c, finance.ErrInvalidSplit.Withf("a split makes at most %d pieces", finance.MaxPieces), back)
		}
		a, err := ParseFormAmount("amount "+strconv.Itoa(len(amounts)+1), line, p.Currency)
		if err != nil {
			return h.web.FormFailed(c, err, back)
		}
		amounts = append(amounts, a)
	}
	msg := finance.Split{ID: id, Amounts: amounts}
	if err := msg.ValidateBasic(); err != nil {
		return h.web.FormFailed(c, err, back)
	}
	return h.submitForm(c, finance.TypeSplit, msg, back, func(res finance.Result) (string, string) {
		parts := make([]string, 0, len(res.Pieces)-1)
		for _, q := range res.Pieces[1:] {
			parts = append(parts, fmt.Sprintf("#%d %s", q.ID, Grouped(q.Amount, q.Currency)))
		}
		return fmt.Sprintf("Split receivable #%d into %s.", id, strings.Join(parts, ", ")), ""
	})
}

func (h *Handler) transferForm(c echo.Context) error {
	id, back, err := formPiece(c)
	if err != nil {
		return err
	}
	to, err := chain.ParseAddress(strings.TrimSpace(c.FormValue("to")))
	if err != nil {
		return h.web.FormFailed(c, finance.ErrInvalidParty.Withf("choose the supplier to pass the piece to"), back)
	}
	return h.submitForm(c, finance.TypeTransfer, finance.Transfer{ID: id, To: to}, back, func(res finance.Result) (string, string) {
		p := res.Pieces[0]
		return fmt.Sprintf("Transferred receivable #%d (%s) to %s.", p.ID, Money(p.Amount, p.Currency), p.Holder), ""
	})
}

func (h *Handler) requestFinancingForm(c echo.Context) error {
	id, back, err := formPiece(c)
	if err != nil {
		return err
	}
	bank, err := chain.ParseAddress(strings.TrimSpace(c.FormValue("bank")))
	if err != nil {
		return h.web.FormFailed(c, finance.ErrInvalidParty.Withf("choose the bank to ask"), back)
	}
	limit, err := strconv.ParseUint(strings.TrimSpace(c.FormValue("max_rate_bps")), 10, 32)
	if err != nil || limit > finance.MaxRateBps {
		return h.web.FormFailed(c, finance.ErrInvalidRate.Withf("the highest rate you accept is a whole number of basis points from 0 to %d", finance.MaxRateBps), back)
	}
	maxRate := uint32(limit)
	msg := finance.RequestFinancing{ID: id, Bank: bank, MaxRateBps: &maxRate}
	return h.submitForm(c, finance.TypeRequestFinancing, msg, back, func(res finance.Result) (string, string) {
		p := res.Pieces[0]
		return fmt.Sprintf("Asked %s to finance receivable #%d, at %s a year at most.", p.Request.Bank, p.ID, Percent(maxRate)), ""
	})
}

func (h *Handler) approveForm(c echo.Context) error {
	id, back, err := formPiece(c)
	if err != nil {
		return err
	}
	rate, err := strconv.ParseUint(strings.TrimSpace(c.FormValue("rate_bps")), 10, 32)
	if err != nil || rate > finance.MaxRateBps {
		return h.web.FormFailed(c, finance.ErrInvalidRate.Withf("the rate is a whole number of basis points from 0 to %d", finance.MaxRateBps), back)
	}
	msg := finance.ApproveFinancing{ID: id, RateBps: uint32(rate), PaymentRef: strings.TrimSpace(c.FormValue("payment_ref"))}
	return h.submitForm(c, finance.TypeApproveFinancing, msg, back, func(res finance.Result) (string, string) {
		p := res.Pieces[0]
		f := p.Financing
		return fmt.Sprintf("Financed receivable #%d: paid %s for %s (discount %s over %d days at %s).",
			p.ID, Money(f.Payout, p.Currency), Money(p.Amount, p.Currency), Grouped(f.Discount, p.Currency), f.Days, Percent(f.RateBps)), ""
	})
}

// reasonForm takes a form whose one field is the reason, and flashes done
// (a format of the piece's id) once msg's transaction commits.
func (h *Handler) reasonForm(typ string, msg reasonMsg, done string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, back, err := formPiece(c)
		if err != nil {
			return err
		}
		return h.submitForm(c, typ, msg(id, strings.TrimSpace(c.FormValue("reason"))), back, func(finance.Result) (string, string) {
			return fmt.Sprintf(done, id), ""
		})
	}
}

func (h *Handler) settleForm(c echo.Context) error {
	id, back, err := formPiece(c)
	if err != nil {
		return err
	}
	msg := finance.Settle{ID: id, PaymentRef: strings.TrimSpace(c.FormValue("payment_ref"))}
	return h.submitForm(c, finance.TypeSettle, msg, back, func(res finance.Result) (string, string) {
		var total finance.Amount
		for _, p := range res.Pieces {
			total += p.Amount
		}
		cur := res.Pieces[0].Currency
		return fmt.Sprintf("Settled %d piece(s) of receivable #%d: %s paid.", len(res.Pieces), id, Money(total, cur)), ""
	})
}
