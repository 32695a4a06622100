package finance_test

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/shared/errs"
)

var (
	core     = chaintest.NewKey("core")     // core: finance.core
	rival    = chaintest.NewKey("rival")    // rival: finance.core, another core enterprise
	supplier = chaintest.NewKey("supplier") // supplier: finance.supplier
	clerk    = chaintest.NewKey("clerk")    // supplier: finance.supplier, a second account
	sub      = chaintest.NewKey("sub")      // subsupplier: finance.supplier
	tier3    = chaintest.NewKey("tier3")    // tier3: finance.supplier, the sub-supplier's supplier
	bank     = chaintest.NewKey("bank")     // bank: finance.bank
	bank2    = chaintest.NewKey("bank2")    // bank2: finance.bank
	notary   = chaintest.NewKey("notary")   // notary: no finance role
	stranger = chaintest.NewKey("stranger") // not a member
)

// membersGenesis is the consortium: core enterprises, suppliers in three
// tiers, banks and an organisation without finance roles.
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
		org("core", []string{finance.RoleCore}, core),
		org("rival", []string{finance.RoleCore}, rival),
		org("supplier", []string{finance.RoleSupplier}, supplier, clerk),
		org("subsupplier", []string{finance.RoleSupplier}, sub),
		org("tier3", []string{finance.RoleSupplier}, tier3),
		org("bank", []string{finance.RoleBank}, bank),
		org("bank2", []string{finance.RoleBank}, bank2),
		org("notary", []string{members.RoleEvidenceDepositor}, notary),
	}}
}

func genesis() json.RawMessage {
	raw, _ := json.Marshal(map[string]any{"members": membersGenesis()})
	return raw
}

// newChain starts a chain whose first block date is 2026-01-01.
func newChain(t testing.TB) *chaintest.Chain {
	t.Helper()
	mk := members.NewKeeper()
	return chaintest.New(t, chaintest.Options{
		Auth:    mk,
		Modules: []chain.Module{members.NewModule(), finance.NewModule(finance.NewKeeper(mk))},
		Genesis: genesis(),
	})
}

func hashOf(s string) chain.Hash { return chain.SumHash([]byte(s)) }

// cny reads an amount of yuan, "100000.00".
func cny(s string) finance.Amount {
	a, err := finance.ParseAmount(s, "CNY")
	if err != nil {
		panic(err)
	}
	return a
}

