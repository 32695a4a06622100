package web

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// CSRF protection of pages: a random token in a cookie (HttpOnly, SameSite
// Lax) that every form sends back in the hidden field _csrf, and scripts in
// the header X-CSRF-Token. echo's middleware checks it; browsers that send
// Sec-Fetch-Site are also judged by it. API calls with a Bearer token carry no
// ambient credential and need none; API calls with the session cookie are
// checked by RequireAuth.
const (
	CSRFCookie    = "_csrf"
	CSRFFormField = "_csrf"
	CSRFHeader    = echo.HeaderXCSRFToken

	csrfContextKey = "csrf"
	csrfMaxAge     = 24 * time.Hour
)

// csrf returns the CSRF middleware of page requests.
func (s *Server) csrf() echo.MiddlewareFunc {
	plain, secure := csrfMiddleware(false), csrfMiddleware(true)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !isPage(c.Request().URL.Path) {
				return next(c)
			}
			if err := s.boundPageBody(c); err != nil {
				return err
			}
			if isHTTPS(c) {
				return secure(ensureCSRFCookie(true)(next))(c)
			}
			return plain(ensureCSRFCookie(false)(next))(c)
		}
	}
}

// boundPageBody limits what a page request can make the server read before
// its CSRF token is checked: echo looks the token up in the form, which
// parses the whole body. A form is at most the body limit. A multipart body
// is a file upload, which only a signed-in user may send (the blob store
// bounds each file); anyone else's is refused unread.
func (s *Server) boundPageBody(c echo.Context) error {
	r := c.Request()
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if IsMultipart(c) {
		if Caller(c) == nil {
			return ErrUnauthorized.Withf("sign in to upload files")
		}
		return nil
	}
	if r.ContentLength > s.cfg.BodyLimit {
		return ErrTooLarge.Withf("a form is at most %d bytes", s.cfg.BodyLimit)
	}
	r.Body = &pageBody{ReadCloser: http.MaxBytesReader(c.Response(), r.Body, s.cfg.BodyLimit)}
	return nil
}

// pageBody is a page request's body cut at the body limit, remembering
// whether it was: the CSRF check, which reads it for the token, then says
// the form was too large rather than that the token was missing.
type pageBody struct {
	io.ReadCloser
	over bool
}

func (b *pageBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		b.over = true
	}
	return n, err
}

// csrfMiddleware is echo's, configured for pages. Its Secure flag is fixed,
// hence one for TLS requests and one for the others.
func csrfMiddleware(secure bool) echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		// The header first: reading the form field parses the body, which a
		// streamed multipart upload must not have done to it.
		TokenLookup:    "header:" + CSRFHeader + ",form:" + CSRFFormField,
		ContextKey:     csrfContextKey,
		CookieName:     CSRFCookie,
		CookiePath:     "/",
		CookieMaxAge:   int(csrfMaxAge / time.Second),
		CookieHTTPOnly: true,
		CookieSecure:   secure,
		CookieSameSite: http.SameSiteLaxMode,
		// Every failure is the same coded 403, whatever echo found wrong,
		// but for a form cut at the body limit before its token.
		ErrorHandler: func(_ error, c echo.Context) error {
			if b, ok := c.Request().Body.(*pageBody); ok && b.over {
				return ErrTooLarge
			}
			return ErrCSRF
		},
		AllowSecFetchSiteFunc: func(c echo.Context) (bool, error) {
			if c.Request().Header.Get(echo.HeaderSecFetchSite) == "same-site" {
				return false, nil // a sibling site: let the token decide
			}
			return false, ErrCSRF.Withf("cross-site form submission refused")
		},
	})
}

// ensureCSRFCookie gives every page a real token. echo lets a browser that
// sends Sec-Fetch-Site through on that header alone and then hands pages a
// placeholder instead of a token, setting no cookie; pages would then embed a
// value that a script calling the API could never match.
func ensureCSRFCookie(secure bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Get(csrfContextKey) != middleware.CSRFUsingSecFetchSite {
				return next(c)
			}
			token := rand.Text()
			if ck, err := c.Cookie(CSRFCookie); err == nil && ck.Value != "" {
				token = ck.Value
			}
			setCSRFToken(c, token, secure)
			return next(c)
		}
	}
}

// setCSRFToken makes token the browser's CSRF token, in its cookie and for
// the page being answered.
func setCSRFToken(c echo.Context, token string, secure bool) {
	c.SetCookie(&http.Cookie{
		Name: CSRFCookie, Value: token, Path: "/", MaxAge: int(csrfMaxAge / time.Second),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	})
	c.Set(csrfContextKey, token)
}

// CSRFToken is the token a page's forms must send back in the field _csrf.
func CSRFToken(c echo.Context) string {
	if t, ok := c.Get(csrfContextKey).(string); ok && t != middleware.CSRFUsingSecFetchSite {
		return t
	}
	// The CSRF check failed or did not run (error pages): the cookie, if
	// any, still holds the browser's token.
	if ck, err := c.Cookie(CSRFCookie); err == nil {
		return ck.Value
	}
	return ""
}

// checkCSRFHeader checks an API call authenticated by the session cookie:
// unsafe methods, and safe ones that sign (signs), must echo the CSRF
// cookie in X-CSRF-Token.
func checkCSRFHeader(c echo.Context, signs bool) error {
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		if !signs {
			return nil
		}
	}
	ck, err := c.Cookie(CSRFCookie)
	header := c.Request().Header.Get(CSRFHeader)
	if err != nil || ck.Value == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(header)) != 1 {
		return ErrCSRF.Withf("a call with the session cookie must send the CSRF token in the %s header", CSRFHeader)
	}
	return nil
}
