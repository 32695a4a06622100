package node

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
)

// testApp is a minimal ABCI application that tracks its transactions like
// chain/abciapp does: results gathered in FinalizeBlock become visible, and
// waiters are woken, in Commit. Txs starting with "bad" fail CheckTx; those
// starting with "fail" pass it but fail in the block. State lives in memory
// and survives a node restart in the same test, so Info reports the last
// commit and CometBFT continues from there.
type testApp struct {
	abcitypes.BaseApplication

	mu      sync.Mutex
	height  int64
	appHash []byte
	block   []*chain.TxResult // finalised, not committed
	next    []byte            // app hash after the finalised block
	nextH   int64             // its height
	results map[chain.Hash]*chain.TxResult
	waiters map[chain.Hash]map[chan *chain.TxResult]struct{}
}

func newTestApp() *testApp {
	return &testApp{
		results: map[chain.Hash]*chain.TxResult{},
		waiters: map[chain.Hash]map[chan *chain.TxResult]struct{}{},
	}
}

func (a *testApp) Info(context.Context, *abcitypes.RequestInfo) (*abcitypes.ResponseInfo, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return &abcitypes.ResponseInfo{LastBlockHeight: a.height, LastBlockAppHash: a.appHash}, nil
}

func (a *testApp) CheckTx(_ context.Context, req *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	if bytes.HasPrefix(req.Tx, []byte("bad")) {
		return &abcitypes.ResponseCheckTx{Code: uint32(errs.KindInvalid), Codespace: "test.bad", Log: "bad tx"}, nil
	}
	return &abcitypes.ResponseCheckTx{}, nil
}

func (a *testApp) FinalizeBlock(_ context.Context, req *abcitypes.RequestFinalizeBlock) (*abcitypes.ResponseFinalizeBlock, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	h := sha256.New()
	h.Write(a.appHash)
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(req.Height)))
	resp := &abcitypes.ResponseFinalizeBlock{}
	a.block = a.block[:0]
	for i, tx := range req.Txs {
		h.Write(tx)
		r := &chain.TxResult{Hash: chain.SumHash(tx), Height: req.Height, Index: uint32(i), Data: []byte("ok")}
		if bytes.HasPrefix(tx, []byte("fail")) {
			r.Code, r.Codespace, r.Log, r.Data = uint32(errs.KindConflict), "test.fail", "failed", nil
		}
		a.block = append(a.block, r)
		resp.TxResults = append(resp.TxResults, &abcitypes.ExecTxResult{Code: r.Code, Codespace: r.Codespace, Log: r.Log, Data: r.Data})
	}
	a.next, a.nextH = h.Sum(nil), req.Height
	resp.AppHash = a.next
	return resp, nil
}

func (a *testApp) Commit(context.Context, *abcitypes.RequestCommit) (*abcitypes.ResponseCommit, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.height, a.appHash = a.nextH, a.next
	for _, r := range a.block {
		a.results[r.Hash] = r
		for ch := range a.waiters[r.Hash] {
			ch <- r // buffered, one result per waiter
		}
		delete(a.waiters, r.Hash)
	}
	a.block = nil
	return &abcitypes.ResponseCommit{}, nil
}

func (a *testApp) Await(hash chain.Hash) (<-chan *chain.TxResult, func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ch := make(chan *chain.TxResult, 1)
	if a.waiters[hash] == nil {
		a.waiters[hash] = map[chan *chain.TxResult]struct{}{}
	}
	a.waiters[hash][ch] = struct{}{}
	return ch, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		delete(a.waiters[hash], ch)
		if len(a.waiters[hash]) == 0 {
			delete(a.waiters, hash)
		}
	}
}

func (a *testApp) TxResult(hash chain.Hash) (*chain.TxResult, bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r, ok := a.results[hash]
	return r, ok, nil
}

func (a *testApp) numWaiters() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.waiters)
}

