package copyright_test

import (
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/chancery/chancery/apps/copyright"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/shared/errs"
)

// TestSharesProperty runs random sequences of transfer proposals (valid and
// not), approvals and rejections by holders and others, and checks after
// each step that the holders' shares sum to exactly 10,000 with every share
// positive and every holder distinct, that the holder index lists exactly
// the holders, and that a refused step wrote nothing.
func TestSharesProperty(t *testing.T) {
	people := []chaintest.Key{alice, bob, carol, dave, erin, judge}
	completed := 0
	rapid.Check(t, func(rt *rapid.T) {
		h := newHarness(t, chaintest.NewMemKV())
		if _, err := h.run(alice, copyright.TypeRegister, work("w", "W", holder(alice, 6000), holder(bob, 4000))); err != nil {
			rt.Fatal(err)
		}
		pick := func(label string) chaintest.Key { return rapid.SampledFrom(people).Draw(rt, label) }
		for step := range rapid.IntRange(1, 30).Draw(rt, "steps") {
			w, err := copyright.Get(h.kv, 1, h.now)
			if err != nil {
				rt.Fatal(err)
			}
			var transfer uint64
			if w.Pending != nil {
				transfer = w.Pending.N
			}
			before := dump(h.kv)
			var typ string
			var msg any
			switch rapid.IntRange(0, 2).Draw(rt, "action") {
			case 0:
				typ, msg = copyright.TypeProposeTransfer, copyright.ProposeTransfer{Work: 1, Holders: drawHolders(rt, people)}
			case 1:
				typ, msg = copyright.TypeApproveTransfer, copyright.ApproveTransfer{Work: 1, Transfer: max(transfer, 1)}
			case 2:
				typ, msg = copyright.TypeRejectTransfer, copyright.RejectTransfer{Work: 1, Transfer: max(transfer, 1)}
			}
			res, err := h.run(pick("signer"), typ, msg)
			if r, ok := res.(copyright.TransferResult); ok && r.Status == copyright.TransferCompleted {
				completed++
			}
			if err != nil {
				if errs.As(err).Kind == errs.KindInternal {
					rt.Fatalf("step %d: %v", step, err)
				}
				if dump(h.kv) != before {
					rt.Fatalf("step %d: refused %s (%v) wrote state", step, typ, err)
				}
			}
			checkHolders(rt, h.kv, people)
		}
	})
	if completed == 0 {
		t.Fatal("no transfer completed: the generator does not reach the interesting states")
	}
}

// drawHolders draws 1 to 4 holders: mostly a valid split of 10,000, now and
// then a broken one.
func drawHolders(rt *rapid.T, people []chaintest.Key) []copyright.Holder {
	n := rapid.IntRange(1, 4).Draw(rt, "holders")
	ks := rapid.Permutation(people).Draw(rt, "who")[:n]
	cuts := make([]int64, 0, n+1)
	cuts = append(cuts, 0)
	for range n - 1 {
		cuts = append(cuts, rapid.Int64Range(0, copyright.TotalShares).Draw(rt, "cut"))
	}
	cuts = append(cuts, copyright.TotalShares)
	slices.Sort(cuts)
	hs := make([]copyright.Holder, n)
	for i, k := range ks {
		hs[i] = holder(k, cuts[i+1]-cuts[i]) // 0 when two cuts meet: refused
	}
	if rapid.IntRange(0, 9).Draw(rt, "break") == 0 {
		hs[0].Shares += rapid.Int64Range(-20000, 20000).Draw(rt, "delta")
	}
	return hs
}

func checkHolders(rt *rapid.T, r chain.Reader, people []chaintest.Key) {
	w, err := copyright.ByHash(r, hashOf("w"))
	if err != nil {
		rt.Fatal(err)
	}
	var sum int64
	for i, h := range w.Holders {
		if h.Shares <= 0 || slices.ContainsFunc(w.Holders[:i], func(o copyright.Holder) bool { return o.Account == h.Account }) {
			rt.Fatalf("holders %+v", w.Holders)
		}
		sum += h.Shares
	}
	if sum != copyright.TotalShares {
		rt.Fatalf("shares sum to %d: %+v", sum, w.Holders)
	}
	for _, k := range people {
		page, err := copyright.ListByHolder(r, k.Address(), "", 10)
		if err != nil {
			rt.Fatal(err)
		}
		holds := slices.ContainsFunc(w.Holders, func(h copyright.Holder) bool { return h.Account == k.Address() })
		if listed := len(page.Items) == 1; listed != holds {
			rt.Fatalf("%s: listed %v, holds %v", k.Name, listed, holds)
		}
	}
}
