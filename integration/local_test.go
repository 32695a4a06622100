package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chancery/chancery/chain"
)

// localNet is a testnet of chancery processes on this machine, as
// `make testnet` runs one.
type localNet struct {
	chainID string
	admin   string
	nodes   []*localNode
}

type localNode struct {
	*api
	cmd  *exec.Cmd
	log  string
	done chan error
}

// startLocalNet creates n homes with `chancery testnet` on free ports,
// starts a process on each and waits until all are ready. The processes are
// stopped when tb ends.
func startLocalNet(tb testing.TB, n int, env ...string) *localNet {
	tb.Helper()
	bin := chanceryBinary(tb)
	dir := tb.TempDir()
	p2pBase, httpBase := freePorts(tb, n), 0
	for httpBase == 0 || httpBase < p2pBase+n && p2pBase < httpBase+n {
		httpBase = freePorts(tb, n)
	}
	net := &localNet{chainID: fmt.Sprintf("local-%d", time.Now().UnixNano()%1e6)}
	out, err := exec.Command(bin, "testnet", "--validators", strconv.Itoa(n), "--out", dir, "--chain-id", net.chainID,
		"--base-port", strconv.Itoa(p2pBase), "--http-port", strconv.Itoa(httpBase)).CombinedOutput()
	if err != nil {
		tb.Fatalf("chancery testnet: %v\n%s", err, out)
	}
	token, err := os.ReadFile(filepath.Join(dir, "node0", "admin-token"))
	if err != nil {
		tb.Fatal(err)
	}
	net.admin = string(bytes.TrimSpace(token))
	for i := range n {
		name := fmt.Sprintf("node%d", i)
		ln := &localNode{api: newAPI(name, fmt.Sprintf("http://127.0.0.1:%d", httpBase+i)), log: filepath.Join(dir, name+".log"), done: make(chan error, 1)}
		logf, err := os.Create(ln.log)
		if err != nil {
			tb.Fatal(err)
		}
		ln.cmd = exec.Command(bin, "start", "--home", filepath.Join(dir, name))
		ln.cmd.Stdout, ln.cmd.Stderr = logf, logf
		ln.cmd.Env = append(os.Environ(), env...)
		if err := ln.cmd.Start(); err != nil {
			tb.Fatal(err)
		}
		logf.Close()
		go func() { ln.done <- ln.cmd.Wait() }()
		tb.Cleanup(func() {
			if err := ln.stop(); err != nil {
				tb.Errorf("%s: %v", name, err)
			}
			if tb.Failed() {
				b, _ := os.ReadFile(ln.log)
				tb.Logf("--- log of %s:\n%s", name, lastLines(b, 30))
			}
		})
		net.nodes = append(net.nodes, ln)
	}
	for _, ln := range net.nodes {
		eventually(tb, settle, ln.name+" ready", func() (bool, string) {
			select {
			case err := <-ln.done:
				ln.done <- err
				b, _ := os.ReadFile(ln.log)
				tb.Fatalf("%s exited: %v\n%s", ln.name, err, lastLines(b, 10))
			default:
			}
			code, body := ln.do(tb.Context(), http.MethodGet, "/readyz", "", "", nil)
			return code == http.StatusOK, fmt.Sprintf("%d %s", code, body)
		})
	}
	return net
}

// apis are the nodes' HTTP APIs, node0 first.
func (net *localNet) apis() []*api {
	apis := make([]*api, len(net.nodes))
	for i, ln := range net.nodes {
		apis[i] = ln.api
	}
	return apis
}

// stop ends the process with SIGTERM, as `make testnet-stop` does, and
// reports anything but a clean exit.
func (ln *localNode) stop() error {
	if ln.cmd.ProcessState != nil {
		return nil
	}
	select {
	case err := <-ln.done:
		ln.done <- err
		return fmt.Errorf("exited before it was stopped: %v", err)
	default:
	}
	ln.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-ln.done:
		ln.done <- err
		return err
	case <-time.After(time.Minute):
		ln.cmd.Process.Kill()
		return errors.New("still running a minute after SIGTERM; killed")
	}
}

