package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"syscall"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/abci/example/kvstore"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/abciapp"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/chain/store"
	"github.com/chancery/chancery/cmd/chancery/internal/bench"
	"github.com/chancery/chancery/web"
)

// Defaults and limits of `chancery bench`.
const (
	benchChainID   = "chancery-bench"
	kvstoreChainID = "kvstore-bench"
	// A submission in this process waits this long for its block; over
	// HTTP, the ?wait= of each request.
	benchSubmitWait = 60 * time.Second
	// benchPoolRate sizes the pool of transactions signed before a closed
	// loop: enough for this many tx/s over warm-up and window, above what
	// two cores can commit; a faster chain signs the rest during the run,
	// and the report counts them.
	benchPoolRate = 30_000
	benchMaxPool  = 1_500_000
	// In flight per client: in this process a submission is a goroutine;
	// over HTTP a connection, of which a process may hold only so many.
	benchInFlightLocal = 512
	benchInFlightHTTP  = 48
	maxBenchValidators = 16
)

// benchOptions are the flags of `chancery bench`.
type benchOptions struct {
	duration, warmup, sweepStep, timeoutCommit time.Duration
	clients, inFlight, validators, batch       int
	url, token, baseline                       string
	anchors, sweep, json                       bool
	anchorBatches, pool                        int
	out, doc, cpuProfile, memProfile, trace    string

	// The baseline runs in a child process of this binary; these flags
	// tell the child what to run.
	internalKVStore bool
	internalTxSize  int
	// The kvstore baseline of --validators N runs as N child processes,
	// each a validator on this testnet home.
	internalKVStoreHome string
}

