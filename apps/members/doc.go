// Package members is the consortium's register of who may act on chain:
// organisations, the accounts (ed25519 keys) that belong to them and the roles
// both hold.
//
// Roles are granted twice. An organisation holds the roles the consortium
// trusts it with (a court holds evidence.verifier); each of its accounts holds
// a subset of them, chosen by the organisation's own admins. A role is
// effective for an account only while both hold it, so the consortium can take
// a role away from a whole organisation with one message, and an organisation
// manages its people without asking the consortium. Accounts are never
// deleted: a revoked account stays readable, with who revoked it and why,
// because records elsewhere name it as their signer.
//
// The Keeper is the chain.Authorizer every message passes through and the
// source of roles for the other apps, which declare the small interface they
// need (HasRole, Account) in their own packages. The initial organisations and
// their first accounts come from the genesis file (Genesis); later ones are
// added by consortium admins with add_org.
package members
