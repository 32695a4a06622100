package web

import (
	"bufio"
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

// FormLimits bound the text fields that travel beside the files of a
// multipart body: how many, and how large each. Zero means the default: 64
// fields of 64 KiB.
type FormLimits struct {
	Fields, FieldSize int
}

func (l FormLimits) orDefault() FormLimits {
	if l.Fields == 0 {
		l.Fields = 64
	}
	if l.FieldSize == 0 {
		l.FieldSize = 64 << 10
	}
	return l
}

var (
	errNotMultipart = errs.New(errs.KindInvalid, "http.not_multipart", "send the file as multipart/form-data")
	errNoFile       = errs.New(errs.KindInvalid, "http.no_file", "the upload has no file part")
	errFormTooBig   = errs.New(errs.KindTooLarge, "http.form_too_large", "too many or too large form fields")
)

// Upload is a file received into the blob store, with the form fields that
// came with it.
type Upload struct {
	File
	Fields map[string]string
}

// FilePart names a part of a multipart body that carries a file, and the
// SHA-256 its content must have (zero: any).
type FilePart struct {
	Name   string
	SHA256 chain.Hash
}

// File is a file received into the blob store.
type File struct {
	Blob      storage.Blob
	FileName  string
	MediaType string
}

// Form is a multipart body received: its files, stored, by part name, and
// its other (small) fields.
type Form struct {
	Files  map[string]File
	Fields map[string]string
}

// IsMultipart reports whether the request carries a multipart form: a file
// upload, which streams into the blob store instead of being read whole.
func IsMultipart(c echo.Context) bool {
	return strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm)
}

// ReceiveFile streams the multipart part named field of the request into
// store — hashing while writing, never holding the file in memory — and
// collects the other (small) form fields. If expect is set, the content must
// hash to it. A failed upload stores nothing; too large is 413, a store that
// cannot be reached 503. A body parsed already is read as ReceiveFiles says.
func ReceiveFile(c echo.Context, store storage.BlobStore, field string, expect chain.Hash) (Upload, error) {
	form, err := ReceiveFiles(c, store, FormLimits{}, FilePart{Name: field, SHA256: expect})
	if err != nil {
		return Upload{}, err
	}
	f, ok := form.Files[field]
	if !ok {
		return Upload{}, errNoFile.Withf("the upload has no file part named %q", field)
	}
	return Upload{File: f, Fields: form.Fields}, nil
}

// ReceiveFiles is ReceiveFile for a body of several files, each optional:
// the parts named in files that carry a file stream into store, at most one
// of each name; every other part is a form field, within limits (413 past
// them). A file that did not come is missing from Form.Files.
//
// A page form posted by a browser that sends no Sec-Fetch-Site header has
// its CSRF token looked up in the form, which parses the whole body first
// (large files spill to temporary files); the files are then taken from the
// parsed form.
func ReceiveFiles(c echo.Context, store storage.BlobStore, limits FormLimits, files ...FilePart) (Form, error) {
	if form := c.Request().MultipartForm; form != nil {
		return receiveParsed(c, store, form, files)
	}
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return Form{}, errNotMultipart
	}
	limits = limits.orDefault()
	got := Form{Files: map[string]File{}, Fields: map[string]string{}}
	fields := 0 // text parts read, repeated names included
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return Form{}, ErrBadRequest.Withf("read multipart body: %v", err)
		}
		name := part.FormName()
		if fp, ok := filePart(files, name); ok && part.FileName() != "" {
			if _, dup := got.Files[name]; dup {
				return Form{}, errMoreThanOne(name)
			}
			blob, err := putUpload(c, store, part, fp.SHA256)
			if err != nil {
				return Form{}, err
			}
			got.Files[name] = File{Blob: blob, FileName: part.FileName(), MediaType: mediaType(part)}
			continue
		}
		if fields++; fields > limits.Fields {
			return Form{}, errFormTooBig
		}
		v, err := io.ReadAll(io.LimitReader(part, int64(limits.FieldSize)+1))
		if err != nil {
			return Form{}, ErrBadRequest.Withf("read form field %q: %v", name, err)
		}
		if len(v) > limits.FieldSize {
			return Form{}, errFormTooBig.Withf("form field %q is over %d bytes", name, limits.FieldSize)
		}
		got.Fields[name] = string(v)
	}
}

// receiveParsed is ReceiveFiles over a multipart body already parsed.
func receiveParsed(c echo.Context, store storage.BlobStore, form *multipart.Form, files []FilePart) (Form, error) {
	got := Form{Files: map[string]File{}, Fields: map[string]string{}}
	for _, fp := range files {
		parts := form.File[fp.Name]
		if len(parts) == 0 || parts[0].Filename == "" {
			continue
		}
		if len(parts) > 1 {
			return Form{}, errMoreThanOne(fp.Name)
		}
		f, err := parts[0].Open()
		if err != nil {
			return Form{}, ErrBadRequest.Withf("read file: %v", err)
		}
		blob, err := putUpload(c, store, f, fp.SHA256)
		f.Close()
		if err != nil {
			return Form{}, err
		}
		got.Files[fp.Name] = File{Blob: blob, FileName: parts[0].Filename, MediaType: headerMediaType(parts[0].Header.Get("Content-Type"))}
	}
	for k, vs := range form.Value {
		if len(vs) > 0 {
			got.Fields[k] = vs[0]
		}
	}
	return got, nil
}

// putUpload stores an uploaded file and marks it as uploaded by the
// caller's organisation (storage.MarkUpload). Content that begins like a
// mark is refused: only the node writes marks.
func putUpload(c echo.Context, store storage.BlobStore, r io.Reader, expect chain.Hash) (storage.Blob, error) {
	br := bufio.NewReaderSize(r, storage.MarkPrefixLen)
	if head, _ := br.Peek(storage.MarkPrefixLen); storage.IsMark(head) {
		return storage.Blob{}, storage.ErrReservedContent
	}
	ctx := c.Request().Context()
	blob, err := store.Put(ctx, br, storage.PutOptions{ExpectSHA256: expect})
	if err != nil {
		return blob, err
	}
	org := ""
	if id := Caller(c); id != nil {
		org = id.User.Org
	}
	return blob, storage.MarkUpload(ctx, store, org, blob.SHA256)
}

func filePart(files []FilePart, name string) (FilePart, bool) {
	for _, fp := range files {
		if fp.Name == name {
			return fp, true
		}
	}
	return FilePart{}, false
}

func errMoreThanOne(name string) error {
	return ErrBadRequest.Withf("more than one %s file", name)
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
