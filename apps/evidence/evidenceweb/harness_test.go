package evidenceweb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/apps/evidence/evidenceweb"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/web/webtest"
)

// The test consortium: a notary office (depositor and custodian), a lab
// (depositor), a court (verifier), a vault (custodian) and a bank, which has
// no evidence role. Each has one web user.
var users = []struct {
	name, org string
	roles     []string
}{
	{"notary", "notary", []string{evidence.RoleDepositor, evidence.RoleCustodian}},
	{"lab", "lab", []string{evidence.RoleDepositor}},
	{"judge", "court", []string{evidence.RoleVerifier}},
	{"keeper", "vault", []string{evidence.RoleCustodian}},
	{"banker", "bank", []string{members.RoleFinanceBank}},
}

var orgNames = map[string]string{
	"notary": "Example Notary Office", "lab": "Forensic Lab <b>&</b> Co", "court": "District Court",
	"vault": "Evidence Vault", "bank": "Example Bank",
}

func key(username string) chaintest.Key { return chaintest.NewKey(username) }

// env is a server with the evidence API and pages over the fake chain, a
// keyring holding the test users and a blob store in a temporary directory.
type env struct {
	*webtest.Env
}

func newEnv(t *testing.T) *env {
	t.Helper()
	orgs := []members.GenesisOrg{webtest.Org("consortium", "Consortium Office", []string{members.RoleConsortiumAdmin}, key("admin"))}
	var webUsers []webtest.User
	for _, u := range users {
		orgs = append(orgs, webtest.Org(u.org, orgNames[u.org], u.roles, key(u.name)))
		webUsers = append(webUsers, webtest.User{Name: u.name, Org: u.org})
	}
	mk := members.NewKeeper()
	w := webtest.New(t, webtest.Options{
		Roles: mk, Modules: []chain.Module{members.NewModule(), evidence.NewModule(evidence.NewKeeper(mk))},
		Genesis: webtest.Genesis(orgs...), Users: webUsers, MaxBlob: 1 << 20,
	})
	h := evidenceweb.New(w.Chain.Store(), w.Server, evidence.NewKeeper(mk))
	h.APIRoutes()
	h.Pages(w.Server.Echo())
	return &env{Env: w}
}

// Contents of the history's files.
const (
	contract = "Contract of sale, signed 2025-12-30.\n"
	photo    = "JPEG bytes of a photograph of the scene\n"
)

func sum(content string) chain.Hash { return chain.SumHash([]byte(content)) }

// signFixed signs an evidence message with a fixed nonce.
func signFixed(t testing.TB, k chaintest.Key, typ string, msg any, nonce uint64) []byte {
	t.Helper()
	return webtest.SignFixed(t, k, evidence.ModuleName, typ, msg, nonce, 100)
}

// history executes a fixed history, each transaction signed with a fixed
// nonce so that hashes and pages are the same on every run:
//
//	evidence 1: the notary deposits the contract, stored (blocks 2)
//	evidence 2: the lab deposits the same contract, hash only (3)
//	the court and the lab attest evidence 1 (4, 5)
//	the vault receives it into custody (6); the judge downloads it (7)
//	evidence 3: the notary deposits the photo (8) and withdraws it (9)
func (e *env) history() {
	e.T.Helper()
	if _, err := e.Blobs.Put(context.Background(), strings.NewReader(contract), storage.PutOptions{}); err != nil {
		e.T.Fatal(err)
	}
	steps := []struct {
		user, typ string
		msg       any
	}{
		{"notary", evidence.TypeDeposit, evidence.Deposit{SHA256: sum(contract), Size: int64(len(contract)), MediaType: "application/pdf",
			FileName: "contract.pdf", Title: "Sale contract <script>alert(1)</script>", Description: "Signed original.\nTwo pages.",
			CaseRef: "2026-CIV-0042", Stored: true}},
		{"lab", evidence.TypeDeposit, evidence.Deposit{SHA256: sum(contract), Size: int64(len(contract)), Title: "Contract as received by the lab"}},
		{"judge", evidence.TypeAttest, evidence.Attest{ID: 1, Statement: "Matches the copy filed with the court."}},
		{"lab", evidence.TypeAttest, evidence.Attest{ID: 1, Statement: "Received the original on 2026-01-01."}},
		{"keeper", evidence.TypeCustody, evidence.Custody{ID: 1, Action: "received", Note: "Sealed bag 4411"}},
		{"judge", evidence.TypeAccess, evidence.Access{ID: 1, Purpose: "hearing"}},
		{"notary", evidence.TypeDeposit, evidence.Deposit{SHA256: sum(photo), Size: int64(len(photo)), MediaType: "image/jpeg",
			FileName: "scene.jpg", Title: "Scene photograph"}},
		{"notary", evidence.TypeWithdraw, evidence.Withdraw{ID: 3, Reason: "Deposited in error"}},
	}
	for i, s := range steps {
		raw := signFixed(e.T, key(s.user), s.typ, s.msg, uint64(i+1))
		if res := e.Chain.Commit(raw)[0]; !res.OK() {
			e.T.Fatalf("history step %d (%s %s): %s", i+1, s.user, s.typ, res.Log)
		}
	}
}

func (e *env) record(id evidence.ID) evidence.Evidence {
	e.T.Helper()
	var ev evidence.Evidence
	if err := e.Chain.View(func(r chain.Reader) (err error) { ev, err = evidence.Get(r, id); return err }); err != nil {
		e.T.Fatal(err)
	}
	return ev
}