func lastLines(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// freePorts returns the first of n consecutive free TCP ports on loopback,
// below Linux's ephemeral range (32768 and up) so that the outgoing
// connections of a loaded test do not take one before a node binds it.
// Another process may still do so; the nodes then fail to start, saying so.
func freePorts(tb testing.TB, n int) int {
	tb.Helper()
	for range 100 {
		base := 10000 + rand.IntN(22000)
		free := true
		for p := base; p < base+n && free; p++ {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				free = false
				continue
			}
			l.Close()
		}
		if free {
			return base
		}
	}
	tb.Fatal("no free port range")
	return 0
}

// The homes `chancery testnet` writes for local processes form one chain:
// a transaction submitted to the last node is committed and shown by the
// first, and every node stops cleanly on SIGTERM.
func TestLocalTestnet(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: runs 4 validator processes")
	}
	net := startLocalNet(t, 4)
	loader := newSigner(net.chainID)
	registerOrgAdmin(t, net.admin, loader, net.apis()...)
	st, err := net.nodes[3].status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Validators) != 4 {
		t.Fatalf("%d validators, want 4", len(st.Validators))
	}
	raw, hash := loader.addAccount("local", st.Height+500)
	res, code, body := net.nodes[3].submit(t.Context(), raw, "30s")
	if code != http.StatusAccepted || res.Status != "committed" {
		t.Fatalf("submit: %d %s", code, body)
	}
	eventually(t, settle, "the tx on node0", func() (bool, string) {
		r, code, err := net.nodes[0].tx(t.Context(), hash)
		return err == nil && r.Status == "committed" && r.Height == res.Height, fmt.Sprintf("%d %+v %v", code, r, err)
	})
	for _, ln := range net.nodes {
		if err := ln.stop(); err != nil {
			t.Errorf("%s: SIGTERM: %v", ln.name, err)
		}
	}
}

