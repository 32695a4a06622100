package members

import "slices"

// The roles of the consortium. A role is effective for an account only while
// both the account and its organisation hold it.
const (
	RoleConsortiumAdmin     = "consortium.admin"     // adds organisations, sets their roles
	RoleOrgAdmin            = "org.admin"            // manages the accounts of its own organisation
	RoleEvidenceDepositor   = "evidence.depositor"   // deposits evidence
	RoleEvidenceCustodian   = "evidence.custodian"   // holds and transfers evidence
	RoleEvidenceVerifier    = "evidence.verifier"    // a court: verifies evidence
	RoleCopyrightRegistrant = "copyright.registrant" // registers works
	RoleCopyrightArbiter    = "copyright.arbiter"    // decides disputes over works
	RoleFinanceCore         = "finance.core"         // the core enterprise of a supply chain
	RoleFinanceSupplier     = "finance.supplier"     // a supplier holding receivables
	RoleFinanceBank         = "finance.bank"         // finances receivables
	RoleAuditReader         = "audit.reader"         // reads everything for audit
)

// knownRoles is every role, sorted, so that Known is a binary search and
// AllRoles needs no sorting.
var knownRoles = [...]string{
	RoleAuditReader,
	RoleConsortiumAdmin,
	RoleCopyrightArbiter,
	RoleCopyrightRegistrant,
	RoleEvidenceCustodian,
	RoleEvidenceDepositor,
	RoleEvidenceVerifier,
	RoleFinanceBank,
	RoleFinanceCore,
	RoleFinanceSupplier,
	RoleOrgAdmin,
}

// Known reports whether role is one of the consortium's roles.
func Known(role string) bool {
	_, ok := slices.BinarySearch(knownRoles[:], role)
	return ok
}

// AllRoles returns every role, sorted.
func AllRoles() []string { return slices.Clone(knownRoles[:]) }

// normalizeRoles returns roles and extra sorted and without duplicates, as a
// new non-nil slice (so it encodes as [] rather than null).
func normalizeRoles(roles []string, extra ...string) []string {
	out := make([]string, 0, len(roles)+len(extra))
	out = append(append(out, roles...), extra...)
	slices.Sort(out)
	return slices.Compact(out)
}

// hasRole reports whether the sorted list roles contains role.
func hasRole(roles []string, role string) bool {
	_, ok := slices.BinarySearch(roles, role)
	return ok
}

// firstMissing returns the first role of roles that held (sorted) lacks.
func firstMissing(roles, held []string) (string, bool) {
	for _, r := range roles {
		if !hasRole(held, r) {
			return r, true
		}
	}
	return "", false
}
