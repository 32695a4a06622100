package copyright_test

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chancery/chancery/apps/copyright"
	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/shared/canon"
)

var (
	alice    = chaintest.NewKey("alice")    // studio: registrant
	bob      = chaintest.NewKey("bob")      // studio: registrant
	carol    = chaintest.NewKey("carol")    // press: registrant
	dave     = chaintest.NewKey("dave")     // guild: no copyright role
	erin     = chaintest.NewKey("erin")     // guild: no copyright role
	judge    = chaintest.NewKey("judge")    // tribunal: arbiter
	judge2   = chaintest.NewKey("judge2")   // tribunal: arbiter
	notary   = chaintest.NewKey("notary")   // notary: evidence depositor
	agent    = chaintest.NewKey("agent")    // agency: org admin, no copyright role
	boss     = chaintest.NewKey("boss")     // agency: org admin, no copyright role
	stranger = chaintest.NewKey("stranger") // no account
)

func membersGenesis() members.Genesis {
	org := func(id string, roles []string, keys ...chaintest.Key) members.GenesisOrg {
		o := members.GenesisOrg{ID: id, Name: id, Roles: roles}
		for _, k := range keys {
			o.Accounts = append(o.Accounts, members.GenesisAccount{Name: k.Name, PubKey: k.Pub(), Roles: roles})
		}
		return o
	}
	return members.Genesis{Orgs: []members.GenesisOrg{
		org("consortium", []string{members.RoleConsortiumAdmin}, chaintest.NewKey("admin")),
		org("studio", []string{copyright.RoleRegistrant}, alice, bob),
		org("press", []string{copyright.RoleRegistrant}, carol),
		org("guild", []string{members.RoleAuditReader}, dave, erin),
		org("tribunal", []string{copyright.RoleArbiter}, judge, judge2),
		org("notary", []string{evidence.RoleDepositor}, notary),
		org("agency", []string{members.RoleOrgAdmin}, agent, boss),
	}}
}

// evidenceDeposits is the adapter cmd/chancery wires: a deposit exists if
// evidence.Get finds it.
var evidenceDeposits = copyright.EvidenceFunc(func(r chain.Reader, id uint64) bool {
	_, err := evidence.Get(r, evidence.ID(id))
	return err == nil
})

func newKeeper() copyright.Keeper { return copyright.NewKeeper(members.NewKeeper(), evidenceDeposits) }

// harness runs the module's routes directly over a KV, without the ABCI
// application: each message is decoded as the chain decodes it, authorized
// by members and handled in a context of its own, one second after the last.
// Nothing is rolled back, so it also shows that a refused message writes
// nothing.
type harness struct {
	tb     testing.TB
	kv     chain.KV
	auth   members.Keeper
	routes map[string]chain.Route
	height int64
	now    time.Time
}

func newHarness(tb testing.TB, kv chain.KV) *harness {
	tb.Helper()
	h := &harness{tb: tb, kv: kv, auth: members.NewKeeper(), routes: map[string]chain.Route{}, height: 1,
		now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, r := range copyright.NewModule(newKeeper()).Routes() {
		h.routes[r.Type] = r
	}
	raw, err := json.Marshal(membersGenesis())
	if err != nil {
		tb.Fatal(err)
	}
	if err := members.NewModule().InitGenesis(chain.NewContext(chaintest.ChainID, 1, h.now, chain.Hash{}, chain.Address{}, kv), raw); err != nil {
		tb.Fatalf("members genesis: %v", err)
	}
	return h
}

func (h *harness) run(k chaintest.Key, typ string, msg any) (any, error) {
	h.tb.Helper()
	h.height++
	h.now = h.now.Add(time.Second)
	route, ok := h.routes[typ]
	if !ok {
		h.tb.Fatalf("no route %q", typ)
	}
	m, err := route.Decode(canon.MustMarshal(msg))
	if err != nil {
		return nil, err
	}
	if err := h.auth.Authorize(h.kv, k.Address(), route.Role); err != nil {
		return nil, err
	}
	txHash := chain.SumHash(binary.BigEndian.AppendUint64([]byte(typ), uint64(h.height)))
	return route.Handle(chain.NewContext(chaintest.ChainID, h.height, h.now, txHash, k.Address(), h.kv), m)
}

// dump returns the copyright state, to compare before and after.
func dump(r chain.Reader) string {
	var b strings.Builder
	r.Iterate(chain.Range{Prefix: []byte("copyright/")}, func(key, value []byte) bool {
		b.Write(key)
		b.WriteByte('=')
		b.Write(value)
		b.WriteByte('\n')
		return true
	})
	return b.String()
}

func hashOf(s string) chain.Hash { return chain.SumHash([]byte(s)) }

func work(content, title string, holders ...copyright.Holder) copyright.Register {
	return copyright.Register{
		SHA256: hashOf(content), Stored: true, Title: title, Kind: copyright.KindText,
		Authors: []copyright.Author{{Name: "Ada Lovelace"}}, Holders: holders, Created: "2025-06-01",
		Description: "a work",
	}
}

func holder(k chaintest.Key, shares int64) copyright.Holder {
	return copyright.Holder{Account: k.Address(), Name: strings.ToUpper(k.Name[:1]) + k.Name[1:], Shares: shares}
}
