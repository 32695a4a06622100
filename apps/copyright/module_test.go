package copyright_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chancery/chancery/apps/copyright"
	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/shared/errs"
)

const day = 24 * time.Hour

func newChain(t testing.TB) *chaintest.Chain {
	t.Helper()
	raw, err := json.Marshal(map[string]any{"members": membersGenesis()})
	if err != nil {
		t.Fatal(err)
	}
	mk := members.NewKeeper()
	return chaintest.New(t, chaintest.Options{
		Auth: mk,
		Modules: []chain.Module{
			members.NewModule(),
			evidence.NewModule(evidence.NewKeeper(mk)),
			copyright.NewModule(newKeeper()),
		},
		Genesis: raw,
	})
}

// submit sends a copyright message that must succeed and decodes its result
// into T.
func submit[T any](t *testing.T, c *chaintest.Chain, k chaintest.Key, typ string, msg any) T {
	t.Helper()
	return submitTo[T](t, c, k, copyright.ModuleName, typ, msg)
}

func submitTo[T any](t *testing.T, c *chaintest.Chain, k chaintest.Key, module, typ string, msg any) T {
	t.Helper()
	data, err := c.Submit(k, module, typ, msg)
	if err != nil {
		t.Fatalf("%s by %s: %v", typ, k.Name, err)
	}
	var res T
	if err := canon.Unmarshal(data, &res); err != nil {
		t.Fatalf("%s result: %v", typ, err)
	}
	return res
}

func register(t *testing.T, c *chaintest.Chain, k chaintest.Key, msg copyright.Register) copyright.RegisterResult {
	t.Helper()
	return submit[copyright.RegisterResult](t, c, k, copyright.TypeRegister, msg)
}

func view[T any](t *testing.T, c *chaintest.Chain, fn func(chain.Reader) (T, error)) T {
	t.Helper()
	var v T
	if err := c.View(func(r chain.Reader) (err error) { v, err = fn(r); return err }); err != nil {
		t.Fatal(err)
	}
	return v
}

func get(t *testing.T, c *chaintest.Chain, id copyright.ID) copyright.WorkView {
	t.Helper()
	return view(t, c, func(r chain.Reader) (copyright.WorkView, error) { return copyright.Get(r, id, c.Time()) })
}

func actions(h []copyright.HistoryEntry) []string {
	var out []string
	for _, e := range h {
		out = append(out, e.Action)
	}
	return out
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if e := errs.As(err); e == nil || e.Code != code {
		t.Fatalf("error = %v, want %s", err, code)
	}
}

func TestRegister(t *testing.T) {
	c := newChain(t)
	res := register(t, c, alice, work("poem", "Ode to the Moon"))
	if res.ID != 1 || res.SHA256 != hashOf("poem") || res.Title != "Ode to the Moon" || res.Org != "studio" ||
		res.Registrant != alice.Address() || !res.Time.Equal(c.Time()) {
		t.Fatalf("result = %+v", res)
	}
	// Without holders the registrant holds everything.
	if len(res.Holders) != 1 || res.Holders[0].Account != alice.Address() || res.Holders[0].Shares != copyright.TotalShares {
		t.Fatalf("default holders = %+v", res.Holders)
	}
	w := get(t, c, 1)
	if w.Status != copyright.StatusRegistered || w.Height != c.Height() || !w.Stored || w.Created != "2025-06-01" ||
		w.Kind != copyright.KindText || len(w.Authors) != 1 || w.Pending != nil || w.Upheld != nil {
		t.Fatalf("work = %+v", w.Work)
	}
	if got := actions(w.History); !slices.Equal(got, []string{copyright.ActionRegistered}) || w.History[0].Actor != alice.Address() ||
		w.History[0].Height != c.Height() || w.History[0].TxHash.IsZero() {
		t.Fatalf("history = %+v", w.History)
	}

	// Several holders; anyone registered with the hash is found by it.
	two := register(t, c, carol, work("song", "Song", holder(carol, 7500), holder(dave, 2500)))
	if two.ID != 2 || len(two.Holders) != 2 || two.Org != "press" {
		t.Fatalf("second = %+v", two)
	}
	byHash := view(t, c, func(r chain.Reader) (copyright.Work, error) { return copyright.ByHash(r, hashOf("song")) })
	if byHash.ID != 2 || !byHash.Time.Equal(c.Time()) {
		t.Fatalf("ByHash = %+v", byHash)
	}
	for _, k := range []chaintest.Key{carol, dave} {
		page := view(t, c, func(r chain.Reader) (copyright.Page, error) { return copyright.ListByHolder(r, k.Address(), "", 10) })
		if len(page.Items) != 1 || page.Items[0].ID != 2 {
			t.Fatalf("ListByHolder(%s) = %+v", k.Name, page)
		}
	}

	// A hash is registered once chain-wide: the refusal names the original,
	// and ByHash gives its block time, the priority proof.
	_, err := c.Submit(bob, copyright.ModuleName, copyright.TypeRegister, work("poem", "My poem"))
	if !errors.Is(err, copyright.ErrDuplicate) || errs.As(err).Kind != errs.KindConflict || !strings.Contains(err.Error(), "work 1") {
		t.Fatalf("re-registration: %v", err)
	}
	orig := view(t, c, func(r chain.Reader) (copyright.Work, error) { return copyright.ByHash(r, hashOf("poem")) })
	if orig.ID != 1 || orig.Registrant != alice.Address() || !orig.Time.Equal(w.Time) {
		t.Fatalf("original = %+v", orig)
	}
	err = c.View(func(r chain.Reader) error { _, err := copyright.ByHash(r, hashOf("none")); return err })
	wantCode(t, err, "copyright.not_found")

	// The claimed day of creation may be today anywhere on Earth: at noon
	// UTC it is already tomorrow in UTC+14, but not the day after.
	c.Advance(12 * time.Hour)
	c.Block() // CheckTx runs at the last block's time
	tomorrow := work("tomorrow", "Tomorrow")
	tomorrow.Created = copyright.DateOf(c.Time().Add(day))
	register(t, c, alice, tomorrow)
	later := work("later", "Later")
	later.Created = copyright.DateOf(c.Time().Add(2 * day))
	_, err = c.Submit(alice, copyright.ModuleName, copyright.TypeRegister, later)
	wantCode(t, err, "copyright.bad_dates")
}

