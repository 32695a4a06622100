package tx

import "github.com/chancery/chancery/shared/errs"

// Codes of transactions refused before any module sees them. The ABCI
// application returns them from CheckTx and FinalizeBlock.
var (
	ErrMalformed    = errs.New(errs.KindInvalid, "tx.malformed", "malformed transaction")
	ErrTooLarge     = errs.New(errs.KindTooLarge, "tx.too_large", "transaction too large")
	ErrBadSignature = errs.New(errs.KindInvalid, "tx.bad_signature", "signature does not verify")
	ErrWrongChain   = errs.New(errs.KindInvalid, "tx.wrong_chain", "transaction is for another chain")
	ErrExpired      = errs.New(errs.KindInvalid, "tx.expired", "transaction expired")
	ErrTooFar       = errs.New(errs.KindInvalid, "tx.valid_until_too_far", "valid_until is too far ahead")
	ErrReplayed     = errs.New(errs.KindConflict, "tx.replayed", "transaction was already executed")
	ErrUnknownRoute = errs.New(errs.KindInvalid, "tx.unknown_message", "unknown module or message type")
)
