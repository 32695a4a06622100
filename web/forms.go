package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/shared/errs"
)

// SubmitForm signs msg as the signed-in user with the session's key,
// submits it, and sends the browser back to back with the outcome as a flash
// message: "committed at height N", "pending: tx <hash>", or what went
// wrong. Handlers of page forms that write end with it, as API handlers end
// with SubmitAs.
func (s *Server) SubmitForm(c echo.Context, module, typ string, msg any, back string) error {
	id := Caller(c)
	if id == nil {
		return ErrUnauthorized
	}
	sub, err := s.Sign(c.Request().Context(), id, module, typ, msg)
	if err != nil {
		return s.FormFailed(c, err, back)
	}
	s.flashSubmission(c, sub)
	return c.Redirect(http.StatusSeeOther, back)
}

// FormFailed sends the browser back to back with err as a flash message.
// Internal errors are logged and shown only by the request's id.
func (s *Server) FormFailed(c echo.Context, err error, back string) error {
	e := errs.As(err)
	text := e.Message
	if e.Kind == errs.KindInternal {
		s.logger.Error("form failed", "request_id", requestID(c), "path", c.Request().URL.Path, "err", err)
		text = fmt.Sprintf("internal error (request %s)", requestID(c))
	}
	s.Flash(c, FlashError, text, "")
	return c.Redirect(http.StatusSeeOther, back)
}

func (s *Server) flashSubmission(c echo.Context, sub node.Submission) {
	href := txPath(sub.Hash)
	switch {
	case sub.Result == nil:
		s.Flash(c, FlashInfo, "pending: tx "+sub.Hash.String(), href)
	case !sub.Result.OK():
		e := errs.FromResult(sub.Result.Code, sub.Result.Codespace, sub.Result.Log)
		s.Flash(c, FlashError, e.Message, href)
	default:
		s.Flash(c, FlashSuccess, fmt.Sprintf("committed at height %d", sub.Result.Height), href)
	}
}

func txPath(h chain.Hash) string { return "/txs/" + h.String() }