func TestRegisterEvents(t *testing.T) {
	c := newChain(t)
	res := c.Block(c.Sign(alice, copyright.ModuleName, copyright.TypeRegister, work("x", "X")))[0]
	if !res.OK() || len(res.Events) != 1 || res.Events[0].Type != copyright.EventRegistered {
		t.Fatalf("result = %+v", res)
	}
	want := []chain.Attr{
		chain.A(copyright.AttrID, "1"), chain.A(copyright.AttrSHA256, hashOf("x").String()),
		chain.A(copyright.AttrAccount, alice.Address().String()), chain.A(copyright.AttrOrg, "studio"),
	}
	if !slices.Equal(res.Events[0].Attrs, want) {
		t.Fatalf("attrs = %+v", res.Events[0].Attrs)
	}
}

// TestRefused sends every message that must fail, checks its code and that
// the copyright state did not change.
func TestRefused(t *testing.T) {
	c := newChain(t)
	ev := submitTo[evidence.DepositResult](t, c, notary, evidence.ModuleName, evidence.TypeDeposit, evidence.Deposit{SHA256: hashOf("proof"), Title: "proof"})
	// Work 1: alice's, with a live exclusive license 1 and a revoked one.
	register(t, c, alice, work("w1", "One"))
	lic := copyright.GrantLicense{Work: 1, Grant: copyright.Grant{Licensee: carol.Address(), Scope: "print", Territory: "FR", Start: "2026-01-01", End: "2027-01-01", Exclusive: true}}
	submit[copyright.LicenseResult](t, c, alice, copyright.TypeGrantLicense, lic)
	other := lic
	other.Scope = "film"
	submit[copyright.LicenseResult](t, c, alice, copyright.TypeGrantLicense, other)
	submit[copyright.LicenseResult](t, c, alice, copyright.TypeRevokeLicense, copyright.RevokeLicense{License: 2, Reason: "unpaid"})
	// Work 2: alice and dave's, with transfer 1 pending (alice approved).
	register(t, c, alice, work("w2", "Two", holder(alice, 5000), holder(dave, 5000)))
	submit[copyright.TransferResult](t, c, alice, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 2, Holders: []copyright.Holder{holder(erin, 10000)}})
	// Work 3: upheld dispute 1; dispute 2 on work 1 dismissed; dispute 3 opened by judge.
	register(t, c, alice, work("w3", "Three"))
	open := func(k chaintest.Key, w copyright.ID) {
		submit[copyright.DisputeResult](t, c, k, copyright.TypeOpenDispute, copyright.OpenDispute{Work: w, Evidence: uint64(ev.ID), Claim: "mine"})
	}
	open(carol, 3)
	submit[copyright.DisputeResult](t, c, judge, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 1, Outcome: copyright.OutcomeUpheld, Reasoning: "copied"})
	open(carol, 1)
	submit[copyright.DisputeResult](t, c, judge, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 2, Outcome: copyright.OutcomeDismissed, Reasoning: "no"})
	open(judge, 1)
	// Work 4: held in part by judge2 of the tribunal; transfer 1 proposed,
	// then dispute 4 opened on it.
	register(t, c, alice, work("w4", "Four", holder(alice, 5000), holder(judge2, 5000)))
	submit[copyright.TransferResult](t, c, alice, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 4, Holders: []copyright.Holder{holder(alice, 10000)}})
	open(carol, 4)
	// Work 5: alice's, undisputed.
	register(t, c, alice, work("w5", "Five"))

	reg := func(edit func(*copyright.Register)) copyright.Register {
		m := work("new", "New")
		edit(&m)
		return m
	}
	grant := func(edit func(*copyright.GrantLicense)) copyright.GrantLicense {
		m := copyright.GrantLicense{Work: 1, Grant: copyright.Grant{LicenseeOrg: "press", Scope: "web", Territory: "worldwide", Start: "2026-01-01", End: "2026-06-01"}}
		edit(&m)
		return m
	}
	cases := []struct {
		name string
		key  chaintest.Key
		typ  string
		msg  any
		want string
	}{
		// register
		{"zero hash", alice, copyright.TypeRegister, reg(func(m *copyright.Register) { m.SHA256 = chain.Hash{} }), "copyright.invalid_hash"},
		{"no title", alice, copyright.TypeRegister, reg(func(m *copyright.Register) { m.Title = "" }), "copyright.invalid"},
		{"control char title", alice, copyright.TypeRegister, reg(func(m *copyright.Register) { m.Title = "a\u202eb" }), "copyright.invalid"},
		{"bad kind", alice, copyright.TypeRegister, reg(func(m *copyright.Register) { m.Kind = "sculpture" }), "copyright.invalid"},
		{"no authors", alice, copyright.TypeRegister, reg(func(m *copyright.Register) { m.Authors = nil }), "copyright.invalid"},
		{"unnamed author", alice, copyright.TypeRegister, reg(func(m *copyright.Register) { m.Authors = []copyright.Author{{}} }), "copyright.invalid"},
		{"shares short", alice, copyright.TypeRegister, reg(func(m *copyright.Register) {
			m.Holders = []copyright.Holder{holder(alice, 5000), holder(bob, 4999)}
		}), "copyright.bad_shares"},
		{"shares over", alice, copyright.TypeRegister, reg(func(m *copyright.Register) {
			m.Holders = []copyright.Holder{holder(alice, 5000), holder(bob, 5001)}
		}), "copyright.bad_shares"},
		{"zero share", alice, copyright.TypeRegister, reg(func(m *copyright.Register) {
			m.Holders = []copyright.Holder{holder(alice, 10000), holder(bob, 0)}
		}), "copyright.bad_shares"},
		{"negative share", alice, copyright.TypeRegister, reg(func(m *copyright.Register) {
			m.Holders = []copyright.Holder{holder(alice, 10001), holder(bob, -1)}
		}), "copyright.bad_shares"},
		{"holder twice", alice, copyright.TypeRegister, reg(func(m *copyright.Register) {
			m.Holders = []copyright.Holder{holder(alice, 5000), holder(alice, 5000)}
		}), "copyright.invalid"},
		{"holder not a member", alice, copyright.TypeRegister, reg(func(m *copyright.Register) {
			m.Holders = []copyright.Holder{holder(stranger, 10000)}
		}), "copyright.unknown_account"},
		{"impossible date", alice, copyright.TypeRegister, reg(func(m *copyright.Register) { m.Created = "2025-02-29" }), "copyright.bad_dates"},
		{"unpadded date", alice, copyright.TypeRegister, reg(func(m *copyright.Register) { m.Created = "2025-6-1" }), "copyright.bad_dates"},
		{"no date", alice, copyright.TypeRegister, reg(func(m *copyright.Register) { m.Created = "" }), "copyright.bad_dates"},
		{"created in the future", alice, copyright.TypeRegister, reg(func(m *copyright.Register) { m.Created = "2026-01-02" }), "copyright.bad_dates"},
		{"re-registration", bob, copyright.TypeRegister, work("w1", "Copy"), "copyright.duplicate"},
		{"registrant role missing", dave, copyright.TypeRegister, reg(func(*copyright.Register) {}), "members.missing_role"},
		{"not a member", stranger, copyright.TypeRegister, reg(func(*copyright.Register) {}), "members.unknown_account"},

		// transfers
		{"propose unknown work", alice, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 99, Holders: []copyright.Holder{holder(bob, 10000)}}, "copyright.not_found"},
		{"propose by non-holder", bob, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 1, Holders: []copyright.Holder{holder(bob, 10000)}}, "copyright.not_holder"},
		{"propose bad shares", alice, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 1, Holders: []copyright.Holder{holder(bob, 9000)}}, "copyright.bad_shares"},
		{"propose no holders", alice, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 1}, "copyright.invalid"},
		{"propose to non-member", alice, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 5, Holders: []copyright.Holder{holder(stranger, 10000)}}, "copyright.unknown_account"},
		{"propose while disputed", alice, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 1, Holders: []copyright.Holder{holder(alice, 9999), holder(judge2, 1)}}, "copyright.under_dispute"},
		{"approve while disputed", judge2, copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: 4, Transfer: 1}, "copyright.under_dispute"},
		{"propose while pending", dave, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 2, Holders: []copyright.Holder{holder(bob, 10000)}}, "copyright.transfer_pending"},
		{"propose on upheld work", alice, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 3, Holders: []copyright.Holder{holder(bob, 10000)}}, "copyright.disputed"},
		{"approve by non-holder", erin, copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: 2, Transfer: 1}, "copyright.not_holder"},
		{"approve by stranger", stranger, copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: 2, Transfer: 1}, "members.unknown_account"},
		{"approve twice", alice, copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: 2, Transfer: 1}, "copyright.already_approved"},
		{"approve other number", dave, copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: 2, Transfer: 2}, "copyright.no_transfer"},
		{"approve nothing pending", alice, copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: 1, Transfer: 1}, "copyright.no_transfer"},
		{"approve without number", dave, copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: 2}, "copyright.invalid"},
		{"reject by non-holder", erin, copyright.TypeRejectTransfer, copyright.RejectTransfer{Work: 2, Transfer: 1}, "copyright.not_holder"},
		{"reject nothing pending", alice, copyright.TypeRejectTransfer, copyright.RejectTransfer{Work: 1, Transfer: 1}, "copyright.no_transfer"},

		// licenses
		{"grant by non-holder", bob, copyright.TypeGrantLicense, grant(func(*copyright.GrantLicense) {}), "copyright.not_holder"},
		{"grant unknown work", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.Work = 99 }), "copyright.not_found"},
		{"end before start", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.End = "2025-12-31" }), "copyright.bad_dates"},
		{"end equals start", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.End = m.Start }), "copyright.bad_dates"},
		{"bad start", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.Start = "01/01/2026" }), "copyright.bad_dates"},
		{"already ended", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.Start, m.End = "2025-01-01", "2026-01-01" }), "copyright.bad_dates"},
		{"two licensees", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.Licensee = bob.Address() }), "copyright.invalid"},
		{"no licensee", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.LicenseeOrg = "" }), "copyright.invalid"},
		{"bad org id", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.LicenseeOrg = "Press!" }), "copyright.invalid"},
		{"unknown org", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.LicenseeOrg = "nobody" }), "copyright.unknown_account"},
		{"unknown licensee", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.LicenseeOrg, m.Licensee = "", stranger.Address() }), "copyright.unknown_account"},
		{"territory in lower case", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.Territory = "fr" }), "copyright.invalid"},
		{"territory not a country", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.Territory = "ZZ" }), "copyright.invalid"},
		{"territory a reserved code", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.Territory = "UK" }), "copyright.invalid"},
		{"territory of three letters", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.Territory = "FRA" }), "copyright.invalid"},
		{"blank scope", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.Scope = "  " }), "copyright.invalid"},
		{"overlapping exclusive", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.Scope, m.Territory = "print", "FR" }), "copyright.license_conflict"},
		{"grant on upheld work", alice, copyright.TypeGrantLicense, grant(func(m *copyright.GrantLicense) { m.Work = 3 }), "copyright.disputed"},
		{"revoke by non-holder", bob, copyright.TypeRevokeLicense, copyright.RevokeLicense{License: 1, Reason: "r"}, "copyright.not_holder"},
		{"revoke unknown", alice, copyright.TypeRevokeLicense, copyright.RevokeLicense{License: 99, Reason: "r"}, "copyright.license_not_found"},
		{"revoke twice", alice, copyright.TypeRevokeLicense, copyright.RevokeLicense{License: 2, Reason: "r"}, "copyright.license_inactive"},
		{"revoke without reason", alice, copyright.TypeRevokeLicense, copyright.RevokeLicense{License: 1}, "copyright.invalid"},

		// disputes
		{"unknown evidence", carol, copyright.TypeOpenDispute, copyright.OpenDispute{Work: 1, Evidence: 99, Claim: "c"}, "copyright.unknown_evidence"},
		{"no evidence", carol, copyright.TypeOpenDispute, copyright.OpenDispute{Work: 1, Claim: "c"}, "copyright.unknown_evidence"},
		{"dispute unknown work", carol, copyright.TypeOpenDispute, copyright.OpenDispute{Work: 99, Evidence: uint64(ev.ID), Claim: "c"}, "copyright.not_found"},
		{"dispute without claim", carol, copyright.TypeOpenDispute, copyright.OpenDispute{Work: 1, Evidence: uint64(ev.ID)}, "copyright.invalid"},
		{"dispute by stranger", stranger, copyright.TypeOpenDispute, copyright.OpenDispute{Work: 1, Evidence: uint64(ev.ID), Claim: "c"}, "members.unknown_account"},
		{"resolve without role", carol, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 3, Outcome: copyright.OutcomeUpheld, Reasoning: "r"}, "members.missing_role"},
		{"resolve unknown", judge, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 99, Outcome: copyright.OutcomeUpheld, Reasoning: "r"}, "copyright.dispute_not_found"},
		{"resolve twice", judge2, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 2, Outcome: copyright.OutcomeUpheld, Reasoning: "r"}, "copyright.dispute_resolved"},
		{"resolve own dispute", judge, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 3, Outcome: copyright.OutcomeDismissed, Reasoning: "r"}, "copyright.party_arbiter"},
		{"resolve a dispute one's organisation opened", judge2, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 3, Outcome: copyright.OutcomeDismissed, Reasoning: "r"}, "copyright.party_arbiter"},
		{"resolve a dispute over a work one's organisation holds", judge, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 4, Outcome: copyright.OutcomeDismissed, Reasoning: "r"}, "copyright.party_arbiter"},
		{"bad outcome", judge2, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 3, Outcome: "maybe", Reasoning: "r"}, "copyright.invalid"},
		{"no reasoning", judge2, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 3, Outcome: copyright.OutcomeUpheld}, "copyright.invalid"},
	}
	before := view(t, c, func(r chain.Reader) (string, error) { return dump(r), nil })
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Submit(tc.key, copyright.ModuleName, tc.typ, tc.msg)
			wantCode(t, err, tc.want)
		})
	}
	if after := view(t, c, func(r chain.Reader) (string, error) { return dump(r), nil }); after != before {
		t.Fatal("refused messages changed the copyright state")
	}
}

