package abciapp

import "github.com/chancery/chancery/shared/errs"

var (
	errWrongHeight = errs.New(errs.KindInternal, "chain.wrong_height", "block height out of sequence")
	errPanic       = errs.New(errs.KindInternal, "chain.handler_panic", "message handler failed")
	errGenesis     = errs.New(errs.KindInvalid, "chain.bad_genesis", "invalid genesis app state")
)
