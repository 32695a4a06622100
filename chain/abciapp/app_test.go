package abciapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/abciapp"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/chain/store"
	"github.com/chancery/chancery/chain/tx"
	"github.com/chancery/chancery/shared/errs"
)

// The test module keeps named counters.
type counterModule struct{}

type msgAdd struct {
	Name string `json:"name"`
	By   int64  `json:"by"`
}

var errNegative = errs.New(errs.KindInvalid, "counter.negative", "counter would go negative")

func (m *msgAdd) ValidateBasic() error {
	if m.Name == "" {
		return errs.New(errs.KindInvalid, "counter.no_name", "name is required")
	}
	return nil
}

func (counterModule) Name() string { return "counter" }

func (counterModule) Routes() []chain.Route {
	return []chain.Route{
		chain.NewRoute("add", "counter.writer", func(ctx *chain.Context, m *msgAdd) (any, error) {
			key := []byte("counter/" + m.Name)
			var n int64
			if v := ctx.State.Get(key); v != nil {
				_ = json.Unmarshal(v, &n)
			}
			// Write before checking, so a failure proves its writes are dropped.
			ctx.State.Set(key, []byte("999"))
			n += m.By
			if n < 0 {
				return nil, errNegative
			}
			ctx.State.Set(key, []byte(jsonInt(n)))
			ctx.Emit("counter.added", chain.A("name", m.Name), chain.A("value", jsonInt(n)))
			return struct {
				Value int64 `json:"value"`
			}{n}, nil
		}),
		chain.NewRoute("boom", "", func(ctx *chain.Context, m *msgAdd) (any, error) {
			ctx.State.Set([]byte("counter/boom"), []byte("1"))
			panic("boom")
		}),
	}
}

