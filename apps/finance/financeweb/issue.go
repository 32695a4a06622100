package financeweb

import (
	"strings"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/chain"
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

// issueParts are the parts of a multipart issue that carry its files;
// issueFieldLimits bound the text fields beside them.
var (
	issueParts       = []web.FilePart{{Name: docInvoice}, {Name: docContract}}
	issueFieldLimits = web.FormLimits{Fields: 32, FieldSize: 8 << 10}
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
func (in issueFields) msg(amount func(finance.Currency) (finance.Amount, error), docs map[string]web.File) (finance.Issue, error) {
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
func docHash(name, given string, docs map[string]web.File) (chain.Hash, error) {
	given = strings.TrimSpace(given)
	var h chain.Hash
	if given != "" {
		var err error
		if h, err = chain.ParseHash(given); err != nil {
			return h, finance.ErrInvalidHash.Withf("%s_sha256: must be 64 hex characters", name)
		}
	}
	if f, ok := docs[name]; ok {
		if given != "" && f.Blob.SHA256 != h {
			return h, finance.ErrInvalidHash.Withf("the %s file has SHA-256 %s, not the %s_sha256 given", name, f.Blob.SHA256, name)
		}
		return f.Blob.SHA256, nil
	}
	if h.IsZero() {
		return h, finance.ErrInvalidHash.Withf("the %s is missing: upload its file or give %s_sha256", name, name)
	}
	return h, nil
}
