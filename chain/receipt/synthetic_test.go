package receipt_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/merkle"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cometbft/cometbft/types"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/receipt"
	"github.com/chancery/chancery/chain/receipt/receipttest"
	"github.com/chancery/chancery/shared/errs"
)

// Tests on made-up chains (package receipttest) cover what one local
// validator cannot show: several validators, absent votes, set changes.

func txsOf(n int) ([][]byte, []*abci.ExecTxResult) {
	txs := make([][]byte, n)
	results := make([]*abci.ExecTxResult, n)
	for i := range txs {
		txs[i] = fmt.Appendf(nil, "tx %d", i)
		results[i] = &abci.ExecTxResult{Data: fmt.Appendf(nil, `{"n":%d}`, i), Log: "not proven", Codespace: "nor this"}
	}
	return txs, results
}

func genesisSet(doc *types.GenesisDoc) *types.ValidatorSet {
	set, err := receipt.GenesisValidators(doc)
	if err != nil {
		panic(err)
	}
	return set
}

func TestBuildNotReady(t *testing.T) {
	c := receipttest.New("c", "v0")
	txs, results := txsOf(1)
	h := c.AddBlock(txs, results)
	_, err := receipt.Build(context.Background(), c, chain.SumHash(txs[0]), receipt.Location{Height: h, Index: 0})
	if !errors.Is(err, receipt.ErrNotReady) || errs.As(err).Kind != errs.KindUnavailable {
		t.Fatalf("receipt of the latest block: %v, want receipt.not_ready", err)
	}
	c.AddBlock(nil, nil)
	if _, err := receipt.Build(context.Background(), c, chain.SumHash(txs[0]), receipt.Location{Height: h, Index: 0}); err != nil {
		t.Fatalf("once the next block exists: %v", err)
	}
}

// blockCounter counts the blocks a Build reads.
type blockCounter struct {
	*receipttest.Chain
	blocks int
}

func (b *blockCounter) Block(ctx context.Context, h *int64) (*coretypes.ResultBlock, error) {
	b.blocks++
	return b.Chain.Block(ctx, h)
}

// A receipt polled for until it is ready costs a commit lookup a try, not
// the whole block.
func TestBuildNotReadyReadsNoBlock(t *testing.T) {
	c := &blockCounter{Chain: receipttest.New("c", "v0")}
	txs, results := txsOf(1)
	h := c.AddBlock(txs, results)
	for range 3 {
		if _, err := receipt.Build(context.Background(), c, chain.SumHash(txs[0]), receipt.Location{Height: h, Index: 0}); !errors.Is(err, receipt.ErrNotReady) {
			t.Fatalf("receipt of the latest block: %v", err)
		}
	}
	if c.blocks != 0 {
		t.Fatalf("%d blocks read while the receipt was not ready, want none", c.blocks)
	}
}

func TestBuildWrongLocation(t *testing.T) {
	c := receipttest.New("c", "v0")
	txs, results := txsOf(2)
	h := c.AddBlock(txs, results)
	// Two more blocks: at the latest one, Build says only that it is not
	// ready, without reading the block.
	c.AddBlock(nil, nil)
	c.AddBlock(nil, nil)
	for _, loc := range []receipt.Location{{Height: h, Index: 1}, {Height: h, Index: 5}, {Height: h + 1, Index: 0}, {Height: 0}} {
		if _, err := receipt.Build(context.Background(), c, chain.SumHash(txs[0]), loc); !errors.Is(err, receipt.ErrBuild) {
			t.Errorf("Build at %+v: %v, want receipt.build_failed", loc, err)
		}
	}
}

