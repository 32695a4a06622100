package evidenceweb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/storage/fs"
)

// An anchor is signed by its depositor, who may name any blob as its leaves:
// the proof routes (public) refuse a file that is not the batch's leaves —
// too large to be, a count or root that differs — with evidence.bad_leaves,
// and serve proofs for one that is.
func TestProofCacheChecksTheLeavesFile(t *testing.T) {
	blobs, err := fs.Open(t.TempDir(), 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	put := func(content []byte) chain.Hash {
		b, err := blobs.Put(t.Context(), bytes.NewReader(content), storage.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return b.SHA256
	}
	hashes := []chain.Hash{chain.SumHash([]byte("a")), chain.SumHash([]byte("b")), chain.SumHash([]byte("c"))}
	root := evidence.BatchRoot(hashes)
	leaves := put(evidence.LeavesFile(hashes))
	for _, tc := range []struct {
		name  string
		batch evidence.Batch
		want  string // error code; "" for proofs
	}{
		{"its leaves", evidence.Batch{ID: 1, Root: root, Count: 3, LeavesSHA256: leaves}, ""},
		{"a large blob", evidence.Batch{ID: 2, Root: root, Count: 3, LeavesSHA256: put(bytes.Repeat([]byte("x"), 1<<20))}, "evidence.bad_leaves"},
		{"fewer than the count", evidence.Batch{ID: 3, Root: evidence.BatchRoot(hashes[:2]), Count: 3, LeavesSHA256: put(evidence.LeavesFile(hashes[:2]))}, "evidence.bad_leaves"},
		{"another root", evidence.Batch{ID: 4, Root: chain.SumHash([]byte("r")), Count: 3, LeavesSHA256: leaves}, "evidence.bad_leaves"},
		{"not hashes", evidence.Batch{ID: 5, Root: root, Count: 3, LeavesSHA256: put([]byte(strings.Repeat("zz\n", 3)))}, "evidence.bad_leaves"},
		{"someone's document", evidence.Batch{ID: 6, Root: root, Count: 3, LeavesSHA256: put([]byte("IBAN:DE89370400440532013000;amount=1000000"))}, "evidence.bad_leaves"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pc proofCache
			p, err := pc.get(t.Context(), blobs, tc.batch)
			if tc.want == "" {
				if err != nil || len(p.proofs) != 3 || p.index[hashes[2]] != 2 {
					t.Fatalf("proofs of the batch's own leaves: %+v, %v", p, err)
				}
				return
			}
			if e := errs.As(err); e == nil || e.Code != tc.want {
				t.Fatalf("error = %v, want %s", err, tc.want)
			}
			// The answer is public: it tells nothing of the file's
			// content or size.
			if msg := err.Error(); strings.Contains(msg, "IBAN") || strings.Contains(msg, "zz") || strings.Contains(msg, "bytes") {
				t.Fatalf("error %q shows what the file holds", msg)
			}
		})
	}
}

// FuzzParseBatch reads batch bodies, as text lines or JSON: what is accepted
// is 1 to MaxBatch distinct hashes, each the line it was read from, in order;
// what is refused is a 400 naming what is wrong.
func FuzzParseBatch(f *testing.F) {
	a, b := chain.SumHash([]byte("a")).String(), chain.SumHash([]byte("b")).String()
	for _, s := range []struct {
		body   string
		asJSON bool
	}{
		{a + "\n" + b + "\n", false},
		{strings.ToUpper(a) + "\r\n  " + b, false},
		{a + "\n" + a, false},
		{a + "\n\n" + b, false},
		{"", false},
		{`{"title":"t","hashes":["` + a + `","` + b + `"]}`, true},
		{`{"hashes":["` + a + `"]}}`, true},
		{`{"hashes":null}`, true},
	} {
		f.Add([]byte(s.body), s.asJSON)
	}
	f.Fuzz(func(t *testing.T, body []byte, asJSON bool) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/evidence/batches?title=t", bytes.NewReader(body))
		if asJSON {
			req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		}
		c := echo.New().NewContext(req, httptest.NewRecorder())
		_, lines, err := parseBatch(c, body)
		var hashes []chain.Hash
		if err == nil {
			hashes, err = batchHashes(lines)
		}
		if err != nil {
			if e := errs.As(err); e == nil || e.Kind != errs.KindInvalid {
				t.Fatalf("refused with %v, not a 400", err)
			}
			return
		}
		if len(hashes) == 0 || len(hashes) > evidence.MaxBatch || len(hashes) != len(lines) {
			t.Fatalf("%d hashes from %d lines", len(hashes), len(lines))
		}
		seen := map[chain.Hash]bool{}
		for i, h := range hashes {
			if seen[h] || !strings.EqualFold(strings.TrimSpace(lines[i]), h.String()) {
				t.Fatalf("hash %d is %s, from line %q (repeated: %v)", i, h, lines[i], seen[h])
			}
			seen[h] = true
		}
	})
}

// The proof cache keeps the batches used most recently, answers a cached
// batch while another is being computed, and stops waiting for its turn
// when the request goes away.
func TestProofCacheOrderAndWaits(t *testing.T) {
	blobs, err := fs.Open(t.TempDir(), 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	batch := func(id evidence.ID) evidence.Batch {
		hashes := []chain.Hash{chain.SumHash([]byte(fmt.Sprint("a", id))), chain.SumHash([]byte(fmt.Sprint("b", id)))}
		leaves, err := blobs.Put(t.Context(), bytes.NewReader(evidence.LeavesFile(hashes)), storage.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return evidence.Batch{ID: id, Root: evidence.BatchRoot(hashes), Count: 2, LeavesSHA256: leaves.SHA256}
	}
	var pc proofCache
	for id := evidence.ID(1); id <= proofCacheSize; id++ {
		if _, err := pc.get(t.Context(), blobs, batch(id)); err != nil {
			t.Fatal(err)
		}
	}
	pc.cached(1) // used again: batch 2 is now the least recently used
	if _, err := pc.get(t.Context(), blobs, batch(proofCacheSize+1)); err != nil {
		t.Fatal(err)
	}
	if pc.cached(2) != nil || pc.cached(1) == nil || pc.cached(proofCacheSize+1) == nil {
		t.Fatalf("cache after a fifth batch: %v; want batch 2 evicted, 1 kept", pc.used)
	}

	pc.building <- struct{}{} // a computation under way
	defer func() { <-pc.building }()
	if _, err := pc.get(t.Context(), blobs, batch(1)); err != nil {
		t.Fatalf("a cached batch waited for another's computation: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := pc.get(ctx, blobs, batch(proofCacheSize+2)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting for its turn past the request: %v", err)
	}
}
