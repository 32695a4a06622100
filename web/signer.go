package web

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/chain/tx"
)

// TxValidity is how many blocks a transaction signed by the server stays
// valid: long enough to ride out a slow block, short enough that the chain
// forgets it soon.
const TxValidity = 100

// Sign builds a transaction carrying msg, signs it with the identity's key
// and submits it, waiting up to the configured time for its block.
func (s *Server) Sign(ctx context.Context, id *Identity, module, typ string, msg any) (node.Submission, error) {
	st, err := s.chain.Status()
	if err != nil {
		return node.Submission{}, err
	}
	body, err := tx.NewBody(st.ChainID, module, typ, msg, id.User.PubKey, st.Height+TxValidity)
	if err != nil {
		return node.Submission{}, err
	}
	raw, err := tx.Sign(body, id.key)
	if err != nil {
		return node.Submission{}, err
	}
	return s.chain.Submit(ctx, raw, s.cfg.SubmitWait)
}

// SubmitAs signs msg as the request's caller, submits it and answers: 202
// with the hash and status, or the coded error. Handlers of writes end with
// it.
func (s *Server) SubmitAs(c echo.Context, module, typ string, msg any) error {
	id := Caller(c)
	if id == nil {
		return ErrUnauthorized
	}
	sub, err := s.Sign(c.Request().Context(), id, module, typ, msg)
	if err != nil {
		return err
	}
	return respondSubmission(c, sub)
}

// RespondSubmission answers a write signed with Sign as SubmitAs does, for
// handlers that look at the outcome first (to answer some refusals with
// more than the error).
func RespondSubmission(c echo.Context, sub node.Submission) error { return respondSubmission(c, sub) }

// JSON answers 200 with v.
func JSON(c echo.Context, v any) error { return c.JSON(http.StatusOK, v) }
