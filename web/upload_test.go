package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/storage/fs"
)

// multipartBody is a form of fields, then the file content; repeat more
// fields named "title" come first.
func multipartBody(t *testing.T, content []byte, fields map[string]string, repeat int) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for range repeat {
		w.WriteField("title", "again")
	}
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, err := w.CreateFormFile("file", "contract.pdf")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	w.Close()
	return &buf, w.FormDataContentType()
}

func TestReceiveFile(t *testing.T) {
	dir := t.TempDir()
	store, err := fs.Open(dir, 1000)
	if err != nil {
		t.Fatal(err)
	}
	s := New(DefaultConfig(), Deps{Blobs: store, Logger: slog.New(slog.DiscardHandler)})
	s.echo.POST("/api/v1/upload", func(c echo.Context) error {
		var expect chain.Hash
		if q := c.QueryParam("sha256"); q != "" {
			expect, _ = chain.ParseHash(q)
		}
		up, err := ReceiveFile(c, store, "file", expect)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, up)
	})
	content := []byte("the evidence")
	sum := sha256.Sum256(content)
	// cutOff has no closing boundary: the client went away mid-file.
	cutOff := func(body *bytes.Buffer) { body.Truncate(body.Len() - 30) }
	cases := []struct {
		name    string
		content []byte
		query   string
		edit    func(*bytes.Buffer)
		fields  int // text fields all named "title"; 0: one
		status  int
		code    string
	}{
		{"stored", content, "", nil, 0, 201, ""},
		{"matching hash", content, "?sha256=" + chain.Hash(sum).String(), nil, 0, 201, ""},
		{"hash mismatch", content, "?sha256=" + strings.Repeat("1", 64), nil, 0, 400, "storage.hash_mismatch"},
		{"too large", bytes.Repeat([]byte("x"), 1001), "", nil, 0, 413, "storage.too_large"},
		{"cut off", content, "", cutOff, 0, 400, "storage.bad_input"},
		{"one field name many times", content, "", nil, 65, 413, "http.form_too_large"},
		{"content like an upload mark", []byte("chancery upload mark v1\norg bank\nsha256 " + strings.Repeat("ab", 32) + "\n"), "", nil, 0, 400, "storage.reserved_content"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, ctype := multipartBody(t, tc.content, map[string]string{"title": "Contract"}, max(tc.fields-1, 0))
			if tc.edit != nil {
				tc.edit(body)
			}
			req := httptest.NewRequest("POST", "/api/v1/upload"+tc.query, body)
			req.Header.Set("Content-Type", ctype)
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, body %s", rec.Code, rec.Body)
			}
			if tc.code != "" {
				var e ErrorBody
				json.Unmarshal(rec.Body.Bytes(), &e)
				if e.Error.Code != tc.code {
					t.Fatalf("code %q, want %q", e.Error.Code, tc.code)
				}
				return
			}
			var up Upload
			json.Unmarshal(rec.Body.Bytes(), &up)
			if up.Blob.SHA256 != chain.Hash(sum) || up.Fields["title"] != "Contract" || up.FileName != "contract.pdf" {
				t.Fatalf("upload = %+v", up)
			}
		})
	}
	// Only the one good blob is stored, with its two upload marks (by no
	// organisation: this request has no caller); nothing is left in tmp/.
	blobs, _ := os.ReadDir(filepath.Join(dir, "sha256"))
	temps, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	if len(blobs) != 3 || len(temps) != 0 {
		t.Fatalf("blobs %d, temps %d; want 3 and 0", len(blobs), len(temps))
	}
	for org, want := range map[string]bool{"": true, "bank": false} {
		if got, err := storage.UploadedBy(context.Background(), store, org, sum); err != nil || got != want {
			t.Errorf("uploaded by %q: %v, %v; want %v", org, got, err, want)
		}
	}
	rc, _, err := store.Get(context.Background(), sum)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, content) {
		t.Fatal("stored content differs")
	}
}

func TestReceiveFileRejectsNonMultipart(t *testing.T) {
	store, _ := fs.Open(t.TempDir(), 1000)
	s := New(DefaultConfig(), Deps{Blobs: store, Logger: slog.New(slog.DiscardHandler)})
	s.echo.POST("/api/v1/upload", func(c echo.Context) error {
		_, err := ReceiveFile(c, store, "file", chain.Hash{})
		return err
	})
	for _, tc := range []struct{ ctype, body, code string }{
		{"application/json", `{}`, "http.not_multipart"},
		{"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n", "http.no_file"},
	} {
		req := httptest.NewRequest("POST", "/api/v1/upload", strings.NewReader(tc.body))
		req.Header.Set("Content-Type", tc.ctype)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), tc.code) {
			t.Errorf("%s: %d %s", tc.ctype, rec.Code, rec.Body)
		}
	}
}

func TestMetricsEndpoint(t *testing.T) {
	s := New(DefaultConfig(), Deps{
		Stats: func() ChainStats {
			return ChainStats{Height: 42, TxsCommitted: 7, Messages: []MessageStats{
				{Module: "evidence", Type: "deposit", Committed: 5, Failed: 1}, {Module: "copyright", Type: "register"},
			}}
		},
		Logger: slog.New(slog.DiscardHandler),
	})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		"chancery_chain_height 42",
		"chancery_chain_txs_committed_total 7",
		`chancery_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`chancery_app_txs_total{module="evidence",result="committed",type="deposit"} 5`,
		`chancery_app_txs_total{module="evidence",result="failed",type="deposit"} 1`,
		`chancery_app_txs_total{module="copyright",result="committed",type="register"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
