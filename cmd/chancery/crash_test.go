package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/chain/tx"
)

// Load of the crash test: crashClients clients, each with its own connection
// pool and crashInFlight requests open at once, so that blocks fill with
// hundreds of transactions and the kill lands among busy commits.
const (
	crashClients   = 16
	crashInFlight  = 32
	crashKillAfter = 4000 // committed transactions before the kill
	crashLoadLimit = 45 * time.Second
	crashTxWait    = "10s"
	// The kill lands at random from killBefore before a block's results are
	// expected until killAfter after.
	killBefore = 100 * time.Millisecond
	killAfter  = 20 * time.Millisecond
)

// TestCrashRecovery runs the real binary under load from concurrent clients,
// kills it with SIGKILL mid-load, starts it again on the same home and checks
// that nothing the API reported before the kill was lost or changed: every
// transaction reported committed is still committed with the same height,
// index, code and data; every block seen keeps its hash and app hash; the
// state continues from the app hash it had; and the chain moves on.
//
// A killed process leaves its written files in the page cache, so this test
// covers what the process does (atomic commits, CometBFT's handshake and
// replay), not whether it syncs what it writes: that needs a power cut.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: builds the binary and runs it under load")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("crash test needs the go tool to build the binary")
	}
	dir := t.TempDir()
	var logs []string
	t.Cleanup(func() { // registered first, so it runs after the processes are gone
		if t.Failed() {
			for _, l := range logs {
				printLog(t, l)
			}
		}
	})

	bin := filepath.Join(dir, "chancery")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	if out, err := exec.Command(bin, "init", "--home", home, "--demo").CombinedOutput(); err != nil {
		t.Fatalf("chancery init: %v\n%s", err, out)
	}
	token, err := os.ReadFile(filepath.Join(home, adminTokenFile))
	if err != nil {
		t.Fatal(err)
	}

	logs = append(logs, filepath.Join(dir, "node-1.log"))
	n1 := startNode(t, bin, home, logs[0])
	c := newCrashClient(n1.url)
	ctx := t.Context()
	n1.waitReady(t, ctx)
	st := c.status(t, ctx)

	// The loader is an org.admin of the consortium whose key only the test
	// holds: it signs every transaction of the load.
	loaderKey, loaderPub := genKey(t)
	var resp txView
	code, body := c.postJSON(t, ctx, "/api/v1/members/accounts", strings.TrimSpace(string(token)), map[string]any{
		"name": "loader", "pubkey": loaderPub, "roles": []string{members.RoleOrgAdmin},
	}, &resp)
	if code != http.StatusAccepted || resp.Status != "committed" {
		t.Fatalf("add loader account: %d %s", code, body)
	}
	signer := &txSigner{chainID: st.ChainID, pub: loaderPub, key: loaderKey}
	signer.height.Store(st.Height)

	// The load.
	load := &crashLoad{signer: signer}
	var clients sync.WaitGroup
	defer clients.Wait()
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	for i := range crashClients {
		lc := newCrashClient(n1.url)
		for j := range crashInFlight {
			clients.Go(func() { load.run(loadCtx, lc, fmt.Sprintf("crash-%02d-%02d", i, j)) })
		}
	}

	// Watch the chain while the load runs, recording every block and the app
	// hash after every height seen, until enough transactions committed.
	rec := newChainRecord()
	loadStart := time.Now()
	deadline := loadStart.Add(crashLoadLimit)
	for load.committed.Load() < crashKillAfter {
		if err := n1.exited(); err != nil {
			t.Fatalf("node died during the load, before the kill: %v", err)
		}
		if err := load.failure(); err != nil {
			t.Fatalf("before the kill: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d transactions committed within %v (%d submitted, %d pending)",
				load.committed.Load(), crashKillAfter, crashLoadLimit, load.submitted.Load(), load.pending.Load())
		}
		st := c.status(t, ctx)
		signer.height.Store(st.Height)
		rec.appHashAfter[st.Height] = st.AppHash
		rec.fetchBlocks(t, ctx, c, st.Height)
		time.Sleep(200 * time.Millisecond)
	}
	// A result may be reported before CometBFT's status shows its height:
	// record every block up to the highest one a result named.
	rec.fetchBlocks(t, ctx, c, max(c.status(t, ctx).Height, load.maxHeight()))
	time.Sleep(time.Until(load.killAt()))
	inFlight := load.inFlight.Load()
	if inFlight == 0 {
		t.Fatal("no request in flight at the kill: the clients stopped early")
	}

	load.killed.Store(true)
	n1.kill(t)
	stopLoad()
	waitGroup(t, &clients, 30*time.Second, "clients after the kill")
	if err := load.failure(); err != nil {
		t.Fatalf("before the kill: %v", err)
	}
	if !n1.killedBySignal(syscall.SIGKILL) {
		t.Fatalf("node exit: %v, want killed by our SIGKILL", n1.err)
	}
	committed := load.results()
	preKill := rec.maxHeight()
	t.Logf("killed after %v of load at height ≥ %d: %d txs submitted, %d reported committed, %d reported pending, %d requests in flight; %d blocks recorded",
		time.Since(loadStart).Round(time.Millisecond), preKill, load.submitted.Load(), len(committed), load.pending.Load(), inFlight, len(rec.blocks))

	// Restart on the same home.
	logs = append(logs, filepath.Join(dir, "node-2.log"))
	n2 := startNode(t, bin, home, logs[1], "CHANCERY_COMET_LOG_LEVEL=info")
	c = newCrashClient(n2.url)
	n2.waitReady(t, ctx)
	st = c.status(t, ctx)
	t.Logf("restarted at height %d; %s", st.Height, handshake(logs[1]))

	checkCommitted(t, ctx, c, committed)
	checkBlocks(t, ctx, c, rec, preKill)
	checkAccounts(t, ctx, c, committed)
	checkResubmit(t, ctx, c, committed)

	// The chain moves on, and takes new transactions.
	deadline = time.Now().Add(30 * time.Second)
	for st.Height <= preKill+1 {
		if time.Now().After(deadline) {
			t.Fatalf("chain stuck at height %d after the restart; it was at %d before the kill", st.Height, preKill)
		}
		time.Sleep(200 * time.Millisecond)
		st = c.status(t, ctx)
	}
	signer.height.Store(st.Height)
	raw, acc := signer.addAccount(t, "after-restart")
	res, code, body := c.submit(ctx, raw)
	if code != http.StatusAccepted || res.Status != "committed" || res.Height <= preKill {
		t.Fatalf("new tx after the restart: %d %s (want 202 committed above height %d)", code, body, preKill)
	}
	checkAccount(t, ctx, c, acc, committedTx{height: res.Height})
	t.Logf("after the restart: new tx committed at height %d", res.Height)

	n2.stop(t)
}

