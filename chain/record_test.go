package chain_test

import (
	"slices"
	"testing"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
)

type rec struct {
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

// The cache answers by a record's bytes: a changed record is decoded anew at
// once, a removed one is gone, and a nil or full cache still decodes right.
func TestRecordCache(t *testing.T) {
	key := []byte("k")
	for _, tc := range []struct {
		name  string
		cache *chain.RecordCache[rec]
	}{
		{"cached", chain.NewRecordCache[rec](16)},
		{"nil", nil},
		{"full after one", chain.NewRecordCache[rec](1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kv := chaintest.NewMemKV()
			load := func() (rec, bool) {
				t.Helper()
				v, found, err := tc.cache.Load(kv, key)
				if err != nil {
					t.Fatal(err)
				}
				return v, found
			}
			if _, found := load(); found {
				t.Fatal("found a record in empty state")
			}
			for _, want := range []rec{
				{Name: "a", Roles: []string{"x"}},
				{Name: "a", Roles: []string{"x", "y"}},
				{Name: "b", Roles: []string{}},
				{Name: "a", Roles: []string{"x"}}, // back to the first bytes
			} {
				chain.Save(kv, key, want)
				for range 2 { // a miss, then a hit
					got, found := load()
					if !found || got.Name != want.Name || !slices.Equal(got.Roles, want.Roles) {
						t.Fatalf("got %+v (found %v), want %+v", got, found, want)
					}
				}
			}
			kv.Delete(key)
			if _, found := load(); found {
				t.Fatal("found a deleted record")
			}
		})
	}
}

// A record that does not decode is an error every time, never cached.
func TestRecordCacheBadRecord(t *testing.T) {
	kv := chaintest.NewMemKV()
	kv.Set([]byte("k"), []byte(`{"name":"a","roles":[],"extra":1}`))
	c := chain.NewRecordCache[rec](4)
	for range 2 {
		if _, found, err := c.Load(kv, []byte("k")); !found || err == nil {
			t.Fatalf("found %v, err %v: want an error for a record that does not decode", found, err)
		}
	}
}

func BenchmarkRecordCacheHit(b *testing.B) {
	kv := chaintest.NewMemKV()
	chain.Save(kv, []byte("k"), rec{Name: "account", Roles: []string{"evidence.depositor", "org.admin"}})
	c := chain.NewRecordCache[rec](16)
	for b.Loop() {
		if _, _, err := c.Load(kv, []byte("k")); err != nil {
			b.Fatal(err)
		}
	}
}
