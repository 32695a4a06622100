package store_test

import (
	"testing"

	"github.com/chancery/chancery/chain"
)

// TestReadsFollowCommits checks point reads against the recent-reads cache:
// after a block changes or deletes keys that were read (and so remembered),
// new snapshots read the new values, while a snapshot opened before the
// commit keeps reading the state it opened on.
func TestReadsFollowCommits(t *testing.T) {
	s := openMem(t)
	commitBlock(t, s, []blockOp{set("a", "1"), set("b", "2")})

	read := func(r chain.Reader) map[string]string {
		out := map[string]string{}
		for _, k := range []string{"a", "b", "c"} {
			if v := r.Get([]byte(k)); v != nil {
				out[k] = string(v)
			}
		}
		return out
	}
	want := func(what string, got map[string]string, kv ...string) {
		t.Helper()
		w := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			w[kv[i]] = kv[i+1]
		}
		if len(got) != len(w) {
			t.Errorf("%s: read %v, want %v", what, got, w)
			return
		}
		for k, v := range w {
			if got[k] != v {
				t.Errorf("%s: read %v, want %v", what, got, w)
				return
			}
		}
	}
	views := func(fn func(chain.Reader)) {
		t.Helper()
		if err := s.View(func(r chain.Reader) error { fn(r); return nil }); err != nil {
			t.Fatal(err)
		}
	}

	// Twice: the second read is answered from what the first remembered.
	for range 2 {
		views(func(r chain.Reader) { want("height 1", read(r), "a", "1", "b", "2") })
	}

	// A snapshot open across the commit of block 2.
	opened, committed, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		views(func(r chain.Reader) {
			close(opened)
			<-committed
			want("snapshot of height 1 after block 2", read(r), "a", "1", "b", "2")
		})
	}()
	<-opened
	commitBlock(t, s, []blockOp{set("a", "10"), del("b"), set("c", "3")})
	close(committed)
	<-done

	for range 2 {
		views(func(r chain.Reader) { want("height 2", read(r), "a", "10", "c", "3") })
	}
	// A block reads the same through its write buffer.
	blk := s.NewBlock(3)
	defer blk.Discard()
	want("block 3", read(blk), "a", "10", "c", "3")
}
