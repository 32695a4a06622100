package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/web/keyring"
	"github.com/chancery/chancery/web/views"
)

// accountPage shows who the user is and the roles the chain lets the
// account act with now (which the keyring's copy may lag behind).
func (s *Server) accountPage(c echo.Context) error {
	u := Caller(c).User
	v := views.AccountView{Username: u.Username, Org: u.Org, Address: u.Address.String(), PubKey: u.PubKey.String()}
	if s.state != nil && s.roles != nil {
		err := s.state.View(func(r chain.Reader) error {
			roles, err := s.roles.EffectiveRoles(r, u.Address)
			if err != nil {
				return err
			}
			// Asking for no role fails only for a revoked account.
			v.OnChain, v.Roles, v.Revoked = true, roles, s.roles.Authorize(r, u.Address, "") != nil
			return nil
		})
		if err != nil && errs.As(err).Kind != errs.KindNotFound {
			return err
		}
	}
	return s.Render(c, http.StatusOK, "Your account", views.Account(v))
}

func (s *Server) tokensPage(c echo.Context) error {
	toks, err := s.keyring.ListTokens(Caller(c).User.Username)
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "API tokens", views.Tokens(views.TokensView{CSRF: CSRFToken(c), Tokens: toks}))
}

// createToken wraps the session's key under a new token and shows the
// secret on the answer to the form, the one time it is ever shown. The
// answer is not cached, and reloading it would make another token, not show
// this one again.
func (s *Server) createToken(c echo.Context) error {
	id := Caller(c)
	secret, tok, err := s.keyring.CreateToken(id.User.Username, id.key, strings.TrimSpace(c.FormValue("name")))
	if errors.Is(err, keyring.ErrInvalidTokenName) {
		s.Flash(c, FlashError, err.Error(), "")
		return c.Redirect(http.StatusSeeOther, "/account/tokens")
	}
	if err != nil {
		return err
	}
	s.logger.Info("api token created", "username", id.User.Username, "token", tok.ID)
	return s.Render(c, http.StatusOK, "Token created", views.TokenCreated(views.TokenCreatedView{Token: tok, Secret: secret}))
}

func (s *Server) revokeToken(c echo.Context) error {
	u := Caller(c).User
	tokenID := c.Param("id")
	err := s.keyring.RevokeToken(u.Username, tokenID)
	switch {
	case errors.Is(err, keyring.ErrTokenNotFound):
		s.Flash(c, FlashError, err.Error(), "")
	case err != nil:
		return err
	default:
		s.logger.Info("api token revoked", "username", u.Username, "token", tokenID)
		s.Flash(c, FlashSuccess, "Token "+tokenID+" revoked.", "")
	}
	return c.Redirect(http.StatusSeeOther, "/account/tokens")
}