// crashLoad is the concurrent clients: they sign and submit add_account
// transactions and keep every result the API reported committed.
type crashLoad struct {
	signer *txSigner

	submitted, committed, pending, inFlight atomic.Int64
	// killed is set just before the kill: a client error after it is
	// expected, before it a failure.
	killed atomic.Bool

	mu       sync.Mutex
	txs      []committedTx
	arrivals map[int64]time.Time // when the first result of each height arrived
	first    error
}

// committedTx is a transaction the API reported committed, and the account
// it added.
type committedTx struct {
	raw     []byte
	hash    string
	height  int64
	index   uint32
	code    uint32
	data    []byte
	account accountWant
}

type accountWant struct {
	name string
	pub  chain.PubKey
}

// run submits one transaction after the other until ctx ends or the node
// fails; prefix makes the names of the accounts it adds unique.
func (l *crashLoad) run(ctx context.Context, c *crashClient, prefix string) {
	for seq := 0; ctx.Err() == nil; seq++ {
		raw, acc := l.signer.addAccount(nil, fmt.Sprintf("%s-%05d", prefix, seq))
		l.submitted.Add(1)
		l.inFlight.Add(1)
		res, code, body := c.submit(ctx, raw)
		l.inFlight.Add(-1)
		switch {
		case code == http.StatusAccepted && res.Status == "committed":
			// Whenever it arrives, even after the kill, this answer came
			// from the node before it died: it must hold after the restart.
			l.record(committedTx{raw: raw, hash: res.Hash, height: res.Height, index: res.Index, code: res.Code, data: res.Data, account: acc})
		case code == http.StatusAccepted && res.Status == "pending":
			l.pending.Add(1)
		case l.killed.Load():
			return
		default:
			l.fail(fmt.Errorf("%s: submit %s: %d %s", prefix, chain.SumHash(raw), code, body))
			return
		}
	}
}

