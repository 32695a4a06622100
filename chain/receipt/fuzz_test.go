package receipt_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/chancery/chancery/chain/receipt"
)

func FuzzDecodeReceipt(f *testing.F) {
	for _, n := range []int{1, 4} {
		good := syntheticReceipt(f, n)
		f.Add(good)
		f.Add(bytes.Replace(good, []byte(`"code":0`), []byte(`"code":1`), 1))
	}
	leaf := syntheticLeafReceipt(f, 3)
	f.Add(leaf)
	f.Add(syntheticLeafReceipt(f, 1))
	f.Add(bytes.Replace(leaf, []byte(`"total":3`), []byte(`"total":4`), 1))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"version":1,"signed_header":null,"validator_set":{"validators":[{}]}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := receipt.Decode(raw)
		if err != nil {
			return
		}
		p, verr := receipt.Verify(r, nil)
		// Whatever decodes re-encodes, decodes again to the same bytes,
		// and verifies (or fails) the same way.
		again, err := r.MarshalJSON()
		if err != nil {
			t.Fatalf("decoded receipt does not encode: %v", err)
		}
		r2, err := receipt.Decode(again)
		if err != nil {
			t.Fatalf("re-encoded receipt does not decode: %v", err)
		}
		if b, _ := r2.MarshalJSON(); !bytes.Equal(b, again) {
			t.Fatal("encoding is not stable")
		}
		p2, verr2 := receipt.Verify(r2, nil)
		if (verr == nil) != (verr2 == nil) {
			t.Fatalf("verify before re-encoding: %v, after: %v", verr, verr2)
		}
		if verr == nil && !reflect.DeepEqual(p, p2) {
			t.Fatalf("proven before %+v, after %+v", p, p2)
		}
	})
}
