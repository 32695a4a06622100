package membersweb

import (
	"errors"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/web"
)

// Viewer is the signed-in user's account as the chain sees it now: what the
// apps' pages read to offer the forms the chain would accept from it (the
// chain checks again when the form is signed). The zero Viewer — anonymous,
// or an account missing or revoked — has no organisation and no role.
type Viewer struct {
	Addr  chain.Address
	Org   string
	Roles []string
}

// Active reports whether the viewer has an account, not revoked.
func (v Viewer) Active() bool { return v.Org != "" }

// Has reports whether the viewer may act with role.
func (v Viewer) Has(role string) bool { return slices.Contains(v.Roles, role) }

// ViewerOf reads the signed-in user's account.
func ViewerOf(c echo.Context, r chain.Reader) (Viewer, error) {
	id := web.Caller(c)
	if id == nil {
		return Viewer{}, nil
	}
	acc, err := members.GetAccount(r, id.User.Address)
	if errors.Is(err, members.ErrAccountNotFound) || (err == nil && acc.Revoked) {
		return Viewer{}, nil
	}
	if err != nil {
		return Viewer{}, err
	}
	roles, err := members.NewKeeper().EffectiveRoles(r, id.User.Address)
	return Viewer{Addr: id.User.Address, Org: acc.Org, Roles: roles}, err
}

// OrgName is an organisation's name, or its id when it has none on chain.
func OrgName(r chain.Reader, id string) string {
	if o, err := members.GetOrg(r, id); err == nil && o.Name != "" {
		return o.Name
	}
	return id
}