func (l *crashLoad) record(c committedTx) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.txs = append(l.txs, c)
	l.committed.Add(1)
	if l.arrivals == nil {
		l.arrivals = map[int64]time.Time{}
	}
	if _, ok := l.arrivals[c.height]; !ok {
		l.arrivals[c.height] = time.Now()
	}
}

// killAt returns a random moment in the busy part of a coming block: from
// killBefore before its results are expected until killAfter after. Under
// steady load the results of a block arrive together, right after the
// application committed it, and blocks follow at a steady pace; the time
// before covers the proposal, the votes and the block's execution and
// commit, the time after CometBFT saving its own state. Only where the kill
// lands depends on this guess, never an assertion.
func (l *crashLoad) killAt() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.arrivals) == 0 {
		return time.Now()
	}
	var top int64
	for h := range l.arrivals {
		top = max(top, h)
	}
	last := l.arrivals[top]
	period := node.DefaultTimeoutCommit
	if prev, ok := l.arrivals[top-1]; ok && last.Sub(prev) > 0 && last.Sub(prev) < 5*time.Second {
		period = last.Sub(prev)
	}
	at := last.Add(period - killBefore + randDuration(killBefore+killAfter))
	for at.Before(time.Now()) {
		at = at.Add(period)
	}
	return at
}

func (l *crashLoad) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.first == nil {
		l.first = err
	}
}

func (l *crashLoad) failure() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.first
}

func (l *crashLoad) results() []committedTx {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]committedTx(nil), l.txs...)
}

func (l *crashLoad) maxHeight() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var h int64
	for _, c := range l.txs {
		h = max(h, c.height)
	}
	return h
}

// txSigner signs add_account transactions as the loader.
type txSigner struct {
	chainID string
	pub     chain.PubKey
	key     ed25519.PrivateKey
	height  atomic.Int64 // a recent height, for valid_until
}

// addAccount returns a signed transaction adding an account with a fresh key
// and no roles. t may be nil in client goroutines, which cannot fail the
// test; signing fails only on a broken random source.
func (s *txSigner) addAccount(t *testing.T, name string) ([]byte, accountWant) {
	_, pub := genKey(t)
	msg := members.AddAccount{Name: name, PubKey: pub, Roles: []string{}}
	body, err := tx.NewBody(s.chainID, members.ModuleName, members.TypeAddAccount, msg, s.pub, s.height.Load()+500)
	if err != nil {
		panic(err)
	}
	raw, err := tx.Sign(body, s.key)
	if err != nil {
		panic(err)
	}
	return raw, accountWant{name: name, pub: pub}
}

// chainRecord is what the test saw of the chain before the kill.
type chainRecord struct {
	blocks       map[int64]blockView
	appHashAfter map[int64]string // the status's app hash after each height seen
}

func newChainRecord() *chainRecord {
	return &chainRecord{blocks: map[int64]blockView{}, appHashAfter: map[int64]string{}}
}

func (r *chainRecord) fetchBlocks(t *testing.T, ctx context.Context, c *crashClient, upTo int64) {
	t.Helper()
	for h := int64(1); h <= upTo; h++ {
		if _, ok := r.blocks[h]; !ok {
			r.blocks[h] = c.block(t, ctx, h)
		}
	}
}