func date(s string) finance.Date {
	d, err := finance.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// invoices numbers the invoices issueTo makes up: each backs one receivable.
var invoices atomic.Int64

// issueTo is an issue message of CNY amount due on due, with an invoice of
// its own.
func issueTo(k chaintest.Key, amount finance.Amount, due string) finance.Issue {
	return finance.Issue{
		Supplier: k.Address(), Amount: amount, Currency: "CNY", DueDate: date(due),
		InvoiceSHA256: hashOf(fmt.Sprint("invoice ", invoices.Add(1))), ContractSHA256: hashOf("contract"), Ref: "PO-2026-001",
	}
}

// do runs msg as k in a block of its own, as Submit does, and returns its
// decoded result and events.
func do(t testing.TB, c *chaintest.Chain, k chaintest.Key, typ string, msg any) (finance.Result, []chain.Event) {
	t.Helper()
	raw := c.Sign(k, finance.ModuleName, typ, msg)
	if err := c.CheckTx(raw); err != nil {
		t.Fatalf("%s as %s: %v", typ, k.Name, err)
	}
	res := c.Block(raw)[0]
	if !res.OK() {
		t.Fatalf("%s as %s failed in the block: %s: %s", typ, k.Name, res.Codespace, res.Log)
	}
	return decodeResult(t, res.Data), res.Events
}

func decodeResult(t testing.TB, data []byte) finance.Result {
	t.Helper()
	var out finance.Result
	if err := canon.Unmarshal(data, &out); err != nil {
		t.Fatalf("result data is not a canonical Result: %v", err)
	}
	return out
}

func submit(t testing.TB, c *chaintest.Chain, k chaintest.Key, typ string, msg any) finance.Result {
	t.Helper()
	res, _ := do(t, c, k, typ, msg)
	return res
}

func view[T any](t testing.TB, c *chaintest.Chain, fn func(chain.Reader) (T, error)) T {
	t.Helper()
	var out T
	if err := c.View(func(r chain.Reader) (err error) { out, err = fn(r); return err }); err != nil {
		t.Fatal(err)
	}
	return out
}

func piece(t testing.TB, c *chaintest.Chain, id finance.ID) finance.Receivable {
	t.Helper()
	return view(t, c, func(r chain.Reader) (finance.Receivable, error) {
		l, err := finance.Get(r, id)
		return l.Piece, err
	})
}

func tree(t testing.TB, c *chaintest.Chain, id finance.ID) []finance.Receivable {
	t.Helper()
	return view(t, c, func(r chain.Reader) ([]finance.Receivable, error) { return finance.Tree(r, id) })
}

// setDate commits an empty block at noon of d, so that block time — in
// CheckTx as in blocks — is on d. No sleeping: block time is the test's.
func setDate(t testing.TB, c *chaintest.Chain, d string) {
	t.Helper()
	at := date(d).Time().Add(12 * time.Hour)
	if !at.After(c.Time()) {
		t.Fatalf("block time %s is already past %s", c.Time(), at)
	}
	c.Advance(at.Sub(c.Time()) - time.Second) // Block adds the block time, one second
	c.Block()
	if !c.Time().Equal(at) {
		t.Fatalf("block time %s, want %s", c.Time(), at)
	}
}

// snapshot hashes every finance key and value: equal snapshots, equal state.
func snapshot(t testing.TB, c *chaintest.Chain) [32]byte {
	t.Helper()
	return view(t, c, func(r chain.Reader) ([32]byte, error) { return stateHash(r), nil })
}

func stateHash(r chain.Reader) [32]byte {
	h := sha256.New()
	r.Iterate(chain.Range{Prefix: []byte("finance/")}, func(k, v []byte) bool {
		h.Write(k)
		h.Write([]byte{0})
		h.Write(v)
		h.Write([]byte{0})
		return true
	})
	return [32]byte(h.Sum(nil))
}

func ids(ps []finance.Receivable) []finance.ID {
	out := []finance.ID{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// refused checks that msg, signed by k, is refused at admission with code
// and changes nothing.
func refused(t testing.TB, c *chaintest.Chain, k chaintest.Key, typ string, msg any, code string) {
	t.Helper()
	before := snapshot(t, c)
	if err := c.CheckTx(c.Sign(k, finance.ModuleName, typ, msg)); codeOf(err) != code || snapshot(t, c) != before {
		t.Fatalf("%s as %s: %v, want %s and no change", typ, k.Name, err, code)
	}
}

// codeOf is err's code, "" for nil.
func codeOf(err error) string {
	if e := errs.As(err); e != nil {
		return e.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func eventTypes(evs []chain.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func attr(e chain.Event, key string) string {
	for _, a := range e.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// TestScenario is the issue's story: the core issues 100,000.00 to the
// supplier, who accepts, splits 60,000.00 / 40,000.00 and passes 40,000.00 to
// its sub-supplier; the sub-supplier has it financed by the bank; the core
// settles at maturity.
func TestScenario(t *testing.T) {
	c := newChain(t)

	res, evs := do(t, c, core, finance.TypeIssue, issueTo(supplier, cny("100000.00"), "2026-06-30"))
	root := res.Pieces[0]
	if res.Action != finance.TypeIssue || len(res.Pieces) != 1 || root.ID != 1 || root.Root != 1 || root.State != finance.StateIssued ||
		root.Issuer != "core" || root.Holder != "supplier" || root.HolderAccount != supplier.Address() || root.Amount != 10_000_000 ||
		root.DueDate.String() != "2026-06-30" || !root.Created.Time.Equal(c.Time()) {
		t.Fatalf("issue result = %+v", res)
	}
	if got := eventTypes(evs); !slices.Equal(got, []string{finance.EventIssued}) || attr(evs[0], finance.AttrAmount) != "10000000" || attr(evs[0], finance.AttrDueDate) != "2026-06-30" {
		t.Fatalf("issue events = %+v", evs)
	}

	res, evs = do(t, c, supplier, finance.TypeAccept, finance.Accept{ID: 1})
	if res.Pieces[0].State != finance.StateAccepted || eventTypes(evs)[0] != finance.EventAccepted {
		t.Fatalf("accept: %+v %v", res, evs)
	}

	res, evs = do(t, c, clerk, finance.TypeSplit, finance.Split{ID: 1, Amounts: []finance.Amount{cny("60000.00"), cny("40000.00")}})
	if got := ids(res.Pieces); !slices.Equal(got, []finance.ID{1, 2, 3}) || res.Pieces[0].State != finance.StateSplit ||
		!slices.Equal(res.Pieces[0].Children, []finance.ID{2, 3}) {
		t.Fatalf("split result pieces %v: %+v", got, res.Pieces[0])
	}
	for _, p := range res.Pieces[1:] {
		if p.Root != 1 || p.Parent != 1 || p.Depth != 1 || p.State != finance.StateAccepted || p.Holder != "supplier" ||
			p.DueDate != root.DueDate || p.Currency != "CNY" || p.InvoiceSHA256 != root.InvoiceSHA256 {
			t.Fatalf("piece = %+v", p)
		}
	}
	if e := evs[0]; e.Type != finance.EventSplit || attr(e, finance.AttrChildren) != "2,3" || attr(e, finance.AttrAmounts) != "6000000,4000000" {
		t.Fatalf("split event = %+v", e)
	}

	res, evs = do(t, c, supplier, finance.TypeTransfer, finance.Transfer{ID: 3, To: sub.Address(), ToOrg: "subsupplier"})
	if p := res.Pieces[0]; p.Holder != "subsupplier" || p.HolderAccount != sub.Address() || p.State != finance.StateAccepted ||
		attr(evs[0], finance.AttrFrom) != "supplier" || evs[0].Type != finance.EventTransferred {
		t.Fatalf("transfer: %+v %+v", p, evs)
	}

	res, evs = do(t, c, sub, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 3, Bank: bank.Address()})
	if p := res.Pieces[0]; p.State != finance.StateFinancingRequested || p.Request.Bank != "bank" || p.Request.Org != "subsupplier" ||
		evs[0].Type != finance.EventFinancingRequested {
		t.Fatalf("request: %+v", p)
	}
	requests := view(t, c, func(r chain.Reader) (finance.Page, error) { return finance.FinancingRequests(r, "bank", "", 0) })
	if !slices.Equal(ids(requests.Items), []finance.ID{3}) {
		t.Fatalf("bank's requests = %v", ids(requests.Items))
	}

	// The bank approves on 2026-04-01: 90 days to 2026-06-30 (30 in April,
	// 31 in May, 29 in June). At 365 bps a year, ACT/360:
	//   4,000,000 fen × 365 × 90 / (10,000 × 360) = 131,400,000,000 / 3,600,000
	//   = 36,500 fen exactly: a discount of 365.00, a payout of 39,635.00.
	setDate(t, c, "2026-04-01")
	res, evs = do(t, c, bank, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: 3, RateBps: 365, PaymentRef: "BANK-TT-0401"})
	p := res.Pieces[0]
	if f := p.Financing; p.State != finance.StateFinanced || p.Holder != "bank" || p.HolderAccount != bank.Address() ||
		f.Days != 90 || f.Discount != cny("365.00") || f.Payout != cny("39635.00") || f.Seller != "subsupplier" ||
		f.SellerAccount != sub.Address() || f.Org != "bank" || f.Date.String() != "2026-04-01" || f.PaymentRef != "BANK-TT-0401" {
		t.Fatalf("financed piece = %+v, financing %+v", p, p.Financing)
	}
	if e := evs[0]; e.Type != finance.EventFinanced || attr(e, finance.AttrPayout) != "3963500" || attr(e, finance.AttrDays) != "90" {
		t.Fatalf("financed event = %+v", e)
	}

	setDate(t, c, "2026-06-20")
	soon := func(days int) []finance.ID {
		return ids(view(t, c, func(r chain.Reader) (finance.Page, error) {
			return finance.DueSoon(r, "core", c.Time(), days, "", 0)
		}).Items)
	}
	if got := soon(10); !slices.Equal(got, []finance.ID{2, 3}) {
		t.Fatalf("due within 10 days of 2026-06-20: %v", got)
	}
	if got := soon(9); len(got) != 0 {
		t.Fatalf("due within 9 days of 2026-06-20: %v", got)
	}

	// At maturity the core settles the receivable: every unpaid piece, each
	// to its holder now.
	setDate(t, c, "2026-06-30")
	res, evs = do(t, c, core, finance.TypeSettle, finance.Settle{ID: 1, PaymentRef: "CORE-PAY-0630"})
	if got := ids(res.Pieces); !slices.Equal(got, []finance.ID{2, 3}) || !slices.Equal(eventTypes(evs), []string{finance.EventSettled, finance.EventSettled}) {
		t.Fatalf("settled %v, events %v", got, eventTypes(evs))
	}
	for i, want := range []struct {
		to     string
		amount finance.Amount
	}{{"supplier", cny("60000.00")}, {"bank", cny("40000.00")}} {
		s := res.Pieces[i].Settlement
		if res.Pieces[i].State != finance.StateSettled || s.PaidTo != want.to || s.Amount != want.amount || s.PaymentRef != "CORE-PAY-0630" || s.Org != "core" {
			t.Errorf("piece %d settlement = %+v", res.Pieces[i].ID, s)
		}
	}

	all := tree(t, c, 3)
	var paid finance.Amount
	for _, p := range all {
		if p.State == finance.StateSettled {
			paid += p.Amount
		}
	}
	if got := ids(all); !slices.Equal(got, []finance.ID{1, 2, 3}) || paid != root.Amount || all[0].State != finance.StateSplit {
		t.Fatalf("tree %v pays %d", got, paid)
	}

	// Nothing moves after settlement.
	for _, tc := range []struct {
		k   chaintest.Key
		typ string
		msg any
	}{
		{supplier, finance.TypeTransfer, finance.Transfer{ID: 2, To: sub.Address()}},
		{core, finance.TypeSettle, finance.Settle{ID: 1, PaymentRef: "again"}},
		{core, finance.TypeSettle, finance.Settle{ID: 3, PaymentRef: "again"}},
	} {
		if _, err := c.Submit(tc.k, finance.ModuleName, tc.typ, tc.msg); !errors.Is(err, finance.ErrSettled) {
			t.Errorf("%s after settlement: %v", tc.typ, err)
		}
	}
	setDate(t, c, "2026-07-01")
	for _, org := range []string{"supplier", "subsupplier", "bank"} {
		if page := view(t, c, func(r chain.Reader) (finance.Page, error) { return finance.Overdue(r, org, c.Time(), "", 0) }); len(page.Items) != 0 {
			t.Errorf("%s has overdue pieces after settlement: %v", org, ids(page.Items))
		}
	}
}

func TestMessagesRejected(t *testing.T) {
	c := newChain(t)
	issue := func(due string) finance.ID {
		return submit(t, c, core, finance.TypeIssue, issueTo(supplier, cny("1000.00"), due)).Pieces[0].ID
	}
	accepted := func(due string) finance.ID {
		id := issue(due)
		submit(t, c, supplier, finance.TypeAccept, finance.Accept{ID: id})
		return id
	}
	issued := issue("2026-06-30")
	rejected := issue("2026-06-30")
	submit(t, c, supplier, finance.TypeReject, finance.Reject{ID: rejected, Reason: "goods not delivered"})
	closed := accepted("2026-06-30")
	parts := submit(t, c, supplier, finance.TypeSplit, finance.Split{ID: closed, Amounts: []finance.Amount{cny("600.00"), cny("400.00")}}).Pieces
	passed, open := parts[1].ID, parts[2].ID // 600.00 goes to the sub-supplier, 400.00 stays
	submit(t, c, supplier, finance.TypeTransfer, finance.Transfer{ID: passed, To: sub.Address()})
	pending := accepted("2027-06-30")
	submit(t, c, supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: pending, Bank: bank.Address()})
	financed := accepted("2026-06-30")
	submit(t, c, supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: financed, Bank: bank.Address()})
	submit(t, c, bank, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: financed, RateBps: 300, PaymentRef: "TT-1"})
	settled := accepted("2026-06-30")
	submit(t, c, core, finance.TypeSettle, finance.Settle{ID: settled, PaymentRef: "PAY-1"})

	// rawIssue spells an issue with what the typed message cannot hold.
	type rawIssue struct {
		Supplier       chain.Address `json:"supplier"`
		SupplierOrg    string        `json:"supplier_org"`
		Amount         json.Number   `json:"amount"`
		Currency       string        `json:"currency"`
		DueDate        string        `json:"due_date"`
		InvoiceSHA256  chain.Hash    `json:"invoice_sha256"`
		ContractSHA256 chain.Hash    `json:"contract_sha256"`
		Ref            string        `json:"ref"`
	}
	raw := func(amount, due string) rawIssue {
		return rawIssue{Supplier: supplier.Address(), Amount: json.Number(amount), Currency: "CNY", DueDate: due,
			InvoiceSHA256: hashOf("i"), ContractSHA256: hashOf("c")}
	}
	withIssue := func(f func(*finance.Issue)) finance.Issue {
		m := issueTo(supplier, cny("1000.00"), "2026-06-30")
		f(&m)
		return m
	}
	const maxInt = finance.Amount(math.MaxInt64)
	amounts := func(a ...finance.Amount) []finance.Amount { return a }
	many := make([]finance.Amount, finance.MaxPieces+1)
	for i := range many {
		many[i] = 1
	}

	const (
		bad       = errs.KindInvalid
		forbidden = errs.KindForbidden
		conflict  = errs.KindConflict
		notFound  = errs.KindNotFound
	)
	cases := []struct {
		name string
		key  chaintest.Key
		typ  string
		msg  any
		code string
		kind errs.Kind
	}{
		{"issue without the role", supplier, finance.TypeIssue, issueTo(supplier, 100, "2026-06-30"), "members.missing_role", forbidden},
		{"issue unknown currency", core, finance.TypeIssue, withIssue(func(m *finance.Issue) { m.Currency = "XYZ" }), "finance.unknown_currency", bad},
		{"issue lower-case currency", core, finance.TypeIssue, withIssue(func(m *finance.Issue) { m.Currency = "cny" }), "finance.unknown_currency", bad},
		{"issue due today", core, finance.TypeIssue, issueTo(supplier, 100, "2026-01-01"), "finance.invalid_due_date", bad},
		{"issue due in the past", core, finance.TypeIssue, issueTo(supplier, 100, "2025-12-31"), "finance.invalid_due_date", bad},
		{"issue due beyond the term", core, finance.TypeIssue, issueTo(supplier, 100, "2036-01-31"), "finance.invalid_due_date", bad},
		{"issue bad date", core, finance.TypeIssue, raw("100", "2026-6-30"), "encoding.invalid", bad},
		{"issue zero amount", core, finance.TypeIssue, issueTo(supplier, 0, "2026-06-30"), "finance.invalid_amount", bad},
		{"issue negative amount", core, finance.TypeIssue, issueTo(supplier, -1, "2026-06-30"), "finance.invalid_amount", bad},
		{"issue near MaxInt64", core, finance.TypeIssue, issueTo(supplier, maxInt, "2026-06-30"), "finance.overflow", bad},
		{"issue above MaxAmount", core, finance.TypeIssue, issueTo(supplier, finance.MaxAmount+1, "2026-06-30"), "finance.overflow", bad},
		{"issue beyond int64", core, finance.TypeIssue, raw("9223372036854775808", "2026-06-30"), "encoding.invalid", bad},
		{"issue fractional amount", core, finance.TypeIssue, raw("100.5", "2026-06-30"), "encoding.invalid", bad},
		{"issue without invoice hash", core, finance.TypeIssue, withIssue(func(m *finance.Issue) { m.InvoiceSHA256 = chain.Hash{} }), "finance.invalid_hash", bad},
		{"issue to a bank", core, finance.TypeIssue, issueTo(bank, 100, "2026-06-30"), "finance.not_supplier", bad},
		{"issue to a stranger", core, finance.TypeIssue, issueTo(stranger, 100, "2026-06-30"), "finance.invalid_party", bad},
		{"issue to the wrong org", core, finance.TypeIssue, withIssue(func(m *finance.Issue) { m.SupplierOrg = "subsupplier" }), "finance.invalid_party", bad},

		{"accept as another supplier", sub, finance.TypeAccept, finance.Accept{ID: issued}, "finance.not_holder", forbidden},
		{"accept as a bank", bank, finance.TypeAccept, finance.Accept{ID: issued}, "members.missing_role", forbidden},
		{"accept unknown", supplier, finance.TypeAccept, finance.Accept{ID: 999}, "finance.not_found", notFound},
		{"accept twice", supplier, finance.TypeAccept, finance.Accept{ID: open}, "finance.already_accepted", conflict},
		{"accept rejected", supplier, finance.TypeAccept, finance.Accept{ID: rejected}, "finance.rejected", conflict},
		{"accept closed", supplier, finance.TypeAccept, finance.Accept{ID: closed}, "finance.closed", conflict},
		{"reject accepted", supplier, finance.TypeReject, finance.Reject{ID: open, Reason: "no"}, "finance.already_accepted", conflict},
		{"reject without reason", supplier, finance.TypeReject, finance.Reject{ID: issued}, "finance.invalid", bad},

		{"split unaccepted", supplier, finance.TypeSplit, finance.Split{ID: issued, Amounts: amounts(50000, 50000)}, "finance.not_accepted", conflict},
		{"split rejected", supplier, finance.TypeSplit, finance.Split{ID: rejected, Amounts: amounts(50000, 50000)}, "finance.rejected", conflict},
		{"split closed", supplier, finance.TypeSplit, finance.Split{ID: closed, Amounts: amounts(50000, 50000)}, "finance.closed", conflict},
		{"split settled", supplier, finance.TypeSplit, finance.Split{ID: settled, Amounts: amounts(50000, 50000)}, "finance.settled", conflict},
		{"split awaiting a bank", supplier, finance.TypeSplit, finance.Split{ID: pending, Amounts: amounts(50000, 50000)}, "finance.financing_pending", conflict},
		{"split as another supplier", sub, finance.TypeSplit, finance.Split{ID: open, Amounts: amounts(20000, 20000)}, "finance.not_holder", forbidden},
		{"split not summing", supplier, finance.TypeSplit, finance.Split{ID: open, Amounts: amounts(20000, 19999)}, "finance.split_sum", bad},
		{"split over the parent", supplier, finance.TypeSplit, finance.Split{ID: open, Amounts: amounts(20000, 20001)}, "finance.split_sum", bad},
		{"split into one", supplier, finance.TypeSplit, finance.Split{ID: open, Amounts: amounts(40000)}, "finance.invalid_split", bad},
		{"split into too many", supplier, finance.TypeSplit, finance.Split{ID: open, Amounts: many}, "finance.invalid_split", bad},
		{"split zero piece", supplier, finance.TypeSplit, finance.Split{ID: open, Amounts: amounts(0, 40000)}, "finance.invalid_amount", bad},
		{"split negative piece", supplier, finance.TypeSplit, finance.Split{ID: open, Amounts: amounts(-1, 40001)}, "finance.invalid_amount", bad},
		// 2 × MaxInt64 + 40,002 wraps around int64 to exactly 40,000.
		{"split wrapping int64", supplier, finance.TypeSplit, finance.Split{ID: open, Amounts: amounts(maxInt, maxInt, 40002)}, "finance.overflow", bad},
		{"split summing beyond MaxAmount", supplier, finance.TypeSplit, finance.Split{ID: open, Amounts: amounts(finance.MaxAmount, finance.MaxAmount)}, "finance.overflow", bad},

		{"transfer to a bank", supplier, finance.TypeTransfer, finance.Transfer{ID: open, To: bank.Address()}, "finance.not_supplier", bad},
		{"transfer to a non-member", supplier, finance.TypeTransfer, finance.Transfer{ID: open, To: stranger.Address()}, "finance.invalid_party", bad},
		{"transfer within the org", supplier, finance.TypeTransfer, finance.Transfer{ID: open, To: clerk.Address()}, "finance.invalid_party", bad},
		{"transfer to the wrong org", supplier, finance.TypeTransfer, finance.Transfer{ID: open, To: sub.Address(), ToOrg: "supplier"}, "finance.invalid_party", bad},
		{"transfer passed on", supplier, finance.TypeTransfer, finance.Transfer{ID: passed, To: sub.Address()}, "finance.not_holder", forbidden},
		{"transfer closed", supplier, finance.TypeTransfer, finance.Transfer{ID: closed, To: sub.Address()}, "finance.closed", conflict},
		{"transfer financed", supplier, finance.TypeTransfer, finance.Transfer{ID: financed, To: sub.Address()}, "finance.not_holder", forbidden},
		{"transfer settled", supplier, finance.TypeTransfer, finance.Transfer{ID: settled, To: sub.Address()}, "finance.settled", conflict},
		{"transfer rejected", supplier, finance.TypeTransfer, finance.Transfer{ID: rejected, To: sub.Address()}, "finance.rejected", conflict},

		{"request from a non-bank", supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: open, Bank: sub.Address()}, "finance.not_bank", bad},
		{"request twice", supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: pending, Bank: bank2.Address()}, "finance.financing_pending", conflict},
		{"request unaccepted", supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: issued, Bank: bank.Address()}, "finance.not_accepted", conflict},
		{"request settled", supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: settled, Bank: bank.Address()}, "finance.settled", conflict},
		{"approve twice", bank, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: financed, RateBps: 300, PaymentRef: "TT-2"}, "finance.already_financed", conflict},
		{"approve unrequested", bank, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: open, RateBps: 300, PaymentRef: "TT-2"}, "finance.no_request", conflict},
		{"approve as another bank", bank2, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: pending, RateBps: 300, PaymentRef: "TT-2"}, "finance.not_requested_bank", forbidden},
		{"approve as a supplier", supplier, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: pending, RateBps: 300, PaymentRef: "TT-2"}, "members.missing_role", forbidden},
		{"approve above the rate bound", bank, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: pending, RateBps: finance.MaxRateBps + 1, PaymentRef: "TT-2"}, "finance.invalid_rate", bad},
		// 100 % a year over the 545 days to 2027-06-30 would discount more than the face.
		{"approve discounting it all", bank, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: pending, RateBps: finance.MaxRateBps, PaymentRef: "TT-2"}, "finance.invalid_rate", bad},
		{"approve without payment ref", bank, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: pending, RateBps: 300}, "finance.invalid", bad},
		{"decline as another bank", bank2, finance.TypeDeclineFinancing, finance.DeclineFinancing{ID: pending, Reason: "no"}, "finance.not_requested_bank", forbidden},
		{"decline unrequested", bank, finance.TypeDeclineFinancing, finance.DeclineFinancing{ID: open, Reason: "no"}, "finance.no_request", conflict},
		{"decline financed", bank, finance.TypeDeclineFinancing, finance.DeclineFinancing{ID: financed, Reason: "no"}, "finance.already_financed", conflict},
		{"decline without reason", bank, finance.TypeDeclineFinancing, finance.DeclineFinancing{ID: pending}, "finance.invalid", bad},

		{"settle as another core", rival, finance.TypeSettle, finance.Settle{ID: open, PaymentRef: "P"}, "finance.not_issuer", forbidden},
		{"settle as a supplier", supplier, finance.TypeSettle, finance.Settle{ID: open, PaymentRef: "P"}, "members.missing_role", forbidden},
		{"settle as an outsider", notary, finance.TypeSettle, finance.Settle{ID: open, PaymentRef: "P"}, "members.missing_role", forbidden},
		{"settle settled", core, finance.TypeSettle, finance.Settle{ID: settled, PaymentRef: "P"}, "finance.settled", conflict},
		{"settle rejected", core, finance.TypeSettle, finance.Settle{ID: rejected, PaymentRef: "P"}, "finance.rejected", conflict},
		{"settle unaccepted", core, finance.TypeSettle, finance.Settle{ID: issued, PaymentRef: "P"}, "finance.not_accepted", conflict},
		{"settle without payment ref", core, finance.TypeSettle, finance.Settle{ID: open}, "finance.invalid", bad},
	}
	before := snapshot(t, c)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			check := func(where string, err error) {
				t.Helper()
				if e := errs.As(err); e == nil || e.Code != tc.code || e.Kind != tc.kind {
					t.Fatalf("%s: error = %v (%+v), want %s (%s)", where, err, e, tc.code, tc.kind)
				}
			}
			height := c.Height()
			_, err := c.Submit(tc.key, finance.ModuleName, tc.typ, tc.msg)
			check("CheckTx", err)
			if c.Height() != height {
				t.Fatal("a refused message reached a block")
			}
			// Forced into a block past CheckTx, it fails there alike.
			res := c.Block(c.Sign(tc.key, finance.ModuleName, tc.typ, tc.msg))[0]
			check("block", errs.FromResult(res.Code, res.Codespace, res.Log))
			if len(res.Events) != 0 || len(res.Data) != 0 {
				t.Fatalf("a refused message left events %v or data %q", res.Events, res.Data)
			}
			if snapshot(t, c) != before {
				t.Fatal("a refused message changed finance state")
			}
		})
	}
}

