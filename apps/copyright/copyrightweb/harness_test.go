package copyrightweb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chancery/chancery/apps/copyright"
	"github.com/chancery/chancery/apps/copyright/copyrightweb"
	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/web/webtest"
)

// The test consortium: a studio of two registrants, a press, a tribunal of
// arbiters and a notary who deposits evidence.
var (
	alice  = chaintest.NewKey("alice")  // studio: registrant
	bob    = chaintest.NewKey("bob")    // studio: registrant
	carol  = chaintest.NewKey("carol")  // press: registrant
	judge  = chaintest.NewKey("judge")  // tribunal: arbiter
	notary = chaintest.NewKey("notary") // notary: evidence depositor
)

// env is a server with the copyright API and pages over a fake chain, and a
// keyring holding the test users.
type env struct {
	*webtest.Env
	nonce uint64
	ev    evidence.ID // a deposit disputes may cite
}

func newEnv(t *testing.T) *env {
	t.Helper()
	mk := members.NewKeeper()
	deposits := copyright.EvidenceFunc(func(r chain.Reader, id uint64) bool {
		_, err := evidence.Get(r, evidence.ID(id))
		return err == nil
	})
	w := webtest.New(t, webtest.Options{
		Roles: mk,
		Modules: []chain.Module{
			members.NewModule(), evidence.NewModule(evidence.NewKeeper(mk)),
			copyright.NewModule(copyright.NewKeeper(mk, deposits)),
		},
		Genesis: webtest.Genesis(
			webtest.Org("consortium", "Consortium Office", []string{members.RoleConsortiumAdmin}, chaintest.NewKey("admin")),
			webtest.Org("studio", "Studio <Nord>", []string{copyright.RoleRegistrant}, alice, bob),
			webtest.Org("press", "Press & Co", []string{copyright.RoleRegistrant}, carol),
			webtest.Org("tribunal", "Tribunal", []string{copyright.RoleArbiter}, judge),
			webtest.Org("notary", "Notary", []string{evidence.RoleDepositor}, notary),
		),
		Users: []webtest.User{
			{Name: alice.Name, Org: "studio"}, {Name: bob.Name, Org: "studio"}, {Name: carol.Name, Org: "press"}, {Name: judge.Name, Org: "tribunal"},
		},
		MaxBlob: 1 << 20,
	})
	h := copyrightweb.New(w.Chain.Store(), w.Server)
	h.APIRoutes()
	h.Pages(w.Server.Echo())
	e := &env{Env: w}
	var dep evidence.DepositResult
	e.submit(notary, evidence.ModuleName, evidence.TypeDeposit, evidence.Deposit{SHA256: chain.SumHash([]byte("proof")), Title: "Draft of 2024"}, &dep)
	e.ev = dep.ID
	return e
}

// submit signs msg as k with the next fixed nonce, so transaction hashes are
// the same on every run, and commits it in a block of its own; the result
// data is decoded into out when it is not nil.
func (e *env) submit(k chaintest.Key, module, typ string, msg any, out any) {
	e.T.Helper()
	e.nonce++
	signed := webtest.SignFixed(e.T, k, module, typ, msg, e.nonce, 1000)
	sub, err := e.Chain.Submit(context.Background(), signed, 0)
	if err == nil && !sub.Result.OK() {
		err = fmt.Errorf("%s", sub.Result.Log)
	}
	if err != nil {
		e.T.Fatalf("%s by %s: %v", typ, k.Name, err)
	}
	if out != nil {
		if err := canon.Unmarshal(sub.Result.Data, out); err != nil {
			e.T.Fatal(err)
		}
	}
}

func (e *env) copyright(k chaintest.Key, typ string, msg any) {
	e.T.Helper()
	e.submit(k, copyright.ModuleName, typ, msg, nil)
}

// history gives work 1 something of everything: two holders, a live
// exclusive license and a revoked one, a dismissed dispute and a pending
// transfer. Its title and its organisations' names carry markup, which
// pages must escape.
func (e *env) history() {
	// The file, as the registration form would have stored it: uploaded
	// by alice's organisation.
	ode, err := e.Blobs.Put(context.Background(), strings.NewReader("ode"), storage.PutOptions{})
	if err != nil {
		e.T.Fatal(err)
	}
	if err := storage.MarkUpload(context.Background(), e.Blobs, "studio", ode.SHA256); err != nil {
		e.T.Fatal(err)
	}
	e.copyright(alice, copyright.TypeRegister, copyright.Register{
		SHA256: chain.SumHash([]byte("ode")), Stored: true, Title: `Ode to <b>Joy</b>`, Kind: copyright.KindAudio,
		Authors: []copyright.Author{{Name: "Ada Lovelace"}, {Name: "Charles Babbage"}},
		Holders: []copyright.Holder{
			{Account: alice.Address(), Name: "Alice", Shares: 6000},
			{Account: bob.Address(), Name: "Bob", Shares: 4000},
		},
		Created: "2025-06-01", Description: "A choral finale.\nSecond line.",
	})
	e.copyright(alice, copyright.TypeGrantLicense, copyright.GrantLicense{Work: 1, Grant: copyright.Grant{
		LicenseeOrg: "press", Scope: "print", Territory: "FR", Start: "2026-01-01", End: "2027-01-01", Exclusive: true, Terms: "5% of sales",
	}})
	e.copyright(bob, copyright.TypeGrantLicense, copyright.GrantLicense{Work: 1, Grant: copyright.Grant{
		Licensee: carol.Address(), Scope: "streaming", Territory: copyright.Worldwide, Start: "2026-01-01", End: "2026-06-01",
	}})
	e.copyright(alice, copyright.TypeRevokeLicense, copyright.RevokeLicense{License: 2, Reason: "unpaid"})
	e.copyright(carol, copyright.TypeOpenDispute, copyright.OpenDispute{Work: 1, Evidence: uint64(e.ev), Claim: "I wrote it in 2024."})
	e.copyright(judge, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 1, Outcome: copyright.OutcomeDismissed, Reasoning: "The draft differs."})
	e.copyright(alice, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 1, Note: "sale to the press",
		Holders: []copyright.Holder{{Account: carol.Address(), Name: "Carol", Shares: 10000}}})
}
