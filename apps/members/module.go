package members

import (
	"encoding/json"
	"strings"

	"github.com/chancery/chancery/chain"
)

// Event types.
const (
	EventOrgAdded        = "members.org_added"
	EventOrgRolesSet     = "members.org_roles_set"
	EventAccountAdded    = "members.account_added"
	EventAccountRolesSet = "members.account_roles_set"
	EventAccountRevoked  = "members.account_revoked"
)

// Event attribute keys. Roles are joined with ",".
const (
	AttrOrg     = "org"
	AttrAccount = "account"
	AttrName    = "name"
	AttrRoles   = "roles"
	AttrAdmin   = "admin"
	AttrReason  = "reason"
)

// AddOrgResult is the data of an add_org transaction.
type AddOrgResult struct {
	Org   string        `json:"org"`
	Roles []string      `json:"roles"`
	Admin chain.Address `json:"admin"`
}

// OrgRolesResult is the data of a set_org_roles transaction.
type OrgRolesResult struct {
	Org   string   `json:"org"`
	Roles []string `json:"roles"`
}

// AccountResult is the data of add_account, set_account_roles and
// revoke_account transactions: the account's state after the message.
type AccountResult struct {
	Account chain.Address `json:"account"`
	Org     string        `json:"org"`
	Roles   []string      `json:"roles"`
	Revoked bool          `json:"revoked"`
}

// Module is the members state machine.
//
// Its routes name the role a signer needs, which the chain checks with the
// Keeper (a chain.Authorizer) before a handler runs; handlers check the rest:
// that an account belongs to the signer's organisation, that roles are the
// organisation's. Every handler checks everything before it writes, so a
// failed message leaves state untouched even without a rollback.
type Module struct{}

// NewModule returns the members module. Like the Keeper it keeps no state of
// its own.
func NewModule() *Module { return &Module{} }

var _ chain.GenesisModule = (*Module)(nil)

func (m *Module) Name() string { return ModuleName }

func (m *Module) Routes() []chain.Route {
	return []chain.Route{
		chain.NewRoute(TypeAddOrg, RoleConsortiumAdmin, m.addOrg),
		chain.NewRoute(TypeSetOrgRoles, RoleConsortiumAdmin, m.setOrgRoles),
		chain.NewRoute(TypeAddAccount, RoleOrgAdmin, m.addAccount),
		chain.NewRoute(TypeSetAccountRoles, RoleOrgAdmin, m.setAccountRoles),
		chain.NewRoute(TypeRevokeAccount, RoleOrgAdmin, m.revokeAccount),
	}
}

// InitGenesis decodes and validates the genesis state and writes its
// organisations and accounts, created at the genesis height and time. It
// emits no events: ABCI's InitChain has nowhere to put them.
func (m *Module) InitGenesis(ctx *chain.Context, raw json.RawMessage) error {
	g, err := DecodeGenesis(raw)
	if err != nil {
		return err
	}
	for _, o := range g.Orgs {
		if chain.Has(ctx.State, orgKey(o.ID)) {
			return ErrDuplicateOrg.Withf("genesis organisation %q is already in state", o.ID)
		}
		putOrg(ctx.State, Org{ID: o.ID, Name: o.Name, Roles: normalizeRoles(o.Roles), CreatedHeight: ctx.Height, CreatedAt: ctx.Time.UTC()})
		for _, a := range o.Accounts {
			acc := newAccount(ctx, o.ID, a.Name, a.PubKey, a.Roles)
			if chain.Has(ctx.State, accountKey(acc.Address)) {
				return ErrDuplicateAccount.Withf("genesis account %s is already in state", acc.Address)
			}
			createAccount(ctx.State, acc)
		}
	}
	return nil
}

func (m *Module) addOrg(ctx *chain.Context, msg *AddOrg) (any, error) {
	if chain.Has(ctx.State, orgKey(msg.ID)) {
		return nil, ErrDuplicateOrg.Withf("organisation %q already exists", msg.ID)
	}
	admin := newAccount(ctx, msg.ID, msg.AdminName, msg.AdminPubKey, []string{RoleOrgAdmin})
	if err := checkKeyFree(ctx.State, admin); err != nil {
		return nil, err
	}
	org := Org{ID: msg.ID, Name: msg.Name, Roles: normalizeRoles(msg.Roles, RoleOrgAdmin), CreatedHeight: ctx.Height, CreatedAt: ctx.Time.UTC()}
	putOrg(ctx.State, org)
	createAccount(ctx.State, admin)
	ctx.Emit(EventOrgAdded, chain.A(AttrOrg, org.ID), chain.A(AttrName, org.Name), chain.A(AttrRoles, joinRoles(org.Roles)), chain.A(AttrAdmin, admin.Address.String()))
	emitAccountAdded(ctx, admin)
	return AddOrgResult{Org: org.ID, Roles: org.Roles, Admin: admin.Address}, nil
}

func (m *Module) setOrgRoles(ctx *chain.Context, msg *SetOrgRoles) (any, error) {
	org, err := uncached.loadOrg(ctx.State, msg.Org)
	if err != nil {
		return nil, err
	}
	signer, err := uncached.activeAccount(ctx.State, ctx.Signer)
	if err != nil {
		return nil, err
	}
	roles := normalizeRoles(msg.Roles)
	if signer.Org == org.ID && !hasRole(roles, RoleConsortiumAdmin) {
		return nil, ErrSelfDemotion.Withf("organisation %q is the signer's own: it cannot drop %s", org.ID, RoleConsortiumAdmin)
	}
	org.Roles = roles
	putOrg(ctx.State, org)
	ctx.Emit(EventOrgRolesSet, chain.A(AttrOrg, org.ID), chain.A(AttrRoles, joinRoles(org.Roles)))
	return OrgRolesResult{Org: org.ID, Roles: org.Roles}, nil
}