// TestOverdue checks that overdue is a status of block time: nothing is
// written when a piece falls due.
func TestOverdue(t *testing.T) {
	c := newChain(t)
	submit(t, c, core, finance.TypeIssue, issueTo(supplier, cny("1000.00"), "2026-03-31"))
	submit(t, c, supplier, finance.TypeAccept, finance.Accept{ID: 1})
	submit(t, c, supplier, finance.TypeSplit, finance.Split{ID: 1, Amounts: []finance.Amount{cny("600.00"), cny("400.00")}})
	submit(t, c, supplier, finance.TypeTransfer, finance.Transfer{ID: 3, To: sub.Address()})
	submit(t, c, sub, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 3, Bank: bank.Address()})

	// 30 days before the due date at 300 bps: 40,000 × 300 × 30 / 3,600,000
	// = 100 fen exactly, a discount of 1.00.
	setDate(t, c, "2026-03-01")
	f := submit(t, c, bank, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: 3, RateBps: 300, PaymentRef: "TT"}).Pieces[0].Financing
	if f.Days != 30 || f.Discount != 100 || f.Payout != cny("399.00") {
		t.Fatalf("financing = %+v", f)
	}

	overdue := func(org string) []finance.ID {
		t.Helper()
		return ids(view(t, c, func(r chain.Reader) (finance.Page, error) { return finance.Overdue(r, org, c.Time(), "", 0) }).Items)
	}
	// On the due date itself a piece is due, not overdue, and may still be
	// financed (over 0 days, at no discount).
	setDate(t, c, "2026-03-31")
	submit(t, c, supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 2, Bank: bank.Address()})
	if got := overdue("supplier"); len(got) != 0 {
		t.Fatalf("overdue on the due date: %v", got)
	}
	due := ids(view(t, c, func(r chain.Reader) (finance.Page, error) { return finance.DueSoon(r, "core", c.Time(), 0, "", 0) }).Items)
	if !slices.Equal(due, []finance.ID{2, 3}) {
		t.Fatalf("due today: %v", due)
	}
	q, err := finance.QuoteFinancing(cny("600.00"), 500, date("2026-03-31"), date("2026-03-31"))
	if err != nil || q.Days != 0 || q.Discount != 0 || q.Payout != cny("600.00") {
		t.Fatalf("quote on the due date = %+v, %v", q, err)
	}

	before := snapshot(t, c)
	setDate(t, c, "2026-04-01")
	if snapshot(t, c) != before {
		t.Fatal("falling due wrote state")
	}
	if got := overdue("supplier"); !slices.Equal(got, []finance.ID{2}) {
		t.Fatalf("supplier's overdue pieces: %v", got)
	}
	if got := overdue("bank"); !slices.Equal(got, []finance.ID{3}) {
		t.Fatalf("bank's overdue pieces: %v", got)
	}
	if got := overdue("subsupplier"); len(got) != 0 {
		t.Fatalf("the sub-supplier sold its piece, yet: %v", got)
	}
	if p := piece(t, c, 2); !p.Overdue(c.Time()) || p.State != finance.StateFinancingRequested || p.Overdue(date("2026-03-31").Time()) {
		t.Fatalf("piece 2 = %s, overdue %v", p.State, p.Overdue(c.Time()))
	}
	if p := piece(t, c, 1); p.Overdue(c.Time()) {
		t.Fatal("a closed piece counts as overdue")
	}
	due = ids(view(t, c, func(r chain.Reader) (finance.Page, error) { return finance.DueSoon(r, "core", c.Time(), 30, "", 0) }).Items)
	if len(due) != 0 {
		t.Fatalf("overdue pieces listed as due soon: %v", due)
	}
	// The core enterprise sees what it owes past due, whoever holds it.
	owed := ids(view(t, c, func(r chain.Reader) (finance.Page, error) { return finance.OverdueOwed(r, "core", c.Time(), "", 0) }).Items)
	if !slices.Equal(owed, []finance.ID{2, 3}) {
		t.Fatalf("the core's overdue obligations: %v, want 2 3", owed)
	}

	_, err = c.Submit(bank, finance.ModuleName, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: 2, RateBps: 300, PaymentRef: "TT"})
	if !errors.Is(err, finance.ErrOverdue) || errs.As(err).Kind != errs.KindConflict {
		t.Fatalf("financing an overdue piece: %v", err)
	}
	submit(t, c, bank, finance.TypeDeclineFinancing, finance.DeclineFinancing{ID: 2, Reason: "overdue"})
	if _, err := c.Submit(supplier, finance.ModuleName, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 2, Bank: bank2.Address()}); !errors.Is(err, finance.ErrOverdue) {
		t.Fatalf("requesting financing of an overdue piece: %v", err)
	}
	// Nor can its holder pay a sub-supplier with it: the recipient has no
	// say in a transfer.
	if _, err := c.Submit(supplier, finance.ModuleName, finance.TypeTransfer, finance.Transfer{ID: 2, To: sub.Address()}); !errors.Is(err, finance.ErrOverdue) {
		t.Fatalf("transferring an overdue piece: %v", err)
	}

	// The core pays late; overdue pieces are settled like any.
	res := submit(t, c, core, finance.TypeSettle, finance.Settle{ID: 1, PaymentRef: "LATE"})
	if got := ids(res.Pieces); !slices.Equal(got, []finance.ID{2, 3}) {
		t.Fatalf("settled %v", got)
	}
	if got := append(overdue("supplier"), overdue("bank")...); len(got) != 0 {
		t.Fatalf("overdue after settlement: %v", got)
	}
}

