package members

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/check"
)

// ModuleName is the module of members' messages in a transaction.
const ModuleName = "members"

// Message types, the "type" of a transaction body.
const (
	TypeAddOrg          = "add_org"
	TypeSetOrgRoles     = "set_org_roles"
	TypeAddAccount      = "add_account"
	TypeSetAccountRoles = "set_account_roles"
	TypeRevokeAccount   = "revoke_account"
)

// Limits of free text, in characters (runes).
const (
	MaxNameLen   = 100
	MaxReasonLen = 500
)

// AddOrg adds an organisation and its first account, which holds org.admin so
// that the organisation can manage its own accounts from then on. The
// organisation is given org.admin whether or not Roles lists it.
type AddOrg struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Roles       []string     `json:"roles"`
	AdminName   string       `json:"admin_name"`
	AdminPubKey chain.PubKey `json:"admin_pubkey"`
}

func (m *AddOrg) ValidateBasic() error {
	return check.First(
		checkOrgID("id", m.ID),
		checkName("name", m.Name),
		checkRoles("roles", m.Roles),
		checkName("admin_name", m.AdminName),
		checkPubKey("admin_pubkey", m.AdminPubKey),
	)
}

// SetOrgRoles replaces the roles of an organisation. Its accounts keep their
// own role lists, but a role the organisation no longer holds is no longer
// effective for any of them.
type SetOrgRoles struct {
	Org   string   `json:"org"`
	Roles []string `json:"roles"`
}

func (m *SetOrgRoles) ValidateBasic() error {
	return check.First(checkOrgID("org", m.Org), checkRoles("roles", m.Roles))
}

// AddAccount adds an account to the signer's organisation.
type AddAccount struct {
	Name   string       `json:"name"`
	PubKey chain.PubKey `json:"pubkey"`
	Roles  []string     `json:"roles"`
}

func (m *AddAccount) ValidateBasic() error {
	return check.First(checkName("name", m.Name), checkPubKey("pubkey", m.PubKey), checkRoles("roles", m.Roles))
}

// SetAccountRoles replaces the roles of an account of the signer's
// organisation.
type SetAccountRoles struct {
	Account chain.Address `json:"account"`
	Roles   []string      `json:"roles"`
}

func (m *SetAccountRoles) ValidateBasic() error {
	return check.First(checkAddress("account", m.Account), checkRoles("roles", m.Roles))
}

// RevokeAccount revokes an account of the signer's organisation for good. The
// account stays readable, marked revoked, with the reason.
type RevokeAccount struct {
	Account chain.Address `json:"account"`
	Reason  string        `json:"reason"`
}

func (m *RevokeAccount) ValidateBasic() error {
	if err := checkAddress("account", m.Account); err != nil {
		return err
	}
	if p := check.Text(m.Reason, 1, MaxReasonLen, false); p != "" {
		return ErrInvalidReason.Withf("reason %s", p)
	}
	return nil
}

// Genesis is the members part of the genesis app state (app_state.members):
// the organisations the consortium starts with and their accounts. At least
// one account must hold consortium.admin, or no organisation could ever be
// added.
type Genesis struct {
	Orgs []GenesisOrg `json:"orgs"`
}

// GenesisOrg is an organisation of the genesis state.
type GenesisOrg struct {
	ID       string           `json:"id"`
	Name     string           `json:"name"`
	Roles    []string         `json:"roles"`
	Accounts []GenesisAccount `json:"accounts"`
}

// GenesisAccount is an account of a genesis organisation; its roles must be
// among the organisation's.
type GenesisAccount struct {
	Name   string       `json:"name"`
	PubKey chain.PubKey `json:"pubkey"`
	Roles  []string     `json:"roles"`
}

