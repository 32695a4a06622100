package receipt

import "github.com/chancery/chancery/shared/errs"

var (
	// ErrInvalid: a receipt is malformed or one of its checks failed. The
	// message names the first check that failed ("commit of height 12: …").
	ErrInvalid = errs.New(errs.KindInvalid, "receipt.invalid", "receipt does not verify")
	// ErrNotReady: the transaction is committed but the block after it, whose
	// header commits to its result, is not yet. Retrying a moment later
	// succeeds; the API answers 202 with a retry hint.
	ErrNotReady = errs.New(errs.KindUnavailable, "receipt.not_ready", "receipt not ready: the next block is not committed yet")
	// ErrBuild: the node's stores do not hold what a receipt needs (a pruned
	// block, results discarded) or disagree with the application's index.
	ErrBuild = errs.New(errs.KindInternal, "receipt.build_failed", "cannot build receipt")
)
