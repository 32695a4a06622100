package web

import (
	"bytes"
	"crypto/sha256"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/storage/fs"
)

// TestReceiveFileParsedForm: a body that was parsed before the handler ran
// (the CSRF check of a page form reads the token from the form) still
// arrives in the store, checked against the expected hash.
func TestReceiveFileParsedForm(t *testing.T) {
	store, err := fs.Open(t.TempDir(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("the work")
	sum := chain.Hash(sha256.Sum256(content))
	for _, tc := range []struct {
		name   string
		expect chain.Hash
		file   bool
		ok     bool
	}{
		{"any content", chain.Hash{}, true, true},
		{"expected content", sum, true, true},
		{"other content", chain.SumHash([]byte("other")), true, false},
		{"no file", chain.Hash{}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, ctype := multipartBody(t, content, map[string]string{"title": "Ode"}, 0)
			if !tc.file {
				body, ctype = multipartFields(t, map[string]string{"title": "Ode"})
			}
			req := httptest.NewRequest(http.MethodPost, "/copyright/register", body)
			req.Header.Set(echo.HeaderContentType, ctype)
			if err := req.ParseMultipartForm(1 << 20); err != nil {
				t.Fatal(err)
			}
			c := echo.New().NewContext(req, httptest.NewRecorder())
			up, err := ReceiveFile(c, store, "file", tc.expect)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if tc.ok && (up.Blob.SHA256 != sum || up.FileName != "contract.pdf" || up.Fields["title"] != "Ode") {
				t.Fatalf("upload = %+v", up)
			}
		})
	}
}

// multipartFields is a multipart body of fields alone, without a file.
func multipartFields(t *testing.T, fields map[string]string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	w.Close()
	return &buf, w.FormDataContentType()
}