func TestReceiptManyValidators(t *testing.T) {
	ctx := context.Background()
	build := func(c *receipttest.Chain, txs [][]byte, results []*abci.ExecTxResult, i int) (*receipt.Receipt, error) {
		h := c.AddBlock(txs, results)
		c.AddBlock(nil, nil)
		return receipt.Build(ctx, c, chain.SumHash(txs[i]), receipt.Location{Height: h, Index: uint32(i)})
	}
	txs, results := txsOf(5)

	c := receipttest.New("four", "v0", "v1", "v2", "v3")
	trusted := genesisSet(c.Genesis())
	r, err := build(c, txs, results, 3)
	if err != nil {
		t.Fatal(err)
	}
	p, err := receipt.Verify(r, trusted)
	if err != nil || string(p.Data) != `{"n":3}` {
		t.Fatalf("verify: %+v %v", p, err)
	}
	if len(r.TxProof.Proof.Aunts) == 0 || len(r.ResultProof.Aunts) == 0 {
		t.Fatal("a five-tx block must give proofs with aunts")
	}
	// Each aunt of each proof matters.
	for i := range r.TxProof.Proof.Aunts {
		bad := decodeCopy(t, r)
		bad.TxProof.Proof.Aunts[i][0] ^= 1
		if _, err := receipt.Verify(bad, trusted); err == nil || !strings.Contains(err.Error(), "tx_proof") {
			t.Errorf("tx_proof aunt %d flipped: %v", i, err)
		}
	}
	for i := range r.ResultProof.Aunts {
		bad := decodeCopy(t, r)
		bad.ResultProof.Aunts[i][31] ^= 1
		if _, err := receipt.Verify(bad, trusted); err == nil || !strings.Contains(err.Error(), "result_proof") {
			t.Errorf("result_proof aunt %d flipped: %v", i, err)
		}
	}
	// Another tx's result at another position does not pass for this one.
	swapped := decodeCopy(t, r)
	other, err := build(c, txs, results, 1)
	if err != nil {
		t.Fatal(err)
	}
	swapped.Result, swapped.ResultProof = other.Result, other.ResultProof
	if _, err := receipt.Verify(swapped, nil); err == nil || !strings.Contains(err.Error(), "result_proof and tx_proof disagree: the result is 1 of 5, the tx 3 of 5") {
		t.Fatalf("result of another tx: %v", err)
	}

	// One of four absent: 3/4 of the power is more than 2/3.
	c.Absent[string(c.Genesis().Validators[2].Address)] = true
	r, err = build(c, txs, results, 0)
	if err != nil {
		t.Fatalf("one validator absent: %v", err)
	}
	if _, err := receipt.Verify(r, trusted); err != nil {
		t.Fatalf("one validator absent: %v", err)
	}
	// Two of four absent: not enough, and the node will not hand it out.
	c.Absent[string(c.Genesis().Validators[0].Address)] = true
	if _, err := build(c, txs, results, 0); !errors.Is(err, receipt.ErrBuild) || !strings.Contains(err.Error(), "commit of height") {
		t.Fatalf("two validators absent: %v", err)
	}
}

func TestReceiptAcrossValidatorChange(t *testing.T) {
	c := receipttest.New("changing", "v0", "v1")
	txs, results := txsOf(1)
	c.ChangeValidators("v0", "v1", "v2")
	h := c.AddBlock(txs, results)
	c.AddBlock(nil, nil)
	_, err := receipt.Build(context.Background(), c, chain.SumHash(txs[0]), receipt.Location{Height: h})
	if !errors.Is(err, receipt.ErrBuild) || !strings.Contains(err.Error(), "validator_set: the set changes between heights 1 and 2") {
		t.Fatalf("receipt across a validator change: %v", err)
	}
	// After the change, receipts work again, trusting the new set.
	h = c.AddBlock(txs, results)
	c.AddBlock(nil, nil)
	r, err := receipt.Build(context.Background(), c, chain.SumHash(txs[0]), receipt.Location{Height: h})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := receipt.Verify(r, genesisSet(c.Genesis())); err == nil || !strings.Contains(err.Error(), "is not the trusted validator set") {
		t.Fatalf("the genesis set no longer signs: %v", err)
	}
}

// TestReceiptRoundTrip builds the receipt of every tx of blocks of 1 to 5
// txs and checks that its JSON decodes and verifies.
func TestReceiptRoundTrip(t *testing.T) {
	c := receipttest.New("round-trip", "v0", "v1")
	for n := 1; n <= 5; n++ {
		txs, results := txsOf(n)
		results[n-1].Data = nil // no data
		h := c.AddBlock(txs, results)
		c.AddBlock(nil, nil)
		for i := range txs {
			r, err := receipt.Build(context.Background(), c, chain.SumHash(txs[i]), receipt.Location{Height: h, Index: uint32(i)})
			if err != nil {
				t.Fatalf("%d txs, tx %d: %v", n, i, err)
			}
			if _, err := receipt.Verify(decodeCopy(t, r), genesisSet(c.Genesis())); err != nil {
				t.Fatalf("%d txs, tx %d: after a JSON round trip: %v", n, i, err)
			}
		}
	}
}

