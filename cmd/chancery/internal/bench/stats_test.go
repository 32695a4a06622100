package bench

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one sample is every percentile", ms(7), 1, 7 * time.Millisecond},
		{"one sample p99", ms(7), 99, 7 * time.Millisecond},
		{"p50 of four is the second", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p51 of four is the third", ms(1, 2, 3, 4), 51, 3 * time.Millisecond},
		{"p100 is the max", ms(1, 2, 3, 4), 100, 4 * time.Millisecond},
		{"p50 of 1..100", ms(hundred...), 50, 50 * time.Millisecond},
		{"p95 of 1..100", ms(hundred...), 95, 95 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p99.9 of 1..100 rounds up", ms(hundred...), 99.9, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("Percentile(p%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestPercentilesSortsAndSums(t *testing.T) {
	d := []time.Duration{40 * time.Millisecond, 10 * time.Millisecond, 30 * time.Millisecond, 20 * time.Millisecond}
	got := Percentiles(d)
	want := Latency{Samples: 4, P50: 20, P95: 40, P99: 40, Max: 40, Mean: 25}
	if got != want {
		t.Errorf("Percentiles = %+v, want %+v", got, want)
	}
	if (Percentiles(nil) != Latency{}) {
		t.Error("no samples should give zeros")
	}
}

func TestWindowStats(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	blocks := []Block{
		// Out of order on purpose: the window sorts by height.
		{Height: 4, Time: at(1300), NumTxs: 40, Bytes: 4000},
		{Height: 1, Time: at(-1), NumTxs: 1000, Bytes: 1},   // before the window
		{Height: 2, Time: at(0), NumTxs: 20, Bytes: 2000},   // at its start: in
		{Height: 3, Time: at(500), NumTxs: 30, Bytes: 3000}, // in
		{Height: 5, Time: at(2000), NumTxs: 5000, Bytes: 5}, // at its end: out
		{Height: 6, Time: at(2500), NumTxs: 6000, Bytes: 6}, // after
	}
	got := WindowStats(blocks, at(0), at(2000))
	want := BlockStats{
		Count: 3, Txs: 90, TxsMean: 30, TxsMax: 40, BytesMean: 3000, BytesMax: 4000,
		IntervalMean: 650, IntervalP50: 500, IntervalMax: 800,
	}
	if got != want {
		t.Errorf("WindowStats =\n%+v, want\n%+v", got, want)
	}
	// Adjacent windows count every block once.
	a, b := WindowStats(blocks, at(-1000), at(500)), WindowStats(blocks, at(500), at(3000))
	if a.Txs+b.Txs != 1000+20+30+40+5000+6000 {
		t.Errorf("adjacent windows count %d + %d txs", a.Txs, b.Txs)
	}
	if (WindowStats(blocks, at(3000), at(4000)) != BlockStats{}) {
		t.Error("an empty window should give zeros")
	}
	one := WindowStats(blocks, at(400), at(600))
	if one.Count != 1 || one.Txs != 30 || one.IntervalMean != 0 {
		t.Errorf("one block: %+v", one)
	}
}

func TestPerSecond(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	blocks := []Block{
		{Time: t0.Add(-time.Millisecond), NumTxs: 99}, // before the start
		{Time: t0, NumTxs: 1},
		{Time: t0.Add(999 * time.Millisecond), NumTxs: 2},
		{Time: t0.Add(time.Second), NumTxs: 4},
		{Time: t0.Add(2500 * time.Millisecond), NumTxs: 8},
		{Time: t0.Add(3 * time.Second), NumTxs: 99}, // past n seconds
	}
	got := PerSecond(blocks, t0, 3)
	want := []float64{3, 4, 8}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("PerSecond = %v, want %v", got, want)
		}
	}
}
