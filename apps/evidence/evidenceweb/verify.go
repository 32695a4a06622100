package evidenceweb

import (
	"crypto/sha256"
	"errors"
	"io"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/web"
)

// VerifyView answers a verification: every deposit of the hash, with its
// attestations, custody log and receipt link.
type VerifyView struct {
	Found   bool         `json:"found"`
	SHA256  chain.Hash   `json:"sha256"`
	Size    int64        `json:"size,omitempty"` // of an uploaded file
	Records []RecordView `json:"records"`
}

// verify takes a multipart file — hashed while streaming and never stored —
// or JSON {"sha256"}, and looks the hash up. An unknown hash is 200 with
// found false: the answer to the question asked.
func (h *Handler) verify(c echo.Context) error {
	sum, size, err := hashFromRequest(c)
	if err != nil {
		return err
	}
	view, err := h.lookup(sum)
	if err != nil {
		return err
	}
	view.Size = size
	return web.JSON(c, view)
}

func (h *Handler) lookup(sum chain.Hash) (VerifyView, error) {
	view := VerifyView{SHA256: sum, Records: []RecordView{}}
	var found []evidence.Evidence
	if err := h.state.View(func(r chain.Reader) (err error) { found, err = evidence.ByHash(r, sum); return err }); err != nil {
		return view, err
	}
	for _, ev := range found {
		rec, err := h.record(ev.ID, 0)
		if err != nil {
			return view, err
		}
		view.Records = append(view.Records, rec)
	}
	view.Found = len(view.Records) > 0
	return view, nil
}

func hashFromRequest(c echo.Context) (chain.Hash, int64, error) {
	if web.IsMultipart(c) {
		return hashUpload(c)
	}
	var body struct {
		SHA256 string `json:"sha256"`
	}
	if err := web.BindJSON(c, &body); err != nil {
		return chain.Hash{}, 0, err
	}
	sum, err := chain.ParseHash(body.SHA256)
	if err != nil {
		return sum, 0, errBadHash.Withf("sha256 %q: must be 64 hex characters", body.SHA256)
	}
	return sum, 0, nil
}

// hashUpload hashes the "file" part of a multipart body as it streams past.
func hashUpload(c echo.Context) (chain.Hash, int64, error) {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return chain.Hash{}, 0, web.ErrBadRequest.Withf("send the file as multipart/form-data")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return chain.Hash{}, 0, web.ErrBadRequest.Withf("the upload has no file part named \"file\"")
		}
		if err != nil {
			return chain.Hash{}, 0, web.ErrBadRequest.Withf("read multipart body: %v", err)
		}
		if part.FormName() != "file" {
			continue
		}
		h := sha256.New()
		n, err := io.Copy(h, part)
		if err != nil {
			return chain.Hash{}, 0, web.ErrBadRequest.Withf("read file: %v", err)
		}
		var sum chain.Hash
		h.Sum(sum[:0])
		return sum, n, nil
	}
}