func TestDecline(t *testing.T) {
	c := newChain(t)
	submit(t, c, core, finance.TypeIssue, issueTo(supplier, cny("500.00"), "2026-06-30"))
	submit(t, c, supplier, finance.TypeAccept, finance.Accept{ID: 1})
	submit(t, c, supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 1, Bank: bank.Address()})
	res, evs := do(t, c, bank, finance.TypeDeclineFinancing, finance.DeclineFinancing{ID: 1, Reason: "limit reached"})
	p := res.Pieces[0]
	if p.State != finance.StateAccepted || p.Declined.Reason != "limit reached" || p.Declined.Org != "bank" || p.Holder != "supplier" ||
		evs[0].Type != finance.EventFinancingDeclined || attr(evs[0], finance.AttrReason) != "limit reached" {
		t.Fatalf("declined: %+v %v", p, evs)
	}
	if page := view(t, c, func(r chain.Reader) (finance.Page, error) { return finance.FinancingRequests(r, "bank", "", 0) }); len(page.Items) != 0 {
		t.Fatalf("a declined request is still listed: %v", ids(page.Items))
	}
	// Back to accepted, the piece moves again: another bank finances it.
	submit(t, c, clerk, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 1, Bank: bank2.Address()})
	p = submit(t, c, bank2, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: 1, RateBps: 0, PaymentRef: "FREE"}).Pieces[0]
	if p.Holder != "bank2" || p.Financing.Payout != p.Amount || p.Financing.Discount != 0 {
		t.Fatalf("financed at 0 bps: %+v", p.Financing)
	}
}

