// Package financewebtest serves the finance pages and API in tests: the web
// server with the finance routes mounted as `chancery start` mounts them,
// over a web/webtest chain whose block time the test moves, so that due
// dates pass without sleeping.
package financewebtest

import (
	"testing"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/apps/finance/financeweb"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/web/webtest"
)

// Party is an organisation of the test consortium with one web user of its
// own: key chaintest.NewKey(User), password webtest.Password(User), and an
// API token.
type Party struct {
	User, Org, OrgName string
	Roles              []string
}

// New starts the server for a consortium of parties and a consortium
// administrator ("admin"). Block time starts as chaintest's does.
func New(t testing.TB, parties ...Party) *webtest.Env {
	t.Helper()
	orgs := []members.GenesisOrg{webtest.Org("consortium", "Consortium Office", []string{members.RoleConsortiumAdmin}, chaintest.NewKey("admin"))}
	users := make([]webtest.User, 0, len(parties))
	for _, p := range parties {
		orgs = append(orgs, webtest.Org(p.Org, p.OrgName, p.Roles, chaintest.NewKey(p.User)))
		users = append(users, webtest.User{Name: p.User, Org: p.Org})
	}
	mk := members.NewKeeper()
	w := webtest.New(t, webtest.Options{
		Roles: mk, Modules: []chain.Module{members.NewModule(), finance.NewModule(finance.NewKeeper(mk))},
		Genesis: webtest.Genesis(orgs...), Users: users, Tokens: true, MaxBlob: 1 << 20,
	})
	h := financeweb.New(w.Chain.Store(), w.Server)
	h.APIRoutes()
	h.Pages(w.Server.Echo())
	return w
}
