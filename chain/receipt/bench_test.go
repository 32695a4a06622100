package receipt_test

import (
	"fmt"
	"testing"

	"github.com/chancery/chancery/chain/receipt"
)

// BenchmarkVerify measures receipt verifications per second: decoding the
// JSON and every check, against a trusted set, for chains of 1 and 4
// validators.
func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{1, 4} {
		raw := syntheticReceipt(b, n)
		r, err := receipt.Decode(raw)
		if err != nil {
			b.Fatal(err)
		}
		trusted := r.ValidatorSet
		b.Run(fmt.Sprintf("validators=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := receipt.Verify(r, trusted); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "receipts/s")
		})
		b.Run(fmt.Sprintf("decode+verify/validators=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				r, err := receipt.Decode(raw)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := receipt.Verify(r, trusted); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "receipts/s")
		})
	}
}
