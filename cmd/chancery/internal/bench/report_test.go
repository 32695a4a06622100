package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportText(t *testing.T) {
	var b bytes.Buffer
	if err := testReport().WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.txt", b.Bytes())
}

func TestReportMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := testReport().WriteMarkdown(&b, "bench/bench.svg"); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.md", b.Bytes())
}

func TestReportJSONFields(t *testing.T) {
	b, err := json.Marshal(testReport())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"machine", "settings", "chancery", "baseline", "ratio", "sweep", "anchors"} {
		if _, ok := m[k]; !ok {
			t.Errorf("report JSON lacks %q", k)
		}
	}
	if m["ratio"] != 0.5 {
		t.Errorf("ratio = %v, want 0.5", m["ratio"])
	}
}

func TestUpdateSection(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "benchmarks.md")

	// A missing file is created with the heading and the section.
	if err := UpdateSection(path, "## chancery bench", "first\n"); err != nil {
		t.Fatal(err)
	}
	want := "## chancery bench\n\n" + SectionBegin + "\nfirst\n" + SectionEnd + "\n"
	if got := read(t, path); got != want {
		t.Fatalf("new file:\n%q\nwant\n%q", got, want)
	}

	// Hand-written text around the section survives an update.
	hand := "# Benchmarks\n\nHand-written intro.\n\n" + want + "\n## Four validators\n\nHand-written numbers.\n"
	if err := os.WriteFile(path, []byte(hand), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := UpdateSection(path, "## chancery bench", "second"); err != nil {
		t.Fatal(err)
	}
	if got, want := read(t, path), strings.Replace(hand, "\nfirst\n", "\nsecond\n", 1); got != want {
		t.Fatalf("updated:\n%s\nwant\n%s", got, want)
	}

	// A file without markers gets the section appended.
	other := filepath.Join(dir, "other.md")
	if err := os.WriteFile(other, []byte("# Other\ntext"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := UpdateSection(other, "## chancery bench", "x"); err != nil {
		t.Fatal(err)
	}
	if got, want := read(t, other), "# Other\ntext\n\n## chancery bench\n\n"+SectionBegin+"\nx\n"+SectionEnd+"\n"; got != want {
		t.Fatalf("appended:\n%q\nwant\n%q", got, want)
	}

	// One marker alone is refused rather than guessed at.
	broken := filepath.Join(dir, "broken.md")
	if err := os.WriteFile(broken, []byte(SectionBegin+"\nno end\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := UpdateSection(broken, "## chancery bench", "x"); err == nil {
		t.Error("a file with only the begin marker was accepted")
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGrouped(t *testing.T) {
	tests := []struct {
		v    float64
		dec  int
		want string
	}{
		{0, 0, "0"}, {999, 0, "999"}, {1000, 0, "1,000"}, {1234567.891, 1, "1,234,567.9"}, {-12345, 0, "-12,345"},
	}
	for _, tt := range tests {
		if got := grouped(tt.v, tt.dec); got != tt.want {
			t.Errorf("grouped(%v, %d) = %q, want %q", tt.v, tt.dec, got, tt.want)
		}
	}
}

func TestScrapeProcess(t *testing.T) {
	text := `# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 12.5
process_resident_memory_bytes 1.048576e+08
process_cpu_seconds_total_other 99
`
	cpu, rss := scrapeProcess(strings.NewReader(text))
	if cpu != 12.5 || rss != 104857600 {
		t.Errorf("scrapeProcess = %v, %v", cpu, rss)
	}
}

func TestCheckLoadBound(t *testing.T) {
	r := Result{System: "kvstore", Blocks: BlockStats{TxsMean: 950, TxsMax: 1000}}
	r.CheckLoadBound(2000)
	if r.Note != "" {
		t.Errorf("blocks of half the load in flight flagged: %s", r.Note)
	}
	r.CheckLoadBound(1000)
	if !strings.Contains(r.Note, "950 of the 1000") {
		t.Errorf("blocks of 95%% of the load in flight not flagged: %q", r.Note)
	}
}