func parseBenchFlags(args []string) (benchOptions, error) {
	var o benchOptions
	fs := newFlags("bench")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long the load is measured, after the warm-up")
	fs.DurationVar(&o.warmup, "warmup", 5*time.Second, "load before the measurement starts")
	fs.IntVar(&o.clients, "clients", 64, "concurrent clients")
	fs.IntVar(&o.inFlight, "inflight", 0, fmt.Sprintf("submissions each client keeps open (default %d in process, %d over HTTP)", benchInFlightLocal, benchInFlightHTTP))
	fs.IntVar(&o.batch, "batch", 1, fmt.Sprintf("transactions a client submits in one call (1 to %d; over HTTP: POST /api/v1/txs/batch)", web.MaxBatch))
	fs.IntVar(&o.validators, "validators", 1, "1: one validator in this process; N > 1: N validator processes of this binary on this machine")
	fs.StringVar(&o.url, "url", "", "load a running node at this URL instead (needs --token)")
	fs.StringVar(&o.token, "token", "", "with --url: API token of a consortium admin, or of an org admin whose organisation holds evidence.depositor, to register the loader's key")
	fs.StringVar(&o.baseline, "baseline", "", `"kvstore": also run CometBFT's kvstore example app with the same settings, tx size and load`)
	fs.BoolVar(&o.anchors, "anchors", false, "also measure batched anchoring (batches of 100,000 hashes)")
	fs.IntVar(&o.anchorBatches, "anchor-batches", 10, "batches the anchoring measurement anchors")
	fs.BoolVar(&o.sweep, "sweep", false, "also measure latency at 25/50/75/100% of the saturation rate (open loop)")
	fs.DurationVar(&o.sweepStep, "sweep-step", 10*time.Second, "measured time of each sweep step, after a warm-up")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.StringVar(&o.out, "out", "", "write report.md, report.json and bench.svg into this directory")
	fs.StringVar(&o.doc, "doc", "", "with --out: replace the generated \"chancery bench\" section of this Markdown file (e.g. docs/benchmarks.md)")
	fs.IntVar(&o.pool, "pool", 0, fmt.Sprintf("transactions signed before the run (0: enough for %d tx/s, at most %d)", benchPoolRate, benchMaxPool))
	fs.DurationVar(&o.timeoutCommit, "timeout-commit", node.DefaultTimeoutCommit, "CometBFT timeout_commit of the chains the bench starts")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured window to this file (with --validators N, also one of each validator process to FILE.node0 …)")
	fs.StringVar(&o.memProfile, "memprofile", "", "write allocation profiles at the window's start (FILE.base) and end (FILE): go tool pprof -base FILE.base FILE")
	fs.StringVar(&o.trace, "trace", "", "write an execution trace of the measured window to this file (go tool trace)")
	fs.BoolVar(&o.internalKVStore, "internal-kvstore", false, "internal: run the kvstore baseline in this process and print its result as JSON")
	fs.IntVar(&o.internalTxSize, "internal-tx-size", 0, "internal: size of the kvstore transactions")
	fs.StringVar(&o.internalKVStoreHome, "internal-kvstore-home", "", "internal: run a kvstore validator of the baseline's testnet on this home, serving the chain API")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case fs.NArg() > 0:
		return o, usagef("unexpected argument %q", fs.Arg(0))
	case o.duration <= 0:
		return o, usagef("--duration must be positive, got %v", o.duration)
	case o.warmup <= 0:
		return o, usagef("--warmup must be positive, got %v", o.warmup)
	case o.sweepStep <= 0:
		return o, usagef("--sweep-step must be positive, got %v", o.sweepStep)
	case o.clients <= 0:
		return o, usagef("--clients must be positive, got %d", o.clients)
	case o.inFlight < 0 || set["inflight"] && o.inFlight == 0:
		return o, usagef("--inflight must be positive, got %d", o.inFlight)
	case o.batch < 1 || o.batch > web.MaxBatch:
		return o, usagef("--batch must be between 1 and %d, got %d", web.MaxBatch, o.batch)
	case o.batch > 1 && o.sweep:
		return o, usagef("--batch and --sweep exclude each other: the sweep's open loop submits one transaction a call")
	case o.validators < 1 || o.validators > maxBenchValidators:
		return o, usagef("--validators must be between 1 and %d, got %d", maxBenchValidators, o.validators)
	case o.anchorBatches <= 0:
		return o, usagef("--anchor-batches must be positive, got %d", o.anchorBatches)
	case o.pool < 0:
		return o, usagef("--pool must not be negative, got %d", o.pool)
	case o.timeoutCommit < node.MinTimeoutCommit || o.timeoutCommit > node.MaxTimeoutCommit:
		return o, usagef("--timeout-commit must be between %v and %v, got %v", node.MinTimeoutCommit, node.MaxTimeoutCommit, o.timeoutCommit)
	case o.baseline != "" && o.baseline != "kvstore":
		return o, usagef(`--baseline %q: the only baseline is "kvstore"`, o.baseline)
	case o.url != "" && set["validators"]:
		return o, usagef("--url and --validators exclude each other: the bench either starts validators or loads a running node")
	case o.url != "" && o.token == "":
		return o, usagef("--url needs --token: an API token that can register the loader's key")
	case o.token != "" && o.url == "":
		return o, usagef("--token is only used with --url")
	case o.baseline != "" && o.url != "":
		return o, usagef("--baseline kvstore runs on validators the bench starts; drop --url")
	case o.doc != "" && o.out == "":
		return o, usagef("--doc needs --out: the section links the chart written there")
	case o.internalKVStore && o.internalTxSize <= 0:
		return o, usagef("--internal-kvstore needs --internal-tx-size")
	}
	if o.url != "" {
		u, err := url.Parse(o.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return o, usagef("--url %q: want http://host:port", o.url)
		}
		o.url = strings.TrimRight(o.url, "/")
	}
	if o.inFlight == 0 {
		o.inFlight = benchInFlightLocal
		if o.url != "" || o.validators > 1 {
			o.inFlight = benchInFlightHTTP
		}
	}
	// A call can hold no more transactions than a client keeps in flight.
	o.batch = min(o.batch, o.inFlight)
	return o, nil
}

