package members

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/shared/errs"
)

func TestValidOrgID(t *testing.T) {
	for _, id := range []string{"ab", "court", "bank-1", "0x", "a-", strings.Repeat("z", 40), "a--b"} {
		if err := ValidOrgID(id); err != nil {
			t.Errorf("ValidOrgID(%q) = %v", id, err)
		}
	}
	for _, id := range []string{"", "a", "-ab", "Ab", "a_b", "a b", "a.b", "a/b", "ünï", strings.Repeat("z", 41)} {
		if err := ValidOrgID(id); !errors.Is(err, ErrInvalidOrgID) {
			t.Errorf("ValidOrgID(%q) = %v, want %s", id, err, ErrInvalidOrgID.Code)
		}
	}
}

func TestDecodeGenesis(t *testing.T) {
	valid, err := json.MarshalIndent(testGenesis(), "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	g, err := DecodeGenesis(valid)
	if err != nil {
		t.Fatalf("DecodeGenesis(valid) = %v", err)
	}
	if !reflect.DeepEqual(g, testGenesis()) {
		t.Errorf("decoded %+v", g)
	}
	if !strings.Contains(string(valid), `"pubkey": "`+key("root").String()+`"`) {
		t.Errorf("genesis JSON does not carry hex public keys:\n%s", valid)
	}

	for _, tt := range []struct{ name, raw string }{
		{"empty", ``},
		{"blank", " \n"},
		{"null", `null`},
		{"no orgs", `{"orgs":[]}`},
		{"not an object", `[]`},
		{"unknown field", `{"orgs":[],"admins":[]}`},
		{"unknown nested field", `{"orgs":[{"id":"ab","name":"A","roles":[],"accounts":[],"website":"x"}]}`},
		{"trailing data", string(valid) + `{}`},
		{"bad key", `{"orgs":[{"id":"ab","name":"A","roles":[],"accounts":[{"name":"x","pubkey":"00","roles":[]}]}]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeGenesis([]byte(tt.raw))
			wantErr(t, err, ErrInvalidGenesis)
		})
	}
}

func TestGenesisValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(g *Genesis)
		want   *errs.Error // besides ErrInvalidGenesis
		where  string      // the entry the error names
	}{
		{"org id", func(g *Genesis) { g.Orgs[1].ID = "Court" }, ErrInvalidOrgID, `orgs[1] "Court"`},
		{"org name", func(g *Genesis) { g.Orgs[2].Name = "" }, ErrInvalidName, `orgs[2] "bank"`},
		{"org role", func(g *Genesis) { g.Orgs[2].Roles = append(g.Orgs[2].Roles, "finance.lender") }, ErrUnknownRole, `orgs[2] "bank"`},
		{"duplicate org", func(g *Genesis) { g.Orgs[2].ID = "court" }, ErrDuplicateOrg, `orgs[2] "court": id also used by orgs[1] "court"`},
		{"org without accounts", func(g *Genesis) { g.Orgs[2].Accounts = nil }, ErrInvalidGenesis, `orgs[2] "bank": has no accounts`},
		{"account name", func(g *Genesis) { g.Orgs[1].Accounts[2].Name = "Judge\n" }, ErrInvalidName, `orgs[1] "court": accounts[2] "Judge\n"`},
		{"account key", func(g *Genesis) { g.Orgs[1].Accounts[0].PubKey = chain.PubKey{} }, ErrInvalidPubKey, `orgs[1] "court": accounts[0] "Clerk"`},
		{"account role unknown", func(g *Genesis) { g.Orgs[0].Accounts[1].Roles = []string{"root"} }, ErrUnknownRole, `orgs[0] "consortium": accounts[1] "Root two"`},
		{"account role not in org", func(g *Genesis) { g.Orgs[2].Accounts[0].Roles = []string{RoleAuditReader} }, ErrRoleNotInOrg, `orgs[2] "bank": accounts[0] "Teller": role "audit.reader"`},
		{"duplicate key", func(g *Genesis) { g.Orgs[2].Accounts[0].PubKey = key("judge") }, ErrDuplicateAccount, `orgs[2] "bank": accounts[0] "Teller": public key ` + key("judge").String() + ` also used by orgs[1] "court": accounts[2] "Judge"`},
		{"no consortium admin", func(g *Genesis) {
			g.Orgs[0].Accounts[0].Roles = []string{RoleOrgAdmin}
			g.Orgs[0].Accounts[1].Roles = nil
		}, ErrInvalidGenesis, `no account holds consortium.admin`},
		{"consortium admin in an org only", func(g *Genesis) {
			g.Orgs[0].Accounts[0].Roles = []string{RoleOrgAdmin}
			g.Orgs[0].Accounts[1].Roles = []string{RoleAuditReader}
		}, ErrInvalidGenesis, `no account holds consortium.admin`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := testGenesis()
			tt.change(&g)
			err := g.Validate()
			if !errors.Is(err, tt.want) {
				t.Fatalf("Validate() = %v, want %s", err, tt.want.Code)
			}
			// Reported as an invalid genesis whatever the rule broken.
			if e := errs.As(err); e.Code != ErrInvalidGenesis.Code || e.Kind != errs.KindInvalid {
				t.Errorf("reported as %s/%s", e.Code, e.Kind)
			}
			if !strings.Contains(err.Error(), tt.where) {
				t.Errorf("error %q does not name %q", err, tt.where)
			}
			// DecodeGenesis validates too.
			raw, _ := json.Marshal(g)
			if _, err := DecodeGenesis(raw); !errors.Is(err, tt.want) {
				t.Errorf("DecodeGenesis = %v", err)
			}
		})
	}
	// Duplicate and unsorted roles are fine: they are normalized.
	g := testGenesis()
	g.Orgs[2].Roles = []string{RoleOrgAdmin, RoleFinanceBank, RoleOrgAdmin}
	if err := g.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
}

func TestValidateBasicFields(t *testing.T) {
	// Errors name the field at fault.
	tests := []struct {
		msg   chain.Msg
		field string
	}{
		{&AddOrg{ID: "ab", Name: "A", AdminName: "", AdminPubKey: key("a")}, "admin_name"},
		{&AddOrg{ID: "ab", Name: "A", AdminName: "B"}, "admin_pubkey"},
		{&AddOrg{ID: "ab", Name: "A", Roles: []string{"x"}, AdminName: "B", AdminPubKey: key("a")}, "roles"},
		{&SetOrgRoles{Org: "a"}, "org"},
		{&AddAccount{Name: "A"}, "pubkey"},
		{&SetAccountRoles{}, "account"},
		{&RevokeAccount{Account: addr("a"), Reason: "\x1b"}, "reason"},
	}
	for _, tt := range tests {
		err := tt.msg.ValidateBasic()
		if err == nil || !strings.HasPrefix(err.Error(), tt.field+" ") {
			t.Errorf("%T.ValidateBasic() = %v, want an error about %s", tt.msg, err, tt.field)
		}
	}
}

// FuzzGenesis: the decoder never panics, and whatever it accepts initialises
// state whose every account is an active member, with a consortium admin
// among them, and survives encoding and decoding again unchanged.
func FuzzGenesis(f *testing.F) {
	valid, _ := json.MarshalIndent(testGenesis(), "", "  ")
	compact, _ := json.Marshal(testGenesis())
	f.Add(valid)
	f.Add(compact)
	f.Add([]byte(`{"orgs":[{"id":"ab","name":"A","roles":["consortium.admin"],"accounts":[{"name":"x","pubkey":"` + key("x").String() + `","roles":["consortium.admin","consortium.admin"]}]}]}`))
	f.Add([]byte(`{"orgs":[{"id":"ab","name":"A","roles":["consortium.admin"],"accounts":[]}]}`))
	f.Add([]byte(`{"ORGS":null}`))
	f.Add([]byte(`{"orgs":[{}]} []`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		g, err := DecodeGenesis(raw)
		if err != nil {
			if e := errs.As(err); e.Code != ErrInvalidGenesis.Code {
				t.Fatalf("error coded %s: %v", e.Code, err)
			}
			return
		}
		again, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		g2, err := DecodeGenesis(again)
		if err != nil || !reflect.DeepEqual(g, g2) {
			t.Fatalf("re-encoded genesis decodes as %+v, %v", g2, err)
		}

		kv := chaintest.NewMemKV()
		k := NewKeeper()
		if err := NewModule().InitGenesis(chain.NewContext("fuzz", 1, genesisTime, chain.Hash{}, chain.Address{}, kv), again); err != nil {
			t.Fatalf("valid genesis does not initialise: %v", err)
		}
		admins := 0
		for _, o := range g.Orgs {
			for _, a := range o.Accounts {
				if err := k.Authorize(kv, a.PubKey.Address(), ""); err != nil {
					t.Fatalf("genesis account %s: %v", a.Name, err)
				}
				if k.HasRole(kv, a.PubKey.Address(), RoleConsortiumAdmin) {
					admins++
				}
			}
		}
		if admins == 0 {
			t.Fatal("no effective consortium admin")
		}
	})
}
