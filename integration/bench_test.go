package integration

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// `chancery bench --validators 2 --baseline kvstore` runs our chain on two
// validator processes, then CometBFT's kvstore example on two, both loaded
// over HTTP by the same driver: both commit transactions counted from their
// blocks, none fails, and the report compares them. No figure is asserted
// beyond "some".
func TestBenchValidatorsBaseline(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: runs 2 + 2 validator processes")
	}
	cmd := exec.CommandContext(t.Context(), chanceryBinary(t), "bench", "--validators", "2", "--baseline", "kvstore",
		"--duration", "3s", "--warmup", "1s", "--clients", "4", "--inflight", "8", "--pool", "4000", "--json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chancery bench: %v\n%s", err, stderr.String())
	}
	type result struct {
		System   string  `json:"system"`
		Target   string  `json:"target"`
		TxPerSec float64 `json:"tx_per_sec"`
		TxBytes  int     `json:"tx_bytes"`
		Counts   struct {
			Failed int64 `json:"failed"`
		} `json:"counts"`
		CPU struct {
			Cores float64 `json:"cores"`
		} `json:"cpu"`
	}
	var rep struct {
		Chancery *result `json:"chancery"`
		Baseline *result `json:"baseline"`
		Ratio    float64 `json:"ratio"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("stdout is not the report: %v\n%s", err, stdout.String())
	}
	if rep.Chancery == nil || rep.Baseline == nil {
		t.Fatalf("report without both results:\n%s", stdout.String())
	}
	for _, r := range []*result{rep.Chancery, rep.Baseline} {
		if r.TxPerSec <= 0 || r.Counts.Failed != 0 || r.CPU.Cores <= 0 {
			t.Errorf("%s: %.0f tx/s, %d failed, %.2f cores: want transactions committed, none failed, the nodes' CPU read", r.System, r.TxPerSec, r.Counts.Failed, r.CPU.Cores)
		}
	}
	if rep.Baseline.System != "kvstore" || !strings.Contains(rep.Baseline.Target, "2 kvstore validator processes") {
		t.Errorf("baseline %q on %q: want kvstore on 2 validator processes", rep.Baseline.System, rep.Baseline.Target)
	}
	if rep.Baseline.TxBytes != rep.Chancery.TxBytes {
		t.Errorf("kvstore transactions of %d bytes, ours %d: want the same size", rep.Baseline.TxBytes, rep.Chancery.TxBytes)
	}
	if rep.Ratio <= 0 {
		t.Errorf("ratio %v: want ours over the baseline's", rep.Ratio)
	}
}
