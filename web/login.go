package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/web/keyring"
	"github.com/chancery/chancery/web/views"
)

// maxNextLen bounds the page a sign-in returns to.
const maxNextLen = 2048

func (s *Server) loginPage(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if Caller(c) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	return s.Render(c, http.StatusOK, "Sign in", views.Login(views.LoginView{
		CSRF: CSRFToken(c), Next: nextField(next), SignedOut: c.QueryParam("signed_out") != "",
	}))
}

// login checks the password by unwrapping the user's key with it and keeps
// the key in a new session. Every failure reads the same, so the form tells
// nobody which usernames exist.
//
// Each address has a few attempts a minute (signInLimiter), taken before
// the password is checked and given back by a sign-in that succeeds, and
// only as many passwords are checked at once as there are cores.
func (s *Server) login(c echo.Context) error {
	remote := echo.ExtractIPDirect()(c.Request())
	if !s.signIns.take(remote, time.Now()) {
		c.Response().Header().Set("Retry-After", "60")
		return ErrRateLimited
	}
	username, password := strings.TrimSpace(c.FormValue("username")), c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	select {
	case s.signIns.hashing <- struct{}{}:
	case <-c.Request().Context().Done():
		return c.Request().Context().Err()
	}
	user, key, err := s.keyring.Login(username, password)
	<-s.signIns.hashing
	if errors.Is(err, keyring.ErrBadCredentials) {
		// A password typed into the username field must not reach the log.
		logged := username
		if keyring.ValidateUsername(username) != nil {
			logged = "(not a username)"
		}
		s.logger.Info("sign-in failed", "username", logged, "remote", remote)
		return s.Render(c, http.StatusUnauthorized, "Sign in", views.Login(views.LoginView{
			CSRF: CSRFToken(c), Username: username, Next: nextField(next), Error: keyring.ErrBadCredentials.Message,
		}))
	}
	if err != nil {
		return err
	}
	s.signIns.giveBack(remote)
	s.startSession(c, user, key)
	s.logger.Info("signed in", "username", user.Username, "remote", remote)
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logout(c echo.Context) error {
	s.endSession(c)
	return c.Redirect(http.StatusSeeOther, "/login?signed_out=1")
}

// safeNext returns next if it is a path on this site, else "/": a sign-in
// link must never send the user on to another site.
func safeNext(next string) string { return LocalPath(next, "/") }

// LocalPath returns p if it is a path on this site, else fallback: where a
// form's "back" or a sign-in's "next" sends the browser must never be
// another site.
func LocalPath(p, fallback string) string {
	if p == "" || len(p) > maxNextLen || p[0] != '/' || strings.HasPrefix(p, "//") {
		return fallback
	}
	for _, r := range p {
		// Browsers read a backslash as a slash ("/\evil.example") and drop
		// tabs and newlines ("/\t/evil.example"); control characters have no
		// place in a path.
		if r == '\\' || r < 0x20 || r == 0x7f {
			return fallback
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return fallback
	}
	return p
}

// nextField is next as the form carries it: empty for the default.
func nextField(next string) string {
	if next == "/" {
		return ""
	}
	return next
}
