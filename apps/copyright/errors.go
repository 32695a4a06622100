package copyright

import "github.com/chancery/chancery/shared/errs"

// Errors of messages (400).
var (
	ErrInvalid         = errs.New(errs.KindInvalid, "copyright.invalid", "invalid copyright message")
	ErrInvalidHash     = errs.New(errs.KindInvalid, "copyright.invalid_hash", "sha256 must be 64 hex characters")
	ErrBadShares       = errs.New(errs.KindInvalid, "copyright.bad_shares", "holder shares must each be positive and sum to exactly 10,000 basis points")
	ErrBadDates        = errs.New(errs.KindInvalid, "copyright.bad_dates", "invalid dates")
	ErrUnknownAccount  = errs.New(errs.KindInvalid, "copyright.unknown_account", "not an active member account or organisation")
	ErrUnknownEvidence = errs.New(errs.KindInvalid, "copyright.unknown_evidence", "no such evidence deposit")
	ErrBadQuery        = errs.New(errs.KindInvalid, "copyright.bad_query", "invalid search")
)

// Errors of lookups (404).
var (
	ErrNotFound        = errs.New(errs.KindNotFound, "copyright.not_found", "no such work")
	ErrLicenseNotFound = errs.New(errs.KindNotFound, "copyright.license_not_found", "no such license")
	ErrDisputeNotFound = errs.New(errs.KindNotFound, "copyright.dispute_not_found", "no such dispute")
)

// Errors of state (409).
var (
	ErrDuplicate       = errs.New(errs.KindConflict, "copyright.duplicate", "this content is already registered")
	ErrTransferPending = errs.New(errs.KindConflict, "copyright.transfer_pending", "a transfer of the work is already pending")
	ErrNoTransfer      = errs.New(errs.KindConflict, "copyright.no_transfer", "no such pending transfer")
	ErrAlreadyApproved = errs.New(errs.KindConflict, "copyright.already_approved", "the holder already approved the transfer")
	ErrLicenseConflict = errs.New(errs.KindConflict, "copyright.license_conflict", "the license overlaps an existing one")
	ErrLicenseInactive = errs.New(errs.KindConflict, "copyright.license_inactive", "the license is revoked or expired")
	ErrDisputeResolved = errs.New(errs.KindConflict, "copyright.dispute_resolved", "the dispute is already resolved")
	ErrDisputedUpheld  = errs.New(errs.KindConflict, "copyright.disputed", "a dispute against the registration was upheld")
	ErrInactiveHolder  = errs.New(errs.KindConflict, "copyright.inactive_holder", "a new holder of the transfer is no longer an active member account")
	ErrUnderDispute    = errs.New(errs.KindConflict, "copyright.under_dispute", "the work's holders cannot change while a dispute about it is open")
)

// Errors of the signer (403).
var (
	ErrNotHolder    = errs.New(errs.KindForbidden, "copyright.not_holder", "only a current holder of the work may do this")
	ErrPartyArbiter = errs.New(errs.KindForbidden, "copyright.party_arbiter", "an arbiter may not decide a dispute they are party to")
)
