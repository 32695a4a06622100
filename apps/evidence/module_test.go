package evidence_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/shared/errs"
)

var (
	notary    = chaintest.NewKey("notary")    // notary: depositor
	notary2   = chaintest.NewKey("notary2")   // notary: depositor
	lab       = chaintest.NewKey("lab")       // lab: depositor
	court     = chaintest.NewKey("court")     // court: verifier
	custodian = chaintest.NewKey("custodian") // vault: custodian
	bank      = chaintest.NewKey("bank")      // bank: no evidence role
)

func genesis() json.RawMessage {
	org := func(id string, roles []string, keys ...chaintest.Key) members.GenesisOrg {
		o := members.GenesisOrg{ID: id, Name: id, Roles: roles}
		for _, k := range keys {
			o.Accounts = append(o.Accounts, members.GenesisAccount{Name: k.Name, PubKey: k.Pub(), Roles: roles})
		}
		return o
	}
	g := members.Genesis{Orgs: []members.GenesisOrg{
		org("consortium", []string{members.RoleConsortiumAdmin}, chaintest.NewKey("admin")),
		org("notary", []string{evidence.RoleDepositor}, notary, notary2),
		org("lab", []string{evidence.RoleDepositor}, lab),
		org("court", []string{evidence.RoleVerifier}, court),
		org("vault", []string{evidence.RoleCustodian}, custodian),
		org("bank", []string{members.RoleFinanceBank}, bank),
	}}
	raw, _ := json.Marshal(map[string]any{"members": g})
	return raw
}

func newChain(t testing.TB) *chaintest.Chain {
	t.Helper()
	mk := members.NewKeeper()
	return chaintest.New(t, chaintest.Options{
		Auth:    mk,
		Modules: []chain.Module{members.NewModule(), evidence.NewModule(evidence.NewKeeper(mk))},
		Genesis: genesis(),
	})
}

func hashOf(s string) chain.Hash { return chain.SumHash([]byte(s)) }

