package evidenceweb

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/cometbft/cometbft/crypto/merkle"
	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/receipt"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/web"
)

// maxBatchBody bounds a batch request: 100,000 hashes as JSON strings or
// lines, with room for a title.
const maxBatchBody = 8 << 20

var errBadBatch = errs.New(errs.KindInvalid, "evidence.bad_batch", "invalid batch")

// BatchRequest is the JSON form of a batch: the hashes in order. A
// text/plain body with one hash a line is accepted too (title from ?title=).
type BatchRequest struct {
	Title  string   `json:"title"`
	Hashes []string `json:"hashes"`
}

// BatchView answers an anchored batch.
type BatchView struct {
	Batch        evidence.ID `json:"batch,omitempty"`
	Root         chain.Hash  `json:"root"`
	Count        int         `json:"count"`
	LeavesSHA256 chain.Hash  `json:"leaves_sha256"`
	TxHash       chain.Hash  `json:"tx_hash"`
	Status       string      `json:"status"`
	Height       int64       `json:"height,omitempty"`
}

// anchorBatch validates the hashes (400 naming the first bad line), stores
// the list as a blob — the file proofs are computed from — and anchors its
// Merkle root in one transaction.
func (h *Handler) anchorBatch(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxBatchBody+1))
	if err != nil {
		return web.BodyReadError(err)
	}
	if len(body) > maxBatchBody {
		return web.ErrTooLarge.Withf("a batch body is limited to %d bytes", maxBatchBody)
	}
	title, lines, err := parseBatch(c, body)
	if err != nil {
		return err
	}
	hashes, err := batchHashes(lines)
	if err != nil {
		return err
	}
	leaves := evidence.LeavesFile(hashes)
	blob, err := h.blobs.Put(c.Request().Context(), bytes.NewReader(leaves), storage.PutOptions{})
	if err != nil {
		return err
	}
	msg := evidence.AnchorBatch{Root: evidence.BatchRoot(hashes), Count: uint32(len(hashes)), LeavesSHA256: blob.SHA256, Title: title}
	if err := msg.ValidateBasic(); err != nil {
		return err
	}
	sub, err := h.web.Sign(c.Request().Context(), web.Caller(c), evidence.ModuleName, evidence.TypeAnchor, msg)
	if err != nil {
		return err
	}
	view := BatchView{Root: msg.Root, Count: len(hashes), LeavesSHA256: blob.SHA256, TxHash: sub.Hash, Status: sub.Status}
	if sub.Result == nil {
		return c.JSON(http.StatusAccepted, view)
	}
	if !sub.Result.OK() {
		return errs.FromResult(sub.Result.Code, sub.Result.Codespace, sub.Result.Log)
	}
	var res evidence.BatchResult
	if err := canon.Unmarshal(sub.Result.Data, &res); err != nil {
		return err
	}
	view.Batch, view.Height = res.Batch, sub.Result.Height
	return c.JSON(http.StatusCreated, view)
}

func parseBatch(c echo.Context, body []byte) (title string, lines []string, err error) {
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
		var req BatchRequest
		if err := web.DecodeJSON(bytes.NewReader(body), &req); err != nil {
			return "", nil, err
		}
		return req.Title, req.Hashes, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), 4096)
	for sc.Scan() {
		lines = append(lines, strings.TrimSpace(sc.Text()))
	}
	if err := sc.Err(); err != nil {
		return "", nil, errBadBatch.Withf("line %d: %v", len(lines)+1, err)
	}
	return c.QueryParam("title"), lines, nil
}

