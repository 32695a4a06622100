package web_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/web"
)

type body struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// bind runs bindFn over a request whose body is in (chunked, with no length,
// when chunked) behind echo's BodyLimit of limit, as the server limits
// bodies.
func bind(in string, chunked bool, limit string, bindFn func(echo.Context, any) error) (body, error) {
	var r io.Reader = strings.NewReader(in)
	if chunked {
		r = io.MultiReader(r) // hides the length: the body is read to its end
	}
	req := httptest.NewRequest(http.MethodPost, "/", r)
	if chunked {
		req.ContentLength = -1
	}
	var b body
	h := middleware.BodyLimit(limit)(func(c echo.Context) error { return bindFn(c, &b) })
	err := h(echo.New().NewContext(req, httptest.NewRecorder()))
	return b, err
}

func TestBindJSON(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		optional bool
		want     body
		code     string // "" for success
	}{
		{"an object", `{"name":"x","count":2}`, false, body{"x", 2}, ""},
		{"white space around it", " \n{\"name\":\"x\"}\r\n\t", false, body{Name: "x"}, ""},
		{"fields in any order", `{"count":1,"name":"y"}`, false, body{"y", 1}, ""},
		{"empty", ``, false, body{}, "http.bad_request"},
		{"empty, optional", ``, true, body{}, ""},
		{"white space only, optional", " \r\n\t ", true, body{}, ""},
		{"an object, optional", ` {"name":"z"}`, true, body{Name: "z"}, ""},
		{"an unknown field", `{"nam":"x"}`, false, body{}, "http.bad_request"},
		{"an unknown field, optional", `{"nam":"x"}`, true, body{}, "http.bad_request"},
		{"a second object", `{"name":"x"}{"name":"y"}`, false, body{}, "http.bad_request"},
		{"a closing brace after it", `{"name":"x"}}`, false, body{}, "http.bad_request"},
		{"a closing bracket after it, optional", `{"name":"x"}]`, true, body{}, "http.bad_request"},
		{"text after it", `{"name":"x"} and more`, false, body{}, "http.bad_request"},
		{"cut short", `{"name":"x"`, false, body{}, "http.bad_request"},
		{"the wrong type", `{"count":"2"}`, false, body{}, "http.bad_request"},
		{"over the limit", `{"name":"` + strings.Repeat("x", 100) + `"}`, false, body{}, "http.too_large"},
		{"over the limit in white space, optional", strings.Repeat(" ", 100), true, body{}, "http.too_large"},
	} {
		for _, chunked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, chunked %v", tc.name, chunked), func(t *testing.T) {
				bindFn := web.BindJSON
				if tc.optional {
					bindFn = web.BindOptionalJSON
				}
				got, err := bind(tc.in, chunked, "64B", bindFn)
				if code := codeOf(err); code != tc.code {
					t.Fatalf("chunked %v: error %v, want %q", chunked, err, tc.code)
				}
				if err == nil && got != tc.want {
					t.Fatalf("chunked %v: decoded %+v, want %+v", chunked, got, tc.want)
				}
			})
		}
	}
}

// A body read past echo's limit is 413, whoever reads it.
func TestBodyReadError(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "/", io.MultiReader(strings.NewReader(strings.Repeat("x", 100))))
	req.ContentLength = -1
	var err error
	h := middleware.BodyLimit("64B")(func(c echo.Context) error {
		_, readErr := io.ReadAll(c.Request().Body)
		err = web.BodyReadError(readErr)
		return nil
	})
	h(echo.New().NewContext(req, httptest.NewRecorder()))
	if codeOf(err) != "http.too_large" {
		t.Fatalf("read past the limit: %v, want http.too_large", err)
	}
	if err := web.BodyReadError(io.ErrUnexpectedEOF); codeOf(err) != "http.bad_request" {
		t.Fatalf("a failed read: %v, want http.bad_request", err)
	}
}

// codeOf is the code the server answers err with; echo's BodyLimit refuses
// a body announced too large itself, before any handler runs.
func codeOf(err error) string {
	if err == nil {
		return ""
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
		return "http.too_large"
	}
	if e := errs.As(err); e != nil {
		return e.Code
	}
	return err.Error()
}

// FuzzDecodeJSON checks that a body DecodeJSON accepts is one JSON value
// (white space around it allowed), which encoding/json reads the same.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"x","count":2}`, `{"name":"x"}}`, `{"name":"x"} {}`, ` {"count":-0} `, `null`, `{"Name":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got body
		if err := web.DecodeJSON(bytes.NewReader(data), &got); err != nil {
			if e := errs.As(err); e == nil || e.Kind != errs.KindInvalid {
				t.Fatalf("refused %q with %v, not a 400", data, err)
			}
			return
		}
		var want body
		if !json.Valid(data) || json.Unmarshal(data, &want) != nil || got != want {
			t.Fatalf("accepted %q as %+v: not one JSON value of that content", data, got)
		}
	})
}
