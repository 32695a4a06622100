package copyright

import (
	"github.com/chancery/chancery/chain"
)

// State layout. Ids are written as 20-digit decimals in keys, so keys sort
// by id. Tokens are lowercase letters, digits and marks, never "/" or " ";
// territories are "worldwide" or two capitals; so no prefix overlaps another.
//
//	copyright/seq                                   → last work id (decimal)
//	copyright/work/<id>                             → Work
//	copyright/hash/<sha256>                         → work id: one registration per hash
//	copyright/holder/<address>/<id>                 → empty: the works an account holds
//	copyright/idx/<token>/<id>                      → empty: the search index
//	copyright/tokens/<id>                           → the work's index tokens, sorted, space-separated
//	copyright/history/<id>/<n>                      → HistoryEntry, n from 1
//	copyright/license-seq                           → last license id
//	copyright/license/<license id>                  → License
//	copyright/work-license/<id>/<license id>        → empty: a work's licenses
//	copyright/license-term/<id>/<scope>/<territory>/<license id>
//	                                                → empty: licenses by scope (SHA-256 of its
//	                                                  normalised text) and territory, for overlaps
//	copyright/dispute-seq                           → last dispute id
//	copyright/dispute/<dispute id>                  → Dispute
//	copyright/work-dispute/<id>/<dispute id>        → empty: a work's disputes
const (
	seqKey            = "copyright/seq"
	workPrefix        = "copyright/work/"
	hashPrefix        = "copyright/hash/"
	holderPrefix      = "copyright/holder/"
	idxPrefix         = "copyright/idx/"
	tokensPrefix      = "copyright/tokens/"
	historyPrefix     = "copyright/history/"
	licenseSeqKey     = "copyright/license-seq"
	licensePrefix     = "copyright/license/"
	workLicensePrefix = "copyright/work-license/"
	licenseTermPrefix = "copyright/license-term/"
	disputeSeqKey     = "copyright/dispute-seq"
	disputePrefix     = "copyright/dispute/"
	workDisputePrefix = "copyright/work-dispute/"
	idDigits          = 20
)

func workKey(id ID) []byte                     { return []byte(workPrefix + id.Key()) }
func hashKey(h chain.Hash) []byte              { return []byte(hashPrefix + h.String()) }
func holderIndexPrefix(a chain.Address) []byte { return []byte(holderPrefix + a.String() + "/") }
func holderKey(a chain.Address, id ID) []byte {
	return append(holderIndexPrefix(a), id.Key()...)
}
func tokenPrefix(prefix string) []byte    { return []byte(idxPrefix + prefix) }
func tokenKey(token string, id ID) []byte { return []byte(idxPrefix + token + "/" + id.Key()) }
func tokensKey(id ID) []byte              { return []byte(tokensPrefix + id.Key()) }
func historyIndexPrefix(id ID) []byte     { return []byte(historyPrefix + id.Key() + "/") }
func historyKey(id ID, n uint64) []byte {
	return append(historyIndexPrefix(id), ID(n).Key()...)
}
func licenseKey(id ID) []byte            { return []byte(licensePrefix + id.Key()) }
func workLicenseIndexPrefix(w ID) []byte { return []byte(workLicensePrefix + w.Key() + "/") }
func workLicenseKey(w, l ID) []byte      { return append(workLicenseIndexPrefix(w), l.Key()...) }
func licenseTermIndexPrefix(w ID, scope chain.Hash, territory string) []byte {
	p := licenseTermPrefix + w.Key() + "/" + scope.String() + "/"
	if territory != "" {
		p += territory + "/"
	}
	return []byte(p)
}
func licenseTermKey(l License) []byte {
	return append(licenseTermIndexPrefix(l.Work, scopeHash(l.Scope), l.Territory), l.ID.Key()...)
}
func disputeKey(id ID) []byte            { return []byte(disputePrefix + id.Key()) }
func workDisputeIndexPrefix(w ID) []byte { return []byte(workDisputePrefix + w.Key() + "/") }
func workDisputeKey(w, d ID) []byte      { return append(workDisputeIndexPrefix(w), d.Key()...) }

// idFromKey reads the id at the end of an index key.
func idFromKey(key []byte) (ID, error) {
	return chain.SerialAt(key)
}
