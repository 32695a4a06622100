package evidence

import (
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
)

// State layout. Ids are written as 20-digit decimals in keys, so keys sort
// by id and reverse iteration lists newest first.
//
//	evidence/seq                          → last evidence id (decimal)
//	evidence/record/<id>                  → Evidence
//	evidence/hash/<sha256>/<id>           → empty: every deposit of a hash
//	evidence/org-hash/<org>/<sha256>      → id: one deposit per org and hash
//	evidence/org/<org>/<id>               → empty: an org's deposits
//	evidence/attest/<id>/<org>            → Attestation
//	evidence/custody/<id>/<n>             → CustodyEntry, n from 1
//	evidence/batch-seq                    → last batch id
//	evidence/batch/<id>                   → Batch
//	evidence/batch-root/<org>/<root>      → batch id: one batch per org and root
const (
	seqKey          = "evidence/seq"
	recordPrefix    = "evidence/record/"
	hashPrefix      = "evidence/hash/"
	orgHashPrefix   = "evidence/org-hash/"
	orgPrefix       = "evidence/org/"
	attestPrefix    = "evidence/attest/"
	sharePrefix     = "evidence/share/"
	custodyPrefix   = "evidence/custody/"
	batchSeqKey     = "evidence/batch-seq"
	batchPrefix     = "evidence/batch/"
	batchRootPrefix = "evidence/batch-root/"
)

func recordKey(id ID) []byte              { return []byte(recordPrefix + id.Key()) }
func hashIndexPrefix(h chain.Hash) []byte { return []byte(hashPrefix + h.String() + "/") }
func hashIndexKey(h chain.Hash, id ID) []byte {
	return append(hashIndexPrefix(h), id.Key()...)
}
func orgHashKey(org string, h chain.Hash) []byte {
	return []byte(orgHashPrefix + org + "/" + h.String())
}
func orgIndexPrefix(org string) []byte     { return []byte(orgPrefix + org + "/") }
func orgIndexKey(org string, id ID) []byte { return append(orgIndexPrefix(org), id.Key()...) }
func attestIndexPrefix(id ID) []byte       { return []byte(attestPrefix + id.Key() + "/") }
func attestKey(id ID, org string) []byte   { return append(attestIndexPrefix(id), org...) }
func shareKey(id ID, org string) []byte    { return []byte(sharePrefix + id.Key() + "/" + org) }
func custodyIndexPrefix(id ID) []byte      { return []byte(custodyPrefix + id.Key() + "/") }
func custodyKey(id ID, n uint64) []byte {
	return append(custodyIndexPrefix(id), chain.Serial(n).Key()...)
}
func batchKey(id ID) []byte { return []byte(batchPrefix + id.Key()) }
func batchRootKey(org string, root chain.Hash) []byte {
	return []byte(batchRootPrefix + org + "/" + root.String())
}

// idFromKey reads the id at the end of an index key.
func idFromKey(key []byte) (ID, error) {
	id, err := chain.SerialAt(key)
	if err != nil {
		return 0, errs.Internal.Withf("evidence: %v", err)
	}
	return id, nil
}