// A holder may name the highest rate it accepts; the bank cannot approve
// above it.
func TestRateLimit(t *testing.T) {
	c := newChain(t)
	submit(t, c, core, finance.TypeIssue, issueTo(supplier, cny("500.00"), "2026-06-30"))
	submit(t, c, supplier, finance.TypeAccept, finance.Accept{ID: 1})
	limit := uint32(400)
	over := uint32(finance.MaxRateBps + 1)
	refused(t, c, supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 1, Bank: bank.Address(), MaxRateBps: &over}, "finance.invalid_rate")
	p := submit(t, c, supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 1, Bank: bank.Address(), MaxRateBps: &limit}).Pieces[0]
	if p.Request.MaxRateBps == nil || *p.Request.MaxRateBps != 400 {
		t.Fatalf("request = %+v", p.Request)
	}
	refused(t, c, bank, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: 1, RateBps: 401, PaymentRef: "TT"}, "finance.rate_above_limit")
	if p := submit(t, c, bank, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: 1, RateBps: 400, PaymentRef: "TT"}).Pieces[0]; p.Financing.RateBps != 400 || p.Holder != "bank" {
		t.Fatalf("financed at the limit: %+v", p.Financing)
	}
}

// A holder may withdraw a request the bank has not answered within
// WithdrawAfterDays, and offer the piece to another bank; the bank asked can
// no longer approve it.
func TestWithdrawFinancing(t *testing.T) {
	c := newChain(t)
	submit(t, c, core, finance.TypeIssue, issueTo(supplier, cny("500.00"), "2026-06-30"))
	submit(t, c, supplier, finance.TypeAccept, finance.Accept{ID: 1})
	refused(t, c, supplier, finance.TypeWithdrawFinancing, finance.WithdrawFinancing{ID: 1}, "finance.no_request")
	submit(t, c, supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 1, Bank: bank.Address()})
	refused(t, c, bank, finance.TypeWithdrawFinancing, finance.WithdrawFinancing{ID: 1}, "members.missing_role")
	refused(t, c, sub, finance.TypeWithdrawFinancing, finance.WithdrawFinancing{ID: 1}, "finance.not_holder")
	refused(t, c, supplier, finance.TypeWithdrawFinancing, finance.WithdrawFinancing{ID: 1, Reason: strings.Repeat("x", finance.MaxReason+1)}, "finance.invalid")
	// The request binds the holder for three days: asked on 2026-01-01, the
	// bank may count on it through 2026-01-03.
	setDate(t, c, "2026-01-03")
	refused(t, c, supplier, finance.TypeWithdrawFinancing, finance.WithdrawFinancing{ID: 1}, "finance.request_binding")
	setDate(t, c, "2026-01-04")

	res, evs := do(t, c, clerk, finance.TypeWithdrawFinancing, finance.WithdrawFinancing{ID: 1, Reason: "the bank is slow"})
	p := res.Pieces[0]
	if p.State != finance.StateAccepted || p.Withdrawn == nil || p.Withdrawn.Reason != "the bank is slow" || p.Withdrawn.Account != clerk.Address() || p.Withdrawn.Bank != "bank" ||
		p.Request == nil || p.Request.Bank != "bank" || evs[0].Type != finance.EventFinancingWithdrawn || attr(evs[0], finance.AttrBank) != "bank" {
		t.Fatalf("withdrawn: %+v %v", p, evs)
	}
	if page := view(t, c, func(r chain.Reader) (finance.Page, error) { return finance.FinancingRequests(r, "bank", "", 0) }); len(page.Items) != 0 {
		t.Fatalf("a withdrawn request is still listed: %v", ids(page.Items))
	}
	refused(t, c, bank, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: 1, RateBps: 365, PaymentRef: "TT"}, "finance.no_request")
	refused(t, c, supplier, finance.TypeWithdrawFinancing, finance.WithdrawFinancing{ID: 1}, "finance.no_request")
	// Accepted again, the piece moves: the second bank finances it.
	submit(t, c, supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 1, Bank: bank2.Address()})
	if p := submit(t, c, bank2, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: 1, RateBps: 365, PaymentRef: "TT-2"}).Pieces[0]; p.Holder != "bank2" {
		t.Fatalf("financed after a withdrawal: %+v", p)
	}
}

