package storage

import (
	"fmt"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
)

var (
	// ErrNotFound: no blob has the requested hash.
	ErrNotFound = errs.New(errs.KindNotFound, "storage.not_found", "blob not found")
	// ErrTooLarge: the input of a Put exceeded the store's size limit.
	ErrTooLarge = errs.New(errs.KindTooLarge, "storage.too_large", "blob exceeds the size limit")
	// ErrHashMismatch: the input of a Put did not hash to PutOptions.ExpectSHA256.
	ErrHashMismatch = errs.New(errs.KindInvalid, "storage.hash_mismatch", "content does not match the expected SHA-256")
	// ErrUnavailable: the backend cannot be reached; retrying later may succeed.
	ErrUnavailable = errs.New(errs.KindUnavailable, "storage.unavailable", "blob storage is unavailable")
	// ErrBadInput: the input of a Put broke off or could not be read (a
	// truncated upload).
	ErrBadInput = errs.New(errs.KindInvalid, "storage.bad_input", "the content could not be read to its end")
	// ErrBadConfig: a Config value is missing or out of range.
	ErrBadConfig = errs.New(errs.KindInvalid, "storage.bad_config", "invalid storage config")
)

// NotFound returns ErrNotFound naming the missing blob.
func NotFound(h chain.Hash) error { return ErrNotFound.Withf("blob %s not found", h) }

// Unavailable marks err, a failure to reach the backend, with ErrUnavailable.
// Both stay in the chain: errors.Is matches the sentinel and the cause, and
// the message keeps the backend's reason for the logs.
func Unavailable(err error) error { return fmt.Errorf("%w: %w", ErrUnavailable, err) }
