package bench

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it); got:\n%s", path, got)
	}
}

// testReport is a small fixed report: a run with a baseline, a sweep and
// anchoring.
func testReport() *Report {
	series := func(scale float64) *Timeline {
		s := &Timeline{WarmupSeconds: 2}
		for i := range 8 {
			s.TxPerSec = append(s.TxPerSec, scale*float64(1000+100*(i%3)))
			p50 := 100 + 10*float64(i)
			if i == 4 {
				p50 = 0 // a second without samples breaks the line
			}
			s.P50 = append(s.P50, p50)
			s.P95 = append(s.P95, 2*p50)
			s.P99 = append(s.P99, 3*p50)
			s.Others = append(s.Others, scale*float64(i%2)/4)
		}
		return s
	}
	res := func(system string, tps float64, scale float64) *Result {
		return &Result{
			System: system, Target: "1 validator in this process", Load: "closed loop: 4 clients × 8 in flight",
			WindowSeconds: 6, TxPerSec: tps, TxBytes: 491,
			Blocks:  BlockStats{Count: 18, Txs: int64(tps * 6), TxsMean: tps / 3, TxsMax: 1500, BytesMean: 180_000, BytesMax: 700_000, IntervalMean: 333, IntervalP50: 320, IntervalMax: 410},
			Latency: Latency{Samples: 6000, P50: 120, P95: 240, P99: 390.5, Max: 512, Mean: 150},
			Counts:  Counts{Submitted: 7000, Committed: 6990, Pending: 10},
			CPU:     CPU{Cores: 1.5, Percent: 75, Machine: 1.9, Others: 0.4}, RSS: RSS{Max: 700, Current: 650},
			Pool: PoolStats{Txs: 8000, MB: 3.7}, Series: series(scale),
		}
	}
	r := &Report{
		Version: "test", Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Machine: Machine{CPUModel: "Test CPU <x86>", Cores: 2, MemoryBytes: 8 << 30, OS: "linux/amd64", GoVersion: "go1.26", BusyBefore: 0.02,
			LoadStart: [3]float64{0.5, 0.4, 0.3}, LoadEnd: [3]float64{1.5, 0.6, 0.4}},
		Settings: Settings{Command: "chancery bench --duration 6s", Target: "1 validator in this process", Validators: 1, Usage: "the bench process",
			Clients: 4, InFlight: 8, Warmup: "2s", Duration: "6s", TimeoutCommit: "300ms", SweepStep: "3s"},
		Chancery: res("chancery", 1100, 1),
		Baseline: res("kvstore", 2200, 2),
		Anchors:  &AnchorResult{Batches: 2, BatchSize: 100_000, Pipelines: 2, Seconds: 1.5, HashesPerSec: 133_333, BuildMs: 120, CommitMs: 400, ProofsMs: 300, CPU: CPU{Cores: 1.2, Percent: 60}},
	}
	for i, pct := range SweepPercents {
		s := res("chancery", 1100*float64(pct)/100, 1)
		s.OfferedRate, s.Series = 1100*float64(pct)/100, nil
		s.Latency.P99 = 100 * float64(i+1)
		r.Sweep = append(r.Sweep, *s)
	}
	r.SetRatio()
	return r
}

func TestWriteSVGGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteSVG(&b, testReport().Chart()); err != nil {
		t.Fatal(err)
	}
	golden(t, "chart.svg", b.Bytes())
	// Well-formed XML, whatever the labels hold.
	dec := xml.NewDecoder(&b)
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
	}
}

func TestWriteSVGEdgeCases(t *testing.T) {
	c := Chart{Title: `a "title" & <more>`, Panels: []Panel{
		{Title: "empty"},
		{Title: "flat zero", Series: []Series{{Name: "z", Color: "red", Points: []Point{{0, 0}, {1, 0}}}}},
		{Title: "only gaps", Series: []Series{{Name: "g", Color: "blue", Points: []Point{{0, math.NaN()}, {1, math.NaN()}}}}},
		{Title: "one point", Series: []Series{{Name: "p", Color: "green", Points: []Point{{5, 5}}}}},
	}}
	var b bytes.Buffer
	if err := WriteSVG(&b, c); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "NaN") || strings.Contains(out, "Inf") {
		t.Errorf("SVG holds NaN or Inf coordinates:\n%s", out)
	}
	if !strings.Contains(out, "a &#34;title&#34; &amp; &lt;more&gt;") {
		t.Error("title not escaped")
	}
}

func TestTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   []float64
	}{
		{0, 1, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{0, 23_456, []float64{0, 5000, 10000, 15000, 20000, 25000}},
		{0, 37, []float64{0, 10, 20, 30, 40}},
		{5, 5.5, []float64{5, 5.1, 5.2, 5.3, 5.4, 5.5}},
	}
	for _, tt := range tests {
		got := ticks(tt.lo, tt.hi)
		if len(got) != len(tt.want) {
			t.Errorf("ticks(%v, %v) = %v, want %v", tt.lo, tt.hi, got, tt.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tt.want[i]) > 1e-9 {
				t.Errorf("ticks(%v, %v) = %v, want %v", tt.lo, tt.hi, got, tt.want)
				break
			}
		}
	}
}
