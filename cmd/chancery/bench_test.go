package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchFlagErrors checks that bad input to `chancery bench` is one line
// naming what to fix, with the usage exit status.
func TestBenchFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string // in the error line
	}{
		{[]string{"--duration", "0s"}, "--duration must be positive"},
		{[]string{"--duration", "-5s"}, "--duration must be positive"},
		{[]string{"--warmup", "0s"}, "--warmup must be positive"},
		{[]string{"--warmup", "-1s"}, "--warmup must be positive"},
		{[]string{"--sweep-step", "0s"}, "--sweep-step must be positive"},
		{[]string{"--clients", "0"}, "--clients must be positive"},
		{[]string{"--clients", "-3"}, "--clients must be positive"},
		{[]string{"--inflight", "0"}, "--inflight must be positive"},
		{[]string{"--inflight", "-1"}, "--inflight must be positive"},
		{[]string{"--validators", "0"}, "--validators must be between 1"},
		{[]string{"--batch", "0"}, "--batch must be between 1 and 1000"},
		{[]string{"--batch", "1001"}, "--batch must be between 1 and 1000"},
		{[]string{"--batch", "16", "--sweep"}, "--batch and --sweep exclude each other"},
		{[]string{"--anchor-batches", "0"}, "--anchor-batches must be positive"},
		{[]string{"--pool", "-1"}, "--pool must not be negative"},
		{[]string{"--timeout-commit", "1ms"}, "--timeout-commit must be between"},
		{[]string{"--baseline", "redis"}, `the only baseline is "kvstore"`},
		{[]string{"--url", "http://127.0.0.1:1"}, "--url needs --token"},
		{[]string{"--token", "t"}, "--token is only used with --url"},
		{[]string{"--url", "ftp://x", "--token", "t"}, "want http://host:port"},
		{[]string{"--url", "http://127.0.0.1:1", "--token", "t", "--validators", "4"}, "exclude each other"},
		{[]string{"--url", "http://127.0.0.1:1", "--token", "t", "--baseline", "kvstore"}, "--baseline kvstore runs on validators the bench starts"},
		{[]string{"--doc", "x.md"}, "--doc needs --out"},
		{[]string{"--duration", "soon"}, "invalid value"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"bench"}, tt.args...), &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", code, stderr.String())
			}
			line := stderr.String()
			if strings.Count(line, "\n") != 1 || !strings.HasPrefix(line, "chancery bench: ") || !strings.Contains(line, tt.want) {
				t.Errorf("stderr %q: want one line containing %q", line, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}

func TestBenchFlagDefaults(t *testing.T) {
	o, err := parseBenchFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.duration.String() != "30s" || o.warmup.String() != "5s" || o.clients != 64 || o.inFlight != benchInFlightLocal || o.validators != 1 {
		t.Errorf("defaults: %+v", o)
	}
	o, err = parseBenchFlags([]string{"--url", "http://node:8080/", "--token", "t"})
	if err != nil {
		t.Fatal(err)
	}
	if o.url != "http://node:8080" || o.inFlight != benchInFlightHTTP {
		t.Errorf("--url: url %q, in flight %d", o.url, o.inFlight)
	}
	if o, err = parseBenchFlags([]string{"--inflight", "8", "--batch", "64"}); err != nil || o.batch != 8 {
		t.Errorf("--inflight 8 --batch 64: batch %d, %v; want 8, what a client keeps in flight", o.batch, err)
	}
}

// TestBenchUnreachableURL checks that a node that does not answer is one
// line and a failure exit, before any load.
func TestBenchUnreachableURL(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"bench", "--url", "http://127.0.0.1:1", "--token", "t"}, &stdout, &stderr)
	line := stderr.String()
	if code != 1 || strings.Count(line, "\n") != 1 || !strings.Contains(line, "http://127.0.0.1:1 is not reachable") {
		t.Errorf("exit %d, stderr %q: want 1 and one line saying the URL is not reachable", code, line)
	}
}

