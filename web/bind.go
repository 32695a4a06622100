package web

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"
)

// BindJSON decodes a JSON request body into v strictly: unknown fields and
// trailing data are errors, reported as 400 with what is wrong.
func BindJSON(c echo.Context, v any) error { return DecodeJSON(c.Request().Body, v) }

// BindOptionalJSON is BindJSON for a body that may be absent: empty or white
// space only, announced (Content-Length: 0) or sent chunked. v is then left
// as it is.
func BindOptionalJSON(c echo.Context, v any) error {
	body := bufio.NewReader(c.Request().Body)
	for {
		b, err := body.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return jsonError(err)
		}
		if !isJSONSpace(b) {
			_ = body.UnreadByte() // cannot fail right after ReadByte
			return DecodeJSON(body, v)
		}
	}
}

// DecodeJSON decodes the one JSON value r holds into v strictly: unknown
// fields, a second value or anything else after the first are errors,
// reported as 400 with what is wrong (413 past the request's size limit).
// Otherwise it reads as encoding/json does: field names in any case, the
// last of a repeated field, and null for an object leaves v as it was.
func DecodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return ErrBadRequest.Withf("request body is empty: send a JSON object")
		}
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if tooLarge(err) {
			return ErrTooLarge
		}
		return ErrBadRequest.Withf("invalid JSON body: data after the object")
	}
	return nil
}

func jsonError(err error) error {
	if tooLarge(err) {
		return ErrTooLarge
	}
	return ErrBadRequest.Withf("invalid JSON body: %s", trimJSONPrefix(err.Error()))
}

// BodyReadError is what to answer when reading a request body failed with
// err: 413 past the body limit, 400 otherwise.
func BodyReadError(err error) error {
	if tooLarge(err) {
		return ErrTooLarge
	}
	return ErrBadRequest.Withf("read body: %v", err)
}

// tooLarge reports whether err is a read past the request's body limit:
// echo's BodyLimit middleware (the server's) or http.MaxBytesReader.
func tooLarge(err error) bool {
	var he *echo.HTTPError
	var mbe *http.MaxBytesError
	return errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge || errors.As(err, &mbe)
}

// isJSONSpace reports whether b is white space between JSON tokens.
func isJSONSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func trimJSONPrefix(s string) string {
	if len(s) > 6 && s[:6] == "json: " {
		return s[6:]
	}
	return s
}