func runBench(args []string, stdout io.Writer) error {
	o, err := parseBenchFlags(args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.internalKVStore {
		return runKVStoreChild(ctx, o, stdout)
	}
	if o.internalKVStoreHome != "" {
		return runKVStoreValidator(ctx, o.internalKVStoreHome)
	}
	raiseFileLimit()
	b := &benchRun{o: o, log: benchLogger()}
	rep, err := b.run(ctx, args)
	if err != nil {
		return err
	}
	if o.out != "" {
		if err := writeBenchFiles(rep, o); err != nil {
			return err
		}
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(stdout)
}

// benchRun is one `chancery bench`.
type benchRun struct {
	o   benchOptions
	log *slog.Logger
	dir string // temporary homes
	// placement is where the loaded nodes run.
	placement bench.Placement
	// pprofAddrs are the profilers of the validator processes the bench
	// started, with --cpuprofile and --validators N.
	pprofAddrs []string
}

// progress tells the operator what the bench is doing, on stderr: the
// report goes to stdout.
func (b *benchRun) progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// chainUnderLoad is a chain the bench loads, and how to stop it.
type chainUnderLoad struct {
	target    bench.Target
	depositor *bench.Depositor
	describe  string
	stop      func()
}

func (b *benchRun) run(ctx context.Context, args []string) (*bench.Report, error) {
	o := b.o
	if o.url != "" { // before anything else: an unreachable node is one line
		t := bench.NewHTTPTarget([]string{o.url}, 1, 1, benchSubmitWait)
		if err := t.Probe(ctx, 5*time.Second); err != nil {
			return nil, fmt.Errorf("--url %w", err)
		}
	}
	rep := &bench.Report{
		Version: version, Time: time.Now().UTC(), Machine: bench.ReadMachine(),
		Settings: bench.Settings{
			Command:    strings.TrimSpace("chancery bench " + strings.Join(args, " ")),
			Validators: o.validators, Clients: o.clients, InFlight: o.inFlight,
			Warmup: o.warmup.String(), Duration: o.duration.String(),
		},
	}
	if o.batch > 1 {
		rep.Settings.Batch = o.batch
	}
	if o.sweep {
		rep.Settings.SweepStep = o.sweepStep.String()
	}
	var err error
	if b.dir, err = os.MkdirTemp("", "chancery-bench-"); err != nil {
		return nil, err
	}
	defer os.RemoveAll(b.dir)

	c, err := b.startChain(ctx)
	if err != nil {
		return nil, err
	}
	stopped := false
	stopChain := func() {
		if !stopped {
			stopped = true
			c.stop()
		}
	}
	defer stopChain()
	rep.Settings.Target = c.describe
	rep.Settings.Usage = "the bench process: node and load driver together, pre-made transactions included"
	if _, remote := c.target.(*bench.HTTPTarget); remote {
		rep.Settings.Usage = "the node processes, from their /metrics (RSS peak sampled each second); the load driver is not counted"
	}
	if o.url == "" {
		rep.Settings.TimeoutCommit = o.timeoutCommit.String()
	}

	if o.anchors {
		// First, on the fresh chain: after the load, the sweep's backlog and
		// Badger's compactions of what it wrote would share the cores.
		if err := bench.WaitIdle(ctx, c.target, 2*time.Minute); err != nil {
			return nil, fmt.Errorf("before anchoring: %w", err)
		}
		b.progress("anchoring %d batches of %d hashes…", o.anchorBatches, evidence.MaxBatch)
		a := bench.Anchors{Target: c.target, Depositor: c.depositor, Batches: o.anchorBatches, BatchSize: evidence.MaxBatch, Pipelines: runtime.GOMAXPROCS(0)}
		ar, err := a.Run(ctx, runtime.NumCPU())
		if err != nil {
			return nil, err
		}
		rep.Anchors = &ar
	}

	res, err := b.saturate(ctx, "chancery", c.target, c.depositor.Deposit, c.depositor.SetHeight, true)
	if err != nil {
		return nil, err
	}
	res.Target = c.describe
	rep.Chancery = res

	if o.sweep {
		if rep.Sweep, err = b.sweep(ctx, c, res.TxPerSec); err != nil {
			return nil, err
		}
	}
	// Nothing of ours runs while the baseline is measured.
	stopChain()
	if o.baseline == "kvstore" {
		baseline := b.runBaselineChild
		if o.validators > 1 {
			baseline = b.runBaselineTestnet
		}
		if rep.Baseline, err = baseline(ctx, res); err != nil {
			return nil, err
		}
		rep.SetRatio()
	}
	rep.Machine.LoadEnd = bench.LoadAvg()
	return rep, nil
}

// saturate runs the closed-loop load against target with a fresh pool.
func (b *benchRun) saturate(ctx context.Context, system string, target bench.Target, gen bench.Generate, onHeight func(int64), profile bool) (*bench.Result, error) {
	o := b.o
	n := o.pool
	if n == 0 {
		n = min(benchMaxPool, int(benchPoolRate*(o.warmup+o.duration).Seconds()))
	}
	pool, err := b.makePool(system, n, gen)
	if err != nil {
		return nil, err
	}
	load := bench.Load{
		Target: target, Pool: pool, Clients: o.clients, InFlight: o.inFlight, Batch: o.batch,
		Warmup: o.warmup, Duration: o.duration, OnHeight: onHeight, Placement: b.placement,
	}
	if profile {
		load.OnWindow = b.profiler()
	}
	b.progress("%s: %d clients × %d in flight, %v warm-up, %v measured…", system, o.clients, o.inFlight, o.warmup, o.duration)
	run, err := load.Run(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", system, err)
	}
	_, poolBytes := pool.Size()
	res := run.Result(runtime.NumCPU(), int(poolBytes/max(int64(n), 1)), pool)
	res.System = system
	res.Load = fmt.Sprintf("closed loop: %d clients × %d in flight", o.clients, o.inFlight)
	if o.batch > 1 {
		res.Load += fmt.Sprintf(", %d a call", o.batch)
	}
	res.CheckLoadBound(o.clients * o.inFlight)
	b.progress("%s: %s committed tx/s (from blocks), p99 %.0f ms", system, strconv.FormatFloat(res.TxPerSec, 'f', 0, 64), res.Latency.P99)
	return &res, nil
}

func (b *benchRun) makePool(system string, n int, gen bench.Generate) (*bench.Pool, error) {
	start := time.Now()
	b.progress("%s: making %d transactions before the run…", system, n)
	pool, err := bench.NewPool(n, runtime.GOMAXPROCS(0), gen)
	if err != nil {
		return nil, fmt.Errorf("%s: make transactions: %w", system, err)
	}
	_, bytes := pool.Size()
	b.progress("%s: %d transactions, %.0f MB, in %v", system, n, float64(bytes)/(1<<20), time.Since(start).Round(time.Millisecond))
	return pool, nil
}

// sweep measures latency under an open-loop load at shares of the
// saturation rate.
func (b *benchRun) sweep(ctx context.Context, c *chainUnderLoad, saturation float64) ([]bench.Result, error) {
	o := b.o
	if saturation <= 0 {
		return nil, errors.New("sweep: the saturation run committed nothing")
	}
	var out []bench.Result
	for _, pct := range bench.SweepPercents {
		rate := saturation * float64(pct) / 100
		if h, err := c.target.Height(ctx); err == nil {
			c.depositor.SetHeight(h)
		}
		n := int(math.Ceil(rate*(o.warmup+o.sweepStep).Seconds()*1.02)) + 100
		pool, err := b.makePool(fmt.Sprintf("sweep %d%%", pct), n, c.depositor.Deposit)
		if err != nil {
			return nil, err
		}
		b.progress("sweep %d%%: %.0f tx/s open loop, %v warm-up, %v measured…", pct, rate, o.warmup, o.sweepStep)
		load := bench.Load{
			Target: c.target, Pool: pool, Clients: o.clients, InFlight: o.inFlight, Rate: rate,
			Warmup: o.warmup, Duration: o.sweepStep, OnHeight: c.depositor.SetHeight, Placement: b.placement,
		}
		run, err := load.Run(ctx)
		if err != nil {
			return nil, fmt.Errorf("sweep %d%%: %w", pct, err)
		}
		_, poolBytes := pool.Size()
		res := run.Result(runtime.NumCPU(), int(poolBytes/int64(n)), pool)
		res.System, res.Target, res.OfferedRate = "chancery", c.describe, round1(rate)
		res.Load = fmt.Sprintf("open loop: %.0f tx/s (%d%% of saturation)", rate, pct)
		res.Series = nil
		b.progress("sweep %d%%: %.0f committed tx/s, p50 %.0f p95 %.0f p99 %.0f ms", pct, res.TxPerSec, res.Latency.P50, res.Latency.P95, res.Latency.P99)
		out = append(out, res)
	}
	return out, nil
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// profiler returns the window hook writing --cpuprofile, --trace and
// --memprofile.
func (b *benchRun) profiler() func(start bool) {
	o := b.o
	recordings := []*windowRecording{
		{what: "cpu profile", path: o.cpuProfile, start: pprof.StartCPUProfile, stop: pprof.StopCPUProfile},
		{what: "trace", path: o.trace, start: trace.Start, stop: trace.Stop},
	}
	for i, addr := range b.pprofAddrs {
		p := &remoteProfile{url: "http://" + addr + "/debug/pprof/profile", seconds: int(o.duration.Round(time.Second).Seconds())}
		recordings = append(recordings, &windowRecording{
			what: fmt.Sprintf("cpu profile of node%d", i), path: fmt.Sprintf("%s.node%d", o.cpuProfile, i),
			start: p.start, stop: p.stop})
	}
	return func(start bool) {
		for _, r := range recordings {
			if err := r.window(start); err != nil {
				b.progress("%s: %v", r.what, err)
			}
		}
		if o.memProfile != "" {
			path := o.memProfile
			if start {
				path += ".base"
			}
			if err := writeAllocs(path); err != nil {
				b.progress("memory profile: %v", err)
			}
		}
	}
}

// windowRecording records into a file from the window's start to its end: a
// CPU profile or an execution trace. An empty path records nothing.
type windowRecording struct {
	what, path string
	start      func(io.Writer) error
	stop       func()
	f          *os.File
}

func (r *windowRecording) window(opening bool) error {
	switch {
	case r.path == "":
		return nil
	case !opening:
		if r.f == nil {
			return nil
		}
		r.stop()
		err := r.f.Close()
		r.f = nil
		return err
	}
	f, err := os.Create(r.path)
	if err != nil {
		return err
	}
	if err := r.start(f); err != nil {
		f.Close()
		return err
	}
	r.f = f
	return nil
}

// remoteProfile records a CPU profile of another process through its
// /debug/pprof/profile endpoint: the process profiles itself for the given
// seconds and then answers.
type remoteProfile struct {
	url     string
	seconds int
	done    chan error
}

func (p *remoteProfile) start(w io.Writer) error {
	p.done = make(chan error, 1)
	go func() {
		resp, err := http.Get(fmt.Sprintf("%s?seconds=%d", p.url, max(p.seconds, 1)))
		if err != nil {
			p.done <- err
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			p.done <- fmt.Errorf("%s: %s", p.url, resp.Status)
			return
		}
		_, err = io.Copy(w, resp.Body)
		p.done <- err
	}()
	return nil
}

func (p *remoteProfile) stop() {
	if err := <-p.done; err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
	}
}

func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// startChain starts (or, with --url, reaches) the chain to load.
func (b *benchRun) startChain(ctx context.Context) (*chainUnderLoad, error) {
	o := b.o
	switch {
	case o.url != "":
		b.placement = bench.Elsewhere
		t := bench.NewHTTPTarget([]string{o.url}, o.clients, o.inFlight, benchSubmitWait)
		return b.remoteChain(ctx, t, o.token, o.url, func() {})
	case o.validators > 1:
		b.placement = bench.LocalProcesses
		return b.startTestnet(ctx)
	}
	b.progress("starting one validator in this process (home in %s)…", b.dir)
	key, n, app, stop, err := startBenchNode(ctx, filepath.Join(b.dir, "chancery"), o.timeoutCommit, b.log)
	if err != nil {
		return nil, err
	}
	target := bench.NodeTarget{Node: n, App: app, Wait: benchSubmitWait}
	h, err := target.Height(ctx)
	if err != nil {
		stop()
		return nil, err
	}
	return &chainUnderLoad{
		target: target, depositor: bench.NewDepositor(benchChainID, key, h),
		describe: "1 validator in this process", stop: stop,
	}, nil
}

// remoteChain registers a loader key on nodes reached over HTTP.
func (b *benchRun) remoteChain(ctx context.Context, t *bench.HTTPTarget, token, describe string, stop func()) (*chainUnderLoad, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		stop()
		return nil, err
	}
	b.progress("registering the loader's key…")
	st, err := t.RegisterDepositor(ctx, token, key)
	if err != nil {
		stop()
		return nil, fmt.Errorf("register the loader: %w", err)
	}
	return &chainUnderLoad{target: t, depositor: bench.NewDepositor(st.ChainID, key, st.Height), describe: describe, stop: stop}, nil
}

// benchLoader is the genesis account whose key signs the load.
var benchLoader = initUser{
	username: "loader",
	org: members.GenesisOrg{ID: "bench", Name: "Chancery bench",
		Roles: []string{members.RoleOrgAdmin, members.RoleEvidenceDepositor}},
	roles: []string{members.RoleEvidenceDepositor},
}

// startBenchNode starts a new single-validator Chancery chain in home, in
// this process, wired as serve wires it minus the web server, and returns
// the loader's key. It waits for the first block.
func startBenchNode(ctx context.Context, home string, timeoutCommit time.Duration, logger *slog.Logger) (ed25519.PrivateKey, *node.Node, *abciapp.App, func(), error) {
	fail := func(err error) (ed25519.PrivateKey, *node.Node, *abciapp.App, func(), error) {
		return nil, nil, nil, nil, err
	}
	appState, keys, err := genesisAppState(append(genesisUsers(false), benchLoader))
	if err != nil {
		return fail(err)
	}
	if err := node.InitHome(home, &node.GenesisParams{ChainID: benchChainID, AppState: appState}); err != nil {
		return fail(err)
	}
	st, err := store.Open(store.Options{Dir: filepath.Join(home, stateDir), Logger: logger})
	if err != nil {
		return fail(err)
	}
	app, _, err := newApp(st, benchChainID, logger)
	if err != nil {
		st.Close()
		return fail(err)
	}
	n, err := startBenchApp(ctx, home, app, timeoutCommit, logger)
	if err != nil {
		st.Close()
		return fail(err)
	}
	stop := func() {
		n.Stop()
		st.Close()
	}
	return keys[len(keys)-1], n, app, stop, nil
}

// startBenchApp starts app on a node in home with the bench's settings — the
// defaults, on a free port — and waits for its first block.
func startBenchApp(ctx context.Context, home string, app node.Application, timeoutCommit time.Duration, logger *slog.Logger) (*node.Node, error) {
	cfg := node.DefaultConfig()
	cfg.Home = home
	cfg.Moniker = "bench"
	cfg.P2PListen = "tcp://127.0.0.1:0"
	cfg.TimeoutCommit = timeoutCommit
	n, err := node.New(cfg, app, logger.With("component", "comet"))
	if err != nil {
		return nil, err
	}
	if err := n.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := n.Status()
		if err == nil && st.Height >= 1 {
			return n, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			n.Stop()
			return nil, fmt.Errorf("the bench chain made no block within 30s (%v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startKVStoreNode starts CometBFT's kvstore example application, its
// state in goleveldb as the example's persistent mode keeps it, on a node
// with the same settings as startBenchNode's.
func startKVStoreNode(ctx context.Context, home string, timeoutCommit time.Duration, logger *slog.Logger) (*node.Node, *bench.KVStore, func(), error) {
	if err := node.InitHome(home, &node.GenesisParams{ChainID: kvstoreChainID}); err != nil {
		return nil, nil, nil, err
	}
	app, db, err := openKVStore(home)
	if err != nil {
		return nil, nil, nil, err
	}
	n, err := startBenchApp(ctx, home, app, timeoutCommit, logger)
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return n, app, func() { n.Stop(); db.Close() }, nil
}

// openKVStore opens CometBFT's kvstore example application in home, its
// state in goleveldb as the example's persistent mode keeps it; the caller
// closes db.
func openKVStore(home string) (*bench.KVStore, dbm.DB, error) {
	db, err := dbm.NewGoLevelDB("kvstore", filepath.Join(home, "data"))
	if err != nil {
		return nil, nil, err
	}
	return bench.NewKVStore(kvstore.NewApplication(db)), db, nil
}

// runKVStoreChild is `bench --internal-kvstore`: the baseline's closed-loop
// run in this process, its result as JSON on stdout.
func runKVStoreChild(ctx context.Context, o benchOptions, stdout io.Writer) error {
	dir, err := os.MkdirTemp("", "chancery-bench-kvstore-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b := &benchRun{o: o, log: benchLogger(), dir: dir}
	gen, err := bench.KVStoreTx(o.internalTxSize)
	if err != nil {
		return err
	}
	b.progress("kvstore: starting CometBFT's kvstore example app in this process…")
	n, app, stop, err := startKVStoreNode(ctx, filepath.Join(dir, "kvstore"), o.timeoutCommit, b.log)
	if err != nil {
		return err
	}
	defer stop()
	res, err := b.saturate(ctx, "kvstore", bench.NodeTarget{Node: n, App: app, Wait: benchSubmitWait}, gen, nil, false)
	if err != nil {
		return err
	}
	res.Target = "1 validator in a child process"
	return json.NewEncoder(stdout).Encode(res)
}

// runBaselineChild runs the kvstore baseline in a child process of this
// binary, with our run's settings and transaction size, and reads its
// result. A process of its own gives it a fresh heap, its own CometBFT
// metrics and its own CPU and peak-memory figures, as ours had.
func (b *benchRun) runBaselineChild(ctx context.Context, ours *bench.Result) (*bench.Result, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	o := b.o
	args := []string{"bench", "--internal-kvstore", "--internal-tx-size", strconv.Itoa(ours.TxBytes),
		"--duration", o.duration.String(), "--warmup", o.warmup.String(),
		"--clients", strconv.Itoa(o.clients), "--inflight", strconv.Itoa(o.inFlight), "--batch", strconv.Itoa(o.batch),
		"--timeout-commit", o.timeoutCommit.String(), "--pool", strconv.FormatInt(ours.Pool.Txs, 10)}
	// Our pool and heap go back to the system before the child starts.
	runtime.GC()
	debug.FreeOSMemory()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("baseline: %s: %w", strings.Join(append([]string{exe}, args...), " "), err)
	}
	var res bench.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("baseline: reading its result: %w", err)
	}
	return &res, nil
}

// runBaselineTestnet loads the kvstore baseline on as many validator
// processes as ours ran on, with our transaction size and the same load.
func (b *benchRun) runBaselineTestnet(ctx context.Context, ours *bench.Result) (*bench.Result, error) {
	gen, err := bench.KVStoreTx(ours.TxBytes)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	c, err := b.startKVStoreTestnet(ctx)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	defer c.stop()
	res, err := b.saturate(ctx, "kvstore", c.target, gen, nil, false)
	if err != nil {
		return nil, err
	}
	res.Target = c.describe
	return res, nil
}

// runKVStoreValidator is `bench --internal-kvstore-home HOME`: one
// validator of the kvstore baseline's testnet, run as `chancery start` runs
// ours — the home's settings, CometBFT through node.New, the same web
// server's chain API — with CometBFT's kvstore example as the application,
// its state in goleveldb as the example keeps it, until signalled.
func runKVStoreValidator(ctx context.Context, home string) error {
	cfg, err := loadConfig(home)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.Log)
	app, db, err := openKVStore(home)
	if err != nil {
		return err
	}
	defer db.Close()
	n, ln, err := startConsensus(cfg, app, logger)
	if err != nil {
		return err
	}
	defer n.Stop()
	srv := web.New(cfg.HTTP, web.Deps{Chain: kvstoreChain{Node: n, app: app}, Logger: logger.With("component", "http"), Version: version})
	return srv.Serve(ctx, ln)
}

// kvstoreChain is a kvstore validator as the web server uses it.
type kvstoreChain struct {
	*node.Node
	app *bench.KVStore
}

func (c kvstoreChain) TxResult(h chain.Hash) (*chain.TxResult, bool, error) { return c.app.TxResult(h) }

// Pending is false: kvstore keeps no record of what its mempool admitted,
// and the load never asks.
func (kvstoreChain) Pending(chain.Hash) bool { return false }

// startTestnet creates homes for o.validators validators as `chancery
// testnet` does, starts one `chancery start` process for each, and loads
// them over HTTP, clients spread over the nodes.
func (b *benchRun) startTestnet(ctx context.Context) (*chainUnderLoad, error) {
	o := b.o
	spec, urls, stop, err := b.startValidators(ctx, "testnet", true, func(home string) []string {
		return []string{"start", "--home", home}
	})
	if err != nil {
		return nil, err
	}
	token, err := os.ReadFile(filepath.Join(spec.home(0), adminTokenFile))
	if err != nil {
		stop()
		return nil, err
	}
	t := bench.NewHTTPTarget(urls, o.clients, o.inFlight, benchSubmitWait)
	return b.remoteChain(ctx, t, strings.TrimSpace(string(token)),
		fmt.Sprintf("%d validator processes on this machine, loaded over HTTP", o.validators), stop)
}

// startKVStoreTestnet starts the kvstore baseline as startTestnet starts
// our chain: o.validators processes on homes `chancery testnet` writes,
// each serving the chain API of `chancery start` (runKVStoreValidator), so
// the same HTTP load reaches the same server code.
func (b *benchRun) startKVStoreTestnet(ctx context.Context) (*chainUnderLoad, error) {
	o := b.o
	_, urls, stop, err := b.startValidators(ctx, "kvstore-testnet", false, func(home string) []string {
		return []string{"bench", "--internal-kvstore-home", home}
	})
	if err != nil {
		return nil, err
	}
	return &chainUnderLoad{
		target:   bench.NewHTTPTarget(urls, o.clients, o.inFlight, benchSubmitWait),
		describe: fmt.Sprintf("%d kvstore validator processes on this machine, loaded over HTTP", o.validators),
		stop:     stop,
	}, nil
}

// startValidators writes testnet homes for o.validators validators under
// b.dir/name, starts a process of this binary with args(home) for each,
// and waits until all answer /readyz. With profile and --cpuprofile each
// process also serves its profiler on loopback (b.pprofAddrs).
func (b *benchRun) startValidators(ctx context.Context, name string, profile bool, args func(home string) []string) (testnetSpec, []string, func(), error) {
	o := b.o
	fail := func(err error) (testnetSpec, []string, func(), error) { return testnetSpec{}, nil, nil, err }
	exe, err := os.Executable()
	if err != nil {
		return fail(err)
	}
	base, err := freePortRange(3 * o.validators) // p2p, HTTP, profiler
	if err != nil {
		return fail(err)
	}
	spec := testnetSpec{dir: filepath.Join(b.dir, name), chainID: benchChainID, validators: o.validators,
		p2pPort: base, httpPort: base + o.validators}
	if err := writeTestnet(spec); err != nil {
		return fail(err)
	}
	b.progress("starting %d validator processes (homes in %s)…", o.validators, spec.dir)
	var procs []*exec.Cmd
	stop := func() {
		for _, p := range procs {
			_ = p.Process.Signal(syscall.SIGTERM)
		}
		for _, p := range procs {
			done := make(chan struct{})
			go func() { _ = p.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				_ = p.Process.Kill()
				<-done
			}
		}
	}
	urls := make([]string, o.validators)
	for i := range o.validators {
		logFile, err := os.Create(filepath.Join(spec.dir, spec.moniker(i)+".log"))
		if err != nil {
			stop()
			return fail(err)
		}
		cmd := exec.Command(exe, args(spec.home(i))...)
		cmd.Env = append(envWithoutPrefix("CHANCERY_"), "CHANCERY_TIMEOUT_COMMIT="+o.timeoutCommit.String(), "CHANCERY_LOG_LEVEL=warn")
		if profile && o.cpuProfile != "" {
			addr := fmt.Sprintf("127.0.0.1:%d", base+2*o.validators+i)
			cmd.Env = append(cmd.Env, "CHANCERY_PPROF_LISTEN="+addr)
			b.pprofAddrs = append(b.pprofAddrs, addr)
		}
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Start(); err != nil {
			logFile.Close()
			stop()
			return fail(err)
		}
		logFile.Close() // the child holds its own descriptor
		procs = append(procs, cmd)
		urls[i] = "http://" + spec.httpAddr(i)
	}
	if err := waitReady(ctx, urls, 60*time.Second); err != nil {
		stop()
		return fail(fmt.Errorf("%w (logs in %s)", err, spec.dir))
	}
	return spec, urls, stop, nil
}

// waitReady waits until every node answers /readyz.
func waitReady(ctx context.Context, urls []string, limit time.Duration) error {
	c := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(limit)
	for _, u := range urls {
		for {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+"/readyz", nil)
			if err != nil {
				return err
			}
			resp, err := c.Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("validator at %s not ready within %v", u, limit)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return nil
}

// freePortRange finds n consecutive free TCP ports on 127.0.0.1, below the
// range the system hands out for outgoing connections.
func freePortRange(n int) (int, error) {
	var buf [2]byte
	for range 50 {
		if _, err := rand.Read(buf[:]); err != nil {
			return 0, err
		}
		base := 20000 + int(binary.BigEndian.Uint16(buf[:]))%10000
		ok := true
		for p := base; p < base+n && ok; p++ {
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				continue
			}
			ln.Close()
		}
		if ok {
			return base, nil
		}
	}
	return 0, errors.New("no free range of ports for the validators")
}

func envWithoutPrefix(prefix string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, prefix) {
			out = append(out, kv)
		}
	}
	return out
}

// raiseFileLimit lifts the soft limit on open files to the hard one: every
// HTTP submission in flight holds a connection.
func raiseFileLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

func benchLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// writeBenchFiles writes report.md, report.json and bench.svg into --out
// and, with --doc, the generated section of that file.
func writeBenchFiles(rep *bench.Report, o benchOptions) error {
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	var svg bytes.Buffer
	if err := bench.WriteSVG(&svg, rep.Chart()); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.out, "bench.svg"), svg.Bytes(), 0o644); err != nil {
		return err
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.out, "report.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	var md bytes.Buffer
	md.WriteString("# chancery bench\n\n")
	if err := rep.WriteMarkdown(&md, "bench.svg"); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.out, "report.md"), md.Bytes(), 0o644); err != nil {
		return err
	}
	if o.doc == "" {
		return nil
	}
	chart, err := filepath.Rel(filepath.Dir(o.doc), filepath.Join(o.out, "bench.svg"))
	if err != nil {
		chart = filepath.Join(o.out, "bench.svg")
	}
	var section bytes.Buffer
	if err := rep.WriteMarkdown(&section, filepath.ToSlash(chart)); err != nil {
		return err
	}
	return bench.UpdateSection(o.doc, "## chancery bench", section.String())
}