// TestBenchSmoke runs a short bench against a validator in this process,
// with the sweep and anchoring, and checks the report's shape: committed
// transactions counted from blocks, and the files of --out and --doc. It
// asserts no timing or throughput figure beyond "some".
func TestBenchSmoke(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "bench")
	doc := filepath.Join(dir, "benchmarks.md")
	if err := os.WriteFile(doc, []byte("# Benchmarks\n\nHand-written.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"bench", "--duration", "2s", "--warmup", "1s", "--clients", "4", "--inflight", "16",
		"--pool", "3000", "--json", "--sweep", "--sweep-step", "1s", "--anchors", "--anchor-batches", "1",
		"--out", out, "--doc", doc}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var rep map[string]json.RawMessage
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout.String())
	}
	for _, k := range []string{"version", "machine", "settings", "chancery", "sweep", "anchors"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("report lacks %q", k)
		}
	}
	var res struct {
		TxPerSec float64 `json:"tx_per_sec"`
		Blocks   struct {
			Count int   `json:"count"`
			Txs   int64 `json:"txs"`
		} `json:"blocks"`
		Latency struct {
			Samples int     `json:"samples"`
			P50     float64 `json:"p50"`
			P95     float64 `json:"p95"`
			P99     float64 `json:"p99"`
		} `json:"latency_ms"`
		Counts struct {
			Failed     int64  `json:"failed"`
			FirstError string `json:"first_error"`
		} `json:"counts"`
		CPU struct {
			Cores *float64 `json:"cores"`
		} `json:"cpu"`
		RSS struct {
			Max float64 `json:"max"`
		} `json:"rss_mb"`
	}
	if err := json.Unmarshal(rep["chancery"], &res); err != nil {
		t.Fatal(err)
	}
	if res.TxPerSec <= 0 || res.Blocks.Txs <= 0 || res.Blocks.Count == 0 {
		t.Errorf("no committed transactions counted from blocks: %s", rep["chancery"])
	}
	if res.Latency.Samples == 0 || res.Latency.P99 < res.Latency.P50 || res.CPU.Cores == nil || res.RSS.Max <= 0 {
		t.Errorf("latency, CPU or RSS missing: %s", rep["chancery"])
	}
	if res.Counts.Failed != 0 {
		t.Errorf("%d transactions failed; first: %s", res.Counts.Failed, res.Counts.FirstError)
	}
	var sweep []struct {
		OfferedRate float64 `json:"offered_tx_per_sec"`
	}
	if err := json.Unmarshal(rep["sweep"], &sweep); err != nil || len(sweep) != 4 || sweep[0].OfferedRate <= 0 {
		t.Errorf("sweep: %v %s", err, rep["sweep"])
	}
	var anchors struct {
		HashesPerSec float64 `json:"hashes_per_sec"`
		BatchSize    int     `json:"batch_size"`
	}
	if err := json.Unmarshal(rep["anchors"], &anchors); err != nil || anchors.HashesPerSec <= 0 || anchors.BatchSize != 100_000 {
		t.Errorf("anchors: %v %s", err, rep["anchors"])
	}

	for _, f := range []string{"report.md", "report.json", "bench.svg"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("--out: %v", err)
		}
	}
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	if text := string(b); !strings.HasPrefix(text, "# Benchmarks\n\nHand-written.\n") || !strings.Contains(text, "](bench/bench.svg)") {
		t.Errorf("--doc did not keep the hand-written text or link the chart:\n%s", text)
	}
}

// TestBenchBaselineKVStore runs the kvstore baseline as its child process
// would, in this process: CometBFT's kvstore example under the same load
// driver commits transactions counted from its blocks.
func TestBenchBaselineKVStore(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"bench", "--internal-kvstore", "--internal-tx-size", "480", "--duration", "2s", "--warmup", "1s",
		"--clients", "4", "--inflight", "16", "--pool", "3000"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var res struct {
		System   string  `json:"system"`
		TxPerSec float64 `json:"tx_per_sec"`
		TxBytes  int     `json:"tx_bytes"`
		Counts   struct {
			Failed int64 `json:"failed"`
		} `json:"counts"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("stdout is not the result JSON: %v\n%s", err, stdout.String())
	}
	if res.System != "kvstore" || res.TxPerSec <= 0 || res.TxBytes != 480 || res.Counts.Failed != 0 {
		t.Errorf("kvstore result: %s", stdout.String())
	}
}
