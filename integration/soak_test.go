//go:build soak

package integration

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chancery/chancery/chain"
)

// Settings of the soak run, from the environment.
const (
	soakDurationEnv = "CHANCERY_SOAK_DURATION"    // how long clients start new transactions (default 10m)
	soakClientsEnv  = "CHANCERY_SOAK_CLIENTS"     // concurrent clients (default 32)
	soakFaultEnv    = "CHANCERY_SOAK_FAULT_EVERY" // time from the start of one fault to the next (default 45s)
	soakHealEnv     = "CHANCERY_SOAK_FAULT_FOR"   // how long a fault lasts (default 15s)
)

// TestSoak runs the consortium of TestConsortium under steady signed load
// for CHANCERY_SOAK_DURATION while faults take turns on the validators: a SIGKILL, a
// graceful stop and a partition, each on the next validator and healed after
// CHANCERY_SOAK_FAULT_FOR. Clients behave as a careful client of a real node does:
// each submits its transaction and waits for its block; when the node does
// not answer, or answers pending, it submits the same bytes again, to the
// next node if the first is down, until a node answers committed —
// resubmitting is safe, a committed transaction answers with its result.
//
// It asserts what "nothing committed is ever lost" promises: each fault
// leaves three validators that go on committing blocks and transactions;
// afterwards every validator holds the same blocks at every height; and
// every transaction a client started is in exactly one of them, at the
// height and index the client was told, committed with code 0 — none lost,
// none executed twice.
//
// It is not part of make test (it runs for many minutes): make soak.
func TestSoak(t *testing.T) {
	cfg := soakConfig{
		duration: envDuration(t, soakDurationEnv, 10*time.Minute),
		clients:  envInt(t, soakClientsEnv, 32),
		every:    envDuration(t, soakFaultEnv, 45*time.Second),
		lasts:    envDuration(t, soakHealEnv, 15*time.Second),
	}
	if cfg.lasts >= cfg.every {
		t.Fatalf("%s (%v) must be shorter than %s (%v)", soakHealEnv, cfg.lasts, soakFaultEnv, cfg.every)
	}
	c := startCluster(t)
	s := &soak{c: c, sent: map[chain.Hash]txResult{}}
	s.height.Store(maxHeight(t.Context(), c.nodes))
	t.Logf("soak: %v of load from %d clients, a fault every %v lasting %v", cfg.duration, cfg.clients, cfg.every, cfg.lasts)

	// Clients start transactions until the load ends, then finish those in
	// flight; they stop at once only if the test is failing.
	var loadOver atomic.Bool
	var wg sync.WaitGroup
	for w := range cfg.clients {
		wg.Go(func() { s.client(t, w, &loadOver) })
	}

	faults := []fault{
		{"SIGKILL", c.kill, c.start},
		{"SIGTERM", c.stop, c.start},
		{"partition", c.disconnect, c.reconnect},
	}
	began := time.Now()
	for n := 0; time.Since(began)+cfg.every <= cfg.duration && !t.Failed(); n++ {
		next := time.Now().Add(cfg.every)
		s.inject(t, faults[n%len(faults)], c.nodes[n%len(c.nodes)], cfg.lasts)
		time.Sleep(time.Until(next))
	}
	time.Sleep(cfg.duration - time.Since(began))
	loadOver.Store(true)
	wg.Wait()
	if t.Failed() {
		return
	}
	t.Logf("load over after %v: %d transactions committed, %d submissions in all", time.Since(began).Round(time.Second), len(s.sent), s.submissions.Load())

	c.waitHeight(t, c.nodes, maxHeight(t.Context(), c.nodes))
	c.requireAgreement(t, c.nodes)
	s.requireEveryTxOnce(t)
}

type soakConfig struct {
	duration, every, lasts time.Duration
	clients                int
}

// fault is one kind of failure: inject starts it on a validator, heal ends it.
type fault struct {
	name   string
	inject func(*testing.T, *validator)
	heal   func(testing.TB, *validator)
}

// soak is the load and what it was told.
type soak struct {
	c           *cluster
	height      atomic.Int64 // a recent height, for valid_until
	submissions atomic.Int64 // every POST, resubmissions included

	mu   sync.Mutex
	sent map[chain.Hash]txResult // each transaction started (a client that fails one fails the test), as its commit was reported
}

