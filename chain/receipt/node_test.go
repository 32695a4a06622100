package receipt_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cometbft/cometbft/types"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/abciapp"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/chain/receipt"
	"github.com/chancery/chancery/chain/store"
	"github.com/chancery/chancery/chain/tx"
	"github.com/chancery/chancery/shared/errs"
)

// The test chain runs one module, "notes": a note records the SHA-256 of
// some content, once, and its result data follows the receipt convention
// of a top-level "sha256" field. A second note of the same hash fails in its
// block — CheckTx runs against committed state only, so two such notes sent
// together both get in, and the second one gives a failed transaction.
type notesModule struct{}

type noteMsg struct {
	SHA256 string `json:"sha256"`
	Text   string `json:"text"`
}

type noteResult struct {
	SHA256 string `json:"sha256"`
	Text   string `json:"text"`
}

var errDuplicateNote = errs.New(errs.KindConflict, "notes.duplicate", "a note of this hash exists")

func (m *noteMsg) ValidateBasic() error { return nil }

func (notesModule) Name() string { return "notes" }

func (notesModule) Routes() []chain.Route {
	return []chain.Route{chain.NewRoute("add", "", func(ctx *chain.Context, m *noteMsg) (any, error) {
		key := []byte("notes/" + m.SHA256)
		if chain.Has(ctx.State, key) {
			return nil, errDuplicateNote
		}
		ctx.State.Set(key, []byte(m.Text))
		return noteResult(*m), nil
	})}
}

// anyone authorises every signer: the test is about receipts, not roles.
type anyone struct{}

func (anyone) Authorize(chain.Reader, chain.Address, string) error { return nil }

// testNode is a real single-validator node, in process.
type testNode struct {
	chainID string
	home    string
	n       *node.Node
	key     ed25519.PrivateKey
	pub     chain.PubKey
}

const testChainID = "receipt-test"

var shared struct {
	once sync.Once
	node *testNode
	err  error
	stop func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.stop != nil {
		shared.stop()
	}
	os.Exit(code)
}

// sharedNode starts the package's node on first use; TestMain stops it.
func sharedNode(t testing.TB) *testNode {
	t.Helper()
	shared.once.Do(func() { shared.node, shared.stop, shared.err = startNode() })
	if shared.err != nil {
		t.Fatalf("start node: %v", shared.err)
	}
	return shared.node
}

func startNode() (*testNode, func(), error) {
	home, err := os.MkdirTemp("", "chancery-receipt-test-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(home) }
	if err := node.InitHome(home, &node.GenesisParams{ChainID: testChainID}); err != nil {
		cleanup()
		return nil, nil, err
	}
	st, err := store.Open(store.Options{Dir: filepath.Join(home, "data", "state")})
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	app, err := abciapp.New(abciapp.Config{ChainID: testChainID}, st, anyone{}, notesModule{})
	if err != nil {
		st.Close()
		cleanup()
		return nil, nil, err
	}
	cfg := node.DefaultConfig()
	cfg.Home = home
	cfg.P2PListen = "tcp://127.0.0.1:0"
	cfg.TimeoutCommit = 100 * time.Millisecond
	cfg.CometLogLevel = "none"
	n, err := node.New(cfg, app, nil)
	if err == nil {
		err = n.Start()
	}
	if err != nil {
		st.Close()
		cleanup()
		return nil, nil, err
	}
	seed := sha256.Sum256([]byte("receipt test signer"))
	key := ed25519.NewKeyFromSeed(seed[:])
	tn := &testNode{chainID: testChainID, home: home, n: n, key: key}
	copy(tn.pub[:], key.Public().(ed25519.PublicKey))
	return tn, func() { n.Stop(); st.Close(); cleanup() }, nil
}

// note signs a note of content's hash with text.
func (tn *testNode) note(t testing.TB, content, text string) []byte {
	t.Helper()
	st, err := tn.n.Status()
	if err != nil {
		t.Fatal(err)
	}
	body, err := tx.NewBody(tn.chainID, "notes", "add", noteMsg{SHA256: contentHash(content), Text: text}, tn.pub, st.Height+100)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := tx.Sign(body, tn.key)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// commit submits txs one after the other without waiting, then waits until
// all of them are in committed blocks, and returns their results.
func (tn *testNode) commit(t testing.TB, txs ...[]byte) []*chain.TxResult {
	t.Helper()
	ctx := context.Background()
	for _, raw := range txs {
		if _, err := tn.n.Submit(ctx, raw, 0); err != nil {
			t.Fatalf("submit: %v", err)
		}
	}
	out := make([]*chain.TxResult, len(txs))
	for i, raw := range txs {
		sub, err := tn.n.Submit(ctx, raw, 20*time.Second)
		if err != nil || sub.Result == nil {
			t.Fatalf("tx %d not committed: %+v %v", i, sub, err)
		}
		out[i] = sub.Result
	}
	return out
}

// receiptOf builds the receipt of a committed tx, waiting for the next block.
func (tn *testNode) receiptOf(t testing.TB, res *chain.TxResult) *receipt.Receipt {
	t.Helper()
	src := tn.n.CometClient()
	loc := receipt.Location{Height: res.Height, Index: res.Index}
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := receipt.Build(context.Background(), src, res.Hash, loc)
		if err == nil {
			return r
		}
		if !errors.Is(err, receipt.ErrNotReady) || time.Now().After(deadline) {
			t.Fatalf("build receipt of %s: %v", res.Hash, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitHeight waits until block h is committed.
func (tn *testNode) waitHeight(t testing.TB, h int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := tn.n.Status()
		if err != nil {
			t.Fatal(err)
		}
		if st.Height >= h {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("height %d not reached, at %d", h, st.Height)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// genesisSet is the validator set of the node's genesis file, as a third
// party holding only that file would build it.
func (tn *testNode) genesisSet(t testing.TB) *types.ValidatorSet {
	t.Helper()
	doc, err := types.GenesisDocFromFile(filepath.Join(tn.home, node.GenesisFile))
	if err != nil {
		t.Fatal(err)
	}
	set, err := receipt.GenesisValidators(doc)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func contentHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

var noteSeq struct {
	sync.Mutex
	n int
}

// uniqueContent returns content no other note of this test binary has.
func uniqueContent(what string) string {
	noteSeq.Lock()
	defer noteSeq.Unlock()
	noteSeq.n++
	return fmt.Sprintf("%s #%d at %d", what, noteSeq.n, time.Now().UnixNano())
}
