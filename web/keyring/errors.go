package keyring

import "github.com/chancery/chancery/shared/errs"

var (
	// ErrBadCredentials is returned for a wrong password and for an unknown
	// user alike, so a login attempt does not reveal which usernames exist.
	ErrBadCredentials = errs.New(errs.KindUnauthorized, "keyring.bad_credentials", "invalid username or password")
	// ErrBadToken is returned for an unknown, malformed or revoked token.
	ErrBadToken = errs.New(errs.KindUnauthorized, "keyring.bad_token", "invalid or revoked API token")

	ErrUserExists    = errs.New(errs.KindConflict, "keyring.user_exists", "username is already taken")
	ErrKeyInUse      = errs.New(errs.KindConflict, "keyring.key_in_use", "the account key already belongs to another user")
	ErrUserNotFound  = errs.New(errs.KindNotFound, "keyring.user_not_found", "no such user")
	ErrTokenNotFound = errs.New(errs.KindNotFound, "keyring.token_not_found", "no such API token")

	ErrInvalidUsername  = errs.New(errs.KindInvalid, "keyring.invalid_username", "username must be 3 to 32 characters of a-z, 0-9, '.', '_' and '-'")
	ErrWeakPassword     = errs.New(errs.KindInvalid, "keyring.weak_password", "password must have at least 8 characters")
	ErrInvalidOrg       = errs.New(errs.KindInvalid, "keyring.invalid_org", "organisation id is required")
	ErrInvalidKey       = errs.New(errs.KindInvalid, "keyring.invalid_key", "private key is malformed or does not belong to the account")
	ErrInvalidTokenName = errs.New(errs.KindInvalid, "keyring.invalid_token_name", "token name must be 1 to 64 characters, without control characters or white space around it")
	ErrInvalidKDF       = errs.New(errs.KindInvalid, "keyring.invalid_kdf", "argon2id needs time >= 1, threads >= 1 and memory >= 8 KiB per thread")
)