// TestErrorKinds pins the HTTP statuses the issue asks for, through the
// kinds the web layer maps.
func TestErrorKinds(t *testing.T) {
	for _, tc := range []struct {
		err  *errs.Error
		kind errs.Kind
	}{
		{copyright.ErrBadShares, errs.KindInvalid},        // 400
		{copyright.ErrDuplicate, errs.KindConflict},       // 409
		{copyright.ErrNotHolder, errs.KindForbidden},      // 403
		{copyright.ErrLicenseConflict, errs.KindConflict}, // 409
		{copyright.ErrBadDates, errs.KindInvalid},         // 400
		{copyright.ErrUnknownEvidence, errs.KindInvalid},  // 400
		{copyright.ErrNotFound, errs.KindNotFound},        // 404
	} {
		if tc.err.Kind != tc.kind {
			t.Errorf("%s is %s, want %s", tc.err.Code, tc.err.Kind, tc.kind)
		}
	}
}

func TestTransfer(t *testing.T) {
	c := newChain(t)
	register(t, c, alice, work("film", "Silent Harbour", holder(alice, 5000), holder(dave, 3000), holder(erin, 2000)))
	to := []copyright.Holder{{Account: carol.Address(), Name: "Carol Press", Shares: 6000}, holder(bob, 4000)}

	res := submit[copyright.TransferResult](t, c, dave, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 1, Holders: to, Note: "sold"})
	if res.Status != copyright.TransferPending || res.Transfer != 1 || !slices.Equal(res.Approvals, []chain.Address{dave.Address()}) {
		t.Fatalf("proposal = %+v", res)
	}
	res = submit[copyright.TransferResult](t, c, alice, copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: 1, Transfer: 1})
	if res.Status != copyright.TransferPending || len(res.Approvals) != 2 {
		t.Fatalf("after alice = %+v", res)
	}
	if w := get(t, c, 1); w.Holders[0].Account != alice.Address() || w.Pending == nil || len(w.Pending.Approvals) != 2 {
		t.Fatalf("pending work = %+v", w.Work)
	}
	// The proposed holders have no say yet.
	_, err := c.Submit(carol, copyright.ModuleName, copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: 1, Transfer: 1})
	wantCode(t, err, "copyright.not_holder")

	res = submit[copyright.TransferResult](t, c, erin, copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: 1, Transfer: 1})
	if res.Status != copyright.TransferCompleted {
		t.Fatalf("after erin = %+v", res)
	}
	w := get(t, c, 1)
	if !slices.Equal(w.Holders, to) || w.Pending != nil || w.Transfers != 1 {
		t.Fatalf("transferred work = %+v", w.Work)
	}
	wantActions := []string{"registered", "transfer_proposed", "transfer_approved", "transfer_approved", "transfer_completed"}
	if got := actions(w.History); !slices.Equal(got, wantActions) || !slices.Equal(w.History[4].Holders, to) || w.History[4].Actor != erin.Address() {
		t.Fatalf("history = %+v", w.History)
	}
	// The holder index and the search index follow.
	for _, k := range []chaintest.Key{alice, dave, erin, carol, bob} {
		page := view(t, c, func(r chain.Reader) (copyright.Page, error) { return copyright.ListByHolder(r, k.Address(), "", 10) })
		want := 0
		if k.Name == "carol" || k.Name == "bob" {
			want = 1
		}
		if len(page.Items) != want {
			t.Errorf("ListByHolder(%s) = %d works, want %d", k.Name, len(page.Items), want)
		}
	}
	if n := len(search(t, c, "carol press", "", 10).Items); n != 1 {
		t.Errorf("search for the new holder: %d works", n)
	}
	if n := len(search(t, c, "erin", "", 10).Items); n != 0 {
		t.Errorf("search for a former holder: %d works", n)
	}

	// Old holders are out; a new holder rejects the next proposal, which
	// cancels it; a later approval of it is stale.
	_, err = c.Submit(alice, copyright.ModuleName, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 1, Holders: []copyright.Holder{holder(alice, 10000)}})
	wantCode(t, err, "copyright.not_holder")
	submit[copyright.TransferResult](t, c, carol, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 1, Holders: []copyright.Holder{holder(carol, 10000)}})
	res = submit[copyright.TransferResult](t, c, bob, copyright.TypeRejectTransfer, copyright.RejectTransfer{Work: 1, Transfer: 2, Reason: "no"})
	if res.Status != copyright.TransferRejected {
		t.Fatalf("rejection = %+v", res)
	}
	_, err = c.Submit(bob, copyright.ModuleName, copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: 1, Transfer: 2})
	wantCode(t, err, "copyright.no_transfer")
	if w := get(t, c, 1); w.Pending != nil || !slices.Equal(w.Holders, to) || w.History[len(w.History)-1].Note != "no" {
		t.Fatalf("after rejection = %+v", w)
	}

	// A sole holder's proposal completes at once.
	register(t, c, bob, work("solo", "Solo"))
	res = submit[copyright.TransferResult](t, c, bob, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 2, Holders: []copyright.Holder{holder(dave, 1), holder(erin, 9999)}})
	if res.Status != copyright.TransferCompleted || get(t, c, 2).Holders[1].Shares != 9999 {
		t.Fatalf("sole holder transfer = %+v", res)
	}
}