func (r *chainRecord) maxHeight() int64 {
	var h int64
	for b := range r.blocks {
		h = max(h, b)
	}
	return h
}

// checkCommitted asserts that every transaction reported committed before
// the kill is still committed with the same result.
func checkCommitted(t *testing.T, ctx context.Context, c *crashClient, txs []committedTx) {
	t.Helper()
	var (
		mu       sync.Mutex
		problems []string
	)
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	work := make(chan committedTx)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for want := range work {
				var got txView
				code, body, err := c.get(ctx, "/api/v1/txs/"+want.hash, &got)
				switch {
				case err != nil:
					report("tx %s: %v", want.hash, err)
				case code != http.StatusOK:
					report("tx %s (committed at %d/%d before the kill): %d %s", want.hash, want.height, want.index, code, body)
				case got.Status != "committed" || got.Height != want.height || got.Index != want.index ||
					got.Code != want.code || !bytes.Equal(got.Data, want.data):
					report("tx %s: before the kill committed at %d/%d code %d data %s; now %s at %d/%d code %d data %s",
						want.hash, want.height, want.index, want.code, want.data, got.Status, got.Height, got.Index, got.Code, got.Data)
				}
			}
		})
	}
	for _, want := range txs {
		work <- want
	}
	close(work)
	wg.Wait()
	if len(problems) > 0 {
		t.Errorf("%d of %d transactions reported committed before the kill changed or vanished; first ones:\n%s",
			len(problems), len(txs), strings.Join(problems[:min(len(problems), 10)], "\n"))
	}
}

// checkBlocks asserts that the blocks made before the kill are unchanged and
// that the state continued from the app hash it had after each of them.
func checkBlocks(t *testing.T, ctx context.Context, c *crashClient, rec *chainRecord, preKill int64) {
	t.Helper()
	bad := 0
	for h := int64(1); h <= preKill; h++ {
		want, ok := rec.blocks[h]
		if !ok {
			t.Fatalf("block %d was not recorded before the kill", h)
		}
		got := c.block(t, ctx, h)
		if got.Hash != want.Hash || got.AppHash != want.AppHash || got.NumTxs != want.NumTxs {
			if bad++; bad <= 10 {
				t.Errorf("block %d: before the kill hash %s app_hash %s txs %d; now hash %s app_hash %s txs %d",
					h, want.Hash, want.AppHash, want.NumTxs, got.Hash, got.AppHash, got.NumTxs)
			}
		}
	}
	// Block h+1's header carries the app hash after block h.
	for h, appHash := range rec.appHashAfter {
		next := waitBlock(t, ctx, c, h+1)
		if next.AppHash != appHash {
			t.Errorf("app hash after block %d: %s before the kill, block %d now carries %s", h, appHash, h+1, next.AppHash)
		}
	}
}

// checkAccounts asserts that a sample of the accounts the committed
// transactions added exist.
func checkAccounts(t *testing.T, ctx context.Context, c *crashClient, txs []committedTx) {
	t.Helper()
	for _, i := range sample(len(txs), 50) {
		checkAccount(t, ctx, c, txs[i].account, txs[i])
	}
}

func checkAccount(t *testing.T, ctx context.Context, c *crashClient, want accountWant, added committedTx) {
	t.Helper()
	var got accountView
	addr := want.pub.Address()
	code, body, err := c.get(ctx, "/api/v1/members/accounts/"+addr.String(), &got)
	if err != nil || code != http.StatusOK {
		t.Errorf("account %s (%s, added at height %d): %d %s %v", addr, want.name, added.height, code, body, err)
		return
	}
	if got.Name != want.name || got.PubKey != want.pub || got.Org != consortiumOrg.ID || got.Revoked || got.CreatedHeight != added.height {
		t.Errorf("account %s: got %s, want name %s in %s, created at height %d", addr, body, want.name, consortiumOrg.ID, added.height)
	}
}