// testLogger collects log lines and prints them only if the test fails, so
// CometBFT goroutines logging late never write to a finished test.
func testLogger(t *testing.T) *slog.Logger {
	t.Helper()
	var (
		mu  sync.Mutex
		buf bytes.Buffer
	)
	t.Cleanup(func() {
		if t.Failed() {
			mu.Lock()
			t.Logf("log:\n%s", buf.String())
			mu.Unlock()
		}
	})
	return slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

func testConfig(home string) Config {
	c := DefaultConfig()
	c.Home = home
	c.Moniker = "test"
	c.P2PListen = "tcp://127.0.0.1:0"
	c.TimeoutCommit = 100 * time.Millisecond
	c.MempoolSize, c.MempoolCacheSize = MinMempoolSize, MinMempoolSize
	c.CometLogLevel = "error"
	return c
}

func startNode(t *testing.T, c Config, app Application) *Node {
	t.Helper()
	n, err := New(c, app, testLogger(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { n.Stop() })
	if err := n.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return n
}

// waitFor polls cond until it holds; the deadline only stops a hung test.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func height(t *testing.T, n *Node) int64 {
	t.Helper()
	st, err := n.Status()
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	return st.Height
}

// long is a wait that, in these tests, ends only by the tx committing.
const long = time.Minute

func TestNode(t *testing.T) {
	ctx := context.Background()
	home := newHome(t)
	app := newTestApp()
	c := testConfig(home)
	n := startNode(t, c, app)

	// Concurrent submissions all commit.
	txs := make([][]byte, 8)
	subs := make([]Submission, len(txs))
	var wg sync.WaitGroup
	for i := range txs {
		txs[i] = fmt.Appendf(nil, "tx-%d", i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if subs[i], err = n.Submit(ctx, txs[i], long); err != nil {
				t.Errorf("Submit %s: %v", txs[i], err)
			}
		}()
	}
	wg.Wait()
	for i, s := range subs {
		if want := chain.Hash(sha256.Sum256(txs[i])); s.Hash != want {
			t.Errorf("tx %d: hash %s, want %s", i, s.Hash, want)
		}
		if s.Status != StatusCommitted || s.Result == nil || s.Result.Hash != s.Hash || s.Result.Height < 1 {
			t.Fatalf("tx %d: submission %+v, want committed with its result", i, s)
		}
	}

	t.Run("resubmit", func(t *testing.T) {
		s, err := n.Submit(ctx, txs[0], long)
		if err != nil || s.Hash != subs[0].Hash || s.Status != StatusCommitted || s.Result.Height != subs[0].Result.Height {
			t.Errorf("resubmit = %+v, %v; want %+v", s, err, subs[0])
		}
	})

	t.Run("fails in block", func(t *testing.T) {
		s, err := n.Submit(ctx, []byte("fail-1"), long)
		if err != nil || s.Status != StatusRejected || s.Result == nil || s.Result.Codespace != "test.fail" {
			t.Errorf("Submit = %+v, %v; want rejected with the block's result", s, err)
		}
	})

	t.Run("fails CheckTx", func(t *testing.T) {
		s, err := n.Submit(ctx, []byte("bad-1"), long)
		e := errs.As(err)
		if e == nil || e.Code != "test.bad" || e.Kind != errs.KindInvalid || e.Message != "bad tx" {
			t.Fatalf("Submit error = %#v, want the app's coded error", e)
		}
		if s.Status != StatusRejected || s.Hash != chain.SumHash([]byte("bad-1")) {
			t.Errorf("Submit = %+v", s)
		}
	})

	t.Run("pending then committed", func(t *testing.T) {
		tx := []byte("late-1")
		s, err := n.Submit(ctx, tx, time.Nanosecond)
		if err != nil || s.Status != StatusPending || s.Result != nil {
			t.Fatalf("Submit = %+v, %v; want pending", s, err)
		}
		waitFor(t, "the pending tx to commit", func() bool {
			_, found, _ := app.TxResult(s.Hash)
			return found
		})
		again, err := n.Submit(ctx, tx, long)
		if err != nil || again.Status != StatusCommitted || again.Hash != s.Hash {
			t.Errorf("Submit again = %+v, %v", again, err)
		}
	})

	t.Run("in flight", func(t *testing.T) {
		// The second submission of a tx still in the mempool is not checked
		// again (ErrTxInCache): it waits for the same commit.
		tx := []byte("twice-1")
		if s, err := n.Submit(ctx, tx, 0); err != nil || s.Status != StatusPending {
			t.Fatalf("first Submit = %+v, %v", s, err)
		}
		s, err := n.Submit(ctx, tx, long)
		if err != nil || s.Status != StatusCommitted {
			t.Errorf("second Submit = %+v, %v", s, err)
		}
	})

	t.Run("batch", func(t *testing.T) {
		// One verdict a transaction, in order: a duplicate within the batch
		// waits for the same commit, a CheckTx refusal and a failure in the
		// block are the transaction's own, and the rest commit.
		batch := [][]byte{[]byte("batch-1"), []byte("bad-2"), []byte("fail-3"), []byte("batch-1"), []byte("batch-4")}
		subs, errList := n.SubmitBatch(ctx, batch, long)
		if len(subs) != len(batch) || len(errList) != len(batch) {
			t.Fatalf("SubmitBatch returned %d submissions and %d errors for %d txs", len(subs), len(errList), len(batch))
		}
		for i, tx := range batch {
			if subs[i].Hash != chain.SumHash(tx) {
				t.Errorf("%s: hash %s, want its own", tx, subs[i].Hash)
			}
		}
		for _, i := range []int{0, 3, 4} {
			if errList[i] != nil || subs[i].Status != StatusCommitted || subs[i].Result == nil {
				t.Errorf("%s: %+v, %v; want committed", batch[i], subs[i], errList[i])
			}
		}
		if e := errs.As(errList[1]); e == nil || e.Code != "test.bad" || subs[1].Status != StatusRejected {
			t.Errorf("bad-2: %+v, %v; want refused by CheckTx", subs[1], errList[1])
		}
		if errList[2] != nil || subs[2].Status != StatusRejected || subs[2].Result == nil || subs[2].Result.Codespace != "test.fail" {
			t.Errorf("fail-3: %+v, %v; want rejected with the block's result", subs[2], errList[2])
		}
	})

	t.Run("waiters released", func(t *testing.T) {
		if w := app.numWaiters(); w != 0 {
			t.Errorf("%d hashes still awaited", w)
		}
	})

	t.Run("status", func(t *testing.T) {
		st, err := n.Status()
		if err != nil {
			t.Fatal(err)
		}
		id, _ := NodeID(home)
		v, _ := LoadValidator(home)
		if st.ChainID != "test-chain" || st.NodeID != id || st.CatchingUp || len(st.AppHash) != 64 || st.LatestBlockTime.IsZero() {
			t.Errorf("status %+v", st)
		}
		if len(st.Validators) != 1 || st.Validators[0].PubKey != hex.EncodeToString(v.PubKey[:]) ||
			st.Validators[0].Power != DefaultValidatorPower || len(st.Validators[0].Address) != 40 {
			t.Errorf("validators %+v", st.Validators)
		}
		h := st.Height
		waitFor(t, "the height to rise", func() bool { return height(t, n) > h })
	})

	t.Run("blocks", func(t *testing.T) {
		r := subs[0].Result
		b, err := n.Block(ctx, r.Height)
		if err != nil {
			t.Fatal(err)
		}
		if b.Height != r.Height || b.NumTxs != len(b.Txs) || b.Hash.IsZero() || b.Time.IsZero() || len(b.Proposer) != 40 ||
			!slices.Contains(b.TxHashes, r.Hash) || !bytes.Equal(b.Txs[r.Index], txs[0]) {
			t.Errorf("block %+v does not hold tx %s at %d", b, r.Hash, r.Index)
		}
		for _, h := range []int64{0, -1, height(t, n) + 1000} {
			_, err := n.Block(ctx, h)
			if !errors.Is(err, ErrBlockNotFound) || errs.As(err).Kind != errs.KindNotFound {
				t.Errorf("Block(%d) = %v, want ErrBlockNotFound", h, err)
			}
		}

		waitFor(t, "six blocks", func() bool { return height(t, n) >= 6 })
		list, err := n.Blocks(ctx, 0, 5)
		if err != nil || len(list) != 5 {
			t.Fatalf("Blocks(0, 5) = %d blocks, %v", len(list), err)
		}
		for i := 1; i < len(list); i++ {
			if list[i].Height != list[i-1].Height-1 {
				t.Errorf("Blocks not newest first: %d after %d", list[i].Height, list[i-1].Height)
			}
		}
		list, err = n.Blocks(ctx, 3, 10)
		if err != nil || len(list) != 2 || list[0].Height != 2 || list[1].Height != 1 {
			t.Errorf("Blocks(3, 10) = %+v, %v; want heights 2, 1", list, err)
		}
	})

	t.Run("comet client", func(t *testing.T) {
		h := subs[0].Result.Height
		commit, err := n.CometClient().Commit(ctx, &h)
		if err != nil || commit.Height != h {
			t.Fatalf("Commit(%d) = %v, %v", h, commit, err)
		}
		res, err := n.CometClient().BlockResults(ctx, &h)
		if err != nil || len(res.TxsResults) == 0 {
			t.Errorf("BlockResults(%d) = %v, %v; want the block's results kept", h, res, err)
		}
	})

	t.Run("metrics", func(t *testing.T) {
		families, err := prometheus.DefaultGatherer.Gather()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range families {
			found = found || f.GetName() == "cometbft_consensus_height"
		}
		if !found {
			t.Error("cometbft_consensus_height not in the default registry")
		}
	})

	if err := n.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := n.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if _, err := n.Submit(ctx, []byte("after-stop"), long); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Submit after Stop = %v, want ErrNotRunning", err)
	}
	if _, err := n.Status(); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Status after Stop = %v, want ErrNotRunning", err)
	}
	if err := n.Start(); err == nil {
		t.Error("Start after Stop succeeded")
	}

	// Restart on the same home: the chain continues where it stopped.
	stoppedAt := app.height
	n2 := startNode(t, c, app)
	if h := height(t, n2); h < stoppedAt {
		t.Fatalf("restarted at height %d, below %d", h, stoppedAt)
	}
	waitFor(t, "the restarted chain to grow", func() bool { return height(t, n2) > stoppedAt })
	if s, err := n2.Submit(ctx, txs[1], long); err != nil || s.Status != StatusCommitted || s.Result.Height != subs[1].Result.Height {
		t.Errorf("old tx after restart = %+v, %v", s, err)
	}
	if s, err := n2.Submit(ctx, []byte("after-restart"), long); err != nil || s.Status != StatusCommitted || s.Result.Height <= stoppedAt {
		t.Errorf("new tx after restart = %+v, %v", s, err)
	}
	if err := n2.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

