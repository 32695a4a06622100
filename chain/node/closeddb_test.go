package node

import (
	"testing"

	dbm "github.com/cometbft/cometbft-db"
)

// A read after Close, which CometBFT's reactors may make while the node
// stops, finds nothing instead of failing (and the block store panicking).
func TestGuardedDBReadsEmptyAfterClose(t *testing.T) {
	g := &guardedDB{DB: dbm.NewMemDB()}
	if err := g.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if v, err := g.Get([]byte("k")); err != nil || string(v) != "v" {
		t.Fatalf("Get while open = %q, %v", v, err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := g.Get([]byte("k")); err != nil || v != nil {
		t.Errorf("Get after Close = %q, %v; want nothing and no error", v, err)
	}
	if ok, err := g.Has([]byte("k")); err != nil || ok {
		t.Errorf("Has after Close = %v, %v; want false and no error", ok, err)
	}
	if err := g.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
