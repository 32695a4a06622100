package members

import (
	"reflect"
	"strings"
	"testing"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
)

func TestAuthorize(t *testing.T) {
	h := newHarness(t)
	h.mustDeliver(addr("clerk"), TypeRevokeAccount, RevokeAccount{Account: addr("clerk2"), Reason: "left the court"})
	tests := []struct {
		name    string
		account string
		role    string
		want    *errs.Error // nil: authorized
		mention string      // the error message names it
	}{
		{name: "role held by account and org", account: "judge", role: RoleEvidenceVerifier},
		{name: "any active account", account: "judge", role: ""},
		{name: "admin", account: "root", role: RoleConsortiumAdmin},
		{name: "unknown account", account: "stranger", role: "", want: ErrUnknownAccount, mention: addr("stranger").String()},
		{name: "unknown account with role", account: "stranger", role: RoleOrgAdmin, want: ErrUnknownAccount},
		{name: "revoked", account: "clerk2", role: "", want: ErrAccountRevoked, mention: "left the court"},
		{name: "revoked with role", account: "clerk2", role: RoleOrgAdmin, want: ErrAccountRevoked},
		{name: "account lacks role", account: "judge", role: RoleOrgAdmin, want: ErrMissingRole, mention: RoleOrgAdmin},
		{name: "org lacks role too", account: "judge", role: RoleFinanceBank, want: ErrMissingRole, mention: RoleFinanceBank},
		{name: "unknown role", account: "root", role: "root", want: ErrMissingRole, mention: "root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.keeper.Authorize(h.kv, addr(tt.account), tt.role)
			if has := h.keeper.HasRole(h.kv, addr(tt.account), tt.role); has != (tt.want == nil) {
				t.Errorf("HasRole = %v", has)
			}
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Authorize: %v", err)
				}
				return
			}
			wantErr(t, err, tt.want)
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
}

// TestEffectiveRoles: a role acts only while both the account and its
// organisation hold it.
func TestEffectiveRoles(t *testing.T) {
	h := newHarness(t)
	effective := func(name string) []string {
		t.Helper()
		roles, err := h.keeper.EffectiveRoles(h.kv, addr(name))
		if err != nil {
			t.Fatal(err)
		}
		return roles
	}
	if got := effective("judge"); !reflect.DeepEqual(got, []string{RoleEvidenceVerifier}) {
		t.Fatalf("judge: %v", got)
	}

	// The consortium takes evidence.verifier away from the court.
	h.mustDeliver(addr("root"), TypeSetOrgRoles, SetOrgRoles{Org: "court", Roles: []string{RoleOrgAdmin, RoleEvidenceCustodian}})
	err := h.keeper.Authorize(h.kv, addr("judge"), RoleEvidenceVerifier)
	wantErr(t, err, ErrMissingRole)
	if !strings.Contains(err.Error(), `"court"`) {
		t.Errorf("error %q does not name the organisation", err)
	}
	if got := effective("judge"); len(got) != 0 || got == nil {
		t.Errorf("judge while suspended: %#v", got)
	}
	if got := h.account("judge").Roles; !reflect.DeepEqual(got, []string{RoleEvidenceVerifier}) {
		t.Errorf("the account's own roles changed: %v", got)
	}
	// Nobody in the court can be given the role meanwhile.
	_, _, err = h.deliver(addr("clerk"), TypeSetAccountRoles, SetAccountRoles{Account: addr("clerk2"), Roles: []string{RoleEvidenceVerifier}})
	wantErr(t, err, ErrRoleNotInOrg)
	// A suspended admin role is not the account's to keep: the teller may
	// drop consortium.admin once the bank no longer holds it.
	h.mustDeliver(addr("root"), TypeSetOrgRoles, SetOrgRoles{Org: "bank", Roles: []string{RoleConsortiumAdmin, RoleOrgAdmin}})
	h.mustDeliver(addr("teller"), TypeSetAccountRoles, SetAccountRoles{Account: addr("teller"), Roles: []string{RoleConsortiumAdmin, RoleOrgAdmin}})
	_, _, err = h.deliver(addr("teller"), TypeSetAccountRoles, SetAccountRoles{Account: addr("teller"), Roles: []string{RoleOrgAdmin}})
	wantErr(t, err, ErrSelfDemotion)
	h.mustDeliver(addr("root"), TypeSetOrgRoles, SetOrgRoles{Org: "bank", Roles: []string{RoleOrgAdmin}})
	h.mustDeliver(addr("teller"), TypeSetAccountRoles, SetAccountRoles{Account: addr("teller"), Roles: []string{RoleOrgAdmin}})

	// Given back, the role acts again without touching the account.
	h.mustDeliver(addr("root"), TypeSetOrgRoles, SetOrgRoles{Org: "court", Roles: []string{RoleOrgAdmin, RoleEvidenceVerifier}})
	if !h.keeper.HasRole(h.kv, addr("judge"), RoleEvidenceVerifier) {
		t.Error("judge does not verify after the role came back")
	}

	// A revoked account has no effective roles.
	h.mustDeliver(addr("clerk"), TypeRevokeAccount, RevokeAccount{Account: addr("judge"), Reason: "retired"})
	if got := effective("judge"); len(got) != 0 {
		t.Errorf("revoked judge: %v", got)
	}
	_, err = h.keeper.EffectiveRoles(h.kv, addr("ghost"))
	wantErr(t, err, ErrAccountNotFound)
}

