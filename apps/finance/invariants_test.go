package finance_test

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/shared/errs"
)

// TestInvariants runs random sequences of messages — most of them sent by the
// party that may send them, some by anyone, some malformed — and after each
// checks what must always hold:
//
//   - for every receivable, its leaf pieces (open, financed or settled) sum
//     to its face amount, and every split piece to its pieces' sum;
//   - no piece is financed twice, and every financing's terms add up;
//   - a settled piece never changes again;
//   - amounts are positive and at most MaxAmount; a tree has one currency,
//     one due date and one issuer;
//   - a result reports exactly the records it wrote;
//   - a refused message writes nothing;
//   - at the end, the listings agree with the records (the indexes are in
//     step).
//
// Messages go through the module's routes as the chain sends them — strict
// decoding, ValidateBasic, the members keeper authorizing the route's role,
// the handler — over an in-memory state without the chain's rollback, so a
// handler that wrote before refusing would be caught. (A chain per sequence
// would spend most of the test allocating stores; the chain's own path is
// covered by the table tests.)
func TestInvariants(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		m := newMachine(rt)
		for range rapid.IntRange(1, 3).Draw(rt, "receivables") {
			m.issueGood(rt)
		}
		rt.Repeat(map[string]func(*rapid.T){
			"issue":    m.issue,
			"accept":   m.accept,
			"reject":   m.reject,
			"cancel":   m.cancel,
			"split":    m.split,
			"split2":   m.split, // twice as likely: trees grow deeper
			"transfer": m.transfer,
			"request":  m.request,
			"approve":  m.approve,
			"decline":  m.decline,
			"withdraw": m.withdraw,
			"settle":   m.settle,
			"advance":  m.advance,
			"":         m.check,
		})
		m.checkListings(rt)
	})
}

var (
	actors  = []chaintest.Key{core, rival, supplier, clerk, sub, tier3, bank, bank2, notary}
	orgKeys = map[string]chaintest.Key{"core": core, "rival": rival, "supplier": supplier, "subsupplier": sub, "tier3": tier3, "bank": bank, "bank2": bank2}
	orgOf   = map[string]string{"core": "core", "rival": "rival", "supplier": "supplier", "clerk": "supplier", "sub": "subsupplier", "tier3": "tier3", "bank": "bank", "bank2": "bank2", "notary": "notary"}
	holders = []string{"supplier", "subsupplier", "tier3", "bank", "bank2"}
)

type machine struct {
	kv     *chaintest.MemKV
	routes map[string]chain.Route
	height int64
	now    time.Time

	last     finance.ID
	pieces   map[finance.ID]finance.Receivable // every piece, as the results report it
	roots    []finance.ID
	face     map[finance.ID]finance.Amount
	frozen   map[finance.ID][]byte // settled pieces as settled
	approved map[finance.ID]int

	lastRefusal string // the error code of the last message refused
}

func newMachine(t interface{ Fatal(...any) }) *machine {
	m := &machine{
		kv: chaintest.NewMemKV(), routes: map[string]chain.Route{}, height: 1,
		now:    time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC),
		pieces: map[finance.ID]finance.Receivable{}, face: map[finance.ID]finance.Amount{}, frozen: map[finance.ID][]byte{}, approved: map[finance.ID]int{},
	}
	ctx := chain.NewContext(chaintest.ChainID, m.height, m.now, chain.Hash{}, chain.Address{}, m.kv)
	if err := members.NewModule().InitGenesis(ctx, canon.MustMarshal(membersGenesis())); err != nil {
		t.Fatal(err)
	}
	for _, r := range finance.NewModule(finance.NewKeeper(members.NewKeeper())).Routes() {
		m.routes[r.Type] = r
	}
	return m
}

