package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeChain is a chain in memory: every interval it makes a block of the
// transactions sent since the last one and answers their senders.
type fakeChain struct {
	interval time.Duration
	reject   bool // refuse every transaction

	mu      sync.Mutex
	blocks  []Block
	pending []chan struct{}
	seen    map[string]bool
	stop    chan struct{}
	done    chan struct{}
}

func newFakeChain(interval time.Duration) *fakeChain {
	c := &fakeChain{interval: interval, seen: map[string]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	c.blocks = []Block{{Height: 1, Time: time.Now()}}
	go c.run()
	return c
}

func (c *fakeChain) run() {
	defer close(c.done)
	tick := time.NewTicker(c.interval)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case now := <-tick.C:
			c.mu.Lock()
			c.blocks = append(c.blocks, Block{Height: int64(len(c.blocks) + 1), Time: now, NumTxs: len(c.pending), Bytes: 100 * len(c.pending)})
			for _, ch := range c.pending {
				close(ch)
			}
			c.pending = nil
			c.mu.Unlock()
		}
	}
}

func (c *fakeChain) close() { close(c.stop); <-c.done }

func (c *fakeChain) admit(raw []byte) (chan struct{}, Outcome, error) {
	if c.reject {
		return nil, Failed, errors.New("test.refused: no")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[string(raw)] {
		return nil, Failed, fmt.Errorf("tx %q sent twice", raw)
	}
	c.seen[string(raw)] = true
	ch := make(chan struct{})
	c.pending = append(c.pending, ch)
	return ch, Pending, nil
}

func (c *fakeChain) Submit(ctx context.Context, _ int, raw []byte) (Outcome, error) {
	ch, out, err := c.admit(raw)
	if out != Pending {
		return out, err
	}
	select {
	case <-ch:
		return Committed, nil
	case <-ctx.Done():
		return Pending, nil
	}
}

func (c *fakeChain) Height(context.Context) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return int64(len(c.blocks)), nil
}

func (c *fakeChain) Blocks(_ context.Context, from, to int64) ([]Block, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Block
	for _, b := range c.blocks {
		if b.Height >= from && b.Height <= to {
			out = append(out, b)
		}
	}
	return out, nil
}

func (c *fakeChain) Usage(context.Context) (Usage, error) { return SelfUsage(), nil }

// senderChain is fakeChain as a Sender.
type senderChain struct{ *fakeChain }

func (c senderChain) Send(_ context.Context, _ int, raw []byte) (Outcome, func(context.Context) (Outcome, error), error) {
	ch, out, err := c.admit(raw)
	if out != Pending {
		return out, nil, err
	}
	return Pending, func(ctx context.Context) (Outcome, error) {
		select {
		case <-ch:
			return Committed, nil
		case <-ctx.Done():
			return Pending, nil
		}
	}, nil
}

// batchChain is fakeChain as a BatchTarget, keeping the sizes of the calls.
type batchChain struct {
	*fakeChain
	sizes sync.Map // size → true
}

func (c *batchChain) SubmitBatch(ctx context.Context, _ int, txs [][]byte) ([]Outcome, []error) {
	c.sizes.Store(len(txs), true)
	outs := make([]Outcome, len(txs))
	errList := make([]error, len(txs))
	admitted := make([]chan struct{}, len(txs))
	for i, raw := range txs {
		admitted[i], outs[i], errList[i] = c.admit(raw)
	}
	for i, ch := range admitted {
		if outs[i] != Pending {
			continue
		}
		select {
		case <-ch:
			outs[i] = Committed
		case <-ctx.Done():
		}
	}
	return outs, errList
}

// counterTxs generates distinct transactions.
func counterTxs() Generate {
	var mu sync.Mutex
	n := 0
	return func() ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Appendf(nil, "tx-%08d", n), nil
	}
}

