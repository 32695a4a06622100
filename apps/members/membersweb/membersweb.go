// Package membersweb serves the members API: the consortium's organisations
// and accounts for anyone to read, and the admin actions that change them,
// signed by the calling admin. The other apps' pages ask it who the
// signed-in member is (ViewerOf) and what an organisation is called.
package membersweb

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/web"
)

// Handler serves /api/v1/members.
type Handler struct {
	state chain.Viewer
	web   *web.Server
}

// New returns the handler.
func New(state chain.Viewer, srv *web.Server) *Handler {
	return &Handler{state: state, web: srv}
}

// Routes registers the routes on the API group.
func (h *Handler) Routes(api *echo.Group) {
	g := api.Group("/members")
	g.GET("/orgs", h.listOrgs)
	g.GET("/orgs/:id", h.getOrg)
	g.GET("/accounts/:address", h.getAccount)
	g.POST("/orgs", h.addOrg, h.web.RequireAuth)
	g.PUT("/orgs/:id/roles", h.setOrgRoles, h.web.RequireAuth)
	g.POST("/accounts", h.addAccount, h.web.RequireAuth)
	g.PUT("/accounts/:address/roles", h.setAccountRoles, h.web.RequireAuth)
	g.POST("/accounts/:address/revoke", h.revokeAccount, h.web.RequireAuth)
}

var errBadLimit = web.ErrBadRequest.Withf("limit must be a whole number")

func limit(c echo.Context) (int, error) {
	q := c.QueryParam("limit")
	if q == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(q)
	if err != nil {
		return 0, errBadLimit
	}
	return n, nil
}

func (h *Handler) listOrgs(c echo.Context) error {
	n, err := limit(c)
	if err != nil {
		return err
	}
	var page members.OrgPage
	err = h.state.View(func(r chain.Reader) (err error) {
		page, err = members.ListOrgs(r, c.QueryParam("after"), n)
		return err
	})
	if err != nil {
		return err
	}
	return web.JSON(c, page)
}

// OrgView is an organisation with a page of its accounts.
type OrgView struct {
	members.Org
	Accounts members.AccountPage `json:"accounts"`
}

func (h *Handler) getOrg(c echo.Context) error {
	n, err := limit(c)
	if err != nil {
		return err
	}
	var view OrgView
	err = h.state.View(func(r chain.Reader) (err error) {
		if view.Org, err = members.GetOrg(r, c.Param("id")); err != nil {
			return err
		}
		view.Accounts, err = members.ListAccounts(r, view.ID, c.QueryParam("after"), n)
		return err
	})
	if err != nil {
		return err
	}
	return web.JSON(c, view)
}

// AccountView is an account with the roles it can use now.
type AccountView struct {
	members.Account
	EffectiveRoles []string `json:"effective_roles"`
}

func (h *Handler) getAccount(c echo.Context) error {
	addr, err := parseAddress(c)
	if err != nil {
		return err
	}
	var view AccountView
	err = h.state.View(func(r chain.Reader) (err error) {
		if view.Account, err = members.GetAccount(r, addr); err != nil {
			return err
		}
		view.EffectiveRoles, err = members.NewKeeper().EffectiveRoles(r, addr)
		return err
	})
	if err != nil {
		return err
	}
	if view.EffectiveRoles == nil {
		view.EffectiveRoles = []string{}
	}
	return web.JSON(c, view)
}

func parseAddress(c echo.Context) (chain.Address, error) {
	addr, err := chain.ParseAddress(c.Param("address"))
	if err != nil {
		return addr, members.ErrInvalidAddress.Withf("account address: %v", err)
	}
	return addr, nil
}

func (h *Handler) addOrg(c echo.Context) error {
	var msg members.AddOrg
	if err := web.BindJSON(c, &msg); err != nil {
		return err
	}
	return h.web.SubmitAs(c, members.ModuleName, members.TypeAddOrg, msg)
}

func (h *Handler) setOrgRoles(c echo.Context) error {
	roles, err := bindRoles(c)
	if err != nil {
		return err
	}
	msg := members.SetOrgRoles{Org: c.Param("id"), Roles: roles}
	return h.web.SubmitAs(c, members.ModuleName, members.TypeSetOrgRoles, msg)
}

// bindRoles reads the body {"roles": [...]} of a PUT that replaces roles.
// The list is required: a body without it (a forgotten field, or null)
// would otherwise take every role away.
func bindRoles(c echo.Context) ([]string, error) {
	var body struct {
		Roles *[]string `json:"roles"`
	}
	if err := web.BindJSON(c, &body); err != nil {
		return nil, err
	}
	if body.Roles == nil {
		return nil, web.ErrBadRequest.Withf(`roles is required: the full list of roles to hold, [] for none`)
	}
	return *body.Roles, nil
}

func (h *Handler) addAccount(c echo.Context) error {
	var msg members.AddAccount
	if err := web.BindJSON(c, &msg); err != nil {
		return err
	}
	return h.web.SubmitAs(c, members.ModuleName, members.TypeAddAccount, msg)
}

func (h *Handler) setAccountRoles(c echo.Context) error {
	addr, err := parseAddress(c)
	if err != nil {
		return err
	}
	roles, err := bindRoles(c)
	if err != nil {
		return err
	}
	return h.web.SubmitAs(c, members.ModuleName, members.TypeSetAccountRoles, members.SetAccountRoles{Account: addr, Roles: roles})
}

func (h *Handler) revokeAccount(c echo.Context) error {
	addr, err := parseAddress(c)
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := web.BindJSON(c, &body); err != nil {
		return err
	}
	return h.web.SubmitAs(c, members.ModuleName, members.TypeRevokeAccount, members.RevokeAccount{Account: addr, Reason: body.Reason})
}