// submit runs msg as the chain would in a block of its own.
func (m *machine) submit(k chaintest.Key, typ string, msg any) ([]byte, error) {
	m.height++
	m.now = m.now.Add(time.Second)
	route := m.routes[typ]
	decoded, err := route.Decode(canon.MustMarshal(msg))
	if err != nil {
		return nil, err
	}
	if err := members.NewKeeper().Authorize(m.kv, k.Address(), route.Role); err != nil {
		return nil, err
	}
	ctx := chain.NewContext(chaintest.ChainID, m.height, m.now, chain.SumHash(fmt.Appendf(nil, "tx %d", m.height)), k.Address(), m.kv)
	out, err := route.Handle(ctx, decoded)
	if err != nil {
		return nil, err
	}
	return canon.Marshal(out)
}

// pick draws a piece, mostly one in one of states, sometimes any id at all
// (even one not issued yet), and returns it as the results reported it.
func (m *machine) pick(t *rapid.T, states ...finance.State) finance.Receivable {
	if m.last == 0 {
		t.Skip("nothing issued yet")
	}
	var fit []finance.ID
	for id := finance.ID(1); id <= m.last; id++ {
		if slices.Contains(states, m.pieces[id].State) {
			fit = append(fit, id)
		}
	}
	var id finance.ID
	if len(fit) > 0 && often(t, "fitting piece") {
		id = rapid.SampledFrom(fit).Draw(t, "id")
	} else {
		id = finance.ID(rapid.IntRange(1, int(m.last)+1).Draw(t, "id"))
	}
	p := m.pieces[id]
	p.ID = id
	return p
}

// actor is mostly an account of org, sometimes anyone.
func (m *machine) actor(t *rapid.T, org string) chaintest.Key {
	if k, ok := orgKeys[org]; ok && often(t, "right actor") {
		if org == "supplier" && rapid.Bool().Draw(t, "clerk") {
			return clerk
		}
		return k
	}
	return rapid.SampledFrom(actors).Draw(t, "actor")
}

// exec sends msg as k and returns its result, or false if it was refused —
// which must have written nothing. A message that succeeds must have been
// sent by an account of org (the holder, the bank asked, the issuer), when
// set.
func (m *machine) exec(t *rapid.T, k chaintest.Key, org, typ string, msg any) (finance.Result, bool) {
	before := stateHash(m.kv)
	data, err := m.submit(k, typ, msg)
	if err != nil {
		if e := errs.As(err); e.Kind == errs.KindInternal {
			t.Fatalf("%s as %s: internal error: %v", typ, k.Name, err)
		}
		if stateHash(m.kv) != before {
			t.Fatalf("refused %s as %s wrote state: %v", typ, k.Name, err)
		}
		t.Logf("%s as %s refused: %v", typ, k.Name, err)
		m.lastRefusal = errs.As(err).Code
		return finance.Result{}, false
	}
	if org != "" && orgOf[k.Name] != org {
		t.Fatalf("%s by %s of %s succeeded; only %s may", typ, k.Name, orgOf[k.Name], org)
	}
	var res finance.Result
	if err := canon.Unmarshal(data, &res); err != nil {
		t.Fatalf("%s result: %v", typ, err)
	}
	for _, p := range res.Pieces {
		m.last = max(m.last, p.ID)
		m.pieces[p.ID] = p
	}
	t.Logf("%s as %s: %v", typ, k.Name, ids(res.Pieces))
	return res, true
}

// often is true nine times in ten.
func often(t *rapid.T, label string) bool { return rapid.IntRange(0, 9).Draw(t, label) < 9 }

// issue issues a receivable, mostly a valid one.
func (m *machine) issue(t *rapid.T) {
	if often(t, "good issue") {
		m.issueGood(t)
		return
	}
	k := rapid.SampledFrom([]chaintest.Key{core, rival, supplier}).Draw(t, "issuer")
	to := rapid.SampledFrom([]chaintest.Key{supplier, sub, bank}).Draw(t, "supplier")
	amount := rapid.SampledFrom([]finance.Amount{finance.MaxAmount, finance.MaxAmount + 1, math.MaxInt64, 0, -1}).Draw(t, "amount")
	cur := rapid.SampledFrom([]finance.Currency{"CNY", "XXX", "cny"}).Draw(t, "currency")
	due := finance.DateOf(m.now).AddDays(rapid.IntRange(-1, 30).Draw(t, "term"))
	m.issueMsg(t, k, finance.Issue{Supplier: to.Address(), Amount: amount, Currency: cur, DueDate: due})
}

