package webtest

import (
	"bytes"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chancery/chancery/web"
)

// Client is a browser: it keeps cookies, asks for HTML, comes from one
// address and posts forms with the CSRF token, as a page does.
type Client struct {
	// Cookies are the browser's cookies, by name.
	Cookies map[string]*http.Cookie
	// Addr is where the browser's requests come from.
	Addr string
	// HTTPS sends Do's requests to https://chancery.example.
	HTTPS bool

	t testing.TB
	h http.Handler
}

// Do sends a request; a non-nil form is posted urlencoded. header holds
// pairs of a name and a value.
func (cl *Client) Do(method, path string, form url.Values, header ...string) *httptest.ResponseRecorder {
	cl.t.Helper()
	target := path
	if cl.HTTPS {
		target = "https://chancery.example" + path
	}
	if form == nil {
		return cl.Send(httptest.NewRequest(method, target, nil), header...)
	}
	req := httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return cl.Send(req, header...)
}

// Send sends req with the browser's address and cookies, asking for HTML
// unless it or header (pairs of a name and a value) asks for something
// else, and keeps the cookies the answer sets.
func (cl *Client) Send(req *http.Request, header ...string) *httptest.ResponseRecorder {
	cl.t.Helper()
	req.RemoteAddr = cl.Addr
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	for _, ck := range cl.Cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	rec := httptest.NewRecorder()
	cl.h.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(cl.Cookies, ck.Name)
		} else {
			cl.Cookies[ck.Name] = ck
		}
	}
	return rec
}

func (cl *Client) Get(path string) *httptest.ResponseRecorder {
	cl.t.Helper()
	return cl.Do(http.MethodGet, path, nil)
}

// Post submits a form as a page would: urlencoded, with the CSRF token.
func (cl *Client) Post(path string, form url.Values) *httptest.ResponseRecorder {
	cl.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", cl.CSRF())
	return cl.Do(http.MethodPost, path, form)
}

// PostMultipart submits a multipart form with files as a browser without
// scripts does: the CSRF token in the form, which makes the server parse
// the body before the handler can stream the files.
func (cl *Client) PostMultipart(path string, fields map[string]string, files ...File) *httptest.ResponseRecorder {
	cl.t.Helper()
	withToken := maps.Clone(fields)
	if withToken == nil {
		withToken = map[string]string{}
	}
	withToken["_csrf"] = cl.CSRF()
	return cl.Send(NewMultipart(cl.t, path, withToken, files...))
}

// CSRF is the browser's CSRF token, fetched with a page if it has none yet.
func (cl *Client) CSRF() string {
	cl.t.Helper()
	if _, ok := cl.Cookies[web.CSRFCookie]; !ok {
		cl.Get("/login")
	}
	ck, ok := cl.Cookies[web.CSRFCookie]
	if !ok {
		cl.t.Fatal("no CSRF cookie after a page view")
	}
	return ck.Value
}

// Login signs the browser in as username.
func (cl *Client) Login(username string) *Client {
	cl.t.Helper()
	rec := cl.Post("/login", url.Values{"username": {username}, "password": {Password(username)}})
	if rec.Code != http.StatusSeeOther {
		cl.t.Fatalf("login %s: status %d, body %s", username, rec.Code, rec.Body)
	}
	return cl
}

// Follow gets the page a redirect points to.
func (cl *Client) Follow(rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	cl.t.Helper()
	WantStatus(cl.t, rec, http.StatusSeeOther)
	return cl.Get(rec.Header().Get("Location"))
}

// File is a file part of a multipart form.
type File struct {
	Field, Name, Content string // the part's name, the file's name, its content
}

// NewMultipart is a POST of a multipart form: the fields, in the order of
// their names, then the files.
func NewMultipart(t testing.TB, path string, fields map[string]string, files ...File) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		mw.WriteField(k, fields[k])
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile(f.Field, f.Name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(fw, f.Content)
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}