// TestLicenseOverlap grants a license over an existing one, for every
// combination that matters: exclusivity, periods overlapping or adjacent,
// scope and territory, the existing one revoked or expired.
// A transfer completes only to holders that are still active accounts: a
// revoked one could never sign, and the work would be frozen for good.
func TestTransferToARevokedAccount(t *testing.T) {
	c := newChain(t)
	register(t, c, alice, work("w", "W", holder(alice, 5000), holder(carol, 5000)))
	submit[copyright.TransferResult](t, c, alice, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 1, Holders: []copyright.Holder{holder(agent, 10000)}})
	// The agency's other admin revokes the agent's account.
	submitTo[members.AccountResult](t, c, boss, members.ModuleName, members.TypeRevokeAccount, members.RevokeAccount{Account: agent.Address(), Reason: "left"})

	_, err := c.Submit(carol, copyright.ModuleName, copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: 1, Transfer: 1})
	wantCode(t, err, "copyright.inactive_holder")
	if w := get(t, c, 1); len(w.Holders) != 2 || w.Pending == nil || len(w.Pending.Approvals) != 1 {
		t.Fatalf("after the refused approval: holders %+v, pending %+v", w.Holders, w.Pending)
	}
	// The holders reject it and move on.
	submit[copyright.TransferResult](t, c, carol, copyright.TypeRejectTransfer, copyright.RejectTransfer{Work: 1, Transfer: 1, Reason: "the agent left"})
	if w := get(t, c, 1); w.Pending != nil {
		t.Fatalf("rejected transfer still pending: %+v", w.Pending)
	}
}

