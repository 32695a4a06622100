package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chancery/chancery/chain"
)

// TestConsortium runs four validators in containers and takes them through
// the faults a consortium meets. The subtests share the consortium to keep
// the run short, but each starts from four running, agreeing validators
// (its cleanups restore what it broke) and asserts its own claims.
func TestConsortium(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: runs a consortium in Docker")
	}
	began := time.Now()
	c := startCluster(t)
	t.Logf("four validators and MinIO up and agreeing after %v", time.Since(began).Round(time.Second))

	for _, st := range []struct {
		name string
		run  func(*testing.T, *cluster)
	}{
		{"tx sent to one node is committed on all with one app hash", testReplication},
		{"one validator stopped then restarted", testOneDown},
		{"two validators stopped halt the chain without forking", testTwoDown},
		{"partitioned validator stalls then converges", testPartition},
		{"blob store down during an upload", testBlobStoreDown},
		{"validator killed under load keeps every committed tx", testKillUnderLoad},
	} {
		t.Run(st.name, func(t *testing.T) {
			began := time.Now()
			c.waitHeight(t, c.nodes, maxHeight(t.Context(), c.nodes)+1) // all four live
			st.run(t, c)
			t.Logf("took %v", time.Since(began).Round(time.Second))
		})
	}
}

// A transaction submitted to one validator is committed, and every node's
// API shows it committed at the same height and index, in a block with the
// same hash, after which every node has the same app hash.
func testReplication(t *testing.T, c *cluster) {
	entry := c.nodes[1]
	st, err := entry.status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	raw, hash := c.loader.addAccount("replicated", st.Height+500)
	res, code, body := entry.submit(t.Context(), raw, "30s")
	if code != http.StatusAccepted || res.Status != "committed" || res.Hash != hash {
		t.Fatalf("submit to %s: %d %s", entry.name, code, body)
	}
	for _, v := range c.nodes {
		var got txResult
		eventually(t, settle, "tx on "+v.name, func() (bool, string) {
			r, code, err := v.tx(t.Context(), hash)
			got = r
			return err == nil && code == http.StatusOK && r.Status == "committed", fmt.Sprintf("%d %+v %v", code, r, err)
		})
		if got.Height != res.Height || got.Index != res.Index || got.Code != 0 || !bytes.Equal(got.Data, res.Data) {
			t.Fatalf("%s shows the tx as %+v; %s committed it as %+v", v.name, got, entry.name, res)
		}
		b, _, err := v.block(t.Context(), res.Height)
		if err != nil {
			t.Fatal(err)
		}
		if !blockHas(b, hash) {
			t.Fatalf("%s: block %d does not list tx %s", v.name, res.Height, hash)
		}
	}
	c.requireAgreement(t, c.nodes)
	t.Logf("tx %s… committed at height %d via %s, same block and app hash on all %d nodes", hash.String()[:12], res.Height, entry.name, len(c.nodes))
}

func blockHas(b block, h chain.Hash) bool {
	for _, tx := range b.Txs {
		if tx.Hash == h && tx.Status == "committed" {
			return true
		}
	}
	return false
}

// With one of four validators stopped, the other three (3/4 of the power,
// over 2/3) keep committing blocks and transactions; restarted on its
// volume, the fourth catches up and agrees with them.
func testOneDown(t *testing.T, c *cluster) {
	down := c.nodes[1]
	live := c.others(down)
	c.stop(t, down)

	h0 := maxHeight(t.Context(), live)
	c.waitHeight(t, live, h0+5)
	raw, hash := c.loader.addAccount("while-one-down", h0+500)
	res, code, body := live[1].submit(t.Context(), raw, "30s")
	if code != http.StatusAccepted || res.Status != "committed" {
		t.Fatalf("submit with %s down: %d %s", down.name, code, body)
	}
	t.Logf("with %s down: heights %d → %d, tx committed at %d", down.name, h0, maxHeight(t.Context(), live), res.Height)

	c.start(t, down)
	c.waitHeight(t, []*validator{down}, maxHeight(t.Context(), live))
	r, code, err := down.tx(t.Context(), hash)
	if err != nil || code != http.StatusOK || r.Status != "committed" || r.Height != res.Height {
		t.Fatalf("%s after catching up shows the tx committed while it was down as %d %+v %v", down.name, code, r, err)
	}
	c.requireAgreement(t, c.nodes)
}

