package members

import "github.com/chancery/chancery/shared/errs"

// Errors of the signer: the chain.Authorizer answers with these.
var (
	ErrUnknownAccount = errs.New(errs.KindForbidden, "members.unknown_account", "the signer is not a member account")
	ErrAccountRevoked = errs.New(errs.KindForbidden, "members.account_revoked", "the account is revoked")
	ErrMissingRole    = errs.New(errs.KindForbidden, "members.missing_role", "the account lacks the role")
)

// Errors of lookups.
var (
	ErrUnknownOrg      = errs.New(errs.KindNotFound, "members.unknown_org", "no such organisation")
	ErrAccountNotFound = errs.New(errs.KindNotFound, "members.account_not_found", "no such account")
)

// Errors of messages, genesis and queries.
var (
	ErrInvalidOrgID   = errs.New(errs.KindInvalid, "members.invalid_org_id", "invalid organisation id")
	ErrInvalidName    = errs.New(errs.KindInvalid, "members.invalid_name", "invalid name")
	ErrInvalidReason  = errs.New(errs.KindInvalid, "members.invalid_reason", "invalid reason")
	ErrInvalidPubKey  = errs.New(errs.KindInvalid, "members.invalid_pubkey", "invalid public key")
	ErrInvalidAddress = errs.New(errs.KindInvalid, "members.invalid_address", "invalid account address")
	ErrUnknownRole    = errs.New(errs.KindInvalid, "members.unknown_role", "unknown role")
	ErrInvalidGenesis = errs.New(errs.KindInvalid, "members.invalid_genesis", "invalid members genesis")
	ErrInvalidCursor  = errs.New(errs.KindInvalid, "members.invalid_cursor", "invalid page cursor")

	ErrDuplicateOrg     = errs.New(errs.KindConflict, "members.duplicate_org", "the organisation already exists")
	ErrDuplicateAccount = errs.New(errs.KindConflict, "members.duplicate_account", "the public key is already registered")
	ErrAlreadyRevoked   = errs.New(errs.KindConflict, "members.already_revoked", "the account is already revoked")

	ErrRoleNotInOrg = errs.New(errs.KindForbidden, "members.role_not_in_org", "the organisation does not hold the role")
	ErrOtherOrg     = errs.New(errs.KindForbidden, "members.other_org", "the account belongs to another organisation")

	// An admin may not lock itself out: no revoking its own account, no
	// dropping its own effective admin roles. Another admin can do either.
	ErrRevokeSelf   = errs.New(errs.KindInvalid, "members.revoke_self", "an account cannot revoke itself")
	ErrSelfDemotion = errs.New(errs.KindInvalid, "members.self_demotion", "an admin cannot drop its own admin role")
)