func (m *Module) addAccount(ctx *chain.Context, msg *AddAccount) (any, error) {
	signer, err := uncached.activeAccount(ctx.State, ctx.Signer)
	if err != nil {
		return nil, err
	}
	acc := newAccount(ctx, signer.Org, msg.Name, msg.PubKey, msg.Roles)
	if _, err := checkRolesHeld(ctx.State, signer.Org, acc.Roles); err != nil {
		return nil, err
	}
	if err := checkKeyFree(ctx.State, acc); err != nil {
		return nil, err
	}
	createAccount(ctx.State, acc)
	emitAccountAdded(ctx, acc)
	return accountResult(acc), nil
}

func (m *Module) setAccountRoles(ctx *chain.Context, msg *SetAccountRoles) (any, error) {
	signer, acc, err := accountOfSignersOrg(ctx, msg.Account)
	if err != nil {
		return nil, err
	}
	roles := normalizeRoles(msg.Roles)
	org, err := checkRolesHeld(ctx.State, signer.Org, roles)
	if err != nil {
		return nil, err
	}
	if acc.Address == signer.Address {
		// An admin role the signer now acts with must survive, or the
		// organisation (or the consortium) could lock itself out.
		for _, admin := range []string{RoleConsortiumAdmin, RoleOrgAdmin} {
			if hasRole(acc.Roles, admin) && hasRole(org.Roles, admin) && !hasRole(roles, admin) {
				return nil, ErrSelfDemotion.Withf("an account cannot drop its own %s role", admin)
			}
		}
	}
	acc.Roles = roles
	putAccount(ctx.State, acc)
	ctx.Emit(EventAccountRolesSet, chain.A(AttrAccount, acc.Address.String()), chain.A(AttrOrg, acc.Org), chain.A(AttrRoles, joinRoles(acc.Roles)))
	return accountResult(acc), nil
}

func (m *Module) revokeAccount(ctx *chain.Context, msg *RevokeAccount) (any, error) {
	signer, acc, err := accountOfSignersOrg(ctx, msg.Account)
	if err != nil {
		return nil, err
	}
	if acc.Address == signer.Address {
		return nil, ErrRevokeSelf.Withf("account %s cannot revoke itself; another admin of %q can", acc.Address, acc.Org)
	}
	acc.Revoked = true
	acc.RevokedReason = msg.Reason
	acc.RevokedBy = signer.Address
	acc.RevokedHeight = ctx.Height
	acc.RevokedAt = ctx.Time.UTC()
	putAccount(ctx.State, acc)
	ctx.Emit(EventAccountRevoked, chain.A(AttrAccount, acc.Address.String()), chain.A(AttrOrg, acc.Org), chain.A(AttrReason, acc.RevokedReason))
	return accountResult(acc), nil
}

// accountOfSignersOrg returns the signer's account and the active account
// addr, which must belong to the signer's organisation.
func accountOfSignersOrg(ctx *chain.Context, addr chain.Address) (signer, acc Account, err error) {
	signer, err = uncached.activeAccount(ctx.State, ctx.Signer)
	if err != nil {
		return Account{}, Account{}, err
	}
	acc, err = uncached.loadAccount(ctx.State, addr)
	if err != nil {
		return Account{}, Account{}, err
	}
	if acc.Org != signer.Org {
		return Account{}, Account{}, ErrOtherOrg.Withf("account %s belongs to %q, not to the signer's %q", addr, acc.Org, signer.Org)
	}
	if acc.Revoked {
		return Account{}, Account{}, ErrAlreadyRevoked.Withf("account %s was revoked at height %d", addr, acc.RevokedHeight)
	}
	return signer, acc, nil
}

// newAccount builds the account of key, created by the current transaction.
func newAccount(ctx *chain.Context, org, name string, key chain.PubKey, roles []string) Account {
	return Account{
		Address:       key.Address(),
		PubKey:        key,
		Org:           org,
		Name:          name,
		Roles:         normalizeRoles(roles),
		CreatedHeight: ctx.Height,
		CreatedAt:     ctx.Time.UTC(),
	}
}

// checkRolesHeld returns organisation id, or ErrRoleNotInOrg if it lacks one
// of roles.
func checkRolesHeld(r chain.Reader, id string, roles []string) (Org, error) {
	org, err := uncached.loadOrg(r, id)
	if err != nil {
		return Org{}, err
	}
	if role, missing := firstMissing(roles, org.Roles); missing {
		return Org{}, ErrRoleNotInOrg.Withf("organisation %q does not hold the role %s", id, role)
	}
	return org, nil
}

func checkKeyFree(r chain.Reader, acc Account) error {
	if chain.Has(r, accountKey(acc.Address)) {
		return ErrDuplicateAccount.Withf("public key %s is already registered as account %s", acc.PubKey, acc.Address)
	}
	return nil
}

func emitAccountAdded(ctx *chain.Context, acc Account) {
	ctx.Emit(EventAccountAdded, chain.A(AttrAccount, acc.Address.String()), chain.A(AttrOrg, acc.Org), chain.A(AttrName, acc.Name), chain.A(AttrRoles, joinRoles(acc.Roles)))
}

func accountResult(acc Account) AccountResult {
	return AccountResult{Account: acc.Address, Org: acc.Org, Roles: acc.Roles, Revoked: acc.Revoked}
}

func joinRoles(roles []string) string { return strings.Join(roles, ",") }