// With two of four validators stopped, the two left hold half the power,
// short of the 2/3 a block needs: no height is added, and the two agree on
// the last one. A transaction submitted meanwhile waits. With one validator
// back (3/4) the chain resumes and commits it; with both back, all four
// agree.
func testTwoDown(t *testing.T, c *cluster) {
	a, b := c.nodes[2], c.nodes[3]
	live := c.others(a, b)
	c.stop(t, a)
	c.stop(t, b)

	// A block its proposer got enough votes for before the stops may still
	// commit: wait until the height rests, then watch that it stays.
	var halted int64
	quietSince, last := time.Now(), int64(-1)
	eventually(t, settle, "the chain to halt", func() (bool, string) {
		hs := heights(t.Context(), live)
		if hs[0] != hs[1] || hs[0] != last {
			quietSince, last = time.Now(), hs[0]
		}
		halted = hs[0]
		return hs[0] == hs[1] && time.Since(quietSince) > 3*time.Second, describe(live, hs)
	})
	raw, hash := c.loader.addAccount("while-halted", halted+500)
	res, code, body := live[0].submit(t.Context(), raw, "2s")
	if code != http.StatusAccepted || res.Status != "pending" {
		t.Fatalf("submit while halted: %d %s; want 202 pending", code, body)
	}
	time.Sleep(8 * time.Second) // several consensus rounds
	var appHash string
	for _, v := range live {
		st, err := v.status(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if st.Height != halted {
			t.Fatalf("%s moved from height %d to %d with half the voting power down", v.name, halted, st.Height)
		}
		if appHash != "" && st.AppHash != appHash {
			t.Fatalf("app hashes diverge at height %d: %s vs %s", halted, appHash, st.AppHash)
		}
		appHash = st.AppHash
	}
	t.Logf("halted at height %d with app hash %s… on %s and %s", halted, appHash[:12], live[0].name, live[1].name)

	c.start(t, a)
	c.waitHeight(t, append(live, a), halted+3)
	eventually(t, settle, "the tx submitted while halted to commit", func() (bool, string) {
		r, code, err := live[0].tx(t.Context(), hash)
		return err == nil && code == http.StatusOK && r.Status == "committed", fmt.Sprintf("%d %+v %v", code, r, err)
	})
	t.Logf("%s back: chain resumed past height %d", a.name, halted)
	c.start(t, b)
	c.waitHeight(t, c.nodes, maxHeight(t.Context(), c.nodes))
	c.requireAgreement(t, c.nodes)
}

// A validator cut off from its peers stalls at its height while the other
// three go on; reconnected, it converges on their chain.
func testPartition(t *testing.T, c *cluster) {
	iso := c.nodes[3]
	majority := c.others(iso)
	c.disconnect(t, iso)

	c.waitHeight(t, majority, maxHeight(t.Context(), majority)+3)
	before, err := iso.status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	c.waitHeight(t, majority, maxHeight(t.Context(), majority)+5)
	after, err := iso.status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if after.Height != before.Height || after.AppHash != before.AppHash {
		t.Fatalf("isolated %s moved from %d (%s) to %d (%s)", iso.name, before.Height, before.AppHash, after.Height, after.AppHash)
	}
	ahead := maxHeight(t.Context(), majority)
	t.Logf("isolated %s stalled at %d while the majority reached %d", iso.name, before.Height, ahead)

	c.reconnect(t, iso)
	c.waitHeight(t, []*validator{iso}, ahead)
	c.requireAgreement(t, c.nodes)
}

// With MinIO stopped while a file streams in, the deposit fails with 503
// storage.unavailable and nothing reaches the chain: the notary's evidence
// list is unchanged on every node. With MinIO back, uploads work again and
// the file is served by another node from the shared store.
func testBlobStoreDown(t *testing.T, c *cluster) {
	notary := c.tokens["notary"]
	list := func(v *validator) []json.RawMessage {
		var page struct {
			Items []json.RawMessage `json:"items"`
		}
		v.get(t, "/api/v1/evidence?limit=100", notary, &page)
		return page.Items
	}
	type deposit struct {
		ID     json.Number `json:"id"`
		Height int64       `json:"height"`
		errorBody
	}
	upload := func(v *validator, content []byte) (int, deposit, []byte) {
		var d deposit
		code, body := postFile(t.Context(), v, "/api/v1/evidence", notary, map[string]string{"title": "outage test"}, bytes.NewReader(content), nil)
		json.Unmarshal(body, &d)
		return code, d, body
	}

	code, first, body := upload(c.nodes[0], randomBytes(64<<10))
	if code != http.StatusCreated {
		t.Fatalf("deposit before the outage: %d %s", code, body)
	}
	c.waitHeight(t, c.nodes, first.Height)
	before := list(c.nodes[0])

	// Stop MinIO in the middle of the upload's body.
	var stopErr error
	code, body = postFile(t.Context(), c.nodes[0], "/api/v1/evidence", notary, map[string]string{"title": "interrupted"}, bytes.NewReader(randomBytes(1<<20)), func() {
		timeout := 10 * time.Second
		stopErr = c.minio.Container.Stop(context.Background(), &timeout)
	})
	if stopErr != nil {
		t.Fatalf("stop MinIO: %v", stopErr)
	}
	t.Cleanup(func() { startMinIO(t, c) })
	requireUnavailable(t, "deposit while MinIO stopped mid-upload", code, body)

	code, _, body = upload(c.nodes[1], randomBytes(32<<10))
	requireUnavailable(t, "deposit with MinIO down", code, body)
	code, body = postFile(t.Context(), c.nodes[2], "/api/v1/blobs", notary, nil, bytes.NewReader(randomBytes(16<<10)), nil)
	requireUnavailable(t, "blob upload with MinIO down", code, body)
	// A transaction sent despite the failure would be in one of the next
	// blocks.
	c.waitHeight(t, c.nodes, maxHeight(t.Context(), c.nodes)+2)
	for _, v := range c.nodes {
		if got := list(v); len(got) != len(before) || !bytes.Equal(got[0], before[0]) {
			t.Fatalf("%s lists %d deposits after the failed uploads, %d before: a record without its blob", v.name, len(got), len(before))
		}
	}

	startMinIO(t, c)
	content := randomBytes(128 << 10)
	var d deposit
	eventually(t, settle, "a deposit after MinIO is back", func() (bool, string) {
		code, dd, body := upload(c.nodes[1], content)
		d = dd
		return code == http.StatusCreated, fmt.Sprintf("%d %s", code, body)
	})
	c.waitHeight(t, c.nodes, d.Height)
	code, got := c.nodes[3].do(t.Context(), http.MethodGet, "/api/v1/evidence/"+d.ID.String()+"/file?purpose=integration+test", notary, "", nil)
	if code != http.StatusOK || !bytes.Equal(got, content) {
		t.Fatalf("download of deposit %s from node3: %d, %d bytes (want %d): %.200s", d.ID, code, len(got), len(content), got)
	}
	if after := list(c.nodes[0]); len(after) != len(before)+1 {
		t.Fatalf("after MinIO is back: %d deposits, want %d", len(after), len(before)+1)
	}
}

// postFile posts a multipart upload: fields, then a "file" part streamed
// from content. If midway is set, it is called after the first 256 KiB of
// the file have been sent.
func postFile(ctx context.Context, v *validator, path, token string, fields map[string]string, content io.Reader, midway func()) (int, []byte) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		var err error
		for k, val := range fields {
			if err == nil {
				err = mw.WriteField(k, val)
			}
		}
		var part io.Writer
		if err == nil {
			part, err = mw.CreateFormFile("file", "evidence.bin")
		}
		if err == nil && midway != nil {
			if _, err = io.CopyN(part, content, 256<<10); err == nil {
				midway()
			}
		}
		if err == nil {
			_, err = io.Copy(part, content)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	code, body := v.do(ctx, http.MethodPost, path, token, mw.FormDataContentType(), pr)
	pr.Close()
	return code, body
}

func requireUnavailable(t *testing.T, what string, code int, body []byte) {
	t.Helper()
	var e errorBody
	json.Unmarshal(body, &e)
	if code != http.StatusServiceUnavailable || e.Error.Code != "storage.unavailable" || e.Error.Message == "" {
		t.Fatalf("%s: %d %s; want 503 storage.unavailable with a message", what, code, body)
	}
	t.Logf("%s: 503 %s: %s", what, e.Error.Code, e.Error.Message)
}

func startMinIO(t *testing.T, c *cluster) {
	st, err := c.minio.Container.State(context.Background())
	if err != nil || st.Running {
		return
	}
	if err := c.minio.Container.Start(context.Background()); err != nil {
		t.Fatalf("start MinIO again: %v", err)
	}
	t.Log("MinIO started again")
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// A validator killed with SIGKILL while clients submit through every node,
// then started again on its volume, still has every transaction any node
// reported committed, at the same height and index, and agrees with the
// others.
func testKillUnderLoad(t *testing.T, c *cluster) {
	victim := c.nodes[2]
	var (
		mu        sync.Mutex
		committed = map[chain.Hash]txResult{}
		viaVictim atomic.Int64
		height    atomic.Int64
	)
	height.Store(maxHeight(t.Context(), c.nodes))
	ctx, stopLoad := context.WithCancel(t.Context())
	defer stopLoad()
	var wg sync.WaitGroup
	for w := range 32 {
		v := c.nodes[w%len(c.nodes)]
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				raw, hash := c.loader.addAccount(fmt.Sprintf("load-%d-%d", w, i), height.Load()+500)
				res, code, _ := v.submit(ctx, raw, "20s")
				if code == 0 {
					time.Sleep(100 * time.Millisecond) // node down: try again shortly
					continue
				}
				if code == http.StatusAccepted && res.Status == "committed" {
					mu.Lock()
					committed[hash] = res
					mu.Unlock()
					if v == victim {
						viaVictim.Add(1)
					}
				}
			}
		})
	}
	eventually(t, settle, "load committed through the victim", func() (bool, string) {
		height.Store(maxHeight(t.Context(), c.nodes))
		return viaVictim.Load() >= 100, fmt.Sprintf("%d committed via %s", viaVictim.Load(), victim.name)
	})
	killedAt := maxHeight(t.Context(), []*validator{victim})
	c.kill(t, victim)
	others := c.others(victim)
	c.waitHeight(t, others, maxHeight(t.Context(), others)+3) // load goes on without it
	stopLoad()
	wg.Wait()
	t.Logf("killed %s at height %d; %d txs reported committed, %d of them by %s", victim.name, killedAt, len(committed), viaVictim.Load(), victim.name)

	c.start(t, victim)
	if st, err := victim.status(t.Context()); err != nil || st.Height < killedAt {
		t.Fatalf("%s restarted at height %d (%v); it had committed %d before the kill: not restarted from its volume", victim.name, st.Height, err, killedAt)
	}
	c.waitHeight(t, []*validator{victim}, maxHeight(t.Context(), others))
	for hash, want := range committed {
		got, code, err := victim.tx(t.Context(), hash)
		if err != nil || code != http.StatusOK || got.Status != "committed" || got.Height != want.Height || got.Index != want.Index {
			t.Fatalf("tx %s reported committed at %d/%d: %s shows %d %+v %v", hash, want.Height, want.Index, victim.name, code, got, err)
		}
	}
	c.requireAgreement(t, c.nodes)
}
