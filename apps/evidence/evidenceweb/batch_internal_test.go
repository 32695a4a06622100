package evidenceweb

import (
	"bytes"
	"strings"
	"testing"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/storage/fs"
)

// An anchor is signed by its depositor, who may name any blob as its leaves:
// the proof routes (public) refuse a file that is not the batch's leaves —
// too large to be, a count or root that differs — with evidence.bad_leaves,
// and serve proofs for one that is.
func TestProofCacheChecksTheLeavesFile(t *testing.T) {
	blobs, err := fs.Open(t.TempDir(), 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	put := func(content []byte) chain.Hash {
		b, err := blobs.Put(t.Context(), bytes.NewReader(content), storage.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return b.SHA256
	}
	hashes := []chain.Hash{chain.SumHash([]byte("a")), chain.SumHash([]byte("b")), chain.SumHash([]byte("c"))}
	root := evidence.BatchRoot(hashes)
	leaves := put(evidence.LeavesFile(hashes))
	for _, tc := range []struct {
		name  string
		batch evidence.Batch
		want  string // error code; "" for proofs
	}{
		{"its leaves", evidence.Batch{ID: 1, Root: root, Count: 3, LeavesSHA256: leaves}, ""},
		{"a large blob", evidence.Batch{ID: 2, Root: root, Count: 3, LeavesSHA256: put(bytes.Repeat([]byte("x"), 1<<20))}, "evidence.bad_leaves"},
		{"fewer than the count", evidence.Batch{ID: 3, Root: evidence.BatchRoot(hashes[:2]), Count: 3, LeavesSHA256: put(evidence.LeavesFile(hashes[:2]))}, "evidence.bad_leaves"},
		{"another root", evidence.Batch{ID: 4, Root: chain.SumHash([]byte("r")), Count: 3, LeavesSHA256: leaves}, "evidence.bad_leaves"},
		{"not hashes", evidence.Batch{ID: 5, Root: root, Count: 3, LeavesSHA256: put([]byte(strings.Repeat("zz\n", 3)))}, "evidence.bad_leaves"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pc proofCache
			p, err := pc.get(t.Context(), blobs, tc.batch)
			if tc.want == "" {
				if err != nil || len(p.proofs) != 3 || p.index[hashes[2]] != 2 {
					t.Fatalf("proofs of the batch's own leaves: %+v, %v", p, err)
				}
				return
			}
			if e := errs.As(err); e == nil || e.Code != tc.want {
				t.Fatalf("error = %v, want %s", err, tc.want)
			}
		})
	}
}
