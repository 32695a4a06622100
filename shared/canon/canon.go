// Package canon is Chancery's canonical JSON: the one byte encoding of a value
// that is signed, hashed and stored on chain.
//
// Canonical JSON is what encoding/json produces for structs, with no HTML
// escaping and no trailing newline: fields in declaration order, no
// insignificant white space, []byte as standard base64. Values are structs,
// slices, strings, booleans and integers only; maps (whose order is not part of
// the data) and floats (whose text is not unique) are never used.
//
// Unmarshal is strict: unknown fields, trailing data and any input that does
// not re-encode to exactly the same bytes are rejected, so one content has one
// encoding and therefore one hash.
package canon

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"

	"github.com/chancery/chancery/shared/errs"
)

// ErrInvalid is returned for input that is not the canonical encoding of a
// value of the requested type.
var ErrInvalid = errs.New(errs.KindInvalid, "encoding.invalid", "not canonical JSON")

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Marshal returns the canonical encoding of v.
func Marshal(v any) ([]byte, error) {
	buf := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(buf)
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	return bytes.Clone(out[:len(out)-1]), nil // Encode appends '\n'
}

// MustMarshal is Marshal for values whose types cannot fail to encode
// (structs of strings, integers, slices). It panics on a programming error.
func MustMarshal(v any) []byte {
	b, err := Marshal(v)
	if err != nil {
		panic("canon: " + err.Error())
	}
	return b
}

// Unmarshal decodes data into v, which must point to a struct, and checks that
// data is exactly v's canonical encoding.
func Unmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return ErrInvalid.Withf("invalid JSON: %s", cleanJSONError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return ErrInvalid.Withf("invalid JSON: data after the value")
	}
	again, err := Marshal(v)
	if err != nil {
		return ErrInvalid.Withf("invalid JSON: %v", err)
	}
	if !bytes.Equal(again, data) {
		return ErrInvalid.Withf("not canonical JSON: expected %s", truncate(again, 200))
	}
	return nil
}

// cleanJSONError drops the "json: " prefix encoding/json puts on its errors.
func cleanJSONError(err error) string {
	return string(bytes.TrimPrefix([]byte(err.Error()), []byte("json: ")))
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}
