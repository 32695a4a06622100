package copyright_test

import (
	"fmt"
	"testing"

	"github.com/chancery/chancery/apps/copyright"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/chain/store"
)

var (
	benchAdjectives = []string{
		"silent", "golden", "broken", "hidden", "distant", "crimson", "frozen", "hollow", "velvet", "wild",
		"ancient", "bright", "quiet", "restless", "scarlet", "secret", "shining", "silver", "sleeping", "stolen",
		"bitter", "burning", "cold", "dark", "deep", "electric", "empty", "endless", "fallen", "final",
		"first", "gentle", "glass", "green", "grey", "heavy", "iron", "last", "little", "lonely",
		"lost", "lucky", "midnight", "northern", "painted", "pale", "paper", "purple", "river", "rusty",
	}
	benchNouns = func() []string {
		stems := []string{"harbour", "nebula", "garden", "mirror", "lantern", "orchard", "tide", "engine", "letter", "meadow",
			"canyon", "bridge", "comet", "desert", "ember", "feather", "forest", "glacier", "island", "jungle"}
		var out []string
		for _, s := range stems {
			for i := range 10 {
				out = append(out, fmt.Sprint(s, []string{"", "s", "light", "fall", "song", "stone", "ward", "born", "line", "field"}[i]))
			}
		}
		return out // 200 nouns: "nebula", "nebulas", "nebulalight", … so "nebula" begins 10
	}()
	benchNames = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Niklaus"}
)

// benchWork is the i-th of the benchmark's works: titles pair 50 adjectives
// with 200 nouns, so each noun is in 1 work of 200 and each pair in 1 of
// 10,000; authors' first and last names are 1 of 10 each.
func benchWork(i int) copyright.Register {
	return copyright.Register{
		SHA256: hashOf(fmt.Sprint("bench work ", i)), Title: fmt.Sprintf("The %s %s, opus %d", benchAdjectives[i%50], benchNouns[i/50%200], i),
		Kind: copyright.KindText, Authors: []copyright.Author{{Name: benchNames[i%10] + " " + benchNames[i/10%10] + "son"}},
		Created: "2025-01-01", Description: "benchmark work",
	}
}

// BenchmarkSearch searches 100,000 works in a Badger store (in memory), the
// state the node reads from. The works are written through the module's
// handlers straight into store blocks of 10,000 (no transactions, no
// signatures), then committed.
//
// Setup runs on store blocks rather than on a chaintest.MemKV because the
// search is range iteration, and MemKV iterates by sorting every key it
// holds: over 100,000 works it would measure that sort, not the index.
func BenchmarkSearch(b *testing.B) {
	const works, perBlock = 100_000, 10_000
	st, err := store.Open(store.Options{InMemory: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	blk := st.NewBlock(1)
	h := newHarness(b, blk)
	for i := range works {
		if _, err := h.run(alice, copyright.TypeRegister, benchWork(i)); err != nil {
			b.Fatal(err)
		}
		if (i+1)%perBlock == 0 {
			height, prev := st.Last()
			blk.SetTime(h.now)
			blk.Finish(prev)
			if _, err := st.Commit(blk); err != nil {
				b.Fatal(err)
			}
			blk = st.NewBlock(height + 1)
			h.kv = blk
		}
	}
	blk.Discard()

	for _, bc := range []struct {
		name, q string
		want    int // results on the first page of 20
	}{
		{"word", "nebulalight", 20},                // 500 works
		{"prefix", "nebu", 20},                     // 5,000 works under 10 tokens
		{"common-word", "opus", 20},                // every work
		{"two-words", "silent nebulalight", 10},    // 10 of nebulalight's 500
		{"author", "grace adason", 20},             // 1,000 works, 10,000 for each word
		{"no-match", "nebulalight harbour", 0},     // all 500 of nebulalight's read, none match
		{"unknown-word", "nebulalight unheard", 0}, // the probe finds no "unheard"
		{"hash", hashOf("bench work 77777").String(), 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			err := st.View(func(r chain.Reader) error {
				for b.Loop() {
					page, err := copyright.Search(r, bc.q, "", 20)
					if err != nil {
						return err
					}
					if len(page.Items) != bc.want {
						return fmt.Errorf("search %q found %d, want %d", bc.q, len(page.Items), bc.want)
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkRegister measures registrations/s: through the module alone
// (decode, authorize, handle over a MemKV), and through the ABCI application
// as signed transactions — CheckTx, then FinalizeBlock and Commit in blocks
// of 1,000, as a node runs them (signing, the client's work, is not timed;
// ns/op is per block).
func BenchmarkRegister(b *testing.B) {
	b.Run("module", func(b *testing.B) {
		h := newHarness(b, chaintest.NewMemKV())
		i := 0
		for b.Loop() {
			if _, err := h.run(alice, copyright.TypeRegister, benchWork(i)); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registrations/s")
	})
	b.Run("signed", func(b *testing.B) {
		const perBlock = 1000
		c := newChain(b)
		keys := []chaintest.Key{alice, bob, carol}
		n := 0
		for b.Loop() {
			b.StopTimer()
			txs := make([][]byte, perBlock)
			for i := range txs {
				txs[i] = c.Sign(keys[n%len(keys)], copyright.ModuleName, copyright.TypeRegister, benchWork(n))
				n++
			}
			b.StartTimer()
			for _, tx := range txs {
				if err := c.CheckTx(tx); err != nil {
					b.Fatal(err)
				}
			}
			for _, res := range c.Block(txs...) {
				if !res.OK() {
					b.Fatal(res.Log)
				}
			}
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "registrations/s")
	})
}