func TestNodeStartFailure(t *testing.T) {
	home := newHome(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	c := testConfig(home)
	c.P2PListen = "tcp://" + busy.Addr().String()
	app := newTestApp()
	n, err := New(c, app, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err == nil {
		n.Stop()
		t.Fatal("Start on a busy port succeeded")
	}
	if err := n.Stop(); err != nil {
		t.Errorf("Stop after a failed Start: %v", err)
	}
	// The failed node released its databases: another opens them.
	n = startNode(t, testConfig(home), app)
	waitFor(t, "a block", func() bool { return height(t, n) > 0 })
}

func TestNodeStopUnstarted(t *testing.T) {
	home := newHome(t)
	app := newTestApp()
	n, err := New(testConfig(home), app, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Status(); err != nil {
		t.Errorf("Status before Start: %v", err)
	}
	if _, err := n.Submit(context.Background(), []byte("early"), long); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Submit before Start = %v, want ErrNotRunning", err)
	}
	for range 2 {
		if err := n.Stop(); err != nil {
			t.Fatalf("Stop: %v", err)
		}
	}
	startNode(t, testConfig(home), app).Stop()
}

func TestNewChecksHome(t *testing.T) {
	home := newHome(t)
	if err := os.Remove(filepath.Join(home, PrivValidatorStateFile)); err != nil {
		t.Fatal(err)
	}
	// privval.LoadFilePV would end the process here; New must not.
	_, err := New(testConfig(home), newTestApp(), testLogger(t))
	if !errors.Is(err, ErrInvalidHome) {
		t.Fatalf("New = %v, want ErrInvalidHome", err)
	}
	if _, err := New(Config{}, newTestApp(), nil); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("New with an empty config = %v, want ErrInvalidConfig", err)
	}
}