func (m *machine) issueGood(t *rapid.T) {
	k := rapid.SampledFrom([]chaintest.Key{core, rival}).Draw(t, "issuer")
	to := rapid.SampledFrom([]chaintest.Key{supplier, clerk, sub, tier3}).Draw(t, "supplier")
	amount := finance.Amount(rapid.Int64Range(1, 1e9).Draw(t, "amount"))
	cur := rapid.SampledFrom([]finance.Currency{"CNY", "JPY", "KWD"}).Draw(t, "currency")
	due := finance.DateOf(m.now).AddDays(rapid.IntRange(1, 120).Draw(t, "term"))
	m.issueMsg(t, k, finance.Issue{Supplier: to.Address(), Amount: amount, Currency: cur, DueDate: due})
}

// issueMsg issues msg with one of a few invoices, so that some are in use:
// an invoice backs at most one receivable its supplier has not rejected.
func (m *machine) issueMsg(t *rapid.T, k chaintest.Key, msg finance.Issue) {
	invoice := rapid.IntRange(1, 6).Draw(t, "invoice")
	msg.InvoiceSHA256, msg.ContractSHA256 = hashOf(fmt.Sprint("invoice ", invoice)), hashOf("contract")
	backed := m.backedBy(msg.InvoiceSHA256)
	res, ok := m.exec(t, k, "", finance.TypeIssue, msg)
	if ok && backed != 0 {
		t.Fatalf("invoice %d issued again while receivable %d holds it", invoice, backed)
	}
	if !ok && backed == 0 && m.lastRefusal == finance.ErrInvoiceUsed.Code {
		t.Fatalf("invoice %d refused as in use, but no receivable holds it", invoice)
	}
	if ok {
		p := res.Pieces[0]
		m.roots = append(m.roots, p.ID)
		m.face[p.ID] = p.Amount
	}
}

// backedBy is the receivable invoice backs, by the results so far, or 0.
func (m *machine) backedBy(invoice chain.Hash) finance.ID {
	for _, root := range m.roots {
		if r := m.pieces[root]; r.InvoiceSHA256 == invoice && r.State != finance.StateRejected && r.State != finance.StateCancelled {
			return root
		}
	}
	return 0
}

func (m *machine) accept(t *rapid.T) {
	p := m.pick(t, finance.StateIssued)
	m.exec(t, m.actor(t, p.Holder), p.Holder, finance.TypeAccept, finance.Accept{ID: p.ID})
}

func (m *machine) reject(t *rapid.T) {
	p := m.pick(t, finance.StateIssued)
	_, ok := m.exec(t, m.actor(t, p.Holder), p.Holder, finance.TypeReject, finance.Reject{ID: p.ID, Reason: "no"})
	m.answered(t, p, finance.TypeReject, ok)
}

func (m *machine) cancel(t *rapid.T) {
	p := m.pick(t, finance.StateIssued)
	_, ok := m.exec(t, m.actor(t, p.Issuer), p.Issuer, finance.TypeCancel, finance.Cancel{ID: p.ID, Reason: "issued in error"})
	m.answered(t, p, finance.TypeCancel, ok)
}

// answered checks that a reject or cancel of p that succeeded found p
// issued: only a receivable its supplier has not answered may be refused or
// withdrawn.
func (m *machine) answered(t *rapid.T, p finance.Receivable, typ string, ok bool) {
	if ok && p.State != finance.StateIssued {
		t.Fatalf("%s of piece %d succeeded in state %s", typ, p.ID, p.State)
	}
}

