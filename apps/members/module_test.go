package members

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/shared/errs"
)

var genesisTime = time.Date(2025, 3, 1, 9, 0, 0, 123456789, time.UTC)

func blockTime(height int64) time.Time { return genesisTime.Add(time.Duration(height) * time.Second) }

// key and addr give each test person a fixed key and address.
func key(name string) chain.PubKey   { return chain.PubKey(sha256.Sum256([]byte(name))) }
func addr(name string) chain.Address { return key(name).Address() }

// testGenesis: a consortium office with two admins, a court and a bank.
func testGenesis() Genesis {
	return Genesis{Orgs: []GenesisOrg{
		{ID: "consortium", Name: "Consortium office", Roles: []string{RoleOrgAdmin, RoleConsortiumAdmin, RoleAuditReader}, Accounts: []GenesisAccount{
			{Name: "Root", PubKey: key("root"), Roles: []string{RoleConsortiumAdmin, RoleOrgAdmin}},
			{Name: "Root two", PubKey: key("root2"), Roles: []string{RoleConsortiumAdmin, RoleOrgAdmin}},
		}},
		{ID: "court", Name: "District court", Roles: []string{RoleOrgAdmin, RoleEvidenceVerifier, RoleEvidenceCustodian}, Accounts: []GenesisAccount{
			{Name: "Clerk", PubKey: key("clerk"), Roles: []string{RoleOrgAdmin}},
			{Name: "Clerk two", PubKey: key("clerk2"), Roles: []string{RoleOrgAdmin}},
			{Name: "Judge", PubKey: key("judge"), Roles: []string{RoleEvidenceVerifier}},
		}},
		{ID: "bank", Name: "Bank", Roles: []string{RoleFinanceBank, RoleOrgAdmin}, Accounts: []GenesisAccount{
			{Name: "Teller", PubKey: key("teller"), Roles: []string{RoleOrgAdmin, RoleFinanceBank}},
		}},
	}}
}

type harness struct {
	t      testing.TB
	kv     *chaintest.MemKV
	keeper Keeper
	module *Module
	height int64
}

// newHarness returns state initialised with testGenesis at height 1.
func newHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{t: t, kv: chaintest.NewMemKV(), keeper: NewKeeper(), height: 1}
	h.module = NewModule()
	raw, err := json.MarshalIndent(testGenesis(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	ctx := chain.NewContext("test-chain", h.height, genesisTime, chain.Hash{}, chain.Address{}, h.kv)
	if err := h.module.InitGenesis(ctx, raw); err != nil {
		t.Fatalf("InitGenesis: %v", err)
	}
	h.height++
	return h
}

func (h *harness) route(typ string) chain.Route {
	h.t.Helper()
	for _, r := range h.module.Routes() {
		if r.Type == typ {
			return r
		}
	}
	h.t.Fatalf("no route %q", typ)
	return chain.Route{}
}

// deliver runs msg as a transaction of signer, in a block of its own, the
// way the chain does: the signer is authorized for the route's role, the
// message's canonical bytes decoded, the handler run.
func (h *harness) deliver(signer chain.Address, typ string, msg any) (any, []chain.Event, error) {
	h.t.Helper()
	route := h.route(typ)
	if err := h.keeper.Authorize(h.kv, signer, route.Role); err != nil {
		return nil, nil, err
	}
	raw := canon.MustMarshal(msg)
	decoded, err := route.Decode(raw)
	if err != nil {
		return nil, nil, err
	}
	ctx := chain.NewContext("test-chain", h.height, blockTime(h.height), chain.SumHash(raw), signer, h.kv)
	h.height++
	res, err := route.Handle(ctx, decoded)
	return res, ctx.Events(), err
}

func (h *harness) mustDeliver(signer chain.Address, typ string, msg any) (any, []chain.Event) {
	h.t.Helper()
	res, events, err := h.deliver(signer, typ, msg)
	if err != nil {
		h.t.Fatalf("%s by %s: %v", typ, signer, err)
	}
	return res, events
}

// snapshot is the whole state as text, to compare before and after.
func (h *harness) snapshot() string {
	var b strings.Builder
	h.kv.Iterate(chain.Range{}, func(k, v []byte) bool {
		b.WriteString(string(k) + "=" + string(v) + "\n")
		return true
	})
	return b.String()
}

func (h *harness) account(name string) Account {
	h.t.Helper()
	acc, err := h.keeper.Account(h.kv, addr(name))
	if err != nil {
		h.t.Fatal(err)
	}
	return acc
}

func (h *harness) org(id string) Org {
	h.t.Helper()
	org, err := h.keeper.Org(h.kv, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return org
}

func wantEvents(t *testing.T, got []chain.Event, want ...chain.Event) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events:\n got %+v\nwant %+v", got, want)
	}
}