func deposit(t *testing.T, c *chaintest.Chain, k chaintest.Key, content string) evidence.DepositResult {
	t.Helper()
	data, err := c.Submit(k, evidence.ModuleName, evidence.TypeDeposit, evidence.Deposit{
		SHA256: hashOf(content), Size: int64(len(content)), MediaType: "text/plain", FileName: "a.txt", Title: "Contract " + content, Stored: true,
	})
	if err != nil {
		t.Fatalf("deposit: %v", err)
	}
	var res evidence.DepositResult
	if err := canon.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

func get(t *testing.T, c *chaintest.Chain, id evidence.ID) evidence.Evidence {
	t.Helper()
	var ev evidence.Evidence
	err := c.View(func(r chain.Reader) (err error) { ev, err = evidence.Get(r, id); return err })
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestDeposit(t *testing.T) {
	c := newChain(t)
	res := deposit(t, c, notary, "one")
	if res.ID != 1 || res.SHA256 != hashOf("one") || res.Org != "notary" || res.Depositor != notary.Address() || !res.Time.Equal(c.Time()) {
		t.Fatalf("result = %+v", res)
	}
	ev := get(t, c, 1)
	if ev.Title != "Contract one" || ev.Height != c.Height() || ev.Withdrawn != nil || !ev.Stored {
		t.Fatalf("record = %+v", ev)
	}
	// Another organisation may deposit the same hash; the same one may not.
	if second := deposit(t, c, lab, "one"); second.ID != 2 {
		t.Fatalf("second id = %d", second.ID)
	}
	_, err := c.Submit(notary2, evidence.ModuleName, evidence.TypeDeposit, evidence.Deposit{SHA256: hashOf("one"), Title: "again"})
	if !errors.Is(err, evidence.ErrDuplicate) {
		t.Fatalf("duplicate deposit: %v", err)
	}
	var all []evidence.Evidence
	c.View(func(r chain.Reader) (err error) { all, err = evidence.ByHash(r, hashOf("one")); return err })
	if len(all) != 2 || all[0].Org != "notary" || all[1].Org != "lab" {
		t.Fatalf("ByHash = %+v", all)
	}
}

func TestMessagesRejected(t *testing.T) {
	c := newChain(t)
	deposit(t, c, notary, "x")
	withdrawn := deposit(t, c, notary, "w")
	if _, err := c.Submit(notary, evidence.ModuleName, evidence.TypeWithdraw, evidence.Withdraw{ID: withdrawn.ID, Reason: "filed in error"}); err != nil {
		t.Fatal(err)
	}
	hashOnly, err := c.Submit(notary, evidence.ModuleName, evidence.TypeDeposit, evidence.Deposit{SHA256: hashOf("h"), Title: "hash only"})
	if err != nil {
		t.Fatal(err)
	}
	var hashOnlyID evidence.ID
	if err := json.Unmarshal(hashOnly, &struct {
		ID *evidence.ID `json:"id"`
	}{&hashOnlyID}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		key  chaintest.Key
		typ  string
		msg  any
		want string
	}{
		{"zero hash", notary, evidence.TypeDeposit, evidence.Deposit{Title: "t"}, "evidence.invalid_hash"},
		{"no title", notary, evidence.TypeDeposit, evidence.Deposit{SHA256: hashOf("n")}, "evidence.invalid"},
		{"negative size", notary, evidence.TypeDeposit, evidence.Deposit{SHA256: hashOf("n"), Title: "t", Size: -1}, "evidence.invalid"},
		{"bad media type", notary, evidence.TypeDeposit, evidence.Deposit{SHA256: hashOf("n"), Title: "t", MediaType: "pdf"}, "evidence.invalid"},
		{"control char title", notary, evidence.TypeDeposit, evidence.Deposit{SHA256: hashOf("n"), Title: "a\u202eb"}, "evidence.invalid"},
		{"court cannot deposit", court, evidence.TypeDeposit, evidence.Deposit{SHA256: hashOf("n"), Title: "t"}, "members.missing_role"},
		{"attest unknown", lab, evidence.TypeAttest, evidence.Attest{ID: 99, Statement: "s"}, "evidence.not_found"},
		{"attest own", notary2, evidence.TypeAttest, evidence.Attest{ID: 1, Statement: "s"}, "evidence.own_evidence"},
		{"attest without role", bank, evidence.TypeAttest, evidence.Attest{ID: 1, Statement: "s"}, "evidence.no_access"},
		{"attest withdrawn", lab, evidence.TypeAttest, evidence.Attest{ID: withdrawn.ID, Statement: "s"}, "evidence.withdrawn"},
		{"custody without role", lab, evidence.TypeCustody, evidence.Custody{ID: 1, Action: "received"}, "members.missing_role"},
		{"custody bad action", custodian, evidence.TypeCustody, evidence.Custody{ID: 1, Action: "lost"}, "evidence.invalid"},
		{"custody withdrawn", custodian, evidence.TypeCustody, evidence.Custody{ID: withdrawn.ID, Action: "received"}, "evidence.withdrawn"},
		{"access by stranger", lab, evidence.TypeAccess, evidence.Access{ID: 1}, "evidence.no_access"},
		{"access a hash-only deposit", court, evidence.TypeAccess, evidence.Access{ID: hashOnlyID, Purpose: "p"}, "evidence.file_not_stored"},
		{"withdraw by other org", lab, evidence.TypeWithdraw, evidence.Withdraw{ID: 1, Reason: "r"}, "evidence.not_depositor"},
		{"withdraw twice", notary, evidence.TypeWithdraw, evidence.Withdraw{ID: withdrawn.ID, Reason: "r"}, "evidence.withdrawn"},
		{"withdraw without reason", notary, evidence.TypeWithdraw, evidence.Withdraw{ID: 1}, "evidence.invalid"},
		{"share by other org", lab, evidence.TypeShare, evidence.Share{ID: 1, Org: "court"}, "evidence.not_depositor"},
		{"share without role", court, evidence.TypeShare, evidence.Share{ID: 1, Org: "lab"}, "members.missing_role"},
		{"share with itself", notary2, evidence.TypeShare, evidence.Share{ID: 1, Org: "notary"}, "evidence.own_evidence"},
		{"share with unknown org", notary, evidence.TypeShare, evidence.Share{ID: 1, Org: "nobody"}, "members.unknown_org"},
		{"share bad org id", notary, evidence.TypeShare, evidence.Share{ID: 1, Org: "Lab!"}, "members.invalid_org_id"},
		{"share withdrawn", notary, evidence.TypeShare, evidence.Share{ID: withdrawn.ID, Org: "lab"}, "evidence.withdrawn"},
		{"batch too large", notary, evidence.TypeAnchor, evidence.AnchorBatch{Root: hashOf("r"), LeavesSHA256: hashOf("l"), Count: evidence.MaxBatch + 1}, "evidence.invalid"},
		{"batch empty", notary, evidence.TypeAnchor, evidence.AnchorBatch{Root: hashOf("r"), LeavesSHA256: hashOf("l")}, "evidence.invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := c.Height()
			_, err := c.Submit(tc.key, evidence.ModuleName, tc.typ, tc.msg)
			if e := errs.As(err); e == nil || e.Code != tc.want {
				t.Fatalf("error = %v, want %s", err, tc.want)
			}
			if c.Height() != before {
				t.Fatal("a refused message reached a block")
			}
		})
	}
	if ev := get(t, c, 1); ev.Attestations != 0 || ev.CustodyEntries != 0 || ev.Withdrawn != nil {
		t.Fatalf("refused messages changed the record: %+v", ev)
	}
}

func TestAttestCustodyAccessWithdraw(t *testing.T) {
	c := newChain(t)
	ev := deposit(t, c, notary, "doc")
	steps := []struct {
		key chaintest.Key
		typ string
		msg any
	}{
		{lab, evidence.TypeAttest, evidence.Attest{ID: ev.ID, Statement: "we hold the original"}},
		{custodian, evidence.TypeCustody, evidence.Custody{ID: ev.ID, Action: "received", Note: "sealed bag 7"}},
		{court, evidence.TypeAccess, evidence.Access{ID: ev.ID, Purpose: "hearing"}},
		{notary2, evidence.TypeShare, evidence.Share{ID: ev.ID, Org: "lab", Note: "for examination"}},
		{lab, evidence.TypeAccess, evidence.Access{ID: ev.ID}}, // shared with it
		{notary2, evidence.TypeAccess, evidence.Access{ID: ev.ID}},
		{notary2, evidence.TypeWithdraw, evidence.Withdraw{ID: ev.ID, Reason: "superseded"}},
		{court, evidence.TypeAccess, evidence.Access{ID: ev.ID}}, // still readable when withdrawn
	}
	for i, s := range steps {
		if s.typ == evidence.TypeShare {
			// Attesting opened nothing: the lab reads what is shared.
			if _, err := c.Submit(lab, evidence.ModuleName, evidence.TypeAccess, evidence.Access{ID: ev.ID}); !errors.Is(err, evidence.ErrNoAccess) {
				t.Fatalf("lab opening what it attested but was not shared: %v", err)
			}
		}
		if _, err := c.Submit(s.key, evidence.ModuleName, s.typ, s.msg); err != nil {
			t.Fatalf("step %d (%s): %v", i, s.typ, err)
		}
	}
	if _, err := c.Submit(chaintest.NewKey("court"), evidence.ModuleName, evidence.TypeAttest, evidence.Attest{ID: ev.ID, Statement: "x"}); !errors.Is(err, evidence.ErrWithdrawn) {
		t.Fatalf("attest after withdrawal: %v", err)
	}
	got := get(t, c, ev.ID)
	if got.Attestations != 1 || got.CustodyEntries != 6 || got.Withdrawn == nil || got.Withdrawn.Reason != "superseded" {
		t.Fatalf("record = %+v", got)
	}
	var att []evidence.Attestation
	var log []evidence.CustodyEntry
	c.View(func(r chain.Reader) (err error) {
		if att, err = evidence.Attestations(r, ev.ID); err != nil {
			return err
		}
		page, err := evidence.CustodyLog(r, ev.ID, 0, 0)
		log = page.Items
		if err == nil && page.Next != 0 {
			t.Errorf("a log of 6 entries goes on after %d", page.Next)
		}
		return err
	})
	// A page at a time, each entry once, in order.
	var paged []evidence.CustodyEntry
	for after := uint64(0); ; {
		var page evidence.CustodyPage
		c.View(func(r chain.Reader) (err error) { page, err = evidence.CustodyLog(r, ev.ID, after, 4); return err })
		paged = append(paged, page.Items...)
		if page.Next == 0 {
			break
		}
		after = page.Next
	}
	if len(paged) != 6 || paged[4].N != 5 || paged[5].N != 6 {
		t.Fatalf("paged by 4: %+v", paged)
	}
	if len(att) != 1 || att[0].Org != "lab" || att[0].Statement != "we hold the original" {
		t.Fatalf("attestations = %+v", att)
	}
	wantActions := []string{"received", "accessed", "shared", "accessed", "accessed", "accessed"}
	if len(log) != len(wantActions) {
		t.Fatalf("custody log = %+v", log)
	}
	for i, e := range log {
		if e.Action != wantActions[i] || e.N != uint64(i+1) {
			t.Errorf("entry %d = %+v, want %s", i, e, wantActions[i])
		}
	}
	if log[1].Org != "court" || log[1].Note != "hearing" {
		t.Errorf("court access entry = %+v", log[1])
	}
	if e := log[2]; e.Org != "notary" || e.With != "lab" || e.Note != "for examination" || e.Account != notary2.Address() {
		t.Errorf("share entry = %+v", e)
	}
}

func TestListOrg(t *testing.T) {
	c := newChain(t)
	for i := range 7 {
		deposit(t, c, notary, fmt.Sprint("file", i))
	}
	deposit(t, c, lab, "other")
	var page evidence.Page
	view := func(after evidence.ID, limit int, q string) {
		c.View(func(r chain.Reader) (err error) {
			page, err = evidence.ListOrg(r, "notary", after, limit, q)
			return err
		})
	}
	view(0, 3, "")
	if len(page.Items) != 3 || page.Items[0].ID != 7 || page.Next != 5 {
		t.Fatalf("first page: next %d, items %v", page.Next, ids(page.Items))
	}
	view(page.Next, 3, "")
	if len(page.Items) != 3 || page.Items[0].ID != 4 || page.Next != 2 {
		t.Fatalf("second page: %v next %d", ids(page.Items), page.Next)
	}
	// A page that ends where the list ends says so: no next page to find
	// empty.
	view(page.Next, 1, "")
	if len(page.Items) != 1 || page.Items[0].ID != 1 || page.Next != 0 {
		t.Fatalf("last page: %v next %d", ids(page.Items), page.Next)
	}
	view(0, 10, "FILE3")
	if len(page.Items) != 1 || page.Items[0].Title != "Contract file3" || page.Next != 0 {
		t.Fatalf("search: %v next %d", ids(page.Items), page.Next)
	}
	view(0, 10, hashOf("file5").String()[:10])
	if len(page.Items) != 1 || page.Items[0].ID != 6 {
		t.Fatalf("hash search: %v", ids(page.Items))
	}
}

func ids(evs []evidence.Evidence) []evidence.ID {
	var out []evidence.ID
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func TestAnchorBatch(t *testing.T) {
	c := newChain(t)
	hashes := make([]chain.Hash, 1000)
	for i := range hashes {
		hashes[i] = hashOf(fmt.Sprint("leaf", i))
	}
	root, proofs := evidence.BatchProofs(hashes)
	if root != evidence.BatchRoot(hashes) {
		t.Fatal("BatchRoot and BatchProofs disagree")
	}
	msg := evidence.AnchorBatch{Root: root, Count: uint32(len(hashes)), LeavesSHA256: hashOf("leaves blob"), Title: "daily batch"}
	data, err := c.Submit(notary, evidence.ModuleName, evidence.TypeAnchor, msg)
	if err != nil {
		t.Fatal(err)
	}
	var res evidence.BatchResult
	canon.Unmarshal(data, &res)
	if res.Batch != 1 || res.Root != root || res.Count != 1000 {
		t.Fatalf("result = %+v", res)
	}
	for _, i := range []int{0, 1, 500, 999} {
		if err := evidence.VerifyBatchProof(root, hashes[i], proofs[i]); err != nil {
			t.Fatalf("proof %d: %v", i, err)
		}
	}
	if evidence.VerifyBatchProof(root, hashOf("not in it"), proofs[3]) == nil {
		t.Fatal("a foreign hash verified")
	}
	if _, err := c.Submit(notary2, evidence.ModuleName, evidence.TypeAnchor, msg); !errors.Is(err, evidence.ErrDuplicateBatch) {
		t.Fatalf("the notary re-anchoring its batch: %v", err)
	}
	// Another organisation anchoring the same root (a copy of the notary's
	// message, seen in a mempool) gets its own batch and takes nothing from
	// the notary's.
	data, err = c.Submit(lab, evidence.ModuleName, evidence.TypeAnchor, msg)
	if err != nil {
		t.Fatalf("the lab anchoring the same root: %v", err)
	}
	var copied evidence.BatchResult
	canon.Unmarshal(data, &copied)
	if copied.Batch != 2 || copied.Org != "lab" {
		t.Fatalf("the lab's anchor = %+v", copied)
	}
	c.View(func(r chain.Reader) error {
		if b, err := evidence.GetBatch(r, 1); err != nil || b.Org != "notary" {
			t.Fatalf("batch 1 after the lab's anchor: %+v %v", b, err)
		}
		return nil
	})
}

func TestParseID(t *testing.T) {
	for _, s := range []string{"", "0", "-1", "01", "1.0", "x", "18446744073709551616"} {
		if _, err := evidence.ParseID(s); err == nil {
			t.Errorf("ParseID(%q) accepted", s)
		}
	}
	if id, err := evidence.ParseID("42"); err != nil || id != 42 {
		t.Fatalf("ParseID(42) = %d, %v", id, err)
	}
}

func BenchmarkBatchProofs100k(b *testing.B) {
	hashes := make([]chain.Hash, 100_000)
	for i := range hashes {
		hashes[i] = hashOf(fmt.Sprint(i))
	}
	b.ReportAllocs()
	for b.Loop() {
		evidence.BatchProofs(hashes)
	}
	b.ReportMetric(float64(b.N*len(hashes))/b.Elapsed().Seconds(), "hashes/s")
}

// The content of a hash belongs to whoever deposited it first: the lab, having
// read the notary's hash off the public record, deposits it as its own, but
// may open the file neither on chain nor through the keeper the web layer
// asks. Attesting the notary's deposit opens nothing; once the notary shares
// it with the lab, the lab's copy opens too; a court opens either.
func TestLaterDepositOfAHashDoesNotOpenTheFirst(t *testing.T) {
	c := newChain(t)
	first := deposit(t, c, notary, "secret contract")
	copied := deposit(t, c, lab, "secret contract")
	mayOpen := func(k chaintest.Key, id evidence.ID) error {
		return c.View(func(r chain.Reader) error {
			_, err := evidence.NewKeeper(members.NewKeeper()).MayAccess(r, id, k.Address())
			return err
		})
	}
	if err := mayOpen(lab, copied.ID); !errors.Is(err, evidence.ErrNoAccess) {
		t.Fatalf("lab opening its copy of the notary's content: %v, want %s", err, evidence.ErrNoAccess.Code)
	}
	before := get(t, c, copied.ID)
	if _, err := c.Submit(lab, evidence.ModuleName, evidence.TypeAccess, evidence.Access{ID: copied.ID}); !errors.Is(err, evidence.ErrNoAccess) {
		t.Fatalf("access record for the lab's copy: %v, want %s", err, evidence.ErrNoAccess.Code)
	}
	if got := get(t, c, copied.ID); got.CustodyEntries != before.CustodyEntries {
		t.Fatalf("a refused access was logged: %+v", got)
	}
	for _, who := range []chaintest.Key{notary, court} {
		if err := mayOpen(who, first.ID); err != nil {
			t.Fatalf("%s opening the first deposit: %v", who.Name, err)
		}
	}
	if err := mayOpen(court, copied.ID); err != nil {
		t.Fatalf("court opening the lab's copy: %v", err)
	}
	if _, err := c.Submit(lab, evidence.ModuleName, evidence.TypeAttest, evidence.Attest{ID: first.ID, Statement: "we hold it too"}); err != nil {
		t.Fatal(err)
	}
	if err := mayOpen(lab, copied.ID); !errors.Is(err, evidence.ErrNoAccess) {
		t.Fatalf("lab opening its copy once it attested the first: %v, want %s", err, evidence.ErrNoAccess.Code)
	}
	if _, err := c.Submit(notary, evidence.ModuleName, evidence.TypeShare, evidence.Share{ID: first.ID, Org: "lab"}); err != nil {
		t.Fatal(err)
	}
	if err := mayOpen(lab, copied.ID); err != nil {
		t.Fatalf("lab opening its copy once the first was shared with it: %v", err)
	}
	if _, err := c.Submit(notary, evidence.ModuleName, evidence.TypeShare, evidence.Share{ID: first.ID, Org: "lab"}); !errors.Is(err, evidence.ErrAlreadyShared) {
		t.Fatalf("sharing twice: %v, want %s", err, evidence.ErrAlreadyShared.Code)
	}
}
