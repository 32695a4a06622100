package chain

// Reader reads state. Keys and values are opaque bytes; a value is never nil
// for a present key (an empty value reads as an empty, non-nil slice).
//
// Reads do not return errors: state lives on the local disk, and a node whose
// disk fails cannot go on deterministically, so implementations panic with a
// StorageError, which the ABCI application turns into a halt and the web
// server into a 500.
type Reader interface {
	// Get returns the value of key, or nil when it is absent.
	Get(key []byte) []byte
	// Iterate calls fn for each key in r in key order (or reverse order) until
	// fn returns false. Keys and values passed to fn are valid only during the
	// call.
	Iterate(r Range, fn func(key, value []byte) bool)
}

// KV is state a transaction may change. Writes become visible to later reads
// of the same transaction at once and to other transactions only if the
// transaction succeeds.
type KV interface {
	Reader
	Set(key, value []byte)
	Delete(key []byte)
}

// Range selects the keys that start with Prefix. With After set, iteration
// starts just past that key (before it, when Reverse), which is how pages of
// a listing are fetched.
type Range struct {
	Prefix  []byte
	After   []byte
	Reverse bool
}

// Contains reports whether key lies in the range.
func (r Range) Contains(key []byte) bool {
	if len(key) < len(r.Prefix) || string(key[:len(r.Prefix)]) != string(r.Prefix) {
		return false
	}
	if r.After == nil {
		return true
	}
	if r.Reverse {
		return string(key) < string(r.After)
	}
	return string(key) > string(r.After)
}

// StorageError is the panic value of a state read or write that failed on
// disk.
type StorageError struct{ Err error }

func (e StorageError) Error() string { return "state storage failed: " + e.Err.Error() }
func (e StorageError) Unwrap() error { return e.Err }

// Viewer opens consistent read-only views of committed state.
type Viewer interface {
	View(fn func(Reader) error) error
}

// Has reports whether key is present.
func Has(r Reader, key []byte) bool { return r.Get(key) != nil }
