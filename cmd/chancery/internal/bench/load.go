package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Outcome is what became of a submitted transaction.
type Outcome int

const (
	Committed Outcome = iota // in a committed block, and it succeeded
	Failed                   // refused by CheckTx, or failed in its block
	Pending                  // the wait ended before its block
	Busy                     // refused for now (mempool full): retry it
)

// Target is a chain under load.
type Target interface {
	// Submit hands tx to a node and waits for the block with it. client
	// numbers the load's client, for targets that spread clients over
	// nodes or connections.
	Submit(ctx context.Context, client int, tx []byte) (Outcome, error)
	// Height is the last block the application has committed.
	Height(ctx context.Context) (int64, error)
	// Blocks returns the committed blocks from through to, by height.
	Blocks(ctx context.Context, from, to int64) ([]Block, error)
	// Usage reads the CPU time and memory of the node's processes.
	Usage(ctx context.Context) (Usage, error)
}

// Sender is a Target that admits a transaction (CheckTx) and waits for its
// block in two steps, so that a client can send one transaction after the
// other and keep many waiting. Targets that cannot (HTTP, where one request
// does both) are loaded with one goroutine per submission in flight.
type Sender interface {
	// Send admits tx. Pending comes with wait, which blocks until the
	// block; any other outcome is final.
	Send(ctx context.Context, client int, tx []byte) (out Outcome, wait func(context.Context) (Outcome, error), err error)
}

// BatchTarget is a Target that also takes several transactions in one call,
// waiting for their blocks as Submit does, with one outcome each, in order.
type BatchTarget interface {
	SubmitBatch(ctx context.Context, client int, txs [][]byte) ([]Outcome, []error)
}

// Load is one measured run: a warm-up, then the window that is measured.
//
// Clients send transactions one after the other, each keeping up to
// InFlight of them waiting for their block. In a closed loop (Rate 0) a
// client sends as soon as it has room; in an open loop transactions fall
// due at Rate a second whatever the answers, and a client takes the next one
// due when it has room, its latency counted from when it fell due.
type Load struct {
	Target            Target
	Pool              *Pool
	Clients, InFlight int
	// Batch is how many transactions a client sends in one call, to a
	// BatchTarget in a closed loop; 0 or 1: one a call.
	Batch            int
	Rate             float64
	Warmup, Duration time.Duration
	// Grace bounds how long the submissions of the window may take to
	// finish after it; default 60s.
	Grace time.Duration
	// OnWindow, if set, is called as the window starts (true) and ends
	// (false): for profiles of the window alone.
	OnWindow func(start bool)
	// OnHeight, if set, is told the chain's height every second.
	OnHeight func(h int64)
	// Placement says where the node runs, to tell its CPU from other
	// processes' on this machine.
	Placement Placement
}

// Placement is where a node runs.
type Placement int

const (
	InProcess      Placement = iota // in the bench process: its usage is ours
	LocalProcesses                  // processes the bench started on this machine
	Elsewhere                       // a node given by URL, maybe on this machine
)

// Run is what a load saw.
type Run struct {
	Start, From, To time.Time // the load began; the window [From, To)
	Blocks          []Block   // from the first after Start to the first after To
	Counts          Counts
	U0, U1          Usage // the node's, at From and To
	MaxRSS          int64 // largest resident set sampled in the window
	// cpu samples the machine's busy time and ours about every second;
	// cpu[w0] and cpu[w1] are at From and To. machineOK is false where
	// the machine's is unknown.
	cpu       []cpuSample
	w0, w1    int
	machineOK bool
	samples   []sample
}

// cpuSample is the CPU time the whole machine (MachineBusy) and the bench
// with the nodes it started had used at a moment.
type cpuSample struct {
	at         time.Time
	busy, ours time.Duration
}

// othersCores is how many cores other processes kept busy from a to b.
func othersCores(a, b cpuSample) float64 {
	d := b.at.Sub(a.at).Seconds()
	if d <= 0 {
		return 0
	}
	return max(0, (b.busy-a.busy-(b.ours-a.ours)).Seconds()/d)
}