// DecodeGenesis decodes the members genesis state strictly (unknown fields
// and trailing data are errors) and validates it. Any JSON layout is accepted,
// since the genesis file is written for people to read as well.
func DecodeGenesis(raw []byte) (Genesis, error) {
	var g Genesis
	if len(bytes.TrimSpace(raw)) == 0 {
		return g, ErrInvalidGenesis.Withf("members genesis is missing")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return Genesis{}, ErrInvalidGenesis.Withf("invalid members genesis: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return Genesis{}, ErrInvalidGenesis.Withf("invalid members genesis: data after the object")
	}
	return g, g.Validate()
}

// Validate checks the genesis state fully. Errors have the code
// members.invalid_genesis, name the bad entry ("orgs[1] \"court\": accounts[0]
// \"Judge\": ...") and also match the sentinel of the rule broken
// (ErrUnknownRole, ErrDuplicateAccount...).
func (g Genesis) Validate() error {
	orgs := make(map[string]string, len(g.Orgs))       // id → entry
	keys := make(map[chain.PubKey]string, len(g.Orgs)) // key → entry
	admins := 0
	for i, o := range g.Orgs {
		where := fmt.Sprintf("orgs[%d] %q", i, o.ID)
		if err := check.First(checkOrgID("id", o.ID), checkName("name", o.Name), checkRoles("roles", o.Roles)); err != nil {
			return genesisError(where, err)
		}
		if first, dup := orgs[o.ID]; dup {
			return genesisError(where, ErrDuplicateOrg.Withf("id also used by %s", first))
		}
		orgs[o.ID] = where
		if len(o.Accounts) == 0 {
			return genesisError(where, ErrInvalidGenesis.Withf("has no accounts, so it could never act"))
		}
		orgRoles := normalizeRoles(o.Roles)
		for j, a := range o.Accounts {
			where := fmt.Sprintf("%s: accounts[%d] %q", where, j, a.Name)
			if err := check.First(checkName("name", a.Name), checkPubKey("pubkey", a.PubKey), checkRoles("roles", a.Roles)); err != nil {
				return genesisError(where, err)
			}
			if r, ok := firstMissing(a.Roles, orgRoles); ok {
				return genesisError(where, ErrRoleNotInOrg.Withf("role %q is not held by the organisation", r))
			}
			if first, dup := keys[a.PubKey]; dup {
				return genesisError(where, ErrDuplicateAccount.Withf("public key %s also used by %s", a.PubKey, first))
			}
			keys[a.PubKey] = where
			if hasRole(normalizeRoles(a.Roles), RoleConsortiumAdmin) {
				admins++
			}
		}
	}
	if admins == 0 {
		return ErrInvalidGenesis.Withf("invalid members genesis: no account holds %s", RoleConsortiumAdmin)
	}
	return nil
}

// genesisError reports err at entry where, with the genesis code first so
// that the error is reported as members.invalid_genesis while errors.Is still
// finds the rule's own sentinel.
func genesisError(where string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrInvalidGenesis, where, err)
}

// ValidOrgID checks an organisation id: 2 to 40 characters of lowercase
// letters, digits and '-', starting with a letter or digit
// (^[a-z0-9][a-z0-9-]{1,39}$).
func ValidOrgID(id string) error { return checkOrgID("organisation id", id) }

func checkOrgID(field, id string) error {
	if len(id) < 2 || len(id) > 40 {
		return ErrInvalidOrgID.Withf("%s must be 2 to 40 characters, got %d", field, len(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' && i > 0) {
			return ErrInvalidOrgID.Withf("%s %q must be lowercase letters, digits and '-', not starting with '-'", field, id)
		}
	}
	return nil
}

func checkName(field, name string) error {
	if p := check.Text(name, 1, MaxNameLen, false); p != "" {
		return ErrInvalidName.Withf("%s %s", field, p)
	}
	return nil
}

func checkRoles(field string, roles []string) error {
	for _, r := range roles {
		if !Known(r) {
			return ErrUnknownRole.Withf("%s contains the unknown role %q", field, r)
		}
	}
	return nil
}

func checkPubKey(field string, k chain.PubKey) error {
	if k == (chain.PubKey{}) {
		return ErrInvalidPubKey.Withf("%s is missing (all zero)", field)
	}
	return nil
}

func checkAddress(field string, a chain.Address) error {
	if a.IsZero() {
		return ErrInvalidAddress.Withf("%s is missing (all zero)", field)
	}
	return nil
}
