package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Report is everything one `chancery bench` measured.
type Report struct {
	Version  string    `json:"version"`
	Time     time.Time `json:"time"`
	Machine  Machine   `json:"machine"`
	Settings Settings  `json:"settings"`
	Chancery *Result   `json:"chancery"`
	Baseline *Result   `json:"baseline,omitempty"`
	// Ratio is Chancery's committed tx/s over the baseline's.
	Ratio   float64       `json:"ratio,omitempty"`
	Sweep   []Result      `json:"sweep,omitempty"`
	Anchors *AnchorResult `json:"anchors,omitempty"`
}

// Settings are how the run was made.
type Settings struct {
	Command       string `json:"command"`
	Target        string `json:"target"`
	Validators    int    `json:"validators"`
	Clients       int    `json:"clients"`
	InFlight      int    `json:"in_flight_per_client"`
	Batch         int    `json:"batch,omitempty"` // transactions a call, if more than one
	Warmup        string `json:"warmup"`
	Duration      string `json:"duration"`
	TimeoutCommit string `json:"timeout_commit,omitempty"`
	SweepStep     string `json:"sweep_step,omitempty"`
	// Usage says whose CPU and memory the figures are.
	Usage string `json:"usage"`
}

// SetRatio computes Ratio from the results.
func (r *Report) SetRatio() {
	if r.Chancery != nil && r.Baseline != nil && r.Baseline.TxPerSec > 0 {
		r.Ratio = round(r.Chancery.TxPerSec/r.Baseline.TxPerSec, 2)
	}
}

// WriteText writes the report as aligned tables.
func (r *Report) WriteText(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "chancery bench — %s, chancery %s\n", r.Time.UTC().Format("2006-01-02 15:04 MST"), r.Version)
	fmt.Fprintf(&b, "machine: %s\n", r.Machine.describe())
	fmt.Fprintf(&b, "load:    %s\n\n", r.Settings.describe())
	writeAligned(&b, r.rows())
	if r.Settings.Usage != "" {
		fmt.Fprintf(&b, "(CPU and RSS: %s)\n", r.Settings.Usage)
	}
	for _, n := range r.notes() {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	if r.Ratio > 0 {
		fmt.Fprintf(&b, "\nchancery / kvstore committed tx/s: %.2f\n", r.Ratio)
	}
	if len(r.Sweep) > 0 {
		fmt.Fprintf(&b, "\nlatency vs load (open loop, %s per step after a %s warm-up):\n", r.Settings.SweepStep, r.Settings.Warmup)
		writeAligned(&b, r.sweepRows())
	}
	if a := r.Anchors; a != nil {
		fmt.Fprintf(&b, "\nanchoring: %s\n", a.describe())
	}
	_, err := w.Write(b.Bytes())
	return err
}

func (r *Report) notes() []string {
	var out []string
	for _, res := range []*Result{r.Chancery, r.Baseline} {
		if res != nil && res.Note != "" {
			out = append(out, res.Note)
		}
	}
	return out
}

