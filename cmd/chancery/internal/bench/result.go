package bench

import (
	"fmt"
	"time"
)

// Result is one system measured under one load.
type Result struct {
	System string `json:"system"` // chancery or kvstore
	Target string `json:"target"` // where it ran
	Load   string `json:"load"`   // closed or open loop, and how much
	// OfferedRate is the open loop's rate, tx/s; 0 for a closed loop.
	OfferedRate   float64 `json:"offered_tx_per_sec,omitempty"`
	WindowSeconds float64 `json:"window_seconds"`
	// TxPerSec counts the transactions of the blocks whose time falls in
	// the window, divided by the window: committed, not submitted.
	TxPerSec float64    `json:"tx_per_sec"`
	TxBytes  int        `json:"tx_bytes"`
	Blocks   BlockStats `json:"blocks"`
	// Latency is from sending to the answer that the block is committed,
	// for the transactions sent in the window.
	Latency Latency   `json:"latency_ms"`
	Counts  Counts    `json:"counts"`
	CPU     CPU       `json:"cpu"`
	RSS     RSS       `json:"rss_mb"`
	Pool    PoolStats `json:"pool"`
	Series  *Timeline `json:"series,omitempty"`
	// Note warns where the figure may say more about the load than about
	// the chain.
	Note string `json:"note,omitempty"`
}

// CheckLoadBound sets Note when the blocks held, on average, most of the
// transactions the closed loop keeps in flight: the chain then waited for
// the load, and more in flight might commit more.
func (r *Result) CheckLoadBound(inFlight int) {
	if inFlight > 0 && r.Blocks.TxsMean >= 0.75*float64(inFlight) {
		r.Note = fmt.Sprintf("%s: a block held on average %.0f of the %d transactions in flight, so the load may have limited this figure; try more --inflight",
			r.System, r.Blocks.TxsMean, inFlight)
	}
}

// CPU is the processor time the node used in the window: user + system
// time over wall time. For a node in this process it includes the load
// driver.
type CPU struct {
	Cores   float64 `json:"cores"`   // 1.0 = one core busy all the window
	Percent float64 `json:"percent"` // of all the machine's cores
	// Machine is every process's CPU on this machine in the window, from
	// /proc/stat; Others is Machine less the bench and the nodes it
	// started (with --url, a node on this machine counts among others).
	// A shared machine shows here how much of it the run really had.
	Machine float64 `json:"machine_cores"`
	Others  float64 `json:"others_cores"`
}

// RSS is the node's resident memory, MB: its peak (over the process's life
// where the system tells it, else sampled in the window) and at the end of
// the window.
type RSS struct {
	Max     float64 `json:"max"`
	Current float64 `json:"current"`
}

// PoolStats describe the transactions made before the run.
type PoolStats struct {
	Txs  int64   `json:"txs"`
	MB   float64 `json:"mb"`
	Live int64   `json:"signed_during_run"` // made during the run, once the pool ran out
}

// Timeline holds per-second figures of the whole run, warm-up included, for
// charts.
type Timeline struct {
	WarmupSeconds int       `json:"warmup_seconds"`
	TxPerSec      []float64 `json:"tx_per_sec"` // from the blocks, by block time
	// Latency percentiles, ms, of the transactions sent in each second; 0
	// where none was sent or committed.
	P50 []float64 `json:"p50_ms"`
	P95 []float64 `json:"p95_ms"`
	P99 []float64 `json:"p99_ms"`
	// Others is how many cores other processes kept busy, each second: a
	// dip in throughput under it is the machine's, not the chain's.
	Others []float64 `json:"others_cores,omitempty"`
}

// Result sums up the run. cores is the machine's; txBytes the size of the
// load's transactions, which estimates block bytes where the target cannot
// tell them.
func (r *Run) Result(cores, txBytes int, pool *Pool) Result {
	window := r.To.Sub(r.From)
	res := Result{WindowSeconds: window.Seconds(), TxBytes: txBytes, Counts: r.Counts}
	blocks := r.Blocks
	if estimateBytes(blocks) {
		blocks = make([]Block, len(r.Blocks))
		for i, b := range r.Blocks {
			b.Bytes = b.NumTxs * txBytes
			blocks[i] = b
		}
	}
	res.Blocks = WindowStats(blocks, r.From, r.To)
	res.Blocks.BytesEstimated = estimateBytes(r.Blocks)
	res.TxPerSec = round(float64(res.Blocks.Txs)/window.Seconds(), 1)

	from, to := r.From.Sub(r.Start), r.To.Sub(r.Start)
	var inWindow []time.Duration
	for _, s := range r.samples {
		if s.at >= from && s.at < to {
			inWindow = append(inWindow, s.latency)
		}
	}
	res.Latency = Percentiles(inWindow)

	if cpu := r.U1.CPU - r.U0.CPU; cpu > 0 {
		res.CPU.Cores = round(cpu.Seconds()/window.Seconds(), 2)
		res.CPU.Percent = round(100*res.CPU.Cores/float64(max(cores, 1)), 1)
	}
	if r.machineOK && r.w1 > r.w0 {
		a, b := r.cpu[r.w0], r.cpu[r.w1]
		res.CPU.Machine = round((b.busy-a.busy).Seconds()/b.at.Sub(a.at).Seconds(), 2)
		res.CPU.Others = round(othersCores(a, b), 2)
	}
	peak := r.U1.MaxRSS
	if peak == 0 {
		peak = r.MaxRSS
	}
	res.RSS = RSS{Max: mb(peak), Current: mb(r.U1.RSS)}
	if pool != nil {
		txs, bytes := pool.Size()
		res.Pool = PoolStats{Txs: txs, MB: mb(bytes), Live: pool.Live()}
	}
	res.Series = r.series()
	return res
}

// series bins the run by second.
func (r *Run) series() *Timeline {
	n := int((r.To.Sub(r.Start) + time.Second - 1) / time.Second)
	s := &Timeline{
		WarmupSeconds: int(r.From.Sub(r.Start) / time.Second),
		TxPerSec:      PerSecond(r.Blocks, r.Start, n),
		P50:           make([]float64, n), P95: make([]float64, n), P99: make([]float64, n),
	}
	bins := make([][]time.Duration, n)
	for _, x := range r.samples {
		if i := int(x.at / time.Second); i >= 0 && i < n {
			bins[i] = append(bins[i], x.latency)
		}
	}
	for i, b := range bins {
		p := Percentiles(b)
		s.P50[i], s.P95[i], s.P99[i] = p.P50, p.P95, p.P99
	}
	if r.machineOK {
		// Each interval between samples counts in the second of its middle.
		s.Others = make([]float64, n)
		for i := 1; i < len(r.cpu); i++ {
			a, b := r.cpu[i-1], r.cpu[i]
			mid := a.at.Add(b.at.Sub(a.at) / 2).Sub(r.Start)
			if j := int(mid / time.Second); j >= 0 && j < n {
				s.Others[j] = round(max(s.Others[j], othersCores(a, b)), 2)
			}
		}
	}
	return s
}

// estimateBytes reports whether the target left block sizes unknown.
func estimateBytes(blocks []Block) bool {
	for _, b := range blocks {
		if b.Bytes > 0 {
			return false
		}
	}
	return len(blocks) > 0
}

func mb(b int64) float64 { return round(float64(b)/(1<<20), 1) }