// client submits one transaction after another until loadOver.
func (s *soak) client(t *testing.T, w int, loadOver *atomic.Bool) {
	for i := 0; !loadOver.Load() && !t.Failed(); i++ {
		raw, hash := s.c.loader.addAccount(fmt.Sprintf("soak-%d-%d", w, i), s.height.Load()+500)
		res, err := s.commit(t.Context(), w, raw)
		if err != nil {
			t.Errorf("client %d, tx %s: %v", w, hash, err)
			return
		}
		if res.Hash != hash || res.Code != 0 {
			t.Errorf("client %d, tx %s: answered committed as %+v", w, hash, res)
			return
		}
		s.mu.Lock()
		s.sent[hash] = res
		s.mu.Unlock()
		s.height.Store(max(s.height.Load(), res.Height))
	}
}

// committed counts the transactions answered committed so far.
func (s *soak) committed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sent)
}

// commit submits raw until a node answers it committed, starting with node
// w mod 4 and moving to the next whenever one does not answer or answers
// pending. A refusal is an error: this load sends only transactions that
// must commit.
func (s *soak) commit(ctx context.Context, w int, raw []byte) (txResult, error) {
	nodes := s.c.nodes
	deadline := time.Now().Add(settle)
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		v := nodes[(w+attempt)%len(nodes)]
		s.submissions.Add(1)
		res, code, body := v.submit(ctx, raw, "10s")
		switch {
		case code == http.StatusAccepted && res.Status == "committed":
			return res, nil
		case code == http.StatusAccepted: // pending: cut off, perhaps; try the next
		case code == 0 || code >= 500: // down, or not serving yet
			time.Sleep(200 * time.Millisecond)
		default:
			return res, fmt.Errorf("%s refused it: %d %s", v.name, code, body)
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
	}
	return txResult{}, fmt.Errorf("no node answered it committed within %v", settle)
}

// inject runs fault f on v for lasts, checks that the other three went on
// committing, heals it, and waits until v has caught up and all four agree.
func (s *soak) inject(t *testing.T, f fault, v *validator, lasts time.Duration) {
	others := s.c.others(v)
	h0, n0 := maxHeight(t.Context(), others), s.committed()
	f.inject(t, v)
	time.Sleep(lasts)
	h1, n1 := maxHeight(t.Context(), others), s.committed()
	if h1 < h0+3 || n1 == n0 {
		t.Errorf("%s on %s: the other three went from height %d to %d and committed %d transactions in %v", f.name, v.name, h0, h1, n1-n0, lasts)
	}
	f.heal(t, v)
	s.c.waitHeight(t, []*validator{v}, maxHeight(t.Context(), others))
	s.c.requireAgreement(t, s.c.nodes)
	t.Logf("%s on %s for %v: heights %d → %d, %d transactions committed meanwhile; caught up and agreeing (%d committed in all)",
		f.name, v.name, lasts, h0, h1, n1-n0, s.committed())
}

// requireEveryTxOnce reads every block from every node: they must be the
// same blocks, and each transaction a client started must be in exactly one
// of them, committed, where its client was told.
func (s *soak) requireEveryTxOnce(t *testing.T) {
	top := maxHeight(t.Context(), s.c.nodes)
	s.c.waitHeight(t, s.c.nodes, top)
	var ref []block // the first node's, block h at h-1
	for _, v := range s.c.nodes {
		seen := make(map[chain.Hash]int, len(s.sent))
		for h := int64(1); h <= top; h++ {
			b, found, err := v.block(t.Context(), h)
			if err != nil || !found {
				t.Fatalf("%s: block %d: found %v, %v", v.name, h, found, err)
			}
			if int64(len(ref)) < h {
				ref = append(ref, b)
			} else if b.Hash != ref[h-1].Hash {
				t.Fatalf("fork at height %d: %s has block %s, %s has %s", h, s.c.nodes[0].name, ref[h-1].Hash, v.name, b.Hash)
			}
			for i, tx := range b.Txs {
				want, ours := s.sent[tx.Hash]
				if !ours {
					continue
				}
				seen[tx.Hash]++
				if tx.Status != "committed" || want.Height != h || want.Index != uint32(i) {
					t.Fatalf("%s: tx %s is %s in block %d at %d; its client was told committed in block %d at %d",
						v.name, tx.Hash, tx.Status, h, i, want.Height, want.Index)
				}
			}
		}
		for hash := range s.sent {
			if seen[hash] != 1 {
				t.Fatalf("%s: tx %s is in %d blocks, want exactly 1", v.name, hash, seen[hash])
			}
		}
		t.Logf("%s: blocks 1 to %d read; each of the %d transactions in exactly one, where its client was told", v.name, top, len(s.sent))
	}
}

// envDuration reads a duration setting from the environment, def when unset.
func envDuration(t testing.TB, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a positive duration such as 30s", name, v)
	}
	return d
}

// envInt reads a positive count setting from the environment, def when unset.
func envInt(t testing.TB, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive whole number", name, v)
	}
	return n
}