// Counts are the answers to the submissions of the whole run.
type Counts struct {
	Submitted  int64  `json:"submitted"`
	Committed  int64  `json:"committed"` // as the node answered
	Failed     int64  `json:"failed"`
	Pending    int64  `json:"pending"` // not answered within the wait
	Busy       int64  `json:"busy"`    // mempool full, sent again
	Dropped    int64  `json:"dropped"` // open loop: fell due with no room to queue
	FirstError string `json:"first_error,omitempty"`
}

// sample is one committed transaction: when it was sent (or, open loop, due)
// and how long it took to commit, as offsets from the start.
type sample struct{ at, latency time.Duration }

const (
	busyBackoff = 20 * time.Millisecond
	// abortAfter failures with nothing committed end the run: the load is
	// being refused (wrong key, wrong chain), and measuring it is pointless.
	abortAfter = 2000
	// dueQueue bounds, in seconds of the open loop's rate, how many
	// transactions may wait for a client with room.
	dueQueue = 10
)

// ErrAllRejected ends a run whose transactions are all refused.
var ErrAllRejected = errors.New("every transaction was refused")

// Run drives the load and returns what it saw once the blocks of the window
// are committed.
func (l Load) Run(ctx context.Context) (*Run, error) {
	if l.Grace <= 0 {
		l.Grace = time.Minute
	}
	l.Clients, l.InFlight = max(l.Clients, 1), max(l.InFlight, 1)
	h0, err := l.Target.Height(ctx)
	if err != nil {
		return nil, err
	}
	rec := &recorder{shards: make([]shard, l.Clients)}
	r := &Run{Start: time.Now(), machineOK: true}
	l.sampleCPU(ctx, r)
	r.From = r.Start.Add(l.Warmup)
	r.To = r.From.Add(l.Duration)

	// Waits run on waitCtx until the grace after the window ends; nothing
	// new is sent once stop is closed.
	waitCtx, cancelWaits := context.WithCancel(ctx)
	defer cancelWaits()
	stop := make(chan struct{})
	var stopOnce sync.Once
	halt := func() { stopOnce.Do(func() { close(stop) }) }
	defer halt()

	var due chan time.Time
	var wg sync.WaitGroup
	if l.Rate > 0 {
		due = make(chan time.Time, max(1, int(l.Rate*dueQueue)))
		wg.Go(func() { l.pace(r.Start, r.To, due, stop, rec) })
	}
	for c := range l.Clients {
		wg.Go(func() { l.client(waitCtx, c, r.Start, due, stop, rec) })
	}

	err = l.watch(ctx, r, rec, halt)
	halt()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(l.Grace):
		cancelWaits()
		<-done
	case <-ctx.Done():
		cancelWaits()
		<-done
	}
	r.Counts = rec.counts()
	if err != nil {
		return r, err
	}
	r.samples = rec.all()
	r.Blocks, err = l.blocksThrough(ctx, h0, r.To)
	return r, err
}

// watch waits for the window, sampling usage and height every second, and
// ends the run early when every transaction is refused.
func (l Load) watch(ctx context.Context, r *Run, rec *recorder, halt func()) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	inWindow := false
	for {
		now := time.Now()
		if !inWindow && !now.Before(r.From) {
			inWindow = true
			r.U0 = l.sampleCPU(ctx, r)
			r.w0 = len(r.cpu) - 1
			if l.OnWindow != nil {
				l.OnWindow(true)
			}
		}
		if !now.Before(r.To) {
			r.U1 = l.sampleCPU(ctx, r)
			r.w1 = len(r.cpu) - 1
			r.MaxRSS = max(r.MaxRSS, r.U1.RSS)
			if l.OnWindow != nil {
				l.OnWindow(false)
			}
			return nil
		}
		if c := rec.counts(); c.Committed == 0 && c.Failed >= abortAfter {
			halt()
			return fmt.Errorf("%w: %d refused, none committed; first: %s", ErrAllRejected, c.Failed, c.FirstError)
		}
		next := r.From
		if inWindow {
			next = r.To
		}
		timer := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		case <-tick.C:
			timer.Stop()
			u := l.sampleCPU(ctx, r)
			if inWindow {
				r.MaxRSS = max(r.MaxRSS, u.RSS)
			}
			if l.OnHeight != nil {
				if h, err := l.Target.Height(ctx); err == nil {
					l.OnHeight(h)
				}
			}
		}
	}
}