func event(typ string, kv ...string) chain.Event {
	e := chain.Event{Type: typ}
	for i := 0; i < len(kv); i += 2 {
		e.Attrs = append(e.Attrs, chain.A(kv[i], kv[i+1]))
	}
	return e
}

// wantErr checks that err is the sentinel want, with want's kind.
func wantErr(t *testing.T, err error, want *errs.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %s", err, want.Code)
	}
	if got := errs.As(err); got.Kind != want.Kind || got.Code != want.Code {
		t.Fatalf("error reported as %s/%s, want %s/%s", got.Code, got.Kind, want.Code, want.Kind)
	}
}

func TestModuleShape(t *testing.T) {
	m := NewModule()
	if m.Name() != "members" {
		t.Errorf("Name() = %q", m.Name())
	}
	want := map[string]string{
		"add_org":           RoleConsortiumAdmin,
		"set_org_roles":     RoleConsortiumAdmin,
		"add_account":       RoleOrgAdmin,
		"set_account_roles": RoleOrgAdmin,
		"revoke_account":    RoleOrgAdmin,
	}
	routes := m.Routes()
	if len(routes) != len(want) {
		t.Fatalf("%d routes, want %d", len(routes), len(want))
	}
	for _, r := range routes {
		if role, ok := want[r.Type]; !ok || r.Role != role {
			t.Errorf("route %q requires %q, want %q", r.Type, r.Role, role)
		}
	}
}

