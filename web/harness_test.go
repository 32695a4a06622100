package web_test

import (
	"testing"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/apps/members/membersweb"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/web/webtest"
)

// The test consortium: a consortium office, a court whose clerk administers
// it, and an organisation whose name tries to inject a script.
var (
	adminKey = chaintest.NewKey("admin")
	clerkKey = chaintest.NewKey("clerk")
	judgeKey = chaintest.NewKey("judge")
	usherKey = chaintest.NewKey("usher")
	ghostKey = chaintest.NewKey("ghost") // a web user without an account on chain

	evilName = `<script>alert("owned")</script> Ltd`
)

func testOrgs() []members.GenesisOrg {
	return []members.GenesisOrg{
		{ID: "consortium", Name: "Consortium Office",
			Roles: []string{members.RoleConsortiumAdmin, members.RoleOrgAdmin, members.RoleAuditReader},
			Accounts: []members.GenesisAccount{{Name: "admin", PubKey: adminKey.Pub(),
				Roles: []string{members.RoleConsortiumAdmin, members.RoleOrgAdmin}}}},
		{ID: "court", Name: "District Court",
			Roles: []string{members.RoleOrgAdmin, members.RoleEvidenceVerifier, members.RoleAuditReader},
			Accounts: []members.GenesisAccount{{Name: "clerk", PubKey: clerkKey.Pub(),
				Roles: []string{members.RoleOrgAdmin}}}},
		{ID: "evil", Name: evilName, Roles: []string{members.RoleOrgAdmin},
			Accounts: []members.GenesisAccount{{Name: evilName, PubKey: chaintest.NewKey("evil").Pub(),
				Roles: []string{members.RoleOrgAdmin}}}},
	}
}

// env is a server over the fake chain with the members pages and a keyring
// holding the test users.
type env struct {
	*webtest.Env
	// Transactions of the history every env starts with.
	addJudge, judgeTries, addUsher, revokeUsher []byte
}

func newEnv(t *testing.T) *env {
	t.Helper()
	w := webtest.New(t, webtest.Options{
		Roles: members.NewKeeper(), Modules: []chain.Module{members.NewModule()}, Genesis: webtest.Genesis(testOrgs()...),
		Users: []webtest.User{{Name: "admin", Org: "consortium"}, {Name: "clerk", Org: "court"}, {Name: "judge", Org: "court"}, {Name: "ghost", Org: "court"}},
	})
	mw := membersweb.New(w.Chain.Store(), w.Server)
	mw.Routes(w.Server.API())
	mw.Pages(w.Server.Echo())
	e := &env{Env: w}
	e.history()
	return e
}

// history: the clerk adds a judge (block 2); the judge, no admin, tries to
// add an account and fails while the clerk adds an usher (block 3); the
// clerk revokes the usher (block 4).
func (e *env) history() {
	t := e.T
	sign := func(k chaintest.Key, typ string, msg any, nonce uint64) []byte {
		return webtest.SignFixed(t, k, members.ModuleName, typ, msg, nonce, 100)
	}
	e.addJudge = sign(clerkKey, members.TypeAddAccount,
		members.AddAccount{Name: "Judge Dredd", PubKey: judgeKey.Pub(), Roles: []string{members.RoleEvidenceVerifier}}, 1)
	e.judgeTries = sign(judgeKey, members.TypeAddAccount,
		members.AddAccount{Name: "Friend", PubKey: chaintest.NewKey("friend").Pub(), Roles: []string{}}, 2)
	e.addUsher = sign(clerkKey, members.TypeAddAccount,
		members.AddAccount{Name: "Usher", PubKey: usherKey.Pub(), Roles: []string{members.RoleAuditReader}}, 3)
	e.revokeUsher = sign(clerkKey, members.TypeRevokeAccount,
		members.RevokeAccount{Account: usherKey.Address(), Reason: "left the court"}, 4)
	for _, txs := range [][][]byte{{e.addJudge}, {e.judgeTries, e.addUsher}, {e.revokeUsher}} {
		for _, r := range e.Chain.Commit(txs...) {
			if shouldFail := r.Hash == chain.SumHash(e.judgeTries); r.OK() == shouldFail {
				t.Fatalf("history: tx %s ok=%v: %s", r.Hash, r.OK(), r.Log)
			}
		}
	}
}
