package web

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/web/views"
)

// AccountRoles reads from committed state what an account may do: the
// roles it may act with now, and (Authorize with no role) whether it is an
// active account at all. Members' keeper is one.
type AccountRoles interface {
	chain.Authorizer
	EffectiveRoles(r chain.Reader, addr chain.Address) ([]string, error)
}

// frame is what the layout shows around a page's content.
type frame struct {
	Title   string
	Section string // the navigation entry to highlight
	User    *frameUser
	CSRF    string
	Flashes []Flash
	Version string
}

// frameUser is the signed-in user as the layout shows it.
type frameUser struct {
	Username string
	Org      string
}

// isPage reports whether a path is a page, rather than the API, a static
// asset or an endpoint for machines. Pages get sessions and CSRF checks.
func isPage(p string) bool {
	switch {
	case strings.HasPrefix(p, "/api/"), strings.HasPrefix(p, "/static/"):
		return false
	case p == "/healthz", p == "/readyz", p == "/metrics":
		return false
	}
	return true
}

// usePages adds what pages need to the server: sessions, CSRF checks, static
// assets, and the pages of the platform itself (dashboard, explorer, sign-in,
// account). Apps add theirs to Echo().
func (s *Server) usePages(d Deps) {
	s.state, s.roles, s.sessions, s.signIns = d.State, d.Roles, newSessionStore(), newSignInLimiter()
	e := s.echo
	e.Use(s.loadSession, s.csrf())
	e.GET("/static/*", serveStatic)

	e.GET("/", s.dashboard)
	e.GET("/blocks", s.blocksPage)
	e.GET("/blocks/:height", s.blockPage)
	e.GET("/txs/:hash", s.txPage)

	e.GET("/login", s.loginPage)
	e.POST("/login", s.login)
	e.POST("/logout", s.logout)
	e.GET("/account", s.accountPage, s.RequireLogin)
	e.GET("/account/tokens", s.tokensPage, s.RequireLogin)
	e.POST("/account/tokens", s.createToken, s.RequireLogin)
	e.POST("/account/tokens/:id/revoke", s.revokeToken, s.RequireLogin)

	// The apps' consoles, until each app brings its own pages: echo keeps
	// the last handler registered for a route, so an app's page replaces
	// its placeholder.
	for _, app := range views.ComingSoonApps {
		e.GET(app.Path, func(c echo.Context) error {
			return s.Render(c, http.StatusOK, app.Name, views.ComingSoon(app))
		})
	}
}

// Render answers with a page: content inside the layout, which shows the
// signed-in user, navigation and any flash messages. Pages are never cached:
// they show live chain state and the user's own data.
func (s *Server) Render(c echo.Context, status int, title string, content templ.Component) error {
	var buf bytes.Buffer
	ctx := templ.WithChildren(c.Request().Context(), content)
	if err := layout(s.frame(c, title)).Render(ctx, &buf); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

func (s *Server) frame(c echo.Context, title string) frame {
	p := frame{Title: title, Section: section(c.Request().URL.Path), CSRF: CSRFToken(c), Version: s.version}
	if id := Caller(c); id != nil {
		p.User = &frameUser{Username: id.User.Username, Org: id.User.Org}
		p.Flashes = s.takeFlashes(c)
	}
	return p
}

// section is the navigation entry a path belongs to.
func section(path string) string {
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	switch first {
	case "":
		return "dashboard"
	case "blocks", "txs":
		return "explorer"
	case "works": // the copyright registry's public pages
		return "copyright"
	}
	return first
}

// renderError shows a failed page request inside the layout.
func (s *Server) renderError(c echo.Context, status int, code, message string) error {
	v := views.ErrorView{Status: status, StatusText: http.StatusText(status), Code: code, Message: message}
	if err := s.Render(c, status, v.Title(), views.Error(v)); err != nil {
		return c.String(status, message)
	}
	return nil
}

// Echo is the server's router, for apps to add their pages to.
func (s *Server) Echo() *echo.Echo { return s.echo }