// A request made just before the due date binds its holder only until the
// due date: no bank can finance an overdue piece.
func TestWithdrawNearTheDueDate(t *testing.T) {
	c := newChain(t)
	submit(t, c, core, finance.TypeIssue, issueTo(supplier, cny("500.00"), "2026-01-02"))
	submit(t, c, supplier, finance.TypeAccept, finance.Accept{ID: 1})
	submit(t, c, supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 1, Bank: bank.Address()})
	if p := piece(t, c, 1); p.WithdrawableFrom() != date("2026-01-03") {
		t.Fatalf("withdrawable from %s, want the day after the due date", p.WithdrawableFrom())
	}
	setDate(t, c, "2026-01-02")
	refused(t, c, supplier, finance.TypeWithdrawFinancing, finance.WithdrawFinancing{ID: 1}, "finance.request_binding")
	setDate(t, c, "2026-01-03")
	if p := submit(t, c, supplier, finance.TypeWithdrawFinancing, finance.WithdrawFinancing{ID: 1}).Pieces[0]; p.State != finance.StateAccepted {
		t.Fatalf("withdrawn the day after the due date: %+v", p)
	}
}

// The core enterprise cannot settle a piece whose financing request still
// binds its holder: the bank may have paid the holder already, counting on
// it. Once the bank has answered, or the request no longer binds, it can.
func TestSettleWaitsForABindingRequest(t *testing.T) {
	c := newChain(t)
	submit(t, c, core, finance.TypeIssue, issueTo(supplier, cny("900.00"), "2026-06-30"))
	submit(t, c, supplier, finance.TypeAccept, finance.Accept{ID: 1})
	submit(t, c, supplier, finance.TypeSplit, finance.Split{ID: 1, Amounts: []finance.Amount{cny("300.00"), cny("300.00"), cny("300.00")}})
	submit(t, c, supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 2, Bank: bank.Address()})
	submit(t, c, supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 3, Bank: bank.Address()})

	// Asked on 2026-01-01, the requests bind through 2026-01-03: neither a
	// piece nor the receivable above it can be settled.
	setDate(t, c, "2026-01-03")
	refused(t, c, core, finance.TypeSettle, finance.Settle{ID: 2, PaymentRef: "P"}, "finance.request_binding")
	refused(t, c, core, finance.TypeSettle, finance.Settle{ID: 1, PaymentRef: "P"}, "finance.request_binding")
	if p := piece(t, c, 4); p.State != finance.StateAccepted {
		t.Fatalf("a refused settle changed piece 4: %s", p.State)
	}
	// The bank answers piece 2: settled, it pays the bank.
	submit(t, c, bank, finance.TypeApproveFinancing, finance.ApproveFinancing{ID: 2, RateBps: 300, PaymentRef: "TT"})
	if p := submit(t, c, core, finance.TypeSettle, finance.Settle{ID: 2, PaymentRef: "P-2"}).Pieces[0]; p.Settlement.PaidTo != "bank" {
		t.Fatalf("settled after the approval: paid to %q, want the bank", p.Settlement.PaidTo)
	}
	// From 2026-01-04 the open request on piece 3 no longer binds, and
	// settling ends it, paying the holder.
	setDate(t, c, "2026-01-04")
	res := submit(t, c, core, finance.TypeSettle, finance.Settle{ID: 1, PaymentRef: "P-1"})
	if got := ids(res.Pieces); !slices.Equal(got, []finance.ID{3, 4}) {
		t.Fatalf("settled pieces %v, want 3 4", got)
	}
	if p := res.Pieces[0]; p.State != finance.StateSettled || p.Settlement.PaidTo != "supplier" {
		t.Fatalf("piece 3 settled once the request no longer binds: %s, paid to %q", p.State, p.Settlement.PaidTo)
	}
}

// Settling a split receivable pays its unpaid pieces in id order, however
// the splits were made: 1 → 2, 3; then 3 → 4, 5; then 2 → 6, 7.
func TestSettleOrder(t *testing.T) {
	c := newChain(t)
	submit(t, c, core, finance.TypeIssue, issueTo(supplier, cny("800.00"), "2026-06-30"))
	submit(t, c, supplier, finance.TypeAccept, finance.Accept{ID: 1})
	half := []finance.Amount{cny("400.00"), cny("400.00")}
	quarter := []finance.Amount{cny("200.00"), cny("200.00")}
	submit(t, c, supplier, finance.TypeSplit, finance.Split{ID: 1, Amounts: half})
	submit(t, c, supplier, finance.TypeSplit, finance.Split{ID: 3, Amounts: quarter})
	submit(t, c, supplier, finance.TypeSplit, finance.Split{ID: 2, Amounts: quarter})
	res, evs := do(t, c, core, finance.TypeSettle, finance.Settle{ID: 1, PaymentRef: "PAY"})
	if got := ids(res.Pieces); !slices.Equal(got, []finance.ID{4, 5, 6, 7}) {
		t.Fatalf("settled pieces %v, want 4 5 6 7", got)
	}
	for i, e := range evs {
		if want := fmt.Sprint(4 + i); attr(e, finance.AttrID) != want {
			t.Fatalf("event %d is for piece %s, want %s", i, attr(e, finance.AttrID), want)
		}
	}
}

func TestReject(t *testing.T) {
	c := newChain(t)
	submit(t, c, core, finance.TypeIssue, issueTo(supplier, cny("500.00"), "2026-06-30"))
	res, evs := do(t, c, clerk, finance.TypeReject, finance.Reject{ID: 1, Reason: "wrong quantity"})
	if p := res.Pieces[0]; p.State != finance.StateRejected || p.Rejection.Reason != "wrong quantity" || p.Rejection.Account != clerk.Address() ||
		evs[0].Type != finance.EventRejected {
		t.Fatalf("rejected: %+v", p)
	}
	due := view(t, c, func(r chain.Reader) (finance.Page, error) {
		return finance.DueSoon(r, "core", c.Time(), finance.MaxTermDays, "", 0)
	})
	if len(due.Items) != 0 {
		t.Fatalf("a rejected receivable is owed: %v", ids(due.Items))
	}
}

