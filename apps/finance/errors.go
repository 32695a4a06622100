package finance

import "github.com/chancery/chancery/shared/errs"

// Errors of bad input: 400.
var (
	ErrInvalid         = errs.New(errs.KindInvalid, "finance.invalid", "invalid finance message")
	ErrInvalidHash     = errs.New(errs.KindInvalid, "finance.invalid_hash", "a document hash is missing")
	ErrInvalidAmount   = errs.New(errs.KindInvalid, "finance.invalid_amount", "amounts must be positive")
	ErrOverflow        = errs.New(errs.KindInvalid, "finance.overflow", "the amount is out of range")
	ErrUnknownCurrency = errs.New(errs.KindInvalid, "finance.unknown_currency", "not an active ISO 4217 currency")
	ErrDueDate         = errs.New(errs.KindInvalid, "finance.invalid_due_date", "the due date must be after the block date")
	ErrInvalidSplit    = errs.New(errs.KindInvalid, "finance.invalid_split", "a split makes too few or too many pieces")
	ErrSplitSum        = errs.New(errs.KindInvalid, "finance.split_sum", "the pieces do not sum to the piece split")
	ErrInvalidRate     = errs.New(errs.KindInvalid, "finance.invalid_rate", "invalid discount rate")
	ErrInvalidParty    = errs.New(errs.KindInvalid, "finance.invalid_party", "the counterparty is not a member account that may take part")
	ErrNotSupplier     = errs.New(errs.KindInvalid, "finance.not_supplier", "the recipient is not a supplier")
	ErrNotBank         = errs.New(errs.KindInvalid, "finance.not_bank", "the account is not a bank's")
	ErrInvalidCursor   = errs.New(errs.KindInvalid, "finance.invalid_cursor", "invalid page cursor")
)

// Errors of the actor: 403 (a missing role is members.missing_role).
var (
	ErrNotHolder    = errs.New(errs.KindForbidden, "finance.not_holder", "only the holder of the piece may do this")
	ErrNotIssuer    = errs.New(errs.KindForbidden, "finance.not_issuer", "only the issuing core enterprise may do this")
	ErrNotAskedBank = errs.New(errs.KindForbidden, "finance.not_requested_bank", "the financing request is addressed to another bank")
)

// ErrNotFound is a lookup of an unknown piece: 404.
var ErrNotFound = errs.New(errs.KindNotFound, "finance.not_found", "no such receivable")

// Errors of a piece's state: 409.
var (
	ErrInvoiceUsed      = errs.New(errs.KindConflict, "finance.invoice_used", "the invoice already backs a receivable")
	ErrNotAccepted      = errs.New(errs.KindConflict, "finance.not_accepted", "the receivable is not accepted yet")
	ErrAlreadyAccepted  = errs.New(errs.KindConflict, "finance.already_accepted", "the receivable is already accepted")
	ErrCancelled        = errs.New(errs.KindConflict, "finance.cancelled", "the receivable was cancelled by its issuer")
	ErrRejected         = errs.New(errs.KindConflict, "finance.rejected", "the receivable was rejected")
	ErrClosed           = errs.New(errs.KindConflict, "finance.closed", "the piece is closed: it was split")
	ErrFinancingPending = errs.New(errs.KindConflict, "finance.financing_pending", "the piece awaits a bank's answer")
	ErrRequestBinding   = errs.New(errs.KindConflict, "finance.request_binding", "the financing request still binds its holder")
	ErrRateAboveLimit   = errs.New(errs.KindConflict, "finance.rate_above_limit", "the rate is above the highest the holder accepts")
	ErrTreeFull         = errs.New(errs.KindConflict, "finance.tree_full", "the receivable has as many pieces as it may")
	ErrSettleTooLarge   = errs.New(errs.KindConflict, "finance.settle_too_large", "too many pieces to settle at once")
	ErrNoRequest        = errs.New(errs.KindConflict, "finance.no_request", "no financing of the piece is requested")
	ErrFinanced         = errs.New(errs.KindConflict, "finance.already_financed", "the piece is already financed")
	ErrSettled          = errs.New(errs.KindConflict, "finance.settled", "the piece is settled")
	ErrOverdue          = errs.New(errs.KindConflict, "finance.overdue", "the piece is overdue")
)