// decodeCopy deep-copies a receipt through its JSON.
func decodeCopy(t testing.TB, r *receipt.Receipt) *receipt.Receipt {
	t.Helper()
	b, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, b)
}

// syntheticReceipt is a fixed, valid receipt from a made-up chain with the
// given number of validators, for fuzzing and benchmarks.
func syntheticReceipt(t testing.TB, validators int) []byte {
	t.Helper()
	names := make([]string, validators)
	for i := range names {
		names[i] = fmt.Sprintf("v%d", i)
	}
	c := receipttest.New("synthetic", names...)
	txs, results := txsOf(3)
	h := c.AddBlock(txs, results)
	c.AddBlock(nil, nil)
	r, err := receipt.Build(context.Background(), c, chain.SumHash(txs[1]), receipt.Location{Height: h, Index: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// syntheticLeafReceipt is syntheticReceipt of a transaction that anchored a
// batch of the hashes of "a", "b", "c"… (members of them), with the leaf of
// the last.
func syntheticLeafReceipt(t testing.TB, members int) []byte {
	t.Helper()
	batch := [][]byte{}
	for i := range members {
		h := chain.SumHash([]byte{'a' + byte(i)})
		batch = append(batch, h[:])
	}
	root, proofs := merkle.ProofsFromByteSlices(batch)
	c := receipttest.New("synthetic", "v0")
	txs, results := txsOf(3)
	results[1].Data = fmt.Appendf(nil, `{"batch":1,"root":"%x","count":%d}`, root, members)
	h := c.AddBlock(txs, results)
	c.AddBlock(nil, nil)
	r, err := receipt.Build(context.Background(), c, chain.SumHash(txs[1]), receipt.Location{Height: h, Index: 1})
	if err != nil {
		t.Fatal(err)
	}
	last := members - 1
	leaf := &receipt.Leaf{SHA256: chain.Hash(batch[last]), Index: int64(last), Total: int64(members)}
	for _, a := range proofs[last].Aunts {
		leaf.Aunts = append(leaf.Aunts, chain.Hash(a))
	}
	r.Leaf = leaf
	b, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSyntheticLeafReceipt(t *testing.T) {
	raw := syntheticLeafReceipt(t, 3)
	p, err := receipt.Verify(decode(t, raw), nil)
	if err != nil || p.Leaf == nil || p.Leaf.Index != 2 || p.Leaf.Total != 3 {
		t.Fatalf("leaf receipt: %+v, %v", p, err)
	}
	// The leaf's hash is what it proves: another one fails.
	other := strings.Replace(string(raw), chain.SumHash([]byte("c")).String(), chain.SumHash([]byte("d")).String(), 1)
	if _, err := receipt.Verify(decode(t, []byte(other)), nil); err == nil {
		t.Fatal("a leaf of a hash not in the batch verified")
	}
}

// The leaf of a one-member batch has no aunts, written [] — its one form:
// null is refused, as every other second spelling of a receipt is.
func TestLeafWithoutAunts(t *testing.T) {
	raw := syntheticLeafReceipt(t, 1)
	if !bytes.Contains(raw, []byte(`"aunts":[]`)) {
		t.Fatalf("a one-member batch's leaf is not written with \"aunts\":[]: %s", raw)
	}
	if _, err := receipt.Verify(decode(t, raw), nil); err != nil {
		t.Fatalf("one-member batch: %v", err)
	}
	if _, err := receipt.Decode(bytes.Replace(raw, []byte(`"aunts":[]`), []byte(`"aunts":null`), 1)); err == nil {
		t.Fatal(`"aunts":null decoded beside "aunts":[]`)
	}
	// However the leaf was built, it is written the one way.
	r := decode(t, raw)
	r.Leaf.Aunts = nil
	if again, err := r.MarshalJSON(); err != nil || !bytes.Equal(again, raw) {
		t.Fatalf("a leaf with nil aunts encodes as %s (%v)", again, err)
	}
}
