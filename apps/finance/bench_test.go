package finance_test

import (
	"testing"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
)

// BenchmarkOperations measures messages a second through the chain's whole
// path short of consensus: CheckTx (signature, the handler against committed
// state), then FinalizeBlock and Commit into the store, 100 transactions a
// block. An iteration is the life of 100 receivables — issue, accept, split
// in two, transfer a piece, request its financing, approve it, settle the
// receivable — 700 messages in 7 blocks. Signing, the client's work, is not
// timed.
func BenchmarkOperations(b *testing.B) {
	c := newChain(b)
	const n = 100
	stage := func(k chaintest.Key, typ string, msg func(i int) any) {
		b.StopTimer()
		txs := make([][]byte, n)
		for i := range txs {
			txs[i] = c.Sign(k, finance.ModuleName, typ, msg(i))
		}
		b.StartTimer()
		for _, tx := range txs {
			if err := c.CheckTx(tx); err != nil {
				b.Fatalf("%s: %v", typ, err)
			}
		}
		for _, res := range c.Block(txs...) {
			if !res.OK() {
				b.Fatalf("%s: %s", typ, res.Log)
			}
		}
	}
	var last finance.ID
	for b.Loop() {
		root := func(i int) finance.ID { return last + finance.ID(i) + 1 }
		piece := func(i int) finance.ID { return last + n + 2*finance.ID(i) + 2 } // the second of root i's pieces
		stage(core, finance.TypeIssue, func(int) any { return issueTo(supplier, 1_000_000, "2026-12-31") })
		stage(supplier, finance.TypeAccept, func(i int) any { return finance.Accept{ID: root(i)} })
		stage(supplier, finance.TypeSplit, func(i int) any {
			return finance.Split{ID: root(i), Amounts: []finance.Amount{600_000, 400_000}}
		})
		stage(supplier, finance.TypeTransfer, func(i int) any { return finance.Transfer{ID: piece(i), To: sub.Address()} })
		stage(sub, finance.TypeRequestFinancing, func(i int) any { return finance.RequestFinancing{ID: piece(i), Bank: bank.Address()} })
		stage(bank, finance.TypeApproveFinancing, func(i int) any {
			return finance.ApproveFinancing{ID: piece(i), RateBps: 365, PaymentRef: "TT"}
		})
		stage(core, finance.TypeSettle, func(i int) any { return finance.Settle{ID: root(i), PaymentRef: "PAY"} })
		last += 3 * n
	}
	b.ReportMetric(float64(b.N*7*n)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkLineage reads the lineage of a receivable split 1,000 times, a
// chain of splits 1,000 deep: Tree returns its 2,001 pieces, Get the deepest
// piece with its 1,000 ancestors.
func BenchmarkLineage(b *testing.B) {
	c := newChain(b)
	submit(b, c, core, finance.TypeIssue, issueTo(supplier, 1_000_000_000, "2026-12-31"))
	submit(b, c, supplier, finance.TypeAccept, finance.Accept{ID: 1})
	var txs [][]byte
	for _, msg := range splitChain(1000) {
		txs = append(txs, c.Sign(supplier, finance.ModuleName, finance.TypeSplit, msg))
	}
	blocks(b, c, txs)

	b.Run("Tree", func(b *testing.B) {
		for b.Loop() {
			pieces := tree(b, c, 1)
			if len(pieces) != 2001 {
				b.Fatalf("%d pieces", len(pieces))
			}
		}
		b.ReportMetric(float64(b.N*2001)/b.Elapsed().Seconds(), "pieces/s")
	})
	b.Run("GetDeepest", func(b *testing.B) {
		for b.Loop() {
			l := view(b, c, func(r chain.Reader) (finance.Lineage, error) { return finance.Get(r, 2001) })
			if len(l.Ancestors) != 1000 {
				b.Fatalf("%d ancestors", len(l.Ancestors))
			}
		}
	})
}
