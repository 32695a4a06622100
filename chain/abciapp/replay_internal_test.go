package abciapp

import (
	"testing"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/store"
	"github.com/chancery/chancery/chain/tx"
)

// TestReplayed checks the replay check of a block: committed state is read
// unless a check found the body unexecuted at the height the block builds
// on, and the block's own writes always count.
func TestReplayed(t *testing.T) {
	committedBody := &tx.Tx{BodyHash: chain.SumHash([]byte("executed in block 1"))}
	committedBody.Body.ValidUntil = 100
	freshBody := &tx.Tx{BodyHash: chain.SumHash([]byte("never executed"))}
	freshBody.Body.ValidUntil = 100

	tests := []struct {
		name         string
		t            *tx.Tx
		replayFreeAt int64 // the block is at height 3, over committed height 2
		inBlock      bool  // executed earlier in the same block
		want         bool
	}{
		{"committed, never checked", committedBody, 0, false, true},
		{"committed, an older check does not count", committedBody, 1, false, true},
		{"fresh, checked at the block's base", freshBody, 2, false, false},
		{"fresh, never checked", freshBody, 0, false, false},
		{"fresh, checked, earlier in the block", freshBody, 2, true, true},
		{"fresh, unchecked, earlier in the block", freshBody, 0, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := store.Open(store.Options{InMemory: true})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var prev []byte
			for h := int64(1); h <= 2; h++ {
				blk := st.NewBlock(h)
				if h == 1 {
					rememberBody(blk, committedBody)
				}
				prev = blk.Finish(prev)
				if _, err := st.Commit(blk); err != nil {
					t.Fatal(err)
				}
			}

			blk := st.NewBlock(3)
			defer blk.Discard()
			if tc.inBlock {
				rememberBody(blk, tc.t)
			}
			c := &checked{Tx: tc.t}
			c.replayFreeAt.Store(tc.replayFreeAt)
			if got := replayed(blk, c, 3); got != tc.want {
				t.Errorf("replayed = %v, want %v", got, tc.want)
			}
		})
	}
}