func TestLicenseOverlap(t *testing.T) {
	base := copyright.GrantLicense{Work: 1, Grant: copyright.Grant{LicenseeOrg: "press", Scope: "print", Territory: "FR", Start: "2026-02-01", End: "2026-03-01"}}
	type edit func(*copyright.GrantLicense)
	excl := func(m *copyright.GrantLicense) { m.Exclusive = true }
	nonExcl := func(m *copyright.GrantLicense) { m.Exclusive = false }
	period := func(start, end copyright.Date) edit {
		return func(m *copyright.GrantLicense) { m.Start, m.End = start, end }
	}
	scope := func(s string) edit { return func(m *copyright.GrantLicense) { m.Scope = s } }
	territory := func(s string) edit { return func(m *copyright.GrantLicense) { m.Territory = s } }
	cases := []struct {
		name     string
		existing []edit
		state    string // "", "revoked" or "expired"
		new      []edit
		conflict bool
	}{
		{"excl over excl", []edit{excl}, "", []edit{excl}, true},
		{"excl over non-excl", []edit{nonExcl}, "", []edit{excl}, true},
		{"non-excl over excl", []edit{excl}, "", []edit{nonExcl}, true},
		{"non-excl over non-excl", []edit{nonExcl}, "", []edit{nonExcl}, false},
		{"excl partly overlapping", []edit{excl}, "", []edit{excl, period("2026-02-28", "2026-04-01")}, true},
		{"excl inside", []edit{excl}, "", []edit{excl, period("2026-02-10", "2026-02-11")}, true},
		{"excl adjacent after", []edit{excl}, "", []edit{excl, period("2026-03-01", "2026-04-01")}, false},
		{"excl adjacent before", []edit{excl}, "", []edit{excl, period("2026-01-15", "2026-02-01")}, false},
		{"non-excl adjacent to excl", []edit{excl}, "", []edit{nonExcl, period("2026-03-01", "2026-04-01")}, false},
		{"other scope", []edit{excl}, "", []edit{excl, scope("film")}, false},
		{"same scope spelt differently", []edit{excl}, "", []edit{excl, scope("PRINT")}, true},
		{"other territory", []edit{excl}, "", []edit{excl, territory("DE")}, false},
		{"worldwide over a country", []edit{excl}, "", []edit{excl, territory(copyright.Worldwide)}, true},
		{"country under worldwide", []edit{excl, territory(copyright.Worldwide)}, "", []edit{nonExcl}, true},
		{"non-excl worldwide beside non-excl", []edit{nonExcl}, "", []edit{nonExcl, territory(copyright.Worldwide)}, false},
		{"excl over revoked excl", []edit{excl}, "revoked", []edit{excl}, false},
		{"non-excl over revoked excl", []edit{excl}, "revoked", []edit{nonExcl}, false},
		{"excl over expired excl", []edit{excl, period("2026-01-01", "2026-01-10")}, "expired", []edit{excl, period("2026-01-05", "2026-06-01")}, false},
		{"excl over expired non-excl", []edit{nonExcl, period("2026-01-01", "2026-01-10")}, "expired", []edit{excl, period("2026-01-05", "2026-06-01")}, false},
		{"excl over live, not yet expired", []edit{excl, period("2026-01-01", "2026-01-10")}, "", []edit{excl, period("2026-01-05", "2026-06-01")}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newChain(t)
			register(t, c, alice, work("w", "W"))
			register(t, c, alice, work("other", "Other")) // licenses of other works never conflict
			existing, fresh := base, base
			for _, e := range tc.existing {
				e(&existing)
			}
			for _, e := range tc.new {
				e(&fresh)
			}
			elsewhere := fresh
			elsewhere.Work = 2
			submit[copyright.LicenseResult](t, c, alice, copyright.TypeGrantLicense, elsewhere)
			submit[copyright.LicenseResult](t, c, alice, copyright.TypeGrantLicense, existing)
			switch tc.state {
			case "revoked":
				submit[copyright.LicenseResult](t, c, alice, copyright.TypeRevokeLicense, copyright.RevokeLicense{License: 2, Reason: "r"})
			case "expired":
				c.Advance(10 * day)
				c.Block() // CheckTx runs at the last block's time
			}
			before := view(t, c, func(r chain.Reader) (string, error) { return dump(r), nil })
			data, err := c.Submit(alice, copyright.ModuleName, copyright.TypeGrantLicense, fresh)
			if !tc.conflict {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				var res copyright.LicenseResult
				canon.Unmarshal(data, &res)
				if res.License != 3 || res.Work != 1 || res.Exclusive != fresh.Exclusive {
					t.Fatalf("result = %+v", res)
				}
				return
			}
			wantCode(t, err, "copyright.license_conflict")
			if !strings.Contains(err.Error(), "license 2 ") {
				t.Fatalf("the error does not name license 2: %v", err)
			}
			if after := view(t, c, func(r chain.Reader) (string, error) { return dump(r), nil }); after != before {
				t.Fatal("a refused license changed state")
			}
		})
	}
}

