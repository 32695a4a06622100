package members

import (
	"reflect"
	"slices"
	"testing"
)

func TestRoles(t *testing.T) {
	want := []string{
		"audit.reader", "consortium.admin", "copyright.arbiter", "copyright.registrant",
		"evidence.custodian", "evidence.depositor", "evidence.verifier",
		"finance.bank", "finance.core", "finance.supplier", "org.admin",
	}
	if got := AllRoles(); !reflect.DeepEqual(got, want) {
		t.Fatalf("AllRoles() = %v", got)
	}
	for _, r := range want {
		if !Known(r) {
			t.Errorf("Known(%q) = false", r)
		}
	}
	for _, r := range []string{"", "admin", "Org.Admin", "org.admin ", "evidence", "finance.bank,org.admin"} {
		if Known(r) {
			t.Errorf("Known(%q) = true", r)
		}
	}
	all := AllRoles()
	all[0] = "changed"
	if !Known("audit.reader") {
		t.Error("AllRoles returned the package's own array")
	}
}

func TestNormalizeRoles(t *testing.T) {
	in := []string{RoleOrgAdmin, RoleAuditReader, RoleOrgAdmin}
	kept := slices.Clone(in)
	got := normalizeRoles(in, RoleFinanceBank, RoleAuditReader)
	if want := []string{RoleAuditReader, RoleFinanceBank, RoleOrgAdmin}; !reflect.DeepEqual(got, want) {
		t.Errorf("normalizeRoles = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(in, kept) {
		t.Errorf("normalizeRoles changed its input: %v", in)
	}
	if got := normalizeRoles(nil); got == nil || len(got) != 0 {
		t.Errorf("normalizeRoles(nil) = %#v, want empty non-nil", got)
	}
}