func TestLookups(t *testing.T) {
	h := newHarness(t)
	_, err := h.keeper.Account(h.kv, addr("ghost"))
	wantErr(t, err, ErrAccountNotFound)
	_, err = h.keeper.Org(h.kv, "nowhere")
	wantErr(t, err, ErrUnknownOrg)
	if acc, err := GetAccount(h.kv, addr("judge")); err != nil || acc.Name != "Judge" {
		t.Errorf("GetAccount = %+v, %v", acc, err)
	}
	if org, err := GetOrg(h.kv, "bank"); err != nil || org.Name != "Bank" {
		t.Errorf("GetOrg = %+v, %v", org, err)
	}
}

// TestLookupsAreCopies: the keeper caches decoded records; what it hands out
// is the caller's to change and never alters its next answer.
func TestLookupsAreCopies(t *testing.T) {
	h := newHarness(t)
	for range 2 { // the second round answers from the cache
		acc, err := h.keeper.Account(h.kv, addr("judge"))
		if err != nil {
			t.Fatal(err)
		}
		acc.Roles[0] = RoleConsortiumAdmin
		org, err := h.keeper.Org(h.kv, "court")
		if err != nil {
			t.Fatal(err)
		}
		org.Roles[0] = RoleConsortiumAdmin
	}
	if h.keeper.HasRole(h.kv, addr("judge"), RoleConsortiumAdmin) {
		t.Fatal("changing a returned account gave the judge consortium.admin")
	}
	if err := h.keeper.Authorize(h.kv, addr("judge"), RoleEvidenceVerifier); err != nil {
		t.Fatalf("the judge's own role is gone: %v", err)
	}
}

// TestDamagedRecord: a record that does not decode is an internal error, not
// the caller's, and never authorizes.
func TestDamagedRecord(t *testing.T) {
	h := newHarness(t)
	h.kv.Set(accountKey(addr("judge")), []byte(`{"address":`))
	h.kv.Set(orgKey("bank"), []byte(`{}`))
	for name, err := range map[string]error{
		"account":   h.keeper.Authorize(h.kv, addr("judge"), ""),
		"org":       h.keeper.Authorize(h.kv, addr("teller"), RoleFinanceBank),
		"list orgs": func() error { _, err := ListOrgs(h.kv, "", 0); return err }(),
		"list accs": func() error { _, err := ListAccounts(h.kv, "court", "", 0); return err }(),
	} {
		wantErr(t, err, errs.Internal)
		if !strings.Contains(err.Error(), "members/") {
			t.Errorf("%s: error %q does not name the key", name, err)
		}
	}
	if h.keeper.HasRole(h.kv, addr("teller"), RoleFinanceBank) {
		t.Error("damaged org authorizes")
	}
	var _ chain.Authorizer = h.keeper
}

// BenchmarkAuthorize measures the role check every transaction passes.
func BenchmarkAuthorize(b *testing.B) {
	h := newHarness(b)
	for b.Loop() {
		if err := h.keeper.Authorize(h.kv, addr("judge"), RoleEvidenceVerifier); err != nil {
			b.Fatal(err)
		}
	}
}