func TestLoadCountsCommittedBlocks(t *testing.T) {
	for _, tt := range []struct {
		name  string
		rate  float64
		send  bool
		batch int
	}{
		{"closed loop, one request per submission", 0, false, 0},
		{"closed loop, sender", 0, true, 0},
		{"open loop, sender", 400, true, 0},
		{"closed loop, batches of 3", 0, false, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			chain := newFakeChain(20 * time.Millisecond)
			defer chain.close()
			var target Target = chain
			if tt.send {
				target = senderChain{chain}
			}
			batches := &batchChain{fakeChain: chain}
			if tt.batch > 0 {
				target = batches
			}
			pool, err := NewPool(50, 2, counterTxs())
			if err != nil {
				t.Fatal(err)
			}
			var windows []bool
			load := Load{
				Target: target, Pool: pool, Clients: 3, InFlight: 4, Rate: tt.rate, Batch: tt.batch,
				Warmup: 100 * time.Millisecond, Duration: 300 * time.Millisecond,
				OnWindow: func(start bool) { windows = append(windows, start) },
			}
			run, err := load.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			res := run.Result(2, 10, pool)
			if res.Blocks.Count == 0 || res.Blocks.Txs == 0 || res.TxPerSec <= 0 {
				t.Fatalf("nothing counted from the blocks: %+v", res.Blocks)
			}
			// Exactly the blocks whose time is in the window count.
			var want int64
			for _, b := range run.Blocks {
				if !b.Time.Before(run.From) && b.Time.Before(run.To) {
					want += int64(b.NumTxs)
				}
			}
			if res.Blocks.Txs != want {
				t.Errorf("window counts %d txs, its blocks hold %d", res.Blocks.Txs, want)
			}
			if c := res.Counts; c.Failed != 0 || c.Committed == 0 || c.Submitted < c.Committed {
				t.Errorf("counts: %+v", c)
			}
			if res.Latency.Samples == 0 || res.Latency.P99 < res.Latency.P50 {
				t.Errorf("latency: %+v", res.Latency)
			}
			if res.Pool.Live == 0 {
				t.Error("the pool of 50 should have run out and made more")
			}
			if len(windows) != 2 || !windows[0] || windows[1] {
				t.Errorf("OnWindow calls: %v", windows)
			}
			if last := run.Blocks[len(run.Blocks)-1]; last.Time.Before(run.To) {
				t.Error("the run ended before a block after the window was committed")
			}
			if s := res.Series; s == nil || len(s.TxPerSec) == 0 {
				t.Error("no per-second series")
			}
			if tt.batch > 0 {
				var sizes []int
				batches.sizes.Range(func(k, _ any) bool { sizes = append(sizes, k.(int)); return true })
				if len(sizes) != 1 || sizes[0] != tt.batch {
					t.Errorf("calls of sizes %v, want all of %d", sizes, tt.batch)
				}
			}
		})
	}
}

func TestLoadStopsWhenEverythingIsRefused(t *testing.T) {
	chain := newFakeChain(20 * time.Millisecond)
	defer chain.close()
	chain.reject = true
	pool, err := NewPool(10, 1, counterTxs())
	if err != nil {
		t.Fatal(err)
	}
	load := Load{Target: senderChain{chain}, Pool: pool, Clients: 2, InFlight: 2, Warmup: time.Minute, Duration: time.Minute}
	_, err = load.Run(context.Background())
	if !errors.Is(err, ErrAllRejected) || !strings.Contains(err.Error(), "test.refused") {
		t.Fatalf("err = %v, want ErrAllRejected naming the first refusal", err)
	}
}

func TestPool(t *testing.T) {
	pool, err := NewPool(100, 3, counterTxs())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 110 {
		raw, err := pool.Next()
		if err != nil {
			t.Fatal(err)
		}
		if seen[string(raw)] {
			t.Fatalf("%s handed out twice", raw)
		}
		seen[string(raw)] = true
	}
	if txs, bytes := pool.Size(); txs != 100 || bytes != 100*int64(len("tx-00000000")) {
		t.Errorf("Size = %d, %d", txs, bytes)
	}
	if pool.Live() != 10 {
		t.Errorf("Live = %d, want 10", pool.Live())
	}
	// A transaction is its own slice: appending to one must not write over
	// the next one.
	pool, err = NewPool(2, 1, counterTxs())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := pool.Next()
	b, _ := pool.Next()
	want := string(b)
	_ = append(a, 'x')
	if string(b) != want {
		t.Errorf("the second tx reads %q after appending to the first, want %q", b, want)
	}
}

func TestKVStoreTx(t *testing.T) {
	gen, err := KVStoreTx(491)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := gen()
	b, _ := gen()
	if len(a) != 491 || strings.Count(string(a), "=") != 1 || string(a) == string(b) {
		t.Errorf("kvstore txs %q, %q", a[:40], b[:40])
	}
	if _, err := KVStoreTx(10); err == nil {
		t.Error("a size too small for key=value was accepted")
	}
}

// TestWaitIdle checks that WaitIdle returns once a block without
// transactions is committed, and gives up while every block has some.
func TestWaitIdle(t *testing.T) {
	c := newFakeChain(20 * time.Millisecond)
	defer c.close()
	// Keep sending until told to stop: every block has transactions.
	stop := make(chan struct{})
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			c.admit(fmt.Appendf(nil, "tx-%d", i))
			time.Sleep(2 * time.Millisecond)
		}
	}()
	for h, _ := c.Height(context.Background()); h < 3; h, _ = c.Height(context.Background()) {
		time.Sleep(5 * time.Millisecond) // past the empty first block
	}
	if err := WaitIdle(context.Background(), c, 200*time.Millisecond); err == nil {
		t.Fatal("WaitIdle returned while every block had transactions")
	}
	close(stop)
	<-sent
	if err := WaitIdle(context.Background(), c, 2*time.Second); err != nil {
		t.Fatalf("WaitIdle after the load stopped: %v", err)
	}
	h, _ := c.Height(context.Background())
	if b, _ := c.Blocks(context.Background(), h, h); b[0].NumTxs != 0 {
		t.Fatalf("last block has %d txs", b[0].NumTxs)
	}
}