// checkResubmit asserts that submitting a committed transaction again
// answers with its original result, as before the kill.
func checkResubmit(t *testing.T, ctx context.Context, c *crashClient, txs []committedTx) {
	t.Helper()
	for _, i := range sample(len(txs), 10) {
		want := txs[i]
		got, code, body := c.submit(ctx, want.raw)
		if code != http.StatusAccepted || got.Status != "committed" || got.Hash != want.hash ||
			got.Height != want.height || got.Index != want.index || !bytes.Equal(got.Data, want.data) {
			t.Errorf("resubmit tx %s (committed at %d/%d): %d %s", want.hash, want.height, want.index, code, body)
		}
	}
}

func randDuration(limit time.Duration) time.Duration {
	r, err := rand.Int(rand.Reader, big.NewInt(int64(limit)))
	if err != nil {
		panic(err)
	}
	return time.Duration(r.Int64())
}

// sample returns up to k distinct indexes below n, at random.
func sample(n, k int) []int {
	var out []int
	seen := map[int]bool{}
	for len(out) < min(n, k) {
		r, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
		if err != nil {
			panic(err)
		}
		if i := int(r.Int64()); !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	return out
}

func waitBlock(t *testing.T, ctx context.Context, c *crashClient, h int64) blockView {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var b blockView
		code, body, err := c.get(ctx, fmt.Sprintf("/api/v1/blocks/%d", h), &b)
		if err == nil && code == http.StatusOK {
			return b
		}
		if err == nil && code != http.StatusNotFound {
			t.Fatalf("block %d: %d %s", h, code, body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("block %d not made within 30s after the restart: %d %s %v", h, code, body, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// The API's answers, as far as the test reads them.
type (
	txView struct {
		Hash   string `json:"hash"`
		Status string `json:"status"`
		Height int64  `json:"height"`
		Index  uint32 `json:"index"`
		Code   uint32 `json:"code"`
		Data   []byte `json:"data"`
	}
	statusView struct {
		ChainID string `json:"chain_id"`
		Height  int64  `json:"height"`
		AppHash string `json:"app_hash"`
	}
	blockView struct {
		Height  int64  `json:"height"`
		Hash    string `json:"hash"`
		AppHash string `json:"app_hash"`
		NumTxs  int    `json:"num_txs"`
	}
	accountView struct {
		PubKey        chain.PubKey `json:"pubkey"`
		Org           string       `json:"org"`
		Name          string       `json:"name"`
		Revoked       bool         `json:"revoked"`
		CreatedHeight int64        `json:"created_height"`
	}
)

// crashClient calls one node's HTTP API.
type crashClient struct {
	base string
	http *http.Client
}

func newCrashClient(base string) *crashClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = crashInFlight
	// Longer than any ?wait=, so a request ends only by an answer or the
	// connection breaking.
	return &crashClient{base: base, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

func (c *crashClient) do(req *http.Request, v any) (int, string, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", err
	}
	body := strings.TrimSpace(string(raw))
	if v != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, v); err != nil {
			return resp.StatusCode, body, fmt.Errorf("decode %s %s: %w", req.Method, req.URL.Path, err)
		}
	}
	return resp.StatusCode, body, nil
}

func (c *crashClient) get(ctx context.Context, path string, v any) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return 0, "", err
	}
	return c.do(req, v)
}

// submit posts a signed transaction and waits for its block. A broken
// connection gives code 0 and the error as body.
func (c *crashClient) submit(ctx context.Context, raw []byte) (txView, int, string) {
	var res txView
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/v1/txs?wait="+crashTxWait, bytes.NewReader(raw))
	if err != nil {
		return res, 0, err.Error()
	}
	code, body, err := c.do(req, &res)
	if err != nil {
		return res, 0, err.Error()
	}
	return res, code, body
}

func (c *crashClient) postJSON(t *testing.T, ctx context.Context, path, token string, in, out any) (int, string) {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	code, body, err := c.do(req, out)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return code, body
}

func (c *crashClient) status(t *testing.T, ctx context.Context) statusView {
	t.Helper()
	var st statusView
	if code, body, err := c.get(ctx, "/api/v1/status", &st); err != nil || code != http.StatusOK {
		t.Fatalf("status: %d %s %v", code, body, err)
	}
	return st
}

func (c *crashClient) block(t *testing.T, ctx context.Context, h int64) blockView {
	t.Helper()
	var b blockView
	if code, body, err := c.get(ctx, fmt.Sprintf("/api/v1/blocks/%d", h), &b); err != nil || code != http.StatusOK {
		t.Fatalf("block %d: %d %s %v", h, code, body, err)
	}
	return b
}

// nodeProc is a `chancery start` process.
type nodeProc struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed when the process has exited
	err  error         // its exit, once done
}