// BenchmarkFourValidators measures committed transactions per second of
// four validator processes on this machine (make bench-testnet): clients
// post pre-signed members add_account transactions, signed by an org.admin
// key, to all four nodes for a fixed time, and the transactions committed
// successfully in the blocks of that time are counted from
// GET /api/v1/blocks/{h}, over the span of those blocks' times.
//
// CHANCERY_BENCH_DURATION (default 30s) and CHANCERY_BENCH_CLIENTS (default
// 16) tune it; extra CHANCERY_* settings reach the nodes from the
// environment.
func BenchmarkFourValidators(b *testing.B) {
	duration := envDuration(b, "CHANCERY_BENCH_DURATION", 30*time.Second)
	clients := envInt(b, "CHANCERY_BENCH_CLIENTS", 16)
	net := startLocalNet(b, 4)
	loader := newSigner(net.chainID)
	registerOrgAdmin(b, net.admin, loader, net.apis()...)
	ctx := b.Context()

	for b.Loop() {
		st, err := net.nodes[0].status(ctx)
		if err != nil {
			b.Fatal(err)
		}
		// Signed before the clock starts, so the clients spend the
		// machine's CPU on submitting only. 10,000 tx/s is more than two
		// cores can commit.
		signed := make([][]byte, int(duration.Seconds()*10000))
		var signers sync.WaitGroup
		for w := range runtime.GOMAXPROCS(0) {
			signers.Go(func() {
				for i := w; i < len(signed); i += runtime.GOMAXPROCS(0) {
					signed[i], _ = loader.addAccount(fmt.Sprintf("bench-%d", i), st.Height+900)
				}
			})
		}
		signers.Wait()
		txs := make(chan []byte, len(signed))
		for _, raw := range signed {
			txs <- raw
		}
		close(txs)

		var submitted, refused atomic.Int64
		loadCtx, stop := context.WithTimeout(ctx, duration)
		start := maxLocalHeight(ctx, net)
		began := time.Now()
		var wg sync.WaitGroup
		for c := range clients {
			node := net.nodes[c%len(net.nodes)]
			wg.Go(func() {
				for raw := range txs {
					if loadCtx.Err() != nil {
						return
					}
					if _, code, _ := node.submit(loadCtx, raw, "0s"); code == http.StatusAccepted {
						submitted.Add(1)
					} else if loadCtx.Err() == nil {
						refused.Add(1)
					}
				}
			})
		}
		wg.Wait()
		stop()
		elapsed := time.Since(began)

		// Count every transaction the nodes accepted into the blocks that
		// commit them: from the first block after the load began to the
		// one that empties the mempools (the load outruns the blocks, so
		// they drain after it ends).
		first, _, err := net.nodes[0].block(ctx, start)
		if err != nil {
			b.Fatal(err)
		}
		var committed, all, empty int
		var last, lastFull block
		var rejected chain.Hash
		var drained time.Time // when node0 had executed the last block with load
		h := start + 1
		for ; int64(all) < submitted.Load() && empty < 5; h++ {
			var found bool
			// Once node0's application has committed the block: its
			// blocks are stored before they are executed.
			eventually(b, settle, fmt.Sprintf("block %d committed on node0", h), func() (bool, string) {
				st, err := net.nodes[0].status(ctx)
				if err != nil || st.Height < h {
					return false, fmt.Sprintf("at %d, %v", st.Height, err)
				}
				last, found, err = net.nodes[0].block(ctx, h)
				return err == nil && found, fmt.Sprint(err)
			})
			if len(last.Txs) == 0 {
				empty++
				continue
			}
			empty, lastFull, drained = 0, last, time.Now()
			all += len(last.Txs)
			for _, tx := range last.Txs {
				if tx.Status == "committed" {
					committed++
				} else if rejected.IsZero() {
					rejected = tx.Hash
				}
			}
		}
		if !rejected.IsZero() {
			r, _, err := net.nodes[0].tx(ctx, rejected)
			b.Logf("a tx that failed in its block: %+v %v", r, err)
		}
		// The chain committed block H when its validators precommitted
		// it: the time block H+1 carries (BFT time, the median of their
		// precommit clocks, on this machine's clock like began).
		var next block
		eventually(b, settle, fmt.Sprintf("block %d", lastFull.Height+1), func() (bool, string) {
			var found bool
			next, found, err = net.nodes[0].block(ctx, lastFull.Height+1)
			return err == nil && found, fmt.Sprint(err)
		})
		span := next.Time.Sub(began)
		blocks := lastFull.Height - start
		rate := float64(committed) / span.Seconds()
		b.ReportMetric(rate, "committed_tx/s")
		b.ReportMetric(float64(submitted.Load())/elapsed.Seconds(), "accepted_tx/s")
		b.Logf("4 validators, %d clients for %v: %d txs accepted by the nodes (%d refused, %.0f/s); "+
			"blocks %d–%d hold %d of them, %d committed, the last %v after the first submission "+
			"(%v on node0): %.0f committed tx/s; %.0f txs and %v per block",
			clients, duration, submitted.Load(), refused.Load(), float64(submitted.Load())/elapsed.Seconds(),
			start+1, lastFull.Height, all, committed, span.Round(time.Millisecond), drained.Sub(began).Round(time.Millisecond), rate,
			float64(all)/float64(max(blocks, 1)), (next.Time.Sub(first.Time) / time.Duration(max(blocks, 1))).Round(time.Millisecond))
	}
}

func maxLocalHeight(ctx context.Context, net *localNet) int64 {
	var m int64
	for _, ln := range net.nodes {
		if st, err := ln.status(ctx); err == nil {
			m = max(m, st.Height)
		}
	}
	return m
}