func (m *machine) split(t *rapid.T) {
	p := m.pick(t, finance.StateAccepted)
	n := rapid.IntRange(2, 5).Draw(t, "pieces")
	var amounts []finance.Amount
	switch {
	case p.Amount < finance.Amount(n) || !often(t, "summing"):
		amounts = []finance.Amount{p.Amount, 1}
	case !often(t, "in range"): // wrapping around int64 to the parent's amount
		amounts = []finance.Amount{math.MaxInt64, math.MaxInt64, p.Amount + 2}
	default: // n−1 distinct cuts of the amount
		cuts := rapid.SliceOfNDistinct(rapid.Int64Range(1, int64(p.Amount)-1), n-1, n-1, func(v int64) int64 { return v }).Draw(t, "cuts")
		slices.Sort(cuts)
		prev := int64(0)
		for _, c := range append(cuts, int64(p.Amount)) {
			amounts = append(amounts, finance.Amount(c-prev))
			prev = c
		}
	}
	m.exec(t, m.actor(t, p.Holder), p.Holder, finance.TypeSplit, finance.Split{ID: p.ID, Amounts: amounts})
}

func (m *machine) transfer(t *rapid.T) {
	p := m.pick(t, finance.StateAccepted)
	to := rapid.SampledFrom([]chaintest.Key{sub, tier3, supplier, clerk, bank}).Draw(t, "to")
	if _, ok := m.exec(t, m.actor(t, p.Holder), p.Holder, finance.TypeTransfer, finance.Transfer{ID: p.ID, To: to.Address()}); ok && p.Overdue(m.now) {
		t.Fatalf("overdue piece %d transferred on %s", p.ID, finance.DateOf(m.now))
	}
}

func (m *machine) request(t *rapid.T) {
	p := m.pick(t, finance.StateAccepted)
	b := rapid.SampledFrom([]chaintest.Key{bank, bank2, sub}).Draw(t, "bank")
	msg := finance.RequestFinancing{ID: p.ID, Bank: b.Address()}
	if rapid.Bool().Draw(t, "rate limit") {
		limit := rapid.Uint32Range(0, 1000).Draw(t, "max rate")
		msg.MaxRateBps = &limit
	}
	m.exec(t, m.actor(t, p.Holder), p.Holder, finance.TypeRequestFinancing, msg)
}

// asked is the bank a piece's financing was last asked of.
func asked(p finance.Receivable) string {
	if p.Request != nil {
		return p.Request.Bank
	}
	return "bank"
}

func (m *machine) approve(t *rapid.T) {
	p := m.pick(t, finance.StateFinancingRequested)
	rate := rapid.OneOf(rapid.Uint32Range(0, 1000), rapid.Uint32Range(0, finance.MaxRateBps+100)).Draw(t, "rate")
	if _, ok := m.exec(t, m.actor(t, asked(p)), asked(p), finance.TypeApproveFinancing, finance.ApproveFinancing{ID: p.ID, RateBps: rate, PaymentRef: "TT"}); ok {
		if p.Request != nil && p.Request.MaxRateBps != nil && rate > *p.Request.MaxRateBps {
			t.Fatalf("piece %d financed at %d bps, above its holder's %d", p.ID, rate, *p.Request.MaxRateBps)
		}
		if m.approved[p.ID]++; m.approved[p.ID] > 1 {
			t.Fatalf("piece %d financed twice", p.ID)
		}
	}
}

func (m *machine) decline(t *rapid.T) {
	p := m.pick(t, finance.StateFinancingRequested)
	m.exec(t, m.actor(t, asked(p)), asked(p), finance.TypeDeclineFinancing, finance.DeclineFinancing{ID: p.ID, Reason: "no"})
}

// withdraw withdraws a request, which binds its holder for
// WithdrawAfterDays: before then only the bank may end it.
func (m *machine) withdraw(t *rapid.T) {
	p := m.pick(t, finance.StateFinancingRequested)
	_, ok := m.exec(t, m.actor(t, p.Holder), p.Holder, finance.TypeWithdrawFinancing, finance.WithdrawFinancing{ID: p.ID})
	if p.State != finance.StateFinancingRequested {
		return
	}
	binding := finance.DateOf(m.now) < p.WithdrawableFrom()
	if ok && binding {
		t.Fatalf("request of piece %d withdrawn on %s, while it binds", p.ID, finance.DateOf(m.now))
	}
	if !ok && !binding && m.lastRefusal == finance.ErrRequestBinding.Code {
		t.Fatalf("request of piece %d refused as binding on %s", p.ID, finance.DateOf(m.now))
	}
}

