package store_test

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/store"
)

// BenchmarkBlockCommit executes a block of 5,000 transactions, each writing
// 4 keys of 150-byte values through its own cache and indexing its result,
// then Finishes and Commits it to a store on disk with synced writes.
func BenchmarkBlockCommit(b *testing.B) {
	const txs, keysPerTx, valueSize = 5000, 4, 150
	s := openDir(b, b.TempDir()) // on disk: Commit syncs
	defer s.Close()

	value := make([]byte, valueSize)
	for i := range value {
		value[i] = byte(i)
	}
	key := make([]byte, 0, 32)
	for b.Loop() {
		height, prev := s.Last()
		height++
		blk := s.NewBlock(height)
		for i := range txs {
			tx := store.NewCache(blk)
			for k := range keysPerTx {
				key = fmt.Appendf(key[:0], "bench/%08d/%05d/%d", height, i, k)
				binary.BigEndian.PutUint64(value, uint64(height)<<32|uint64(i)<<8|uint64(k))
				tx.Set(key, value)
			}
			tx.WriteTo(blk.Cache)
			blk.Index(&chain.TxResult{
				Hash:   chain.SumHash(binary.BigEndian.AppendUint64(key[:0], uint64(height)<<32|uint64(i))),
				Height: height, Index: uint32(i), Module: "bench", Type: "write",
			})
		}
		blk.Finish(prev)
		if _, err := s.Commit(blk); err != nil {
			b.Fatal(err)
		}
	}
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(txs*keysPerTx*b.N)/secs, "keys/s")
	b.ReportMetric(float64(txs*b.N)/secs, "txs/s")
}

// BenchmarkCacheGet reads through a transaction cache over a block over
// committed state, for keys found at each layer and for missing keys.
func BenchmarkCacheGet(b *testing.B) {
	const committedKeys, blockKeys, txKeys = 10000, 1000, 100
	s := openMem(b)
	keyOf := func(layer string, i int) []byte { return fmt.Appendf(nil, "%s/%06d", layer, i) }
	value := make([]byte, 150)

	height, prev := s.Last()
	blk := s.NewBlock(height + 1)
	for i := range committedKeys {
		blk.Set(keyOf("committed", i), value)
	}
	blk.Finish(prev)
	if _, err := s.Commit(blk); err != nil {
		b.Fatal(err)
	}

	blk = s.NewBlock(2)
	defer blk.Discard()
	for i := range blockKeys {
		blk.Set(keyOf("block", i), value)
	}
	tx := store.NewCache(blk)
	for i := range txKeys {
		tx.Set(keyOf("tx", i), value)
	}

	for _, bc := range []struct {
		layer string
		n     int
		found bool
	}{
		{"tx", txKeys, true},
		{"block", blockKeys, true},
		{"committed", committedKeys, true},
		{"missing", committedKeys, false},
	} {
		keys := make([][]byte, bc.n)
		for i := range keys {
			keys[i] = keyOf(bc.layer, i)
		}
		b.Run(bc.layer, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if v := tx.Get(keys[i%len(keys)]); (v != nil) != bc.found {
					b.Fatalf("Get(%s) = %x", keys[i%len(keys)], v)
				}
				i++
			}
		})
	}
}