// sampleCPU appends a cpuSample to r and returns the node's usage.
func (l Load) sampleCPU(ctx context.Context, r *Run) Usage {
	u, _ := l.Target.Usage(ctx) // a node that cannot tell reports zeros
	c := cpuSample{at: time.Now(), ours: SelfUsage().CPU}
	if l.Placement == LocalProcesses {
		c.ours += u.CPU
	}
	var ok bool
	c.busy, ok = MachineBusy()
	r.machineOK = r.machineOK && ok
	r.cpu = append(r.cpu, c)
	return u
}

// pace makes transactions fall due at l.Rate from start until end.
func (l Load) pace(start, end time.Time, due chan<- time.Time, stop <-chan struct{}, rec *recorder) {
	defer close(due)
	interval := time.Duration(float64(time.Second) / l.Rate)
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if !at.Before(end) {
			return
		}
		if wait := time.Until(at); wait > time.Millisecond {
			select {
			case <-stop:
				return
			case <-time.After(wait):
			}
		}
		select {
		case <-stop:
			return
		case due <- at:
		default:
			rec.shard(i).add(func(c *Counts) { c.Dropped++ })
		}
	}
}

// client sends transactions one after the other while it has fewer than
// InFlight waiting for their blocks.
func (l Load) client(ctx context.Context, client int, start time.Time, due <-chan time.Time, stop <-chan struct{}, rec *recorder) {
	if bt, ok := l.Target.(BatchTarget); ok && l.Batch > 1 && due == nil {
		l.batchClient(ctx, client, start, stop, rec, bt)
		return
	}
	slots := make(chan struct{}, l.InFlight)
	var waits sync.WaitGroup
	defer waits.Wait()
	for {
		select {
		case <-stop:
			return
		case slots <- struct{}{}:
		}
		sent := time.Now()
		if due != nil {
			var ok bool
			select {
			case <-stop:
				return
			case sent, ok = <-due:
				if !ok {
					return
				}
			}
		}
		raw, err := l.Pool.Next()
		if err != nil {
			rec.fail(client, err)
			return
		}
		wait := l.send(ctx, client, raw, sent, start, stop, rec)
		if wait == nil {
			<-slots
			continue
		}
		waits.Go(func() {
			defer func() { <-slots }()
			wait()
		})
	}
}

// batchClient sends Batch transactions a call (InFlight at most) while it
// has room for them among the InFlight it keeps waiting for their blocks.
// Each is recorded from when its call was sent.
func (l Load) batchClient(ctx context.Context, client int, start time.Time, stop <-chan struct{}, rec *recorder, bt BatchTarget) {
	size := min(l.Batch, l.InFlight)
	slots := make(chan struct{}, l.InFlight)
	var calls sync.WaitGroup
	defer calls.Wait()
	s := rec.shard(client)
	for {
		for range size {
			select {
			case <-stop:
				return
			case slots <- struct{}{}:
			}
		}
		raws := make([][]byte, size)
		for i := range raws {
			raw, err := l.Pool.Next()
			if err != nil {
				rec.fail(client, err)
				return
			}
			raws[i] = raw
		}
		sent := time.Now()
		s.add(func(c *Counts) { c.Submitted += int64(size) })
		calls.Go(func() {
			defer func() {
				for range size {
					<-slots
				}
			}()
			outs, errList := bt.SubmitBatch(ctx, client, raws)
			for i := range raws {
				l.record(ctx, client, sent, start, rec, func() (Outcome, error) { return outs[i], errList[i] })
			}
		})
	}
}

// send sends raw and returns what waits for and records its answer, or nil
// when the answer is already recorded. sent is when it was sent (or due).
func (l Load) send(ctx context.Context, client int, raw []byte, sent, start time.Time, stop <-chan struct{}, rec *recorder) func() {
	s := rec.shard(client)
	s.add(func(c *Counts) { c.Submitted++ })
	sender, ok := l.Target.(Sender)
	if !ok {
		return func() {
			l.record(ctx, client, sent, start, rec, func() (Outcome, error) {
				return l.retryBusy(ctx, stop, s, func() (Outcome, error) { return l.Target.Submit(ctx, client, raw) })
			})
		}
	}
	var wait func(context.Context) (Outcome, error)
	out, err := l.retryBusy(ctx, stop, s, func() (o Outcome, e error) {
		o, wait, e = sender.Send(ctx, client, raw)
		return o, e
	})
	if out != Pending || wait == nil {
		l.record(ctx, client, sent, start, rec, func() (Outcome, error) { return out, err })
		return nil
	}
	return func() {
		l.record(ctx, client, sent, start, rec, func() (Outcome, error) { return wait(ctx) })
	}
}

