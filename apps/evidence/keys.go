package evidence

import (
	"fmt"

	"github.com/chancery/chancery/chain"
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
//	evidence/batch-root/<root>            → batch id
const (
	seqKey          = "evidence/seq"
	recordPrefix    = "evidence/record/"
	hashPrefix      = "evidence/hash/"
	orgHashPrefix   = "evidence/org-hash/"
	orgPrefix       = "evidence/org/"
	attestPrefix    = "evidence/attest/"
	custodyPrefix   = "evidence/custody/"
	batchSeqKey     = "evidence/batch-seq"
	batchPrefix     = "evidence/batch/"
	batchRootPrefix = "evidence/batch-root/"
)

func idText(id ID) string { return fmt.Sprintf("%020d", uint64(id)) }

func recordKey(id ID) []byte              { return []byte(recordPrefix + idText(id)) }
func hashIndexPrefix(h chain.Hash) []byte { return []byte(hashPrefix + h.String() + "/") }
func hashIndexKey(h chain.Hash, id ID) []byte {
	return append(hashIndexPrefix(h), idText(id)...)
}
func orgHashKey(org string, h chain.Hash) []byte {
	return []byte(orgHashPrefix + org + "/" + h.String())
}
func orgIndexPrefix(org string) []byte     { return []byte(orgPrefix + org + "/") }
func orgIndexKey(org string, id ID) []byte { return append(orgIndexPrefix(org), idText(id)...) }
func attestIndexPrefix(id ID) []byte       { return []byte(attestPrefix + idText(id) + "/") }
func attestKey(id ID, org string) []byte   { return append(attestIndexPrefix(id), org...) }
func custodyIndexPrefix(id ID) []byte      { return []byte(custodyPrefix + idText(id) + "/") }
func custodyKey(id ID, n uint64) []byte {
	return append(custodyIndexPrefix(id), fmt.Sprintf("%020d", n)...)
}
func batchKey(id ID) []byte               { return []byte(batchPrefix + idText(id)) }
func batchRootKey(root chain.Hash) []byte { return []byte(batchRootPrefix + root.String()) }

// idFromKey reads the id at the end of an index key.
func idFromKey(key []byte) (ID, error) {
	if len(key) < 20 {
		return 0, fmt.Errorf("index key %q too short", key)
	}
	var n uint64
	for _, c := range key[len(key)-20:] {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("index key %q does not end in an id", key)
		}
		n = n*10 + uint64(c-'0')
	}
	return ID(n), nil
}
