package web

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/storage"
)

// Upload limits for the form fields that travel beside a file.
const (
	maxFormFields    = 64
	maxFormFieldSize = 64 << 10
)

var (
	errNotMultipart = errs.New(errs.KindInvalid, "http.not_multipart", "send the file as multipart/form-data")
	errNoFile       = errs.New(errs.KindInvalid, "http.no_file", "the upload has no file part")
	errFormTooBig   = errs.New(errs.KindTooLarge, "http.form_too_large", "too many or too large form fields")
)

// Upload is a file received into the blob store, with the form fields that
// came with it.
type Upload struct {
	Blob      storage.Blob
	FileName  string
	MediaType string
	Fields    map[string]string
}

// ReceiveFile streams the multipart part named field of the request into
// store — hashing while writing, never holding the file in memory — and
// collects the other (small) form fields. If expect is set, the content must
// hash to it. A failed upload stores nothing; too large is 413, a store that
// cannot be reached 503.
//
// A page form posted by a browser that sends no Sec-Fetch-Site header has
// its CSRF token looked up in the form, which parses the whole body first
// (large files spill to temporary files); the file is then taken from the
// parsed form.
func ReceiveFile(c echo.Context, store storage.BlobStore, field string, expect chain.Hash) (Upload, error) {
	if form := c.Request().MultipartForm; form != nil {
		return receiveParsed(c, store, form, field, expect)
	}
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return Upload{}, errNotMultipart
	}
	up := Upload{Fields: map[string]string{}}
	found := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Upload{}, ErrBadRequest.Withf("read multipart body: %v", err)
		}
		name := part.FormName()
		if name == field && part.FileName() != "" && !found {
			blob, err := store.Put(c.Request().Context(), part, storage.PutOptions{ExpectSHA256: expect})
			if err != nil {
				return Upload{}, err
			}
			up.Blob, up.FileName, up.MediaType, found = blob, part.FileName(), mediaType(part), true
			continue
		}
		if len(up.Fields) >= maxFormFields {
			return Upload{}, errFormTooBig
		}
		v, err := io.ReadAll(io.LimitReader(part, maxFormFieldSize+1))
		if err != nil {
			return Upload{}, ErrBadRequest.Withf("read form field %q: %v", name, err)
		}
		if len(v) > maxFormFieldSize {
			return Upload{}, errFormTooBig.Withf("form field %q is over %d bytes", name, maxFormFieldSize)
		}
		up.Fields[name] = string(v)
	}
	if !found {
		return Upload{}, errNoFile.Withf("the upload has no file part named %q", field)
	}
	return up, nil
}

// receiveParsed is ReceiveFile over a multipart body already parsed.
func receiveParsed(c echo.Context, store storage.BlobStore, form *multipart.Form, field string, expect chain.Hash) (Upload, error) {
	files := form.File[field]
	if len(files) == 0 || files[0].Filename == "" {
		return Upload{}, errNoFile.Withf("the upload has no file part named %q", field)
	}
	f, err := files[0].Open()
	if err != nil {
		return Upload{}, ErrBadRequest.Withf("read file: %v", err)
	}
	defer f.Close()
	blob, err := store.Put(c.Request().Context(), f, storage.PutOptions{ExpectSHA256: expect})
	if err != nil {
		return Upload{}, err
	}
	up := Upload{Blob: blob, FileName: files[0].Filename, MediaType: headerMediaType(files[0].Header.Get("Content-Type")), Fields: map[string]string{}}
	for k, vs := range form.Value {
		if len(vs) > 0 {
			up.Fields[k] = vs[0]
		}
	}
	return up, nil
}

func mediaType(p *multipart.Part) string { return headerMediaType(p.Header.Get("Content-Type")) }

func headerMediaType(h string) string {
	mt, _, err := mime.ParseMediaType(h)
	if err != nil || mt == "" {
		return "application/octet-stream"
	}
	return strings.ToLower(mt)
}

// BlobView is the answer to an upload.
type BlobView struct {
	SHA256    chain.Hash `json:"sha256"`
	Size      int64      `json:"size"`
	FileName  string     `json:"file_name,omitempty"`
	MediaType string     `json:"media_type,omitempty"`
}

// uploadBlob is POST /api/v1/blobs: store a file (multipart field "file"),
// answer its hash. Apps reference blobs by hash in their transactions; the
// blob is stored first, so a transaction never names a missing blob.
func (s *Server) uploadBlob(c echo.Context) error {
	var expect chain.Hash
	if q := c.QueryParam("sha256"); q != "" {
		h, err := chain.ParseHash(q)
		if err != nil {
			return errBadHash
		}
		expect = h
	}
	up, err := ReceiveFile(c, s.blobs, "file", expect)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, BlobView{SHA256: up.Blob.SHA256, Size: up.Blob.Size, FileName: up.FileName, MediaType: up.MediaType})
}