// An invoice backs one receivable at a time, whoever issues it, so that it
// cannot be financed twice; a receivable its supplier rejected frees it.
func TestInvoiceBacksOneReceivable(t *testing.T) {
	c := newChain(t)
	first := issueTo(supplier, cny("500.00"), "2026-06-30")
	submit(t, c, core, finance.TypeIssue, first) // 1
	again := first
	again.Amount = cny("499.00")
	for _, k := range []chaintest.Key{core, rival} {
		refused(t, c, k, finance.TypeIssue, again, finance.ErrInvoiceUsed.Code)
	}
	if finance.ErrInvoiceUsed.Kind != errs.KindConflict {
		t.Fatalf("an invoice in use is a %v, want a conflict (409)", finance.ErrInvoiceUsed.Kind)
	}
	submit(t, c, supplier, finance.TypeReject, finance.Reject{ID: 1, Reason: "wrong amount"})
	if p := submit(t, c, core, finance.TypeIssue, again).Pieces[0]; p.ID != 2 || p.InvoiceSHA256 != first.InvoiceSHA256 {
		t.Fatalf("reissued after the rejection: %+v", p)
	}
	// Accepted, split, financed or settled, the receivable keeps its invoice.
	submit(t, c, supplier, finance.TypeAccept, finance.Accept{ID: 2})
	submit(t, c, supplier, finance.TypeSplit, finance.Split{ID: 2, Amounts: []finance.Amount{cny("300.00"), cny("199.00")}})
	submit(t, c, core, finance.TypeSettle, finance.Settle{ID: 2, PaymentRef: "PAY"})
	refused(t, c, rival, finance.TypeIssue, again, finance.ErrInvoiceUsed.Code)
}

// An issuer may cancel a receivable its supplier has not answered yet: it
// stays visible as cancelled, frees its invoice and moves no more.
func TestCancel(t *testing.T) {
	c := newChain(t)
	msg := issueTo(supplier, cny("500.00"), "2026-06-30")
	submit(t, c, core, finance.TypeIssue, msg) // 1
	refused(t, c, rival, finance.TypeCancel, finance.Cancel{ID: 1, Reason: "not mine"}, "finance.not_issuer")
	refused(t, c, supplier, finance.TypeCancel, finance.Cancel{ID: 1, Reason: "not mine"}, "members.missing_role")
	refused(t, c, core, finance.TypeCancel, finance.Cancel{ID: 1}, "finance.invalid")
	refused(t, c, core, finance.TypeCancel, finance.Cancel{ID: 9, Reason: "no such"}, "finance.not_found")

	res, evs := do(t, c, core, finance.TypeCancel, finance.Cancel{ID: 1, Reason: "wrong supplier"})
	if p := res.Pieces[0]; p.State != finance.StateCancelled || p.Cancellation == nil || p.Cancellation.Reason != "wrong supplier" ||
		p.Cancellation.Org != "core" || evs[0].Type != finance.EventCancelled || attr(evs[0], finance.AttrReason) != "wrong supplier" {
		t.Fatalf("cancelled: %+v %v", p, evs)
	}
	refused(t, c, supplier, finance.TypeAccept, finance.Accept{ID: 1}, "finance.cancelled")
	refused(t, c, supplier, finance.TypeReject, finance.Reject{ID: 1, Reason: "late"}, "finance.cancelled")
	refused(t, c, core, finance.TypeCancel, finance.Cancel{ID: 1, Reason: "again"}, "finance.cancelled")
	refused(t, c, core, finance.TypeSettle, finance.Settle{ID: 1, PaymentRef: "PAY"}, "finance.cancelled")
	for state, want := range map[finance.State][]finance.ID{finance.StateCancelled: {1}, finance.StateIssued: {}} {
		got := view(t, c, func(r chain.Reader) (finance.Page, error) {
			return finance.ListByHolder(r, finance.HolderFilter{Org: "supplier", State: state}, "", 0)
		})
		if !slices.Equal(ids(got.Items), want) {
			t.Fatalf("the supplier's %s pieces: %v, want %v", state, ids(got.Items), want)
		}
	}
	// Its invoice is free: the core issues it again, to the right supplier.
	msg.Supplier = sub.Address()
	submit(t, c, core, finance.TypeIssue, msg) // 2
	// Once the supplier has answered, the issuer cannot cancel.
	submit(t, c, sub, finance.TypeAccept, finance.Accept{ID: 2})
	refused(t, c, core, finance.TypeCancel, finance.Cancel{ID: 2, Reason: "changed our mind"}, "finance.already_accepted")
}

