package store

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/chancery/chancery/chain"
)

// TestReadsWhileWriting holds Badger's write of block 2 and checks that
// every reader sees block 2 meanwhile — point reads, iteration, the index,
// and the next block's replay check of the index — although Badger still
// holds block 1; and that Commit of block 3 waits for the write.
func TestReadsWhileWriting(t *testing.T) {
	s := openTest(t, Options{Dir: t.TempDir()})
	defer s.Close()
	r1, r2 := result(1, 1, 0), result(2, 2, 0)
	commitTest(t, s, map[string][]byte{"a": []byte("1"), "b": []byte("2")}, r1)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}

	gate := make(chan error)
	s.writeHook = func(height int64) error {
		if height == 2 {
			return <-gate
		}
		return nil
	}
	hash2 := commitTest(t, s, map[string][]byte{"a": []byte("2"), "b": nil, "c": []byte("3")}, r2, result(1, 2, 7))

	if got := dump(t, withoutFlush(s))["m/height"]; got != "\x00\x00\x00\x00\x00\x00\x00\x01" {
		t.Fatalf("Badger's height is %x while block 2 is held; the test no longer holds the write", got)
	}
	if h, hash := s.Last(); h != 2 || !bytes.Equal(hash, hash2) {
		t.Errorf("Last() = %d %x, want 2 %x", h, hash, hash2)
	}
	err := s.View(func(r chain.Reader) error {
		for key, want := range map[string]string{"a": "2", "c": "3"} {
			if got := r.Get([]byte(key)); string(got) != want {
				t.Errorf("Get(%s) = %q, want %q", key, got, want)
			}
		}
		if got := r.Get([]byte("b")); got != nil {
			t.Errorf("Get(b) = %q after block 2 deleted it", got)
		}
		var keys []string
		r.Iterate(chain.Range{}, func(k, _ []byte) bool { keys = append(keys, string(k)); return true })
		if want := []string{"a", "c"}; !reflect.DeepEqual(keys, want) {
			t.Errorf("Iterate = %q, want %q", keys, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []*chain.TxResult{r1, r2} {
		if got, ok, err := s.TxResult(want.Hash); err != nil || !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("TxResult(%d) = %+v %v %v, want %+v", want.Index, got, ok, err, want)
		}
	}

	// Block 3 runs over block 2: it reads it, and a failed copy of r2 is not
	// indexed over the original.
	b3 := buildBlock(s, map[string][]byte{"d": []byte("4")}, result(2, 3, 9))
	if got := b3.Get([]byte("a")); string(got) != "2" {
		t.Errorf("block 3 reads a = %q, want 2", got)
	}
	b3.Finish(hash2)
	committed := make(chan error)
	go func() {
		indexed, err := s.Commit(b3)
		if err == nil && len(indexed) != 0 {
			err = errors.New("block 3 indexed the failed copy of r2")
		}
		committed <- err
	}()
	// Not a timing assertion: a Commit that does not wait returns at once.
	select {
	case err := <-committed:
		t.Fatalf("Commit of block 3 returned (err %v) while block 2 was being written", err)
	case <-time.After(100 * time.Millisecond):
	}
	gate <- nil
	if err := <-committed; err != nil {
		t.Fatal(err)
	}
	db := dump(t, s)
	if db["m/height"] != "\x00\x00\x00\x00\x00\x00\x00\x03" || db["sd"] != "4" || db["sa"] != "2" {
		t.Errorf("Badger after the writes: height %x, a %q, d %q", db["m/height"], db["sa"], db["sd"])
	}
	if got, _, _ := s.TxResult(r2.Hash); !reflect.DeepEqual(got, r2) {
		t.Errorf("TxResult(r2) = %+v after block 3, want the original %+v", got, r2)
	}
}

// TestLostWrite fails Badger's write of block 2, as a crash would lose it:
// readers still see block 2, Flush and every later Commit report the error,
// the reopened store is at block 1, the height from which CometBFT's
// handshake replays block 2, and the replay gives block 2's app hash.
func TestLostWrite(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, Options{Dir: dir})
	hash1 := commitTest(t, s, map[string][]byte{"a": []byte("1")}, result(1, 1, 0))
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	s.writeHook = func(height int64) error {
		if height == 2 {
			return errors.New("disk full")
		}
		return nil
	}
	hash2 := commitTest(t, s, map[string][]byte{"a": []byte("2")}, result(2, 2, 0))
	err := s.Flush()
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("disk full")) {
		t.Fatalf("Flush = %v, want the write's error", err)
	}
	if h, _ := s.Last(); h != 2 {
		t.Errorf("Last() = %d after the failed write, want 2: readers keep the committed block", h)
	}
	if got := viewGet(t, s, "a"); got != "2" {
		t.Errorf("a = %q after the failed write, want 2", got)
	}
	b3 := buildBlock(s, map[string][]byte{"a": []byte("3")})
	b3.Finish(hash2)
	if _, err := s.Commit(b3); err == nil {
		t.Error("Commit of block 3 succeeded after block 2 was lost")
	}
	if err := s.Close(); err == nil {
		t.Error("Close did not report the lost write")
	}

	s = openTest(t, Options{Dir: dir})
	defer s.Close()
	if h, hash := s.Last(); h != 1 || !bytes.Equal(hash, hash1) {
		t.Errorf("reopened at %d %x, want 1 %x", h, hash, hash1)
	}
	if got := viewGet(t, s, "a"); got != "1" {
		t.Errorf("reopened: a = %q, want 1", got)
	}
	if _, ok, _ := s.TxResult(result(2, 2, 0).Hash); ok {
		t.Error("reopened: block 2's result is indexed")
	}
	// The handshake's replay of block 2 arrives at the app hash CometBFT
	// recorded for it.
	if again := commitTest(t, s, map[string][]byte{"a": []byte("2")}, result(2, 2, 0)); !bytes.Equal(again, hash2) {
		t.Errorf("replayed block 2: app hash %x, want %x as before the loss", again, hash2)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
}

// withoutFlush lets dump read Badger while a write is held: a store whose
// pending block is hidden from Flush.
func withoutFlush(s *Store) *Store { return &Store{db: s.db} }

func viewGet(t *testing.T, s *Store, key string) string {
	t.Helper()
	var v []byte
	if err := s.View(func(r chain.Reader) error { v = r.Get([]byte(key)); return nil }); err != nil {
		t.Fatal(err)
	}
	return string(v)
}
