package abciapp_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
)

// BenchmarkBlock measures executing and committing a block of signed
// transactions: decode, signature check, replay check, authorization,
// handler, app hash and the atomic Badger commit. "checked" blocks contain
// transactions this node already verified in CheckTx (the common case for a
// single validator); "unchecked" ones must be batch-verified in the block
// (transactions proposed by another validator).
func BenchmarkBlock(b *testing.B) {
	const txsPerBlock = 2000
	for _, checked := range []bool{true, false} {
		name := "unchecked"
		if checked {
			name = "checked"
		}
		b.Run(fmt.Sprintf("%s/txs=%d", name, txsPerBlock), func(b *testing.B) {
			c := chaintest.New(b, chaintest.Options{
				Auth:    roles{alice.Address(): true},
				Modules: []chain.Module{counterModule{}},
				Genesis: json.RawMessage(`{"counter":{"start":0}}`),
			})
			b.ReportAllocs()
			var total int
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				txs := make([][]byte, txsPerBlock)
				for j := range txs {
					txs[j] = c.Sign(alice, "counter", "add", msgAdd{Name: fmt.Sprintf("c%d-%d", i, j), By: 1})
					if checked {
						if err := c.CheckTx(txs[j]); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.StartTimer()
				for _, r := range c.Execute(txs...) {
					if r.Code != 0 {
						b.Fatalf("tx failed: %s", r.Log)
					}
				}
				total += len(txs)
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "tx/s")
		})
	}
}

// BenchmarkCheckTx measures the mempool check of a new transaction: decode,
// signature, replay, authorization and the simulated run.
func BenchmarkCheckTx(b *testing.B) {
	c := chaintest.New(b, chaintest.Options{
		Auth:    roles{alice.Address(): true},
		Modules: []chain.Module{counterModule{}},
		Genesis: json.RawMessage(`{"counter":{"start":0}}`),
	})
	txs := make([][]byte, 4096)
	for i := range txs {
		txs[i] = c.Sign(alice, "counter", "add", msgAdd{Name: fmt.Sprint("k", i), By: 1})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := c.CheckTx(txs[i%len(txs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}
