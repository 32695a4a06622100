package membersweb

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/web"
)

// Pages registers the members pages: the organisations and their accounts
// for anyone to read, and, for the admins who may use them, the forms that
// change them. Forms sign as the signed-in user; the chain checks the roles
// again, so hiding a form is only a courtesy.
func (h *Handler) Pages(e *echo.Echo) {
	e.GET("/members", h.orgsPage)
	e.GET("/members/orgs/:id", h.orgPage)
	e.POST("/members/orgs", h.addOrgForm, h.web.RequireLogin)
	e.POST("/members/orgs/:id/accounts", h.addAccountForm, h.web.RequireLogin)
	e.POST("/members/orgs/:id/roles", h.setAccountRolesForm, h.web.RequireLogin)
	e.POST("/members/orgs/:id/revoke", h.revokeAccountForm, h.web.RequireLogin)
}

// caller is what the chain says about the signed-in user's account.
type caller struct {
	org   string
	roles []string
}

func (c caller) has(role string) bool { return slices.Contains(c.roles, role) }

// callerOf reads the signed-in user's account; anonymous users and users
// without an active account may do nothing. Unlike ViewerOf, a revoked
// account keeps its organisation: a form it posts to its own organisation's
// page goes on to the chain, whose refusal names the revocation.
func callerOf(c echo.Context, r chain.Reader) (caller, error) {
	id := web.Caller(c)
	if id == nil {
		return caller{}, nil
	}
	acc, err := members.GetAccount(r, id.User.Address)
	if errors.Is(err, members.ErrAccountNotFound) {
		return caller{}, nil
	}
	if err != nil {
		return caller{}, err
	}
	roles, err := members.NewKeeper().EffectiveRoles(r, id.User.Address)
	return caller{org: acc.Org, roles: roles}, err
}

func (h *Handler) orgsPage(c echo.Context) error {
	after := c.QueryParam("after")
	v := OrgsPageView{CSRF: web.CSRFToken(c), After: after, AllRoles: members.AllRoles()}
	err := h.state.View(func(r chain.Reader) error {
		page, err := members.ListOrgs(r, after, members.DefaultPageSize)
		if err != nil {
			return err
		}
		v.Orgs, v.Next = page.Orgs, page.Next
		who, err := callerOf(c, r)
		v.CanAddOrg = who.has(members.RoleConsortiumAdmin)
		return err
	})
	if err != nil {
		return err
	}
	return h.web.Render(c, http.StatusOK, "Members", Orgs(v))
}

func (h *Handler) orgPage(c echo.Context) error {
	after := c.QueryParam("after")
	v := OrgPageView{CSRF: web.CSRFToken(c), After: after}
	err := h.state.View(func(r chain.Reader) (err error) {
		if v.Org, err = members.GetOrg(r, c.Param("id")); err != nil {
			return err
		}
		page, err := members.ListAccounts(r, v.Org.ID, after, members.DefaultPageSize)
		if err != nil {
			return err
		}
		v.Accounts, v.Next = page.Accounts, page.Next
		who, err := callerOf(c, r)
		v.CanManage = who.org == v.Org.ID && who.has(members.RoleOrgAdmin)
		return err
	})
	if err != nil {
		return err
	}
	self := chain.Address{}
	if id := web.Caller(c); id != nil {
		self = id.User.Address
	}
	for _, a := range v.Accounts {
		if !a.Revoked {
			v.Active = append(v.Active, a)
			if a.Address != self { // the chain refuses to revoke oneself
				v.Others = append(v.Others, a)
			}
		}
	}
	return h.web.Render(c, http.StatusOK, v.Org.Name, Org(v))
}

func (h *Handler) addOrgForm(c echo.Context) error {
	pub, err := formPubKey(c, "admin_pubkey")
	if err != nil {
		return h.web.FormFailed(c, err, "/members")
	}
	msg := members.AddOrg{
		ID: strings.TrimSpace(c.FormValue("id")), Name: strings.TrimSpace(c.FormValue("name")), Roles: formRoles(c),
		AdminName: strings.TrimSpace(c.FormValue("admin_name")), AdminPubKey: pub,
	}
	return h.web.SubmitForm(c, members.ModuleName, members.TypeAddOrg, msg, "/members")
}

func (h *Handler) addAccountForm(c echo.Context) error {
	back, err := h.orgForm(c)
	if back == "" {
		return err
	}
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	pub, err := formPubKey(c, "pubkey")
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	msg := members.AddAccount{Name: strings.TrimSpace(c.FormValue("name")), PubKey: pub, Roles: formRoles(c)}
	return h.web.SubmitForm(c, members.ModuleName, members.TypeAddAccount, msg, back)
}

func (h *Handler) setAccountRolesForm(c echo.Context) error {
	back, err := h.orgForm(c)
	if back == "" {
		return err
	}
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	addr, err := formAddress(c)
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	msg := members.SetAccountRoles{Account: addr, Roles: formRoles(c)}
	return h.web.SubmitForm(c, members.ModuleName, members.TypeSetAccountRoles, msg, back)
}

func (h *Handler) revokeAccountForm(c echo.Context) error {
	back, err := h.orgForm(c)
	if back == "" {
		return err
	}
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	addr, err := formAddress(c)
	if err != nil {
		return h.web.FormFailed(c, err, back)
	}
	msg := members.RevokeAccount{Account: addr, Reason: strings.TrimSpace(c.FormValue("reason"))}
	return h.web.SubmitForm(c, members.ModuleName, members.TypeRevokeAccount, msg, back)
}

// orgForm checks a form posted to the page of the organisation in the path
// and returns that page, where the form goes back to. The messages act on
// the signer's own organisation, so a form posted to another's page is
// refused here rather than applied to the signer's.
func (h *Handler) orgForm(c echo.Context) (back string, err error) {
	id := c.Param("id")
	if err := members.ValidOrgID(id); err != nil {
		return "", err
	}
	back = orgPath(id)
	err = h.state.View(func(r chain.Reader) error {
		who, err := callerOf(c, r)
		if err == nil && who.org != id {
			err = members.ErrOtherOrg.Withf("you manage the accounts of your own organisation only, not of %q", id)
		}
		return err
	})
	return back, err
}

func orgPath(id string) string { return "/members/orgs/" + id }

// formRoles are the roles ticked in a form, in the order given.
func formRoles(c echo.Context) []string {
	params, _ := c.FormParams()
	roles := params["roles"]
	if roles == nil {
		roles = []string{}
	}
	return roles
}

func formPubKey(c echo.Context, field string) (chain.PubKey, error) {
	pub, err := chain.ParsePubKey(strings.TrimSpace(c.FormValue(field)))
	if err != nil {
		return pub, members.ErrInvalidPubKey.Withf("%s: %v", strings.ReplaceAll(field, "_", " "), err)
	}
	return pub, nil
}

func formAddress(c echo.Context) (chain.Address, error) {
	addr, err := chain.ParseAddress(strings.TrimSpace(c.FormValue("account")))
	if err != nil {
		return addr, members.ErrInvalidAddress.Withf("account: %v", err)
	}
	return addr, nil
}