func TestQueries(t *testing.T) {
	c := newChain(t)
	for _, due := range []string{"2026-03-31", "2026-04-30", "2026-05-31"} {
		submit(t, c, core, finance.TypeIssue, issueTo(supplier, cny("300.00"), due)) // 1, 2, 3
	}
	submit(t, c, rival, finance.TypeIssue, issueTo(sub, cny("50.00"), "2026-02-28")) // 4
	for _, id := range []finance.ID{1, 2, 3} {
		submit(t, c, supplier, finance.TypeAccept, finance.Accept{ID: id})
	}
	submit(t, c, supplier, finance.TypeSplit, finance.Split{ID: 2, Amounts: []finance.Amount{cny("100.00"), cny("100.00"), cny("100.00")}}) // 5, 6, 7
	submit(t, c, supplier, finance.TypeSplit, finance.Split{ID: 6, Amounts: []finance.Amount{cny("99.99"), cny("0.01")}})                   // 8, 9
	submit(t, c, supplier, finance.TypeTransfer, finance.Transfer{ID: 7, To: sub.Address()})
	submit(t, c, supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 8, Bank: bank.Address()})
	submit(t, c, supplier, finance.TypeRequestFinancing, finance.RequestFinancing{ID: 3, Bank: bank.Address()})

	list := func(f finance.HolderFilter, after string, limit int) finance.Page {
		t.Helper()
		return view(t, c, func(r chain.Reader) (finance.Page, error) { return finance.ListByHolder(r, f, after, limit) })
	}
	all := list(finance.HolderFilter{Org: "supplier"}, "", 0)
	if got := ids(all.Items); !slices.Equal(got, []finance.ID{9, 8, 6, 5, 3, 2, 1}) || all.Next != "" {
		t.Fatalf("supplier's pieces: %v next %q", got, all.Next)
	}
	var paged []finance.ID
	for after := ""; ; {
		page := list(finance.HolderFilter{Org: "supplier"}, after, 3)
		paged = append(paged, ids(page.Items)...)
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if !slices.Equal(paged, ids(all.Items)) {
		t.Fatalf("paged: %v", paged)
	}
	if got := ids(list(finance.HolderFilter{Org: "supplier", State: finance.StateAccepted}, "", 0).Items); !slices.Equal(got, []finance.ID{9, 5, 1}) {
		t.Fatalf("accepted: %v", got)
	}
	if got := ids(list(finance.HolderFilter{Account: supplier.Address(), State: finance.StateSplit}, "", 0).Items); !slices.Equal(got, []finance.ID{6, 2}) {
		t.Fatalf("split, by account: %v", got)
	}
	if got := ids(list(finance.HolderFilter{Account: clerk.Address()}, "", 0).Items); len(got) != 0 {
		t.Fatalf("clerk holds %v", got)
	}
	if got := ids(list(finance.HolderFilter{Org: "subsupplier"}, "", 0).Items); !slices.Equal(got, []finance.ID{7, 4}) {
		t.Fatalf("sub-supplier's: %v", got)
	}

	issued := view(t, c, func(r chain.Reader) (finance.Page, error) { return finance.ListIssuedBy(r, "core", "", 0) })
	if got := ids(issued.Items); !slices.Equal(got, []finance.ID{3, 2, 1}) {
		t.Fatalf("issued by core: %v", got)
	}
	requests := view(t, c, func(r chain.Reader) (finance.Page, error) { return finance.FinancingRequests(r, "bank", "", 0) })
	if got := ids(requests.Items); !slices.Equal(got, []finance.ID{3, 8}) {
		t.Fatalf("bank's requests: %v", got)
	}
	soon := view(t, c, func(r chain.Reader) (finance.Page, error) { return finance.DueSoon(r, "core", c.Time(), 120, "", 2) })
	if got := ids(soon.Items); !slices.Equal(got, []finance.ID{1, 5}) || soon.Next == "" {
		t.Fatalf("due soon: %v next %q", got, soon.Next)
	}
	soon = view(t, c, func(r chain.Reader) (finance.Page, error) {
		return finance.DueSoon(r, "core", c.Time(), 120, soon.Next, 10)
	})
	if got := ids(soon.Items); !slices.Equal(got, []finance.ID{7, 8, 9}) {
		t.Fatalf("due soon, page 2: %v", got)
	}

	l := view(t, c, func(r chain.Reader) (finance.Lineage, error) { return finance.Get(r, 9) })
	if l.Piece.ID != 9 || !slices.Equal(ids(l.Ancestors), []finance.ID{2, 6}) || len(l.Children) != 0 {
		t.Fatalf("lineage of 9: ancestors %v", ids(l.Ancestors))
	}
	l = view(t, c, func(r chain.Reader) (finance.Lineage, error) { return finance.Get(r, 2) })
	if len(l.Ancestors) != 0 || !slices.Equal(ids(l.Children), []finance.ID{5, 6, 7}) {
		t.Fatalf("lineage of 2: children %v", ids(l.Children))
	}
	if got := ids(tree(t, c, 9)); !slices.Equal(got, []finance.ID{2, 5, 6, 7, 8, 9}) {
		t.Fatalf("tree of 9: %v", got)
	}

	errCases := []struct {
		name string
		fn   func(chain.Reader) error
		want error
	}{
		{"unknown piece", func(r chain.Reader) error { _, err := finance.Get(r, 99); return err }, finance.ErrNotFound},
		{"unknown tree", func(r chain.Reader) error { _, err := finance.Tree(r, 99); return err }, finance.ErrNotFound},
		{"bad cursor", func(r chain.Reader) error {
			_, err := finance.ListByHolder(r, finance.HolderFilter{Org: "supplier"}, "../x", 0)
			return err
		}, finance.ErrInvalidCursor},
		{"bad state", func(r chain.Reader) error {
			_, err := finance.ListByHolder(r, finance.HolderFilter{Org: "supplier", State: "lost"}, "", 0)
			return err
		}, finance.ErrInvalid},
		{"no holder", func(r chain.Reader) error {
			_, err := finance.ListByHolder(r, finance.HolderFilter{}, "", 0)
			return err
		}, finance.ErrInvalidParty},
		{"org with a slash", func(r chain.Reader) error { _, err := finance.ListIssuedBy(r, "core/", "", 0); return err }, finance.ErrInvalidParty},
		{"negative days", func(r chain.Reader) error { _, err := finance.DueSoon(r, "core", c.Time(), -1, "", 0); return err }, finance.ErrInvalid},
	}
	for _, tc := range errCases {
		if err := c.View(tc.fn); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// blocks executes txs, which must all succeed, 20 to a block: an in-memory
// test store takes write sets of a few megabytes at once.
func blocks(t testing.TB, c *chaintest.Chain, txs [][]byte) {
	t.Helper()
	for len(txs) > 0 {
		n := min(len(txs), 20)
		for _, res := range c.Block(txs[:n]...) {
			if !res.OK() {
				t.Fatalf("%s/%s: %s: %s", res.Module, res.Type, res.Codespace, res.Log)
			}
		}
		txs = txs[n:]
	}
}

// TestLimits fills a tree to MaxTreePieces and settles more than MaxSettle
// pieces, one branch at a time.
func TestLimits(t *testing.T) {
	c := newChain(t)
	hundred := func(each finance.Amount) []finance.Amount {
		out := make([]finance.Amount, 100)
		for i := range out {
			out[i] = each
		}
		return out
	}
	submit(t, c, core, finance.TypeIssue, issueTo(supplier, 1_000_000, "2026-06-30"))
	submit(t, c, supplier, finance.TypeAccept, finance.Accept{ID: 1})
	submit(t, c, supplier, finance.TypeSplit, finance.Split{ID: 1, Amounts: hundred(10_000)}) // 2..101
	// Split the pieces 2..99: 1 + 100 + 98 × 100 = 9,901 pieces.
	var txs [][]byte
	for id := finance.ID(2); id <= 99; id++ {
		txs = append(txs, c.Sign(supplier, finance.ModuleName, finance.TypeSplit, finance.Split{ID: id, Amounts: hundred(100)}))
	}
	blocks(t, c, txs)
	if got := len(tree(t, c, 1)); got != 9_901 {
		t.Fatalf("tree has %d pieces", got)
	}
	_, err := c.Submit(supplier, finance.ModuleName, finance.TypeSplit, finance.Split{ID: 100, Amounts: hundred(100)})
	if e := errs.As(err); !errors.Is(err, finance.ErrTreeFull) || e.Kind != errs.KindConflict {
		t.Fatalf("a split past %d pieces: %v, want a conflict with the tree's state", finance.MaxTreePieces, err)
	}
	submit(t, c, supplier, finance.TypeSplit, finance.Split{ID: 100, Amounts: []finance.Amount{5_000, 5_000}})

	// A smaller tree to settle: 97 + 3 × 100 = 397 unpaid pieces, too many
	// at once; two branches first, then the remaining 197 at once.
	root := submit(t, c, core, finance.TypeIssue, issueTo(supplier, 1_000_000, "2026-06-30")).Pieces[0].ID
	submit(t, c, supplier, finance.TypeAccept, finance.Accept{ID: root})
	branches := submit(t, c, supplier, finance.TypeSplit, finance.Split{ID: root, Amounts: hundred(10_000)}).Pieces[1:4]
	for _, b := range branches {
		submit(t, c, supplier, finance.TypeSplit, finance.Split{ID: b.ID, Amounts: hundred(100)})
	}
	if _, err := c.Submit(core, finance.ModuleName, finance.TypeSettle, finance.Settle{ID: root, PaymentRef: "ALL"}); !errors.Is(err, finance.ErrSettleTooLarge) || errs.As(err).Kind != errs.KindConflict {
		t.Fatalf("settling 397 pieces at once: %v, want a conflict with the tree's state", err)
	}
	for _, b := range branches[:2] {
		if n := len(submit(t, c, core, finance.TypeSettle, finance.Settle{ID: b.ID, PaymentRef: "BRANCH"}).Pieces); n != 100 {
			t.Fatalf("settled %d pieces of branch %d", n, b.ID)
		}
	}
	if n := len(submit(t, c, core, finance.TypeSettle, finance.Settle{ID: root, PaymentRef: "REST"}).Pieces); n != 197 {
		t.Fatalf("settled %d pieces", n)
	}
	var paid finance.Amount
	for _, p := range tree(t, c, root) {
		if p.State == finance.StateSettled {
			paid += p.Amount
		} else if p.State != finance.StateSplit {
			t.Fatalf("piece %d is %s", p.ID, p.State)
		}
	}
	if paid != 1_000_000 {
		t.Fatalf("paid %d", paid)
	}
}