func TestInitGenesis(t *testing.T) {
	h := newHarness(t)
	court := h.org("court")
	wantOrg := Org{ID: "court", Name: "District court", Roles: []string{RoleEvidenceCustodian, RoleEvidenceVerifier, RoleOrgAdmin}, CreatedHeight: 1, CreatedAt: genesisTime}
	if !reflect.DeepEqual(court, wantOrg) {
		t.Errorf("court = %+v, want %+v", court, wantOrg)
	}
	teller := h.account("teller")
	wantAcc := Account{Address: addr("teller"), PubKey: key("teller"), Org: "bank", Name: "Teller", Roles: []string{RoleFinanceBank, RoleOrgAdmin}, CreatedHeight: 1, CreatedAt: genesisTime}
	if !reflect.DeepEqual(teller, wantAcc) {
		t.Errorf("teller = %+v, want %+v", teller, wantAcc)
	}
	for _, name := range []string{"root", "root2", "clerk", "clerk2", "judge", "teller"} {
		if err := h.keeper.Authorize(h.kv, addr(name), ""); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	// A genesis cannot be applied over state that already has its entries.
	raw, _ := json.Marshal(testGenesis())
	err := h.module.InitGenesis(chain.NewContext("test-chain", 1, genesisTime, chain.Hash{}, chain.Address{}, h.kv), raw)
	wantErr(t, err, ErrDuplicateOrg)

	g := Genesis{Orgs: []GenesisOrg{{ID: "newcomer", Name: "Newcomer", Roles: []string{RoleConsortiumAdmin}, Accounts: []GenesisAccount{
		{Name: "Root again", PubKey: key("root"), Roles: []string{RoleConsortiumAdmin}},
	}}}}
	raw, _ = json.Marshal(g)
	err = h.module.InitGenesis(chain.NewContext("test-chain", 1, genesisTime, chain.Hash{}, chain.Address{}, h.kv), raw)
	wantErr(t, err, ErrDuplicateAccount)

	// An invalid genesis writes nothing.
	kv := chaintest.NewMemKV()
	err = h.module.InitGenesis(chain.NewContext("test-chain", 1, genesisTime, chain.Hash{}, chain.Address{}, kv), json.RawMessage(`{"orgs":[]}`))
	wantErr(t, err, ErrInvalidGenesis)
	kv.Iterate(chain.Range{}, func(k, _ []byte) bool { t.Errorf("invalid genesis wrote %s", k); return true })
}

func TestAddOrg(t *testing.T) {
	h := newHarness(t)
	res, events := h.mustDeliver(addr("root"), TypeAddOrg, AddOrg{
		ID: "notary-1", Name: "Notary office", Roles: []string{RoleEvidenceDepositor, RoleCopyrightRegistrant, RoleEvidenceDepositor},
		AdminName: "Ann", AdminPubKey: key("ann"),
	})
	roles := []string{RoleCopyrightRegistrant, RoleEvidenceDepositor, RoleOrgAdmin}
	if want := (AddOrgResult{Org: "notary-1", Roles: roles, Admin: addr("ann")}); !reflect.DeepEqual(res, want) {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	if got := string(canon.MustMarshal(res)); got != `{"org":"notary-1","roles":["copyright.registrant","evidence.depositor","org.admin"],"admin":"`+addr("ann").String()+`"}` {
		t.Errorf("result data = %s", got)
	}
	wantEvents(t, events,
		event(EventOrgAdded, "org", "notary-1", "name", "Notary office", "roles", "copyright.registrant,evidence.depositor,org.admin", "admin", addr("ann").String()),
		event(EventAccountAdded, "account", addr("ann").String(), "org", "notary-1", "name", "Ann", "roles", "org.admin"),
	)
	if want := (Org{ID: "notary-1", Name: "Notary office", Roles: roles, CreatedHeight: 2, CreatedAt: blockTime(2)}); !reflect.DeepEqual(h.org("notary-1"), want) {
		t.Errorf("org = %+v, want %+v", h.org("notary-1"), want)
	}
	want := Account{Address: addr("ann"), PubKey: key("ann"), Org: "notary-1", Name: "Ann", Roles: []string{RoleOrgAdmin}, CreatedHeight: 2, CreatedAt: blockTime(2)}
	if got := h.account("ann"); !reflect.DeepEqual(got, want) {
		t.Errorf("admin = %+v, want %+v", got, want)
	}
	// The new admin manages its organisation at once.
	h.mustDeliver(addr("ann"), TypeAddAccount, AddAccount{Name: "Bob", PubKey: key("bob"), Roles: []string{RoleEvidenceDepositor}})
	if !h.keeper.HasRole(h.kv, addr("bob"), RoleEvidenceDepositor) {
		t.Error("bob lacks evidence.depositor")
	}
}

func TestSetOrgRoles(t *testing.T) {
	h := newHarness(t)
	res, events := h.mustDeliver(addr("root"), TypeSetOrgRoles, SetOrgRoles{Org: "bank", Roles: []string{RoleOrgAdmin, RoleFinanceCore, RoleFinanceBank, RoleOrgAdmin}})
	roles := []string{RoleFinanceBank, RoleFinanceCore, RoleOrgAdmin}
	if want := (OrgRolesResult{Org: "bank", Roles: roles}); !reflect.DeepEqual(res, want) {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	wantEvents(t, events, event(EventOrgRolesSet, "org", "bank", "roles", "finance.bank,finance.core,org.admin"))
	if got := h.org("bank"); !reflect.DeepEqual(got.Roles, roles) || got.CreatedHeight != 1 {
		t.Errorf("bank = %+v", got)
	}
	// An empty list is allowed: the organisation keeps its accounts but
	// none of them can act with a role.
	h.mustDeliver(addr("root"), TypeSetOrgRoles, SetOrgRoles{Org: "bank", Roles: []string{}})
	if got := string(canon.MustMarshal(h.org("bank"))); !strings.Contains(got, `"roles":[]`) {
		t.Errorf("bank = %s", got)
	}
	// Its own organisation may change roles as long as consortium.admin stays.
	h.mustDeliver(addr("root"), TypeSetOrgRoles, SetOrgRoles{Org: "consortium", Roles: []string{RoleConsortiumAdmin, RoleOrgAdmin}})
}

func TestAddAccount(t *testing.T) {
	h := newHarness(t)
	res, events := h.mustDeliver(addr("clerk"), TypeAddAccount, AddAccount{Name: "Judge Two", PubKey: key("judge2"), Roles: []string{RoleEvidenceVerifier, RoleEvidenceCustodian, RoleEvidenceVerifier}})
	roles := []string{RoleEvidenceCustodian, RoleEvidenceVerifier}
	if want := (AccountResult{Account: addr("judge2"), Org: "court", Roles: roles}); !reflect.DeepEqual(res, want) {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	wantEvents(t, events, event(EventAccountAdded, "account", addr("judge2").String(), "org", "court", "name", "Judge Two", "roles", "evidence.custodian,evidence.verifier"))
	want := Account{Address: addr("judge2"), PubKey: key("judge2"), Org: "court", Name: "Judge Two", Roles: roles, CreatedHeight: 2, CreatedAt: blockTime(2)}
	if got := h.account("judge2"); !reflect.DeepEqual(got, want) {
		t.Errorf("account = %+v, want %+v", got, want)
	}
	// Accounts without roles are members that can sign role-free messages.
	h.mustDeliver(addr("clerk"), TypeAddAccount, AddAccount{Name: "Visitor", PubKey: key("visitor"), Roles: nil})
	if err := h.keeper.Authorize(h.kv, addr("visitor"), ""); err != nil {
		t.Error(err)
	}
}

func TestSetAccountRoles(t *testing.T) {
	h := newHarness(t)
	res, events := h.mustDeliver(addr("clerk"), TypeSetAccountRoles, SetAccountRoles{Account: addr("judge"), Roles: []string{RoleEvidenceCustodian, RoleOrgAdmin}})
	roles := []string{RoleEvidenceCustodian, RoleOrgAdmin}
	if want := (AccountResult{Account: addr("judge"), Org: "court", Roles: roles}); !reflect.DeepEqual(res, want) {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	wantEvents(t, events, event(EventAccountRolesSet, "account", addr("judge").String(), "org", "court", "roles", "evidence.custodian,org.admin"))
	if got := h.account("judge"); !reflect.DeepEqual(got.Roles, roles) || got.CreatedHeight != 1 {
		t.Errorf("judge = %+v", got)
	}
	if h.keeper.HasRole(h.kv, addr("judge"), RoleEvidenceVerifier) {
		t.Error("judge still verifies")
	}
	// An admin may change its own roles while it keeps its admin roles.
	h.mustDeliver(addr("clerk"), TypeSetAccountRoles, SetAccountRoles{Account: addr("clerk"), Roles: []string{RoleOrgAdmin, RoleEvidenceCustodian}})
	h.mustDeliver(addr("root"), TypeSetAccountRoles, SetAccountRoles{Account: addr("root"), Roles: []string{RoleAuditReader, RoleConsortiumAdmin, RoleOrgAdmin}})
}

func TestRevokeAccount(t *testing.T) {
	h := newHarness(t)
	res, events := h.mustDeliver(addr("clerk"), TypeRevokeAccount, RevokeAccount{Account: addr("judge"), Reason: "retired"})
	if want := (AccountResult{Account: addr("judge"), Org: "court", Roles: []string{RoleEvidenceVerifier}, Revoked: true}); !reflect.DeepEqual(res, want) {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	wantEvents(t, events, event(EventAccountRevoked, "account", addr("judge").String(), "org", "court", "reason", "retired"))
	judge := h.account("judge") // still readable
	want := Account{
		Address: addr("judge"), PubKey: key("judge"), Org: "court", Name: "Judge", Roles: []string{RoleEvidenceVerifier},
		Revoked: true, RevokedReason: "retired", RevokedBy: addr("clerk"), RevokedHeight: 2, RevokedAt: blockTime(2),
		CreatedHeight: 1, CreatedAt: genesisTime,
	}
	if !reflect.DeepEqual(judge, want) {
		t.Errorf("judge = %+v, want %+v", judge, want)
	}
	wantErr(t, h.keeper.Authorize(h.kv, addr("judge"), ""), ErrAccountRevoked)
	if h.keeper.HasRole(h.kv, addr("judge"), RoleEvidenceVerifier) {
		t.Error("revoked judge still verifies")
	}
	page, err := ListAccounts(h.kv, "court", "", 0)
	if err != nil || len(page.Accounts) != 3 {
		t.Errorf("court accounts after revoke: %d, %v", len(page.Accounts), err)
	}
}

// TestErrors runs every way a message can fail and checks that it fails with
// its code and kind, emits nothing and writes nothing.
func TestErrors(t *testing.T) {
	revoke := func(by, who string) func(*harness) {
		return func(h *harness) {
			h.mustDeliver(addr(by), TypeRevokeAccount, RevokeAccount{Account: addr(who), Reason: "test"})
		}
	}
	courtRoles := func(roles ...string) func(*harness) {
		return func(h *harness) {
			h.mustDeliver(addr("root"), TypeSetOrgRoles, SetOrgRoles{Org: "court", Roles: roles})
		}
	}
	goodOrg := AddOrg{ID: "notary", Name: "Notary", Roles: []string{RoleEvidenceDepositor}, AdminName: "Ann", AdminPubKey: key("ann")}
	withOrg := func(f func(*AddOrg)) AddOrg { m := goodOrg; f(&m); return m }

	tests := []struct {
		name   string
		setup  func(*harness)
		signer string
		typ    string
		msg    any
		want   *errs.Error
	}{
		// Authorization, on every route.
		{name: "unknown signer", signer: "stranger", typ: TypeAddOrg, msg: goodOrg, want: ErrUnknownAccount},
		{name: "revoked signer", setup: revoke("root", "root2"), signer: "root2", typ: TypeAddOrg, msg: goodOrg, want: ErrAccountRevoked},
		{name: "add_org without consortium.admin", signer: "clerk", typ: TypeAddOrg, msg: goodOrg, want: ErrMissingRole},
		{name: "set_org_roles without consortium.admin", signer: "teller", typ: TypeSetOrgRoles, msg: SetOrgRoles{Org: "bank", Roles: nil}, want: ErrMissingRole},
		{name: "add_account without org.admin", signer: "judge", typ: TypeAddAccount, msg: AddAccount{Name: "X", PubKey: key("x")}, want: ErrMissingRole},
		{name: "add_account with org.admin suspended", setup: courtRoles(RoleEvidenceVerifier), signer: "clerk", typ: TypeAddAccount, msg: AddAccount{Name: "X", PubKey: key("x")}, want: ErrMissingRole},
		{name: "set_account_roles without org.admin", signer: "judge", typ: TypeSetAccountRoles, msg: SetAccountRoles{Account: addr("judge"), Roles: nil}, want: ErrMissingRole},
		{name: "revoke_account without org.admin", signer: "judge", typ: TypeRevokeAccount, msg: RevokeAccount{Account: addr("clerk"), Reason: "coup"}, want: ErrMissingRole},
		{name: "revoked admin cannot revoke", setup: revoke("clerk", "clerk2"), signer: "clerk2", typ: TypeRevokeAccount, msg: RevokeAccount{Account: addr("clerk"), Reason: "revenge"}, want: ErrAccountRevoked},

		// add_org
		{name: "add_org duplicate id", signer: "root", typ: TypeAddOrg, msg: withOrg(func(m *AddOrg) { m.ID = "court" }), want: ErrDuplicateOrg},
		{name: "add_org admin key registered", signer: "root", typ: TypeAddOrg, msg: withOrg(func(m *AddOrg) { m.AdminPubKey = key("judge") }), want: ErrDuplicateAccount},
		{name: "add_org id too short", signer: "root", typ: TypeAddOrg, msg: withOrg(func(m *AddOrg) { m.ID = "n" }), want: ErrInvalidOrgID},
		{name: "add_org id too long", signer: "root", typ: TypeAddOrg, msg: withOrg(func(m *AddOrg) { m.ID = strings.Repeat("n", 41) }), want: ErrInvalidOrgID},
		{name: "add_org id leading dash", signer: "root", typ: TypeAddOrg, msg: withOrg(func(m *AddOrg) { m.ID = "-notary" }), want: ErrInvalidOrgID},
		{name: "add_org id uppercase", signer: "root", typ: TypeAddOrg, msg: withOrg(func(m *AddOrg) { m.ID = "Notary" }), want: ErrInvalidOrgID},
		{name: "add_org id slash", signer: "root", typ: TypeAddOrg, msg: withOrg(func(m *AddOrg) { m.ID = "no/tary" }), want: ErrInvalidOrgID},
		{name: "add_org empty name", signer: "root", typ: TypeAddOrg, msg: withOrg(func(m *AddOrg) { m.Name = "" }), want: ErrInvalidName},
		{name: "add_org long name", signer: "root", typ: TypeAddOrg, msg: withOrg(func(m *AddOrg) { m.Name = strings.Repeat("é", 101) }), want: ErrInvalidName},
		{name: "add_org control in name", signer: "root", typ: TypeAddOrg, msg: withOrg(func(m *AddOrg) { m.Name = "No\ttary" }), want: ErrInvalidName},
		{name: "add_org bad admin name", signer: "root", typ: TypeAddOrg, msg: withOrg(func(m *AddOrg) { m.AdminName = "Ann\u0085" }), want: ErrInvalidName},
		{name: "add_org unknown role", signer: "root", typ: TypeAddOrg, msg: withOrg(func(m *AddOrg) { m.Roles = []string{"evidence.eater"} }), want: ErrUnknownRole},
		{name: "add_org zero admin key", signer: "root", typ: TypeAddOrg, msg: withOrg(func(m *AddOrg) { m.AdminPubKey = chain.PubKey{} }), want: ErrInvalidPubKey},

		// set_org_roles
		{name: "set_org_roles unknown org", signer: "root", typ: TypeSetOrgRoles, msg: SetOrgRoles{Org: "nowhere", Roles: nil}, want: ErrUnknownOrg},
		{name: "set_org_roles bad org id", signer: "root", typ: TypeSetOrgRoles, msg: SetOrgRoles{Org: "No", Roles: nil}, want: ErrInvalidOrgID},
		{name: "set_org_roles unknown role", signer: "root", typ: TypeSetOrgRoles, msg: SetOrgRoles{Org: "bank", Roles: []string{"finance"}}, want: ErrUnknownRole},
		{name: "set_org_roles drops own consortium.admin", signer: "root", typ: TypeSetOrgRoles, msg: SetOrgRoles{Org: "consortium", Roles: []string{RoleOrgAdmin}}, want: ErrSelfDemotion},

		// add_account
		{name: "add_account role not in org", signer: "clerk", typ: TypeAddAccount, msg: AddAccount{Name: "X", PubKey: key("x"), Roles: []string{RoleFinanceBank}}, want: ErrRoleNotInOrg},
		{name: "add_account role suspended in org", setup: courtRoles(RoleOrgAdmin), signer: "clerk", typ: TypeAddAccount, msg: AddAccount{Name: "X", PubKey: key("x"), Roles: []string{RoleEvidenceVerifier}}, want: ErrRoleNotInOrg},
		{name: "add_account key registered", signer: "clerk", typ: TypeAddAccount, msg: AddAccount{Name: "X", PubKey: key("teller")}, want: ErrDuplicateAccount},
		{name: "add_account zero key", signer: "clerk", typ: TypeAddAccount, msg: AddAccount{Name: "X"}, want: ErrInvalidPubKey},
		{name: "add_account bad name", signer: "clerk", typ: TypeAddAccount, msg: AddAccount{Name: "X\x00", PubKey: key("x")}, want: ErrInvalidName},
		{name: "add_account unknown role", signer: "clerk", typ: TypeAddAccount, msg: AddAccount{Name: "X", PubKey: key("x"), Roles: []string{"Org.Admin"}}, want: ErrUnknownRole},

		// set_account_roles
		{name: "set_account_roles unknown account", signer: "clerk", typ: TypeSetAccountRoles, msg: SetAccountRoles{Account: addr("ghost")}, want: ErrAccountNotFound},
		{name: "set_account_roles zero account", signer: "clerk", typ: TypeSetAccountRoles, msg: SetAccountRoles{}, want: ErrInvalidAddress},
		{name: "set_account_roles other org", signer: "clerk", typ: TypeSetAccountRoles, msg: SetAccountRoles{Account: addr("teller")}, want: ErrOtherOrg},
		{name: "set_account_roles role not in org", signer: "clerk", typ: TypeSetAccountRoles, msg: SetAccountRoles{Account: addr("judge"), Roles: []string{RoleAuditReader}}, want: ErrRoleNotInOrg},
		{name: "set_account_roles unknown role", signer: "clerk", typ: TypeSetAccountRoles, msg: SetAccountRoles{Account: addr("judge"), Roles: []string{""}}, want: ErrUnknownRole},
		{name: "set_account_roles revoked account", setup: revoke("clerk", "judge"), signer: "clerk", typ: TypeSetAccountRoles, msg: SetAccountRoles{Account: addr("judge")}, want: ErrAlreadyRevoked},
		{name: "set_account_roles drops own org.admin", signer: "clerk", typ: TypeSetAccountRoles, msg: SetAccountRoles{Account: addr("clerk"), Roles: []string{RoleEvidenceVerifier}}, want: ErrSelfDemotion},
		{name: "set_account_roles drops own consortium.admin", signer: "root", typ: TypeSetAccountRoles, msg: SetAccountRoles{Account: addr("root"), Roles: []string{RoleOrgAdmin}}, want: ErrSelfDemotion},

		// revoke_account
		{name: "revoke_account self", signer: "clerk", typ: TypeRevokeAccount, msg: RevokeAccount{Account: addr("clerk"), Reason: "tired"}, want: ErrRevokeSelf},
		{name: "revoke_account other org", signer: "clerk", typ: TypeRevokeAccount, msg: RevokeAccount{Account: addr("teller"), Reason: "x"}, want: ErrOtherOrg},
		{name: "revoke_account unknown account", signer: "clerk", typ: TypeRevokeAccount, msg: RevokeAccount{Account: addr("ghost"), Reason: "x"}, want: ErrAccountNotFound},
		{name: "revoke_account twice", setup: revoke("clerk", "judge"), signer: "clerk2", typ: TypeRevokeAccount, msg: RevokeAccount{Account: addr("judge"), Reason: "again"}, want: ErrAlreadyRevoked},
		{name: "revoke_account empty reason", signer: "clerk", typ: TypeRevokeAccount, msg: RevokeAccount{Account: addr("judge")}, want: ErrInvalidReason},
		{name: "revoke_account long reason", signer: "clerk", typ: TypeRevokeAccount, msg: RevokeAccount{Account: addr("judge"), Reason: strings.Repeat("x", MaxReasonLen+1)}, want: ErrInvalidReason},
		{name: "revoke_account zero account", signer: "clerk", typ: TypeRevokeAccount, msg: RevokeAccount{Reason: "x"}, want: ErrInvalidAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.setup != nil {
				tt.setup(h)
			}
			before := h.snapshot()
			_, events, err := h.deliver(addr(tt.signer), tt.typ, tt.msg)
			wantErr(t, err, tt.want)
			if len(events) != 0 {
				t.Errorf("failed message emitted %v", events)
			}
			if h.snapshot() != before {
				t.Error("failed message changed state")
			}
		})
	}
}

// TestHandlersCheckSigner: a handler that needs the signer's organisation
// refuses a stranger even if it were run without the chain's authorization.
func TestHandlersCheckSigner(t *testing.T) {
	h := newHarness(t)
	for _, tt := range []struct {
		typ string
		msg chain.Msg
	}{
		{TypeSetOrgRoles, &SetOrgRoles{Org: "bank"}},
		{TypeAddAccount, &AddAccount{Name: "X", PubKey: key("x")}},
		{TypeSetAccountRoles, &SetAccountRoles{Account: addr("judge")}},
		{TypeRevokeAccount, &RevokeAccount{Account: addr("judge"), Reason: "x"}},
	} {
		ctx := chain.NewContext("test-chain", 2, blockTime(2), chain.Hash{1}, addr("stranger"), h.kv)
		_, err := h.route(tt.typ).Handle(ctx, tt.msg)
		wantErr(t, err, ErrUnknownAccount)
	}
}

// TestDecodeStrict: routes accept only the canonical encoding of a message.
func TestDecodeStrict(t *testing.T) {
	h := newHarness(t)
	route := h.route(TypeRevokeAccount)
	good := `{"account":"` + addr("judge").String() + `","reason":"retired"}`
	if _, err := route.Decode([]byte(good)); err != nil {
		t.Fatalf("canonical message rejected: %v", err)
	}
	for _, raw := range []string{
		`{"account":"` + addr("judge").String() + `", "reason":"retired"}`,
		`{"reason":"retired","account":"` + addr("judge").String() + `"}`,
		`{"account":"` + addr("judge").String() + `","reason":"retired","extra":1}`,
		`{"account":"` + strings.ToUpper(addr("judge").String()) + `","reason":"retired"}`,
		`{"account":"` + addr("judge").String() + `"}`,
	} {
		if _, err := route.Decode([]byte(raw)); !errors.Is(err, canon.ErrInvalid) {
			t.Errorf("Decode(%s) = %v, want %s", raw, err, canon.ErrInvalid.Code)
		}
	}
}

// TestOnChain runs the module through the real ABCI application and store,
// with signed transactions, the keeper as the chain's authorizer.
func TestOnChain(t *testing.T) {
	root, clerk, clerk2, ann := chaintest.NewKey("root"), chaintest.NewKey("clerk"), chaintest.NewKey("clerk2"), chaintest.NewKey("ann")
	genesis, err := json.Marshal(struct {
		Members Genesis `json:"members"`
	}{Genesis{Orgs: []GenesisOrg{
		{ID: "consortium", Name: "Consortium office", Roles: []string{RoleConsortiumAdmin, RoleOrgAdmin}, Accounts: []GenesisAccount{
			{Name: "Root", PubKey: root.Pub(), Roles: []string{RoleConsortiumAdmin, RoleOrgAdmin}},
		}},
		{ID: "court", Name: "Court", Roles: []string{RoleOrgAdmin, RoleEvidenceVerifier}, Accounts: []GenesisAccount{
			{Name: "Clerk", PubKey: clerk.Pub(), Roles: []string{RoleOrgAdmin}},
			{Name: "Clerk two", PubKey: clerk2.Pub(), Roles: []string{RoleOrgAdmin}},
		}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	k := NewKeeper()
	c := chaintest.New(t, chaintest.Options{Auth: k, Modules: []chain.Module{NewModule()}, Genesis: genesis})

	data, err := c.Submit(root, ModuleName, TypeAddOrg, AddOrg{ID: "notary", Name: "Notary", Roles: []string{RoleEvidenceDepositor}, AdminName: "Ann", AdminPubKey: ann.Pub()})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"org":"notary","roles":["evidence.depositor","org.admin"],"admin":"` + ann.Address().String() + `"}`
	if string(data) != want {
		t.Errorf("result data %s, want %s", data, want)
	}
	// The mempool refuses a signer without the role.
	_, err = c.Submit(clerk, ModuleName, TypeAddOrg, AddOrg{ID: "other", Name: "Other", AdminName: "X", AdminPubKey: chaintest.NewKey("x").Pub()})
	wantErr(t, err, ErrMissingRole)

	// In one block, clerk revokes clerk2, whose message after it then fails:
	// authorization reads the block's state, not the last committed one.
	revoke := c.Sign(clerk, ModuleName, TypeRevokeAccount, RevokeAccount{Account: clerk2.Address(), Reason: "left"})
	late := c.Sign(clerk2, ModuleName, TypeAddAccount, AddAccount{Name: "Late", PubKey: chaintest.NewKey("late").Pub()})
	for _, raw := range [][]byte{revoke, late} {
		if err := c.CheckTx(raw); err != nil {
			t.Fatal(err)
		}
	}
	res := c.Block(revoke, late)
	if !res[0].OK() {
		t.Fatalf("revoke failed: %s", res[0].Log)
	}
	wantEvents(t, res[0].Events, event(EventAccountRevoked, "account", clerk2.Address().String(), "org", "court", "reason", "left"))
	wantErr(t, errs.FromResult(res[1].Code, res[1].Codespace, res[1].Log), ErrAccountRevoked)

	err = c.View(func(r chain.Reader) error {
		page, err := ListAccounts(r, "court", "", 0)
		if err != nil {
			return err
		}
		if len(page.Accounts) != 2 || k.HasRole(r, clerk2.Address(), "") {
			t.Errorf("court after revoke: %+v", page.Accounts)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