func (m *machine) settle(t *rapid.T) {
	p := m.pick(t, finance.StateAccepted, finance.StateFinancingRequested, finance.StateFinanced, finance.StateSplit)
	res, ok := m.exec(t, m.actor(t, p.Issuer), p.Issuer, finance.TypeSettle, finance.Settle{ID: p.ID, PaymentRef: "PAY"})
	if ok && p.State == finance.StateFinancingRequested && finance.DateOf(m.now) < p.WithdrawableFrom() {
		t.Fatalf("piece %d settled on %s, while its financing request binds", p.ID, finance.DateOf(m.now))
	}
	if !ok {
		return
	}
	for _, q := range res.Pieces {
		if _, again := m.frozen[q.ID]; again || q.State != finance.StateSettled {
			t.Fatalf("piece %d settled again, or not: %s", q.ID, q.State)
		}
		m.frozen[q.ID] = canon.MustMarshal(q)
	}
}

// advance lets days pass: pieces fall due and become overdue.
func (m *machine) advance(t *rapid.T) {
	m.now = m.now.Add(time.Duration(rapid.IntRange(1, 60).Draw(t, "days")) * 24 * time.Hour)
}

func (m *machine) check(t *rapid.T) {
	var all []finance.Receivable
	for _, root := range m.roots {
		pieces, err := finance.Tree(m.kv, root)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, pieces...)
		r := pieces[0]
		if r.ID != root || r.Amount != m.face[root] {
			t.Fatalf("tree %d starts with %d of %d", root, r.ID, r.Amount)
		}
		byID := map[finance.ID]finance.Receivable{}
		for _, p := range pieces {
			byID[p.ID] = p
		}
		var leaves []finance.Amount
		for _, p := range pieces {
			if !bytes.Equal(canon.MustMarshal(p), canon.MustMarshal(m.pieces[p.ID])) {
				t.Fatalf("piece %d is not what the last result said", p.ID)
			}
			if p.Root != root || p.Currency != r.Currency || p.DueDate != r.DueDate || p.Issuer != r.Issuer {
				t.Fatalf("piece %d strays from its tree %d: %+v", p.ID, root, p)
			}
			if p.Amount <= 0 || p.Amount > finance.MaxAmount {
				t.Fatalf("piece %d amounts to %d", p.ID, p.Amount)
			}
			if p.State == finance.StateSplit {
				var parts []finance.Amount
				for _, c := range p.Children {
					child, ok := byID[c]
					if !ok || child.Parent != p.ID || child.Depth != p.Depth+1 {
						t.Fatalf("piece %d of %d is not in the tree below it", c, p.ID)
					}
					parts = append(parts, child.Amount)
				}
				if sum, err := finance.SumAmounts(parts); err != nil || sum != p.Amount || len(parts) < 2 {
					t.Fatalf("pieces of %d sum to %d (%v), not %d", p.ID, sum, err, p.Amount)
				}
			} else {
				leaves = append(leaves, p.Amount)
				if r.State != finance.StateIssued && r.State != finance.StateRejected && r.State != finance.StateCancelled && !p.State.Unpaid() && p.State != finance.StateSettled {
					t.Fatalf("leaf %d of accepted receivable %d is %s", p.ID, root, p.State)
				}
			}
			if f := p.Financing; f != nil {
				d, err := finance.Discount(p.Amount, f.RateBps, f.Days)
				if err != nil || d != f.Discount || f.Payout <= 0 || f.Discount+f.Payout != p.Amount || f.Date.AddDays(f.Days) != p.DueDate ||
					p.State != finance.StateFinanced && p.State != finance.StateSettled {
					t.Fatalf("financing of %d does not add up: %+v", p.ID, f)
				}
			}
			if p.State == finance.StateFinanced && p.Holder != p.Financing.Org {
				t.Fatalf("financed piece %d is held by %s", p.ID, p.Holder)
			}
			if frozen, ok := m.frozen[p.ID]; ok != (p.State == finance.StateSettled) || ok && !bytes.Equal(frozen, canon.MustMarshal(p)) {
				t.Fatalf("settled piece %d changed", p.ID)
			}
		}
		if sum, err := finance.SumAmounts(leaves); err != nil || sum != r.Amount {
			t.Fatalf("leaves of %d sum to %d (%v), not its face %d", root, sum, err, r.Amount)
		}
	}
	if len(all) != int(m.last) {
		t.Fatalf("%d pieces in trees, %d created", len(all), m.last)
	}
}