func TestLicenseExpiry(t *testing.T) {
	c := newChain(t) // starts on 2026-01-01
	register(t, c, alice, work("w", "W"))
	grant := func(start, end copyright.Date) copyright.LicenseResult {
		return submit[copyright.LicenseResult](t, c, alice, copyright.TypeGrantLicense, copyright.GrantLicense{Work: 1, Grant: copyright.Grant{
			Licensee: bob.Address(), Scope: "print", Territory: "FR", Start: start, End: end, Exclusive: true, Terms: "5% royalties",
		}})
	}
	grant("2026-01-01", "2026-02-01")
	grant("2026-03-01", "2026-04-01")
	status := func(at time.Time) []string {
		var out []string
		page := view(t, c, func(r chain.Reader) (copyright.LicensePage, error) { return copyright.ListLicenses(r, 1, 0, 0, at) })
		for _, l := range page.Items {
			out = append(out, l.Status)
		}
		return out
	}
	if got := status(c.Time()); !slices.Equal(got, []string{"active", "scheduled"}) {
		t.Fatalf("now: %v", got)
	}
	// Status is computed from the time asked about; no transaction expires a
	// license.
	if got := status(c.Time().Add(31 * day)); !slices.Equal(got, []string{"expired", "scheduled"}) {
		t.Fatalf("in a month: %v", got)
	}
	if got := status(c.Time().Add(65 * day)); !slices.Equal(got, []string{"expired", "active"}) {
		t.Fatalf("in March: %v", got)
	}
	// An overlapping exclusive license is refused while the first is live,
	// granted once block time has passed its end.
	_, err := c.Submit(alice, copyright.ModuleName, copyright.TypeGrantLicense, copyright.GrantLicense{Work: 1, Grant: copyright.Grant{
		LicenseeOrg: "press", Scope: "print", Territory: "FR", Start: "2026-01-15", End: "2026-02-15", Exclusive: true,
	}})
	wantCode(t, err, "copyright.license_conflict")
	c.Advance(31 * day)
	_, err = c.Submit(alice, copyright.ModuleName, copyright.TypeRevokeLicense, copyright.RevokeLicense{License: 1, Reason: "late"})
	wantCode(t, err, "copyright.license_inactive")
	grant("2026-01-15", "2026-02-15")
	lv := view(t, c, func(r chain.Reader) (copyright.LicenseView, error) { return copyright.GetLicense(r, 1, c.Time()) })
	if lv.Status != copyright.LicenseExpired || lv.Terms != "5% royalties" || lv.Licensee != bob.Address() {
		t.Fatalf("license 1 = %+v", lv)
	}
	// A scheduled license can be revoked.
	submit[copyright.LicenseResult](t, c, alice, copyright.TypeRevokeLicense, copyright.RevokeLicense{License: 2, Reason: "cancelled"})
	if got := status(c.Time()); !slices.Equal(got, []string{"expired", "revoked", "active"}) {
		t.Fatalf("after revoking: %v", got)
	}
	w := get(t, c, 1)
	if got := actions(w.History); !slices.Equal(got, []string{"registered", "license_granted", "license_granted", "license_granted", "license_revoked"}) ||
		w.History[4].License != 2 || w.History[4].Note != "cancelled" {
		t.Fatalf("history = %+v", w.History)
	}
}

