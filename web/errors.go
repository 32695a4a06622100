package web

import (
	"errors"
	"net/http"
	"strings"
	"syscall"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/shared/errs"
)

// Errors of the HTTP layer itself.
var (
	ErrNotFound     = errs.New(errs.KindNotFound, "http.not_found", "no such page or endpoint")
	ErrBadRequest   = errs.New(errs.KindInvalid, "http.bad_request", "bad request")
	ErrTooLarge     = errs.New(errs.KindTooLarge, "http.too_large", "request body too large")
	ErrMethod       = errs.New(errs.KindInvalid, "http.method_not_allowed", "method not allowed")
	ErrUnauthorized = errs.New(errs.KindUnauthorized, "http.unauthorized", "authentication required")
	ErrForbidden    = errs.New(errs.KindForbidden, "http.forbidden", "forbidden")
	ErrCSRF         = errs.New(errs.KindForbidden, "http.csrf", "missing or invalid CSRF token: reload the page and try again")
	// ErrRateLimited answers 429 (statusOf), though its kind says 503: a
	// retry later may succeed.
	ErrRateLimited = errs.New(errs.KindUnavailable, "http.rate_limited", "too many attempts: wait a minute and try again")
)

// Status is the HTTP status for an error kind: the one mapping in the code.
func Status(k errs.Kind) int {
	switch k {
	case errs.KindInvalid:
		return http.StatusBadRequest
	case errs.KindUnauthorized:
		return http.StatusUnauthorized
	case errs.KindForbidden:
		return http.StatusForbidden
	case errs.KindNotFound:
		return http.StatusNotFound
	case errs.KindConflict:
		return http.StatusConflict
	case errs.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case errs.KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// ErrorBody is the JSON every failed API call answers with.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is a coded error as API clients see it.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// fromEcho turns echo's own errors (unknown route, body limit, bad binding)
// into coded ones.
func fromEcho(he *echo.HTTPError) *errs.Error {
	msg, _ := he.Message.(string)
	switch he.Code {
	case http.StatusNotFound:
		return ErrNotFound
	case http.StatusMethodNotAllowed:
		return ErrMethod
	case http.StatusRequestEntityTooLarge:
		return ErrTooLarge
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusForbidden:
		return ErrForbidden
	case http.StatusTooManyRequests:
		return ErrRateLimited
	}
	if he.Code >= 500 {
		return errs.Internal
	}
	if msg == "" {
		return ErrBadRequest
	}
	return ErrBadRequest.Withf("%s", msg)
}

// handleError is echo's error handler: the one place errors become responses.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Request().Context().Err() != nil || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
		// The client went away (a cancelled download fails with a reset
		// or a broken pipe): nobody to answer, nothing went wrong here.
		return
	}
	if c.Response().Committed {
		// Too late to answer with it (a disk or S3 failure in the middle
		// of a download): the client sees a cut body, the operator this.
		s.logger.Warn("request failed after its answer began", "request_id", requestID(c), "method", c.Request().Method,
			"path", c.Request().URL.Path, "err", err)
		return
	}
	var e *errs.Error
	var he *echo.HTTPError
	if errors.As(err, &he) && !hasCode(err) {
		e = fromEcho(he)
	} else {
		e = errs.As(err)
	}
	status := statusOf(e)
	if status >= 500 {
		s.logger.Error("request failed", "request_id", requestID(c), "method", c.Request().Method,
			"path", c.Request().URL.Path, "code", e.Code, "err", err)
		if e.Kind == errs.KindInternal {
			// Internal details stay in the log, keyed by the request id.
			e = errs.Internal.Withf("internal error (request %s)", requestID(c))
		}
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if wantsHTML(c) {
		_ = s.renderError(c, status, e.Code, e.Message)
		return
	}
	_ = c.JSON(status, ErrorBody{Error: ErrorDetail{Code: e.Code, Message: e.Message}})
}

// statusOf is the HTTP status of a coded error: its kind's, except for
// codes HTTP has a more precise status for.
func statusOf(e *errs.Error) int {
	switch e.Code {
	case ErrRateLimited.Code:
		return http.StatusTooManyRequests
	case ErrMethod.Code:
		return http.StatusMethodNotAllowed
	}
	return Status(e.Kind)
}

func hasCode(err error) bool {
	var e *errs.Error
	return errors.As(err, &e)
}

// wantsHTML reports whether the request is a page view rather than an API
// call: API paths always get JSON.
func wantsHTML(c echo.Context) bool {
	if !isPage(c.Request().URL.Path) {
		return false
	}
	return strings.Contains(c.Request().Header.Get("Accept"), "text/html")
}