// retryBusy calls f again, after a pause, while the node is busy.
func (l Load) retryBusy(ctx context.Context, stop <-chan struct{}, s *shard, f func() (Outcome, error)) (Outcome, error) {
	for {
		out, err := f()
		if out != Busy {
			return out, err
		}
		s.add(func(c *Counts) { c.Busy++ })
		select {
		case <-stop:
			return Pending, nil
		case <-ctx.Done():
			return Pending, nil
		case <-time.After(busyBackoff):
		}
	}
}

// record waits for an answer with f and records it.
func (l Load) record(ctx context.Context, client int, sent, start time.Time, rec *recorder, f func() (Outcome, error)) {
	out, err := f()
	s := rec.shard(client)
	switch {
	case out == Committed:
		s.commit(sample{at: sent.Sub(start), latency: time.Since(sent)})
	case ctx.Err() != nil:
		// Cut off after the grace: neither an answer nor a failure.
	case out == Pending:
		s.add(func(c *Counts) { c.Pending++ })
	default:
		rec.fail(client, err)
	}
}

// blocksThrough waits until a block whose time is at or after to is
// committed, so that every block of the window is, and returns the blocks
// after height from through it.
func (l Load) blocksThrough(ctx context.Context, from int64, to time.Time) ([]Block, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		h, err := l.Target.Height(ctx)
		if err != nil {
			return nil, err
		}
		if h > from {
			last, err := l.Target.Blocks(ctx, h, h)
			if err != nil {
				return nil, err
			}
			if len(last) == 1 && !last[0].Time.Before(to) {
				return l.Target.Blocks(ctx, from+1, h)
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no block after the window within 30s: the chain is stuck at height %d", h)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// recorder collects answers in one shard per client, so that thousands of
// goroutines do not contend on one lock.
type recorder struct {
	shards []shard
}

type shard struct {
	mu      sync.Mutex
	c       Counts
	samples []sample
	_       [64]byte // keep shards on separate cache lines
}

func (r *recorder) shard(client int) *shard { return &r.shards[client%len(r.shards)] }

func (s *shard) add(f func(*Counts)) {
	s.mu.Lock()
	f(&s.c)
	s.mu.Unlock()
}

func (s *shard) commit(x sample) {
	s.mu.Lock()
	s.c.Committed++
	s.samples = append(s.samples, x)
	s.mu.Unlock()
}

func (r *recorder) fail(client int, err error) {
	r.shard(client).add(func(c *Counts) {
		c.Failed++
		if c.FirstError == "" && err != nil {
			c.FirstError = err.Error()
		}
	})
}

func (r *recorder) counts() Counts {
	var t Counts
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		c := s.c
		s.mu.Unlock()
		t.Submitted += c.Submitted
		t.Committed += c.Committed
		t.Failed += c.Failed
		t.Pending += c.Pending
		t.Busy += c.Busy
		t.Dropped += c.Dropped
		if t.FirstError == "" {
			t.FirstError = c.FirstError
		}
	}
	return t
}

func (r *recorder) all() []sample {
	var out []sample
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		out = append(out, s.samples...)
		s.mu.Unlock()
	}
	return out
}

// WaitIdle waits until t commits a block without transactions — its mempool
// was empty when the block was proposed — so that a backlog left by an
// overloaded run does not run under the next measurement. It gives up after
// limit and says so.
func WaitIdle(ctx context.Context, t Target, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		h, err := t.Height(ctx)
		if err == nil && h > 0 {
			var blocks []Block
			if blocks, err = t.Blocks(ctx, h, h); err == nil && len(blocks) == 1 && blocks[0].NumTxs == 0 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("chain still busy after %v: %w", limit, ctx.Err())
		case <-tick.C:
		}
	}
}
