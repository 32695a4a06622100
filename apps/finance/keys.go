package finance

import (
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
)

// State layout. Ids are 20-digit decimals and dates YYYY-MM-DD in keys, so
// keys sort by id or by due date. Every index entry is derived from a piece
// by indexKeys, and savePiece keeps them in step with the record.
//
//	finance/seq                                   → last piece id (decimal)
//	finance/record/<id>                           → Receivable
//	finance/size/<root>                           → pieces in the root's tree (decimal)
//	finance/tree/<root>/<id>                      → every piece of a tree
//	finance/issued/<org>/<id>                     → receivables (roots) an org issued
//	finance/invoice/<sha256>/<id>                 → the receivable (root) an invoice backs, unless rejected or cancelled
//	finance/held/<org>/<id>                       → pieces an org holds or last held
//	finance/held-state/<org>/<state>/<id>         → the same, by state
//	finance/account/<address>/<id>                → pieces an account holds or last held
//	finance/account-state/<address>/<state>/<id>  → the same, by state
//	finance/held-due/<org>/<date>/<id>            → unpaid pieces an org holds, by due date
//	finance/owed/<org>/<date>/<id>                → unpaid pieces an issuer owes, by due date
//	finance/requests/<bank org>/<id>              → pieces awaiting a bank's answer
//
// Index values are empty. Organisation ids cannot contain "/", so no prefix
// of one organisation's entries covers another's.
const (
	seqKey             = "finance/seq"
	recordPrefix       = "finance/record/"
	sizePrefix         = "finance/size/"
	treePrefix         = "finance/tree/"
	issuedPrefix       = "finance/issued/"
	invoicePrefix      = "finance/invoice/"
	heldPrefix         = "finance/held/"
	heldStatePrefix    = "finance/held-state/"
	accountPrefix      = "finance/account/"
	accountStatePrefix = "finance/account-state/"
	heldDuePrefix      = "finance/held-due/"
	owedPrefix         = "finance/owed/"
	requestsPrefix     = "finance/requests/"
)

func recordKey(id ID) []byte { return []byte(recordPrefix + id.Key()) }
func sizeKey(root ID) []byte { return []byte(sizePrefix + root.Key()) }

func treeIndexPrefix(root ID) []byte { return []byte(treePrefix + root.Key() + "/") }
func issuedIndexPrefix(org string) []byte {
	return []byte(issuedPrefix + org + "/")
}
func invoiceIndexPrefix(h chain.Hash) []byte {
	return []byte(invoicePrefix + h.String() + "/")
}
func heldIndexPrefix(org string, state State) []byte {
	if state == "" {
		return []byte(heldPrefix + org + "/")
	}
	return []byte(heldStatePrefix + org + "/" + string(state) + "/")
}
func accountIndexPrefix(a chain.Address, state State) []byte {
	if state == "" {
		return []byte(accountPrefix + a.String() + "/")
	}
	return []byte(accountStatePrefix + a.String() + "/" + string(state) + "/")
}
func heldDueIndexPrefix(org string) []byte { return []byte(heldDuePrefix + org + "/") }
func owedIndexPrefix(org string) []byte    { return []byte(owedPrefix + org + "/") }
func requestsIndexPrefix(bank string) []byte {
	return []byte(requestsPrefix + bank + "/")
}

// indexKeys returns the index entries of p as it is now.
func indexKeys(p *Receivable) []string {
	id := p.ID.Key()
	keys := []string{
		string(treeIndexPrefix(p.Root)) + id,
		string(heldIndexPrefix(p.Holder, "")) + id,
		string(heldIndexPrefix(p.Holder, p.State)) + id,
		string(accountIndexPrefix(p.HolderAccount, "")) + id,
		string(accountIndexPrefix(p.HolderAccount, p.State)) + id,
	}
	if p.ID == p.Root {
		keys = append(keys, string(issuedIndexPrefix(p.Issuer))+id)
		if p.State != StateRejected && p.State != StateCancelled {
			keys = append(keys, string(invoiceIndexPrefix(p.InvoiceSHA256))+id)
		}
	}
	if p.State.Unpaid() {
		due := p.DueDate.String() + "/" + id
		keys = append(keys, string(heldDueIndexPrefix(p.Holder))+due, string(owedIndexPrefix(p.Issuer))+due)
	}
	if p.State == StateFinancingRequested {
		keys = append(keys, string(requestsIndexPrefix(p.Request.Bank))+id)
	}
	return keys
}

// idFromKey reads the id at the end of an index key.
func idFromKey(key []byte) (ID, error) {
	id, err := chain.SerialAt(key)
	if err != nil {
		return 0, errs.Internal.Withf("finance: %v", err)
	}
	return id, nil
}
