package financeweb

import (
	"errors"
	"io"
	"mime/multipart"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/web"
)

// The invoice and the contract of an issue travel either as files — parts
// "invoice" and "contract" of a multipart body, streamed into the blob store
// before the issue is signed, so the chain never names a missing blob — or
// as the SHA-256 of files kept elsewhere (or uploaded before through POST
// /api/v1/blobs).
const (
	docInvoice  = "invoice"
	docContract = "contract"
)

// Limits of the text fields beside the files of a multipart issue.
const (
	maxFields    = 32
	maxFieldSize = 8 << 10
)

// issueFields are the text of an issue as a client sent it; amounts are
// read by the caller, which knows whether a person typed them.
type issueFields struct {
	Supplier, SupplierOrg, Currency, DueDate, InvoiceSHA256, ContractSHA256, Ref string
}

func fieldsOf(f map[string]string) issueFields {
	return issueFields{
		Supplier: f["supplier"], SupplierOrg: f["supplier_org"], Currency: f["currency"], DueDate: f["due_date"],
		InvoiceSHA256: f["invoice_sha256"], ContractSHA256: f["contract_sha256"], Ref: f["ref"],
	}
}

// msg builds the issue message. amount reads the amount once the currency
// is known; docs are the files received, by part name.
func (in issueFields) msg(amount func(finance.Currency) (finance.Amount, error), docs map[string]storage.Blob) (finance.Issue, error) {
	c, err := ParseCurrency(in.Currency)
	if err != nil {
		return finance.Issue{}, err
	}
	a, err := amount(c)
	if err != nil {
		return finance.Issue{}, err
	}
	supplier, err := chain.ParseAddress(strings.TrimSpace(in.Supplier))
	if err != nil {
		return finance.Issue{}, finance.ErrInvalidParty.Withf("supplier: %v", err)
	}
	due, err := finance.ParseDate(strings.TrimSpace(in.DueDate))
	if err != nil {
		return finance.Issue{}, finance.ErrDueDate.Withf("due_date must be YYYY-MM-DD, got %q", clip(in.DueDate))
	}
	invoice, err := docHash(docInvoice, in.InvoiceSHA256, docs)
	if err != nil {
		return finance.Issue{}, err
	}
	contract, err := docHash(docContract, in.ContractSHA256, docs)
	if err != nil {
		return finance.Issue{}, err
	}
	m := finance.Issue{
		Supplier: supplier, SupplierOrg: strings.TrimSpace(in.SupplierOrg), Amount: a, Currency: c, DueDate: due,
		InvoiceSHA256: invoice, ContractSHA256: contract, Ref: strings.TrimSpace(in.Ref),
	}
	return m, m.ValidateBasic()
}

// docHash is the hash of document name: of its file if one was received
// (which must agree with a hash also given), else the hash given.
func docHash(name, given string, docs map[string]storage.Blob) (chain.Hash, error) {
	given = strings.ToLower(strings.TrimSpace(given))
	var h chain.Hash
	if given != "" {
		var err error
		if h, err = chain.ParseHash(given); err != nil {
			return h, finance.ErrInvalidHash.Withf("%s_sha256: must be 64 hex characters", name)
		}
	}
	if b, ok := docs[name]; ok {
		if given != "" && b.SHA256 != h {
			return h, finance.ErrInvalidHash.Withf("the %s file has SHA-256 %s, not the %s_sha256 given", name, b.SHA256, name)
		}
		return b.SHA256, nil
	}
	if h.IsZero() {
		return h, finance.ErrInvalidHash.Withf("the %s is missing: upload its file or give %s_sha256", name, name)
	}
	return h, nil
}

// receiveDocuments reads a multipart issue: the parts "invoice" and
// "contract" that carry a file stream into the blob store, every other part
// is a small text field. A page's form may have been parsed already by the
// CSRF check (browsers that send no Sec-Fetch-Site); its files are then read
// from the parsed form.
func receiveDocuments(c echo.Context, store storage.BlobStore) (map[string]string, map[string]storage.Blob, error) {
	fields, docs := map[string]string{}, map[string]storage.Blob{}
	if form := c.Request().MultipartForm; form != nil {
		for k, vs := range form.Value {
			fields[k] = vs[0]
		}
		for _, name := range []string{docInvoice, docContract} {
			files := form.File[name]
			if len(files) == 0 || files[0].Filename == "" {
				continue
			}
			f, err := files[0].Open()
			if err != nil {
				return nil, nil, err
			}
			b, err := store.Put(c.Request().Context(), f, storage.PutOptions{})
			f.Close()
			if err != nil {
				return nil, nil, err
			}
			docs[name] = b
		}
		return fields, docs, nil
	}
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return nil, nil, web.ErrBadRequest.Withf("send the issue as JSON, or as multipart/form-data with the files")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return fields, docs, nil
		}
		if err != nil {
			return nil, nil, web.ErrBadRequest.Withf("read multipart body: %v", err)
		}
		if err := receivePart(c, store, part, fields, docs); err != nil {
			return nil, nil, err
		}
	}
}

func receivePart(c echo.Context, store storage.BlobStore, part *multipart.Part, fields map[string]string, docs map[string]storage.Blob) error {
	defer part.Close()
	name := part.FormName()
	if (name == docInvoice || name == docContract) && part.FileName() != "" {
		if _, dup := docs[name]; dup {
			return web.ErrBadRequest.Withf("more than one %s file", name)
		}
		b, err := store.Put(c.Request().Context(), part, storage.PutOptions{})
		if err != nil {
			return err
		}
		docs[name] = b
		return nil
	}
	if len(fields) >= maxFields {
		return web.ErrBadRequest.Withf("too many form fields")
	}
	v, err := io.ReadAll(io.LimitReader(part, maxFieldSize+1))
	if err != nil {
		return web.ErrBadRequest.Withf("read form field %q: %v", clip(name), err)
	}
	if len(v) > maxFieldSize {
		return web.ErrBadRequest.Withf("form field %q is over %d bytes", clip(name), maxFieldSize)
	}
	// An empty file input of a form arrives as a part with an empty file
	// name: it names no document.
	if name != docInvoice && name != docContract {
		fields[name] = string(v)
	}
	return nil
}
