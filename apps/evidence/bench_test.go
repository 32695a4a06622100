package evidence_test

import (
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
)

// BenchmarkDepositPath is the CPU one evidence deposit costs a single
// validator, on one goroutine, without consensus or a load driver: Precheck
// (as the API runs it), CheckTx, then FinalizeBlock and Commit in blocks of
// 2,000, Badger's write of each block included, over a state on disk that
// already holds 50,000 deposits. That is our share of what bounds
// `chancery bench` on two cores, without its scheduling noise (Badger's
// compactions, on goroutines of their own, are partly left out): compare
// changes with -benchtime 20x -count 8 and benchstat (docs/benchmarks.md).
func BenchmarkDepositPath(b *testing.B) {
	const perBlock, prefill = 2000, 50_000
	mk := members.NewKeeper()
	c := chaintest.New(b, chaintest.Options{
		Dir:       b.TempDir(),
		Auth:      mk,
		Modules:   []chain.Module{members.NewModule(), evidence.NewModule(evidence.NewKeeper(mk))},
		Genesis:   genesis(),
		BlockTime: 250 * time.Millisecond,
	})
	signers := []chaintest.Key{notary, notary2, lab}
	made := 0
	sign := func() [][]byte {
		txs := make([][]byte, perBlock)
		for i := range txs {
			made++
			txs[i] = c.Sign(signers[made%len(signers)], evidence.ModuleName, evidence.TypeDeposit, evidence.Deposit{
				SHA256: chain.SumHash(fmt.Appendf(nil, "file %d", made)), Size: 1 << 20, MediaType: "application/pdf",
				FileName: fmt.Sprintf("contract-%d.pdf", made), Title: fmt.Sprintf("Contract %d", made), Stored: true,
			})
		}
		return txs
	}
	// block is chaintest's Execute (not Block, whose lookups of each result
	// in the index a node does not make), then Badger's write of the block,
	// which runs in the background: waited for so that it is measured, not
	// overlapped with signing.
	block := func(txs [][]byte) {
		results := c.Execute(txs...)
		if err := c.Store.Flush(); err != nil {
			b.Fatal(err)
		}
		for _, r := range results {
			if r.Code != abci.CodeTypeOK {
				b.Fatalf("deposit failed: %s", r.Log)
			}
		}
	}
	for range prefill / perBlock {
		block(sign())
	}

	for b.Loop() {
		b.StopTimer()
		txs := sign()
		b.StartTimer()
		for _, raw := range txs {
			release, err := c.App.Precheck(raw)
			if err == nil {
				err = c.CheckTx(raw)
			}
			release()
			if err != nil {
				b.Fatal(err)
			}
		}
		block(txs)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*perBlock), "µs/tx")
	b.ReportMetric(0, "ns/op") // a block's time: µs/tx says it per deposit
}