func TestDisputes(t *testing.T) {
	c := newChain(t)
	ev := submitTo[evidence.DepositResult](t, c, notary, evidence.ModuleName, evidence.TypeDeposit, evidence.Deposit{SHA256: hashOf("draft"), Title: "dated draft"})
	register(t, c, alice, work("w", "W"))
	submit[copyright.LicenseResult](t, c, alice, copyright.TypeGrantLicense, copyright.GrantLicense{Work: 1, Grant: copyright.Grant{
		LicenseeOrg: "press", Scope: "print", Territory: "FR", Start: "2026-01-01", End: "2027-01-01",
	}})

	// Any active account may open a dispute, with real evidence.
	d := submit[copyright.DisputeResult](t, c, dave, copyright.TypeOpenDispute, copyright.OpenDispute{Work: 1, Evidence: uint64(ev.ID), Claim: "I wrote it first"})
	if d.Dispute != 1 || d.Status != copyright.DisputeOpen || d.Evidence != uint64(ev.ID) || d.SHA256 != hashOf("w") {
		t.Fatalf("opened = %+v", d)
	}
	// While it is open the holders cannot change: a share handed to an
	// account of the tribunal would make every arbiter there a party.
	if w := get(t, c, 1); w.OpenDisputes != 1 {
		t.Fatalf("open disputes %d, want 1", w.OpenDisputes)
	}
	_, err := c.Submit(alice, copyright.ModuleName, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 1, Holders: []copyright.Holder{holder(alice, 9999), holder(judge2, 1)}})
	wantCode(t, err, "copyright.under_dispute")
	d = submit[copyright.DisputeResult](t, c, judge, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 1, Outcome: copyright.OutcomeDismissed, Reasoning: "the draft is later"})
	if d.Status != copyright.OutcomeDismissed || get(t, c, 1).Status != copyright.StatusRegistered || get(t, c, 1).OpenDisputes != 0 {
		t.Fatalf("dismissed = %+v", d)
	}
	// Decided, the dispute no longer holds the work: a transfer completes.
	tr := submit[copyright.TransferResult](t, c, alice, copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 1, Holders: []copyright.Holder{holder(alice, 10000)}, Note: "same holder"})
	if tr.Status != copyright.TransferCompleted {
		t.Fatalf("transfer after the dispute = %+v", tr)
	}

	submit[copyright.DisputeResult](t, c, carol, copyright.TypeOpenDispute, copyright.OpenDispute{Work: 1, Evidence: uint64(ev.ID), Claim: "plagiarism"})
	res := c.Block(c.Sign(judge2, copyright.ModuleName, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 2, Outcome: copyright.OutcomeUpheld, Reasoning: "copied from the 2019 draft"}))[0]
	if !res.OK() || len(res.Events) != 1 || res.Events[0].Type != copyright.EventDisputeResolved ||
		!slices.Contains(res.Events[0].Attrs, chain.A(copyright.AttrOutcome, copyright.OutcomeUpheld)) ||
		!slices.Contains(res.Events[0].Attrs, chain.A(copyright.AttrDispute, "2")) {
		t.Fatalf("resolution = %+v", res)
	}
	w := get(t, c, 1)
	if w.Status != copyright.StatusDisputedUpheld || w.Upheld == nil || w.Upheld.Dispute != 2 || w.Upheld.Reasoning != "copied from the 2019 draft" || w.Upheld.Arbiter != judge2.Address() {
		t.Fatalf("upheld work = %+v", w.Work)
	}
	if len(w.Disputes) != 2 || w.Disputes[0].Status != copyright.OutcomeDismissed || w.Disputes[1].Status != copyright.OutcomeUpheld ||
		w.Disputes[1].Resolution.Org != "tribunal" || w.Disputes[1].Claimant != carol.Address() {
		t.Fatalf("disputes = %+v", w.Disputes)
	}
	want := []string{"registered", "license_granted", "dispute_opened", "dispute_resolved", "transfer_proposed", "transfer_completed", "dispute_opened", "dispute_resolved"}
	if got := actions(w.History); !slices.Equal(got, want) || w.History[2].Actor != dave.Address() || w.History[2].Org != "guild" || w.History[7].Note != "upheld" {
		t.Fatalf("history = %+v", w.History)
	}
	// Existing licenses stay; a revocation is still possible, new grants are not.
	if len(w.Licenses) != 1 || w.Licenses[0].Status != copyright.LicenseActive {
		t.Fatalf("licenses = %+v", w.Licenses)
	}
	submit[copyright.LicenseResult](t, c, alice, copyright.TypeRevokeLicense, copyright.RevokeLicense{License: 1, Reason: "dispute upheld"})
	ds := view(t, c, func(r chain.Reader) (copyright.DisputePage, error) { return copyright.ListWorkDisputes(r, 1, 0, 0) })
	if len(ds.Items) != 2 || ds.Next != 0 {
		t.Fatalf("ListWorkDisputes = %+v", ds)
	}
	err = c.View(func(r chain.Reader) error { _, err := copyright.GetDispute(r, 3); return err })
	wantCode(t, err, "copyright.dispute_not_found")
}