// rows is the main table: one column per system.
func (r *Report) rows() [][]string {
	results := []*Result{r.Chancery}
	head := []string{"", "chancery"}
	if r.Baseline != nil {
		results = append(results, r.Baseline)
		head = append(head, "kvstore")
	}
	rows := [][]string{head}
	add := func(name string, f func(*Result) string) {
		row := []string{name}
		for _, res := range results {
			row = append(row, f(res))
		}
		rows = append(rows, row)
	}
	add("committed tx/s (from blocks)", func(x *Result) string { return grouped(x.TxPerSec, 0) })
	add("txs / blocks in window", func(x *Result) string {
		return fmt.Sprintf("%s / %d", grouped(float64(x.Blocks.Txs), 0), x.Blocks.Count)
	})
	add("latency p50 / p95 / p99 ms", func(x *Result) string {
		return fmt.Sprintf("%s / %s / %s", grouped(x.Latency.P50, 0), grouped(x.Latency.P95, 0), grouped(x.Latency.P99, 0))
	})
	add("latency max ms (samples)", func(x *Result) string {
		return fmt.Sprintf("%s (%s)", grouped(x.Latency.Max, 0), grouped(float64(x.Latency.Samples), 0))
	})
	add("CPU cores used (% of machine)", func(x *Result) string { return fmt.Sprintf("%.2f (%.0f%%)", x.CPU.Cores, x.CPU.Percent) })
	add("other processes' CPU cores meanwhile", func(x *Result) string { return fmt.Sprintf("%.2f", x.CPU.Others) })
	add("RSS max / at end MB", func(x *Result) string { return fmt.Sprintf("%.0f / %.0f", x.RSS.Max, x.RSS.Current) })
	add("pre-made txs MB (bench process)", func(x *Result) string { return fmt.Sprintf("%.0f", x.Pool.MB) })
	add("tx bytes", func(x *Result) string { return strconv.Itoa(x.TxBytes) })
	add("block txs mean / max", func(x *Result) string {
		return fmt.Sprintf("%s / %s", grouped(x.Blocks.TxsMean, 0), grouped(float64(x.Blocks.TxsMax), 0))
	})
	add("block KiB mean / max", func(x *Result) string {
		est := ""
		if x.Blocks.BytesEstimated {
			est = "≈"
		}
		return fmt.Sprintf("%s%s / %s", est, grouped(x.Blocks.BytesMean/1024, 0), grouped(float64(x.Blocks.BytesMax)/1024, 0))
	})
	add("block interval ms mean / p50 / max", func(x *Result) string {
		return fmt.Sprintf("%.0f / %.0f / %.0f", x.Blocks.IntervalMean, x.Blocks.IntervalP50, x.Blocks.IntervalMax)
	})
	add("submitted / answered committed", func(x *Result) string {
		return fmt.Sprintf("%s / %s", grouped(float64(x.Counts.Submitted), 0), grouped(float64(x.Counts.Committed), 0))
	})
	add("failed / pending / mempool full", func(x *Result) string {
		return fmt.Sprintf("%d / %d / %d", x.Counts.Failed, x.Counts.Pending, x.Counts.Busy)
	})
	add("txs made during the run (pool ran out)", func(x *Result) string { return grouped(float64(x.Pool.Live), 0) })
	return rows
}

func (r *Report) sweepRows() [][]string {
	rows := [][]string{{"load", "offered tx/s", "committed tx/s", "p50 ms", "p95 ms", "p99 ms", "dropped", "CPU cores", "others' cores"}}
	for i, s := range r.Sweep {
		rows = append(rows, []string{
			sweepLabel(i, s), grouped(s.OfferedRate, 0), grouped(s.TxPerSec, 0),
			grouped(s.Latency.P50, 0), grouped(s.Latency.P95, 0), grouped(s.Latency.P99, 0),
			strconv.FormatInt(s.Counts.Dropped, 10), fmt.Sprintf("%.2f", s.CPU.Cores), fmt.Sprintf("%.2f", s.CPU.Others),
		})
	}
	return rows
}

// SweepPercents are the steps of the latency sweep, in percent of the
// saturation rate.
var SweepPercents = []int{25, 50, 75, 100}

func sweepLabel(i int, s Result) string {
	if i < len(SweepPercents) {
		return strconv.Itoa(SweepPercents[i]) + "%"
	}
	return grouped(s.OfferedRate, 0)
}

func (m Machine) describe() string {
	model := m.CPUModel
	if model == "" {
		model = "unknown CPU"
	}
	return fmt.Sprintf("%s, %d cores, %.1f GiB, %s, %s; other processes kept %.2f cores busy just before the run; load average (1 min) %.2f before, %.2f after",
		model, m.Cores, float64(m.MemoryBytes)/(1<<30), m.OS, m.GoVersion, m.BusyBefore, m.LoadStart[0], m.LoadEnd[0])
}

func (s Settings) describe() string {
	tc := ""
	if s.TimeoutCommit != "" {
		tc = ", timeout_commit " + s.TimeoutCommit
	}
	batch := ""
	if s.Batch > 1 {
		batch = fmt.Sprintf(", %d a call", s.Batch)
	}
	return fmt.Sprintf("%s%s; %d clients × %d in flight%s, closed loop; %s warm-up, %s measured",
		s.Target, tc, s.Clients, s.InFlight, batch, s.Warmup, s.Duration)
}

