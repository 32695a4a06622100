package copyright_test

import (
	"slices"
	"testing"

	"github.com/chancery/chancery/apps/copyright"
	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/chain"
)

// TestListDisputes pages through every work's disputes, newest first.
func TestListDisputes(t *testing.T) {
	c := newChain(t)
	ev := submitTo[evidence.DepositResult](t, c, notary, evidence.ModuleName, evidence.TypeDeposit, evidence.Deposit{SHA256: hashOf("proof"), Title: "proof"})
	register(t, c, alice, work("w1", "One"))
	register(t, c, bob, work("w2", "Two"))
	for _, w := range []copyright.ID{1, 2, 1, 2, 1} {
		submit[copyright.DisputeResult](t, c, carol, copyright.TypeOpenDispute, copyright.OpenDispute{Work: w, Evidence: uint64(ev.ID), Claim: "mine"})
	}
	submit[copyright.DisputeResult](t, c, judge, copyright.TypeResolveDispute, copyright.ResolveDispute{Dispute: 4, Outcome: copyright.OutcomeDismissed, Reasoning: "no"})

	var got []copyright.ID
	var after copyright.ID
	for pages := 1; ; pages++ {
		page := view(t, c, func(r chain.Reader) (copyright.DisputePage, error) { return copyright.ListDisputes(r, after, 2) })
		for _, d := range page.Items {
			got = append(got, d.ID)
			if d.ID == 4 && d.Status != copyright.OutcomeDismissed {
				t.Errorf("dispute 4 is %s, want dismissed", d.Status)
			}
		}
		if page.Next == 0 {
			if pages != 3 {
				t.Errorf("%d pages, want 3", pages)
			}
			break
		}
		after = page.Next
	}
	if want := []copyright.ID{5, 4, 3, 2, 1}; !slices.Equal(got, want) {
		t.Fatalf("disputes %v, want %v", got, want)
	}
	empty := view(t, newChain(t), func(r chain.Reader) (copyright.DisputePage, error) { return copyright.ListDisputes(r, 0, 0) })
	if len(empty.Items) != 0 || empty.Next != 0 {
		t.Fatalf("no disputes: %+v", empty)
	}
}

// TestConflict names the license a grant would overlap, as the module's
// refusal does.
func TestConflict(t *testing.T) {
	c := newChain(t)
	register(t, c, alice, work("w1", "One"))
	grant := copyright.Grant{LicenseeOrg: "press", Scope: "Print", Territory: "FR", Start: "2026-01-01", End: "2027-01-01", Exclusive: true}
	submit[copyright.LicenseResult](t, c, alice, copyright.TypeGrantLicense, copyright.GrantLicense{Work: 1, Grant: grant})

	conflict := func(g copyright.Grant) (copyright.LicenseView, bool) {
		t.Helper()
		var l copyright.LicenseView
		var found bool
		err := c.View(func(r chain.Reader) (err error) {
			l, found, err = copyright.Conflict(r, 1, g, c.Time())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return l, found
	}
	worldwide := grant
	worldwide.Territory, worldwide.Scope, worldwide.Exclusive = copyright.Worldwide, "print", false
	l, found := conflict(worldwide)
	if !found || l.ID != 1 || l.Status != copyright.LicenseActive {
		t.Fatalf("worldwide print overlapping exclusive license 1: %+v %v", l, found)
	}
	other := grant
	other.Territory = "DE"
	if l, found := conflict(other); found {
		t.Fatalf("another territory conflicts with %+v", l)
	}
}
