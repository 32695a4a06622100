package web

import (
	"crypto/ed25519"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/web/keyring"
)

// Identity is the signed-in user of a request, with the account key that was
// unwrapped for it. The key lives only as long as the request (or, for
// pages, the server-side session).
type Identity struct {
	User keyring.User
	key  ed25519.PrivateKey
}

const identityKey = "chancery.identity"

// Caller returns the request's identity, or nil for an anonymous request.
func Caller(c echo.Context) *Identity {
	id, _ := c.Get(identityKey).(*Identity)
	return id
}

// RequireAuth lets a request through only with a valid API token
// ("Authorization: Bearer chy_…") or the cookie of a signed-in page session;
// with the cookie, unsafe methods must also send the CSRF token in the
// X-CSRF-Token header.
func (s *Server) RequireAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return s.requireAuth(next, false)
}

// RequireAuthToSign is RequireAuth for a GET that signs a transaction as the
// caller, such as a download that records its access: with the session
// cookie it needs the CSRF header as an unsafe method does, or any site
// could make a signed-in browser sign by linking to it.
func (s *Server) RequireAuthToSign(next echo.HandlerFunc) echo.HandlerFunc {
	return s.requireAuth(next, true)
}

func (s *Server) requireAuth(next echo.HandlerFunc, signs bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, ok := bearerToken(c)
		if !ok {
			if id, ok := s.sessionIdentity(c); ok {
				if err := checkCSRFHeader(c, signs); err != nil {
					return err
				}
				c.Set(identityKey, id)
				return next(c)
			}
			return ErrUnauthorized.Withf("authentication required: send \"Authorization: Bearer <api-token>\" or sign in")
		}
		user, key, err := s.keyring.AuthenticateToken(token)
		if err != nil {
			return err
		}
		defer clear(key) // unwrapped for this request only
		c.Set(identityKey, &Identity{User: user, key: key})
		return next(c)
	}
}

func bearerToken(c echo.Context) (string, bool) {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}
