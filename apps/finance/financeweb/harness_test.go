package financeweb_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/apps/finance/financeweb/financewebtest"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/web/webtest"
)

// The test consortium, as the demo's: a core enterprise, a supplier and its
// sub-supplier, a bank, and a notary without finance roles; and a second
// core enterprise and a second bank. Each has one
// web user of the same name.
var users = []financewebtest.Party{
	{User: "core", Org: "core-corp", OrgName: "Core Manufacturing Corp.", Roles: []string{finance.RoleCore}},
	{User: "supplier", Org: "supplier-1", OrgName: "First-Tier Supplier Ltd.", Roles: []string{finance.RoleSupplier}},
	{User: "subsupplier", Org: "supplier-2", OrgName: "Second-Tier Parts Co. <b>&</b>", Roles: []string{finance.RoleSupplier}},
	{User: "bank", Org: "bank", OrgName: "Example Commercial Bank", Roles: []string{finance.RoleBank}},
	{User: "notary", Org: "notary", OrgName: "Example Notary Office", Roles: []string{members.RoleEvidenceDepositor}},
	{User: "rival", Org: "rival-corp", OrgName: "Rival Industries", Roles: []string{finance.RoleCore}},
	{User: "bank2", Org: "bank-2", OrgName: "Second Bank", Roles: []string{finance.RoleBank}},
}

func key(username string) chaintest.Key  { return chaintest.NewKey(username) }
func addr(username string) chain.Address { return key(username).Address() }

// env is a server with the finance API and pages over the fake chain, a
// keyring holding the test users (each with an API token) and a blob store
// in a temporary directory. Block time is the test's: it starts on
// 2026-01-01 and moves only when the test says (setDate), so due dates pass
// without sleeping.
type env struct {
	*webtest.Env
	nonce uint64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return &env{Env: financewebtest.New(t, users...)}
}

// setDate commits an empty block at noon of d: the chain's date is then d.
func (e *env) setDate(t testing.TB, d string) {
	t.Helper()
	e.Chain.AdvanceTo(t, date(d).Time().Add(12*time.Hour))
}

func date(s string) finance.Date {
	d, err := finance.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func cny(s string) finance.Amount {
	a, err := finance.ParseAmount(s, "CNY")
	if err != nil {
		panic(err)
	}
	return a
}

// exec runs msg as user in a block of its own, signed with the next fixed
// nonce so that hashes — and pages that show them — are the same every run.
func (e *env) exec(user, typ string, msg any) finance.Result {
	e.T.Helper()
	e.nonce++
	signed := webtest.SignFixed(e.T, key(user), finance.ModuleName, typ, msg, e.nonce, e.Chain.Height()+50)
	res := e.Chain.Commit(signed)[0]
	if !res.OK() {
		e.T.Fatalf("%s as %s: %s", typ, user, res.Log)
	}
	var out finance.Result
	if err := canon.Unmarshal(res.Data, &out); err != nil {
		e.T.Fatal(err)
	}
	return out
}

func hashOf(s string) chain.Hash { return chain.SumHash([]byte(s)) }

// issue is an issue message of CNY amount due on due to user.
func issue(user string, amount, due, ref string) finance.Issue {
	return finance.Issue{Supplier: addr(user), Amount: cny(amount), Currency: "CNY", DueDate: date(due),
		InvoiceSHA256: hashOf("invoice " + ref), ContractSHA256: hashOf("contract " + ref), Ref: ref}
}

// history is the issue's story up to the bank's answer, with two more
// receivables beside it, executed with fixed nonces:
//
//	#1 core issues 100,000.00 to the supplier, due 2026-06-30, on 2026-01-01;
//	   the supplier accepts and splits it into #2 60,000.00 and #3
//	   40,000.00, and passes #3 to the sub-supplier, who asks the bank to
//	   finance it
//	#4 core issues 25,000.00 to the supplier, due 2026-05-31: not accepted yet
//	#5 core issues 10,000.00 to the supplier, due 2026-03-15; accepted
//
// then the chain's date moves to 2026-04-01: #5 is overdue, #3 is 90 days
// from maturity.
func (e *env) history() {
	e.T.Helper()
	e.exec("core", finance.TypeIssue, issue("supplier", "100000.00", "2026-06-30", "PO-2026-001"))
	e.exec("supplier", finance.TypeAccept, finance.Accept{ID: 1})
	e.exec("supplier", finance.TypeSplit, finance.Split{ID: 1, Amounts: []finance.Amount{cny("60000.00"), cny("40000.00")}})
	e.exec("supplier", finance.TypeTransfer, finance.Transfer{ID: 3, To: addr("subsupplier")})
	e.exec("subsupplier", finance.TypeRequestFinancing, finance.RequestFinancing{ID: 3, Bank: addr("bank")})
	e.exec("core", finance.TypeIssue, issue("supplier", "25000.00", "2026-05-31", "PO-2026-002"))
	e.exec("core", finance.TypeIssue, issue("supplier", "10000.00", "2026-03-15", "PO-2026-003"))
	e.exec("supplier", finance.TypeAccept, finance.Accept{ID: 5})
	e.setDate(e.T, "2026-04-01")
}

func (e *env) piece(id finance.ID) finance.Receivable {
	e.T.Helper()
	var p finance.Receivable
	err := e.Chain.View(func(r chain.Reader) error {
		l, err := finance.Get(r, id)
		p = l.Piece
		return err
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return p
}

// pdfs are the files of a multipart issue, part name → content, each as
// NAME.pdf, in the order of their names.
func pdfs(files map[string]string) []webtest.File {
	var out []webtest.File
	for _, name := range slices.Sorted(maps.Keys(files)) {
		out = append(out, webtest.File{Field: name, Name: name + ".pdf", Content: files[name]})
	}
	return out
}