// startNode starts the node on fresh ports, its output appended to logPath.
// A cleanup kills it if the test has not stopped it.
func startNode(t *testing.T, bin, home, logPath string, env ...string) *nodeProc {
	t.Helper()
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	httpAddr := freeHTTPAddr(t)
	cmd := exec.Command(bin, "start", "--home", home, "--http", httpAddr)
	cmd.Env = append(envWithout("CHANCERY_"), "CHANCERY_P2P_LISTEN=tcp://"+freeHTTPAddr(t))
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start node: %v", err)
	}
	p := &nodeProc{cmd: cmd, url: "http://" + httpAddr, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

// waitReady waits for /readyz, failing if the process exits first.
func (p *nodeProc) waitReady(t *testing.T, ctx context.Context) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-p.done:
			t.Fatalf("node exited before it was ready: %v", p.err)
		default:
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"/readyz", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("node not ready within 60s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// exited returns nil while the process runs, else how it ended.
func (p *nodeProc) exited() error {
	select {
	case <-p.done:
		if p.err == nil {
			return errors.New("exit status 0")
		}
		return p.err
	default:
		return nil
	}
}

// killedBySignal reports whether the process ended by sig. Call it after
// done.
func (p *nodeProc) killedBySignal(sig syscall.Signal) bool {
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *nodeProc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill node: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatal("node still running 10s after SIGKILL")
	}
}

// stop sends SIGTERM and expects a clean exit within 20s.
func (p *nodeProc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("stop node: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Fatal("node still running 20s after SIGTERM")
	}
	if p.err != nil {
		t.Fatalf("node exit after SIGTERM: %v (want status 0)", p.err)
	}
}

// envWithout is the environment minus variables starting with prefix, so
// that the caller's settings do not leak into the node.
func envWithout(prefix string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, prefix) {
			out = append(out, kv)
		}
	}
	return out
}

func waitGroup(t *testing.T, wg *sync.WaitGroup, limit time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("%s: still running after %v", what, limit)
	}
}

// handshake returns what CometBFT logged about where the application, the
// block store and the consensus state stood at start-up: which recovery
// path the kill left the node on.
func handshake(logPath string) string {
	b, _ := os.ReadFile(logPath)
	for line := range strings.Lines(string(b)) {
		if strings.Contains(line, "ABCI Replay Blocks") {
			var heights []string
			for _, f := range strings.Fields(line) {
				if strings.HasSuffix(strings.SplitN(f, "=", 2)[0], "Height") {
					heights = append(heights, f)
				}
			}
			return "handshake: " + strings.Join(heights, " ")
		}
	}
	return "no handshake line in the log"
}

// printLog logs a node's output, the end of it when long.
func printLog(t *testing.T, path string) {
	const keep = 64 << 10
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		t.Logf("%s: %v", path, err)
		return
	}
	if len(b) > keep {
		b = append([]byte("…\n"), b[len(b)-keep:]...)
	}
	t.Logf("%s:\n%s", filepath.Base(path), b)
}
