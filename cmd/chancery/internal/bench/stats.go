package bench

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Block is what the bench reads of a committed block.
type Block struct {
	Height int64
	Time   time.Time // header time: when the block was proposed
	NumTxs int
	Bytes  int // encoded size; 0 when the target cannot tell
}

// BlockStats describe the blocks of a measurement window.
type BlockStats struct {
	Count int `json:"count"`
	// Txs counts the transactions of the blocks whose time falls in the
	// window: the committed throughput is Txs divided by the window.
	Txs            int64   `json:"txs"`
	TxsMean        float64 `json:"txs_mean"`
	TxsMax         int     `json:"txs_max"`
	BytesMean      float64 `json:"bytes_mean"`
	BytesMax       int     `json:"bytes_max"`
	BytesEstimated bool    `json:"bytes_estimated,omitempty"` // number of txs × tx size
	// Interval is the time between consecutive blocks of the window, ms.
	IntervalMean float64 `json:"interval_ms_mean"`
	IntervalP50  float64 `json:"interval_ms_p50"`
	IntervalMax  float64 `json:"interval_ms_max"`
}

// InWindow returns the blocks whose time is in [from, to), in height order.
func InWindow(blocks []Block, from, to time.Time) []Block {
	var out []Block
	for _, b := range blocks {
		if !b.Time.Before(from) && b.Time.Before(to) {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b Block) int { return cmp.Compare(a.Height, b.Height) })
	return out
}

// WindowStats counts the blocks whose time is in [from, to). A block's
// transactions count in the window its time falls in, whenever it
// committed, so adjacent windows never count a transaction twice.
func WindowStats(blocks []Block, from, to time.Time) BlockStats {
	in := InWindow(blocks, from, to)
	var s BlockStats
	s.Count = len(in)
	if s.Count == 0 {
		return s
	}
	var bytes int64
	for _, b := range in {
		s.Txs += int64(b.NumTxs)
		s.TxsMax = max(s.TxsMax, b.NumTxs)
		bytes += int64(b.Bytes)
		s.BytesMax = max(s.BytesMax, b.Bytes)
	}
	s.TxsMean = float64(s.Txs) / float64(s.Count)
	s.BytesMean = float64(bytes) / float64(s.Count)
	if len(in) > 1 {
		gaps := make([]time.Duration, 0, len(in)-1)
		for i := 1; i < len(in); i++ {
			gaps = append(gaps, in[i].Time.Sub(in[i-1].Time))
		}
		p := Percentiles(gaps)
		s.IntervalMean, s.IntervalP50, s.IntervalMax = p.Mean, p.P50, p.Max
	}
	return s
}

// PerSecond returns the transactions of the blocks in each whole second
// from start, by block time, for n seconds.
func PerSecond(blocks []Block, start time.Time, n int) []float64 {
	out := make([]float64, n)
	for _, b := range blocks {
		if b.Time.Before(start) {
			continue
		}
		if i := int(b.Time.Sub(start) / time.Second); i < n {
			out[i] += float64(b.NumTxs)
		}
	}
	return out
}

// Latency sums up latencies, in milliseconds.
type Latency struct {
	Samples int     `json:"samples"`
	P50     float64 `json:"p50"`
	P95     float64 `json:"p95"`
	P99     float64 `json:"p99"`
	Max     float64 `json:"max"`
	Mean    float64 `json:"mean"`
}

// Percentiles sorts d in place and sums it up. Percentiles are nearest-rank:
// the smallest value that at least p% of the samples do not exceed.
func Percentiles(d []time.Duration) Latency {
	if len(d) == 0 {
		return Latency{}
	}
	slices.Sort(d)
	var sum time.Duration
	for _, v := range d {
		sum += v
	}
	return Latency{
		Samples: len(d),
		P50:     ms(Percentile(d, 50)),
		P95:     ms(Percentile(d, 95)),
		P99:     ms(Percentile(d, 99)),
		Max:     ms(d[len(d)-1]),
		Mean:    ms(sum / time.Duration(len(d))),
	}
}

// Percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of
// sorted, or 0 for no samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func ms(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 2) }

// round rounds v to n decimals, so that reports do not show noise digits.
func round(v float64, n int) float64 {
	p := math.Pow(10, float64(n))
	return math.Round(v*p) / p
}