func (a *AnchorResult) describe() string {
	return fmt.Sprintf("%s hashes/s — %d batches × %s hashes, %d at once, in %.1fs; per batch: Merkle root %.0f ms, anchor tx to commit %.0f ms, all proofs %.0f ms; CPU %.2f cores",
		grouped(a.HashesPerSec, 0), a.Batches, grouped(float64(a.BatchSize), 0), a.Pipelines, a.Seconds,
		a.BuildMs, a.CommitMs, a.ProofsMs, a.CPU.Cores)
}

// WriteMarkdown writes the report as Markdown, with chart the path of its
// SVG chart ("" for none).
func (r *Report) WriteMarkdown(w io.Writer, chart string) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Measured %s with chancery %s: `%s`.\n\n", r.Time.UTC().Format("2006-01-02 15:04 MST"), r.Version, r.Settings.Command)
	fmt.Fprintf(&b, "- **Machine:** %s.\n", r.Machine.describe())
	fmt.Fprintf(&b, "- **Load:** %s. Transactions are signed (kvstore: padded to the same size) before the run; committed tx/s counts the transactions of the blocks whose time falls in the measured window.\n\n", r.Settings.describe())
	mdTable(&b, r.rows())
	if r.Settings.Usage != "" {
		fmt.Fprintf(&b, "\nCPU and RSS: %s.\n", r.Settings.Usage)
	}
	for _, n := range r.notes() {
		fmt.Fprintf(&b, "\n**Note:** %s.\n", n)
	}
	if r.Ratio > 0 {
		fmt.Fprintf(&b, "\n**chancery / kvstore committed tx/s: %.2f**\n", r.Ratio)
	}
	if len(r.Sweep) > 0 {
		fmt.Fprintf(&b, "\nLatency against load: open loop at a share of the saturation rate above, %s per step after a %s warm-up.\n\n", r.Settings.SweepStep, r.Settings.Warmup)
		mdTable(&b, r.sweepRows())
	}
	if a := r.Anchors; a != nil {
		fmt.Fprintf(&b, "\nBatched anchoring: %s.\n", a.describe())
	}
	if chart != "" {
		fmt.Fprintf(&b, "\n![committed tx/s and latency over the run](%s)\n", chart)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeAligned writes rows as columns: the first left-aligned, the others
// right-aligned, two spaces apart.
func writeAligned(b *bytes.Buffer, rows [][]string) {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	for _, row := range rows {
		var line strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell))
			if i == 0 {
				line.WriteString(cell + pad)
			} else {
				line.WriteString("  " + pad + cell)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

func mdTable(b *bytes.Buffer, rows [][]string) {
	for i, row := range rows {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		if i == 0 {
			b.WriteString("|" + strings.Repeat(" ---: |", len(row)) + "\n")
		}
	}
}

// Section markers of the generated part of a Markdown file.
const (
	SectionBegin = "<!-- chancery bench: begin (generated by `chancery bench --doc`; edits between these markers are overwritten) -->"
	SectionEnd   = "<!-- chancery bench: end -->"
)

// UpdateSection replaces the text between the markers of path with body,
// leaving the rest of the file as it is. A file without the markers gets
// them, with heading before them, appended; a missing file is created.
func UpdateSection(path, heading, body string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	section := SectionBegin + "\n" + strings.TrimRight(body, "\n") + "\n" + SectionEnd
	text := string(old)
	i, j := strings.Index(text, SectionBegin), strings.Index(text, SectionEnd)
	switch {
	case i >= 0 && j > i:
		text = text[:i] + section + text[j+len(SectionEnd):]
	case i >= 0 || j >= 0:
		return fmt.Errorf("%s: only one of the chancery bench markers is there; fix the file by hand", path)
	default:
		if text != "" && !strings.HasSuffix(text, "\n\n") {
			text = strings.TrimRight(text, "\n") + "\n\n"
		}
		text += heading + "\n\n" + section + "\n"
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// Chart draws the report: committed tx/s per second, latency percentiles
// per second and, with a sweep, latency against load.
func (r *Report) Chart() Chart {
	c := Chart{Title: fmt.Sprintf("chancery bench — %s", r.Settings.Target)}
	tput := Panel{Title: "Committed transactions per second (from blocks, by block time)", XLabel: "seconds since the load began", YLabel: "tx/s"}
	lat := Panel{Title: "Submit → commit latency of the transactions sent each second", XLabel: "seconds since the load began", YLabel: "ms"}
	add := func(res *Result, name, color string, dashed bool) {
		if res == nil || res.Series == nil {
			return
		}
		s := res.Series
		tput.Series = append(tput.Series, Series{Name: name, Color: color, Dashed: dashed, Points: perSecond(s.TxPerSec, false)})
		if len(tput.Shades) == 0 && s.WarmupSeconds > 0 {
			tput.Shades = []Shade{{From: 0, To: float64(s.WarmupSeconds), Label: "warm-up"}}
			lat.Shades = tput.Shades
		}
	}
	add(r.Chancery, "chancery", "#1f77b4", false)
	add(r.Baseline, "kvstore", "#7f7f7f", true)
	if r.Chancery != nil && r.Chancery.Series != nil {
		s := r.Chancery.Series
		lat.Series = append(lat.Series,
			Series{Name: "chancery p50", Color: "#2ca02c", Points: perSecond(s.P50, true)},
			Series{Name: "chancery p95", Color: "#ff7f0e", Points: perSecond(s.P95, true)},
			Series{Name: "chancery p99", Color: "#d62728", Points: perSecond(s.P99, true)})
	}
	if r.Baseline != nil && r.Baseline.Series != nil {
		lat.Series = append(lat.Series, Series{Name: "kvstore p99", Color: "#7f7f7f", Dashed: true, Points: perSecond(r.Baseline.Series.P99, true)})
	}
	c.Panels = []Panel{tput, lat}
	if r.Chancery != nil && r.Chancery.Series != nil && len(r.Chancery.Series.Others) > 0 {
		others := Panel{Title: "CPU used by other processes on this machine meanwhile", XLabel: "seconds since the load began", YLabel: "cores",
			Shades: tput.Shades, YAtLeast: float64(r.Machine.Cores)}
		others.Series = append(others.Series, Series{Name: "during chancery", Color: "#9467bd", Points: perSecond(r.Chancery.Series.Others, false)})
		if r.Baseline != nil && r.Baseline.Series != nil && len(r.Baseline.Series.Others) > 0 {
			others.Series = append(others.Series, Series{Name: "during kvstore", Color: "#7f7f7f", Dashed: true, Points: perSecond(r.Baseline.Series.Others, false)})
		}
		c.Panels = append(c.Panels, others)
	}
	if len(r.Sweep) > 0 {
		sw := Panel{Title: "Latency against offered load (open loop)", XLabel: "offered tx/s", YLabel: "ms", XFromZero: true}
		for _, q := range []struct {
			name, color string
			get         func(Latency) float64
		}{
			{"p50", "#2ca02c", func(l Latency) float64 { return l.P50 }},
			{"p95", "#ff7f0e", func(l Latency) float64 { return l.P95 }},
			{"p99", "#d62728", func(l Latency) float64 { return l.P99 }},
		} {
			s := Series{Name: q.name, Color: q.color, Markers: true}
			for _, step := range r.Sweep {
				s.Points = append(s.Points, Point{X: step.OfferedRate, Y: q.get(step.Latency)})
			}
			sw.Series = append(sw.Series, s)
		}
		c.Panels = append(c.Panels, sw)
	}
	return c
}

// perSecond turns per-second values into points at each second's middle;
// with gaps, zeros (no sample) break the line.
func perSecond(v []float64, gaps bool) []Point {
	pts := make([]Point, len(v))
	for i, y := range v {
		if gaps && y == 0 {
			y = math.NaN()
		}
		pts[i] = Point{X: float64(i) + 0.5, Y: y}
	}
	return pts
}

// grouped formats v with dec decimals and thousands separated by commas.
func grouped(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if neg {
		out = "-" + out
	}
	if frac != "" {
		out += "." + frac
	}
	return out
}