// checkListings checks that every listing lists exactly the pieces whose
// records say they belong in it.
func (m *machine) checkListings(t *rapid.T) {
	now := m.now
	var all []finance.Receivable
	for id := finance.ID(1); id <= m.last; id++ {
		all = append(all, m.pieces[id])
	}
	want := func(keep func(p finance.Receivable) bool) []finance.ID {
		var out []finance.ID
		for _, p := range all {
			if keep(p) {
				out = append(out, p.ID)
			}
		}
		slices.Sort(out)
		return out
	}
	got := func(fn func(r chain.Reader, after string) (finance.Page, error)) []finance.ID {
		var out []finance.ID
		for after := ""; ; {
			page, err := fn(m.kv, after)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ids(page.Items)...)
			if after = page.Next; after == "" {
				break
			}
		}
		slices.Sort(out)
		return out
	}
	same := func(what string, got, want []finance.ID) {
		if !slices.Equal(got, want) {
			t.Fatalf("%s lists %v, records say %v", what, got, want)
		}
	}
	for _, org := range holders {
		same("held by "+org, got(func(r chain.Reader, after string) (finance.Page, error) {
			return finance.ListByHolder(r, finance.HolderFilter{Org: org}, after, 0)
		}), want(func(p finance.Receivable) bool { return p.Holder == org }))
		same("accepted by "+org, got(func(r chain.Reader, after string) (finance.Page, error) {
			return finance.ListByHolder(r, finance.HolderFilter{Org: org, State: finance.StateAccepted}, after, 0)
		}), want(func(p finance.Receivable) bool { return p.Holder == org && p.State == finance.StateAccepted }))
		same("overdue at "+org, got(func(r chain.Reader, after string) (finance.Page, error) {
			return finance.Overdue(r, org, now, after, 0)
		}), want(func(p finance.Receivable) bool { return p.Holder == org && p.Overdue(now) }))
		same("asked of "+org, got(func(r chain.Reader, after string) (finance.Page, error) {
			return finance.FinancingRequests(r, org, after, 0)
		}), want(func(p finance.Receivable) bool {
			return p.State == finance.StateFinancingRequested && p.Request.Bank == org
		}))
	}
	for _, org := range []string{"core", "rival"} {
		same("due soon at "+org, got(func(r chain.Reader, after string) (finance.Page, error) {
			return finance.DueSoon(r, org, now, finance.MaxTermDays, after, 0)
		}), want(func(p finance.Receivable) bool { return p.Issuer == org && p.State.Unpaid() && !p.Overdue(now) }))
		same("owed overdue at "+org, got(func(r chain.Reader, after string) (finance.Page, error) {
			return finance.OverdueOwed(r, org, now, after, 0)
		}), want(func(p finance.Receivable) bool { return p.Issuer == org && p.State.Unpaid() && p.Overdue(now) }))
		same("issued by "+org, got(func(r chain.Reader, after string) (finance.Page, error) {
			return finance.ListIssuedBy(r, org, after, 0)
		}), want(func(p finance.Receivable) bool { return p.Issuer == org && p.ID == p.Root }))
	}
}