// batchHashes checks the lines: 1 to MaxBatch hashes of 64 hex
// characters, no repeats. Errors name the first bad line, counted from 1.
func batchHashes(lines []string) ([]chain.Hash, error) {
	if len(lines) == 0 {
		return nil, errBadBatch.Withf("the batch is empty")
	}
	if len(lines) > evidence.MaxBatch {
		return nil, errBadBatch.Withf("line %d: a batch holds at most %d hashes", evidence.MaxBatch+1, evidence.MaxBatch)
	}
	hashes := make([]chain.Hash, len(lines))
	seen := make(map[chain.Hash]int, len(lines))
	for i, l := range lines {
		h, err := chain.ParseHash(l)
		if err != nil {
			return nil, errBadBatch.Withf("line %d: %q is not a sha256 (64 hex characters)", i+1, truncate(l, 80))
		}
		if first, dup := seen[h]; dup {
			return nil, errBadBatch.Withf("line %d: %s repeats line %d", i+1, h, first)
		}
		seen[h] = i + 1
		hashes[i] = h
	}
	return hashes, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func (h *Handler) getBatch(c echo.Context) error {
	id, err := evidence.ParseID(c.Param("id"))
	if err != nil {
		return err
	}
	var b evidence.Batch
	if err := h.state.View(func(r chain.Reader) (err error) { b, err = evidence.GetBatch(r, id); return err }); err != nil {
		return err
	}
	return web.JSON(c, b)
}

// ProofView proves a hash is in an anchored batch: the Merkle path from the
// leaf to the root that the batch's transaction carries.
type ProofView struct {
	Batch   evidence.ID `json:"batch"`
	Root    chain.Hash  `json:"root"`
	Leaf    chain.Hash  `json:"leaf"`
	Index   int64       `json:"index"`
	Total   int64       `json:"total"`
	Aunts   []string    `json:"aunts"` // hex, leaf to root
	TxHash  chain.Hash  `json:"tx_hash"`
	Height  int64       `json:"height"`
	Receipt string      `json:"receipt_url"`
}

var (
	errNotInBatch = errs.New(errs.KindNotFound, "evidence.not_in_batch", "the hash is not in this batch")
	// The batch's anchor names a leaves file that is not its leaves: it was
	// signed by hand, so no proof can be given.
	errBadLeaves = errs.New(errs.KindConflict, "evidence.bad_leaves", "the batch's leaves file does not match its anchor")
)

func (h *Handler) batchProof(c echo.Context) error {
	b, proof, err := h.leafProof(c)
	if err != nil {
		return err
	}
	view := ProofView{Batch: b.ID, Root: b.Root, Leaf: proof.SHA256, Index: proof.Index, Total: proof.Total, TxHash: b.TxHash, Height: b.Height,
		Receipt: c.Request().URL.Path + "/receipt", Aunts: make([]string, len(proof.Aunts))} // [] for a batch of one, as in receipts
	for i, a := range proof.Aunts {
		view.Aunts[i] = a.String()
	}
	return web.JSON(c, view)
}

// batchReceipt is the receipt of the batch's transaction with the hash's
// path to the batch root: `chancery verify --sha256 <hash>` accepts it.
func (h *Handler) batchReceipt(c echo.Context) error {
	b, proof, err := h.leafProof(c)
	if err != nil {
		return err
	}
	return h.web.WriteReceipt(c, b.TxHash, proof)
}

// leafProof finds the batch of the request and the path of its hash.
func (h *Handler) leafProof(c echo.Context) (evidence.Batch, *receipt.Leaf, error) {
	var b evidence.Batch
	id, err := evidence.ParseID(c.Param("id"))
	if err != nil {
		return b, nil, err
	}
	leaf, err := chain.ParseHash(c.Param("sha256"))
	if err != nil {
		return b, nil, errBadHash
	}
	if err := h.state.View(func(r chain.Reader) (err error) { b, err = evidence.GetBatch(r, id); return err }); err != nil {
		return b, nil, err
	}
	p, err := h.proofs.get(c.Request().Context(), h.blobs, b)
	if err != nil {
		return b, nil, err
	}
	i, ok := p.index[leaf]
	if !ok {
		return b, nil, errNotInBatch.Withf("%s is not in batch %d", leaf, id)
	}
	proof := p.proofs[i]
	out := &receipt.Leaf{SHA256: leaf, Index: proof.Index, Total: proof.Total, Aunts: make([]chain.Hash, len(proof.Aunts))}
	for j, a := range proof.Aunts {
		copy(out.Aunts[j][:], a)
	}
	return b, out, nil
}

// proofCache keeps the proofs of recently asked batches: computing them
// reads the leaves blob and hashes the whole tree (~0.7 s and ~90 MB for
// 100,000 hashes). The routes are public, so a cached batch never waits for
// another's computation, one batch is computed at a time (memory stays
// bounded whatever is asked), a request that goes away stops waiting, and
// the batch used least recently leaves the cache first.
type proofCache struct {
	mu      sync.Mutex
	batches map[evidence.ID]*batchProofs
	used    []evidence.ID // least recently used first
	// building admits one computation at a time; its holder builds.
	building chan struct{}
}

type batchProofs struct {
	index  map[chain.Hash]int
	proofs []*merkle.Proof
}

const proofCacheSize = 4

func (pc *proofCache) get(ctx context.Context, blobs storage.BlobStore, b evidence.Batch) (*batchProofs, error) {
	if p := pc.cached(b.ID); p != nil {
		return p, nil
	}
	pc.mu.Lock()
	if pc.building == nil {
		pc.building = make(chan struct{}, 1)
	}
	building := pc.building
	pc.mu.Unlock()
	select {
	case building <- struct{}{}:
		defer func() { <-building }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	// Another request may have built it while this one waited.
	if p := pc.cached(b.ID); p != nil {
		return p, nil
	}
	p, err := buildProofs(ctx, blobs, b)
	if err != nil {
		return nil, err
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.batches == nil {
		pc.batches = map[evidence.ID]*batchProofs{}
	}
	for len(pc.used) >= proofCacheSize {
		delete(pc.batches, pc.used[0])
		pc.used = pc.used[1:]
	}
	pc.batches[b.ID] = p
	pc.used = append(pc.used, b.ID)
	return p, nil
}

// cached returns batch id's proofs if they are cached, marking them used.
func (pc *proofCache) cached(id evidence.ID) *batchProofs {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	p, ok := pc.batches[id]
	if ok {
		pc.used = append(slices.DeleteFunc(pc.used, func(u evidence.ID) bool { return u == id }), id)
	}
	return p
}

// buildProofs reads batch b's leaves file and computes every proof.
func buildProofs(ctx context.Context, blobs storage.BlobStore, b evidence.Batch) (*batchProofs, error) {
	rc, blob, err := blobs.Get(ctx, b.LeavesSHA256)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// One hex hash a line (66 bytes with a CRLF). Anyone may sign an anchor
	// naming any blob: a larger one is not read, on a public route. Nor do
	// the answers tell what a file that is not the batch's leaves holds, nor
	// its size: it may be anyone's document.
	notLeaves := errBadLeaves.Withf("the file batch %d names as its leaves is not the list of its %d hashes", b.ID, b.Count)
	limit := int64(b.Count) * 66
	if blob.Size > limit {
		return nil, notLeaves
	}
	data, err := io.ReadAll(io.LimitReader(rc, limit))
	if err != nil {
		return nil, err
	}
	hashes, err := batchHashes(strings.Fields(string(data)))
	if err != nil || len(hashes) != int(b.Count) {
		return nil, notLeaves
	}
	root, proofs := evidence.BatchProofs(hashes)
	if root != b.Root {
		return nil, errBadLeaves.Withf("the leaves file of batch %d does not hash to its root", b.ID)
	}
	p := &batchProofs{index: make(map[chain.Hash]int, len(hashes)), proofs: proofs}
	for i, h := range hashes {
		p.index[h] = i
	}
	return p, nil
}
