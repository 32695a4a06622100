package bench

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/chain"
)

// Anchors measures batched anchoring: for each batch of hashes, the Merkle
// root and the hash of the leaves file the node would store, an anchor
// transaction signed and committed, then a proof for every hash. Pipelines
// batches run at once, as a busy anchoring service would overlap them.
type Anchors struct {
	Target    Target
	Depositor *Depositor
	Batches   int
	BatchSize int
	Pipelines int
}

// AnchorResult is what Anchors measured.
type AnchorResult struct {
	Batches      int     `json:"batches"`
	BatchSize    int     `json:"batch_size"`
	Pipelines    int     `json:"pipelines"`
	Seconds      float64 `json:"seconds"`
	HashesPerSec float64 `json:"hashes_per_sec"`
	// Mean time of each step of a batch, ms.
	BuildMs  float64 `json:"merkle_build_ms"` // root and leaves-file hash
	CommitMs float64 `json:"commit_ms"`       // sign, submit, wait for the block
	ProofsMs float64 `json:"proof_gen_ms"`    // a proof for every hash
	CPU      CPU     `json:"cpu"`
}

// Run anchors a.Batches batches of fresh random hashes; making the hashes is
// not timed.
func (a Anchors) Run(ctx context.Context, cores int) (AnchorResult, error) {
	res := AnchorResult{Batches: a.Batches, BatchSize: a.BatchSize, Pipelines: max(a.Pipelines, 1)}
	batches := make([][]chain.Hash, a.Batches)
	for i := range batches {
		b := make([]chain.Hash, a.BatchSize)
		buf := make([]byte, 32*a.BatchSize)
		if _, err := rand.Read(buf); err != nil {
			return res, err
		}
		for j := range b {
			copy(b[j][:], buf[32*j:])
		}
		batches[i] = b
	}
	if h, err := a.Target.Height(ctx); err == nil {
		a.Depositor.SetHeight(h)
	}

	work := make(chan []chain.Hash, len(batches))
	for _, b := range batches {
		work <- b
	}
	close(work)
	var (
		mu                    sync.Mutex
		build, commit, proofs time.Duration
		first                 error
	)
	u0, _ := a.Target.Usage(ctx)
	start := time.Now()
	var wg sync.WaitGroup
	for p := range res.Pipelines {
		wg.Go(func() {
			for hashes := range work {
				b, c, pr, err := a.anchor(ctx, p, hashes)
				mu.Lock()
				build, commit, proofs = build+b, commit+c, proofs+pr
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first != nil {
		return res, first
	}
	u1, _ := a.Target.Usage(ctx)
	n := float64(a.Batches)
	res.Seconds = round(elapsed.Seconds(), 2)
	res.HashesPerSec = round(float64(a.Batches*a.BatchSize)/elapsed.Seconds(), 0)
	res.BuildMs = ms(time.Duration(float64(build) / n))
	res.CommitMs = ms(time.Duration(float64(commit) / n))
	res.ProofsMs = ms(time.Duration(float64(proofs) / n))
	if cpu := u1.CPU - u0.CPU; cpu > 0 {
		res.CPU.Cores = round(cpu.Seconds()/elapsed.Seconds(), 2)
		res.CPU.Percent = round(100*res.CPU.Cores/float64(max(cores, 1)), 1)
	}
	return res, nil
}

// anchor runs one batch through the three steps and times each.
func (a Anchors) anchor(ctx context.Context, client int, hashes []chain.Hash) (build, commit, proofs time.Duration, err error) {
	t0 := time.Now()
	root := evidence.BatchRoot(hashes)
	leaves := sha256.Sum256(evidence.LeavesFile(hashes))
	t1 := time.Now()
	raw, err := a.Depositor.Sign(evidence.TypeAnchor, evidence.AnchorBatch{
		Root: root, Count: uint32(len(hashes)), LeavesSHA256: leaves, Title: DepositTitle,
	})
	if err != nil {
		return 0, 0, 0, err
	}
	out, err := a.Target.Submit(ctx, client, raw)
	for out == Busy && ctx.Err() == nil {
		time.Sleep(busyBackoff)
		out, err = a.Target.Submit(ctx, client, raw)
	}
	if out != Committed {
		return 0, 0, 0, fmt.Errorf("anchor batch %s: not committed: %v", root, err)
	}
	t2 := time.Now()
	got, ps := evidence.BatchProofs(hashes)
	if got != root || len(ps) != len(hashes) {
		return 0, 0, 0, fmt.Errorf("anchor batch %s: proofs for root %s", root, got)
	}
	return t1.Sub(t0), t2.Sub(t1), time.Since(t2), nil
}