// A work's lists come a page at a time, oldest first: Get gives the first
// MaxPage of each with the cursor of the rest, and the List functions walk
// them to the end without skipping or repeating an entry.
func TestWorkListPages(t *testing.T) {
	c := newChain(t)
	register(t, c, alice, copyright.Register{SHA256: chain.SumHash([]byte("atlas")), Title: "Atlas", Kind: copyright.KindImage,
		Authors: []copyright.Author{{Name: "Alice"}}, Holders: []copyright.Holder{{Account: alice.Address(), Shares: 10000}}, Created: "2025-01-01"})
	const grants = copyright.MaxPage + 1
	var txs [][]byte
	for i := range grants {
		txs = append(txs, c.Sign(alice, copyright.ModuleName, copyright.TypeGrantLicense, copyright.GrantLicense{Work: 1, Grant: copyright.Grant{
			LicenseeOrg: "press", Scope: fmt.Sprintf("edition %d", i+1), Territory: "FR", Start: "2026-01-01", End: "2027-01-01",
		}}))
	}
	for i, res := range c.Block(txs...) {
		if !res.OK() {
			t.Fatalf("grant %d: %s", i+1, res.Log)
		}
	}

	w := get(t, c, 1)
	if len(w.Licenses) != copyright.MaxPage || w.Licenses[0].ID != 1 || w.LicensesNext != copyright.MaxPage {
		t.Fatalf("first page: %d licenses, first %d, next %d", len(w.Licenses), w.Licenses[0].ID, w.LicensesNext)
	}
	if len(w.History) != copyright.MaxPage || w.HistoryNext != copyright.MaxPage || len(w.Disputes) != 0 || w.DisputesNext != 0 {
		t.Fatalf("first page: %d history entries, next %d; %d disputes, next %d", len(w.History), w.HistoryNext, len(w.Disputes), w.DisputesNext)
	}
	rest := view(t, c, func(r chain.Reader) (copyright.LicensePage, error) {
		return copyright.ListLicenses(r, 1, w.LicensesNext, 0, c.Time())
	})
	if len(rest.Items) != 1 || rest.Items[0].ID != grants || rest.Items[0].Scope != fmt.Sprintf("edition %d", grants) || rest.Next != 0 {
		t.Fatalf("after %d: %+v", w.LicensesNext, rest)
	}

	// Walk the history (registration and the grants) seven at a time.
	var seen []uint64
	var after copyright.ID
	for range grants {
		page := view(t, c, func(r chain.Reader) (copyright.HistoryPage, error) { return copyright.ListHistory(r, 1, after, 7) })
		for _, e := range page.Items {
			seen = append(seen, e.N)
		}
		if after = page.Next; after == 0 {
			break
		}
	}
	if len(seen) != grants+1 {
		t.Fatalf("walked %d history entries, want %d", len(seen), grants+1)
	}
	for i, n := range seen {
		if n != uint64(i+1) {
			t.Fatalf("entry %d of the walk is n=%d", i, n)
		}
	}

	err := c.View(func(r chain.Reader) error { _, err := copyright.ListLicenses(r, 2, 0, 0, c.Time()); return err })
	wantCode(t, err, "copyright.not_found")
}
