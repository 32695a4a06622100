// Package errs gives every failure a stable, machine-readable code.
//
// A code such as "evidence.duplicate" names what went wrong; a Kind says which
// class of failure it is (bad input, missing role, conflict...), from which the
// ABCI result code and the HTTP status are derived in exactly one place each.
// Callers compare errors with errors.Is against the sentinels a package
// declares, and add context with Wrap without losing the code.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error. Its numeric value is the ABCI result code of a
// transaction that failed with it, so values are pinned: never renumber.
type Kind uint32

const (
	KindInternal     Kind = 1 // a bug or an unexpected state
	KindInvalid      Kind = 2 // the request is malformed or fails a rule
	KindUnauthorized Kind = 3 // the HTTP caller is not signed in or its token is not valid
	KindForbidden    Kind = 4 // the caller or signer lacks membership, a role or ownership
	KindNotFound     Kind = 5
	KindConflict     Kind = 6 // the request clashes with existing state
	KindTooLarge     Kind = 7
	KindUnavailable  Kind = 8 // a dependency is down; retrying may succeed
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindUnauthorized:
		return "unauthorized"
	case KindForbidden:
		return "forbidden"
	case KindNotFound:
		return "not_found"
	case KindConflict:
		return "conflict"
	case KindTooLarge:
		return "too_large"
	case KindUnavailable:
		return "unavailable"
	default:
		return "internal"
	}
}

// Error is a coded error. Sentinels are declared once per package with New;
// Wrap and Wrapf derive errors that carry the same code and more context.
type Error struct {
	Code    string // stable, dotted: "<area>.<what>"
	Kind    Kind
	Message string
	cause   error // the sentinel this error was derived from, if any
}

// New declares a sentinel error.
func New(kind Kind, code, message string) *Error {
	return &Error{Code: code, Kind: kind, Message: message}
}

func (e *Error) Error() string { return e.Message }

// Unwrap lets errors.Is match a derived error against its sentinel.
func (e *Error) Unwrap() error { return e.cause }

// Is reports whether target is a coded error with the same code, so an error
// rebuilt from a transaction result still matches its package's sentinel.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code
}

// Wrapf returns an error with e's code and kind and a message that adds detail
// in front of e's own: "deposit 42: evidence is withdrawn".
func (e *Error) Wrapf(format string, args ...any) *Error {
	return &Error{Code: e.Code, Kind: e.Kind, Message: fmt.Sprintf(format, args...) + ": " + e.Message, cause: e}
}

// Withf returns an error with e's code and kind and a message replaced by a
// more specific one, for when the sentinel's text would only repeat it.
func (e *Error) Withf(format string, args ...any) *Error {
	return &Error{Code: e.Code, Kind: e.Kind, Message: fmt.Sprintf(format, args...), cause: e}
}

// Internal is the code every error without one of its own reports.
var Internal = New(KindInternal, "internal", "internal error")

// As returns the coded error in err's chain. An error without a code counts as
// internal and keeps its text, so nothing is hidden from logs; callers that
// show errors to users decide whether to print it.
func As(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Message != err.Error() {
			// Context was added around the coded error with fmt.Errorf("...: %w").
			return &Error{Code: e.Code, Kind: e.Kind, Message: err.Error(), cause: e}
		}
		return e
	}
	return &Error{Code: Internal.Code, Kind: KindInternal, Message: err.Error(), cause: err}
}

// FromResult rebuilds a coded error from a transaction result's parts.
func FromResult(kind uint32, code, message string) *Error {
	return &Error{Code: code, Kind: Kind(kind), Message: message}
}
