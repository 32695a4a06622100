package members

import "github.com/chancery/chancery/chain"

// State layout. Every key starts with "members/"; ids and addresses are
// written as text so that a dump of the state reads plainly. Organisation ids
// cannot contain "/" and hex addresses sort like their bytes, so prefixes never
// overlap and listings come out in id and address order.
//
//	members/org/<org id>                      → Org, canonical JSON
//	members/account/<address hex>             → Account, canonical JSON
//	members/org-account/<org id>/<address hex> → empty: the accounts of an org
const (
	orgPrefix        = "members/org/"
	accountPrefix    = "members/account/"
	orgAccountPrefix = "members/org-account/"
)

func orgKey(id string) []byte { return []byte(orgPrefix + id) }

func accountKey(a chain.Address) []byte { return []byte(accountPrefix + a.String()) }

// orgAccountsPrefix is the prefix of the index entries of org's accounts.
func orgAccountsPrefix(org string) []byte { return []byte(orgAccountPrefix + org + "/") }

func orgAccountKey(org string, a chain.Address) []byte {
	return append(orgAccountsPrefix(org), a.String()...)
}