func (counterModule) InitGenesis(ctx *chain.Context, raw json.RawMessage) error {
	var g struct {
		Start int64 `json:"start"`
	}
	if raw == nil {
		return nil
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return err
	}
	ctx.State.Set([]byte("counter/total"), []byte(jsonInt(g.Start)))
	return nil
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// roles grants "counter.writer" to writers; everyone else is unknown.
type roles map[chain.Address]bool

func (r roles) Authorize(_ chain.Reader, signer chain.Address, role string) error {
	writer, known := r[signer]
	if !known {
		return errs.New(errs.KindForbidden, "members.unknown_account", "unknown account")
	}
	if role == "counter.writer" && !writer {
		return errs.New(errs.KindForbidden, "members.missing_role", "missing role "+role)
	}
	return nil
}

var (
	alice   = chaintest.NewKey("alice")   // writer
	bob     = chaintest.NewKey("bob")     // known, no role
	mallory = chaintest.NewKey("mallory") // unknown
)

func newChain(t *testing.T) *chaintest.Chain {
	t.Helper()
	return chaintest.New(t, chaintest.Options{
		Auth:    roles{alice.Address(): true, bob.Address(): false},
		Modules: []chain.Module{counterModule{}},
		Genesis: json.RawMessage(`{"counter":{"start":5}}`),
	})
}

func read(t *testing.T, c *chaintest.Chain, key string) string {
	t.Helper()
	var v []byte
	c.View(func(r chain.Reader) error { v = r.Get([]byte(key)); return nil })
	return string(v)
}

func TestGenesisAndExecution(t *testing.T) {
	c := newChain(t)
	if got := read(t, c, "counter/total"); got != "5" {
		t.Fatalf("genesis total = %q", got)
	}
	data, err := c.Submit(alice, "counter", "add", msgAdd{Name: "x", By: 3})
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"value":3}` {
		t.Fatalf("result data = %s", data)
	}
	if got := read(t, c, "counter/x"); got != "3" {
		t.Fatalf("counter/x = %q", got)
	}
}

func TestCheckTxRejections(t *testing.T) {
	c := newChain(t)
	sign := func(k chaintest.Key, chainID, module, typ string, msg any, validUntil int64) []byte {
		body, err := tx.NewBody(chainID, module, typ, msg, k.Pub(), validUntil)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := tx.Sign(body, k.Priv)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	ok := msgAdd{Name: "x", By: 1}
	replayed := c.Sign(alice, "counter", "add", ok)
	c.Block(replayed)
	h := c.Height()
	badSig := bytes.Replace(c.Sign(alice, "counter", "add", ok), []byte(`"by":1`), []byte(`"by":2`), 1)

	cases := []struct {
		name string
		raw  []byte
		want string
	}{
		{"malformed", []byte(`{"body":`), "tx.malformed"},
		{"wrong chain", sign(alice, "other-chain", "counter", "add", ok, h+10), "tx.wrong_chain"},
		{"expired", sign(alice, chaintest.ChainID, "counter", "add", ok, h), "tx.expired"},
		{"too far", sign(alice, chaintest.ChainID, "counter", "add", ok, h+2+abciapp.MaxValidity), "tx.valid_until_too_far"},
		{"unknown module", sign(alice, chaintest.ChainID, "nope", "add", ok, h+10), "tx.unknown_message"},
		{"unknown type", sign(alice, chaintest.ChainID, "counter", "sub", ok, h+10), "tx.unknown_message"},
		{"invalid msg", sign(alice, chaintest.ChainID, "counter", "add", msgAdd{}, h+10), "counter.no_name"},
		{"unknown field in msg", sign(alice, chaintest.ChainID, "counter", "add", struct {
			Name  string `json:"name"`
			By    int64  `json:"by"`
			Extra int    `json:"extra"`
		}{"x", 1, 1}, h+10), "encoding.invalid"},
		{"bad signature", badSig, "tx.bad_signature"},
		{"replayed", replayed, "tx.replayed"},
		{"unknown signer", sign(mallory, chaintest.ChainID, "counter", "add", ok, h+10), "members.unknown_account"},
		{"missing role", sign(bob, chaintest.ChainID, "counter", "add", ok, h+10), "members.missing_role"},
		{"message fails against state", sign(alice, chaintest.ChainID, "counter", "add", msgAdd{Name: "x", By: -100}, h+10), "counter.negative"},
		{"handler panics", sign(alice, chaintest.ChainID, "counter", "boom", ok, h+10), "chain.handler_panic"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := read(t, c, "counter/x")
			err := c.CheckTx(tc.raw)
			e := errs.As(err)
			if e == nil || e.Code != tc.want {
				t.Fatalf("CheckTx error = %v (%v), want code %s", err, e, tc.want)
			}
			if e.Message == "" {
				t.Fatal("empty error message")
			}
			if after := read(t, c, "counter/x"); after != before {
				t.Fatalf("state changed on rejection: %q → %q", before, after)
			}
			// The same refusal, with the same code, when the API prechecks
			// it first: from Precheck for what needs no state, from CheckTx
			// for the rest.
			release, err := c.App.Precheck(tc.raw)
			if err == nil {
				err = c.CheckTx(tc.raw)
			}
			release()
			if e := errs.As(err); e == nil || e.Code != tc.want {
				t.Fatalf("Precheck, CheckTx error = %v, want code %s", err, tc.want)
			}
			if c.App.Pending(chain.SumHash(tc.raw)) {
				t.Fatal("a refused transaction is pending")
			}
		})
	}
}

// Precheck verifies outside CheckTx and hands the result to it: a
// prechecked transaction is pending only once CheckTx admitted it, and a
// result CheckTx never took is released.
func TestPrecheck(t *testing.T) {
	c := newChain(t)
	raw := c.Sign(alice, "counter", "add", msgAdd{Name: "p", By: 2})
	hash := chain.SumHash(raw)
	release, err := c.App.Precheck(raw)
	if err != nil {
		t.Fatal(err)
	}
	if c.App.Pending(hash) {
		t.Fatal("pending before CheckTx admitted it")
	}
	if err := c.CheckTx(raw); err != nil {
		t.Fatal(err)
	}
	release()
	if !c.App.Pending(hash) {
		t.Fatal("not pending after CheckTx")
	}
	if res := c.Block(raw); !res[0].OK() || read(t, c, "counter/p") != "2" {
		t.Fatalf("block: %+v, counter/p = %q", res[0], read(t, c, "counter/p"))
	}

	// Prechecked but never checked (the mempool refused it first):
	// released, and a later CheckTx checks it in full.
	other := c.Sign(alice, "counter", "add", msgAdd{Name: "q", By: 3})
	release, err = c.App.Precheck(other)
	if err != nil {
		t.Fatal(err)
	}
	release()
	if err := c.CheckTx(other); err != nil {
		t.Fatal(err)
	}
	// Prechecked, then a block changes the state it was checked against:
	// CheckTx checks again and refuses it. (counter/p is 2; each takes 2.)
	first := c.Sign(alice, "counter", "add", msgAdd{Name: "p", By: -2})
	second := c.Sign(alice, "counter", "add", msgAdd{Name: "p", By: -2})
	release, err = c.App.Precheck(second)
	if err != nil {
		t.Fatalf("second, against counter/p = 2: %v", err)
	}
	if res := c.Block(first); !res[0].OK() {
		t.Fatalf("first: %+v", res[0])
	}
	err = c.CheckTx(second)
	release()
	if e := errs.As(err); e == nil || e.Code != "counter.negative" {
		t.Fatalf("CheckTx after the block took counter/p to 0: %v, want counter.negative", err)
	}

	// Already admitted: Precheck has nothing to do.
	release, err = c.App.Precheck(other)
	if err != nil {
		t.Fatal(err)
	}
	release()
	if !c.App.Pending(chain.SumHash(other)) {
		t.Fatal("an admitted transaction stopped being pending")
	}
}

// PrecheckBatch gives each transaction of a batch the verdict it would get
// alone, whatever else the batch holds (a bad signature among good ones
// included: their batch verification fails and each is checked on its
// own), and CheckTx then admits those that passed without checking again.
func TestPrecheckBatch(t *testing.T) {
	c := newChain(t)
	good := [][]byte{
		c.Sign(alice, "counter", "add", msgAdd{Name: "b", By: 1}),
		c.Sign(alice, "counter", "add", msgAdd{Name: "b", By: 2}),
		c.Sign(alice, "counter", "add", msgAdd{Name: "c", By: 5}),
	}
	badSig := bytes.Replace(c.Sign(alice, "counter", "add", msgAdd{Name: "b", By: 3}), []byte(`"by":3`), []byte(`"by":4`), 1)
	tests := []struct {
		name  string
		batch [][]byte
		want  []string // error codes, "" for passed
	}{
		{"all good", good[:2], []string{"", ""}},
		{"mixed", [][]byte{good[2], []byte(`{"body":`), badSig, c.Sign(bob, "counter", "add", msgAdd{Name: "b", By: 1}), good[0]},
			[]string{"", "tx.malformed", "tx.bad_signature", "members.missing_role", ""}},
		{"one", [][]byte{badSig}, []string{"tx.bad_signature"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			release, errList := c.App.PrecheckBatch(tc.batch)
			defer release()
			if len(errList) != len(tc.batch) {
				t.Fatalf("%d verdicts for %d transactions", len(errList), len(tc.batch))
			}
			for i, want := range tc.want {
				if got := errs.As(errList[i]); (want == "") != (got == nil) || got != nil && got.Code != want {
					t.Errorf("transaction %d: %v, want %q", i, errList[i], want)
				}
			}
		})
	}

	release, errList := c.App.PrecheckBatch(good)
	for i, raw := range good {
		if errList[i] != nil {
			t.Fatalf("good %d: %v", i, errList[i])
		}
		if err := c.CheckTx(raw); err != nil {
			t.Fatalf("CheckTx of good %d after PrecheckBatch: %v", i, err)
		}
	}
	release()
	for i, res := range c.Block(good...) {
		if !res.OK() {
			t.Fatalf("good %d in its block: %+v", i, res)
		}
	}
	if b, cc := read(t, c, "counter/b"), read(t, c, "counter/c"); b != "3" || cc != "5" {
		t.Fatalf("counter/b = %q, counter/c = %q after the block; want 3 and 5", b, cc)
	}
}

func TestFailedTxDropsWritesButConsumesBody(t *testing.T) {
	c := newChain(t)
	raw := c.Sign(alice, "counter", "add", msgAdd{Name: "y", By: -1})
	res := c.Block(raw)[0]
	if res.OK() || res.Codespace != "counter.negative" || res.Code != uint32(errs.KindInvalid) {
		t.Fatalf("result = %+v, want counter.negative", res)
	}
	if got := read(t, c, "counter/y"); got != "" {
		t.Fatalf("failed tx left a write: %q", got)
	}
	if len(res.Events) != 0 {
		t.Fatalf("failed tx kept events: %+v", res.Events)
	}
	// The same bytes again are a replay, even though the first run failed.
	if res := c.Block(raw)[0]; res.Codespace != "tx.replayed" {
		t.Fatalf("second inclusion = %+v, want tx.replayed", res)
	}
	// The index keeps the first result.
	idx, found, err := c.App.TxResult(chain.SumHash(raw))
	if err != nil || !found || idx.Codespace != "counter.negative" {
		t.Fatalf("index = %+v, %v, %v", idx, found, err)
	}
}

func TestPanicFailsTxOnly(t *testing.T) {
	c := newChain(t)
	raw := c.Sign(alice, "counter", "boom", msgAdd{Name: "z"})
	ok := c.Sign(alice, "counter", "add", msgAdd{Name: "z", By: 1})
	res := c.Block(raw, ok)
	if res[0].Codespace != "chain.handler_panic" || !res[1].OK() {
		t.Fatalf("results = %+v / %+v", res[0], res[1])
	}
	if read(t, c, "counter/boom") != "" {
		t.Fatal("panicking handler's write survived")
	}
}

func TestFinalizeVerifiesUncheckedSignatures(t *testing.T) {
	c := newChain(t)
	good := c.Sign(alice, "counter", "add", msgAdd{Name: "g", By: 1})
	forged := bytes.Replace(c.Sign(alice, "counter", "add", msgAdd{Name: "f", By: 1}), []byte(`"by":1`), []byte(`"by":9`), 1)
	// Neither went through CheckTx: the block must verify both itself.
	res := c.Block(good, forged)
	if !res[0].OK() {
		t.Fatalf("good tx failed: %+v", res[0])
	}
	if res[1].Codespace != "tx.bad_signature" {
		t.Fatalf("forged tx = %+v, want tx.bad_signature", res[1])
	}
	if read(t, c, "counter/f") != "" {
		t.Fatal("forged tx wrote state")
	}
}

func TestEventsAndIndex(t *testing.T) {
	c := newChain(t)
	raw := c.Sign(alice, "counter", "add", msgAdd{Name: "e", By: 2})
	if err := c.CheckTx(raw); err != nil {
		t.Fatal(err)
	}
	c.Block(raw)
	res, found, err := c.App.TxResult(chain.SumHash(raw))
	if err != nil || !found {
		t.Fatalf("not indexed: %v", err)
	}
	if res.Height != c.Height() || res.Index != 0 || res.Module != "counter" || res.Type != "add" || res.Signer != alice.Address() {
		t.Fatalf("index entry = %+v", res)
	}
	if len(res.Events) != 1 || res.Events[0].Type != "counter.added" || res.Events[0].Attrs[1].Value != "2" {
		t.Fatalf("events = %+v", res.Events)
	}
}

func TestReplayMemoryIsPruned(t *testing.T) {
	c := newChain(t)
	raw := c.Sign(alice, "counter", "add", msgAdd{Name: "p", By: 1}) // valid until height+100
	c.Block(raw)
	count := func() int {
		n := 0
		c.View(func(r chain.Reader) error {
			r.Iterate(chain.Range{Prefix: []byte("tx/")}, func(k, v []byte) bool { n++; return true })
			return nil
		})
		return n
	}
	if count() != 1 {
		t.Fatalf("replay entries = %d, want 1", count())
	}
	for range 101 {
		c.Block()
	}
	if n := count(); n != 0 {
		t.Fatalf("replay entries after expiry = %d, want 0", n)
	}
}

func TestAwaitGetsCommittedResult(t *testing.T) {
	c := newChain(t)
	raw := c.Sign(alice, "counter", "add", msgAdd{Name: "w", By: 1})
	ch, cancel := c.App.Await(chain.SumHash(raw))
	defer cancel()
	c.Block(raw)
	select {
	case res := <-ch:
		if !res.OK() || res.Height != c.Height() {
			t.Fatalf("awaited result = %+v", res)
		}
	default:
		t.Fatal("no result delivered on commit")
	}
}

// From admission to the index a transaction is pending or committed, never
// unknown: also between FinalizeBlock, which takes it from the verified set,
// and Commit, which indexes it. A client polling its status in that gap must
// not be told the transaction does not exist.
func TestPendingUntilIndexed(t *testing.T) {
	c := newChain(t)
	raw := c.Sign(alice, "counter", "add", msgAdd{Name: "gap", By: 1})
	unseen := c.Sign(alice, "counter", "add", msgAdd{Name: "other", By: 1}) // never admitted here
	hash := chain.SumHash(raw)
	state := func() string {
		t.Helper()
		if _, found, err := c.App.TxResult(hash); err != nil || found {
			return fmt.Sprintf("committed (err %v)", err)
		}
		if c.App.Pending(hash) {
			return "pending"
		}
		return "unknown"
	}
	if got := state(); got != "unknown" {
		t.Fatalf("before CheckTx: %s", got)
	}
	if err := c.CheckTx(raw); err != nil {
		t.Fatal(err)
	}
	if got := state(); got != "pending" {
		t.Fatalf("admitted: %s", got)
	}
	height := c.Height() + 1
	if _, err := c.App.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: height, Time: c.Time().Add(time.Second), Txs: [][]byte{raw, unseen}}); err != nil {
		t.Fatal(err)
	}
	if got := state(); got != "pending" {
		t.Fatalf("between FinalizeBlock and Commit: %s, want pending", got)
	}
	if !c.App.Pending(chain.SumHash(unseen)) {
		t.Error("a transaction of the executing block that another node admitted is not pending")
	}
	// A peer gossips the block's other transaction before Commit takes the
	// mempool: checked against the state before the block, it passes, and
	// it must not stay admitted once the block commits.
	if err := c.CheckTx(unseen); err != nil {
		t.Fatalf("gossiped copy before Commit: %v", err)
	}
	if _, err := c.App.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	if got := state(); got != "committed (err <nil>)" {
		t.Fatalf("after Commit: %s", got)
	}
	if c.App.Pending(hash) || c.App.Pending(chain.SumHash(unseen)) {
		t.Error("committed transactions are still pending")
	}
	// Submitted again, it is checked in full: refused as a replay, so the
	// node looks up its committed result.
	release, errs := c.App.PrecheckBatch([][]byte{unseen})
	release()
	if errs[0] == nil {
		t.Error("a committed transaction passes Precheck as admitted already")
	}
}

func TestDeterministicAppHash(t *testing.T) {
	run := func() []byte {
		c := newChain(t)
		c.Block(
			c.Sign(alice, "counter", "add", msgAdd{Name: "a", By: 1}),
			c.Sign(alice, "counter", "add", msgAdd{Name: "b", By: -1}),
		)
		info, err := c.App.Info(context.Background(), &abci.RequestInfo{})
		if err != nil {
			t.Fatal(err)
		}
		return info.LastBlockAppHash
	}
	// Signing uses random nonces, so two runs differ in their replay keys;
	// run the same txs through two apps instead.
	a, b := newChain(t), newChain(t)
	txs := [][]byte{
		a.Sign(alice, "counter", "add", msgAdd{Name: "a", By: 1}),
		a.Sign(alice, "counter", "add", msgAdd{Name: "b", By: -1}),
	}
	a.Block(txs...)
	b.Block(txs...)
	_, ha := a.Store.Last()
	_, hb := b.Store.Last()
	if !bytes.Equal(ha, hb) || len(ha) != 32 {
		t.Fatalf("app hashes differ: %x vs %x", ha, hb)
	}
	if bytes.Equal(run(), ha) {
		t.Fatal("different txs gave the same app hash")
	}
}

func TestGenesisErrors(t *testing.T) {
	for _, tc := range []struct{ name, state, want string }{
		{"unknown module", `{"nope":{}}`, "no such module"},
		{"bad json", `{"counter":`, "app_state"},
		{"bad module state", `{"counter":{"start":"x"}}`, "app_state.counter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := store.Open(store.Options{InMemory: true})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			app, err := abciapp.New(abciapp.Config{ChainID: "c"}, st, roles{}, counterModule{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = app.InitChain(context.Background(), &abci.RequestInitChain{ChainId: "c", InitialHeight: 1, AppStateBytes: []byte(tc.state)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("InitChain error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestNewRejectsDuplicateRoutes(t *testing.T) {
	st, _ := store.Open(store.Options{InMemory: true})
	defer st.Close()
	if _, err := abciapp.New(abciapp.Config{ChainID: "c"}, st, roles{}, counterModule{}, counterModule{}); err == nil {
		t.Fatal("duplicate routes accepted")
	}
}
